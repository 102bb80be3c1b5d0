"""The Retrain tab: pick a recipe, phases and data, run the trainer as a separate process (QProcess), watch
its progress and loss live, cancel, and browse past runs with their evaluation numbers; "Use this model"
shows a finished run's evaluation beside the current model's and, once confirmed, loads its output.

Everything shown about a run comes from the store (its planned phases, each phase's step of its total, its
metrics and how it ended), which the trainer writes: the trainer's console output goes to the log view only.
"""

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
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tutor.app import model_evals, runs
from tutor.app.loss_plot import LossPlot
from tutor.app.qt_models import RunsTableModel
from tutor.app.session import Session
from tutor.app.trainer_process import TrainerProcess
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
        self.progress.setRange(0, 0)  # busy until the trainer reports its first progress to the store
        self.overall.setRange(0, 0)
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

    def append_log(self, line: str, overwrite: bool = False) -> None:
        """Add a trainer output line; a redrawn progress bar (`overwrite`) replaces the line it redraws."""
        if overwrite and not self.log.document().isEmpty():
            cursor = self.log.textCursor()
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.select(QTextCursor.SelectionType.BlockUnderCursor)
            cursor.removeSelectedText()
        self.log.appendPlainText(line)

    # -- live progress, from the store -----------------------------------------------------------------
    def poll_store(self) -> None:
        """Show the followed run's progress and loss as the trainer wrote them to the store.

        The followed run is the one this tab's trainer process claimed, else (while the app runs no trainer
        itself) a run started elsewhere, e.g. `trainer run` in a terminal.
        """
        store = self.session.store
        if store is None:
            return
        self._polls += 1
        try:
            if self.trainer.running:
                self.run_id = self.run_id or runs.run_of_process(store, self.trainer.pid, self.trainer.started_at)
                if self.run_id is not None:
                    self._show_progress(runs.stored_progress(store, self.run_id), outside=False)
            elif (external := runs.newest_running_run(store)) is not None:
                newly_seen, self.run_id = external != self.run_id, external
                self._show_progress(runs.stored_progress(store, external), outside=True)
                if newly_seen or self._polls % RUNS_REFRESH_POLLS == 0:
                    self.refresh_runs()
            # (with neither, the last run shown is redrawn once more: its final steps)
            if self.run_id is not None:
                self.plot.show_series(runs.loss_series(store, self.run_id))
        except StepwiseError as exc:  # a briefly locked store: try again at the next tick
            self.phase_label.setText(f"(store busy: {exc})")

    def _show_progress(self, progress: runs.StoredProgress, outside: bool) -> None:
        """The run's bar (which of its planned phases it is in) and the phase's bar (its step of its total)."""
        self.overall.setRange(0, max(1, len(progress.phases)))
        self.overall.setValue(progress.phase_number if progress.status == "running" else self.overall.value())
        who = " (started outside the app)" if outside else ""
        self.phase_label.setText(f"Run {progress.run_id}{who}: {progress.describe()}")
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
        """The trainer process ended: record how, if it could not (killed), and say so in the log too."""
        if not self.isVisible():
            self.poll_timer.stop()
        store = self.session.store
        if store is not None:
            try:
                self.run_id = self.run_id or runs.run_of_process(store, self.trainer.pid, self.trainer.started_at)
                if self.run_id is not None:
                    status = runs.record_ending(store, self.run_id, status, exit_code)
            except StepwiseError as exc:
                self.session.error.emit(str(exc))
        self.poll_store()
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 1)
        if self.overall.maximum() == 0:
            self.overall.setRange(0, 1)
        if status == "finished":  # both bars full: the last phases may end between two polls
            self.overall.setValue(self.overall.maximum())
            self.progress.setValue(self.progress.maximum())
        run = f"Run {self.run_id} " if self.run_id is not None else "Training "
        self.phase_label.setText(f"{run}{status} (exit code {exit_code}).")
        self.log.appendPlainText(f"— {run.strip()} {status} (trainer exit code {exit_code}).")
        if status in ("failed", "crashed"):
            tail = self.log.toPlainText().strip().splitlines()[-2:-1] or ["no output"]
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
        """Show the run's evaluation beside the model in use; switch (and save the choice) once confirmed."""
        run = self.selected_run()
        if run is None:
            self.session.error.emit("Select a finished run first.")
            return
        store = self.session.store
        try:
            model_path = runs.model_of_run(run)
            new = model_evals.evaluation_of_run(store, run.id)
            current = model_evals.evaluation_of_model(store, self.session.model_path)
        except StepwiseError as exc:
            self.session.error.emit(str(exc))
            return
        new_name = model_evals.run_title(run)
        question = model_evals.switch_question(new_name, new, self.session.model_name or "no model", current)
        if not self.confirm(f"Use {new_name}?", question):
            self.session.info.emit(f"Kept {self.session.model_name or 'the current model'}.")
            return
        self.session.info.emit(f"Loading the model of {new_name}…")
        self.session.load_model(str(model_path), self.session.settings.device, "", remember=True)

    def confirm(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(self, title, question, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def shutdown(self) -> None:
        self.poll_timer.stop()
        self.trainer.shutdown()
