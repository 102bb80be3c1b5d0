"""Starting the desktop app: first-run preparation, then the window (`tutor` with no arguments calls `launch`).

First run (and every run) needs no setting: the data folder is platformdirs' user data dir (or
`$STEPWISE_HOME`), the bundled model is `paths.bundled_model_dir()` (inside a PyInstaller bundle that is
under `sys._MEIPASS`), and the history database is opened through `tutor.store.recovery`: a missing file
is created, an old one is backed up and migrated by the store, and a damaged one is moved aside to
`stepwise.sqlite.corrupt-<timestamp>` and replaced by a fresh one — the window then says so in the status
bar.

Smoke mode, for the packaged bundle's test and for measuring cold start: with `STEPWISE_SMOKE="What is
2 + 3?"` in the environment the app opens its window as usual, waits for the model, solves that problem
through the GUI session, prints one JSON line per milestone to stdout and exits (0 on an answer, 1 on an
error). Each line carries `seconds` since the process started:

    {"smoke": "window", "seconds": 1.9}
    {"smoke": "model", "seconds": 2.4, "name": "..."}
    {"smoke": "answer", "seconds": 5.0, "answer": "5", "confidence": 0.93}

On Linux the X11 libraries Qt needs are checked before Qt starts (`display_libraries`): a missing one is
named, with its Debian package, in one sentence on stderr, and the app exits 1 instead of Qt aborting.

Run it: `QT_QPA_PLATFORM=offscreen STEPWISE_SMOKE="What is 2 + 3?" tutor`; with
`STEPWISE_SMOKE_SCREENSHOT=solve.png` it also saves the window showing the answer before it exits.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from tutor import paths
from tutor.app import display_libraries
from tutor.errors import StepwiseError

log = logging.getLogger(__name__)

SMOKE_ENV = "STEPWISE_SMOKE"
SCREENSHOT_ENV = "STEPWISE_SMOKE_SCREENSHOT"  # smoke mode: save the window with its answer here (PNG)


@dataclass
class Startup:
    """What first-run preparation found, for the window to show once it is up."""

    data_dir: Path
    """The user data folder (created): history database, settings, runs."""
    bundled_model: Path
    """Where the default model is looked for (`paths.bundled_model_dir()`); loading reports a missing one."""
    notices: list[str] = field(default_factory=list)
    """Messages for the status bar once the window is up (e.g. a damaged database was moved aside)."""


def prepare() -> Startup:
    """Create the data folder and make sure the history database opens (recovering a damaged one).

    A refusal that is not damage (e.g. the file is locked by another program) is left for the window,
    which reports it when it opens the store itself; the app still starts.
    """
    from tutor.store.recovery import open_or_recover

    startup = Startup(paths.data_dir(), paths.bundled_model_dir())
    try:
        opened = open_or_recover()
    except StepwiseError as exc:
        log.warning("history database not usable at start: %s", exc)
    else:
        opened.store.close()
        if opened.notice:
            startup.notices.append(opened.notice)
    if not startup.bundled_model.exists():
        log.warning("bundled model missing at %s", startup.bundled_model)
    log.info("data in %s; bundled model %s", startup.data_dir, startup.bundled_model)
    return startup


def process_age() -> float:
    """Seconds since this process started (from /proc on Linux; since this module loaded elsewhere)."""
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        start_ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return max(0.0, uptime - start_ticks / ticks)
    except (OSError, ValueError, IndexError):
        return time.monotonic() - _LOADED_AT


_LOADED_AT = time.monotonic()


def _main_window() -> Any:
    from tutor.app.window import MainWindow

    shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    return shown[-1] if shown else None


class SmokeRun(QObject):
    """Drive one solve through the window's session and report milestones as JSON lines on stdout."""

    def __init__(self, window: Any, problem: str) -> None:
        super().__init__(window)
        self.window, self.problem, self.session = window, problem, window.session
        self.exit_code: int | None = None

    def start(self) -> None:
        self._report("window")
        self.session.model_failed.connect(self._fail)
        self.session.solve_failed.connect(self._fail)
        self.session.solve_finished.connect(self._answered)
        if self.session.generator is not None:
            self._model_ready(self.session.model_name)
        else:
            self.session.model_changed.connect(self._model_ready)

    def _model_ready(self, name: str) -> None:
        if not name or self.session.solving or self.exit_code is not None:
            return
        self._report("model", name=name)
        self.session.solve(self.problem)

    def _answered(self, solved: Any) -> None:
        result = solved.result
        self._report("answer", answer=result.answer, confidence=round(float(result.confidence), 4))
        QTimer.singleShot(0, self._screenshot_and_finish)  # after the views have drawn the result

    def _screenshot_and_finish(self) -> None:
        target = os.environ.get(SCREENSHOT_ENV, "").strip()
        if target:
            QApplication.processEvents()
            if not self.window.grab().save(target):
                self._report("error", message=f"could not save a screenshot to {target}")
                self._finish(1)
                return
        self._finish(0)

    def _fail(self, message: str) -> None:
        self._report("error", message=message)
        self._finish(1)

    def _finish(self, code: int) -> None:
        if self.exit_code is not None:
            return
        self.exit_code = code
        self.window.close()  # its closeEvent stops the workers; the last window closing ends the loop
        QApplication.exit(code)

    @staticmethod
    def _report(event: str, **fields: Any) -> None:
        print(json.dumps({"smoke": event, "seconds": round(process_age(), 3), **fields}), flush=True)


def _after_window_shown(startup: Startup) -> None:
    window = _main_window()
    if window is None:
        log.error("no main window to show start-up notices in: %s", startup.notices)
        return
    for notice in startup.notices:
        window.session.error.emit(notice)
    problem = os.environ.get(SMOKE_ENV, "").strip()
    if problem:
        window.smoke_run = SmokeRun(window, problem)
        window.smoke_run.start()


def app_icon() -> QIcon:
    """The window icon, from the PNG sizes in assets/icons (an empty icon if they are missing)."""
    icon = QIcon()
    for png in sorted((paths.ASSETS_DIR / "icons").glob("stepwise-*.png")):
        icon.addFile(str(png))
    return icon


def launch(model: str | None = None, argv: list[str] | None = None) -> int:
    """Prepare the first run, open the window (`tutor.app.main.run_app`) and run until it closes."""
    from tutor.app.main import run_app

    if QApplication.instance() is None and (problem := display_libraries.display_problem()):
        print(problem, file=sys.stderr)  # Qt would abort on its own, naming the plugin but not the library
        log.error("%s", problem)
        return 1
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setWindowIcon(app_icon())
    app.setDesktopFileName("stepwise")  # ties the window to packaging/stepwise.desktop on Wayland
    startup = prepare()
    QTimer.singleShot(0, lambda: _after_window_shown(startup))  # fires once run_app's loop is running
    return run_app(model=model, argv=argv)
