"""The History tab: every stored solve (its problem drawn with the math rendered), searchable, re-openable,
exportable with the teacher's marks and comments (Markdown, HTML, JSONL; oldest first)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tutor.app import export, jobs
from tutor.app.qt_models import HistoryTableModel
from tutor.app.session import Session
from tutor.errors import StepwiseError

SEARCH_DELAY_MS = 200


class HistoryView(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.search = QLineEdit(placeholderText="Search problems and answers…")
        self.search.setClearButtonEnabled(True)
        self.model = HistoryTableModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().hide()
        self.open_button = QPushButton("Open")
        self.export_buttons = {fmt: QPushButton(f"Export {label}…") for fmt, label in export.FORMATS.items()}
        self.status = QLabel()

        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addStretch()
        for button in self.export_buttons.values():
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)

        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._search_timer.start)
        self.table.doubleClicked.connect(lambda index: self.open_row(index.row()))
        self.open_button.clicked.connect(self.open_selected)
        for fmt, button in self.export_buttons.items():
            button.clicked.connect(lambda _=False, fmt=fmt: self.export_dialog(fmt))
        session.history_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        if self.session.store is None:
            self.status.setText("History is unavailable: the store could not be opened.")
            return
        try:
            rows = jobs.list_solves(self.session.store, self.search.text().strip())
        except StepwiseError as exc:
            self.session.error.emit(str(exc))
            return
        self.model.set_rows(rows)
        self.status.setText(f"{len(rows)} solved problem(s)" + (" matching" if self.search.text().strip() else ""))

    def selected_rows(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return rows or list(range(self.model.rowCount()))

    def open_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        if rows:
            self.open_row(rows[0])

    def open_row(self, row: int) -> None:
        self.session.open_from_history(self.model.row(row).id)

    def export_dialog(self, fmt: str) -> None:
        suffix = export.SUFFIXES[fmt]
        path, _ = QFileDialog.getSaveFileName(self, "Export history", f"stepwise-history{suffix}",
                                              f"{export.FORMATS[fmt]} (*{suffix})")
        if path:
            self.export_to(Path(path), fmt)

    def export_to(self, path: Path, fmt: str) -> Path | None:
        """Export the selected solves (all listed ones when none is selected) to `path`."""
        rows = [self.model.row(row) for row in self.selected_rows()]
        try:
            marks = jobs.marks_by_solve(self.session.store, [row.id for row in rows])
            export.write(path, fmt, rows, marks)
        except (OSError, StepwiseError) as exc:
            self.session.error.emit(f"Could not export to {path}: {exc}")
            return None
        self.status.setText(f"Exported {len(rows)} solve(s) to {path}")
        return path
