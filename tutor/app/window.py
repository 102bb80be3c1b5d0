"""The main window: one tab per screen (Solve, Review, History, Settings, Models, Retrain) and a status bar that
shows every user-facing error (the one notifier), the loaded model, and passing information."""

from __future__ import annotations

import logging

from PySide6.QtCore import QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QStatusBar, QTabWidget

from tutor.app.catalog_view import CatalogView
from tutor.app.history_view import HistoryView
from tutor.app.retrain_view import RetrainView
from tutor.app.review_view import ReviewView
from tutor.app.session import Session
from tutor.app.settings_view import SettingsView
from tutor.app.solve_view import SolveView

log = logging.getLogger(__name__)
ERROR_SHOWN_MS = 20_000
INFO_SHOWN_MS = 6_000


class Notifier:
    """Routes messages to the status bar: errors in red and kept long, information briefly."""

    def __init__(self, status_bar: QStatusBar) -> None:
        self.status_bar = status_bar
        self.last_error = ""
        # Parented to the status bar so a pending reset dies with the window instead of firing into it.
        self._reset = QTimer(status_bar, singleShot=True)
        self._reset.timeout.connect(lambda: self.status_bar.setStyleSheet(""))

    def error(self, message: str) -> None:
        log.info("shown to user: %s", message)
        self.last_error = message
        self.status_bar.setStyleSheet("QStatusBar { color: #b00020; font-weight: bold; }")
        self.status_bar.showMessage(message, ERROR_SHOWN_MS)
        self._reset.start(ERROR_SHOWN_MS)

    def info(self, message: str) -> None:
        self.status_bar.setStyleSheet("")
        self.status_bar.showMessage(message, INFO_SHOWN_MS)


class MainWindow(QMainWindow):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.setWindowTitle("Stepwise — a math tutor that checks its own work")
        self.resize(1100, 780)
        self.tabs = QTabWidget()
        self.solve_view = SolveView(session)
        self.review_view = ReviewView(session)
        self.history_view = HistoryView(session)
        self.settings_view = SettingsView(session)
        self.retrain_view = RetrainView(session)
        self.catalog_view = CatalogView(session)
        self.catalog_view.use_model.connect(self.settings_view.model.choose)  # validated and loaded there
        for view, title in ((self.solve_view, "Solve"), (self.review_view, "Review"),
                            (self.history_view, "History"), (self.settings_view, "Settings"),
                            (self.catalog_view, "Models"), (self.retrain_view, "Retrain")):
            self.tabs.addTab(view, title)
        self.setCentralWidget(self.tabs)

        self.notifier = Notifier(self.statusBar())
        self.model_label = QLabel()
        self.statusBar().addPermanentWidget(self.model_label)
        session.error.connect(self.notifier.error)
        session.info.connect(self.notifier.info)
        session.model_changed.connect(self._show_model)
        session.solve_finished.connect(self._after_open)
        self._show_model(session.model_name)

    def _show_model(self, name: str) -> None:
        self.model_label.setText(f"Model: {name}" if name else "No model loaded")

    def _after_open(self, _solved: object) -> None:
        # A result re-opened from History is read on the Solve tab.
        if self.tabs.currentWidget() is self.history_view:
            self.tabs.setCurrentWidget(self.solve_view)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.retrain_view.shutdown()
        self.catalog_view.shutdown()
        self.session.shutdown()
        super().closeEvent(event)
