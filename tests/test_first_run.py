"""First run: the store opens or recovers (damaged files moved aside, never lost), and the app's smoke mode.

Run: python -m pytest tests/test_first_run.py -q
Covers tutor/store/recovery.py (real SQLite files: garbage, truncated, locked, foreign, newer schema) and
tutor/app/first_run.py (prepare(), and `launch()` in smoke mode driving the real window with a scripted
model, offscreen).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

import pytest
from app_fakes import PROBLEM, ScriptedGenerator, ScriptedVerifier

from tutor import paths
from tutor.errors import ModelLoadError, StoreError
from tutor.store import SCHEMA_VERSION, Store
from tutor.store.recovery import corrupt_name, damage, open_or_recover

GARBAGE = b"this is not a database, it is a note a student saved by mistake\n" * 40


def make_history(path, problems=("What is 2 + 3?", "Solve x + 1 = 4")):
    with Store(path) as store:
        for problem in problems:
            store.save_solve(problem, {"problem": problem, "answer": "5"}, model="test")


def corrupt_files(directory):
    return sorted(p for p in directory.iterdir() if ".corrupt-" in p.name)


# -- recovery: damage is moved aside, a fresh store takes its place ----------------------------------------
def test_missing_database_is_created_without_notice(tmp_path):
    path = tmp_path / "new" / "stepwise.sqlite"
    opened = open_or_recover(path)
    with opened.store as store:
        assert store.solves() == []
    assert opened.notice is None and opened.moved_to is None
    assert path.is_file() and not corrupt_files(path.parent)


def test_healthy_database_opens_with_its_history(tmp_path):
    path = tmp_path / "stepwise.sqlite"
    make_history(path)
    opened = open_or_recover(path)
    with opened.store as store:
        assert sorted(row.problem for row in store.solves()) == ["Solve x + 1 = 4", "What is 2 + 3?"]
    assert opened.notice is None and not corrupt_files(tmp_path)


def test_garbage_file_is_moved_aside_byte_for_byte_and_a_fresh_store_works(tmp_path):
    path = tmp_path / "stepwise.sqlite"
    path.write_bytes(GARBAGE)
    with pytest.raises(StoreError):  # the store alone refuses it and leaves it alone
        Store(path)
    assert path.read_bytes() == GARBAGE

    opened = open_or_recover(path)
    assert opened.moved_to is not None and opened.moved_to.read_bytes() == GARBAGE
    assert opened.moved_to.name.startswith("stepwise.sqlite.corrupt-")
    assert str(opened.moved_to) in opened.notice and "not a SQLite file" in opened.notice
    with opened.store as store:
        store.save_solve("What is 1 + 1?", {"answer": "2"})
        assert [row.problem for row in store.solves()] == ["What is 1 + 1?"]


def test_truncated_database_is_recognised_as_damaged_and_recovered(tmp_path):
    path = tmp_path / "stepwise.sqlite"
    make_history(path, problems=[f"problem {i} " + "x" * 2000 for i in range(60)])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # a copy cut short, as after a full disk
    assert damage(path) is not None

    opened = open_or_recover(path)
    assert opened.moved_to.read_bytes() == data[: len(data) // 2]
    with opened.store as store:
        assert store.solves() == []


def test_wal_companions_move_with_the_damaged_file(tmp_path):
    path = tmp_path / "stepwise.sqlite"
    path.write_bytes(GARBAGE)
    (tmp_path / "stepwise.sqlite-wal").write_bytes(b"old wal")
    (tmp_path / "stepwise.sqlite-shm").write_bytes(b"old shm")
    opened = open_or_recover(path)
    assert (tmp_path / f"{opened.moved_to.name}-wal").read_bytes() == b"old wal"
    assert (tmp_path / f"{opened.moved_to.name}-shm").read_bytes() == b"old shm"
    opened.store.close()


def test_a_second_recovery_in_the_same_second_never_overwrites_the_first(tmp_path):
    path = tmp_path / "stepwise.sqlite"
    now = datetime(2026, 11, 25, 14, 0, 0, tzinfo=UTC)
    first = corrupt_name(path, now)
    first.write_bytes(b"first")
    second = corrupt_name(path, now)
    assert first.name == "stepwise.sqlite.corrupt-20261125T140000Z"
    assert second != first and not second.exists()


def test_notice_points_at_an_existing_pre_migration_backup(tmp_path):
    path = tmp_path / "stepwise.sqlite"
    (tmp_path / "stepwise.sqlite.bak-v1").write_bytes(b"backup")
    path.write_bytes(GARBAGE)
    opened = open_or_recover(path)
    assert "stepwise.sqlite.bak-v1" in opened.notice
    opened.store.close()


def test_an_older_schema_is_backed_up_then_migrated_not_moved(tmp_path, monkeypatch):
    from tutor.store import MIGRATIONS, database

    path = tmp_path / "stepwise.sqlite"
    make_history(path)
    version = len(MIGRATIONS)

    def add_note_column(connection):
        connection.exec_driver_sql("ALTER TABLE solves ADD COLUMN note TEXT")

    monkeypatch.setattr(database, "MIGRATIONS", [*MIGRATIONS, ("9999_solve_note", add_note_column)])
    monkeypatch.setattr(database, "SCHEMA_VERSION", version + 1)
    opened = open_or_recover(path)
    with opened.store as store:
        assert len(store.solves()) == 2
    assert opened.notice is None and not corrupt_files(tmp_path)
    with sqlite3.connect(tmp_path / f"stepwise.sqlite.bak-v{version}") as backup:
        assert backup.execute("SELECT COUNT(*) FROM solves").fetchone() == (2,)


# -- recovery: anything that is not damage is refused unchanged, and nothing moves --------------------------
def test_locked_database_is_refused_and_left_in_place(tmp_path):
    path = tmp_path / "stepwise.sqlite"
    make_history(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode = DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked"):
            open_or_recover(path, timeout=0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not corrupt_files(tmp_path)
    with open_or_recover(path).store as store:
        assert len(store.solves()) == 2


def test_another_programs_database_is_refused_not_moved(tmp_path):
    path = tmp_path / "stepwise.sqlite"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE recipes (name TEXT)")
    other.commit()
    other.close()
    with pytest.raises(StoreError, match="another program"):
        open_or_recover(path)
    assert not corrupt_files(tmp_path) and damage(path) is None


def test_a_newer_schema_is_refused_not_moved(tmp_path):
    path = tmp_path / "stepwise.sqlite"
    make_history(path)
    raw = sqlite3.connect(path)
    raw.execute("INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, 'from the future', '2030-01-01')",
                (SCHEMA_VERSION + 1,))
    raw.commit()
    raw.close()
    with pytest.raises(StoreError, match="newer"):
        open_or_recover(path)
    assert not corrupt_files(tmp_path)


# -- the app's first run -----------------------------------------------------------------------------------
def test_prepare_creates_the_data_dir_and_recovers_the_default_database(stepwise_home):
    from tutor.app.first_run import prepare

    assert not stepwise_home.exists()
    startup = prepare()
    assert startup.data_dir == stepwise_home and paths.db_path().is_file() and startup.notices == []

    paths.db_path().write_bytes(GARBAGE)
    startup = prepare()
    assert len(startup.notices) == 1 and "moved to" in startup.notices[0]
    assert len(corrupt_files(stepwise_home)) == 1 and damage(paths.db_path()) is None


def test_bundled_model_resolves_under_meipass_in_a_frozen_bundle(tmp_path, monkeypatch):
    import importlib
    import sys

    monkeypatch.delenv("STEPWISE_MODEL", raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    try:
        frozen = importlib.reload(paths)
        assert frozen.bundled_model_dir() == tmp_path / "assets" / "model"
        assert frozen.REPO_ROOT == tmp_path
    finally:
        monkeypatch.delattr(sys, "_MEIPASS")
        importlib.reload(paths)
    assert paths.bundled_model_dir() == paths.REPO_ROOT / "assets" / "model" != tmp_path / "assets" / "model"


def smoke_events(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith('{"smoke"')]


def test_smoke_mode_solves_through_the_window_and_reports_milestones(qapp, monkeypatch, capsys, stepwise_home):
    from PySide6.QtGui import QImage

    from tutor.app import jobs
    from tutor.app.first_run import SCREENSHOT_ENV, SMOKE_ENV, launch
    from tutor.app.window import MainWindow

    loaded = []

    def fake_load(path, device, verifier_path, *, threads=0, report, cancel):
        loaded.append(path)
        return ScriptedGenerator(delay_s=0.0), ScriptedVerifier()

    monkeypatch.setattr(jobs, "load_models", fake_load)
    monkeypatch.setenv(SMOKE_ENV, PROBLEM)
    monkeypatch.setenv(SCREENSHOT_ENV, str(stepwise_home / "shot.png"))
    stepwise_home.mkdir(parents=True)
    paths.db_path().write_bytes(GARBAGE)  # a damaged history must not stop the first solve

    assert launch() == 0
    events = smoke_events(capsys.readouterr().out)
    assert [e["smoke"] for e in events] == ["window", "model", "answer"]
    assert events[1]["name"] == "scripted-fake" and events[2]["answer"] == "\\frac{3}{4}"
    assert 0 < events[2]["confidence"] <= 1
    assert events[0]["seconds"] <= events[1]["seconds"] <= events[2]["seconds"]
    assert loaded == [None], "no setting: the bundled model (None) is what gets loaded"
    assert max(size.width() for size in qapp.windowIcon().availableSizes()) == 512
    shot = QImage(str(stepwise_home / "shot.png"))
    assert shot.width() >= 400 and shot.height() >= 300, "the window with its answer was saved"
    with Store() as store:  # the fresh database took the solve
        assert [row.problem for row in store.solves()] == [PROBLEM]
    assert len(corrupt_files(stepwise_home)) == 1
    windows = [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow)]
    assert any("was moved to" in w.notifier.last_error for w in windows), "the user was told, in the status bar"


def test_smoke_mode_exits_non_zero_when_the_model_fails(qapp, monkeypatch, capsys):
    from tutor.app import jobs
    from tutor.app.first_run import SMOKE_ENV, launch

    def failing_load(path, device, verifier_path, *, threads=0, report, cancel):
        raise ModelLoadError("model not found: /nowhere (the bundled model is missing)")

    monkeypatch.setattr(jobs, "load_models", failing_load)
    monkeypatch.setenv(SMOKE_ENV, "What is 2 + 3?")
    assert launch() == 1
    events = smoke_events(capsys.readouterr().out)
    assert [e["smoke"] for e in events] == ["window", "error"] and "/nowhere" in events[1]["message"]


@pytest.mark.slow
@pytest.mark.gguf
def test_tutor_with_no_arguments_solves_in_smoke_mode_on_a_real_gguf_model(tmp_path):
    """The whole path a student takes, from source: `tutor` → first run → llama.cpp model → answer."""
    import os
    import subprocess
    import sys

    pytest.importorskip("llama_cpp")
    from tiny_llama import build_model

    from trainer.export_gguf import export_gguf

    model = build_model(tmp_path / "model", train_steps=30)
    export_gguf(model, model / "model.gguf", "f16")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "STEPWISE_SMOKE": "What is 12 + 30?",
           "STEPWISE_MODEL": str(model), "STEPWISE_HOME": str(tmp_path / "home")}
    done = subprocess.run([sys.executable, "-m", "tutor.cli"], capture_output=True, text=True, env=env, timeout=300)
    events = smoke_events(done.stdout)
    assert done.returncode == 0, done.stderr[-3000:]
    # STEPWISE_MODEL names the default model, which the app shows as "default (<its name>)"
    assert [e["smoke"] for e in events] == ["window", "model", "answer"] and events[1]["name"] == "default (model)"
    with Store(tmp_path / "home" / "stepwise.sqlite") as store:
        assert [row.problem for row in store.solves()] == ["What is 12 + 30?"]
