"""The `tutor` command: the desktop app (no arguments), `tutor solve` and `tutor grade`.

Only argument parsing lives here; every subcommand calls the library. Run `tutor --help`.
"""

import argparse
import logging
import sys

from tutor.errors import StepwiseError

log = logging.getLogger("tutor")


def _cmd_app(args: argparse.Namespace) -> int:
    from tutor.app.main import run_app

    return run_app(model=getattr(args, "model", None))


def _cmd_grade(args: argparse.Namespace) -> int:
    raise StepwiseError("`tutor grade` is not built yet")


def _cmd_solve(args: argparse.Namespace) -> int:
    raise StepwiseError("`tutor solve` is not built yet")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tutor", description="Stepwise: a math tutor that checks its own work.")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("--model", help="model to open the app with: an HF folder or a .gguf file")
    parser.set_defaults(func=_cmd_app)
    sub = parser.add_subparsers(dest="command")

    grade = sub.add_parser("grade", help="extract and compare final answers")
    grade.set_defaults(func=_cmd_grade)

    solve = sub.add_parser("solve", help="solve a problem from the command line")
    solve.set_defaults(func=_cmd_solve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except StepwiseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
