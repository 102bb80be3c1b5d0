"""`trainer run RECIPE.toml`: the whole method of METHOD.md in one resumable command.

    synthetic data → tokenizer → model (scratch / HF folder / GGUF) → phase 1 SSFT → candidates
    → phase 2 evaluator → phase 3 final generator stage (multi-task) → eval → export (+ model card)

Every step writes its output under the run folder (`paths.runs_dir()/<id>-<name>/`) and is skipped when
that output already exists, so `trainer run --resume ID` continues a killed run where it stopped (inside a
phase, from the phase's newest checkpoint). Everything is recorded in the store under one run id.
"""

from __future__ import annotations

import json
import logging
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import torch

from trainer import export, modeling
from trainer.candidates import Candidate, CandidatesConfig, sample_candidates
from trainer.config import DataConfig, ExportConfig, ModelConfig, from_dict, load_toml, to_dict
from trainer.engine import PhaseResult, StopRequested
from trainer.eval import EvalConfig, evaluate, format_table
from trainer.evaluator import EvaluatorConfig, run_evaluator
from trainer.history import RunHistory
from trainer.inference import load_for_inference
from trainer.multitask import MultitaskConfig, run_multitask
from trainer.ssft import SSFTConfig, run_ssft
from tutor import paths
from tutor.errors import ConfigError, TrainingError

log = logging.getLogger(__name__)

PHASES = ("ssft", "candidates", "evaluator", "multitask", "eval", "export")


@dataclass
class RecipeConfig:
    """A whole training recipe (one TOML file)."""

    name: str = "stepwise"
    """Run name (the run folder is <id>-<name>)."""
    seed: int = 0
    """Seed of model init, data order and sampling."""
    phases: list[str] = field(default_factory=lambda: list(PHASES))
    """Which steps to run, in PHASES order (e.g. drop "multitask" for an SSFT + evaluator model)."""
    threads: int = 0
    """CPU threads for torch (0 = torch's default). On a CPU shared with other busy processes 1 is several
    times faster than 2: oversubscribed OpenMP threads spin waiting for each other."""
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    ssft: SSFTConfig = field(default_factory=SSFTConfig)
    candidates: CandidatesConfig = field(default_factory=CandidatesConfig)
    evaluator: EvaluatorConfig = field(default_factory=EvaluatorConfig)
    multitask: MultitaskConfig = field(default_factory=MultitaskConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    export: ExportConfig = field(default_factory=ExportConfig)


def load_recipe(path: str | Path) -> RecipeConfig:
    recipe = load_toml(RecipeConfig, path)
    unknown = [p for p in recipe.phases if p not in PHASES]
    if unknown:
        raise ConfigError(f"unknown phase(s) {unknown} in 'phases'; known: {', '.join(PHASES)}")
    return recipe


@dataclass
class RunContext:
    """A run in progress: its recipe, folder, history, tokenizer and current model."""

    recipe: RecipeConfig
    run_dir: Path
    history: RunHistory
    tokenizer: object = None
    train: list = field(default_factory=list)
    held_out: list = field(default_factory=list)
    """Training problems kept out of phase 1 for phase 2's candidates (DataConfig.candidate_problems)."""
    test: list = field(default_factory=list)
    results: dict[str, dict] = field(default_factory=dict)

    def final_dir(self, phase: str) -> Path:
        return self.run_dir / phase / "final"

    def candidate_problems(self) -> list:
        """The problems phase 2 samples candidates for: the held-out ones, phase 1's own, or both."""
        if self.recipe.candidates.with_phase1_problems:
            return self.held_out + self.train
        return self.held_out or self.train

    def references(self) -> dict[str, str]:
        """Problem text -> reference solution of every training problem, held-out ones included."""
        return {p.problem: p.solution for p in self.train + self.held_out}


# ---------------------------------------------------------------- data and model


def prepare_data(ctx: RunContext) -> None:
    """Training/test problems (synthetic unless files are given) and the tokenizer, once per run."""
    from trainer.data import load_problems

    data: DataConfig = ctx.recipe.data
    data_dir = ctx.run_dir / "data"
    if not (data_dir / "train.jsonl").exists():
        from trainer.data.synth.generate import SynthConfig, write_splits

        total = data.train_problems + data.candidate_problems + data.test_problems
        tmp = ctx.run_dir / "data.tmp"
        wordings = {"wordings": data.wordings} if data.wordings else {}
        write_splits(SynthConfig(n=total, seed=data.seed, validation_fraction=0.0,
                                 test_fraction=data.test_problems / total, progress=True, **wordings), tmp)
        shutil.rmtree(data_dir, ignore_errors=True)
        tmp.rename(data_dir)
    train = load_problems(data.train_file or data_dir / "train.jsonl")
    if data.gsm8k_problems > 0 or data.math_problems > 0:  # real problems shuffled in (trainer.data.real)
        from trainer.data.real import mix_real

        train = mix_real(train, data, data_dir)
    if data.candidate_problems and data.candidate_problems >= len(train):
        raise ConfigError(f"data.candidate_problems ({data.candidate_problems}) must leave phase 1 some of the "
                          f"{len(train)} training problems")
    split = len(train) - data.candidate_problems
    ctx.train, ctx.held_out = train[:split], train[split:]
    ctx.test = load_problems(data.test_file or data_dir / "test.jsonl")
    if ctx.recipe.model.source == "scratch":
        tokenizer_dir = ctx.run_dir / "tokenizer"
        if not (tokenizer_dir / "tokenizer.json").exists():
            from trainer.data.tokenizer import corpus_texts, train_tokenizer

            train_tokenizer(corpus_texts(ctx.train), ctx.run_dir / "tokenizer.tmp", vocab_size=data.vocab_size)
            (ctx.run_dir / "tokenizer.tmp").rename(tokenizer_dir)
        ctx.tokenizer = modeling.load_tokenizer(tokenizer_dir)


def initial_model(ctx: RunContext) -> torch.nn.Module:
    """The model phase 1 starts from (seeded, so a re-run before the first checkpoint is identical)."""
    torch.manual_seed(ctx.recipe.seed)
    config = ctx.recipe.model
    if config.source == "scratch":
        return modeling.scratch_model(config, ctx.tokenizer)
    model, ctx.tokenizer = modeling.pretrained_model(config.source)
    return model


def _train_step(ctx: RunContext, phase: str, start: torch.nn.Module | Path, train) -> None:
    """Run one training phase unless its final model exists; saves it to <phase>/final."""
    final = ctx.final_dir(phase)
    if final.exists():
        log.info("%s: already done (%s)", phase, final)
        return
    model = start if isinstance(start, torch.nn.Module) else modeling.load_saved(start)
    model = modeling.with_lora(model, ctx.recipe.model)
    ctx.history.start_phase(phase)
    try:
        result: PhaseResult = train(model)
    except StopRequested:
        ctx.history.finish_phase(phase, "cancelled")
        raise
    tmp = final.with_name("final.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    modeling.save_model(model, ctx.tokenizer, tmp)
    tmp.rename(final)
    ctx.results[phase] = {"first_loss": result.first_loss, "last_loss": result.last_loss,
                          "tokens_per_second": result.tokens_per_second, "seconds": result.seconds}
    (ctx.run_dir / phase / "result.json").write_text(json.dumps(ctx.results[phase], indent=1))
    ctx.history.finish_phase(phase)
    log.info("%s: loss %.4f -> %.4f", phase, result.first_loss, result.last_loss)


# ---------------------------------------------------------------- phases


def phase_ssft(ctx: RunContext) -> None:
    start = initial_model(ctx) if not ctx.final_dir("ssft").exists() else None
    _train_step(ctx, "ssft", start, lambda m: run_ssft(m, ctx.tokenizer, ctx.train, ctx.recipe.ssft,
                                                         ctx.run_dir / "ssft", ctx.history, seed=ctx.recipe.seed))


def _candidates_file(ctx: RunContext) -> Path:
    return ctx.run_dir / "candidates" / "candidates.jsonl"


def load_candidates(path: Path) -> list[Candidate]:
    if not path.exists():
        return []
    return [Candidate(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def phase_candidates(ctx: RunContext) -> None:
    """Sample and label candidates from the SSFT model; appends per batch, so a resume loses nothing."""
    done_marker = ctx.run_dir / "candidates" / "done"
    if done_marker.exists():
        return
    path = _candidates_file(ctx)
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = load_candidates(path)
    problems = ctx.candidate_problems()
    ctx.history.start_phase("candidates", total=len(problems))
    generator, _ = load_for_inference(ctx.final_dir("ssft"), ctx.recipe.candidates.backend, "q8_0", ctx.recipe.threads)
    # a problem counts as done only when all its n samples were written
    per_problem: dict[str, int] = {}
    for c in existing:
        per_problem[c.problem_id] = per_problem.get(c.problem_id, 0) + 1
    done = {pid for pid, count in per_problem.items() if count >= ctx.recipe.candidates.n}
    kept = [c for c in existing if c.problem_id in done]
    path.write_text("".join(json.dumps(c.to_dict()) + "\n" for c in kept), encoding="utf-8")

    def store_batch(batch: list[Candidate]) -> None:
        with path.open("a", encoding="utf-8") as handle:
            handle.write("".join(json.dumps(c.to_dict()) + "\n" for c in batch))
        ctx.history.add_candidates("candidates", batch)
        done.update(c.problem_id for c in batch)
        ctx.history.log_progress("candidates", len(done), len(problems))

    ctx.history.log_progress("candidates", len(done), len(problems))
    sample_candidates(generator, problems, ctx.recipe.candidates, seed=ctx.recipe.seed,
                      on_batch=store_batch, done_ids=set(done))
    done_marker.touch()
    labelled = load_candidates(path)
    accuracy = sum(c.correct for c in labelled) / max(1, len(labelled))
    ctx.results["candidates"] = {"count": len(labelled), "correct_fraction": accuracy}
    ctx.history.log_step("candidates", 1, {"count": len(labelled), "correct_fraction": accuracy})
    ctx.history.finish_phase("candidates")


def _with_teacher_marks(ctx: RunContext, candidates: list[Candidate]) -> list[Candidate]:
    if not ctx.recipe.evaluator.use_teacher_marks:
        return candidates
    from trainer.history import teacher_candidates

    return candidates + teacher_candidates(ctx.history.store)


def phase_evaluator(ctx: RunContext) -> None:
    candidates = _with_teacher_marks(ctx, load_candidates(_candidates_file(ctx)))
    _train_step(ctx, "evaluator", ctx.final_dir("ssft"),
                lambda m: run_evaluator(m, ctx.tokenizer, candidates, ctx.recipe.evaluator,
                                        ctx.run_dir / "evaluator", ctx.history, seed=ctx.recipe.seed,
                                        references=ctx.references()))


def phase_multitask(ctx: RunContext) -> None:
    candidates = load_candidates(_candidates_file(ctx))
    _train_step(ctx, "multitask", ctx.final_dir("evaluator"),
                lambda m: run_multitask(m, ctx.tokenizer, ctx.train, candidates, ctx.recipe.multitask,
                                        ctx.run_dir / "multitask", ctx.history, seed=ctx.recipe.seed,
                                        evaluator_config=ctx.recipe.evaluator, references=ctx.references()))


def final_model_dir(ctx: RunContext) -> Path:
    """The last trained phase's model: the one that is evaluated and exported."""
    for phase in ("multitask", "evaluator", "ssft"):
        if ctx.final_dir(phase).exists():
            return ctx.final_dir(phase)
    raise TrainingError(f"run {ctx.run_dir} has no trained model yet")


def verifier_dir(ctx: RunContext) -> Path | None:
    """The model that scores samples when it is not the final model itself (`eval.verifier`)."""
    if ctx.recipe.eval.verifier == "final" or final_model_dir(ctx) == ctx.final_dir("evaluator"):
        return None
    if not ctx.final_dir("evaluator").exists():
        raise TrainingError(f"eval.verifier = 'evaluator' but run {ctx.run_dir} has no evaluator model")
    return ctx.final_dir("evaluator")


def phase_eval(ctx: RunContext) -> None:
    """Full evaluation of the final model; Pass@1 of the SSFT model too, for the multi-task comparison."""
    out = ctx.run_dir / "eval" / "report.json"
    if out.exists():
        return
    config: EvalConfig = ctx.recipe.eval
    total = min(config.max_problems, len(ctx.test))
    ctx.history.start_phase("eval", total=total)
    model_dir = final_model_dir(ctx)
    gguf_type, threads = ctx.recipe.export.gguf_type, ctx.recipe.threads
    generator, verifier = load_for_inference(model_dir, config.backend, gguf_type, threads)
    separate_verifier = verifier_dir(ctx)
    if separate_verifier is not None:
        _, verifier = load_for_inference(separate_verifier, config.backend, gguf_type, threads)
    baseline = None
    if model_dir != ctx.final_dir("ssft") and ctx.final_dir("ssft").exists():
        baseline, _ = load_for_inference(ctx.final_dir("ssft"), config.backend, gguf_type, threads)
    out.parent.mkdir(parents=True, exist_ok=True)
    report = evaluate(generator, verifier, ctx.test, config, seed=ctx.recipe.seed,
                      results_path=out.parent / "results.jsonl", baseline=baseline,
                      on_progress=lambda done, total: ctx.history.log_progress("eval", done, total))
    data = report.to_dict()
    data["model"] = model_dir.parent.name
    if "baseline_Pass@1" in report.metrics:
        data["ssft_pass@1"] = report.metrics["baseline_Pass@1"]
    ctx.history.add_evaluation("synthetic-test", data, model=str(model_dir))
    if report.calibration is not None:
        report.calibration.save(out.parent / "calibration.json")
    out.write_text(json.dumps(data, indent=1))
    print(format_table(report, f"Evaluation of {model_dir.parent.name}"))
    ctx.history.log_progress("eval", total, total)
    ctx.history.finish_phase("eval")


def phase_export(ctx: RunContext) -> None:
    out = Path(ctx.recipe.export.output_dir) if ctx.recipe.export.output_dir else ctx.run_dir / "export"
    ctx.history.start_phase("export")
    export.export_model(final_model_dir(ctx), out, ctx.recipe, ctx.run_dir, ctx.history.run_id, ctx.history.store,
                        verifier_dir=verifier_dir(ctx))
    ctx.history.finish_phase("export")
    print(f"model written to {out}")


PHASE_FUNCTIONS = {"ssft": phase_ssft, "candidates": phase_candidates, "evaluator": phase_evaluator,
                   "multitask": phase_multitask, "eval": phase_eval, "export": phase_export}


# ---------------------------------------------------------------- entry


def start_run(recipe_path: str | Path, store=None) -> RunContext:
    """A new run of the recipe: store record + run folder (with the recipe copied in)."""
    recipe = load_recipe(recipe_path)
    history = RunHistory.create(recipe.name, to_dict(recipe), str(recipe_path), paths.runs_dir(), store=store)
    run_dir = paths.runs_dir() / f"{history.run_id:04d}-{recipe.name}"
    run_dir.mkdir(parents=True, exist_ok=True)
    history.store.set_run_output_dir(history.run_id, str(run_dir))
    (run_dir / "recipe.json").write_text(json.dumps(to_dict(recipe), indent=1))
    return RunContext(recipe, run_dir, history)


def resume_run(run_id: int, store=None) -> RunContext:
    """Reopen a run from its record: same recipe, same folder, same history."""
    history = RunHistory.reopen(run_id, store=store)
    row = history.store.run(run_id)
    if not row.output_dir or not Path(row.output_dir).exists():
        raise TrainingError(f"run {run_id} has no run folder to resume from ({row.output_dir})")
    run_dir = Path(row.output_dir)
    recipe = from_dict(RecipeConfig, json.loads((run_dir / "recipe.json").read_text()))
    return RunContext(recipe, run_dir, history)


def execute(ctx: RunContext, only: list[str] | None = None) -> RunContext:
    """Run the recipe's phases (or `only` these) in order; records failure or interruption in the store."""
    random.seed(ctx.recipe.seed)
    previous_threads = torch.get_num_threads()
    if ctx.recipe.threads > 0:
        torch.set_num_threads(ctx.recipe.threads)
    wanted = [p for p in PHASES if p in (only or ctx.recipe.phases)]
    ctx.history.plan(wanted)  # the app shows the run's progress against this list, read from the store
    resume = f"resume with: trainer run --resume {ctx.history.run_id}"
    try:
        prepare_data(ctx)
        if ctx.tokenizer is None:
            initial_model(ctx)  # a pretrained source brings its own tokenizer
        for phase in wanted:
            PHASE_FUNCTIONS[phase](ctx)
    except (StopRequested, KeyboardInterrupt) as exc:  # Ctrl-C, or the app's Cancel (SIGINT)
        message = f"{exc or 'interrupted'}; {resume}"
        ctx.history.finish_run("cancelled", message)
        log.warning("run %d cancelled: %s", ctx.history.run_id, message)
        raise
    except BaseException as exc:
        ctx.history.finish_run("failed", f"{type(exc).__name__}: {exc}; {resume}")
        log.error("run %d failed: %s: %s", ctx.history.run_id, type(exc).__name__, exc)
        raise
    finally:
        torch.set_num_threads(previous_threads)
    ctx.history.finish_run("finished")
    log.info("run %d finished", ctx.history.run_id)
    return ctx
