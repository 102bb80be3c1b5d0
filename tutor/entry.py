"""What every command-line entry point shares: logging set-up and turning user-facing errors into exit codes."""

import argparse
import logging
import os
import sys

from tutor.errors import StepwiseError


def run_command(parser: argparse.ArgumentParser, argv: list[str] | None, default_level: int) -> int:
    """Parse `argv`, run the chosen subcommand's `func`, and map errors to exit codes.

    A `StepwiseError` is printed as its message (exit 2); Ctrl-C exits 130. Anything else is a bug and keeps
    its traceback.
    """
    args = parser.parse_args(argv)
    # Stepwise is local: huggingface_hub's daily telemetry call stays off unless the user turned it on.
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    level = logging.DEBUG if args.verbose else default_level
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except StepwiseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
