"""The tables of the Stepwise store, as SQLAlchemy 2.0 typed ORM classes.

These classes describe the schema that `migrations.py` builds; the migrations are the source of truth for
an existing file, and `tests/test_store_migrations.py` checks that a migrated blank database has exactly
the tables and columns declared here. Change a table only together with a new migration.

Times are stored as UTC and come back as timezone-aware `datetime`s. JSON columns hold plain dicts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, TypeDecorator, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

RUN_STATUSES = ("running", "finished", "failed", "cancelled", "crashed")
"""How a run (or phase) stands: "running" while its trainer process lives; then how it ended: "finished",
"failed" (the trainer recorded an error), "cancelled" (Ctrl-C / the app's Cancel) or "crashed" (the process
was gone without recording an ending: killed, or the machine went down; see `liveness.py`)."""
PHASE_STATUSES = RUN_STATUSES


def utc_now() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A datetime stored as naive UTC text (SQLite has no time zones) and read back as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("store times must be timezone-aware (use datetime.now(UTC))")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}

    def __repr__(self) -> str:
        fields = ", ".join(f"{c.key}={getattr(self, c.key)!r}" for c in self.__table__.columns)
        return f"{type(self).__name__}({fields})"


class SchemaMigration(Base):
    """One applied migration: `id` is its 1-based position in `migrations.MIGRATIONS`."""

    __tablename__ = "schema_migrations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    applied_at: Mapped[datetime]


# --- training history (written by `trainer`, read by the app's retraining tab) ---------------------------


class Run(Base):
    """One training run: its recipe, whole config and outcome; `parent_id` is the run it resumed."""

    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    recipe: Mapped[str | None]
    config: Mapped[dict[str, Any]]
    status: Mapped[str]  # one of RUN_STATUSES
    message: Mapped[str | None]  # why it failed or was cancelled
    output_dir: Mapped[str | None]
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    pid: Mapped[int | None]  # the trainer process running it (set on start and on every resume)
    host: Mapped[str | None]  # the machine of that process
    heartbeat_at: Mapped[datetime | None]  # the last sign of life of that process
    planned_phases: Mapped[list[str] | None] = mapped_column(JSON)
    """The steps this run will go through, in order, as the trainer planned them when it (re)started."""


class Phase(Base):
    """One phase of a run (e.g. "ssft", "evaluator", "multitask"); re-started in place on resume."""

    __tablename__ = "phases"
    __table_args__ = (UniqueConstraint("run_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    name: Mapped[str]
    status: Mapped[str]  # one of PHASE_STATUSES
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    step: Mapped[int | None]  # progress as the trainer last reported it: `step` of `total` (steps, problems)
    total: Mapped[int | None]


class Metric(Base):
    """One scalar per (run, phase, step, name); logging the same key again overwrites it (resume-safe)."""

    __tablename__ = "metrics"
    __table_args__ = (
        UniqueConstraint("run_id", "phase", "step", "name"),
        Index("ix_metrics_run_name_step", "run_id", "name", "step"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    phase: Mapped[str]
    step: Mapped[int]
    name: Mapped[str]
    value: Mapped[float]
    logged_at: Mapped[datetime]


class Checkpoint(Base):
    """A saved checkpoint folder of a run's phase at a step."""

    __tablename__ = "checkpoints"
    __table_args__ = (UniqueConstraint("run_id", "phase", "step"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    phase: Mapped[str]
    step: Mapped[int]
    path: Mapped[str]
    created_at: Mapped[datetime]


class Candidate(Base):
    """A sampled candidate solution with its grader label (the evaluator's training data)."""

    __tablename__ = "candidates"
    __table_args__ = (UniqueConstraint("run_id", "phase", "problem_id", "sample_index"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    phase: Mapped[str]
    problem_id: Mapped[str]
    sample_index: Mapped[int]
    problem: Mapped[str]
    solution: Mapped[str]
    answer: Mapped[str | None]  # extracted final answer; None when none was found
    reference: Mapped[str | None]
    correct: Mapped[bool]


class Evaluation(Base):
    """An evaluation report (all strategies' accuracies, AUROC, ECE, ...) of a run or of any model."""

    __tablename__ = "evaluations"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    split: Mapped[str]
    model: Mapped[str | None]
    metrics: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


# --- tutor history (written by the app and `tutor solve`) ------------------------------------------------


class Solve(Base):
    """A solved problem: the whole `SolveResult.to_dict()` plus the columns history lists and searches."""

    __tablename__ = "solves"
    __table_args__ = (Index("ix_solves_created", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    problem: Mapped[str]
    result: Mapped[dict[str, Any]]
    model: Mapped[str | None]
    answer: Mapped[str | None]
    confidence: Mapped[float | None]
    created_at: Mapped[datetime]


class Mark(Base):
    """A teacher's verdict on one sample (`sample_index`) or a whole cluster (`cluster_answer`) of a solve."""

    __tablename__ = "marks"
    __table_args__ = (Index("ix_marks_solve", "solve_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    solve_id: Mapped[int] = mapped_column(ForeignKey("solves.id"))
    sample_index: Mapped[int | None]
    cluster_answer: Mapped[str | None]
    correct: Mapped[bool]
    comment: Mapped[str]
    created_at: Mapped[datetime]
