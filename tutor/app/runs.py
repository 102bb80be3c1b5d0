"""What the Retrain tab needs from the store and the trainer's command line, as plain functions (no Qt).

The tutor never imports `trainer`: recipes are found as files, the trainer is run as a process, and its
runs, metrics and evaluations are read from the shared store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tutor import paths
from tutor.errors import ConfigError, StepwiseError

PHASES = {"ssft": "SSFT (solutions)", "evaluator": "Evaluator (verifier)", "multitask": "Multi-task"}
DATA_SOURCES = {"synthetic": "Synthetic problems", "jsonl": "A JSONL file", "marks": "Teacher marks"}
# Headline numbers shown in the runs table, in this order, when an evaluation has them.
EVALUATION_KEYS = ("pass@1", "maj1", "rr_topk", "pass@n", "auroc", "ece")


def bundled_recipes() -> list[Path]:
    """The recipes shipped with the trainer (read as files: the tutor does not import the trainer)."""
    return sorted((paths.REPO_ROOT / "trainer" / "recipes").glob("*.toml"))


def trainer_arguments(phases: list[str], data_source: str, data_file: str, store: Any) -> list[str]:
    """Command-line options for `trainer run RECIPE` from the tab's choices."""
    if not phases:
        raise ConfigError("Choose at least one phase to train.")
    unknown = sorted(set(phases) - set(PHASES))
    if unknown:
        raise ConfigError(f"unknown phase(s) {', '.join(unknown)}; choose from {', '.join(PHASES)}")
    arguments = ["--phases", ",".join(phases)]
    if data_source == "jsonl":
        if not data_file or not Path(data_file).is_file():
            raise ConfigError(f"Choose an existing JSONL file of problems (got {data_file or 'nothing'}).")
        arguments += ["--train-file", data_file]
    elif data_source == "marks":
        if store is None:
            raise StepwiseError("Teacher marks live in the store, which could not be opened.")
        marks_file = paths.data_dir() / "teacher-marks.jsonl"
        if store.export_labelled_jsonl(marks_file) == 0:
            raise StepwiseError("There are no teacher marks yet: mark solutions in the Review tab first.")
        arguments += ["--marks-file", str(marks_file)]
    elif data_source != "synthetic":
        raise ConfigError(f"unknown data source {data_source!r}; choose from {', '.join(DATA_SOURCES)}")
    return arguments


def newest_running_run(store: Any) -> int | None:
    newest = store.runs(limit=1)
    return newest[0].id if newest and newest[0].status == "running" else None


def loss_series(store: Any, run_id: int) -> dict[str, list[tuple[int, float]]]:
    """phase -> [(step, loss)] of a run, for the live plot."""
    series: dict[str, list[tuple[int, float]]] = {}
    for metric in store.metrics(run_id, name="loss"):
        series.setdefault(metric.phase, []).append((metric.step, metric.value))
    return series


@dataclass(frozen=True)
class RunRow:
    """A training run as the runs table shows it."""

    id: int
    name: str
    status: str
    created_at: datetime
    output_dir: str | None
    evaluation: str
    message: str | None


def summarize_evaluation(metrics: dict[str, Any]) -> str:
    parts = []
    for key in EVALUATION_KEYS:
        value = metrics.get(key)
        if isinstance(value, int | float):
            parts.append(f"{key} {value:.3f}" if key in ("auroc", "ece") else f"{key} {value:.1%}")
    return ", ".join(parts) or ", ".join(f"{k} {v}" for k, v in list(metrics.items())[:4] if isinstance(v, int | float))


def run_rows(store: Any) -> list[RunRow]:
    rows = []
    for run in store.runs(limit=200):
        evaluations = store.evaluations(run_id=run.id)
        summary = summarize_evaluation(evaluations[0].metrics) if evaluations else ""
        rows.append(RunRow(run.id, run.name, run.status, run.created_at, run.output_dir, summary, run.message))
    return rows


def model_of_run(run: RunRow) -> Path:
    """The model a finished run produced: its output folder (an HF model folder, the GGUF inside it)."""
    if run.status != "finished":
        raise StepwiseError(f"Run {run.id} is {run.status}; only a finished run has a model to use.")
    if not run.output_dir:
        raise StepwiseError(f"Run {run.id} recorded no output folder.")
    folder = Path(run.output_dir)
    for candidate in (folder / "model", folder / "export", folder):
        if (candidate / "config.json").is_file():
            return candidate
    raise StepwiseError(f"Run {run.id}'s output folder {folder} holds no exported model (no config.json).")
