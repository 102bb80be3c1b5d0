"""The library calls the app makes, as plain functions (no Qt): each runs inside a `Worker` or is quick.

Keeping every call into `tutor.models`, `tutor.solve`, `tutor.grading` and `tutor.store` in this one
module means the views only ever see plain results, and a change in a library signature is fixed here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor import paths
from tutor.errors import StepwiseError

Report = Callable[[Any], None]


@dataclass
class SolvedProblem:
    """A result as the app holds it: the SolveResult plus its row in the store (None when not stored)."""

    result: Any
    solve_id: int | None
    model_name: str


# -- models ------------------------------------------------------------------------------------------------
def load_models(path: str | None, device: str, verifier_path: str | None, *, threads: int = 0,
                report: Report, cancel: threading.Event) -> tuple[Any, Any]:
    """(generator, verifier): the verifier of `verifier_path` when given, else the generator model's own."""
    from tutor.models import load

    report(f"Loading {path or 'the bundled model'}…")
    generator, verifier = load(path, device=device, threads=threads)
    if verifier_path:
        report(f"Loading verifier {verifier_path}…")
        _, verifier = load(verifier_path, device=device)
    return generator, verifier


def is_bundled(model_path: Any) -> bool:
    """Whether a model was loaded from the bundled default model folder (or its GGUF file)."""
    if model_path is None:
        return False
    bundled = paths.bundled_model_dir().resolve()
    path = Path(model_path).resolve()
    return path == bundled or path.parent == bundled


# -- solving -----------------------------------------------------------------------------------------------
def describe_progress(event: Any) -> Any:
    """What the Solve tab shows while a solve runs: the solver's own `SolveEvent` (a bare stage name becomes one)."""
    from tutor.solve import SolveEvent

    return SolveEvent(stage=event) if isinstance(event, str) else event


def solve_problem(generator: Any, verifier: Any, settings: Any, problem: str, *, report: Report,
                  cancel: threading.Event) -> Any:
    """Run one solve under the settings' SolveConfig; the result carries `cancelled=True` when the user stopped it."""
    from tutor.solve import Solver

    solver = Solver(generator, verifier, settings.solve_config())
    return solver.solve(problem, on_event=lambda event: report(describe_progress(event)), cancel=cancel)


# -- the student's own answer ------------------------------------------------------------------------------
def check_answer(answer: str, result: Any, *, report: Report, cancel: threading.Event) -> Any:
    """The solve core's verdict on a student's answer (`tutor.solve.check`)."""
    from tutor.solve.check import check_answer as check

    return check(answer, result, cancelled=cancel.is_set)


# -- the store ---------------------------------------------------------------------------------------------
def open_store(path: Path | None = None) -> Any:
    from tutor.store import Store

    return Store(path)


def save_solve(store: Any, result: Any, model_name: str) -> int:
    return store.save_solve(result.problem, result, model=model_name or None)


def list_solves(store: Any, search: str = "") -> list[Any]:
    if store is None:
        raise StepwiseError("History is unavailable: the store could not be opened.")
    return store.solves(search=search, limit=500)


def load_solve(store: Any, solve_id: int) -> Any:
    from tutor.solve import SolveResult

    if store is None:
        raise StepwiseError("History is unavailable: the store could not be opened.")
    row = store.solve(solve_id)
    return SolvedProblem(SolveResult.from_dict(row.result), row.id, row.model or "")


def marks_of(store: Any, solve_id: int | None) -> dict[tuple[str, Any], bool]:
    """The latest verdict on each sample (("sample", index)) and cluster (("cluster", answer)) of a solve."""
    if store is None or solve_id is None:
        return {}
    verdicts: dict[tuple[str, Any], bool] = {}
    for mark in store.marks(solve_id):  # oldest first: a later mark overrides
        key = ("sample", mark.sample_index) if mark.sample_index is not None else ("cluster", mark.cluster_answer)
        verdicts[key] = mark.correct
    return verdicts


def save_mark(store: Any, solve_id: int, correct: bool, comment: str, sample_index: int | None,
              cluster_answer: str | None) -> None:
    store.add_mark(solve_id, correct=correct, comment=comment, sample_index=sample_index,
                   cluster_answer=cluster_answer)


def verdicts_of(store: Any, solve_id: int | None) -> dict[tuple[str, Any], Any]:
    """The latest mark (with its comment and time) on each sample (("sample", index)) and cluster
    (("cluster", answer)) of a solve."""
    if store is None or solve_id is None:
        return {}
    return {("sample", mark.sample_index) if mark.sample_index is not None else ("cluster", mark.cluster_answer): mark
            for mark in store.marks(solve_id)}  # oldest first: a later mark overrides


def marks_by_solve(store: Any, solve_ids: list[int]) -> dict[int, list[Any]]:
    """Every mark of each of these solves, oldest first (for exports)."""
    wanted, found = set(solve_ids), {}
    for mark in store.marks() if store is not None else []:
        if mark.solve_id in wanted:
            found.setdefault(mark.solve_id, []).append(mark)
    return found
