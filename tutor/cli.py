"""The `tutor` command: the desktop app (no arguments), `tutor solve`, `tutor grade` and `tutor models`.

Only argument parsing lives here; every subcommand calls the library. Run `tutor --help`.
"""

import argparse
import logging
import sys

from tutor.entry import run_command
from tutor.errors import StepwiseError

log = logging.getLogger("tutor")


def _cmd_app(args: argparse.Namespace) -> int:
    from tutor.app.first_run import launch  # first-run checks (data dir, store recovery), then run_app

    return launch(model=_model_reference(getattr(args, "model", None)))


def _model_reference(model: str | None) -> str | None:
    """`--model` may name a downloaded or catalog model (`tutor models list`); paths pass through."""
    from tutor.hub.registry import resolve_model_reference

    resolved = resolve_model_reference(model)
    return None if resolved is None else str(resolved)


def _cmd_models(args: argparse.Namespace) -> int:
    from tutor.hub.command import run

    return run(args)


def _cmd_grade(args: argparse.Namespace) -> int:
    from tutor.grading import is_equivalent
    from tutor.grading.report import grade_file, grade_predictions, print_summary, summarize

    if args.file or (len(args.items) == 1 and not args.ref and args.items[0].endswith(".jsonl")):
        graded = grade_file(args.file or args.items[0], timeout=args.timeout)
    elif args.ref and len(args.items) == 1:
        graded = grade_predictions(args.items[0], args.ref, timeout=args.timeout)
    elif len(args.items) == 2 and not args.ref:
        equivalent = is_equivalent(args.items[0], args.items[1], timeout=args.timeout)
        print("equivalent" if equivalent else "not equivalent")
        return 0 if equivalent else 1
    else:
        raise StepwiseError("use `tutor grade ANSWER REFERENCE`, `tutor grade --file X.jsonl` or `tutor grade PRED.jsonl --ref REF.jsonl`")
    print_summary(summarize(graded), as_json=args.json)
    return 0


def _cmd_solve(args: argparse.Namespace) -> int:
    from tutor.config_cli import config_from_arguments
    from tutor.models import load
    from tutor.solve import SolveConfig, Solver
    from tutor.solve.command import solve_file, solve_one
    from tutor.solve.solver import wait_for_grader_warm_up, warm_up_grader_in_background

    if (args.problem is None) == (args.file is None):
        raise StepwiseError('give one problem ("tutor solve \"Solve 3x + 7 = 22\"") or --file problems.jsonl')
    warm_up_grader_in_background()  # overlaps loading the model
    config = config_from_arguments(SolveConfig, args)
    try:
        model = _model_reference(getattr(args, "model", None))
        generator, verifier = load(model, device=args.device, threads=args.threads)
        solver = Solver(generator, verifier, config)
        if args.file is not None:
            return solve_file(solver, args.file, args.out)
        return solve_one(solver, args.problem, as_json=args.json)
    finally:
        wait_for_grader_warm_up()


def _add_solve_arguments(solve: argparse.ArgumentParser) -> None:
    from pathlib import Path

    from tutor.config_cli import add_config_arguments
    from tutor.solve.config import STRATEGIES, SolveConfig

    solve.add_argument("problem", nargs="?", help="the problem text, e.g. \"Solve 3x + 7 = 22\"")
    solve.add_argument("--model", default=argparse.SUPPRESS,
                       help="HF folder, .gguf file or a model id from `tutor models list` (default: the bundled model)")
    solve.add_argument("--device", default="auto", help="auto, cpu, cuda, ... (default: auto)")
    solve.add_argument("--threads", type=int, default=0,
                       help="CPU threads (default 0 = half the cores for llama.cpp; all cores are faster on an idle machine)")
    add_config_arguments(solve, SolveConfig, skip=("verify_batch_size", "score_all", "grading_timeout"),
                         choices={"strategy": STRATEGIES})
    solve.add_argument("--fixed-n", dest="adaptive", action="store_false", default=argparse.SUPPRESS,
                       help="always draw N solutions (the same as --no-adaptive)")
    solve.add_argument("--json", action="store_true", help="print the whole result as JSON")
    solve.add_argument("--file", type=Path, help="solve every problem of a JSONL file (\"problem\" field per line)")
    solve.add_argument("--out", type=Path, help="with --file: write results here as JSONL (default stdout)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tutor", description="Stepwise: a math tutor that checks its own work.")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("--model", help="model to open the app with: an HF folder, a .gguf file or a model id")
    parser.set_defaults(func=_cmd_app)
    sub = parser.add_subparsers(dest="command")

    grade = sub.add_parser("grade", help="extract and compare final answers")
    grade.add_argument("items", nargs="*", help="ANSWER REFERENCE, or PRED.jsonl with --ref")
    grade.add_argument("--file", help="JSONL of candidate/reference pairs or MATH records (solution vs answer)")
    grade.add_argument("--ref", help="reference JSONL (MATH or GSM8K format) for a predictions file")
    grade.add_argument("--json", action="store_true", help="print the summary as JSON")
    grade.add_argument("--timeout", type=float, default=1.0, help="seconds per symbolic comparison")
    grade.set_defaults(func=_cmd_grade)

    solve = sub.add_parser("solve", help="solve a problem from the command line")
    _add_solve_arguments(solve)
    solve.set_defaults(func=_cmd_solve)

    models = sub.add_parser("models", help="the model catalog: list, download (pull) and remove models")
    models.set_defaults(func=_cmd_models, models_command="list")
    models_sub = models.add_subparsers(dest="models_command")
    listing = models_sub.add_parser("list", help="catalog and downloaded models, and where they live")
    listing.add_argument("--json", action="store_true", help="print everything as JSON")
    pull = models_sub.add_parser("pull", help="download a catalog model or any Hub repo (resumes, verifies)")
    pull.add_argument("id", help="catalog id (tutor models list) or a Hub repo id such as owner/name")
    pull.add_argument("--file", help="with a repo id: the .gguf file to take (default: a 4-bit K-quant)")
    pull.add_argument("--force", action="store_true", help="download again even if already here")
    remove = models_sub.add_parser("rm", help="delete a downloaded model")
    remove.add_argument("id", help="its id (tutor models list)")
    return parser


def main(argv: list[str] | None = None) -> int:
    return run_command(build_parser(), argv, logging.WARNING)


if __name__ == "__main__":
    sys.exit(main())
