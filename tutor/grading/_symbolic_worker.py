"""The grading worker process: `python -m tutor.grading._symbolic_worker` (started by `timeout.py`).

It speaks JSON lines: one job `{"op": ..., "args": [...], "timeout": seconds}` per line on stdin, one reply
`{"result": ...}`, `{"timeout": true}` or `{"error": "..."}` per line on its original stdout (stray prints
of libraries go to stderr instead).

It is a supervisor: it imports and warms up sympy and math-verify once (about a second), then forks a child
that runs the jobs. The supervisor waits for each answer at most the job's timeout; a child that overruns
(say on `10^{10^{10}}`, a ten-billion-digit integer built inside one C call) is killed and a hot replacement
forked in milliseconds. Forking is safe here because this process is single-threaded, unlike the app.
Besides its own operations it runs `@worker_op` functions of other tutor packages, named
"package.module:function" (see `timeout.py`): the child imports such a module on first use, and the
supervisor imports it after answering, so every later child is forked with it already loaded.
Where `os.fork` does not exist (Windows) jobs run in the supervisor itself and the parent enforces the
limit by killing the whole worker.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import re
import select
import signal
import sys
import time

from tutor.grading.symbolic import fingerprint, parse_answer, symbolic_equivalent

# Operations a caller may request by name; arguments and results are JSON values.
OPS = {"equivalent": symbolic_equivalent, "fingerprint": fingerprint}
_MODULE_OP = re.compile(r"(tutor(?:\.\w+)+):(\w+)")


def resolve(op: str):
    """The function for an op: one of OPS, or a `@worker_op` function named "tutor.module:function"."""
    if op in OPS:
        return OPS[op]
    match = _MODULE_OP.fullmatch(op)
    if not match:
        raise KeyError(f"unknown op {op!r}")
    function = getattr(importlib.import_module(match.group(1)), match.group(2), None)
    if not getattr(function, "worker_op", False):
        raise KeyError(f"{op!r} is not a @worker_op function")
    return function


def handle(job: dict) -> dict:
    """Run one job in this process; any error becomes an error reply."""
    try:
        return {"result": resolve(job["op"])(*job["args"])}
    except Exception as exc:  # noqa: BLE001 - report it, keep serving
        return {"error": f"{type(exc).__name__}: {exc}"}


def _encode(reply: dict) -> bytes:
    return json.dumps(reply).encode() + b"\n"


class _Child:
    """A forked copy of the warmed-up supervisor that runs jobs; killed when it overruns."""

    def __init__(self, close_in_child: tuple[int, ...]) -> None:
        job_r, self.job_w = os.pipe()
        self.reply_r, reply_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: serve jobs until the supervisor closes the pipe
            os.close(self.job_w)
            os.close(self.reply_r)
            for fd in close_in_child:
                os.close(fd)
            try:
                with os.fdopen(job_r, "rb") as jobs, os.fdopen(reply_w, "wb") as replies:
                    for line in jobs:
                        replies.write(_encode(handle(json.loads(line))))
                        replies.flush()
            finally:
                os._exit(0)
        os.close(job_r)
        os.close(reply_w)
        self._buffer = b""

    def run(self, line: bytes, timeout: float) -> bytes | None:
        """The reply line to `line`, or None when none came within `timeout` seconds (or the child died)."""
        os.write(self.job_w, line)
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.reply_r], [], [], remaining)[0]:
                return None
            chunk = os.read(self.reply_r, 65536)
            if not chunk:
                return None
            self._buffer += chunk
        reply, self._buffer = self._buffer.split(b"\n", 1)
        return reply + b"\n"

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self.job_w)
        os.close(self.reply_r)


def _warm() -> None:
    """First calls compile regexes and grammars; do them once here so every forked child starts hot."""
    symbolic_equivalent("\\frac{1}{2}", "x = 0.5")
    symbolic_equivalent("(1, \\sqrt{2})", "\\{1\\}")
    symbolic_equivalent("\\begin{pmatrix}1\\\\2\\end{pmatrix}", "[0, \\infty)")
    fingerprint("\\sin x + \\log 2")
    parse_answer.cache_clear()


def _preload(op: str) -> None:
    """Import a module op's module here too (off the caller's clock), so later children start with it."""
    if op not in OPS:
        try:
            resolve(op)
        except Exception:  # noqa: BLE001 - the child already reported the error
            pass


def main() -> None:
    logging.getLogger("math_verify").setLevel(logging.ERROR)  # it warns that we disabled its signal alarm
    protocol = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # library prints must not corrupt the protocol
    _warm()
    for op in sys.argv[1:]:  # ops the caller asked to have ready (`timeout.preload`)
        _preload(op)
    protocol.write(_encode({"ready": True}))
    protocol.flush()
    can_fork = hasattr(os, "fork")
    child = _Child(close_in_child=(0, protocol.fileno())) if can_fork else None
    for line in sys.stdin.buffer:
        job = json.loads(line)
        if child is None:
            protocol.write(_encode(handle(job)))
            protocol.flush()
            continue
        reply = child.run(line, float(job["timeout"]))
        protocol.write(reply if reply is not None else _encode({"timeout": True}))
        protocol.flush()
        _preload(job["op"])
        if reply is None:  # replace the overrunning child after answering, off the caller's clock
            child.kill()
            child = _Child(close_in_child=(0, protocol.fileno()))
    if child is not None:
        child.kill()


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:  # the caller went away (it exited while this worker warmed up): no one to answer
        os._exit(0)
