"""The training subcommands of `trainer` (argument parsing only; the library does the work):

    trainer run RECIPE.toml            all phases (synth → SSFT → candidates → evaluator → multitask → eval → export)
    trainer run --resume RUN_ID        continue a killed or Ctrl-C'd run where it stopped
    trainer ssft|sample|evaluator|multitask|export (RECIPE | --resume RUN_ID)   one step of a run
    trainer eval MODEL [--data FILE] [--n 16 --k 8]                            the paper's metrics
    trainer runs                       table of past runs
"""

from __future__ import annotations

import argparse
import json
import sys

from trainer.eval import EvalConfig
from tutor.config_cli import add_config_arguments, config_from_arguments
from tutor.models.loader import BACKENDS
from tutor.solve.config import STRATEGIES

STEP_COMMANDS = {"ssft": "ssft", "sample": "candidates", "evaluator": "evaluator", "multitask": "multitask",
                 "export": "export"}


def add_training_commands(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser("run", help="run a training recipe end to end (resumable)")
    _add_run_arguments(run)
    run.set_defaults(func=_run, only=None)
    for name, phase in STEP_COMMANDS.items():
        step = commands.add_parser(name, help=f"run only the {phase} step of a recipe or an existing run")
        _add_run_arguments(step)
        step.set_defaults(func=_run, only=[phase])
    evaluate = commands.add_parser("eval", help="evaluate a model as the tutor runs it: Tutor, Pass@1, Maj1@N, "
                                   "RR.Top-K, ... (every solve setting defaults to the tutor's own)")
    evaluate.add_argument("model", help="model folder or .gguf file")
    evaluate.add_argument("--data", required=True, help="JSONL problems (synthetic test split, MATH500, GSM8K)")
    add_config_arguments(evaluate, EvalConfig, skip=("seed", "verify_batch_size", "score_all", "ece_bins", "verifier"),
                         choices={"strategy": STRATEGIES, "backend": BACKENDS})
    evaluate.add_argument("--fixed-n", dest="adaptive", action="store_false", default=argparse.SUPPRESS,
                          help="always draw N solutions (the same as --no-adaptive)")
    evaluate.add_argument("--seed", dest="eval_seed", type=int, default=0,
                          help="base sampling seed: problem i's samples are drawn with seed + its chunk's start")
    evaluate.add_argument("--skip", type=int, default=0, help="start at this problem of the file (to shard a long evaluation)")
    evaluate.add_argument("--results", help="append per-problem results to this JSONL and resume from it")
    evaluate.add_argument("--baseline", help="also report the greedy Pass@1 of this model on the same problems")
    evaluate.add_argument("--verifier", dest="verifier_model",
                          help="score the samples with this model's verifier instead of MODEL's own "
                          "(as the app's verifier setting does; e.g. a run's evaluator/final), or 'likelihood': "
                          "MODEL's own mean token likelihood of each sample (tutor.models.likelihood)")
    evaluate.add_argument("--calibrate", action="store_true", help="save the fitted calibration.json next to the model")
    evaluate.add_argument("--plot", metavar="DIR", help="write strategies.png, reliability.png and accuracy_vs_n.png (needs --results)")
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    evaluate.set_defaults(func=_eval)
    calibrate = commands.add_parser("calibrate", help="fit MODEL's calibration.json on the per-problem results of "
                                    "several evaluations (e.g. a mix of synthetic, GSM8K and student-style problems)")
    calibrate.add_argument("model", help="model folder or .gguf file the evaluations ran (calibration.json goes beside it)")
    calibrate.add_argument("results", nargs="+", help="per-problem results JSONL written by trainer eval --results")
    add_config_arguments(calibrate, EvalConfig, skip=("seed", "verify_batch_size", "score_all", "ece_bins", "verifier",
                                                      "max_problems", "problems_per_call", "grading_timeout"),
                         choices={"strategy": STRATEGIES, "backend": BACKENDS})
    calibrate.add_argument("--fixed-n", dest="adaptive", action="store_false", default=argparse.SUPPRESS,
                           help="the evaluations drew all N (the same as --no-adaptive)")
    calibrate.add_argument("--dry-run", action="store_true", help="print the fit, write nothing")
    calibrate.set_defaults(func=_calibrate)
    runs = commands.add_parser("runs", help="table of past training runs")
    runs.add_argument("--limit", type=int, default=20)
    runs.set_defaults(func=_runs)


def _add_run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("recipe", nargs="?", help="TOML recipe (a path or a name in trainer/recipes/)")
    parser.add_argument("--resume", type=int, metavar="RUN_ID", help="continue this run instead of starting one")


def _run(args: argparse.Namespace) -> int:
    from trainer.run import execute, resume_run, start_run

    if (args.recipe is None) == (args.resume is None):
        print("error: give a RECIPE or --resume RUN_ID (not both)", file=sys.stderr)
        return 2
    ctx = resume_run(args.resume) if args.resume is not None else start_run(args.recipe)
    print(f"run {ctx.history.run_id}: {ctx.run_dir}", flush=True)
    execute(ctx, only=args.only)
    return 0


def _eval(args: argparse.Namespace) -> int:
    from pathlib import Path

    from trainer.data import load_problems
    from trainer.eval import evaluate, format_table
    from trainer.history import open_store
    from tutor.models import load

    config = config_from_arguments(EvalConfig, args)
    generator, verifier = load(args.model, backend=config.backend)
    if args.verifier_model == "likelihood":
        from tutor.models.likelihood import LikelihoodVerifier

        verifier = LikelihoodVerifier(generator)
    elif args.verifier_model:
        verifier = load(args.verifier_model)[1]
    baseline = load(args.baseline)[0] if args.baseline else None
    problems = load_problems(args.data)[args.skip :]
    report = evaluate(generator, verifier, problems, config, seed=args.eval_seed + args.skip,
                      results_path=Path(args.results) if args.results else None, baseline=baseline)
    open_store().add_evaluation(Path(args.data).stem, report.to_dict(), model=str(args.model))
    if args.plot and args.results:
        from trainer.eval import load_results
        from trainer.plots import write_plots

        print("plots ->", *write_plots(report, load_results(Path(args.results)), Path(args.plot)))
    if args.calibrate and report.calibration is not None:
        print("calibration ->", report.calibration.save(Path(args.model)))
    print(json.dumps(report.to_dict(), indent=1) if args.json else format_table(report, f"{args.model} on {args.data}"))
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from trainer.eval import load_results
    from tutor.models import load
    from tutor.solve.calibration import fit_calibration
    from tutor.solve.config import calibration_settings

    config = config_from_arguments(EvalConfig, args)
    generator, _ = load(args.model, backend=config.backend)  # its backend and quantization are recorded
    rows = [(r.calibration_features, r.calibration_label) for path in args.results for r in load_results(Path(path))
            if r.calibration_features is not None]
    calibration = fit_calibration([f for f, _ in rows], [y for _, y in rows])
    calibration.settings = calibration_settings(config, generator.backend, generator.quantization)
    print(f"fitted on {len(rows)} solves from {len(args.results)} result file(s): ECE {calibration.ece_before:.3f} "
          f"uncalibrated -> {calibration.ece_after:.3f} (cross-fitted); weights "
          + ", ".join(f"{name} {weight:+.2f}" for name, weight in zip(calibration.features, calibration.weights)))
    if not args.dry_run:
        print("calibration ->", calibration.save(Path(args.model)))
    return 0


def _runs(args: argparse.Namespace) -> int:
    from trainer.history import open_store

    store = open_store()
    store.close_vanished_runs()  # a run whose trainer process is gone is not running: it crashed
    print(f"{'id':>4}  {'name':<16} {'status':<10} {'created':<19}  phases")
    for run in store.runs(limit=args.limit):
        phases = " ".join(f"{p.name}:{p.status}" for p in store.phases(run.id))
        created = run.created_at.strftime("%Y-%m-%d %H:%M:%S") if run.created_at else ""
        print(f"{run.id:>4}  {run.name[:16]:<16} {run.status:<10} {created:<19}  {phases}")
    return 0
