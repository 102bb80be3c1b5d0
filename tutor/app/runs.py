"""What the Retrain tab needs from the store and the trainer's command line, as plain functions (no Qt).

The tutor never imports `trainer`: recipes are found as files, the trainer is run as a process, and its
runs, metrics and evaluations are read from the shared store.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tutor import paths
from tutor.errors import ConfigError, StepwiseError

PHASES = {"ssft": "SSFT (solutions)", "evaluator": "Evaluator (verifier)", "multitask": "Multi-task"}
DATA_SOURCES = {"synthetic": "Synthetic problems", "jsonl": "A JSONL file", "marks": "Teacher marks"}
# Headline numbers shown in the runs table, in this order, when an evaluation report has them (the names of
# `trainer eval`'s report: accuracies as fractions, then the verifier's AUROC and calibration error).
ACCURACY_KEYS = ("Pass@1", "Maj1@N", "RR.Top-K", "Pass@N")
SCORE_KEYS = {"verifier_auroc": "AUROC", "verifier_ece": "ECE"}


def bundled_recipes() -> list[Path]:
    """The recipes shipped with the trainer (read as files: the tutor does not import the trainer)."""
    return sorted((paths.REPO_ROOT / "trainer" / "recipes").glob("*.toml"))


# The trainer's steps behind each phase the tab offers; evaluation and export always follow, so a finished
# run has numbers for the runs table and a model for "Use this model".
PHASE_STEPS = {"ssft": ["ssft"], "evaluator": ["candidates", "evaluator"], "multitask": ["multitask"]}
FINAL_STEPS = ["eval", "export"]


def prepare_recipe(recipe: str, phases: list[str], data_source: str, data_file: str, store: Any) -> Path:
    """Write the recipe the trainer will run: `recipe` with the tab's phases and data; returns its path.

    The derived file goes to the data folder (the bundled recipes stay untouched) and is what the run
    records, so a run can always be traced back to the choices made here.
    """
    if not phases:
        raise ConfigError("Choose at least one phase to train.")
    unknown = sorted(set(phases) - set(PHASES))
    if unknown:
        raise ConfigError(f"unknown phase(s) {', '.join(unknown)}; choose from {', '.join(PHASES)}")
    source = resolve_recipe(recipe)
    try:
        config = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"Cannot read the recipe {source}: {exc}") from exc
    config["phases"] = [step for phase in PHASES if phase in phases for step in PHASE_STEPS[phase]] + FINAL_STEPS
    if data_source == "jsonl":
        if not data_file or not Path(data_file).is_file():
            raise ConfigError(f"Choose an existing JSONL file of problems (got {data_file or 'nothing'}).")
        config.setdefault("data", {})["train_file"] = str(Path(data_file).resolve())
    elif data_source == "marks":
        if store is None:
            raise StepwiseError("Teacher marks live in the store, which could not be opened.")
        if not store.labelled_marks():
            raise StepwiseError("There are no teacher marks yet: mark solutions in the Review tab first.")
        if "evaluator" not in phases:
            raise ConfigError("Teacher marks train the evaluator: tick the Evaluator phase too.")
        config.setdefault("evaluator", {})["use_teacher_marks"] = True
    elif data_source != "synthetic":
        raise ConfigError(f"unknown data source {data_source!r}; choose from {', '.join(DATA_SOURCES)}")
    # A retrain from the app exports into its own run folder: never over the bundled model, which may be
    # read-only (an installed bundle) and is what "Use this model" falls back to.
    config.get("export", {}).pop("output_dir", None)
    folder = paths.data_dir() / "recipes"
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{source.stem}-{datetime.now():%Y%m%d-%H%M%S}.toml"
    out.write_text(f"# Written by the Stepwise app from {source}\n" + to_toml(config), encoding="utf-8")
    return out


def recipe_phases(recipe: Path) -> list[str]:
    """The steps a (derived) recipe runs, in order."""
    try:
        return list(tomllib.loads(Path(recipe).read_text(encoding="utf-8")).get("phases", []))
    except (OSError, tomllib.TOMLDecodeError):
        return []


def resolve_recipe(recipe: str) -> Path:
    """A recipe path, or the name of a bundled recipe ("quick" or "quick.toml")."""
    path = Path(recipe).expanduser()
    if path.is_file():
        return path
    bundled = paths.REPO_ROOT / "trainer" / "recipes" / (recipe if recipe.endswith(".toml") else f"{recipe}.toml")
    if bundled.is_file():
        return bundled
    raise ConfigError(f"No recipe {recipe!r}: give a .toml file or one of "
                      f"{', '.join(p.stem for p in bundled_recipes())}.")


def to_toml(config: dict[str, Any], prefix: str = "") -> str:
    """Serialize a recipe dict (scalars, lists and nested tables) back to TOML."""
    lines = [f"{key} = {_toml_value(value)}" for key, value in config.items() if not isinstance(value, dict)]
    for key, value in config.items():
        if isinstance(value, dict):
            lines.append(f"\n[{prefix}{key}]")
            lines.append(to_toml(value, f"{prefix}{key}.").rstrip("\n"))
    return "\n".join(line for line in lines if line) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    raise ConfigError(f"cannot write {type(value).__name__} values to a recipe")


def newest_running_run(store: Any) -> int | None:
    newest = store.runs(limit=1)
    return newest[0].id if newest and newest[0].status == "running" else None


def loss_series(store: Any, run_id: int) -> dict[str, list[tuple[int, float]]]:
    """phase -> [(step, loss)] of a run, for the live plot.

    Every phase counts its steps from 1, so each phase is shifted to start where the previous one (in the
    order the phases started) ended: the plot reads left to right as the run went.
    """
    by_phase: dict[str, list[tuple[int, float]]] = {}
    for metric in store.metrics(run_id, name="loss"):
        by_phase.setdefault(metric.phase, []).append((metric.step, metric.value))
    started = [phase.name for phase in store.phases(run_id)]
    order = [name for name in started if name in by_phase] + [name for name in by_phase if name not in started]
    series, offset = {}, 0
    for name in order:
        series[name] = [(offset + step, value) for step, value in by_phase[name]]
        offset = series[name][-1][0]
    return series


@dataclass(frozen=True)
class StoredProgress:
    """Where a running run is, read from the store alone (for runs started outside the app)."""

    run_id: int
    phase: str | None
    step: int
    total: int | None
    phases: list[str]
    """Every step the run's recipe runs, in order (from its stored config)."""


def stored_progress(store: Any, run_id: int) -> StoredProgress:
    """The run's current phase (the last one started and still running), its last logged step, and the
    phase's step count from the run's stored config when it has one."""
    config = store.run(run_id).config
    phases = [p for p in config.get("phases", []) if isinstance(p, str)]
    running = [phase.name for phase in store.phases(run_id) if phase.status == "running"]
    if not running:
        return StoredProgress(run_id, None, 0, None, phases)
    phase = running[-1]
    section = config.get(phase)
    total = section.get("steps") if isinstance(section, dict) else None
    return StoredProgress(run_id, phase, store.last_step(run_id, phase) or 0,
                          total if isinstance(total, int) else None, phases)


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


def summarize_evaluation(report: dict[str, Any]) -> str:
    """One line of an evaluation report: the headline accuracies, AUROC/ECE, and its size."""
    metrics = report.get("metrics", report)
    parts = [f"{key} {metrics[key]:.1%}" for key in ACCURACY_KEYS if isinstance(metrics.get(key), int | float)]
    parts += [f"{label} {metrics[key]:.3f}" for key, label in SCORE_KEYS.items()
              if isinstance(metrics.get(key), int | float)]
    size = f" ({report['problems']} problems, N={report.get('n', '?')})" if "problems" in report else ""
    return ", ".join(parts) + size


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
