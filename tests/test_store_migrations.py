"""Schema migrations of the SQLite store: blank file -> expected schema, idempotent re-open, backups,
refusal of newer / foreign / half-migrated files.

Run: python -m pytest tests/test_store_migrations.py -q
"""

import sqlite3
import threading

import pytest
from sqlalchemy import create_engine, inspect

import tutor.store.database as database
from tutor.errors import StoreError
from tutor.store import MIGRATIONS, Store
from tutor.store.schema import Base


def applied(path):
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT id, name FROM schema_migrations ORDER BY id").fetchall()


def sqlite_schema(path):
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()


def test_blank_database_migrates_to_the_declared_tables_and_columns(tmp_path):
    path = tmp_path / "stepwise.sqlite"
    Store(path).close()

    inspector = inspect(create_engine(f"sqlite:///{path}"))
    assert set(inspector.get_table_names()) == set(Base.metadata.tables)
    for table in Base.metadata.sorted_tables:
        on_disk = {column["name"]: column for column in inspector.get_columns(table.name)}
        assert set(on_disk) == set(table.columns.keys()), table.name
        for column in table.columns:
            if column.primary_key:  # an INTEGER PRIMARY KEY is the rowid: never NULL, whatever PRAGMA says
                continue
            assert on_disk[column.name]["nullable"] == column.nullable, f"{table.name}.{column.name}"
        declared_uniques = {tuple(c.columns.keys()) for c in table.constraints if c.__class__.__name__ ==
                            "UniqueConstraint"}
        disk_uniques = {tuple(u["column_names"]) for u in inspector.get_unique_constraints(table.name)}
        assert disk_uniques == declared_uniques, table.name
        declared_indexes = {index.name: [c.name for c in index.columns] for index in table.indexes}
        disk_indexes = {index["name"]: index["column_names"] for index in inspector.get_indexes(table.name)}
        assert disk_indexes == declared_indexes, table.name
        declared_fks = {(fk.parent.name, fk.column.table.name) for fk in table.foreign_keys}
        disk_fks = {(fk["constrained_columns"][0], fk["referred_table"])
                    for fk in inspector.get_foreign_keys(table.name)}
        assert disk_fks == declared_fks, table.name

    assert applied(path) == [(number, name) for number, (name, _) in enumerate(MIGRATIONS, start=1)]
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_store_defaults_to_the_user_data_dir(stepwise_home):
    with Store() as store:
        assert store.path == stepwise_home / "stepwise.sqlite"
    assert applied(stepwise_home / "stepwise.sqlite")


def test_reopening_is_a_no_op_and_keeps_the_data(tmp_path):
    path = tmp_path / "stepwise.sqlite"
    with Store(path) as store:
        run_id = store.create_run("first", {"lr": 0.001})
    before = (applied(path), sqlite_schema(path))
    for _ in range(2):
        with Store(path) as store:
            assert store.run(run_id).config == {"lr": 0.001}
    assert (applied(path), sqlite_schema(path)) == before
    assert not list(tmp_path.glob("*.bak-v*")), "no migration ran, so no backup is due"


def add_column_migration(connection):
    connection.exec_driver_sql("ALTER TABLE runs ADD COLUMN note TEXT")


def test_a_new_migration_backs_up_the_file_then_applies(tmp_path, monkeypatch):
    path = tmp_path / "stepwise.sqlite"
    with Store(path) as store:
        run_id = store.create_run("kept", {})
    version = len(MIGRATIONS)
    monkeypatch.setattr(database, "MIGRATIONS", [*MIGRATIONS, ("9999_add_run_note", add_column_migration)])
    monkeypatch.setattr(database, "SCHEMA_VERSION", version + 1)

    with Store(path) as store:
        assert store.run(run_id).name == "kept"
    assert applied(path)[-1] == (version + 1, "9999_add_run_note")
    with sqlite3.connect(path) as connection:
        assert "note" in [row[1] for row in connection.execute("PRAGMA table_info(runs)")]

    backup = tmp_path / f"stepwise.sqlite.bak-v{version}"
    assert backup.exists()
    with sqlite3.connect(backup) as connection:
        assert connection.execute("SELECT name FROM runs").fetchall() == [("kept",)]
        assert "note" not in [row[1] for row in connection.execute("PRAGMA table_info(runs)")]


def failing_migration(connection):
    connection.exec_driver_sql("CREATE TABLE half_done (id INTEGER)")
    raise RuntimeError("migration bug")


def test_a_failing_migration_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "stepwise.sqlite"
    Store(path).close()
    before = (applied(path), sqlite_schema(path))
    monkeypatch.setattr(database, "MIGRATIONS", [*MIGRATIONS, ("9999_broken", failing_migration)])
    monkeypatch.setattr(database, "SCHEMA_VERSION", len(MIGRATIONS) + 1)
    with pytest.raises(RuntimeError, match="migration bug"):
        Store(path)
    assert (applied(path), sqlite_schema(path)) == before


def test_a_newer_schema_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "stepwise.sqlite"
    Store(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute("INSERT INTO schema_migrations VALUES (99, '0099_future', '2030-01-01 00:00:00')")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer"):
        Store(path)
    assert path.read_bytes() == before


def test_another_programs_database_is_refused(tmp_path):
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER)")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="another program.*invoices"):
        Store(path)
    assert path.read_bytes() == before


def test_two_first_opens_at_once_migrate_exactly_once(tmp_path):
    path = tmp_path / "stepwise.sqlite"
    errors = []

    def open_store():
        try:
            Store(path).close()
        except Exception as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=open_store) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(applied(path)) == len(MIGRATIONS)


def test_a_version_1_file_migrates_to_crashed_runs_and_run_liveness(tmp_path, monkeypatch):
    path = tmp_path / "stepwise.sqlite"
    with monkeypatch.context() as patch:  # a file as the first release wrote it
        patch.setattr(database, "MIGRATIONS", MIGRATIONS[:1])
        patch.setattr(database, "SCHEMA_VERSION", 1)
        Store(path).close()
    with sqlite3.connect(path) as connection:
        run_id = connection.execute("INSERT INTO runs (name, config, status, created_at) VALUES "
                                    "('old', '{\"phases\": [\"ssft\"]}', 'running', '2025-01-01 00:00:00')").lastrowid
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            connection.execute("UPDATE runs SET status = 'crashed'")

    with Store(path) as store:
        run = store.run(run_id)
        assert (run.name, run.status, run.pid, run.planned_phases) == ("old", "running", None, None)
        store.set_run_status(run_id, "crashed", "its process is gone")
        store.start_phase(run_id, "ssft", total=10)
        store.finish_phase(run_id, "ssft", "crashed")
    assert [name for _, name in applied(path)] == [name for name, _ in MIGRATIONS]
    assert (tmp_path / "stepwise.sqlite.bak-v1").exists()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            connection.execute("UPDATE runs SET status = 'done'")
