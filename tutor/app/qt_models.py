"""Thin QAbstractTableModel adapters over plain Python lists: clusters, history rows, training runs.

Each model is a list of rows plus a tuple of `Column`s (header, how to read the cell, optional colour);
views replace the whole list with `set_rows` when the underlying data changes. No model computes anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap, QTextDocument

from tutor.app import math_render, present

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]
    align_right: bool = False
    math: bool = False
    """The value is LaTeX: drawn as a rendered formula (the source stays in the tooltip)."""
    rich: bool = False
    """The value is text with inline math (`$...$`): drawn as it reads, formulas rendered (source in the tooltip)."""


def fmt_score(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def fmt_time(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone().strftime("%Y-%m-%d %H:%M")
    return "" if value is None else str(value)


def formula_pixmap(tex: str) -> QPixmap | None:
    png = math_render.render_formula(tex)
    return None if png is None else QPixmap.fromImage(QImage.fromData(png, "PNG"))


RICH_WIDTH = 460  # px: a rendered problem wraps at this width in its table cell


@lru_cache(maxsize=1024)
def rich_pixmap(text: str, width: int = RICH_WIDTH) -> QPixmap:
    """Text with inline math drawn as the Solve tab shows it (formulas as images), wrapped at `width`."""
    document = QTextDocument()
    math_render.render_html(text).install(document)
    document.setDocumentMargin(2)
    document.setTextWidth(width)
    document.setTextWidth(min(width, document.idealWidth() + 4))
    image = QImage(int(document.size().width()), int(document.size().height()), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    document.drawContents(painter)
    painter.end()
    return QPixmap.fromImage(image)


class ListTableModel(QAbstractTableModel):
    """A read-only table over `rows`; subclasses declare `columns`."""

    columns: tuple[Column, ...] = ()

    def __init__(self, rows: Sequence[Any] = (), parent=None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = list(rows)

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, index: int) -> Any:
        return self._rows[index]

    @property
    def rows(self) -> list[Any]:
        return list(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section].header
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        column = self.columns[index.column()]
        row = self._rows[index.row()]
        if column.math and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole):
            pixmap = formula_pixmap(str(column.value(row)))
            if role == Qt.ItemDataRole.DecorationRole:
                return pixmap
            return column.value(row) if pixmap is None else None
        if column.rich and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole):
            return rich_pixmap(str(column.value(row))) if role == Qt.ItemDataRole.DecorationRole else None
        if role == Qt.ItemDataRole.DisplayRole:
            return column.value(row)
        if role == Qt.ItemDataRole.ToolTipRole and (column.math or column.rich):
            return column.value(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            return self.background(row)
        return None

    def background(self, row: Any) -> QColor | None:
        return None


class ClusterTableModel(ListTableModel):
    """RankedCluster rows of a SolveResult, in the strategy's rank order."""

    columns = (
        Column("Rank", lambda c: "—" if c.rank is None else c.rank, align_right=True),
        Column("Answer", lambda c: "\\text{(no final answer)}" if c.answer is None else c.answer, math=True),
        Column("Votes", lambda c: c.votes, align_right=True),
        Column("Best score", lambda c: fmt_score(c.max_score), align_right=True),
        Column("Mean score", lambda c: fmt_score(c.mean_score), align_right=True),
        Column("Re-ranked", lambda c: "—" if c.rank is None else ("yes" if c.in_top_k else "no (outside top-k)")),
    )

    def background(self, row: Any) -> QColor | None:
        return QColor("#e3f4e1") if row.rank == 1 else None


@dataclass(frozen=True)
class ClusterRow:
    """A RankedCluster with its 1-based rank (the cluster itself knows only its position in a list)."""

    rank: int | None
    """1-based; None for the row gathering the samples without a final answer (in no cluster)."""
    answer: str | None
    votes: int
    max_score: float | None
    mean_score: float | None
    in_top_k: bool
    members: tuple[int, ...]

    @classmethod
    def from_result(cls, result: Any) -> list[ClusterRow]:
        rows = [cls(rank, c.answer, c.votes, c.max_score, c.mean_score, c.in_top_k, tuple(c.members))
                for rank, c in enumerate(result.clusters, start=1)]
        unanswered = result.unanswered
        if unanswered:  # readable and markable one by one, though they are in no cluster
            scores = [s.score for s in unanswered if s.score is not None]
            rows.append(cls(None, None, len(unanswered), max(scores, default=None),
                            sum(scores) / len(scores) if scores else None, False,
                            tuple(s.index for s in unanswered)))
        return rows


class HistoryTableModel(ListTableModel):
    """Stored solves, newest first; problems drawn with their math rendered, as answers are."""

    columns = (
        Column("When", lambda s: fmt_time(s.created_at)),
        Column("Problem", lambda s: present.clip_math_text(s.problem), rich=True),
        Column("Answer", lambda s: s.answer if s.answer is not None else "(none)", math=True),
        Column("Confidence", lambda s: "—" if s.confidence is None else f"{s.confidence:.0%}", align_right=True),
        Column("Model", lambda s: s.model or ""),
    )


class RunsTableModel(ListTableModel):
    """Training runs with the headline numbers of their latest evaluation."""

    columns = (
        Column("Run", lambda r: r.id, align_right=True),
        Column("Name", lambda r: r.name),
        Column("Status", lambda r: r.status),
        Column("Started", lambda r: fmt_time(r.created_at)),
        Column("Evaluation", lambda r: r.evaluation),
        Column("Output", lambda r: r.output_dir or ""),
    )

    def background(self, row: Any) -> QColor | None:
        return {"failed": QColor("#fbe3e3"), "crashed": QColor("#fbe3e3"), "running": QColor("#e8f0fe")}.get(row.status)
