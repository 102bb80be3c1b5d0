"""The `trainer` command: `trainer run RECIPE`, `trainer data synth`, `trainer eval`, `trainer runs`, ...

Only argument parsing lives here; every subcommand calls the library. Run `trainer --help`.
"""

import argparse
import logging
import sys

from tutor.errors import StepwiseError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="trainer", description="Train and evaluate Stepwise models.")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_subparsers(dest="command", required=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(levelname)s %(name)s: %(message)s")
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
