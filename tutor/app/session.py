"""The app's state and the only place it calls the library: model, settings, store, current result.

Views call `Session` methods and listen to its signals; the session starts `Worker`s for anything slow
(loading a model, solving, grading a student's answer) so the GUI thread never waits. Every user-facing
error is emitted on `error` (the window shows it in the status bar) besides the specific `*_failed` signal.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

from tutor.app import jobs, model_evals
from tutor.app.jobs import SolvedProblem
from tutor.app.settings import AppSettings, save_settings
from tutor.app.workers import Worker, WorkerPool
from tutor.errors import StepwiseError

log = logging.getLogger(__name__)


@dataclass
class LoadedModels:
    """A loaded generator/verifier pair and the request it answers."""

    generator: Any
    verifier: Any
    path: str
    """The generator model's path as asked for ("" = the bundled model)."""
    verifier_path: str
    remember: bool
    refused: str | None = None
    """Why the asked-for model was refused, when the bundled one was loaded in its place."""


def load_models(path: str, device: str, verifier_path: str, *, remember: bool, fallback: bool, threads: int,
                report: Any, cancel: Any) -> LoadedModels:
    """`jobs.load_models` for a request; with `fallback`, a model that fails gives way to the bundled one."""
    try:
        generator, verifier = jobs.load_models(path or None, device, verifier_path or None, threads=threads,
                                               report=report, cancel=cancel)
    except StepwiseError as exc:
        if not fallback or not (path or verifier_path):
            raise
        log.warning("saved model %s failed to load (%s); falling back to the bundled model", path, exc)
        generator, verifier = jobs.load_models(None, device, None, threads=threads, report=report, cancel=cancel)
        refused = (f"The model {path or verifier_path} could not be loaded ({exc}); the tutor uses the bundled "
                   "model instead. Choose another model in Settings.")
        return LoadedModels(generator, verifier, "", "", False, refused)
    return LoadedModels(generator, verifier, path, verifier_path, remember)


class Session(QObject):
    model_loading = Signal(str)  # a model started loading (its path; "" = the bundled one)
    model_changed = Signal(str)  # the loaded model's name ("" = none)
    model_failed = Signal(str)
    solve_started = Signal(str)
    solve_progress = Signal(object)  # a solve event (see jobs.describe_progress)
    solve_finished = Signal(object)  # SolvedProblem
    solve_failed = Signal(str)
    answer_checked = Signal(object)  # tutor.solve.check.AnswerCheck
    history_changed = Signal()
    error = Signal(str)
    info = Signal(str)

    def __init__(self, settings: AppSettings, store: Any = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.store = store
        self.generator: Any = None
        self.verifier: Any = None
        self._run_title: str | None = None  # "run 12 quick" when the model came out of a training run
        self._loads = 0  # model loads in flight
        self.current: SolvedProblem | None = None
        self.pool = WorkerPool(self)
        self._solve_worker: Worker | None = None
        self.solve_failed.connect(self.error)
        self.model_failed.connect(self.error)

    # -- model ---------------------------------------------------------------------------------------
    @property
    def model_name(self) -> str:
        """The loaded model's name as shown and stored ("" = none); the bundled model says so."""
        if self.generator is None:
            return ""
        if self._run_title:
            return self._run_title
        name = getattr(self.generator, "name", "") or "model"
        return f"default ({name})" if jobs.is_bundled(getattr(self.generator, "path", None)) else name

    @property
    def loading_model(self) -> bool:
        """Whether a model is being loaded right now."""
        return self._loads > 0

    @property
    def model_path(self) -> Any:
        """Where the model in use was loaded from (None when none is)."""
        return getattr(self.generator, "path", None)

    def set_model(self, generator: Any, verifier: Any) -> None:
        """Use an already loaded generator/verifier pair (tests pass scripted fakes here)."""
        self.generator, self.verifier = generator, verifier
        try:
            self._run_title = model_evals.model_title(self.store, getattr(generator, "path", None))
        except StepwiseError:  # a busy store: the model keeps its own name
            self._run_title = None
        self.model_changed.emit(self.model_name)

    def load_model(self, path: str, device: str | None = None, verifier_path: str = "", *,
                   remember: bool = False, fallback: bool = False) -> Worker:
        """Load (and so validate) a model off the GUI thread; on success it becomes the tutor's model.

        With `remember` its paths become the saved settings once it has loaded (a model that failed to load
        is never saved); with `fallback` (the saved model at launch) a model that fails gives way to the
        bundled one, and the status bar says so.
        """
        worker = Worker(load_models, path or "", device or self.settings.device, verifier_path or "",
                        remember=remember, fallback=fallback, threads=self.settings.threads)
        worker.progress.connect(self._on_load_progress)
        worker.finished.connect(self._on_model_loaded)
        worker.failed.connect(self._on_model_failed)
        self._loads += 1
        self.model_loading.emit(path or "")
        return self.pool.start(worker)

    def _on_model_failed(self, message: str) -> None:
        self._loads = max(0, self._loads - 1)
        self.model_failed.emit(message)

    def _on_load_progress(self, message: object) -> None:
        self.info.emit(str(message))  # "Loading …" in the status bar

    def _on_model_loaded(self, loaded: LoadedModels) -> None:
        self._loads = max(0, self._loads - 1)
        self.settings.model_path, self.settings.verifier_path = loaded.path, loaded.verifier_path
        if loaded.remember:
            save_settings(self.settings)
        self.set_model(loaded.generator, loaded.verifier)
        self.info.emit(f"Model ready: {self.model_name}")
        if loaded.refused:
            self.error.emit(loaded.refused)

    def apply_settings(self, settings: AppSettings) -> None:
        problems = settings.validate()
        if problems:
            raise StepwiseError("; ".join(problems))
        self.settings = settings
        save_settings(settings)

    # -- solving -------------------------------------------------------------------------------------
    @property
    def solving(self) -> bool:
        return self._solve_worker is not None

    def solve(self, problem: str) -> Worker | None:
        problem = problem.strip()
        if not problem:
            self.solve_failed.emit("Type a problem first.")
            return None
        if self.generator is None:
            self.solve_failed.emit("No model is loaded yet: pick one in Settings (or wait for it to load).")
            return None
        if self.solving:
            return self._solve_worker
        worker = Worker(jobs.solve_problem, self.generator, self.verifier, self.settings, problem)
        worker.progress.connect(self.solve_progress)
        worker.finished.connect(self._on_solved)
        worker.failed.connect(self.solve_failed)
        worker.done.connect(self._on_solve_done)
        self._solve_worker = worker
        self.solve_started.emit(problem)
        return self.pool.start(worker)

    def cancel_solve(self) -> None:
        if self._solve_worker is not None:
            self._solve_worker.cancel()

    def _on_solve_done(self) -> None:
        self._solve_worker = None

    def _on_solved(self, result: Any) -> None:
        solve_id = None
        if self.store is not None and not getattr(result, "cancelled", False):
            try:
                solve_id = jobs.save_solve(self.store, result, self.model_name)
            except StepwiseError as exc:
                self.error.emit(f"The result is shown but could not be saved to history: {exc}")
        self.show_result(SolvedProblem(result, solve_id, self.model_name))
        if solve_id is not None:
            self.history_changed.emit()

    def show_result(self, solved: SolvedProblem) -> None:
        """Make `solved` the current result (a fresh solve, or one re-opened from history)."""
        self.current = solved
        self.solve_finished.emit(solved)

    def open_from_history(self, solve_id: int) -> None:
        try:
            self.show_result(jobs.load_solve(self.store, solve_id))
        except StepwiseError as exc:
            self.error.emit(str(exc))

    # -- checking a student's answer -----------------------------------------------------------------
    def check_answer(self, answer: str) -> Worker | None:
        if self.current is None:
            self.error.emit("Solve a problem first; then I can check your answer against my samples.")
            return None
        worker = Worker(jobs.check_answer, answer, self.current.result)
        worker.finished.connect(self.answer_checked)
        worker.failed.connect(self.error)
        return self.pool.start(worker)

    # -- teacher marks -------------------------------------------------------------------------------
    def mark(self, correct: bool, comment: str, sample_index: int | None = None,
             cluster_answer: str | None = None) -> bool:
        """Store a teacher's verdict on one sample or a whole cluster of the current result."""
        if self.current is None or self.current.solve_id is None or self.store is None:
            self.error.emit("Only a result saved in history can be marked.")
            return False
        try:
            jobs.save_mark(self.store, self.current.solve_id, correct, comment, sample_index, cluster_answer)
        except StepwiseError as exc:
            self.error.emit(str(exc))
            return False
        what = f"solution #{sample_index + 1}" if sample_index is not None else f"cluster {cluster_answer}"
        self.info.emit(f"Marked {what} {'correct' if correct else 'incorrect'}.")
        return True

    def marks(self) -> dict:
        """Verdicts already given on the current result (see jobs.marks_of); empty when none or not stored."""
        try:
            return jobs.marks_of(self.store, self.current.solve_id if self.current else None)
        except StepwiseError as exc:
            self.error.emit(str(exc))
            return {}

    def verdicts(self) -> dict:
        """The latest mark, with its comment, on each sample and cluster of the current result (see
        jobs.verdicts_of); empty when none or not stored."""
        try:
            return jobs.verdicts_of(self.store, self.current.solve_id if self.current else None)
        except StepwiseError as exc:
            self.error.emit(str(exc))
            return {}

    def shutdown(self) -> None:
        self.pool.shutdown()
