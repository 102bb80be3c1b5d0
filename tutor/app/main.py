"""Entry point of the desktop app: `tutor` (no arguments) or `python -m tutor.app.main [--model PATH]`.

Builds the QApplication, the session (settings, store, model) and the main window, starts loading the
model in the background, and runs the event loop. A store that cannot be opened, or a model that fails to
load, is reported in the status bar; the window still opens.
"""

from __future__ import annotations

import logging
import sys
import traceback

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from tutor.app import jobs, math_render, workers
from tutor.app.session import Session
from tutor.app.settings import load_settings
from tutor.app.window import MainWindow
from tutor.errors import StepwiseError

log = logging.getLogger(__name__)


def build_window(model: str | None = None, load_model: bool = True) -> MainWindow:
    """The ready window: settings from QSettings (`model` overrides the saved model for this session)."""
    settings, setting_notes = load_settings()
    if model:
        settings.model_path = str(model)
    store, store_error = None, None
    try:
        store = jobs.open_store()
    except StepwiseError as exc:
        store_error = f"History is off: {exc}"
    session = Session(settings, store)
    window = MainWindow(session)
    if store_error:
        session.error.emit(store_error)
    for note in setting_notes:  # a stored setting that was invalid fell back to its default
        session.error.emit(f"Settings: {note}")
    if load_model:
        # A saved model that no longer loads gives way to the bundled one (the status bar says so).
        session.load_model(settings.model_path, settings.device, settings.verifier_path, fallback=True)
    return window


def _install_excepthook(window: MainWindow) -> None:
    """An exception escaping a slot is a bug: keep the traceback in the log, tell the user, stay up."""

    def hook(kind, value, tb) -> None:
        log.error("unhandled exception:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        window.notifier.error(f"Internal error ({kind.__name__}: {value}); details are in the log.")

    sys.excepthook = hook


def run_app(model: str | None = None, argv: list[str] | None = None) -> int:
    """Open the window and run until it closes; returns the exit code."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("Stepwise")
    screen = app.primaryScreen()
    if screen is not None:
        math_render.set_scale(screen.devicePixelRatio())
    window = build_window(model)
    _install_excepthook(window)
    window.show()
    code = int(app.exec())
    # A Quit posted while the loop was ending (the last window closing) must not outlive it: processed by a
    # later event loop (tests, an embedding app) it would make every loop after it return at once.
    QCoreApplication.removePostedEvents(None, QEvent.Type.Quit)
    if not workers.wait_for_running():
        log.warning("a background job was still running at exit")
    return code


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="an HF model folder or a .gguf file (default: the saved setting)")
    from tutor.app.first_run import launch  # checks the display libraries first

    sys.exit(launch(parser.parse_args().model))
