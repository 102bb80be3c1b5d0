"""The trainer as a child process (QProcess): `python -m trainer.cli run RECIPE ...`, never imported.

`TrainerProcess` starts it, turns each output line into events with `parse_trainer_line` (a pure
function: tqdm bars give the phase and step, "run N" lines the run id) and cancels it the way Ctrl-C would
(SIGINT: the trainer finishes its step, checkpoints and marks the run cancelled), killing it only if it
does not stop within `KILL_AFTER_MS`.
"""

from __future__ import annotations

import os
import re
import signal
import sys
from dataclasses import dataclass

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal

from tutor import paths

KILL_AFTER_MS = 15_000

# The trainer's steps, as named on its progress bars; other bars (e.g. transformers' "Loading weights")
# are not training progress.
TRAINER_PHASES = ("ssft", "candidates", "evaluator", "multitask", "eval", "export")
# tqdm: "ssft:  45%|████▌     | 45/100 [00:03<00:04, 12.1it/s, loss=2.31]"
_TQDM = re.compile(r"(?P<phase>[\w.\- ]+?):\s+(?P<pct>\d+)%\|.*?\|\s*(?P<step>\d+)/(?P<total>\d+)")
_LOSS = re.compile(r"\bloss[=:]\s*(?P<loss>[-+0-9.eE]+)")
_RUN = re.compile(r"\brun(?:[ _]id)?[ #=:]+(?P<run>\d+)\b", re.I)
# Phase-name lines as logged by the trainer ("INFO trainer.ssft: phase ssft ...") mark a phase start.
_PHASE = re.compile(r"\bphase[ =:]+(?P<phase>[a-z_]+)\b", re.I)


@dataclass(frozen=True)
class TrainerEvent:
    """Something learned from one line of trainer output (fields not on the line are None)."""

    phase: str | None = None
    step: int | None = None
    total: int | None = None
    loss: float | None = None
    run_id: int | None = None


def parse_trainer_line(line: str) -> TrainerEvent | None:
    """The progress a trainer output line reports, or None for an ordinary log line."""
    found: dict = {}
    if match := _TQDM.search(line):
        if match["phase"].strip() not in TRAINER_PHASES:
            return None
        found.update(phase=match["phase"].strip(), step=int(match["step"]), total=int(match["total"]))
    elif match := _PHASE.search(line):
        found["phase"] = match["phase"]
    if match := _LOSS.search(line):
        try:
            found["loss"] = float(match["loss"])
        except ValueError:
            pass
    if match := _RUN.search(line):
        found["run_id"] = int(match["run"])
    return TrainerEvent(**found) if found else None


def trainer_command(recipe: str) -> tuple[str, list[str]]:
    """The program and arguments that run the trainer in a fresh interpreter of this Python."""
    return sys.executable, ["-m", "trainer.cli", "run", recipe]


class TrainerProcess(QObject):
    line = Signal(str)
    event = Signal(object)  # TrainerEvent
    finished = Signal(int, str)  # exit code, "finished" | "failed" | "cancelled"
    failed_to_start = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.process: QProcess | None = None
        self.cancelled = False
        self._partial = ""
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
        process.finished.connect(self._finished)
        process.errorOccurred.connect(self._error)
        self.process, self.cancelled, self._partial = process, False, ""
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
        # tqdm redraws with carriage returns: treat them as line ends so progress arrives live.
        text = (self._partial + data).replace("\r", "\n")
        *lines, self._partial = text.split("\n")
        for line in lines:
            if line.strip():
                self.line.emit(line)
                if (event := parse_trainer_line(line)) is not None:
                    self.event.emit(event)

    def _finished(self, exit_code: int, exit_status: QProcess.ExitStatus) -> None:
        self._kill_timer.stop()
        if self._partial.strip():
            self.line.emit(self._partial)
            self._partial = ""
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
