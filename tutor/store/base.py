"""The connection-holding part of `Store`: opening, closing, and short read / write transactions.

Every public `Store` method runs in one short transaction of its own (`_writing()` or `_reading()`), so a
GUI reading the file and a trainer process writing it interleave without holding locks between calls.
Rows handed back are detached snapshots (`expire_on_commit=False`): read their attributes freely, but
change the database only through `Store` methods.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from tutor import paths
from tutor.errors import StoreError
from tutor.store.database import WRITE, open_database, translated_errors

DEFAULT_TIMEOUT_S = 5.0
T = TypeVar("T")


def _finite_or_none(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {key: _finite_or_none(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite_or_none(item) for item in value]
    if isinstance(value, os.PathLike):  # configs often hold Paths; they are stored as their text
        return os.fspath(value)
    return value


def json_copy(data: Mapping[str, Any], what: str) -> dict[str, Any]:
    """A deep, JSON-clean copy of `data`, so a bad value fails here with a clear message, not mid-write.

    NaN and infinities become null (strict JSON has neither; an undefined AUROC is stored as null);
    paths become strings.
    """
    if not isinstance(data, Mapping):
        raise StoreError(f"The {what} must be a dict, not {type(data).__name__}.")
    try:
        return json.loads(json.dumps(_finite_or_none(data), allow_nan=False))
    except (TypeError, ValueError) as error:
        raise StoreError(f"The {what} cannot be stored as JSON: {error}") from error


class StoreBase:
    """Holds the engine; see `tutor.store.Store` for the API."""

    def __init__(self, path: str | Path | None = None, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        """Open (creating and migrating if needed) the store at `path`, default `paths.db_path()`.

        `timeout` is how many seconds a call waits for another program's lock before `StoreError`.
        """
        self.path = Path(path) if path is not None else paths.db_path()
        self.timeout = timeout
        self._engine = open_database(self.path, timeout)
        self._write_engine = self._engine.execution_options(**{WRITE: True})
        self._closed = False

    def close(self) -> None:
        """Release every connection (the last one to close folds the WAL back into the main file)."""
        self._closed = True
        self._engine.dispose()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r})"

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """One write transaction (BEGIN IMMEDIATE): committed on success, rolled back on any error."""
        self._check_open()
        with translated_errors(self.path, self.timeout):
            with Session(self._write_engine, expire_on_commit=False) as session, session.begin():
                yield session

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        """One read transaction: a consistent snapshot for the duration of the block."""
        self._check_open()
        with translated_errors(self.path, self.timeout):
            with Session(self._engine, expire_on_commit=False) as session, session.begin():
                yield session

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"The store {self.path} was closed; open a new Store to use it again.")

    @staticmethod
    def _get(session: Session, model: type[T], row_id: int, what: str) -> T:
        """The row of `model` with this id, or `StoreError` naming `what` is missing."""
        row = session.get(model, row_id)
        if row is None:
            raise StoreError(f"There is no {what} with id {row_id} in the store.")
        return row
