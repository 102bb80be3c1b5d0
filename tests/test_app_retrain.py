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


def record_while_polling(view) -> tuple[list, list, list]:
    """(phase label texts, run-bar values, phase-bar maxima) as each poll of the store left them."""
    labels, overall, totals = [], [], []

    def record():
        labels.append(view.phase_label.text())
        overall.append(view.overall.value())
        totals.append(view.progress.maximum())

    view.poll_timer.timeout.connect(record)
    return labels, overall, totals


def test_training_progress_loss_and_past_runs(qtbot, window, store, monkeypatch):
    fake_trainer(monkeypatch, "--steps", "6", "--delay", "0.1")
    view = window.retrain_view
    view.poll_timer.setInterval(50)
    labels, overall, totals = record_while_polling(view)
    with qtbot.waitSignal(view.trainer.finished, timeout=60_000) as blocker:
        assert view.start()
    assert blocker.args == [0, "finished"]
    run_id = store.runs()[0].id
    assert view.run_id == run_id, "the run this tab started is the one its trainer process claimed in the store"
    assert any(label.startswith(f"Run {run_id}: phase ssft, step ") for label in labels), labels
    assert any(label.startswith(f"Run {run_id}: phase evaluator, step ") for label in labels), labels
    assert not any("outside the app" in label for label in labels)
    assert 6 in totals, "the phase bar's total is the one the trainer stored"
    assert view.overall.maximum() == 6, "ssft, candidates, evaluator, multitask, eval, export: the stored plan"
    assert view.overall.value() == 6, "a finished run fills the run's bar"
    assert 3 in overall, "the run's bar moved to the evaluator (its 3rd planned step) when that began"
    assert "finished" in view.phase_label.text()
    assert set(view.plot.series) == {"ssft", "evaluator"} and len(view.plot.series["ssft"]) == 6
    assert view.plot.series["evaluator"][0] == (7, 3.0), "the second phase is drawn after the first"
    log = view.log.toPlainText().splitlines()
    assert sum(line.startswith("ssft:") for line in log) == 1, "a redrawn progress bar replaces its last line"
    assert "6/6" in next(line for line in log if line.startswith("ssft:"))
    assert log[-1] == f"— Run {run_id} finished (trainer exit code 0)."
    run = view.runs_model.row(0)
    assert (run.id, run.status) == (view.run_id, "finished")
    assert run.evaluation == "Pass@1 25.0%, Maj1@N 50.0%, RR.Top-K 62.5%, Pass@N 75.0%, AUROC 0.800 (8 problems, N=4)"
    recipe = Path(view.log.toPlainText().splitlines()[0].removeprefix("recipe: "))
    assert recipe.parent == Path(store.path).parent / "recipes" and "phases" in recipe.read_text()
    QApplication.processEvents()
    ARTIFACTS.mkdir(exist_ok=True)
    window.grab().save(str(ARTIFACTS / "retrain.png"))


def start_and_wait_for_the_run(qtbot, view, store) -> int:
    assert view.start()
    qtbot.waitUntil(lambda: view.run_id is not None and (store.last_step(view.run_id, "ssft") or 0) >= 2,
                    timeout=30_000)
    return view.run_id


def test_cancel_stops_the_trainer_like_ctrl_c(qtbot, window, store, monkeypatch):
    fake_trainer(monkeypatch, "--steps", "400", "--delay", "0.05")
    view = window.retrain_view
    start_and_wait_for_the_run(qtbot, view, store)
    assert view.cancel_button.isEnabled() and not view.start_button.isEnabled()
    with qtbot.waitSignal(view.trainer.finished, timeout=30_000) as blocker:
        view.cancel_button.click()
    assert blocker.args[1] == "cancelled"
    assert store.runs()[0].status == "cancelled"
    assert view.start_button.isEnabled()
    assert view.runs_model.row(0).status == "cancelled"


def test_a_trainer_killed_on_cancel_is_recorded_cancelled_not_running(qtbot, window, store, monkeypatch):
    """Issue 23 item 10: the trainer process was gone after Cancel, the run stayed "running" forever."""
    fake_trainer(monkeypatch, "--steps", "400", "--delay", "0.05", "--die-on-sigint")
    view = window.retrain_view
    run_id = start_and_wait_for_the_run(qtbot, view, store)
    with qtbot.waitSignal(view.trainer.finished, timeout=30_000) as blocker:
        view.cancel_button.click()
    assert blocker.args == [1, "cancelled"]
    run = store.run(run_id)
    assert run.status == "cancelled" and f"trainer run --resume {run_id}" in run.message
    assert [p.status for p in store.phases(run_id)] == ["cancelled"]
    assert f"Run {run_id} cancelled" in view.log.toPlainText().splitlines()[-1]
    view.refresh_button.click()
    assert view.runs_model.row(0).status == "cancelled"


def test_a_run_whose_trainer_is_gone_is_not_running_after_a_restart(qtbot, store):
    """A run a dead trainer left "running" (killed, machine rebooted) shows how it ended, not live progress."""
    import subprocess

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    run_id = store.create_run("default", {})
    store.claim_run(run_id, pid=gone.pid)
    store.plan_run(run_id, ["ssft", "eval"])
    store.start_phase(run_id, "ssft", total=1600)
    store.set_phase_progress(run_id, "ssft", 16)
    window = MainWindow(Session(AppSettings(), store))  # the app starting again
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentWidget(window.retrain_view)
    view = window.retrain_view
    view.poll_store()
    assert view.runs_model.row(0).status == "crashed"
    assert "outside the app" not in view.phase_label.text()
    assert store.run(run_id).status == "crashed" and "--resume" in store.run(run_id).message
    window.close()


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
    run_id = store.create_run("terminal", {})  # as `trainer run` in a terminal writes it
    store.claim_run(run_id)
    store.plan_run(run_id, ["ssft", "eval"])
    store.start_phase(run_id, "ssft", total=10)
    for step in (1, 2, 3):
        store.log_metrics(run_id, "ssft", step, {"loss": 4.0 - step})
        store.set_phase_progress(run_id, "ssft", step)
    view = window.retrain_view
    qtbot.waitUntil(lambda: view.plot.series.get("ssft") == [(1, 3.0), (2, 2.0), (3, 1.0)], timeout=5000)
    assert f"Run {run_id} (started outside the app): phase ssft, step 3/10" == view.phase_label.text()
    assert (view.progress.value(), view.progress.maximum()) == (3, 10)
    assert (view.overall.value(), view.overall.maximum()) == (1, 2)
    store.log_metrics(run_id, "ssft", 4, {"loss": 0.5})
    store.set_phase_progress(run_id, "ssft", 4)
    qtbot.waitUntil(lambda: len(view.plot.series["ssft"]) == 4, timeout=5000)
    qtbot.waitUntil(lambda: view.progress.value() == 4, timeout=5000)
    assert view.runs_model.row(0).status == "running"


@pytest.mark.slow
def test_real_quick_recipe_runs_end_to_end(qtbot, window, store):
    """The real trainer (`python -m trainer.cli run` on the quick recipe) launched from the tab."""
    view = window.retrain_view
    view.recipe.setCurrentText("quick")
    labels, _, _ = record_while_polling(view)
    with qtbot.waitSignal(view.trainer.finished, timeout=600_000) as blocker:
        assert view.start()
    log = view.log.toPlainText()
    assert blocker.args == [0, "finished"], log[-3000:]
    assert any("phase ssft, step" in label for label in labels), "live progress arrived through the store"
    assert store.run(view.run_id).planned_phases == ["ssft", "candidates", "evaluator", "multitask", "eval", "export"]
    assert "Pass@1" in view.runs_model.row(0).evaluation
    assert view.plot.series.get("ssft"), "the loss plot was read from the store"
    run = view.runs_model.row(0)
    assert run.status == "finished" and run.id == view.run_id
    QApplication.processEvents()
    ARTIFACTS.mkdir(exist_ok=True)
    window.grab().save(str(ARTIFACTS / "retrain-real.png"))

    # "Use this model": the run's exported model becomes the tutor's model, and it solves through the GUI.
    view.runs_table.selectRow(0)
    view.confirm = lambda title, question: True
    with qtbot.waitSignal(window.session.model_changed, timeout=180_000):
        view.use_selected_model()
    assert window.session.settings.model_path.endswith("export")
    assert window.session.model_name == f"run {run.id} quick"
    window.session.settings.n, window.session.settings.max_new_tokens = 4, 48
    window.solve_view.editor.setPlainText("What is 2 + 3?")
    with qtbot.waitSignal(window.session.solve_finished, timeout=300_000) as blocker:
        window.solve_view.solve()
    result = blocker.args[0].result
    assert len(result.samples) == 4
    assert window.solve_view.banner.text(), "a result (possibly 'no answer', said plainly) is shown"
    assert store.solves()[0].model == window.session.model_name


def finished_run_with_model(store, tmp_path, pass_at_1: float) -> tuple[int, Path]:
    run_id = store.create_run("quick", {})
    run_dir = tmp_path / f"{run_id:04d}-quick"
    (run_dir / "export").mkdir(parents=True)
    (run_dir / "export" / "config.json").write_text("{}")
    store.set_run_output_dir(run_id, str(run_dir))
    metrics = {"Pass@1": pass_at_1, "Maj1@N": 0.0, "RR.Top-K": 0.0, "Pass@N": 0.125}
    store.add_evaluation("synthetic-test", {"n": 4, "k": 2, "problems": 8, "metrics": metrics}, run_id=run_id)
    store.set_run_status(run_id, "finished")
    return run_id, run_dir / "export"


def test_use_this_model_shows_both_evaluations_and_asks_first(qtbot, window, store, tmp_path, monkeypatch):
    """Issue 23 item 11: "Use this model" switched to a 0 % model without a word, and called it "export"."""
    from tutor import paths
    from tutor.app import retrain_view

    bundled = tmp_path / "bundled"  # the model in use: the bundled one, whose card has its numbers
    bundled.mkdir()
    (bundled / "README.md").write_text("## Evaluation (1000 held-out synthetic problems)\n\n| metric | value |\n"
                                       "| --- | --- |\n| Pass@1 | 14.5 % |\n| Maj1@16 | 10.5 % |\n| RR.Top-8 | 12.0 % |\n")
    monkeypatch.setattr(paths, "bundled_model_dir", lambda: bundled)

    class Bundled:
        name, path = "model", bundled / "model.gguf"

    window.session.set_model(Bundled(), None)
    run_id, export = finished_run_with_model(store, tmp_path, 0.0)
    view = window.retrain_view
    view.refresh_runs()
    view.runs_table.selectRow(0)
    asked, loads = [], []
    monkeypatch.setattr(window.session, "load_model", lambda *args, **kwargs: loads.append((args, kwargs)))
    monkeypatch.setattr(retrain_view.QMessageBox, "question",
                        lambda parent, title, text, *buttons: asked.append(text) or retrain_view.QMessageBox.StandardButton.No)
    view.use_selected_model()
    assert len(asked) == 1 and loads == [], "nothing switches before the teacher confirms"
    text = asked[0]
    assert f"run {run_id} quick" in text and "export" not in text
    assert "0.0%" in text and "14.5%" in text and "10.5%" in text, "the new run's numbers beside the card's"
    assert "right less often" in text
    assert f"run {run_id}'s evaluation, 8 problems" in text and "its model card, 1000 problems" in text
    assert window.session.model_name == "default (model)"

    monkeypatch.setattr(retrain_view.QMessageBox, "question",
                        lambda *args: retrain_view.QMessageBox.StandardButton.Yes)
    view.use_selected_model()
    assert loads == [((str(export), window.session.settings.device, ""), {"remember": True})]

    class FromTheRun:
        name, path = "export", export

    window.session.set_model(FromTheRun(), None)
    assert window.session.model_name == f"run {run_id} quick", "a run's model is named after its run"


def test_the_recipe_the_app_writes_is_the_recipe_with_its_choices(tmp_path, store):
    """Written with a real TOML writer: strings with quotes and backslashes, nested tables, floats survive."""
    import tomllib

    from tutor.app import runs

    source = tmp_path / "mine.toml"
    source.write_text('name = "a \\"quoted\\" C:\\\\path"\nthreads = 1\nphases = ["ssft"]\n[ssft]\nlearning_rate = 3e-3\n'
                      '[ssft.extra]\nbetas = [0.9, 0.95]\n[export]\noutput_dir = "assets/model"\n')
    data = tmp_path / "problems.jsonl"
    data.write_text('{"problem": "1+1", "answer": "2"}\n')
    written = runs.prepare_recipe(str(source), ["ssft", "evaluator"], "jsonl", str(data), store)
    recipe = tomllib.loads(written.read_text())
    original = tomllib.loads(source.read_text())
    assert recipe["name"] == original["name"] and recipe["ssft"] == original["ssft"]
    assert recipe["phases"] == ["ssft", "candidates", "evaluator", "eval", "export"]
    assert recipe["data"]["train_file"] == str(data.resolve())
    assert "output_dir" not in recipe["export"], "a retrain from the app never exports over the bundled model"


def test_the_apps_run_is_the_one_its_trainer_claimed_after_it_started(store):
    from datetime import UTC, datetime

    from tutor.app import runs

    old = store.create_run("old", {})
    store.claim_run(old, pid=4242)  # an earlier process that had the same pid (before a reboot)
    started = datetime.now(UTC)
    assert runs.run_of_process(store, 4242, started) is None, "not before the new trainer claimed its run"
    new = store.create_run("new", {})
    store.claim_run(new, pid=4242)
    assert runs.run_of_process(store, 4242, started) == new
