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

_STATUS_CHECK = "status IN (" + ", ".join(f"'{status}'" for status in RUN_STATUSES) + ")"


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


MIGRATIONS: list[tuple[str, Callable[[Connection], None]]] = [
    ("0001_initial_schema", initial_schema),
]

SCHEMA_VERSION = len(MIGRATIONS)
