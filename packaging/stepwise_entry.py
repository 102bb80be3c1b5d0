"""The program inside the PyInstaller bundle: `stepwise` is the `tutor` command (no arguments: the app).

    ./dist/stepwise/stepwise                          # the desktop app
    ./dist/stepwise/stepwise solve "What is 2 + 3?"   # any `tutor` subcommand
    ./dist/stepwise/stepwise -m trainer.cli --help    # a module, as `python -m` would run it

A frozen bundle has no Python interpreter, yet Stepwise starts helpers as `sys.executable -m MODULE`: the
grading worker (`tutor.grading._symbolic_worker`, for hard time limits on sympy) and the trainer that the
Retrain tab launches (`trainer.cli`). This entry point therefore accepts `-m MODULE ARGS...` for Stepwise's
own modules and runs them with runpy, exactly as the interpreter would. Run the source version with
`python packaging/stepwise_entry.py ...` (tests/test_packaging.py does).
"""

from __future__ import annotations

import runpy
import sys

# Only Stepwise's own modules may be run this way: the bundle is not a general Python interpreter.
RUNNABLE_PACKAGES = ("tutor", "trainer")


def run_module(module: str, arguments: list[str]) -> int:
    """Run `module` as `__main__` with `arguments` as its argv, like `python -m module arguments`."""
    if module.split(".")[0] not in RUNNABLE_PACKAGES:
        print(f"error: stepwise -m runs only {' and '.join(RUNNABLE_PACKAGES)} modules, not {module!r}",
              file=sys.stderr)
        return 2
    sys.argv = [sys.argv[0], *arguments]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as done:  # the module's own sys.exit(code)
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["-m"]:
        if len(argv) < 2:
            print("error: -m needs a module name", file=sys.stderr)
            return 2
        return run_module(argv[1], argv[2:])
    from tutor.cli import main as tutor_main

    return tutor_main(argv)


if __name__ == "__main__":
    sys.exit(main())
