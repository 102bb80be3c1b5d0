"""The Retrain tab: pick a recipe, phases and data, run the trainer as a separate process (QProcess), watch
live progress (parsed from its output) and the loss (polled from the run's metrics in the store), cancel,
and browse past runs with their evaluation numbers; "Use this model" loads a finished run's output."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QHideEvent, QShowEvent, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tutor.app import runs
from tutor.app.loss_plot import LossPlot
from tutor.app.qt_models import RunsTableModel
from tutor.app.session import Session
from tutor.app.trainer_process import TrainerEvent, TrainerProcess, parse_trainer_line
from tutor.errors import StepwiseError

POLL_MS = 1000
RUNS_REFRESH_POLLS = 5  # the runs table is re-read every this many polls while following an outside run
LOG_LINES_KEPT = 2000


class RetrainView(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.trainer = TrainerProcess(self)
        self.run_id: int | None = None
        self._last_bar_phase: str | None = None
        self._polls = 0

        self.recipe = QComboBox(editable=True)
        self.recipe.addItems([path.stem for path in runs.bundled_recipes()])
        self.recipe.setCurrentText("quick" if "quick" in [p.stem for p in runs.bundled_recipes()] else "")
        self.recipe_button = QPushButton("Recipe…")
        self.phase_boxes = {phase: QCheckBox(label) for phase, label in runs.PHASES.items()}
        for box in self.phase_boxes.values():
            box.setChecked(True)
        self.data_source = QComboBox()
        self.data_source.addItems(list(runs.DATA_SOURCES.values()))
        self.data_file = QLineEdit(placeholderText="JSONL file of problems with reference answers")
        self.data_file_button = QPushButton("File…")
        self.start_button = QPushButton("Start training")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.phase_label = QLabel("Not running.")
        self.overall = QProgressBar()  # the run: which of its steps (ssft, candidates, …) it is in
        self.overall.setFormat("run: step %v of %m")
        self.overall.setValue(0)
        self.progress = QProgressBar()  # the current step: its training steps / problems
        self.progress.setFormat("%v / %m steps")
        self._run_phases: list[str] = []
        self.plot = LossPlot()
        self.log = QPlainTextEdit(readOnly=True)
        self.log.setMaximumBlockCount(LOG_LINES_KEPT)
        self.runs_model = RunsTableModel()
        self.runs_table = QTableView()
        self.runs_table.setModel(self.runs_model)
        self.runs_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.runs_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.runs_table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.runs_table.verticalHeader().hide()
        self.use_button = QPushButton("Use this model")
        self.refresh_button = QPushButton("Refresh")
        self._layout()

        self.poll_timer = QTimer(self, interval=POLL_MS)
        self.poll_timer.timeout.connect(self.poll_store)
        self.recipe_button.clicked.connect(self._pick_recipe)
        self.data_file_button.clicked.connect(self._pick_data_file)
        self.data_source.currentIndexChanged.connect(self._data_source_changed)
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.trainer.cancel)
        self.use_button.clicked.connect(self.use_selected_model)
        self.refresh_button.clicked.connect(self.refresh_runs)
        self.trainer.line.connect(self.append_log)
        self.trainer.event.connect(self.on_event)
        self.trainer.finished.connect(self.on_finished)
        self.trainer.failed_to_start.connect(self._failed_to_start)
        self._data_source_changed()
        self.refresh_runs()

    def _layout(self) -> None:
        form = QFormLayout()
        recipe_row = QHBoxLayout()
        recipe_row.addWidget(self.recipe, 1)
        recipe_row.addWidget(self.recipe_button)
        form.addRow("Recipe", recipe_row)
        phases_row = QHBoxLayout()
        for box in self.phase_boxes.values():
            phases_row.addWidget(box)
        phases_row.addStretch()
        form.addRow("Phases", phases_row)
        data_row = QHBoxLayout()
        data_row.addWidget(self.data_source)
        data_row.addWidget(self.data_file, 1)
        data_row.addWidget(self.data_file_button)
        form.addRow("Data", data_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.phase_label, 1)
        live = QSplitter()
        live.addWidget(self.plot)
        live.addWidget(self.log)
        runs_panel = QWidget()
        runs_layout = QVBoxLayout(runs_panel)
        runs_layout.setContentsMargins(0, 0, 0, 0)
        runs_buttons = QHBoxLayout()
        runs_buttons.addWidget(QLabel("Past runs"))
        runs_buttons.addStretch()
        runs_buttons.addWidget(self.refresh_button)
        runs_buttons.addWidget(self.use_button)
        runs_layout.addLayout(runs_buttons)
        runs_layout.addWidget(self.runs_table)
        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(live)
        body.addWidget(runs_panel)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.overall)
        layout.addWidget(self.progress)
        layout.addWidget(body, 1)

    # -- launching -----------------------------------------------------------------------------------
    def _pick_recipe(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a training recipe", "", "Recipes (*.toml)")
        if path:
            self.recipe.setCurrentText(path)

    def _pick_data_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose training problems", "", "JSONL (*.jsonl)")
        if path:
            self.data_file.setText(path)

    def _data_source_changed(self) -> None:
        needs_file = self.selected_data_source() == "jsonl"
        self.data_file.setEnabled(needs_file)
        self.data_file_button.setEnabled(needs_file)

    def selected_data_source(self) -> str:
        return list(runs.DATA_SOURCES)[self.data_source.currentIndex()]

    def start(self) -> bool:
        if self.trainer.running:
            return False
        phases = [phase for phase, box in self.phase_boxes.items() if box.isChecked()]
        try:
            recipe = runs.prepare_recipe(self.recipe.currentText().strip(), phases, self.selected_data_source(),
                                         self.data_file.text().strip(), self.session.store)
        except StepwiseError as exc:
            self.session.error.emit(str(exc))
            return False
        self.run_id = None
        self.log.clear()
        self.plot.show_series({})
        self.progress.setRange(0, 0)  # busy until the first progress line
        self._run_phases = runs.recipe_phases(recipe)
        self.overall.setRange(0, len(self._run_phases))
        self.overall.setValue(0)
        self.phase_label.setText("Starting the trainer…")
        self.log.appendPlainText(f"recipe: {recipe}")
        self.trainer.start(str(recipe))
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.poll_timer.start()
        return True

    def _failed_to_start(self, message: str) -> None:
        self.session.error.emit(message)
        self.on_finished(-1, "failed")

    def append_log(self, line: str) -> None:
        """Add a trainer output line; a progress bar redraw replaces the previous redraw of the same bar."""
        event = parse_trainer_line(line)
        is_bar = event is not None and event.step is not None
        if is_bar and self._last_bar_phase == event.phase:
            cursor = self.log.textCursor()
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.select(QTextCursor.SelectionType.BlockUnderCursor)
            cursor.removeSelectedText()
        self.log.appendPlainText(line)
        self._last_bar_phase = event.phase if is_bar else None

    # -- live progress -------------------------------------------------------------------------------
    def on_event(self, event: TrainerEvent) -> None:
        if event.run_id is not None and self.run_id is None:
            self.run_id = event.run_id
        if event.total:
            self.progress.setRange(0, event.total)
            self.progress.setValue(event.step or 0)
        if event.phase:
            step = f" — step {event.step}/{event.total}" if event.total else ""
            self.phase_label.setText(f"Phase {event.phase}{step}")
            self._show_overall(event.phase)

    def _show_overall(self, phase: str) -> None:
        """Move the run's bar to `phase` (counting the phases before it as done)."""
        if phase in self._run_phases:
            self.overall.setValue(self._run_phases.index(phase) + 1)

    def poll_store(self) -> None:
        """Redraw the loss from the store (the trainer writes its metrics there, step by step).

        While this tab shows and the app runs no trainer itself, a run started elsewhere (e.g. `trainer
        run` in a terminal) is followed the same way, its progress read from the store.
        """
        store = self.session.store
        if store is None:
            return
        self._polls += 1
        try:
            if self.trainer.running:
                if self.run_id is None:
                    self.run_id = runs.newest_running_run(store)
            elif (external := runs.newest_running_run(store)) is not None:
                newly_seen, self.run_id = external != self.run_id, external
                self._show_stored_progress(runs.stored_progress(store, external))
                if newly_seen or self._polls % RUNS_REFRESH_POLLS == 0:
                    self.refresh_runs()
            # (with neither, the last run shown is redrawn once more: its final steps)
            if self.run_id is not None:
                self.plot.show_series(runs.loss_series(store, self.run_id))
        except StepwiseError as exc:  # a briefly locked store: try again at the next tick
            self.phase_label.setText(f"(store busy: {exc})")

    def _show_stored_progress(self, progress: runs.StoredProgress) -> None:
        if not self._run_phases or self.run_id != progress.run_id:
            self._run_phases = progress.phases
            self.overall.setRange(0, max(1, len(self._run_phases)))
        if progress.phase:
            self._show_overall(progress.phase)
        total = f"/{progress.total}" if progress.total else ""
        phase = f"phase {progress.phase}, step {progress.step}{total}" if progress.phase else "between phases"
        self.phase_label.setText(f"Run {progress.run_id} (started outside the app): {phase}")
        if progress.total:
            self.progress.setRange(0, progress.total)
            self.progress.setValue(min(progress.step, progress.total))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.poll_timer.start()
        self.poll_store()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        if not self.trainer.running:
            self.poll_timer.stop()

    def on_finished(self, exit_code: int, status: str) -> None:
        if not self.isVisible():
            self.poll_timer.stop()
        self.poll_store()
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 1)
        if status == "finished":
            self.overall.setValue(self.overall.maximum())
        self.phase_label.setText(f"Training {status} (exit code {exit_code}).")
        if status == "failed":
            tail = self.log.toPlainText().strip().splitlines()[-1:] or ["no output"]
            self.session.error.emit(f"The trainer stopped with an error: {tail[0]}")
        self.refresh_runs()

    # -- past runs -----------------------------------------------------------------------------------
    def refresh_runs(self) -> None:
        if self.session.store is None:
            return
        try:
            self.runs_model.set_rows(runs.run_rows(self.session.store))
        except StepwiseError as exc:
            self.session.error.emit(str(exc))

    def selected_run(self):
        index = self.runs_table.selectionModel().currentIndex()
        return self.runs_model.row(index.row()) if index.isValid() else None

    def use_selected_model(self) -> None:
        run = self.selected_run()
        if run is None:
            self.session.error.emit("Select a finished run first.")
            return
        try:
            model_path = runs.model_of_run(run)
        except StepwiseError as exc:
            self.session.error.emit(str(exc))
            return
        settings = self.session.settings
        settings.model_path, settings.verifier_path = str(model_path), ""
        self.session.apply_settings(settings)
        self.session.info.emit(f"Loading the model of run {run.id}…")
        self.session.load_model(str(model_path), settings.device)

    def shutdown(self) -> None:
        self.poll_timer.stop()
        self.trainer.shutdown()
