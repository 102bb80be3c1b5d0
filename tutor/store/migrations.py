"""Named, append-only schema migrations of the Stepwise store.

`MIGRATIONS` is a list of `(name, function)`; migration i (1-based) is recorded as row `id = i` of
`schema_migrations` once applied, so the schema version of a file is the number of rows there. Never edit
or reorder a migration that has shipped: add a new one at the end (and update `schema.py` to match).
A file whose version is higher than `len(MIGRATIONS)` was written by newer code and is refused.

Each function gets a SQLAlchemy `Connection` inside the one `BEGIN IMMEDIATE` transaction that applies all
pending migrations (SQLite DDL is transactional: a failed migration leaves the file as it was).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection

from tutor.store.schema import RUN_STATUSES


def _status_check(statuses: tuple[str, ...]) -> str:
    return "status IN (" + ", ".join(f"'{status}'" for status in statuses) + ")"


# The statuses as migration 1 wrote them (frozen: a shipped migration never changes what it builds).
_STATUS_CHECK = _status_check(("running", "finished", "failed", "cancelled"))


def _run_all(connection: Connection, statements: list[str]) -> None:
    for statement in statements:
        connection.exec_driver_sql(statement)


def initial_schema(connection: Connection) -> None:
    """Training history (runs, phases, metrics, checkpoints, candidates, evaluations) and tutor history."""
    _run_all(connection, [
        f"""CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            recipe TEXT,
            config JSON NOT NULL,
            status TEXT NOT NULL CHECK ({_STATUS_CHECK}),
            message TEXT,
            output_dir TEXT,
            parent_id INTEGER REFERENCES runs(id),
            created_at DATETIME NOT NULL,
            finished_at DATETIME)""",
        f"""CREATE TABLE phases (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            name TEXT NOT NULL,
            status TEXT NOT NULL CHECK ({_STATUS_CHECK}),
            started_at DATETIME NOT NULL,
            finished_at DATETIME,
            UNIQUE (run_id, name))""",
        """CREATE TABLE metrics (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            phase TEXT NOT NULL,
            step INTEGER NOT NULL,
            name TEXT NOT NULL,
            value FLOAT NOT NULL,
            logged_at DATETIME NOT NULL,
            UNIQUE (run_id, phase, step, name))""",
        "CREATE INDEX ix_metrics_run_name_step ON metrics (run_id, name, step)",
        """CREATE TABLE checkpoints (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            phase TEXT NOT NULL,
            step INTEGER NOT NULL,
            path TEXT NOT NULL,
            created_at DATETIME NOT NULL,
            UNIQUE (run_id, phase, step))""",
        """CREATE TABLE candidates (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            phase TEXT NOT NULL,
            problem_id TEXT NOT NULL,
            sample_index INTEGER NOT NULL,
            problem TEXT NOT NULL,
            solution TEXT NOT NULL,
            answer TEXT,
            reference TEXT,
            correct BOOLEAN NOT NULL,
            UNIQUE (run_id, phase, problem_id, sample_index))""",
        """CREATE TABLE evaluations (
            id INTEGER PRIMARY KEY,
            run_id INTEGER REFERENCES runs(id),
            split TEXT NOT NULL,
            model TEXT,
            metrics JSON NOT NULL,
            created_at DATETIME NOT NULL)""",
        """CREATE TABLE solves (
            id INTEGER PRIMARY KEY,
            problem TEXT NOT NULL,
            result JSON NOT NULL,
            model TEXT,
            answer TEXT,
            confidence FLOAT,
            created_at DATETIME NOT NULL)""",
        "CREATE INDEX ix_solves_created ON solves (created_at)",
        """CREATE TABLE marks (
            id INTEGER PRIMARY KEY,
            solve_id INTEGER NOT NULL REFERENCES solves(id),
            sample_index INTEGER,
            cluster_answer TEXT,
            correct BOOLEAN NOT NULL,
            comment TEXT NOT NULL DEFAULT '',
            created_at DATETIME NOT NULL,
            CHECK ((sample_index IS NULL) != (cluster_answer IS NULL)))""",
        "CREATE INDEX ix_marks_solve ON marks (solve_id)",
    ])


def crashed_status(connection: Connection) -> None:
    """Runs and phases may end "crashed" (the trainer process vanished without recording an ending).

    SQLite cannot ALTER a CHECK constraint, and rebuilding `runs` would need foreign keys off, which cannot
    change inside this transaction. Widening the accepted values changes no stored byte, so this takes
    SQLite's documented route for such changes ("Making Other Kinds Of Table Schema Changes" in its ALTER
    TABLE page): rewrite the table's SQL in sqlite_schema and bump schema_version, in this transaction.
    """
    old, new = _STATUS_CHECK, _status_check(RUN_STATUSES)
    version = connection.exec_driver_sql("PRAGMA schema_version").scalar_one()
    connection.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        for table in ("runs", "phases"):
            sql = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).scalar_one()
            assert old in sql, f"{table} does not have the status check of migration 1: {sql}"
            connection.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                                       (sql.replace(old, new), table))
        connection.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        connection.exec_driver_sql("PRAGMA writable_schema = OFF")


def run_process_plan_and_progress(connection: Connection) -> None:
    """Which process runs a run (pid, host, heartbeat), the phases it planned, and each phase's progress."""
    _run_all(connection, [
        "ALTER TABLE runs ADD COLUMN pid INTEGER",
        "ALTER TABLE runs ADD COLUMN host TEXT",
        "ALTER TABLE runs ADD COLUMN heartbeat_at DATETIME",
        "ALTER TABLE runs ADD COLUMN planned_phases JSON",
        "ALTER TABLE phases ADD COLUMN step INTEGER",
        "ALTER TABLE phases ADD COLUMN total INTEGER",
    ])


MIGRATIONS: list[tuple[str, Callable[[Connection], None]]] = [
    ("0001_initial_schema", initial_schema),
    ("0002_crashed_status", crashed_status),
    ("0003_run_process_plan_and_progress", run_process_plan_and_progress),
]

SCHEMA_VERSION = len(MIGRATIONS)
