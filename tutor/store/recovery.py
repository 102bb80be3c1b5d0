"""Opening the store on first run (and every run): a corrupt file is moved aside, never lost or overwritten.

    from tutor.store.recovery import open_or_recover
    opened = open_or_recover()          # paths.db_path(); open_or_recover(path, timeout=5.0) for another file
    opened.store                        # a ready Store
    opened.notice                       # None, or a sentence for the user saying where the old file went

`Store` itself refuses a damaged file with `StoreError` and leaves it untouched (it also backs a file up to
`<name>.bak-v<N>` before any migration). This module adds the step a desktop app needs on top: when the
file really is damaged — not a SQLite file, or failing SQLite's own integrity check — it is renamed to
`<name>.corrupt-<UTC timestamp>` (with its `-wal`/`-shm` companions), a fresh database is created in its
place, and the caller gets a notice to show. Every other refusal (locked by another program, another
program's database, a schema newer than this code, a folder we cannot write) is re-raised unchanged:
moving those aside would hide a problem the user can fix, or lose history a newer Stepwise can read.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tutor import paths

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
COMPANION_SUFFIXES = ("-wal", "-shm")


@dataclass
class OpenedStore:
    """A usable store, and what happened on the way (for the status bar)."""

    store: object  # tutor.store.Store (typed loosely: importing it here would be circular at package import)
    notice: str | None = None
    """A message for the user when a damaged file was moved aside; None when the file opened as it was."""
    moved_to: Path | None = None
    """Where the damaged file now lives, when it was moved."""


def damage(path: Path) -> str | None:
    """Why `path` is a damaged database, or None when it is readable SQLite (or missing, or empty).

    Reads only (a read-only URI connection), so a file held by another program is never touched; a lock or
    a permission problem is not damage and gives None.
    """
    if not path.is_file() or path.stat().st_size == 0:
        return None
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_MAGIC))
    if header != SQLITE_MAGIC:
        return "it is not a SQLite file"
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=0.5)
    except sqlite3.OperationalError:
        return None
    try:
        problems = [row[0] for row in connection.execute("PRAGMA quick_check")]
    except sqlite3.OperationalError:  # locked, busy, unreadable: a condition, not damage
        return None
    except sqlite3.DatabaseError as error:  # "file is not a database", "database disk image is malformed"
        return str(error)
    finally:
        connection.close()
    return None if problems == ["ok"] else "; ".join(problems[:3])


def corrupt_name(path: Path, now: datetime | None = None) -> Path:
    """`<name>.corrupt-<UTC timestamp>` beside `path`, with a counter if that name is taken."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
    return target


def move_aside(path: Path) -> Path:
    """Rename the damaged file (and its WAL/shared-memory companions) out of the way; returns the new path."""
    target = corrupt_name(path)
    path.rename(target)
    for suffix in COMPANION_SUFFIXES:
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.rename(target.with_name(target.name + suffix))
    log.warning("moved the damaged Stepwise database %s to %s", path, target)
    return target


def open_or_recover(path: Path | None = None, timeout: float = 5.0) -> OpenedStore:
    """Open the store at `path` (default `paths.db_path()`); move a damaged file aside and start fresh.

    Raises `tutor.errors.StoreError` for anything that is not damage (see the module docstring), exactly
    as `Store` does.
    """
    from tutor.store import Store

    path = Path(path) if path is not None else paths.db_path()
    # Diagnose read-only before the store's read-write open: closing a read-write connection on a damaged
    # file lets SQLite delete its -wal/-shm companions, which may hold the last writes.
    reason = damage(path)
    if reason is None:
        return OpenedStore(Store(path, timeout=timeout))
    moved_to = move_aside(path)
    store = Store(path, timeout=timeout)
    notice = f"Your history database was damaged ({reason}); it was moved to {moved_to} and a new, empty one was started."
    backups = sorted(path.parent.glob(f"{path.name}.bak-v*"))
    if backups:
        notice += f" An earlier copy made before an upgrade is kept at {backups[-1]}."
    return OpenedStore(store, notice, moved_to)
