"""The app's Models tab, driven offscreen with pytest-qt against the local fake Hub (tests/fake_hub.py).

Pick a catalog model, download it with progress, use it (the Settings tab loads it through llama.cpp) and
solve with it; cancel a download and resume it; failures shown as one sentence; delete a download.
Screenshots of the catalog and of a download in progress go to test-artifacts/ (copied to docs/screenshots).

Run: python -m pytest tests/test_catalog_app.py -q
"""

from __future__ import annotations

import os

import pytest
from fake_hub import FakeHub, point_client_at
from PySide6.QtWidgets import QApplication

from tutor.app.session import Session
from tutor.app.settings import AppSettings
from tutor.app.window import MainWindow
from tutor.hub import registry
from tutor.hub.catalog import Hardware, find_entry
from tutor.store import Store

CATALOG_ID = "qwen2.5-math-1.5b"
ENTRY = find_entry(CATALOG_ID)
LAPTOP = Hardware(total_ram_gb=8.0, available_ram_gb=5.2, cores=4)  # the screenshots' "typical laptop"
ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "test-artifacts")


def screenshot(widget, name: str) -> None:
    QApplication.processEvents()
    os.makedirs(ARTIFACTS, exist_ok=True)
    assert widget.grab().save(os.path.join(ARTIFACTS, f"{name}.png"))


@pytest.fixture(scope="module")
def tiny_gguf(model_dir, tmp_path_factory) -> bytes:
    from trainer.export_gguf import write_gguf

    return write_gguf(model_dir, tmp_path_factory.mktemp("gguf") / "tiny.gguf", "f32").read_bytes()


@pytest.fixture
def hub(monkeypatch, tmp_path, tiny_gguf):
    import tutor.hub.overview as overview

    monkeypatch.setattr(overview, "detect_hardware", lambda: LAPTOP)
    monkeypatch.setenv("HOME", str(tmp_path))  # the tab then shows ~/.local/share/stepwise/models, as at home
    monkeypatch.setenv("STEPWISE_HOME", str(tmp_path / ".local" / "share" / "stepwise"))
    with FakeHub() as fake:
        point_client_at(fake, monkeypatch, tmp_path)
        fake.add_repo(ENTRY.repo_id, {ENTRY.filename: tiny_gguf})
        yield fake


@pytest.fixture
def window(qtbot, hub):
    with Store() as store:
        settings = AppSettings(n=2, k=2, max_new_tokens=8, threads=1, strategy="maj1")
        main = MainWindow(Session(settings, store))
        qtbot.addWidget(main)
        main.resize(1150, 820)
        main.show()
        main.tabs.setCurrentWidget(main.catalog_view)
        qtbot.waitUntil(lambda: main.catalog_view.model.rowCount() >= 5, timeout=10_000)
        yield main
        main.close()


def test_catalog_lists_models_with_the_pick_for_this_computer(window):
    view = window.catalog_view
    names = [view.model.data(view.model.index(i, 0)) for i in range(view.model.rowCount())]
    assert names[0] == "★ " + ENTRY.name, "the recommendation for a 4-core, 5 GB-free laptop is starred"
    assert view.selected().id == CATALOG_ID and "Recommended for this computer" in view.recommendation.text()
    assert "79.7" in view.details.text() and ENTRY.card_url in view.details.text()
    assert "~/.local/share/stepwise/models" in view.where.text()
    assert view.download_button.isEnabled() and not view.use_button.isEnabled()
    screenshot(window, "catalog")


def test_pick_download_use_and_solve(qtbot, window, hub, tiny_gguf):
    pytest.importorskip("llama_cpp")
    view, session = window.catalog_view, window.session
    view.select(CATALOG_ID)
    with qtbot.waitSignal(view.download_finished, timeout=60_000):
        view.download_button.click()
        assert view.cancel_button.isEnabled() and not view.download_button.isEnabled()
    assert view.progress.value() == view.progress.maximum() == len(tiny_gguf), "the bar followed the bytes"
    qtbot.waitUntil(lambda: view.selected() is not None and view.selected().installed is not None, timeout=10_000)
    assert view.use_button.isEnabled() and "verified" in view.status.text()
    with qtbot.waitSignal(session.model_changed, timeout=60_000):
        view.use_button.click()
    installed = registry.find_installed(CATALOG_ID)
    assert str(session.generator.path) == str(installed.path)
    assert session.settings.model_path == str(installed.path), "the choice is saved like any Settings choice"
    with qtbot.waitSignal(session.solve_finished, timeout=60_000) as solved:
        session.solve("What is 2 + 3?")
    assert len(solved.args[0].result.samples) == 2


def test_cancel_in_the_app_then_resume(qtbot, window, hub):
    view = window.catalog_view
    big = os.urandom(24_000_000)  # realistic megabytes for the screenshot; never loaded
    hub.repos[ENTRY.repo_id].files[ENTRY.filename] = big
    hub.fault(ENTRY.filename, throttle_bps=3_000_000)
    view.select(CATALOG_ID)
    view.download_button.click()
    qtbot.waitUntil(lambda: view.progress.maximum() > 0 and view.progress.value() > view.progress.maximum() // 3,
                    timeout=30_000)
    assert "MB/s" in view.progress_label.text() and "left" in view.progress_label.text()
    screenshot(window, "catalog-download")
    view.cancel_button.click()
    qtbot.waitUntil(lambda: "cancelled" in view.status.text(), timeout=10_000)
    qtbot.waitUntil(lambda: view.selected() is not None and view.selected().partial_bytes > 0, timeout=10_000)
    assert view.download_button.text() == "Resume download" and view.delete_button.isEnabled()
    assert "already downloaded" in view.details.text()
    assert registry.list_installed() == []
    hub.faults.clear()
    with qtbot.waitSignal(view.download_finished, timeout=60_000):
        view.download_button.click()
    assert hub.requests("GET", "/blobs/")[-1][2].get("Range", "").startswith("bytes=")
    assert registry.find_installed(CATALOG_ID).path.read_bytes() == big


def test_failures_are_one_sentence_in_the_tab_and_the_status_bar(qtbot, window, monkeypatch):
    view = window.catalog_view
    view.repo_id.setText("nobody/nothing")
    view.add_button.click()
    qtbot.waitUntil(lambda: "no such model repository" in view.status.text(), timeout=10_000)
    assert window.notifier.last_error == view.status.text()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    view.select(CATALOG_ID)
    view.download_button.click()
    qtbot.waitUntil(lambda: "offline" in view.status.text(), timeout=10_000)
    view.repo_id.setText("not a repo")
    view.add_button.click()
    assert "owner/name" in view.status.text()


def test_delete_a_download(qtbot, window, monkeypatch):
    import tutor.app.catalog_view as catalog_view
    from tutor.hub.download import pull

    pull(CATALOG_ID)
    view = window.catalog_view
    view.refresh(select_id=CATALOG_ID)
    qtbot.waitUntil(lambda: view.selected() is not None and view.selected().installed is not None, timeout=10_000)
    monkeypatch.setattr(catalog_view, "confirm_delete", lambda parent, name: True)
    view.delete_button.click()
    qtbot.waitUntil(lambda: "Deleted" in view.status.text(), timeout=10_000)
    qtbot.waitUntil(lambda: view.selected() is not None and view.selected().installed is None, timeout=10_000)
    assert registry.list_installed() == []
