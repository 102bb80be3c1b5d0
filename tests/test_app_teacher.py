"""What a teacher meets (issue 23 items 7 and 8): Review rows read whole, with the verdict first and the
comment shown again; History draws problems with their math; exports carry marks, comments and dates,
oldest first.

Run: python -m pytest tests/test_app_teacher.py -q   (offscreen, scripted model)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from app_fakes import OTHER, PROBLEM, RIGHT, SCRIPT, WRONG, ScriptedGenerator, ScriptedVerifier
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics, QPixmap
from PySide6.QtWidgets import QApplication

from tutor.app import present
from tutor.app.session import Session
from tutor.app.settings import AppSettings
from tutor.app.window import MainWindow
from tutor.store import Store

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture
def store():
    with Store() as store:
        yield store


@pytest.fixture
def window(qtbot, store):
    session = Session(AppSettings(n=len(SCRIPT), k=3, adaptive=False), store)  # every scripted solution
    session.set_model(ScriptedGenerator(), ScriptedVerifier())
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()


def solve(qtbot, window, problem: str = PROBLEM):
    window.solve_view.editor.setPlainText(problem)
    with qtbot.waitSignal(window.session.solve_finished, timeout=20_000) as blocker:
        window.solve_view.solve()
    return blocker.args[0]


def screenshot(window, name: str) -> None:
    QApplication.processEvents()
    ARTIFACTS.mkdir(exist_ok=True)
    assert window.grab().save(str(ARTIFACTS / f"{name}.png"))


def shown_whole(members, row: int) -> bool:
    """Whether the list draws row `row`'s whole text (wrapped), not an elided part of it."""
    item = members.item(row)
    rect = members.visualItemRect(item)
    needed = QFontMetrics(members.font()).boundingRect(0, 0, rect.width() - 8, 10_000,
                                                       int(Qt.TextFlag.TextWordWrap), item.text())
    return rect.height() >= needed.height() and members.wordWrap()


def test_review_rows_read_whole_with_the_verdict_first_and_the_comment_shown_again(qtbot, window, store):
    # No direct computation, so every cluster is scored (with one, only the winning cluster is).
    window.session.settings = AppSettings(n=len(SCRIPT), k=3, adaptive=False, symbolic_check=False)
    solved = solve(qtbot, window)
    window.resize(760, 700)  # a narrow window: a long row must wrap, not be cut
    window.tabs.setCurrentWidget(window.review_view)
    review = window.review_view
    review.select_cluster(2)  # 1/6, from "1/2 - 1/4 = 1/6": a false step the step check discounted
    row = review.members.item(0).text()
    assert "S_cls" not in row
    assert "verifier 0.10, lowered for 1 false step" in row, "the typed fields, in words a teacher reads"
    review.comment.setText("subtracts instead of adding, and then computes 1/2 - 1/4 wrongly as well")
    review.mark_solution_incorrect.click()
    row = review.members.item(0).text()
    assert row.startswith("✗ incorrect · #"), "the verdict comes first: it is never the part cut off"
    assert row.endswith("\n“subtracts instead of adding, and then computes 1/2 - 1/4 wrongly as well”")
    QApplication.processEvents()
    assert shown_whole(review.members, 0)
    assert "Teacher: ✗ incorrect: solution #" in review.solution_view.toPlainText()
    assert "subtracts instead of adding" in review.solution_view.toPlainText(), "the comment is read again"

    review.select_cluster(0)
    review.comment.setText("right")
    review.mark_cluster_correct.click()
    rows = [review.members.item(i).text() for i in range(review.members.count())]
    assert all(text.startswith("✓ correct (whole cluster) · #") and text.endswith("“right”") for text in rows)
    window.resize(1100, 780)
    review.select_cluster(2)
    screenshot(window, "review-marks")  # docs/screenshots/review.png

    window.session.open_from_history(solved.solve_id)  # opened again later: the marks are still there
    review.select_cluster(2)
    assert review.members.item(0).text().startswith("✗ incorrect · #")


@pytest.mark.parametrize("sample, words", [
    (dict(score=0.9, verifier_score=0.9, wrong_steps=0), "#1 — verifier 0.90 · 40 tokens"),
    (dict(score=0.001, verifier_score=0.1, wrong_steps=1), "#1 — score 0.00 (verifier 0.10, lowered for 1 false step) · 40 tokens"),
    (dict(score=0.1, verifier_score=0.1, wrong_steps=2), "#1 — verifier 0.10 · 2 false steps · 40 tokens"),
    (dict(score=None, verifier_score=None, wrong_steps=0, finish_reason="length"),
     "#1 — not scored · 40 tokens · cut off at the token limit"),
])
def test_review_row_words(sample, words):
    from types import SimpleNamespace

    fields = dict(index=0, n_tokens=40, finish_reason="stop") | sample
    assert present.review_row(SimpleNamespace(**fields)) == words


def test_history_draws_problems_with_their_math(qtbot, window):
    solve(qtbot, window)
    model = window.history_view.model
    problem = model.index(0, 1)
    assert isinstance(model.data(problem, Qt.ItemDataRole.DecorationRole), QPixmap)
    assert model.data(problem, Qt.ItemDataRole.DisplayRole) is None, "no raw LaTeX in the list"
    assert model.data(problem, Qt.ItemDataRole.ToolTipRole) == PROBLEM


def test_a_long_problem_is_clipped_between_formulas():
    text = "Find $x$ such that " + "$\\frac{1}{2} + x$ and " * 20 + "more."
    clipped = present.clip_math_text(text, 60)
    assert clipped.endswith("…") and len(clipped) <= 61
    assert clipped.count("$") % 2 == 0, "no formula is cut in half"
    assert present.clip_math_text("Short $x$.") == "Short $x$."


def test_exports_carry_marks_comments_and_dates_oldest_first(qtbot, window, store, tmp_path):
    first = solve(qtbot, window)
    window.session.set_model(ScriptedGenerator([RIGHT, WRONG, OTHER]), ScriptedVerifier())
    second = solve(qtbot, window, "Compute $\\frac{1}{2} + \\frac{1}{4}$ again, please.")
    window.session.open_from_history(first.solve_id)
    review = window.review_view
    review.select_cluster(1)  # 2/6
    review.comment.setText("adds denominators")
    review.mark_solution_incorrect.click()
    history = window.history_view
    history.refresh()

    markdown = history.export_to(tmp_path / "h.md", "markdown").read_text()
    assert "_2 solved problems, oldest first._" in markdown
    assert markdown.index("## Problem 1 (solved ") < markdown.index("again, please") , "oldest first"
    assert "## Problem 2 (solved " in markdown and f"history #{second.solve_id}" in markdown
    assert "✗ incorrect: solution #" in markdown and "— “adds denominators” (marked 20" in markdown
    html = history.export_to(tmp_path / "h.html", "html").read_text()
    assert "oldest first" in html and "adds denominators" in html and "Teacher: ✗ incorrect" in html
    assert html.index("Problem 1 <small>(solved ") < html.index("Problem 2 <small>")
    records = [json.loads(line) for line in history.export_to(tmp_path / "h.jsonl", "jsonl").read_text().splitlines()]
    assert [r["id"] for r in records] == [first.solve_id, second.solve_id]
    assert records[0]["marks"][0]["comment"] == "adds denominators" and records[1]["marks"] == []
