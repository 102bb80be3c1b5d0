"""Training history: runs, phases, step metrics, checkpoints, labelled candidates and evaluations.

Written by `trainer` (one process per run), read by `trainer runs` and the app's retraining tab while the
run writes. Re-logging after a resume is safe: metrics and checkpoints are keyed by (run, phase, step) and
overwritten, candidates by (run, phase, problem id, sample index) and kept once.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert

from tutor.errors import StoreError
from tutor.store.base import StoreBase, json_copy
from tutor.store.schema import RUN_STATUSES, Candidate, Checkpoint, Evaluation, Metric, Phase, Run, utc_now

CANDIDATE_FIELDS = ("problem_id", "sample_index", "problem", "solution", "answer", "reference", "correct")


def _check_status(status: str) -> None:
    if status not in RUN_STATUSES:
        raise StoreError(f"Unknown status {status!r}; use one of {', '.join(RUN_STATUSES)}.")


def _is_number(value: Any) -> bool:
    try:
        return not math.isnan(float(value))
    except (TypeError, ValueError):
        return False


class TrainingRecords(StoreBase):
    # --- runs --------------------------------------------------------------------------------------------

    def create_run(
        self,
        name: str,
        config: Mapping[str, Any],
        *,
        recipe: str | None = None,
        output_dir: str | None = None,
        parent_id: int | None = None,
    ) -> int:
        """Record a new run in status "running" with its whole config (JSON-able); returns its id.

        `parent_id` is the run this one resumes (its history stays under the parent; the child records
        the resume itself).
        """
        with self._writing() as session:
            if parent_id is not None and session.get(Run, parent_id) is None:
                raise StoreError(f"Cannot resume run {parent_id}: there is no such run.")
            run = Run(
                name=name, recipe=recipe, config=json_copy(config, "run config"), status="running", message=None,
                output_dir=None if output_dir is None else str(output_dir), parent_id=parent_id,
                created_at=utc_now(), finished_at=None,
            )
            session.add(run)
            session.flush()
            return run.id

    def set_run_status(self, run_id: int, status: str, message: str | None = None) -> None:
        """Move a run to `status`; any status but "running" stamps `finished_at` (running clears it)."""
        _check_status(status)
        with self._writing() as session:
            run = self._get(session, Run, run_id, "run")
            run.status, run.message = status, message
            run.finished_at = None if status == "running" else utc_now()

    def set_run_output_dir(self, run_id: int, output_dir: str) -> None:
        """Record where the run writes its checkpoints and exported model."""
        with self._writing() as session:
            self._get(session, Run, run_id, "run").output_dir = str(output_dir)

    def run(self, run_id: int) -> Run:
        """One run; `StoreError` if there is none with that id."""
        with self._reading() as session:
            return self._get(session, Run, run_id, "run")

    def runs(self, limit: int | None = None) -> list[Run]:
        """All runs, newest first."""
        with self._reading() as session:
            return list(session.scalars(select(Run).order_by(Run.id.desc()).limit(limit)))

    # --- phases ------------------------------------------------------------------------------------------

    def start_phase(self, run_id: int, name: str, total: int | None = None) -> None:
        """Mark phase `name` of the run as running (again, after a resume: keeps its first start time and its
        progress); `total` is how many steps (or problems) it has, for progress (`set_phase_progress`)."""
        again = {"status": "running", "finished_at": None} | ({} if total is None else {"total": int(total)})
        with self._writing() as session:
            self._get(session, Run, run_id, "run")
            session.execute(
                insert(Phase)
                .values(run_id=run_id, name=name, status="running", started_at=utc_now(), finished_at=None,
                        step=0, total=None if total is None else int(total))
                .on_conflict_do_update(index_elements=[Phase.run_id, Phase.name], set_=again)
            )

    def finish_phase(self, run_id: int, name: str, status: str = "finished") -> None:
        """Close phase `name` with `status` (finished, failed, cancelled or crashed)."""
        _check_status(status)
        with self._writing() as session:
            phase = session.scalar(select(Phase).where(Phase.run_id == run_id, Phase.name == name))
            if phase is None:
                raise StoreError(f"Run {run_id} has no phase {name!r} to finish; start_phase it first.")
            phase.status, phase.finished_at = status, utc_now()

    def phases(self, run_id: int) -> list[Phase]:
        """The run's phases in the order they first started."""
        with self._reading() as session:
            return list(session.scalars(select(Phase).where(Phase.run_id == run_id).order_by(Phase.id)))

    # --- metrics -----------------------------------------------------------------------------------------

    def log_metrics(self, run_id: int, phase: str, step: int, values: Mapping[str, float]) -> None:
        """Store `values` (name -> number) for the step; logging a (phase, step, name) again overwrites it."""
        if not values:
            return
        not_numbers = [name for name, value in values.items() if not _is_number(value)]
        if not_numbers:
            raise StoreError(f"Run {run_id} {phase} step {step}: metric {', '.join(not_numbers)} is not a "
                             f"number ({values[not_numbers[0]]!r}); nothing was logged for this step.")
        now = utc_now()
        rows = [
            {"run_id": run_id, "phase": phase, "step": int(step), "name": name, "value": float(value),
             "logged_at": now}
            for name, value in values.items()
        ]
        statement = insert(Metric).values(rows)
        statement = statement.on_conflict_do_update(
            index_elements=[Metric.run_id, Metric.phase, Metric.step, Metric.name],
            set_={"value": statement.excluded.value, "logged_at": statement.excluded.logged_at},
        )
        with self._writing() as session:
            self._get(session, Run, run_id, "run")
            session.execute(statement)

    def metrics(
        self, run_id: int, name: str | None = None, phase: str | None = None, min_step: int | None = None
    ) -> list[Metric]:
        """The run's metric rows (optionally one name / phase / from `min_step` on), ordered by step.

        For a live plot, poll with `min_step` = the last step already drawn (that step comes back again,
        in case it was re-logged).
        """
        query = select(Metric).where(Metric.run_id == run_id)
        if name is not None:
            query = query.where(Metric.name == name)
        if phase is not None:
            query = query.where(Metric.phase == phase)
        if min_step is not None:
            query = query.where(Metric.step >= min_step)
        with self._reading() as session:
            return list(session.scalars(query.order_by(Metric.step, Metric.id)))

    def last_step(self, run_id: int, phase: str) -> int | None:
        """The highest step with a metric in this phase of the run, or None."""
        with self._reading() as session:
            return session.scalar(
                select(Metric.step).where(Metric.run_id == run_id, Metric.phase == phase)
                .order_by(Metric.step.desc()).limit(1)
            )

    # --- checkpoints -------------------------------------------------------------------------------------

    def add_checkpoint(self, run_id: int, phase: str, step: int, path: str) -> None:
        """Record a checkpoint folder; saving the same (phase, step) again replaces the path."""
        statement = insert(Checkpoint).values(
            run_id=run_id, phase=phase, step=int(step), path=str(path), created_at=utc_now()
        )
        statement = statement.on_conflict_do_update(
            index_elements=[Checkpoint.run_id, Checkpoint.phase, Checkpoint.step],
            set_={"path": statement.excluded.path, "created_at": statement.excluded.created_at},
        )
        with self._writing() as session:
            self._get(session, Run, run_id, "run")
            session.execute(statement)

    def latest_checkpoint(self, run_id: int, phase: str | None = None) -> Checkpoint | None:
        """The most recently saved checkpoint of the run (of one phase if given), or None."""
        query = select(Checkpoint).where(Checkpoint.run_id == run_id)
        if phase is not None:
            query = query.where(Checkpoint.phase == phase)
        with self._reading() as session:
            return session.scalar(query.order_by(Checkpoint.created_at.desc(), Checkpoint.id.desc()).limit(1))

    def checkpoints(self, run_id: int) -> list[Checkpoint]:
        """All checkpoints of the run, oldest first."""
        with self._reading() as session:
            query = select(Checkpoint).where(Checkpoint.run_id == run_id)
            return list(session.scalars(query.order_by(Checkpoint.created_at, Checkpoint.id)))

    # --- candidates --------------------------------------------------------------------------------------

    def add_candidates(self, run_id: int, phase: str, candidates: Iterable[Mapping[str, Any]]) -> int:
        """Store labelled candidates (dicts with the keys of `CANDIDATE_FIELDS`); returns how many were new.

        A candidate already stored under the same (problem_id, sample_index) is kept, not duplicated.
        """
        rows = []
        for number, candidate in enumerate(candidates):
            missing = [key for key in CANDIDATE_FIELDS if key not in candidate]
            if missing:
                raise StoreError(f"Candidate #{number} lacks {', '.join(missing)}; nothing was stored.")
            row = {key: candidate[key] for key in CANDIDATE_FIELDS}
            row.update(run_id=run_id, phase=phase, problem_id=str(row["problem_id"]),
                       sample_index=int(row["sample_index"]), correct=bool(row["correct"]))
            rows.append(row)
        if not rows:
            return 0
        with self._writing() as session:
            self._get(session, Run, run_id, "run")
            # executemany on the Core connection: ~10x faster than one huge multi-VALUES statement
            result = session.connection().execute(insert(Candidate).on_conflict_do_nothing(), rows)
            return result.rowcount

    def candidates(self, run_id: int, phase: str | None = None) -> list[Candidate]:
        """The run's candidates in the order they were stored."""
        query = select(Candidate).where(Candidate.run_id == run_id)
        if phase is not None:
            query = query.where(Candidate.phase == phase)
        with self._reading() as session:
            return list(session.scalars(query.order_by(Candidate.id)))

    # --- evaluations -------------------------------------------------------------------------------------

    def add_evaluation(
        self, split: str, metrics: Mapping[str, Any], *, run_id: int | None = None, model: str | None = None
    ) -> int:
        """Store an evaluation report (JSON-able dict) of a run's model or of any `model` path."""
        with self._writing() as session:
            if run_id is not None:
                self._get(session, Run, run_id, "run")
            evaluation = Evaluation(run_id=run_id, split=split, model=model, metrics=json_copy(metrics, "evaluation metrics"),
                                    created_at=utc_now())
            session.add(evaluation)
            session.flush()
            return evaluation.id

    def evaluations(self, run_id: int | None = None) -> list[Evaluation]:
        """Evaluations, newest first (of one run if given)."""
        query = select(Evaluation)
        if run_id is not None:
            query = query.where(Evaluation.run_id == run_id)
        with self._reading() as session:
            return list(session.scalars(query.order_by(Evaluation.id.desc())))
