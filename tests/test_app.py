"""End-to-end tests of the desktop app, driving the real window offscreen with a scripted model.

Run: python -m pytest tests/test_app.py -q   (QT_QPA_PLATFORM=offscreen is set by tests/conftest.py)
Screenshots of every tab are saved to test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from app_fakes import PROBLEM, SCRIPT, ScriptedGenerator, ScriptedVerifier
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from tutor.app.session import Session
from tutor.app.settings import AppSettings, load_settings
from tutor.app.window import MainWindow
from tutor.store import Store

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
N = len(SCRIPT)


def screenshot(widget, name: str) -> Path:
    QApplication.processEvents()  # let posted layout requests run, or freshly set labels look clipped
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    assert widget.grab().save(str(path)), f"could not save {path}"
    return path


@pytest.fixture
def store():
    with Store() as store:
        yield store


def make_window(qtbot, store, generator=None, settings=None) -> MainWindow:
    # Fixed N, so every scripted solution is drawn (adaptive sampling has its own tests, and one here).
    session = Session(settings or AppSettings(n=N, k=3, adaptive=False), store)
    session.set_model(generator or ScriptedGenerator(), ScriptedVerifier())
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()  # shortcuts such as Ctrl+Enter go to the active window only
    qtbot.waitActive(window)
    return window


def solve_by_keyboard(qtbot, window: MainWindow, problem: str = PROBLEM, timeout: int = 20_000):
    view = window.solve_view
    view.editor.setFocus()
    qtbot.keyClicks(view.editor, problem)
    with qtbot.waitSignal(window.session.solve_finished, timeout=timeout) as blocker:
        qtbot.keyClick(view.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    return blocker.args[0]


def test_type_problem_ctrl_enter_shows_answer_and_confidence(qtbot, store):
    window = make_window(qtbot, store)
    view = window.solve_view
    solved = solve_by_keyboard(qtbot, window)

    result = solved.result
    assert result.answer == "\\frac{3}{4}"
    assert view.answer_view.accessibleDescription() == "Final answer: \\frac{3}{4}"
    assert view.answer_view.document().toPlainText().startswith("Answer:")
    assert f"{result.confidence:.0%}" in view.banner.text() and "Confidence" in view.banner.text()
    assert "5 of 8" in view.reason.text() or any("5" in reason for reason in result.reasons)
    steps = view.steps_view.document().toPlainText()
    assert "Step 1." in steps and "Step 4." in steps, "the winning solution is shown step by step"
    assert view.progress.value() == view.progress.maximum() == N
    assert view.thinking.toPlainText(), "the thinking area showed a streamed preview"
    assert not view.thinking.isVisible(), "after sampling the result gets the room"
    # the solve is in history, with its result
    rows = store.solves()
    assert len(rows) == 1 and rows[0].answer == "\\frac{3}{4}" and solved.solve_id == rows[0].id
    assert window.history_view.model.rowCount() == 1
    screenshot(window, "solve")


def test_event_loop_keeps_turning_while_solving(qtbot, store):
    window = make_window(qtbot, store, ScriptedGenerator(delay_s=0.2))  # sampling alone takes ~1.6 s
    ticks: list[float] = []
    timer = QTimer(interval=10)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    view = window.solve_view
    view.editor.setPlainText(PROBLEM)
    timer.start()
    with qtbot.waitSignal(window.session.solve_finished, timeout=20_000):
        view.solve()
        qtbot.waitUntil(lambda: view.progress.value() >= 3, timeout=10_000)
        assert view.thinking.isVisible() and view.thinking.toPlainText(), "the thinking view streams"
        assert view.stage_label.text().startswith("Sampling:")
    timer.stop()
    longest_gap = max(later - earlier for earlier, later in zip(ticks, ticks[1:]))
    # A GUI thread blocked by the solve would tick once or twice, with a gap as long as the solve (>1.6 s);
    # the bound leaves room for a loaded machine.
    assert len(ticks) >= 15 and longest_gap < 0.8, f"{len(ticks)} ticks, longest gap {longest_gap:.2f} s"


def test_cancel_stops_the_solve_and_the_app_stays_usable(qtbot, store):
    generator = ScriptedGenerator(delay_s=0.15)
    window = make_window(qtbot, store, generator)
    view = window.solve_view
    view.editor.setPlainText(PROBLEM)
    with qtbot.waitSignal(window.session.solve_progress, timeout=5000):
        view.solve_button.click()
    assert view.cancel_button.isEnabled() and not view.solve_button.isEnabled()
    qtbot.waitUntil(lambda: view.progress.value() >= 1, timeout=10_000)
    screenshot(window, "solve-progress")
    with qtbot.waitSignal(window.session.solve_finished, timeout=10_000) as blocker:
        view.cancel_button.click()
    assert blocker.args[0].result.cancelled
    assert "Cancelled" in view.stage_label.text() or "cancelled" in view.banner.text()
    assert view.solve_button.isEnabled() and not view.cancel_button.isEnabled()
    assert store.solves() == [], "a cancelled solve is not stored as history"


def test_the_leading_answer_shows_while_solutions_arrive_and_stop_keeps_what_is_there(qtbot, store):
    generator = ScriptedGenerator(delay_s=0.15)
    window = make_window(qtbot, store, generator, AppSettings(n=N, k=3))  # adaptive, as shipped
    view = window.solve_view
    view.editor.setPlainText(WORD_PROBLEM)
    lines = []
    window.session.solve_progress.connect(lambda _: lines.append(view.stage_label.text()))
    view.solve_button.click()
    qtbot.waitUntil(lambda: any("leading so far:" in line for line in lines), timeout=10_000)
    assert window.session.solving, "the provisional answer shows before sampling ends"
    assert any("provisional" in line and "frac{3}{4}" in line for line in lines)
    with qtbot.waitSignal(window.session.solve_finished, timeout=2_000) as blocker:  # at most a token away
        view.cancel_button.click()
    result = blocker.args[0].result
    assert result.cancelled and result.answer is not None, "what was sampled before Stop is the result"
    assert "(stopped early)" in view.banner.text()


def test_a_problem_too_long_for_the_model_is_refused_with_the_limit_not_cut_silently(qtbot, store):
    window = make_window(qtbot, store)
    view = window.solve_view
    view.editor.setPlainText("add one more apple " * 400)  # 1,600 words: past what the model reads
    with qtbot.waitSignal(window.session.solve_failed, timeout=10_000):
        view.solve()
    message = window.statusBar().currentMessage()
    assert "too long for this model" in message and "reads at most" in message
    assert store.solves() == [] and view.solve_button.isEnabled()


@pytest.mark.parametrize("problem", ["solve 2x + = 9", "what is 7/0"])
def test_broken_or_undefined_input_gets_a_plain_notice_and_no_answer(qtbot, store, problem):
    window = make_window(qtbot, store)
    solve_by_keyboard(qtbot, window, problem)
    view = window.solve_view
    result = window.session.current.result
    assert result.answer is None and result.confidence == 0.0 and result.notice
    assert "can't solve this as written" in view.banner.text()
    assert not view.check_button.isEnabled()


def test_solving_without_a_model_or_problem_is_a_clear_message(qtbot, store):
    session = Session(AppSettings(n=N), store)
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.solve_view.solve()
    assert "Type a problem" in window.statusBar().currentMessage()
    window.solve_view.editor.setPlainText(PROBLEM)
    window.solve_view.solve()
    assert "No model is loaded" in window.statusBar().currentMessage()


def test_hint_mode_reveals_steps_one_at_a_time(qtbot, store):
    window = make_window(qtbot, store)
    view = window.solve_view
    view.hint_mode.setChecked(True)
    solve_by_keyboard(qtbot, window)
    assert not view.answer_revealed
    assert "Answer hidden" in view.answer_view.toPlainText()
    assert view.steps_view.toPlainText().strip() == ""
    for leak in (view.reason.text(), view.reason.toolTip(), view.thinking.toPlainText()):
        assert "frac{3}{4}" not in leak, f"hint mode gives the answer away: {leak!r}"
    assert "5 of 8 samples agree" in view.reason.text()
    view.next_step_button.click()
    assert "Step 1." in view.steps_view.toPlainText() and "Step 2." not in view.steps_view.toPlainText()
    assert "Answer hidden" in view.answer_view.toPlainText()
    screenshot(window, "solve-hint-mode")
    view.show_all_button.click()
    assert view.answer_revealed and "Step 4." in view.steps_view.toPlainText()
    assert "frac{3}{4}" in view.reason.text(), "once revealed, the solver's own reasons are shown"
    assert view.answer_view.accessibleDescription() == "Final answer: \\frac{3}{4}"


def test_a_step_whose_arithmetic_does_not_hold_is_flagged_under_it(qtbot, store, tmp_path):
    slip = "Add: $\\frac{1}{2} + \\frac{1}{4} = \\frac{2}{6}$.\nThe answer is $\\boxed{\\frac{2}{6}}$."
    window = make_window(qtbot, store, generator=ScriptedGenerator((slip,)))
    # A problem with no direct computation: where there is one, its own steps stand in for a slip like this
    solve_by_keyboard(qtbot, window, "Lena ate 1/2 of a cake and Tom ate 1/4 of it. What part did they eat?")
    view = window.solve_view
    steps = view.steps_view.toPlainText()
    assert "does not hold" in steps and "is 0.75" in steps
    assert steps.index("Step 1.") < steps.index("does not hold") < steps.index("Step 2.")
    assert "1 arithmetic step does not hold" in view.reason.toolTip()
    shown = view.reason.text()  # every reason on screen, in a student's words
    assert "1 arithmetic step does not hold" in shown and "8 of 8 solutions give" in shown
    assert "S_cls" not in shown and "sympy" not in shown
    screenshot(window, "solve-false-step")
    markdown = window.history_view.export_to(tmp_path / "h.md", "markdown").read_text()
    assert "1. Add: $\\frac{1}{2} + \\frac{1}{4} = \\frac{2}{6}$.\n   - ⚠ $\\frac{1}{2} + \\frac{1}{4} = \\frac{2}{6}$ does not hold" in markdown
    html = window.history_view.export_to(tmp_path / "h.html", "html").read_text()
    assert "does not hold" in html


def test_a_solution_whose_steps_hold_gets_no_warning(qtbot, store):
    window = make_window(qtbot, store)
    solve_by_keyboard(qtbot, window)
    assert "does not hold" not in window.solve_view.steps_view.toPlainText()


WORD_PROBLEM = "Lena ate some of the cake and her friends ate the rest. What part did Lena eat?"


@pytest.mark.parametrize("problem, answer, verdict, words", [
    # a directly computable problem: the computation decides, right or wrong
    (PROBLEM, "0.75", "correct", "That's right"),
    (PROBLEM, "1/3", "incorrect", "That's not it"),
    # samples only: what they say and what that is worth, never "try again"
    (WORD_PROBLEM, "0.75", "top", "matches my top answer"),
    (WORD_PROBLEM, "1/3", "minority", "less common answers"),
    (WORD_PROBLEM, "5", "none", "None of my 8 solutions reached your answer"),
])
def test_check_my_answer_without_revealing_the_solution(qtbot, store, problem, answer, verdict, words):
    window = make_window(qtbot, store)
    view = window.solve_view
    view.hint_mode.setChecked(True)
    solve_by_keyboard(qtbot, window, problem)
    view.student_answer.setText(answer)
    with qtbot.waitSignal(window.session.answer_checked, timeout=10_000) as blocker:
        view.check_button.click()
    assert blocker.args[0].verdict == verdict
    text = view.check_result.text()
    assert words in text and "frac{3}{4}" not in text and "0.75" not in text.replace(answer, "")
    if problem == WORD_PROBLEM:
        assert "try again" not in text.lower() and "confidence" in text, "the samples' word, and its worth"
    assert not view.answer_revealed, "checking an answer does not reveal the solution"
    if verdict == "minority":
        screenshot(window, "solve-check-answer")


@pytest.mark.parametrize("answer, verdict", [("5", "correct"), ("x = 5", "correct"), ("-1", "incorrect")])
def test_check_my_answer_trusts_the_computation_over_samples_that_all_got_it_wrong(qtbot, store, answer, verdict):
    wrong = "Subtract 7: $3x = 22 - 7 = -3$.\nSo $x = -1$.\nThe answer is $\\boxed{-1}$."
    window = make_window(qtbot, store, generator=ScriptedGenerator((wrong,)))
    view = window.solve_view
    solve_by_keyboard(qtbot, window, "Solve for $x$: $3x + 7 = 22$.")
    view.student_answer.setText(answer)
    with qtbot.waitSignal(window.session.answer_checked, timeout=10_000) as blocker:
        view.check_button.click()
    assert blocker.args[0].verdict == verdict, view.check_result.text()
    colour = "#d7f0d2" if verdict == "correct" else "#f8d4d0"
    assert colour in view.check_result.styleSheet()
    solve_by_keyboard(qtbot, window, WORD_PROBLEM)  # the next solve starts with no leftover bar
    assert view.check_result.text() == "" and "background" not in view.check_result.styleSheet()


ANSWER_HIGHLIGHT = "#fff3b0"


def test_a_solution_the_computation_overruled_is_shown_as_an_attempt_not_as_the_answer(qtbot, store):
    wrong = "The factors of 12 are 1, 2, 3, 4, 6, 12.\nThe largest one of both is $\\boxed{3}$."
    window = make_window(qtbot, store, generator=ScriptedGenerator((wrong,)))
    view = window.solve_view
    result = solve_by_keyboard(qtbot, window, "What is the gcd of 12 and 18?").result
    assert result.answer == "6" and result.source == "computation" and not result.worked_by_computation
    assert "not the directly computed" in view.steps_view.toPlainText(), "the 3 box says it is not the answer"
    assert ANSWER_HIGHLIGHT not in view.steps_view.toHtml().lower(), "nor is it highlighted as the answer"
    screenshot(window, "solve-attempt-overruled")


@pytest.mark.parametrize("written, worked", [
    ("Subtract 7: $3x = 22 - 7 = -3$.\nSo $x = -1$.\nThe answer is $\\boxed{-1}$.", True),        # wrong answer
    ("Subtract 7: $3x = 22 - 7 = 25$.\nDivide by 3: $x = 5$.\nThe answer is $\\boxed{5}$.", True),  # a false step
    ("Subtract 7: $3x = 22 - 7 = 15$.\nDivide by 3: $x = \\frac{15}{3} = 5$.\nThe answer is $\\boxed{5}$.", False),
])
def test_the_computations_own_steps_are_shown_where_no_sound_written_solution_reached_its_answer(qtbot, store, written,
                                                                                                  worked):
    window = make_window(qtbot, store, generator=ScriptedGenerator((written,)))
    view = window.solve_view
    result = solve_by_keyboard(qtbot, window, "Solve for $x$: $3x + 7 = 22$.").result
    assert result.answer == "5" and result.worked_by_computation is worked
    steps = view.steps_view.toPlainText()
    assert ("Divide both sides by" in steps) is worked and ("Divide by 3" in steps) is not worked
    assert "does not hold" not in steps and "not the directly computed" not in steps
    assert ANSWER_HIGHLIGHT in view.steps_view.toHtml().lower(), "the box shown is the answer"
    if worked and "-1" in written:
        screenshot(window, "solve-worked-by-computation")


def test_review_flags_the_false_steps_of_a_solution(qtbot, store):
    window = make_window(qtbot, store)
    solve_by_keyboard(qtbot, window)
    review = window.review_view
    review.select_cluster(2)  # the computation (3/4) settles the answer: the alternatives cost no verifier call
    assert review.members.item(0).text().startswith("#4 — not scored · 1 false step")
    # Without a direct computation the verifier scores every cluster, and the row says what lowered a score.
    window = make_window(qtbot, store, settings=AppSettings(n=N, k=3, adaptive=False, symbolic_check=False))
    solve_by_keyboard(qtbot, window)
    review = window.review_view
    review.select_cluster(2)  # 1/6, from "1/2 - 1/4 = 1/6"
    assert "verifier 0.10, lowered for 1 false step" in review.members.item(0).text()
    assert "does not hold" in review.solution_view.toPlainText() and "is 0.25" in review.solution_view.toPlainText()
    review.select_cluster(0)  # 3/4: every step holds
    assert "false step" not in review.members.item(0).text()
    assert "does not hold" not in review.solution_view.toPlainText()


def test_review_mark_solution_incorrect_is_stored(qtbot, store):
    window = make_window(qtbot, store)
    solved = solve_by_keyboard(qtbot, window)
    window.tabs.setCurrentWidget(window.review_view)
    review = window.review_view
    assert review.clusters.rowCount() == 3, "no answerless row when every sample has an answer"
    assert [review.clusters.row(i).votes for i in range(3)] == [5, 2, 1]
    review.select_cluster(1)  # the 2/6 cluster
    assert review.members.count() == 2
    review.members.setCurrentRow(1)
    sample_index = review.selected_sample()
    assert solved.result.samples_by_index[sample_index].answer == "\\frac{2}{6}"
    assert "Add numerators" in review.solution_view.toPlainText()
    review.comment.setText("adds denominators")
    review.mark_solution_incorrect.click()
    assert review.members.item(1).text().startswith("✗ incorrect · #") and review.selected_sample() == sample_index
    assert review.members.item(1).text().endswith("“adds denominators”"), "the comment is shown again"
    assert "correct" not in review.members.item(0).text()
    review.select_cluster(0)
    review.mark_cluster_correct.click()
    assert all(review.members.item(i).text().startswith("✓ correct (whole cluster)") for i in range(review.members.count()))
    screenshot(window, "review")

    marks = store.marks(solved.solve_id)
    assert [(m.sample_index, m.cluster_answer, m.correct, m.comment) for m in marks] == [
        (sample_index, None, False, "adds denominators"),
        (None, "\\frac{3}{4}", True, ""),
    ]
    assert "Marked" in review.mark_status.text()


def test_corrupt_gguf_in_settings_shows_the_error_and_keeps_the_model(qtbot, store, tmp_path):
    window = make_window(qtbot, store)
    corrupt = tmp_path / "broken.gguf"
    corrupt.write_bytes(b"GGUF\x03\x00\x00\x00" + b"\x00garbage" * 10)
    window.tabs.setCurrentWidget(window.settings_view)
    settings_view = window.settings_view
    with qtbot.waitSignal(window.session.model_failed, timeout=60_000) as blocker:
        settings_view.model.choose(str(corrupt))  # what the file picker does with the chosen file
    message = blocker.args[0]
    assert message
    assert "Could not load the model" in settings_view.status.text() and message in settings_view.status.text()
    assert message in window.statusBar().currentMessage()
    assert window.session.model_name == "scripted-fake", "a failed load keeps the model in use"
    assert settings_view.load_button.isEnabled()
    screenshot(window, "settings-corrupt-gguf")


def test_settings_are_saved_and_reloaded(qtbot, store):
    window = make_window(qtbot, store)
    view = window.settings_view
    view.n.setValue(4)
    view.strategy.setCurrentText("wrr_topk")
    view.temperature.setValue(0.9)
    view.step_check.setChecked(False)
    view.calculator.setChecked(False)
    assert view.save()
    loaded, notes = load_settings()
    assert (loaded.n, loaded.strategy, loaded.temperature, loaded.step_check) == (4, "wrr_topk", 0.9, False)
    assert loaded.calculator is False and notes == []
    assert window.session.settings.n == 4
    solve = window.session.settings.solve_config()
    assert (solve.step_check, solve.calculator) == (False, False), "the settings reach the solver"
    view.step_check.setChecked(True)
    assert view.save() and load_settings()[0].step_check is True


@pytest.mark.parametrize("raw, expected", [("false", False), ("true", True), ("False", False), ("maybe", True), (7, True)])
def test_a_saved_flag_reads_back_as_written_and_junk_falls_back_to_the_default(raw, expected):
    from tutor.app.settings import settings_store

    store = settings_store()
    store.setValue("step_check", raw)
    store.setValue("n", "not a number")
    store.setValue("k", 3)
    store.sync()
    loaded, notes = load_settings()
    assert loaded.step_check is expected and loaded.n == AppSettings().n
    assert loaded.k == 3, "one bad stored value falls back alone; the others are kept"
    assert any("n" in note and "not a number" in note for note in notes), "and it says so"


def test_an_out_of_range_stored_setting_falls_back_for_that_field_alone_and_says_so():
    from tutor.app.settings import settings_store

    store = settings_store()
    store.setValue("temperature", -1.0)
    store.setValue("strategy", "best")
    store.setValue("n", 5)
    store.sync()
    loaded, notes = load_settings()
    assert (loaded.temperature, loaded.strategy, loaded.n) == (AppSettings().temperature, "rr_topk", 5)
    assert any("temperature must be between 0 and 5" in note for note in notes)
    assert any("strategy must be one of" in note for note in notes)


def test_history_search_reopen_and_export(qtbot, store, tmp_path):
    window = make_window(qtbot, store)
    solve_by_keyboard(qtbot, window)
    window.solve_view.editor.clear()
    solve_by_keyboard(qtbot, window, "Compute $\\frac{1}{2} + \\frac{1}{4}$ again, please.")
    history = window.history_view
    assert history.model.rowCount() == 2
    history.search.setText("again")
    history.refresh()
    assert history.model.rowCount() == 1
    history.search.setText("")
    history.refresh()
    window.tabs.setCurrentWidget(history)
    screenshot(window, "history")

    window.solve_view.editor.clear()
    history.open_row(1)  # the older one
    assert window.tabs.currentWidget() is window.solve_view
    assert window.solve_view.editor.toPlainText() == PROBLEM
    assert window.session.current.solve_id == store.solves()[1].id

    markdown = history.export_to(tmp_path / "h.md", "markdown").read_text()
    assert markdown.count("## Problem") == 2 and "$\\frac{3}{4}$" in markdown and "1. We add" in markdown
    html = history.export_to(tmp_path / "h.html", "html").read_text()
    assert html.count("<section>") == 2 and "data:image/png;base64," in html and 'src="math:' not in html
    lines = history.export_to(tmp_path / "h.jsonl", "jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 2 and records[0]["result"]["answer"] == "\\frac{3}{4}"


def test_a_crashing_library_call_is_reported_and_the_app_stays_up(qtbot, store):
    class Exploding(ScriptedGenerator):
        def sample(self, *args, **kwargs):
            raise RuntimeError("backend exploded")

    window = make_window(qtbot, store, Exploding())
    window.solve_view.editor.setPlainText(PROBLEM)
    with qtbot.waitSignal(window.session.solve_failed, timeout=10_000):
        window.solve_view.solve()
    assert "backend exploded" in window.statusBar().currentMessage()
    assert window.solve_view.solve_button.isEnabled()
    window.session.set_model(ScriptedGenerator(), ScriptedVerifier())
    solve_by_keyboard(qtbot, window)
    assert len(store.solves()) == 1


def test_no_answer_is_said_plainly(qtbot, store):
    window = make_window(qtbot, store, ScriptedGenerator(script=["I am not sure how to start.\nMaybe 7?"]))
    solve_by_keyboard(qtbot, window, "Lena shares her marbles fairly. How many does each friend get?")
    view = window.solve_view
    assert "couldn't find an answer" in view.banner.text()
    assert not view.check_button.isEnabled() and not view.next_step_button.isEnabled()
    assert "Maybe 7?" in view.steps_view.toPlainText(), "the attempt is still shown"
    screenshot(window, "solve-no-answer")
    review = window.review_view  # the answerless samples are still there to read and mark, one by one
    assert review.clusters.rowCount() == 1 and review.clusters.row(0).rank is None
    assert review.members.count() == 8 and "Maybe 7?" in review.solution_view.toPlainText()
    assert review.mark_solution_incorrect.isEnabled() and not review.mark_cluster_incorrect.isEnabled()


def test_window_opens_and_reports_a_missing_bundled_model(qtbot, tmp_path, monkeypatch):
    from tutor.app.main import build_window

    monkeypatch.setenv("STEPWISE_MODEL", str(tmp_path / "no-model-here"))
    window = build_window()
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.session.model_failed, timeout=120_000) as blocker:
        window.show()
    assert blocker.args[0] in window.statusBar().currentMessage()
    assert window.model_label.text() == "No model loaded"
    assert window.history_view.status.text().startswith("0 solved")
    window.close()


MATRIX_SOLUTION = (
    "Multiply $A = \\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}$ by $2$.\n"
    "Each entry doubles: $2A = \\begin{bmatrix} 2 & 4 \\\\ 6 & 8 \\end{bmatrix}$.\n"
    "Check with a root and a power: $\\sqrt{16} = 4$ and $2^{3} = 8$, and $\\frac{x^2 - 1}{x + 1} = x - 1$.\n"
    "The answer is $\\boxed{\\begin{pmatrix} 2 & 4 \\\\ 6 & 8 \\end{pmatrix}}$."
)


def test_fractions_roots_exponents_and_matrices_render_as_math(qtbot, store):
    window = make_window(qtbot, store, ScriptedGenerator(script=[MATRIX_SOLUTION]))
    solve_by_keyboard(qtbot, window, "Compute $2A$ for $A = \\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}$.")
    view = window.solve_view
    steps = view.steps_view.document()
    text = steps.toPlainText()
    assert "\\begin" not in text and "\\frac" not in text and "\\sqrt" not in text, "no raw LaTeX left"
    assert text.count("\ufffc") >= 7, "every formula (matrices included) is an image"
    assert "\\begin" not in view.answer_view.toPlainText()
    screenshot(window, "solve-math")


@pytest.mark.slow
def test_bundled_model_solves_through_the_window(qtbot):
    """The real default model (assets/model, loaded by the app at start) solving through the GUI."""
    from tutor.app.main import build_window

    window = build_window()
    qtbot.addWidget(window)
    if window.session.generator is None:
        with qtbot.waitSignal(window.session.model_changed, timeout=120_000):
            window.show()
    window.show()
    window.session.settings.n = 8
    with qtbot.waitSignal(window.session.solve_finished, timeout=300_000) as blocker:
        solve_view = window.solve_view
        solve_view.editor.setPlainText("What is $2 + 3 \\cdot 4$?")
        solve_view.solve()
    result = blocker.args[0].result
    assert len(result.samples) == 8 and not result.cancelled
    assert window.solve_view.banner.text() and window.history_view.model.rowCount() == 1
    screenshot(window, "solve-bundled-model")
    window.tabs.setCurrentWidget(window.review_view)
    screenshot(window, "review-bundled-model")
    window.close()
