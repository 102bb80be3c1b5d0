"""Worker objects that run library calls off the GUI thread (napari style: signals, not QThread subclasses).

A `Worker` wraps one plain function. The function receives `report` (call it with any object to emit
`progress`) and `cancel` (a threading.Event the GUI sets). Its return value is emitted as `finished`; a
`StepwiseError` becomes `failed` with its message; any other exception is a bug: logged with its traceback
and reported as `failed` with a short note, so the app stays up. Workers never touch widgets.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from tutor.errors import StepwiseError

log = logging.getLogger(__name__)

Job = Callable[..., Any]


class Worker(QObject):
    """Runs `fn(*args, report=..., cancel=..., **kwargs)` once, on whatever thread it was moved to."""

    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    done = Signal()  # after finished or failed: the thread may stop

    def __init__(self, fn: Job, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self.cancel_event = threading.Event()

    def cancel(self) -> None:
        """Ask the job to stop at its next check; it still ends with finished or failed."""
        self.cancel_event.set()

    @Slot()
    def run(self) -> None:
        try:
            result = self._fn(*self._args, report=self.progress.emit, cancel=self.cancel_event, **self._kwargs)
        except StepwiseError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a bug, but the window must survive it: log the traceback, tell the user
            log.exception("background job %s crashed", getattr(self._fn, "__name__", self._fn))
            self.failed.emit(f"Unexpected error ({type(exc).__name__}: {exc}); details are in the log.")
        else:
            self.finished.emit(result)
        finally:
            self.done.emit()


class _Reaper(QObject):
    """Owns every running thread until it has really ended, whatever happens to the pool that started it.

    A QThread destroyed while running aborts the process; a pool dies with its session (e.g. a window
    closed mid-solve), so the threads are kept alive here instead. Only bound methods of QObjects living on
    the GUI thread are connected to thread signals, so Qt queues those calls onto the GUI thread.
    """

    def __init__(self) -> None:
        super().__init__()
        self.running: dict[QThread, Worker] = {}

    def adopt(self, thread: QThread, worker: Worker) -> None:
        self.running[thread] = worker
        thread.finished.connect(self.reap)

    @Slot()
    def reap(self) -> None:
        thread = self.sender()
        if self.running.pop(thread, None) is not None:
            thread.wait()  # `finished` comes just before the thread really ends
            thread.deleteLater()


_reaper: _Reaper | None = None


def _the_reaper() -> _Reaper:
    global _reaper
    if _reaper is None:
        _reaper = _Reaper()
    return _reaper


def wait_for_running(timeout_ms: int = 30_000) -> bool:
    """At exit: wait for jobs that ignore cancel (a model half loaded), so no running thread is destroyed.

    Returns whether every thread ended in time.
    """
    return all(thread.wait(timeout_ms) for thread in list(_the_reaper().running))


class WorkerPool(QObject):
    """Starts each worker on its own QThread; can cancel and wait for the ones it started."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._started: list[tuple[QThread, Worker]] = []

    def start(self, worker: Worker) -> Worker:
        thread = QThread()
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.done.connect(thread.quit)
        _the_reaper().adopt(thread, worker)
        self._started = [(t, w) for t, w in self._started if t in _the_reaper().running] + [(thread, worker)]
        thread.start()
        return worker

    @property
    def busy(self) -> bool:
        return any(thread in _the_reaper().running for thread, _ in self._started)

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """Cancel every job and wait for the threads (on window close, so no thread outlives the app)."""
        for thread, worker in self._started:
            if thread in _the_reaper().running:
                worker.cancel()
                thread.quit()
                thread.wait(timeout_ms)
