"""What the Retrain tab needs from the store and the trainer's command line, as plain functions (no Qt).

The tutor never imports `trainer`: recipes are found as files (and written back with tomli-w), the trainer
is run as a process, and the store is the contract with it: a run's planned phases, each phase's progress,
its metrics, evaluations and how it ended are read from the shared store, never from the trainer's output.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import tomli_w

from tutor import paths
from tutor.errors import ConfigError, StepwiseError

# The training phases the tab offers (the paper's three), by their recipe names.
PHASES = {"ssft": "SSFT (solutions)", "evaluator": "Evaluator (verifier)", "multitask": "Multi-task"}
DATA_SOURCES = {"synthetic": "Synthetic problems", "jsonl": "A JSONL file", "marks": "Teacher marks"}
# Headline numbers shown in the runs table, in this order, when an evaluation report has them (the names of
# `trainer eval`'s report: accuracies as fractions, then the verifier's AUROC and calibration error).
ACCURACY_KEYS = ("Pass@1", "Maj1@N", "RR.Top-K", "Pass@N")
SCORE_KEYS = {"verifier_auroc": "AUROC", "verifier_ece": "ECE"}


def bundled_recipes() -> list[Path]:
    """The recipes shipped with the trainer (read as files: the tutor does not import the trainer)."""
    return sorted((paths.REPO_ROOT / "trainer" / "recipes").glob("*.toml"))


# What the tab's choice means in a recipe's `phases` list (the recipe format's step names: the evaluator
# trains on sampled candidates; evaluation and export always follow, so a finished run has numbers for the
# runs table and a model for "Use this model"). The progress shown is what the trainer plans, in the store.
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
    out.write_text(f"# Written by the Stepwise app from {source}\n" + tomli_w.dumps(config), encoding="utf-8")
    return out


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


def newest_running_run(store: Any) -> int | None:
    """The newest run that is running (a run whose trainer process is gone is closed first: not running)."""
    store.close_vanished_runs()
    newest = store.runs(limit=1)
    return newest[0].id if newest and newest[0].status == "running" else None


def run_of_process(store: Any, pid: int | None, since: datetime | None = None) -> int | None:
    """The run the trainer process `pid` (started by the app at `since`) claimed in the store, once it has
    (an older run of a process that had the same pid is not it)."""
    if pid is None:
        return None
    return next((run.id for run in store.runs(limit=20)
                 if run.pid == pid and (since is None or run.created_at >= since)), None)


def record_ending(store: Any, run_id: int, status: str, exit_code: int) -> str:
    """After the app's trainer process ended: a run it left "running" (it was killed before it could say how
    it ended) is recorded "cancelled" (the user pressed Cancel) or "crashed"; returns how the run ended."""
    run = store.run(run_id)
    if run.status != "running":
        return run.status
    resume = f"Resume with: trainer run --resume {run_id}"
    if status == "cancelled":
        store.set_run_status(run_id, "cancelled", f"Cancelled from the app (the trainer was stopped before it "
                                                  f"recorded it). {resume}")
        ending = "cancelled"
    else:
        store.set_run_status(run_id, "crashed", f"The trainer process ended (exit code {exit_code}) without "
                                                f"recording how the run ended. {resume}")
        ending = "crashed"
    for phase in store.phases(run_id):
        if phase.status == "running":
            store.finish_phase(run_id, phase.name, ending)
    return ending


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
    """Where a run is, read from the store alone: what the trainer planned and reported."""

    run_id: int
    status: str
    phase: str | None
    """The phase running now (the last one started and still running), None between phases."""
    step: int
    total: int | None
    phases: list[str]
    """Every step the run goes through, in order, as the trainer planned it."""
    message: str | None = None

    @property
    def phase_number(self) -> int:
        """1-based position of the current phase in the plan (0 when none runs or it is not planned)."""
        return self.phases.index(self.phase) + 1 if self.phase in self.phases else 0

    def describe(self) -> str:
        """"phase ssft, step 16/1600", "between phases", or how the run ended."""
        if self.status != "running":
            return f"{self.status}" + (f": {self.message}" if self.message else "")
        if self.phase is None:
            return "between phases"
        total = f"/{self.total}" if self.total else ""
        return f"phase {self.phase}, step {self.step}{total}"


def stored_progress(store: Any, run_id: int) -> StoredProgress:
    """The run's status, its planned phases, its current phase and that phase's step of its total, as the
    trainer recorded them (a run recorded before plans were stored falls back to its config's phases and
    its last logged metric step)."""
    run = store.run(run_id)
    planned = run.planned_phases if run.planned_phases is not None else run.config.get("phases", [])
    phases = [p for p in planned if isinstance(p, str)]
    running = [phase for phase in store.phases(run_id) if phase.status == "running"]
    if run.status != "running" or not running:
        return StoredProgress(run_id, run.status, None, 0, None, phases, run.message)
    phase = running[-1]
    step = phase.step if phase.step is not None else store.last_step(run_id, phase.name) or 0
    return StoredProgress(run_id, run.status, phase.name, step, phase.total, phases, run.message)


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
    """The runs, newest first; a run left "running" by a trainer process that is gone is closed as crashed."""
    store.close_vanished_runs()
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
