"""A hard time limit for symbolic work that holds in any thread.

sympy can run for ever on innocent-looking input (`10^{10^{10}}`), Python cannot interrupt a thread, and
`signal.alarm` (math-verify's own mechanism) only works on the main thread. So symbolic comparisons run in
worker processes (`_symbolic_worker.py`): a clean `python -m` subprocess that imports sympy once, forks a
hot child for the jobs and kills and re-forks it when a job overruns. The caller waits on a queue, so the
limit holds from the GUI's worker threads as well as from the main thread.

Other packages add their own operations without tutor.grading importing them: a function marked with
`@worker_op` is called by its `op_name` ("package.module:function"), and the worker imports that module on
first use (only `tutor.` modules, only marked functions). `tutor.solve.symbolic` runs its direct computation
this way, under the same pool and limit as the grader's comparisons.

The worker enforces the limit itself; the caller gives it `_GRACE` seconds more and, should the worker
not answer even then, kills the whole worker. `GradingTimeout` derives from `BaseException` so that the
`except Exception` blocks inside sympy or math-verify cannot swallow it; it never leaves `tutor.grading`.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)

# Workers alive at once (the machines this runs on have few cores); more callers wait for a free one.
MAX_WORKERS = 2
# Extra seconds the caller allows the worker for its own bookkeeping before killing it outright.
_GRACE = 0.1
# A cold worker start imports sympy and math-verify; generous, since all seven CPU users may be busy.
_STARTUP_TIMEOUT = 120.0
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]
_WORKER_MODULE = "tutor.grading._symbolic_worker"


_F = TypeVar("_F", bound=Callable)
_PRELOADED: set[str] = set()
"""Ops whose modules a new worker imports while it starts (`preload`), off every caller's clock."""


def worker_op(function: _F) -> _F:
    """Mark a module-level function of a `tutor.` module as callable in the worker by `op_name(function)`;
    its arguments and result must be JSON values."""
    function.worker_op = True  # type: ignore[attr-defined]
    return function


def op_name(function: Callable) -> str:
    """The name `run_with_limit` takes for a `@worker_op` function: "package.module:function"."""
    assert getattr(function, "worker_op", False), f"{function.__qualname__} is not marked @worker_op"
    return f"{function.__module__}:{function.__qualname__}"


class GradingTimeout(BaseException):  # noqa: N818 - named like math-verify's TimeoutException
    """A symbolic comparison ran past its limit (internal: `is_equivalent` turns it into False)."""


class WorkerError(RuntimeError):
    """A worker failed to start or reported an error (internal: "not equivalent")."""


class WorkerDied(WorkerError):
    """The worker process is gone (killed from outside, out of memory); the job may be retried."""


class _Worker:
    """One worker subprocess; a reader thread moves its reply lines onto a queue."""

    def __init__(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_PACKAGE_ROOT), env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", _WORKER_MODULE, *sorted(_PRELOADED)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        self.replies: queue.Queue[dict | None] = queue.Queue()
        threading.Thread(target=self._read, name="stepwise-grader-reader", daemon=True).start()
        try:
            ready = self.replies.get(timeout=_STARTUP_TIMEOUT)
        except queue.Empty:
            ready = None
        if not ready or not ready.get("ready"):
            self.kill()
            # Loud once per attempt: without a worker every symbolic comparison is "not equivalent".
            log.warning("the grading worker did not start (%s -m %s); see stderr", sys.executable, _WORKER_MODULE)
            raise WorkerError("the grading worker did not start (see stderr for its traceback)")

    def _read(self) -> None:
        try:
            for line in self.process.stdout:
                self.replies.put(json.loads(line))
        except (OSError, ValueError):
            log.debug("unreadable reply from the grading worker", exc_info=True)
        self.replies.put(None)  # the worker is gone or garbled: callers see WorkerDied

    def call(self, op: str, args: tuple, timeout: float) -> object:
        line = json.dumps({"op": op, "args": list(args), "timeout": timeout}).encode() + b"\n"
        try:
            self.process.stdin.write(line)
            self.process.stdin.flush()
        except (OSError, ValueError) as exc:  # broken pipe, or the pipe already closed
            raise WorkerDied(f"the grading worker is gone ({exc})") from exc
        reply = self.replies.get(timeout=timeout + _GRACE)  # queue.Empty: the worker itself is stuck
        if reply is None:
            raise WorkerDied("the grading worker exited")
        if reply.get("timeout"):
            raise GradingTimeout(f"{op} ran past {timeout:.2f} s")
        if "error" in reply:
            raise WorkerError(reply["error"])
        return reply["result"]

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()


class WorkerPool:
    """Runs named operations of `_symbolic_worker` under a per-call limit; thread-safe."""

    def __init__(self, max_workers: int = MAX_WORKERS) -> None:
        self._max_workers = max_workers
        self._idle: list[_Worker] = []
        self._alive = 0
        self._cond = threading.Condition()

    def warm_up(self) -> None:
        """Start every worker now, side by side (about a second), so no comparison waits for one."""
        workers: list[_Worker] = []

        def start_one() -> None:
            try:
                workers.append(self._acquire(deadline=None)[0])
            except WorkerError:
                pass  # already logged; a later call tries again

        starters = [threading.Thread(target=start_one, daemon=True) for _ in range(self._max_workers)]
        for starter in starters:
            starter.start()
        for starter in starters:
            starter.join()
        for worker in workers:
            self._release(worker)

    def call(self, op: str, *args: object, timeout: float, wait: float | None = None) -> object:
        """`op(*args)` in a worker; `GradingTimeout` when the call takes more than `timeout` seconds.

        The limit covers waiting for a free worker and the work itself, so a call returns within
        `timeout` plus a fraction of a second in every case but one: starting a worker is not counted
        (the first start in a process takes about a second; call `warm_up` early). With `wait`, the call
        waits up to `wait` seconds for a free worker (one another thread is starting, say) and `timeout`
        covers the work alone: for work started early whose result is collected later. A worker that
        died is replaced and the job tried once more.
        """
        deadline = time.monotonic() + (timeout if wait is None else wait)
        for attempt in (1, 2):
            worker, fresh = self._acquire(deadline)
            if fresh or wait is not None:
                deadline = time.monotonic() + timeout
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._release(worker)
                raise GradingTimeout(f"{op}: no time left after waiting for a worker")
            try:
                result = worker.call(op, args, remaining)
            except GradingTimeout:
                self._release(worker)  # the worker killed its own child and is ready again
                raise
            except queue.Empty:
                self._discard(worker)  # not even the supervisor answered: replace the whole worker
                raise GradingTimeout(f"{op}: the worker did not answer in {timeout:.2f} s") from None
            except WorkerDied:
                self._discard(worker)
                if attempt == 2:
                    raise
                log.debug("grading worker died; retrying %s on a fresh one", op)
                continue
            except WorkerError:
                self._release(worker)  # the job failed, the worker is fine
                raise
            self._release(worker)
            return result
        raise AssertionError("unreachable: the loop returns or raises")

    def shutdown(self) -> None:
        """Stop the idle workers (the process exit stops the rest)."""
        with self._cond:
            idle, self._idle = self._idle, []
            self._alive -= len(idle)
            self._cond.notify_all()
        for worker in idle:
            worker.kill()

    def _acquire(self, deadline: float | None) -> tuple[_Worker, bool]:
        """An idle worker, or a new one while fewer than the maximum are alive (then `fresh` is True)."""
        with self._cond:
            while not self._idle and self._alive >= self._max_workers:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise GradingTimeout("no grading worker became free in time")
                self._cond.wait(remaining)
            if self._idle:
                return self._idle.pop(), False
            self._alive += 1
        try:
            return _Worker(), True
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
atexit.register(_POOL.shutdown)


def run_with_limit(op: str, *args: object, timeout: float, wait: float | None = None) -> object:
    """Run a symbolic operation of `_symbolic_worker` with a hard limit (see `WorkerPool.call`)."""
    return _POOL.call(op, *args, timeout=timeout, wait=wait)


def preload(op: str) -> None:
    """Have every worker started from now on import `op`'s module before it reports ready, so the first call
    of a heavy op (the direct computation compiles its readers on import) does not spend its own time limit
    on the import. Workers already running import it after their first call of it, as before."""
    _PRELOADED.add(op)


def warm_up() -> None:
    """Start a grading worker ahead of time (the app calls this at startup, off the GUI thread)."""
    _POOL.warm_up()
