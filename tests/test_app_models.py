"""The model the app runs: what the Solve tab says while it loads, a refused model is never saved, and a saved
model that no longer loads gives way to the bundled one (issue 23 items 6 and 9).

Run: python -m pytest tests/test_app_models.py -q   (offscreen; the fallback test loads the bundled GGUF)
"""

from __future__ import annotations

from app_fakes import ScriptedGenerator, ScriptedVerifier

from tutor.app.session import Session
from tutor.app.settings import AppSettings, save_settings, settings_store
from tutor.app.window import MainWindow

CORRUPT_GGUF = b"GGUF\x03\x00\x00\x00" + b"\x00garbage" * 10


def saved(name: str) -> object:
    """A value as the settings file holds it."""
    return settings_store().value(name, "")


def open_window(qtbot, session: Session) -> MainWindow:
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    return window


def test_before_the_first_solve_the_solve_tab_shows_the_configured_n_and_the_model_state(qtbot):
    session = Session(AppSettings(n=16), None)
    window = open_window(qtbot, session)
    view = window.solve_view
    assert view.progress.text() == "0 / 16 solutions", "the configured N, not Qt's default 100"
    assert view.stage_label.text() == "No model loaded: choose one in Settings."
    session._loads += 1  # as Session.load_model does, without loading anything
    session.model_loading.emit("")
    assert view.stage_label.text().startswith("Loading the model…"), "never 'Ready.' while the model loads"
    session._loads -= 1
    session.set_model(ScriptedGenerator(), ScriptedVerifier())
    assert view.stage_label.text() == "Ready: scripted-fake."
    session.settings.n = 8  # changed in Settings
    view.hide()
    view.show()
    assert view.progress.text() == "0 / 8 solutions"


def test_a_refused_model_is_never_saved_and_leaves_the_field(qtbot, tmp_path):
    corrupt = tmp_path / "broken.gguf"
    corrupt.write_bytes(CORRUPT_GGUF)
    session = Session(AppSettings(n=8), None)
    session.set_model(ScriptedGenerator(), ScriptedVerifier())
    window = open_window(qtbot, session)
    view = window.settings_view
    with qtbot.waitSignal(session.model_failed, timeout=60_000):
        view.model.choose(str(corrupt))  # what the file picker does with the chosen file
    status = view.status.text()
    assert status.startswith("Could not load the model: ") and str(corrupt) in status
    assert "The model in use stays: scripted-fake" in status
    assert view.model.path.text() == "", "the field shows the model in use again"
    assert saved("model_path") == "" and session.settings.model_path == ""
    view.model.path.setText(str(corrupt))  # typed back by hand, then "Save settings"
    view.n.setValue(4)
    assert view.save()
    assert (saved("model_path"), str(saved("n"))) == ("", "4"), "the other settings are saved, a model path once it loaded"
    assert "not the model" in view.status.text()


def test_a_saved_model_that_fails_at_launch_falls_back_to_the_bundled_one(qtbot, tmp_path):
    from tutor.app.main import build_window

    corrupt = tmp_path / "broken.gguf"
    corrupt.write_bytes(CORRUPT_GGUF)
    save_settings(AppSettings(model_path=str(corrupt)))  # stored by an older Stepwise
    window = build_window()
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.session.model_changed, timeout=120_000):
        window.show()
    assert window.session.model_name.startswith("default"), "the bundled model is in use"
    message = window.statusBar().currentMessage()
    assert f"The model {corrupt} could not be loaded" in message and "bundled model instead" in message
    assert window.model_label.text().startswith("Model: default")
    assert window.settings_view.model.path.text() == "", "Settings shows the model in use"
    assert window.solve_view.stage_label.text().startswith("Ready: default")
    window.close()
