"""The Review tab (teachers): every cluster ranked, each member solution readable, marks into the store.

Select a cluster to list its members (best verifier score first), select a member to read it with math
rendered; mark the solution or the whole cluster correct/incorrect with an optional comment. Marks go to
the store and become labelled data for retraining the verifier.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tutor.app import math_render, present
from tutor.app.jobs import SolvedProblem
from tutor.app.qt_models import ClusterRow, ClusterTableModel
from tutor.app.session import Session
from tutor.app.solve_view import math_browser


class ReviewView(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.summary = math_browser(40)
        self.summary.setMaximumHeight(84)
        self.summary.setHtml("<p>Solve a problem (or open one from History) to review its samples.</p>")
        self.clusters = ClusterTableModel()
        self.cluster_table = QTableView()
        self.cluster_table.setModel(self.clusters)
        self.cluster_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.cluster_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.cluster_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.cluster_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.cluster_table.verticalHeader().hide()
        self.members = QListWidget()
        self.members.setWordWrap(True)  # a long row wraps: its verdict and comment are never cut off
        self.members.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.members.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.solution_view = math_browser(120)
        self.comment = QLineEdit(placeholderText="Optional comment (why it is right or wrong)")
        self.mark_solution_correct = QPushButton("Solution correct")
        self.mark_solution_incorrect = QPushButton("Solution incorrect")
        self.mark_cluster_correct = QPushButton("Whole cluster correct")
        self.mark_cluster_incorrect = QPushButton("Whole cluster incorrect")
        self.mark_status = QLabel()

        members_panel = QWidget()
        members_layout = QVBoxLayout(members_panel)
        members_layout.setContentsMargins(0, 0, 0, 0)
        members_layout.addWidget(QLabel("Solutions in the selected cluster (best verifier score first):"))
        members_layout.addWidget(self.members)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(members_panel)
        lower.addWidget(self.solution_view)
        lower.setStretchFactor(1, 2)
        upper = QSplitter(Qt.Orientation.Vertical)
        upper.addWidget(self.cluster_table)
        upper.addWidget(lower)
        upper.setSizes([200, 420])
        marks = QGridLayout()
        marks.addWidget(self.comment, 0, 0, 1, 4)
        for column, button in enumerate((self.mark_solution_correct, self.mark_solution_incorrect,
                                         self.mark_cluster_correct, self.mark_cluster_incorrect)):
            marks.addWidget(button, 1, column)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(upper, 1)
        layout.addLayout(marks)
        layout.addWidget(self.mark_status)

        self.cluster_table.selectionModel().currentRowChanged.connect(lambda current, _: self._show_cluster(current.row()))
        self.members.currentRowChanged.connect(self._show_member)
        self.mark_solution_correct.clicked.connect(lambda: self.mark_solution(True))
        self.mark_solution_incorrect.clicked.connect(lambda: self.mark_solution(False))
        self.mark_cluster_correct.clicked.connect(lambda: self.mark_cluster(True))
        self.mark_cluster_incorrect.clicked.connect(lambda: self.mark_cluster(False))
        session.solve_finished.connect(self.show_result)
        session.info.connect(self._show_status)
        self._set_mark_buttons()

    def show_result(self, solved: SolvedProblem) -> None:
        result = solved.result
        self.clusters.set_rows(ClusterRow.from_result(result))
        unanswered = len(result.unanswered)
        counts = (f"{len(result.samples)} samples, {len(result.clusters)} answer clusters, {unanswered} without "
                  f"an answer; strategy {result.strategy}.")
        summary = math_render.render_html(result.problem)
        summary.html += f"<p>{html.escape(counts)}</p>"
        summary.install(self.summary.document())
        self.members.clear()
        self.solution_view.clear()
        self.mark_status.clear()
        if self.clusters.rowCount():
            self.select_cluster(0)
        self._set_mark_buttons()

    def _show_status(self, message: str) -> None:
        self.mark_status.setText(math_render.render_html(message).with_data_uris())  # "cluster \frac{3}{4}" drawn

    def select_cluster(self, row: int) -> None:
        index = self.clusters.index(row, 0)
        self.cluster_table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)

    def _show_cluster(self, row: int) -> None:
        self.members.clear()
        if row < 0 or self.session.current is None:
            return
        samples = self.session.current.result.samples_by_index
        cluster = self.clusters.row(row)
        verdicts = self.session.verdicts()
        cluster_mark = verdicts.get(("cluster", cluster.answer)) if cluster.answer is not None else None
        for index in cluster.members:
            own = verdicts.get(("sample", index))
            row_text = present.review_row(samples[index], own or cluster_mark, whole_cluster=own is None)
            item = QListWidgetItem(row_text)
            item.setToolTip(row_text)
            item.setData(Qt.ItemDataRole.UserRole, index)
            self.members.addItem(item)
        self.members.setCurrentRow(0)
        self._set_mark_buttons()

    def _show_member(self, row: int) -> None:
        sample_index = self.selected_sample()
        if sample_index is None or self.session.current is None:
            self.solution_view.clear()
        else:
            sample = self.session.current.result.samples_by_index[sample_index]
            warnings = [math_render.render_html(f"⚠ {step.message}") for step in sample.false_steps]
            parts = [math_render.render_html(sample.text), *warnings]
            verdicts = self.session.verdicts()
            mark = verdicts.get(("sample", sample_index)) or verdicts.get(("cluster", sample.answer))
            if mark is not None:  # the teacher's verdict and comment, read again with the solution
                parts.append(math_render.render_html(f"Teacher: {present.mark_line(mark)}"))
            math_render.merge(parts).install(self.solution_view.document())
        self._set_mark_buttons()

    def selected_sample(self) -> int | None:
        item = self.members.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def selected_cluster(self) -> ClusterRow | None:
        row = self.cluster_table.selectionModel().currentIndex().row()
        return self.clusters.row(row) if 0 <= row < self.clusters.rowCount() else None

    def _set_mark_buttons(self) -> None:
        stored = self.session.current is not None and self.session.current.solve_id is not None
        self.mark_solution_correct.setEnabled(stored and self.selected_sample() is not None)
        self.mark_solution_incorrect.setEnabled(stored and self.selected_sample() is not None)
        cluster = self.selected_cluster()
        is_cluster = cluster is not None and cluster.answer is not None  # not the "no final answer" row
        self.mark_cluster_correct.setEnabled(stored and is_cluster)
        self.mark_cluster_incorrect.setEnabled(stored and is_cluster)

    def mark_solution(self, correct: bool) -> None:
        if self.session.mark(correct, self.comment.text().strip(), sample_index=self.selected_sample()):
            self._after_mark()

    def mark_cluster(self, correct: bool) -> None:
        cluster = self.selected_cluster()
        if cluster is not None and self.session.mark(correct, self.comment.text().strip(), cluster_answer=cluster.answer):
            self._after_mark()

    def _after_mark(self) -> None:
        """Clear the comment and relist the members with their new verdicts, keeping the selection."""
        self.comment.clear()
        member_row = self.members.currentRow()
        cluster = self.cluster_table.selectionModel().currentIndex().row()
        self._show_cluster(cluster)
        self.members.setCurrentRow(max(0, member_row))
