"""The Settings tab: model picker (bundled, HF folder or .gguf, validated by loading it off the GUI thread),
device, N, k, temperature, strategy, token limit and llama.cpp threads, saved with QSettings."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from tutor.app.session import Session
from tutor.app.settings import DEVICES, STRATEGIES, AppSettings
from tutor.errors import StepwiseError


class ModelPicker(QWidget):
    """A path line edit with buttons for a .gguf file, an HF folder, or the bundled default (empty).

    `picked` is emitted after a choice made with a button, so the settings tab can validate it at once.
    """

    picked = Signal(str)

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = QLineEdit(placeholderText=placeholder)
        self.file_button = QPushButton("GGUF file…")
        self.folder_button = QPushButton("HF folder…")
        self.default_button = QPushButton("Default")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.path, self.file_button, self.folder_button, self.default_button):
            layout.addWidget(widget)
        layout.setStretch(0, 1)
        self.file_button.clicked.connect(self._pick_file)
        self.folder_button.clicked.connect(self._pick_folder)
        self.default_button.clicked.connect(lambda: self.choose(""))

    def choose(self, path: str) -> None:
        self.path.setText(path)
        self.picked.emit(path)

    def _pick_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a GGUF model", "", "GGUF models (*.gguf)")
        if path:
            self.choose(path)

    def _pick_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Choose a Hugging Face model folder")
        if path:
            self.choose(path)


class SettingsView(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.model = ModelPicker("bundled default model")
        self.verifier = ModelPicker("same model as the generator")
        self.device = QComboBox()
        self.device.addItems(DEVICES)
        self.n = QSpinBox(minimum=1, maximum=256)
        self.k = QSpinBox(minimum=1, maximum=64)
        self.temperature = QDoubleSpinBox(minimum=0.0, maximum=2.0, singleStep=0.05, decimals=2)
        self.strategy = QComboBox()
        self.strategy.addItems(STRATEGIES)
        self.max_new_tokens = QSpinBox(minimum=16, maximum=4096, singleStep=32)
        self.threads = QSpinBox(minimum=0, maximum=256)
        self.threads.setSpecialValueText("auto")
        self.step_check = QCheckBox("Rank down solutions whose arithmetic does not hold")
        self.calculator = QCheckBox("Compute each arithmetic step for the model as it writes")
        self.load_button = QPushButton("Load and use this model")
        self.save_button = QPushButton("Save settings")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.loaded_label = QLabel()

        form = QFormLayout()
        form.addRow("Generator model", self.model)
        form.addRow("Verifier model", self.verifier)
        form.addRow("Device", self.device)
        form.addRow("Samples per problem (N)", self.n)
        form.addRow("Clusters re-ranked (k)", self.k)
        form.addRow("Temperature", self.temperature)
        form.addRow("Strategy", self.strategy)
        form.addRow("Max tokens per solution", self.max_new_tokens)
        form.addRow("CPU threads", self.threads)
        form.addRow("Step check", self.step_check)
        form.addRow("Calculator", self.calculator)
        buttons = QHBoxLayout()
        buttons.addWidget(self.load_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.loaded_label)
        layout.addStretch()

        self.show_settings(session.settings)
        self.load_button.clicked.connect(self.load_model)
        # A model picked with the file/folder buttons is validated (loaded) right away.
        self.model.picked.connect(self.load_model)
        self.verifier.picked.connect(self.load_model)
        self.save_button.clicked.connect(self.save)
        session.model_changed.connect(self._on_model_changed)
        session.model_failed.connect(self._on_model_failed)
        self._on_model_changed(session.model_name)

    def show_settings(self, settings: AppSettings) -> None:
        self.model.path.setText(settings.model_path)
        self.verifier.path.setText(settings.verifier_path)
        self.device.setCurrentText(settings.device)
        self.n.setValue(settings.n)
        self.k.setValue(settings.k)
        self.temperature.setValue(settings.temperature)
        self.strategy.setCurrentText(settings.strategy)
        self.max_new_tokens.setValue(settings.max_new_tokens)
        self.threads.setValue(settings.threads)
        self.step_check.setChecked(settings.step_check)
        self.calculator.setChecked(settings.calculator)

    def edited_settings(self) -> AppSettings:
        # The fields this tab does not show (top_p, seed, ...) keep their current values.
        return replace(
            self.session.settings,
            model_path=self.model.path.text().strip(), verifier_path=self.verifier.path.text().strip(),
            device=self.device.currentText(), n=self.n.value(), k=self.k.value(),
            temperature=self.temperature.value(), strategy=self.strategy.currentText(),
            max_new_tokens=self.max_new_tokens.value(), threads=self.threads.value(),
            step_check=self.step_check.isChecked(), calculator=self.calculator.isChecked(),
        )

    def save(self) -> bool:
        """Save the settings; the model paths saved are those of the model in use (a path is saved only once
        its model has loaded, by "Load and use this model")."""
        edited = self.edited_settings()
        wanted = (edited.model_path, edited.verifier_path)
        edited.model_path, edited.verifier_path = self.session.settings.model_path, self.session.settings.verifier_path
        try:
            self.session.apply_settings(edited)
        except StepwiseError as exc:
            self._show_status(str(exc), error=True)
            return False
        if wanted != (edited.model_path, edited.verifier_path):
            self._show_status("Settings saved, but not the model: press \"Load and use this model\" to check it first.")
        else:
            self._show_status("Settings saved.")
        return True

    def load_model(self) -> None:
        """Validate the chosen model by really loading it (in a worker); it is used, and saved, once it loads."""
        model, verifier = self.model.path.text().strip(), self.verifier.path.text().strip()
        if not self.save():
            return
        self._show_status(f"Loading {model or 'the bundled model'}…")
        self.load_button.setEnabled(False)
        self.session.load_model(model, self.session.settings.device, verifier, remember=True)

    def _show_model_in_use(self) -> None:
        self.model.path.setText(self.session.settings.model_path)
        self.verifier.path.setText(self.session.settings.verifier_path)

    def _on_model_changed(self, name: str) -> None:
        self.load_button.setEnabled(True)
        self.loaded_label.setText(f"Model in use: <b>{name}</b>" if name else "No model loaded.")
        if name:
            self._show_model_in_use()
            self._show_status(f"Loaded {name}; it is now the tutor's model.")

    def _on_model_failed(self, message: str) -> None:
        """A refused model leaves the fields: they show the model in use again, which is what is saved."""
        self.load_button.setEnabled(True)
        refused = self.model.path.text().strip() or self.verifier.path.text().strip() or "the bundled model"
        self._show_model_in_use()
        kept = f" The model in use stays: {self.session.model_name}." if self.session.model_name else ""
        what = "the model" if refused in message else refused  # a load error usually names its file
        self._show_status(f"Could not load {what}: {message}.{kept}", error=True)

    def _show_status(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #b00020;" if error else "")
