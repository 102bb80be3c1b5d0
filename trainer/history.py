"""The one place the trainer talks to `tutor.store`: runs, phases, step metrics, checkpoints, candidates,
evaluations. Everything a run does is recorded here, so `trainer runs` and the app can show it live.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any


def open_store(path: Path | None = None):
    """The tutor's SQLite store (WAL), shared with the app."""
    from tutor.store import Store

    return Store(path)


class RunHistory:
    """A run's records in the store; implements the engine's StepLogger."""

    def __init__(self, store, run_id: int):
        self.store = store
        self.run_id = run_id

    @classmethod
    def create(cls, name: str, config: Mapping[str, Any], recipe: str | None, output_dir: Path, store=None) -> RunHistory:
        store = store or open_store()
        run_id = store.create_run(name, config, recipe=recipe, output_dir=str(output_dir))
        return cls(store, run_id)

    @classmethod
    def reopen(cls, run_id: int, store=None) -> RunHistory:
        """Continue logging under an existing run (a resume keeps one unbroken history)."""
        store = store or open_store()
        store.run(run_id)  # StoreError if there is no such run
        store.set_run_status(run_id, "running")
        return cls(store, run_id)

    # -- engine.StepLogger
    def log_step(self, phase: str, step: int, metrics: dict[str, float]) -> None:
        self.store.log_metrics(self.run_id, phase, step, metrics)

    def log_checkpoint(self, phase: str, step: int, path: Path) -> None:
        self.store.add_checkpoint(self.run_id, phase, step, str(path))

    # -- the rest of a run
    def start_phase(self, phase: str) -> None:
        self.store.start_phase(self.run_id, phase)

    def finish_phase(self, phase: str, status: str = "finished") -> None:
        self.store.finish_phase(self.run_id, phase, status)

    def finish_run(self, status: str, message: str | None = None) -> None:
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


def teacher_candidates(store) -> list:
    """The teacher's marks in the tutor's history as labelled candidates for the evaluator (phase 2)."""
    from trainer.candidates import Candidate

    return [Candidate(f"mark/{i}", 0, item.problem, item.solution, None, "", bool(item.correct))
            for i, item in enumerate(store.labelled_marks())]
