"""The one place the trainer talks to `tutor.store`: runs, phases, step metrics, checkpoints, candidates,
evaluations. Everything a run does is recorded here, so `trainer runs` and the app can show it live.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tutor.errors import StepwiseError, TrainingError

log = logging.getLogger(__name__)

PROGRESS_EVERY_S = 1.0
"""Progress is written to the store at most this often (and always at a phase's last step)."""


def open_store(path: Path | None = None):
    """The tutor's SQLite store (WAL), shared with the app."""
    from tutor.store import Store

    return Store(path)


class RunHistory:
    """A run's records in the store; implements the engine's StepLogger.

    The store is the trainer's contract with the app: this process claims the run (pid, host), plans its
    phases, reports each phase's progress and beats a heartbeat from a background thread until
    `finish_run`, so the app tells a live run from one whose process is gone without reading our output.
    """

    def __init__(self, store, run_id: int):
        self.store = store
        self.run_id = run_id
        self._progress_written: dict[str, float] = {}
        self._stop_heartbeat = threading.Event()
        self._heartbeat: threading.Thread | None = None

    @classmethod
    def create(cls, name: str, config: Mapping[str, Any], recipe: str | None, output_dir: Path, store=None) -> RunHistory:
        store = store or open_store()
        run_id = store.create_run(name, config, recipe=recipe, output_dir=str(output_dir))
        return cls(store, run_id)._claim()

    @classmethod
    def reopen(cls, run_id: int, store=None) -> RunHistory:
        """Continue logging under an existing run (a resume keeps one unbroken history): a cancelled, failed
        or crashed run, or one whose process is gone; a run another live process still runs is refused."""
        store = store or open_store()
        store.close_vanished_runs()
        run = store.run(run_id)  # StoreError if there is no such run
        if run.status == "running":
            where = f"process {run.pid} on {run.host}" if run.pid is not None else "another process"
            raise TrainingError(f"run {run_id} is still running ({where}); stop it before resuming it")
        return cls(store, run_id)._claim()

    def _claim(self) -> RunHistory:
        self.store.claim_run(self.run_id)
        self._heartbeat = threading.Thread(target=self._beat, name=f"run-{self.run_id}-heartbeat", daemon=True)
        self._heartbeat.start()
        return self

    def _beat(self) -> None:
        from tutor.store.liveness import HEARTBEAT_S

        while not self._stop_heartbeat.wait(HEARTBEAT_S):
            try:
                self.store.heartbeat(self.run_id)
            except StepwiseError as exc:  # a busy store: the next beat will do
                log.debug("heartbeat of run %d not written: %s", self.run_id, exc)

    def plan(self, phases: Sequence[str]) -> None:
        """The steps this process will run, in order (the app's progress reads them from the store)."""
        self.store.plan_run(self.run_id, list(phases))

    # -- engine.StepLogger
    def log_step(self, phase: str, step: int, metrics: dict[str, float]) -> None:
        self.store.log_metrics(self.run_id, phase, step, metrics)

    def log_checkpoint(self, phase: str, step: int, path: Path) -> None:
        self.store.add_checkpoint(self.run_id, phase, step, str(path))
        # The progress a crash leaves behind is never behind the last checkpoint, however fast the steps ran.
        self.store.set_phase_progress(self.run_id, phase, step)
        self._progress_written[phase] = time.monotonic()

    def log_progress(self, phase: str, step: int, total: int | None = None) -> None:
        """`phase` is at `step` of `total`; written at most every PROGRESS_EVERY_S, and always at a checkpoint
        and at the end."""
        now = time.monotonic()
        if step != total and now - self._progress_written.get(phase, 0.0) < PROGRESS_EVERY_S:
            return
        self._progress_written[phase] = now
        self.store.set_phase_progress(self.run_id, phase, step, total)

    # -- the rest of a run
    def start_phase(self, phase: str, total: int | None = None) -> None:
        self.store.start_phase(self.run_id, phase, total)

    def finish_phase(self, phase: str, status: str = "finished") -> None:
        self.store.finish_phase(self.run_id, phase, status)

    def finish_run(self, status: str, message: str | None = None) -> None:
        """Record how the run ended (and so how its unfinished phases did) and stop the heartbeat."""
        self._stop_heartbeat.set()
        for phase in self.store.phases(self.run_id):
            if phase.status == "running" and status != "running":
                self.store.finish_phase(self.run_id, phase.name, status)
        self.store.set_run_status(self.run_id, status, message)

    def add_candidates(self, phase: str, candidates: Iterable) -> int:
        return self.store.add_candidates(self.run_id, phase, [c.to_dict() for c in candidates])

    def candidates(self, phase: str) -> list:
        return self.store.candidates(self.run_id, phase)

    def add_evaluation(self, split: str, metrics: Mapping[str, Any], model: str | None = None) -> int:
        return self.store.add_evaluation(split, metrics, run_id=self.run_id, model=model)

    def phase_status(self, phase: str) -> str | None:
        for row in self.store.phases(self.run_id):
            if row.name == phase:
                return row.status
        return None


class NullHistory:
    """Records nothing (unit tests of a single phase; `--no-store`)."""

    def log_step(self, phase: str, step: int, metrics: dict[str, float]) -> None:
        pass

    def log_checkpoint(self, phase: str, step: int, path: Path) -> None:
        pass

    def log_progress(self, phase: str, step: int, total: int | None = None) -> None:
        pass


def teacher_candidates(store) -> list:
    """The teacher's marks in the tutor's history as labelled candidates for the evaluator (phase 2)."""
    from trainer.candidates import Candidate

    return [Candidate(f"mark/{i}", 0, item.problem, item.solution, None, "", bool(item.correct))
            for i, item in enumerate(store.labelled_marks())]
