"""Tests of the Retrain tab: the trainer runs as a separate process (QProcess), its progress and loss show
live, Cancel stops it like Ctrl-C, and the run lands in the past-runs table.

Run: python -m pytest tests/test_app_retrain.py -q          (quick: a stand-in trainer script)
     python -m pytest tests/test_app_retrain.py -q -m slow  (the real `trainer run quick`, a few minutes)
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from tutor.app import trainer_process
from tutor.app.session import Session
from tutor.app.settings import AppSettings
from tutor.app.window import MainWindow
from tutor.store import Store

TESTS = Path(__file__).resolve().parent
ARTIFACTS = TESTS.parent / "test-artifacts"


@pytest.fixture
def store():
    with Store() as store:
        yield store


@pytest.fixture
def window(qtbot, store):
    window = MainWindow(Session(AppSettings(), store))
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentWidget(window.retrain_view)
    yield window
    window.close()


def fake_trainer(monkeypatch, *options: str) -> None:
    script = str(TESTS / "app_fake_trainer.py")
    monkeypatch.setattr(trainer_process, "trainer_command",
                        lambda recipe: (sys.executable, [script, recipe, *options]))


def record_events(view) -> list:
    events = []
    view.trainer.event.connect(events.append)
    return events


def test_training_progress_loss_and_past_runs(qtbot, window, store, monkeypatch):
    fake_trainer(monkeypatch, "--steps", "6", "--delay", "0.05")
    view = window.retrain_view
    events = record_events(view)
    overall_values = []
    view.overall.valueChanged.connect(overall_values.append)
    with qtbot.waitSignal(view.trainer.finished, timeout=60_000) as blocker:
        assert view.start()
    assert blocker.args == [0, "finished"]
    steps = [(e.phase, e.step) for e in events if e.step is not None]
    assert ("ssft", 1) in steps and ("evaluator", 6) in steps, steps
    assert any(e.run_id is not None for e in events)
    assert view.progress.value() == 6 and view.progress.maximum() == 6
    assert view.overall.maximum() == 6, "ssft, candidates, evaluator, multitask, eval, export"
    assert view.overall.value() == 6, "a finished run fills the run's bar"
    assert 3 in overall_values, "the run's bar moved to the evaluator (its 3rd step) when that began"
    assert "finished" in view.phase_label.text()
    assert set(view.plot.series) == {"ssft", "evaluator"} and len(view.plot.series["ssft"]) == 6
    assert view.plot.series["evaluator"][0] == (7, 3.0), "the second phase is drawn after the first"
    log = view.log.toPlainText().splitlines()
    assert sum(line.startswith("ssft:") for line in log) == 1, "a redrawn progress bar replaces its last line"
    assert "6/6" in next(line for line in log if line.startswith("ssft:"))
    run = view.runs_model.row(0)
    assert (run.id, run.status) == (view.run_id, "finished")
    assert run.evaluation == "Pass@1 25.0%, Maj1@N 50.0%, RR.Top-K 62.5%, Pass@N 75.0%, AUROC 0.800 (8 problems, N=4)"
    recipe = Path(view.log.toPlainText().splitlines()[0].removeprefix("recipe: "))
    assert recipe.parent == Path(store.path).parent / "recipes" and "phases" in recipe.read_text()
    QApplication.processEvents()
    ARTIFACTS.mkdir(exist_ok=True)
    window.grab().save(str(ARTIFACTS / "retrain.png"))


def test_cancel_stops_the_trainer_like_ctrl_c(qtbot, window, store, monkeypatch):
    fake_trainer(monkeypatch, "--steps", "400", "--delay", "0.05")
    view = window.retrain_view
    with qtbot.waitSignal(view.trainer.event, timeout=30_000):
        view.start()
    assert view.cancel_button.isEnabled() and not view.start_button.isEnabled()
    with qtbot.waitSignal(view.trainer.finished, timeout=30_000) as blocker:
        view.cancel_button.click()
    assert blocker.args[1] == "cancelled"
    assert store.runs()[0].status == "cancelled"
    assert view.start_button.isEnabled()
    assert view.runs_model.row(0).status == "cancelled"


def test_a_trainer_that_fails_is_reported(qtbot, window, monkeypatch):
    monkeypatch.setattr(trainer_process, "trainer_command",
                        lambda recipe: (sys.executable, ["-c", "import sys; print('error: no data'); sys.exit(2)"]))
    view = window.retrain_view
    with qtbot.waitSignal(view.trainer.finished, timeout=30_000) as blocker:
        view.start()
    assert blocker.args == [2, "failed"]
    assert "error: no data" in window.statusBar().currentMessage()


def test_use_this_model_needs_a_finished_run(qtbot, window, store):
    run_id = store.create_run("half", {})
    store.set_run_status(run_id, "failed", "boom")
    window.retrain_view.refresh_runs()
    window.retrain_view.runs_table.selectRow(0)
    window.retrain_view.use_selected_model()
    assert "only a finished run" in window.statusBar().currentMessage()


def test_a_run_started_outside_the_app_is_followed_live(qtbot, window, store):
    run_id = store.create_run("terminal", {"phases": ["ssft", "eval"], "ssft": {"steps": 10}})
    store.start_phase(run_id, "ssft")
    for step in (1, 2, 3):
        store.log_metrics(run_id, "ssft", step, {"loss": 4.0 - step})
    view = window.retrain_view
    qtbot.waitUntil(lambda: view.plot.series.get("ssft") == [(1, 3.0), (2, 2.0), (3, 1.0)], timeout=5000)
    assert f"Run {run_id} (started outside the app): phase ssft, step 3/10" == view.phase_label.text()
    assert (view.progress.value(), view.progress.maximum()) == (3, 10)
    assert (view.overall.value(), view.overall.maximum()) == (1, 2)
    store.log_metrics(run_id, "ssft", 4, {"loss": 0.5})
    qtbot.waitUntil(lambda: len(view.plot.series["ssft"]) == 4, timeout=5000)
    assert view.runs_model.row(0).status == "running"


@pytest.mark.slow
def test_real_quick_recipe_runs_end_to_end(qtbot, window, store):
    """The real trainer (`python -m trainer.cli run` on the quick recipe) launched from the tab."""
    view = window.retrain_view
    view.recipe.setCurrentText("quick")
    events = record_events(view)
    with qtbot.waitSignal(view.trainer.finished, timeout=600_000) as blocker:
        assert view.start()
    log = view.log.toPlainText()
    assert blocker.args == [0, "finished"], log[-3000:]
    assert any(e.phase == "ssft" and e.step for e in events), "live progress arrived from the trainer"
    assert {e.phase for e in events if e.phase} <= set(trainer_process.TRAINER_PHASES)
    assert "Pass@1" in view.runs_model.row(0).evaluation
    assert view.plot.series.get("ssft"), "the loss plot was read from the store"
    run = view.runs_model.row(0)
    assert run.status == "finished" and run.id == view.run_id
    QApplication.processEvents()
    ARTIFACTS.mkdir(exist_ok=True)
    window.grab().save(str(ARTIFACTS / "retrain-real.png"))

    # "Use this model": the run's exported model becomes the tutor's model, and it solves through the GUI.
    view.runs_table.selectRow(0)
    with qtbot.waitSignal(window.session.model_changed, timeout=180_000):
        view.use_selected_model()
    assert window.session.settings.model_path.endswith("export")
    window.session.settings.n, window.session.settings.max_new_tokens = 4, 48
    window.solve_view.editor.setPlainText("What is 2 + 3?")
    with qtbot.waitSignal(window.session.solve_finished, timeout=300_000) as blocker:
        window.solve_view.solve()
    result = blocker.args[0].result
    assert len(result.samples) == 4
    assert window.solve_view.banner.text(), "a result (possibly 'no answer', said plainly) is shown"
    assert store.solves()[0].model == window.session.model_name
