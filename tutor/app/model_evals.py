"""How good a model is, as far as Stepwise knows, and the question asked before switching to another one
(plain functions, no Qt).

A model's evaluation is found, in this order: the evaluation its training run stored (a run's exported
model lies in the run's folder), an evaluation stored for its path (`trainer eval MODEL`), or the table of
its model card (`README.md` beside it: the bundled model's card, or the card the trainer's export writes).
Names: a run's model is called after its run ("run 12 quick"), not after its folder ("export").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The headline numbers compared, with the words a teacher reads (report keys as `trainer eval` names them).
HEADLINES = (
    ("RR.Top-K", "answer the tutor shows (re-ranked)"),
    ("Maj1@N", "most common answer"),
    ("Pass@1", "a single greedy solution"),
)
_CARD_ROW = re.compile(r"^\|\s*(Pass@1|Maj1@\d+|RR\.Top-\d+|Pass@\d+)\s*\|\s*\**\s*([0-9.]+)\s*%", re.M)
_CARD_PROBLEMS = re.compile(r"([0-9][0-9,]*) held-out")


@dataclass(frozen=True)
class ModelEvaluation:
    """Accuracies (fractions) of a model and where they come from."""

    metrics: dict[str, float]
    source: str
    """E.g. "run 12's evaluation, 8 problems" or "its model card, 1000 problems"."""


def _inside(path: Path, folder: str | None) -> bool:
    if not folder:
        return False
    try:
        return Path(path).resolve().is_relative_to(Path(folder).resolve())
    except OSError:
        return False


def run_of_model(store: Any, path: str | Path | None) -> Any:
    """The training run whose folder holds the model at `path`, or None."""
    if store is None or path is None:
        return None
    return next((run for run in store.runs(limit=500) if _inside(Path(path), run.output_dir)), None)


def run_title(run: Any) -> str:
    return f"run {run.id} {run.name}"


def model_title(store: Any, path: str | Path | None) -> str | None:
    """"run 12 quick" for a model a training run produced; None for any other model."""
    run = run_of_model(store, path)
    return None if run is None else run_title(run)


def _from_report(report: dict[str, Any], source: str) -> ModelEvaluation:
    metrics = report.get("metrics", report)
    numbers = {key: float(metrics[key]) for key, _ in HEADLINES if isinstance(metrics.get(key), int | float)}
    size = f", {report['problems']} problems" if "problems" in report else ""
    return ModelEvaluation(numbers, source + size)


def evaluation_of_run(store: Any, run_id: int) -> ModelEvaluation | None:
    evaluations = store.evaluations(run_id=run_id) if store is not None else []
    return _from_report(evaluations[0].metrics, f"run {run_id}'s evaluation") if evaluations else None


def card_metrics(text: str) -> dict[str, float]:
    """The headline accuracies (fractions) of a model card's evaluation table; the first column counts."""
    found: dict[str, float] = {}
    for name, value in _CARD_ROW.findall(text):
        key = "Pass@1" if name == "Pass@1" else re.sub(r"@\d+$", "@N", re.sub(r"Top-\d+", "Top-K", name))
        found.setdefault(key, float(value) / 100)
    return found


def evaluation_of_model(store: Any, path: str | Path | None) -> ModelEvaluation | None:
    """What is known of the model at `path` (see the module docstring), or None."""
    if path is None:
        return None
    path = Path(path)
    run = run_of_model(store, path)
    if run is not None and (found := evaluation_of_run(store, run.id)) is not None:
        return found
    for evaluation in store.evaluations() if store is not None else []:
        if evaluation.model and Path(evaluation.model).resolve() == path.resolve():
            return _from_report(evaluation.metrics, f"its evaluation on {evaluation.split}")
    card = (path if path.is_dir() else path.parent) / "README.md"
    try:
        text = card.read_text(encoding="utf-8")
    except OSError:
        return None
    metrics = {key: value for key, value in card_metrics(text).items() if key in dict(HEADLINES)}
    problems = _CARD_PROBLEMS.search(text)
    size = f", {problems.group(1)} problems" if problems else ""
    return ModelEvaluation(metrics, "its model card" + size) if metrics else None


def switch_question(new_name: str, new: ModelEvaluation | None, current_name: str,
                    current: ModelEvaluation | None) -> str:
    """The text asking to confirm a switch of the tutor's model: both models' numbers side by side."""
    def cell(evaluation: ModelEvaluation | None, key: str) -> str:
        value = None if evaluation is None else evaluation.metrics.get(key)
        return "—" if value is None else f"{value:.1%}"

    rows = "".join(f"<tr><td>{words}</td><td align='right'>{cell(new, key)}</td>"
                   f"<td align='right'>{cell(current, key)}</td></tr>" for key, words in HEADLINES)
    lines = [f"<p>Switch the tutor's model to <b>{new_name}</b>?</p>",
             f"<table cellspacing='6'><tr><th>right answers</th><th>{new_name} (new)</th>"
             f"<th>{current_name} (in use)</th></tr>{rows}</table>"]
    sources = [f"{name}: {evaluation.source}" for name, evaluation in ((new_name, new), (current_name, current))
               if evaluation is not None]
    if sources:
        lines.append("<p>Measured on: " + "; ".join(sources) + ". Different test problems compare only roughly.</p>")
    if new is None or not new.metrics:
        lines.append(f"<p><b>{new_name} has no evaluation</b>: nothing tells how often its answers are right.</p>")
    else:
        shown_new, shown_now = new.metrics.get("RR.Top-K"), None if current is None else current.metrics.get("RR.Top-K")
        if shown_new is not None and shown_now is not None and shown_new < shown_now:
            lines.append(f"<p><b>Its answers were right less often than those of {current_name}.</b></p>")
        elif shown_new == 0:
            lines.append("<p><b>None of its answers were right in its evaluation.</b></p>")
    return "".join(lines)
