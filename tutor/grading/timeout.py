"""A hard time limit for symbolic work that holds in any thread.

sympy can run for ever on innocent-looking input (`10^{10^{10}}` builds a ten-billion-digit integer inside one
C call), and Python cannot interrupt a thread, while `signal.alarm` (math-verify's own mechanism) only works
on the main thread. So the symbolic comparison runs in a small pool of worker *processes*: the caller sends
a job down a pipe and waits at most `timeout` seconds for the answer; a worker that overruns is killed and
replaced. Workers fork from a forkserver that has already imported and warmed up sympy and math-verify,
so a replacement is ready in milliseconds instead of the seconds a cold import takes.

Messages cross the pipe as JSON (never pickles). `GradingTimeout` derives from `BaseException` so that the
`except Exception` blocks inside sympy or math-verify cannot swallow it; it never leaves `tutor.grading`.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import threading
import time

log = logging.getLogger(__name__)

# The module the workers run; the forkserver imports it (and its heavy dependencies) once, up front.
_WORKER_MODULE = "tutor.grading._symbolic_worker"
# Workers alive at once; more callers than this wait for a free one (their wait counts against their limit).
MAX_WORKERS = 4


class GradingTimeout(BaseException):  # noqa: N818 - named like math-verify's TimeoutException
    """A symbolic comparison ran past its limit (internal: `is_equivalent` turns it into False)."""


class WorkerCrashed(RuntimeError):
    """A worker process died without answering (internal: treated as "not equivalent")."""


def _context() -> multiprocessing.context.BaseContext:
    """Forkserver where the platform has it (safe beside threads, fast restarts), else spawn."""
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([_WORKER_MODULE])
        return ctx
    return multiprocessing.get_context("spawn")


def _serve(conn) -> None:
    """Worker entry point; imports the heavy module here so the parent process never loads sympy."""
    from tutor.grading._symbolic_worker import serve

    serve(conn)


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, ctx: multiprocessing.context.BaseContext) -> None:
        self.conn, child_conn = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=_serve, args=(child_conn,), daemon=True, name="stepwise-grader")
        self.process.start()
        child_conn.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=1.0)
        self.conn.close()


class WorkerPool:
    """Runs `(op, *args)` jobs in worker processes with a per-call deadline; thread-safe."""

    def __init__(self, max_workers: int = MAX_WORKERS) -> None:
        self._max_workers = max_workers
        self._ctx: multiprocessing.context.BaseContext | None = None
        self._idle: list[_Worker] = []
        self._alive = 0
        self._cond = threading.Condition()

    def warm_up(self) -> None:
        """Start one worker now (the first start imports sympy: about a second), so later calls are fast."""
        worker = self._acquire(wait=None)
        self._release(worker)

    def call(self, op: str, *args: object, timeout: float) -> object:
        """Run `op(*args)` in a worker; raise `GradingTimeout` when no answer comes within `timeout` s.

        The limit bounds the work itself. Starting a worker is not counted: the first start in a process
        boots the forkserver (about a second, see `warm_up`); a replacement after a kill forks in
        milliseconds. A caller that finds all workers busy waits at most `timeout` for one.
        """
        worker = self._acquire(wait=timeout)
        deadline = time.monotonic() + timeout
        try:
            worker.conn.send_bytes(json.dumps([op, *args]).encode())
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                self._discard(worker)
                raise GradingTimeout(f"{op} ran past {timeout:.2f} s")
            reply = json.loads(worker.conn.recv_bytes().decode())
        except (EOFError, OSError, BrokenPipeError) as exc:
            self._discard(worker)
            raise WorkerCrashed(f"grading worker died during {op}") from exc
        self._release(worker)
        if reply.get("error"):
            raise WorkerCrashed(reply["error"])
        return reply["result"]

    def shutdown(self) -> None:
        """Stop every idle worker (busy ones stop when their caller finishes or times out)."""
        with self._cond:
            idle, self._idle = self._idle, []
            self._alive -= len(idle)
            self._cond.notify_all()
        for worker in idle:
            worker.kill()

    # -- bookkeeping -------------------------------------------------------------------------------------

    def _acquire(self, wait: float | None) -> _Worker:
        deadline = None if wait is None else time.monotonic() + wait
        with self._cond:
            while not self._idle and self._alive >= self._max_workers:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise GradingTimeout("no grading worker became free in time")
                self._cond.wait(remaining)
            if self._idle:
                return self._idle.pop()
            self._alive += 1
        try:
            if self._ctx is None:
                self._ctx = _context()
            return _Worker(self._ctx)
        except BaseException:
            with self._cond:
                self._alive -= 1
                self._cond.notify()
            raise

    def _release(self, worker: _Worker) -> None:
        with self._cond:
            self._idle.append(worker)
            self._cond.notify()

    def _discard(self, worker: _Worker) -> None:
        worker.kill()
        with self._cond:
            self._alive -= 1
            self._cond.notify()


_POOL = WorkerPool()


def run_with_limit(op: str, *args: object, timeout: float) -> object:
    """Run a symbolic operation of `_symbolic_worker` with a hard limit (see `WorkerPool.call`)."""
    return _POOL.call(op, *args, timeout=timeout)


def warm_up() -> None:
    """Start a grading worker ahead of time (the app calls this at startup, off the GUI thread)."""
    _POOL.warm_up()

