"""The Models tab: the model catalog, downloads with progress (speed, time left, Cancel), and the downloads
on this computer (use, delete), plus "Add from the Hub" for any repository and a Hub token for gated ones.

Widgets don't compute: the library calls (`tutor.hub`) run as the plain job functions below inside
`Worker`s, which report `DownloadProgress` objects; the table is a `ListTableModel` over `ModelRow`s.
`use_model(path)` asks the window to load a downloaded model (the Settings tab validates and loads it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tutor.app.qt_models import Column, ListTableModel
from tutor.app.session import Session
from tutor.app.workers import Worker, WorkerPool

Report = Callable[[Any], None]


# -- jobs (plain functions run in Workers; no Qt) --------------------------------------------------------
def load_overview(*, report: Report, cancel: threading.Event) -> Any:
    from tutor.hub.overview import overview

    return overview()


def download_model(reference: str, filename: str | None = None, *, report: Report, cancel: threading.Event) -> Any:
    from tutor.hub.download import pull

    return pull(reference, filename=filename or None, report=report, cancel=cancel)


def delete_model(model_id: str, *, report: Report, cancel: threading.Event) -> list:
    from tutor.hub.registry import remove

    return remove(model_id)


def save_hub_token(token: str, *, report: Report, cancel: threading.Event) -> str:
    from tutor.hub.remote import save_token

    return save_token(token)


def tidy_path(path: Any) -> str:
    """A path as a person reads it: the home folder written as ~."""
    from pathlib import Path

    path, home = Path(path), Path.home()
    return "~/" + str(path.relative_to(home)) if path.is_relative_to(home) else str(path)


def human_bytes(n: float) -> str:
    from tutor.hub.download import human_bytes as fmt

    return fmt(n)


# -- the table -------------------------------------------------------------------------------------------
class CatalogTableModel(ListTableModel):
    """ModelRows: the catalog first (★ = recommended here), then models added from the Hub."""

    columns = (
        Column("Model", lambda r: ("★ " if r.recommended else "") + r.name),
        Column("Size", lambda r: human_bytes(r.size_bytes) if r.size_bytes else "", align_right=True),
        Column("Memory", lambda r: f"{r.entry.ram_gb:g} GB" if r.entry else "", align_right=True),
        Column("Licence", lambda r: r.entry.license if r.entry else ""),
        Column("Model card reports", lambda r: r.figures),
        Column("Status", lambda r: r.status),
    )

    def background(self, row: Any) -> QColor | None:
        if row.installed is not None:
            return QColor("#e3f4e1")
        return QColor("#fff5d6") if row.partial_bytes else None


def confirm_delete(parent: QWidget, name: str) -> bool:
    """Ask before deleting a download (tests replace this)."""
    answer = QMessageBox.question(parent, "Delete model", f"Delete the downloaded files of {name}?")
    return answer == QMessageBox.StandardButton.Yes


class CatalogView(QWidget):
    use_model = Signal(str)  # a downloaded model's path, to load as the tutor's model
    overview_loaded = Signal(object)
    download_finished = Signal(object)  # InstalledModel

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.pool = WorkerPool(self)
        self.overview: Any = None
        self._download: Worker | None = None
        self._select_after_refresh: str | None = None
        self._deleting = ""

        self.recommendation = QLabel("Looking at this computer…")
        self.recommendation.setWordWrap(True)
        self.model = CatalogTableModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(CatalogTableModel.columns)):
            self.table.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().hide()
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setOpenExternalLinks(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.download_button = QPushButton("Download")
        self.cancel_button = QPushButton("Cancel download")
        self.use_button = QPushButton("Use this model")
        self.delete_button = QPushButton("Delete")
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress_label = QLabel()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.where = QLabel()
        self.where.setWordWrap(True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.repo_id = QLineEdit(placeholderText="owner/name of any model repository on huggingface.co")
        self.repo_file = QLineEdit(placeholderText="file (optional: a 4-bit GGUF is picked, or the model folder)")
        self.add_button = QPushButton("Add from the Hub")
        self.token = QLineEdit(placeholderText="access token for gated or private models (hf_…)")
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_button = QPushButton("Save token")

        buttons = QHBoxLayout()
        for button in (self.download_button, self.cancel_button, self.use_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch()
        hub_box = QGroupBox("Add from the Hub")
        hub = QVBoxLayout(hub_box)
        repo_row = QHBoxLayout()
        repo_row.addWidget(self.repo_id, 2)
        repo_row.addWidget(self.repo_file, 2)
        repo_row.addWidget(self.add_button)
        token_row = QHBoxLayout()
        token_row.addWidget(self.token, 4)
        token_row.addWidget(self.token_button)
        hub.addLayout(repo_row)
        hub.addLayout(token_row)
        layout = QVBoxLayout(self)
        layout.addWidget(self.recommendation)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.status)
        layout.addWidget(hub_box)
        layout.addWidget(self.where)

        self.table.selectionModel().currentRowChanged.connect(lambda current, _prev: self._show_row(current))
        self.download_button.clicked.connect(self.download_selected)
        self.cancel_button.clicked.connect(self.cancel_download)
        self.use_button.clicked.connect(self.use_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.add_button.clicked.connect(self.add_from_hub)
        self.token_button.clicked.connect(self.save_token)
        self._set_downloading(False)
        self.refresh()

    # -- listing ---------------------------------------------------------------------------------------
    def refresh(self, select_id: str | None = None) -> Worker:
        self._select_after_refresh = select_id
        worker = Worker(load_overview)
        # Only bound methods of this GUI-thread object: Qt then queues the calls onto the GUI thread
        # (a lambda would run on the worker's thread and touch widgets from there).
        worker.finished.connect(self._show_overview)
        worker.failed.connect(self._fail)
        return self.pool.start(worker)

    def _show_overview(self, view: Any) -> None:
        current = self.selected()
        keep = self._select_after_refresh or (current.id if current else view.recommended_id)
        self._select_after_refresh = None
        self.overview = view
        self.model.set_rows(view.rows)
        self.recommendation.setText(f"★ {view.recommendation}")
        self.where.setText(f"Downloaded models live in {tidy_path(view.models_dir)} (one folder per model).")
        for i, row in enumerate(view.rows):
            if row.id == keep:
                self.table.selectRow(i)
        self._show_row(self.table.currentIndex())
        self.overview_loaded.emit(view)

    def selected(self) -> Any:
        index = self.table.currentIndex()
        return self.model.row(index.row()) if index.isValid() and index.row() < self.model.rowCount() else None

    def select(self, model_id: str) -> None:
        for i, row in enumerate(self.model.rows):
            if row.id == model_id:
                self.table.selectRow(i)

    def _show_row(self, index: QModelIndex) -> None:
        row = self.model.row(index.row()) if index.isValid() else None
        downloading = self._download is not None
        self.download_button.setEnabled(row is not None and row.installed is None and not downloading)
        if row is not None and row.partial_bytes:
            self.download_button.setText("Resume download")
        else:
            size = f" ({human_bytes(row.size_bytes)})" if row is not None and row.size_bytes else ""
            self.download_button.setText("Download" + size)
        self.use_button.setEnabled(row is not None and row.installed is not None)
        self.delete_button.setEnabled(row is not None and (row.installed is not None or row.partial_bytes > 0)
                                      and not downloading)
        if row is None:
            self.details.setText("")
            return
        lines = [f"<b>{row.name}</b>" + (f" — {row.entry.summary}" if row.entry else "")]
        if row.entry is not None:
            e = row.entry
            lines.append(f"{e.repo_id} · {e.filename or 'model folder'} · {e.quantization} · {e.license} · "
                         f"chat template: {'yes' if e.chat_template else 'no'}")
            lines.append(f"Model card reports: {e.figures()} ({e.figures_note}). "
                         f"<a href='{e.card_url}'>Model card</a>")
            if not e.trained_verifier:
                lines.append("Not trained as a verifier: its own scores of solutions are weak, so the tutor ranks "
                             "its answers by majority vote, with the direct computation and the arithmetic check.")
        if row.installed is not None:
            m = row.installed
            lines.append(f"Downloaded {m.downloaded_at[:10]} from {m.source} ({m.repo_id} at {m.revision[:10]}): "
                         f"{tidy_path(m.path)}")
        elif row.partial_bytes:
            lines.append(f"{human_bytes(row.partial_bytes)} already downloaded; Resume download continues.")
        self.details.setText("<br>".join(lines))

    # -- downloading -----------------------------------------------------------------------------------
    def download_selected(self) -> Worker | None:
        row = self.selected()
        return None if row is None else self.start_download(row.id)

    def add_from_hub(self) -> Worker | None:
        repo = self.repo_id.text().strip()
        if repo.count("/") != 1:
            self._show_status("Type a repository id such as owner/name.", error=True)
            return None
        return self.start_download(repo, self.repo_file.text().strip() or None)

    def start_download(self, reference: str, filename: str | None = None) -> Worker | None:
        if self._download is not None:
            self._show_status("One download at a time: wait for this one, or cancel it.", error=True)
            return None
        worker = Worker(download_model, reference, filename)
        worker.progress.connect(self._on_progress)
        worker.finished.connect(self._on_downloaded)
        worker.failed.connect(self._on_download_failed)
        worker.done.connect(self._on_download_done)
        self._download = worker
        self._set_downloading(True)
        self.progress.setRange(0, 0)  # busy until the size is known
        self._show_status(f"Starting the download of {reference}…")
        return self.pool.start(worker)

    def cancel_download(self) -> None:
        if self._download is not None:
            self._download.cancel()
            self.progress_label.setText("Cancelling…")

    def _on_download_done(self) -> None:
        self._set_downloading(False)

    def _set_downloading(self, downloading: bool) -> None:
        if not downloading:
            self._download = None
        self.cancel_button.setEnabled(downloading)
        self.add_button.setEnabled(not downloading)
        self.progress.setVisible(downloading)
        self._show_row(self.table.currentIndex())

    def _on_progress(self, p: Any) -> None:
        if p.total_bytes:
            scale = max(1, p.total_bytes // 1_000_000_000 + 1)  # keep QProgressBar within int range
            self.progress.setRange(0, p.total_bytes // scale)
            self.progress.setValue(p.done_bytes // scale)
        self.progress_label.setText(p.describe())
        if p.stage in ("retrying", "verifying"):
            self._show_status(p.message)
        elif p.stage == "downloading" and not self.status.text().startswith("Downloading"):
            self._show_status(f"Downloading {p.file}: Cancel keeps what arrived, and the download resumes later.")

    def _on_downloaded(self, model: Any) -> None:
        self._show_status(f"{model.name or model.id} is downloaded and verified: select it and press Use this "
                          "model.")
        self.progress_label.setText("")
        self.session.info.emit(f"Downloaded {model.name or model.id}.")
        self.refresh(select_id=model.catalog_id or model.id)
        self.download_finished.emit(model)

    def _on_download_failed(self, message: str) -> None:
        self.progress_label.setText("")
        self._fail(message)
        self.refresh()

    # -- using, deleting, token ------------------------------------------------------------------------
    def use_selected(self) -> None:
        row = self.selected()
        if row is not None and row.path is not None:
            self._show_status(f"Loading {row.name}…")
            self.use_model.emit(str(row.path))

    def delete_selected(self) -> Worker | None:
        row = self.selected()
        if row is None or not confirm_delete(self, row.name):
            return None
        if row.path is not None and str(row.path) == self.session.settings.model_path:
            self._show_status(f"{row.name} is the model in use: choose another one first.", error=True)
            return None
        self._deleting = row.name
        worker = Worker(delete_model, row.id)
        worker.finished.connect(self._on_deleted)
        worker.failed.connect(self._fail)
        return self.pool.start(worker)

    def _on_deleted(self, _removed: object) -> None:
        self._show_status(f"Deleted {self._deleting}.")
        self.refresh()

    def save_token(self) -> Worker:
        worker = Worker(save_hub_token, self.token.text())
        worker.finished.connect(self._on_token_saved)
        worker.failed.connect(self._fail)
        self.token.clear()
        return self.pool.start(worker)

    def _on_token_saved(self, where: object) -> None:
        self._show_status(f"Token saved in {where}; never in Stepwise's settings.")

    def _fail(self, message: str) -> None:
        self._show_status(message, error=True)
        self.session.error.emit(message)

    def _show_status(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #b00020;" if error else "")

    def shutdown(self) -> None:
        self.pool.shutdown()
