"""Opening the SQLite file: connection pragmas, sanity checks, backups and migrations.

`open_database(path, timeout)` returns a SQLAlchemy `Engine` on a checked, migrated file, or raises
`StoreError` (locked for longer than `timeout`, not a SQLite file, corrupt, not a Stepwise database, or a
schema newer than this code). Nothing is written to a file before it passes the checks, and an existing
file is copied to `<name>.bak-v<N>` (N = its schema version) before any migration touches it.

Transactions: the pysqlite driver's own implicit BEGIN is switched off; a write transaction starts with
`BEGIN IMMEDIATE` (it takes the write lock up front and waits up to `busy_timeout` for it, instead of
failing half-way when a deferred read transaction cannot be upgraded), a read transaction with a plain
`BEGIN`. In WAL mode readers never block the writer nor the other way round.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, insert
from sqlalchemy.exc import DBAPIError

from tutor.errors import StoreError
from tutor.store.migrations import MIGRATIONS, SCHEMA_VERSION
from tutor.store.schema import SchemaMigration, utc_now

log = logging.getLogger(__name__)

WRITE = "stepwise_write"  # execution option: this connection's transaction starts with BEGIN IMMEDIATE

_LOCKED_MARKERS = ("database is locked", "database table is locked", "busy")
_CORRUPT_MARKERS = ("not a database", "malformed", "disk image", "corrupt")


def store_error(error: BaseException, path: Path, timeout: float) -> StoreError:
    """Translate a driver error into a `StoreError` that tells the user what happened and what to do."""
    text = str(getattr(error, "orig", None) or error).lower()
    if any(marker in text for marker in _LOCKED_MARKERS):
        return StoreError(
            f"The Stepwise database {path} stayed locked by another program for more than {timeout:g} s; "
            "close other Stepwise windows or trainers using it and try again."
        )
    if any(marker in text for marker in _CORRUPT_MARKERS):
        return StoreError(
            f"The Stepwise database {path} is damaged or not a SQLite file ({text}); it was left untouched. "
            "Move it aside (or restore a .bak-v* copy beside it) and start again."
        )
    return StoreError(f"The Stepwise database {path} cannot be used: {text}")


@contextmanager
def translated_errors(path: Path, timeout: float) -> Iterator[None]:
    """Re-raise driver errors of the block as `StoreError` (anything else is a bug and keeps its type)."""
    try:
        yield
    except (DBAPIError, sqlite3.DatabaseError) as error:
        if isinstance(error, DBAPIError) and not isinstance(error.orig, sqlite3.DatabaseError):
            raise
        raise store_error(error, path, timeout) from error


def _make_engine(path: Path, timeout: float) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"timeout": timeout, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, see the module docstring
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _check_file(connection: Connection, path: Path) -> int:
    """Return the file's schema version after read-only checks; raise `StoreError` if it is not ours."""
    tables = {row[0] for row in connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")}
    problems = [row[0] for row in connection.exec_driver_sql("PRAGMA quick_check")]
    if problems != ["ok"]:
        raise StoreError(
            f"The Stepwise database {path} is damaged ({'; '.join(problems[:3])}); it was left untouched. "
            "Move it aside (or restore a .bak-v* copy beside it) and start again."
        )
    if "schema_migrations" not in tables:
        user_tables = {name for name in tables if not name.startswith("sqlite_")}
        if user_tables:
            raise StoreError(
                f"{path} is a SQLite file of another program (tables: {', '.join(sorted(user_tables))}); "
                "point Stepwise at another file."
            )
        return 0
    version = connection.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM schema_migrations").scalar_one()
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"The Stepwise database {path} has schema version {version}, newer than this Stepwise "
            f"understands ({SCHEMA_VERSION}); update Stepwise, or use another file."
        )
    return version


def backup(path: Path, version: int) -> Path:
    """Copy the database (with any WAL content) to `<name>.bak-v<version>`, never overwriting a backup."""
    target = path.with_name(f"{path.name}.bak-v{version}")
    if target.exists():
        target = path.with_name(f"{path.name}.bak-v{version}-{utc_now():%Y%m%dT%H%M%S%f}")
    source = sqlite3.connect(path)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()
    log.info("backed up %s (schema v%d) to %s before migrating", path, version, target)
    return target


def _migrate(engine: Engine, path: Path, version: int) -> None:
    """Apply the pending migrations in one write transaction, after backing up a non-blank file."""
    if version == SCHEMA_VERSION:
        return
    if version > 0:
        backup(path, version)
    with engine.connect().execution_options(**{WRITE: True}) as connection, connection.begin():
        connection.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at DATETIME NOT NULL)"
        )
        # Re-read under the write lock: another process may have migrated while we waited for it.
        version = connection.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM schema_migrations").scalar_one()
        for number, (name, migration) in enumerate(MIGRATIONS[version:], start=version + 1):
            log.info("applying store migration %d %s to %s", number, name, path)
            migration(connection)
            connection.execute(insert(SchemaMigration).values(id=number, name=name, applied_at=utc_now()))


def _journal_mode_wal(raw: sqlite3.Connection, timeout: float) -> str:
    """Switch to WAL, retrying while another connection holds a lock: SQLite answers this pragma "database is
    locked" at once, without its busy handler (seen with three first opens of one new file at once)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return raw.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError as error:
            if not any(marker in str(error) for marker in _LOCKED_MARKERS) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def open_database(path: Path, timeout: float) -> Engine:
    """A ready engine on `path` (created if missing), checked and migrated; `StoreError` otherwise."""
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = _make_engine(path, timeout)
    try:
        with translated_errors(path, timeout):
            with engine.connect() as connection:
                version = _check_file(connection, path)  # before WAL mode: no byte of a bad file is written
                connection.rollback()
                # Outside any transaction (SQLite cannot switch journal mode inside one); persistent.
                raw = connection.connection.dbapi_connection
                mode = _journal_mode_wal(raw, timeout)
                if mode.lower() != "wal":
                    log.warning("%s stays in %s journal mode (WAL unavailable here)", path, mode)
            _migrate(engine, path, version)
    except BaseException:
        engine.dispose()
        raise
    return engine
