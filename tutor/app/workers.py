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


class WorkerPool(QObject):
    """Starts each worker on its own QThread and keeps both alive until the job ends."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: dict[Worker, QThread] = {}

    def start(self, worker: Worker) -> Worker:
        thread = QThread(self)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.done.connect(thread.quit)
        thread.finished.connect(lambda: self._forget(worker))
        self._running[worker] = thread
        thread.start()
        return worker

    def _forget(self, worker: Worker) -> None:
        thread = self._running.pop(worker, None)
        if thread is not None:
            thread.deleteLater()

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """Cancel every job and wait for the threads (on window close, so no thread outlives the app)."""
        for worker, thread in list(self._running.items()):
            worker.cancel()
            thread.quit()
            thread.wait(timeout_ms)
