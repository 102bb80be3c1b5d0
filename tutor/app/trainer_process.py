"""The trainer as a child process (QProcess): `python -m trainer.cli run RECIPE ...`, never imported.

`TrainerProcess` starts it, passes its output on for the log view (nothing is read out of it: the run's
phases, progress and metrics come from the store, which the trainer writes) and cancels it the way Ctrl-C
would (SIGINT: the trainer finishes its step, checkpoints and records the run cancelled), killing it only if
it does not stop within `KILL_AFTER_MS`. The run it started is the one the store says this process claimed
(`Store.claim_run` records the trainer's pid).
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal

from tutor import paths

KILL_AFTER_MS = 15_000


def trainer_command(recipe: str) -> tuple[str, list[str]]:
    """The program and arguments that run the trainer in a fresh interpreter of this Python."""
    return sys.executable, ["-m", "trainer.cli", "run", recipe]


class TerminalLines:
    """Splits a terminal stream into lines the way a terminal shows them: text ended by a carriage return
    (a redrawn progress bar) is overwritten by the text that follows it."""

    def __init__(self) -> None:
        self._pending = ""
        self._overwrite = False

    def feed(self, data: str) -> list[tuple[str, bool]]:
        """The complete lines in `data`, each with whether it replaces the line shown before it."""
        out = []
        text = self._pending + data
        start = 0
        for index, char in enumerate(text):
            if char not in "\r\n":
                continue
            segment = text[start:index]
            start = index + 1
            if segment.strip():
                out.append((segment, self._overwrite))
                self._overwrite = char == "\r"
            elif char == "\n":
                self._overwrite = False
        self._pending = text[start:]
        return out

    def flush(self) -> list[tuple[str, bool]]:
        rest, self._pending = self._pending, ""
        return [(rest, self._overwrite)] if rest.strip() else []


class TrainerProcess(QObject):
    line = Signal(str, bool)  # an output line, and whether it redraws (replaces) the previous one
    finished = Signal(int, str)  # exit code, "finished" | "failed" | "cancelled"
    failed_to_start = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.process: QProcess | None = None
        self.cancelled = False
        self.pid: int | None = None
        """The trainer's process id (kept after it ends: the store knows its run by it)."""
        self.started_at: datetime | None = None
        """When the app started it (the run it claims is created after this)."""
        self._lines = TerminalLines()
        self._kill_timer = QTimer(self, singleShot=True, interval=KILL_AFTER_MS)
        self._kill_timer.timeout.connect(self._kill)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning

    def start(self, recipe: str) -> None:
        program, arguments = trainer_command(recipe)
        process = QProcess(self)
        environment = QProcessEnvironment.systemEnvironment()
        environment.insert("PYTHONUNBUFFERED", "1")
        environment.insert("STEPWISE_HOME", str(paths.data_dir()))
        process.setProcessEnvironment(environment)
        process.setWorkingDirectory(str(paths.REPO_ROOT))
        process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        process.readyReadStandardOutput.connect(self._read)
        process.started.connect(lambda: setattr(self, "pid", int(process.processId()) or None))
        process.finished.connect(self._finished)
        process.errorOccurred.connect(self._error)
        self.process, self.cancelled, self.pid, self._lines = process, False, None, TerminalLines()
        self.started_at = datetime.now(UTC) - timedelta(seconds=1)  # store times are whole microseconds, UTC
        process.start(program, arguments)

    def cancel(self) -> None:
        """Ask the trainer to stop like Ctrl-C does; kill it if it has not stopped in KILL_AFTER_MS."""
        if not self.running:
            return
        self.cancelled = True
        pid = self.process.processId()
        if hasattr(signal, "SIGINT") and os.name == "posix" and pid:
            os.kill(pid, signal.SIGINT)
        else:
            self.process.terminate()
        self._kill_timer.start()

    def _kill(self) -> None:
        if self.running:
            self.process.kill()

    def _read(self) -> None:
        data = bytes(self.process.readAllStandardOutput().data()).decode("utf-8", errors="replace")
        for text, overwrite in self._lines.feed(data):
            self.line.emit(text, overwrite)

    def _finished(self, exit_code: int, exit_status: QProcess.ExitStatus) -> None:
        self._kill_timer.stop()
        for text, overwrite in self._lines.flush():
            self.line.emit(text, overwrite)
        status = "cancelled" if self.cancelled else ("finished" if exit_code == 0 else "failed")
        self.finished.emit(exit_code, status)

    def _error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.failed_to_start.emit(f"The trainer could not start: {self.process.errorString()}")

    def shutdown(self) -> None:
        """On app exit: stop a running trainer and wait for it briefly (it checkpoints on SIGINT)."""
        if self.running:
            self.cancel()
            if not self.process.waitForFinished(KILL_AFTER_MS):
                self.process.kill()
                self.process.waitForFinished(2000)
