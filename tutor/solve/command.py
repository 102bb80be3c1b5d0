"""What `tutor solve` does once the model is loaded: one problem to the terminal, or a JSONL batch.

tutor/cli.py parses the arguments, loads the model and calls `solve_one` or `solve_file`; progress goes
to stderr so stdout stays clean for `--json` and for piping JSONL.
"""

import contextlib
import json
import signal
import sys
import threading
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tutor.errors import DataError
from tutor.solve import batch
from tutor.solve.report import render
from tutor.solve.solver import SolveEvent, Solver


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


@contextlib.contextmanager
def cancel_on_ctrl_c(cancel: threading.Event):
    """The first Ctrl-C sets `cancel` (the solve returns its partial result); a second one interrupts."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_interrupt(signum, frame):
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.set()
        print("\ncancelling: finishing with the solutions so far (Ctrl-C again to quit)", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def solve_one(solver: Solver, problem: str, as_json: bool = False, cancel: threading.Event | None = None) -> int:
    """Solve one problem; print the rendered result (or its JSON). Exit code 0, or 1 with no answer."""
    stderr = Console(stderr=True)
    cancel = cancel or threading.Event()
    with _progress(stderr) as progress, cancel_on_ctrl_c(cancel):
        task = progress.add_task("sampling", total=solver.config.n, detail="")

        def on_event(event: SolveEvent) -> None:
            detail = f"{event.tokens} tokens" if event.stage == "sampling" else ""
            progress.update(task, description=event.stage, completed=event.done, total=event.total or 1, detail=detail)

        result = solver.solve(problem, on_event=on_event, cancel=cancel)
    if as_json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        render(result, Console())
    return 0 if result.answer is not None else 1


def solve_file(solver: Solver, path: Path, out: Path | None, cancel: threading.Event | None = None) -> int:
    """Solve every problem of a JSONL file into `out` (stdout when None), with a progress bar on stderr."""
    problems = batch.read_problems(path)
    stderr = Console(stderr=True)
    if out is not None and Path(out).resolve() == Path(path).resolve():
        raise DataError(f"--out {out} would overwrite the input file")
    stream = open(out, "w", encoding="utf-8") if out is not None else sys.stdout  # noqa: SIM115 - closed below
    cancel = cancel or threading.Event()
    try:
        with _progress(stderr) as progress, cancel_on_ctrl_c(cancel):
            task = progress.add_task("solving", total=len(problems), detail=str(path))
            records = batch.solve_all(solver, problems, lambda done: progress.update(task, completed=done), cancel)
            written = batch.write_jsonl(records, stream)
    finally:
        if stream is not sys.stdout:
            stream.close()
    stderr.print(f"solved {written} of {len(problems)} problems" + (f" -> {out}" if out else ""))
    return 0
