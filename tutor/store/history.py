"""Tutor history: every solve with its whole result, and teachers' correct/incorrect marks on it.

A solve keeps `SolveResult.to_dict()` as JSON (samples: `index`, `text`, `answer`; clusters: `answer`,
`members` = sample indices) plus the problem, model, answer and confidence as columns for listing and
searching. Nothing is ever deleted: a teacher who changes their mind adds a newer mark, and the newest mark
covering a sample is the one that counts in `labelled_marks()`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import or_, select

from tutor.errors import StoreError
from tutor.store.base import StoreBase, json_copy
from tutor.store.schema import Mark, Solve, utc_now


class LabelledSolution(NamedTuple):
    """A teacher-labelled solution: extra training data for the verifier (phase 2)."""

    problem: str
    solution: str
    correct: bool


def _as_dict(result: Any) -> dict[str, Any]:
    return json_copy(result.to_dict() if hasattr(result, "to_dict") else result, "solve result")


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _marked_samples(result: Mapping[str, Any], mark: Mark) -> list[int]:
    """Indices of the samples a mark covers: its one sample, or every member of its cluster."""
    if mark.sample_index is not None:
        return [mark.sample_index]
    for cluster in result.get("clusters") or []:
        if cluster.get("answer") == mark.cluster_answer:
            return list(cluster.get("members") or [])
    return [s["index"] for s in result.get("samples") or [] if s.get("answer") == mark.cluster_answer]


class TutorHistory(StoreBase):
    def save_solve(self, problem: str, result: Any, model: str | None = None) -> int:
        """Store a solve (`SolveResult` or its `to_dict()`); returns its id. `model` defaults to the result's."""
        data = _as_dict(result)
        confidence = data.get("confidence")
        solve = Solve(
            problem=problem, result=data, model=model if model is not None else data.get("model") or None,
            answer=data.get("answer"), confidence=None if confidence is None else float(confidence),
            created_at=utc_now(),
        )
        with self._writing() as session:
            session.add(solve)
            session.flush()
            return solve.id

    def solve(self, solve_id: int) -> Solve:
        """One solve; `StoreError` if there is none with that id."""
        with self._reading() as session:
            return self._get(session, Solve, solve_id, "solve")

    def solves(self, search: str = "", limit: int | None = 100, offset: int = 0) -> list[Solve]:
        """Solves newest first; `search` keeps those whose problem or answer contains it (any case)."""
        query = select(Solve)
        if search:
            pattern = f"%{_escape_like(search)}%"
            query = query.where(or_(Solve.problem.ilike(pattern, escape="\\"),
                                    Solve.answer.ilike(pattern, escape="\\")))
        with self._reading() as session:
            return list(session.scalars(query.order_by(Solve.id.desc()).limit(limit).offset(offset)))

    def add_mark(
        self,
        solve_id: int,
        correct: bool,
        *,
        sample_index: int | None = None,
        cluster_answer: str | None = None,
        comment: str = "",
    ) -> int:
        """Mark one sample (`sample_index`) or one whole cluster (`cluster_answer`) correct or incorrect."""
        if (sample_index is None) == (cluster_answer is None):
            raise StoreError("A mark is on exactly one thing: give sample_index or cluster_answer, not both.")
        with self._writing() as session:
            result = self._get(session, Solve, solve_id, "solve").result
            mark = Mark(solve_id=solve_id, sample_index=sample_index, cluster_answer=cluster_answer,
                        correct=bool(correct), comment=comment or "", created_at=utc_now())
            covered = set(_marked_samples(result, mark))
            if not covered or not covered <= {s.get("index") for s in result.get("samples", [])}:
                target = f"sample {sample_index}" if sample_index is not None else f"cluster {cluster_answer!r}"
                raise StoreError(f"Solve {solve_id} has no {target} to mark.")
            session.add(mark)
            session.flush()
            return mark.id

    def marks(self, solve_id: int | None = None) -> list[Mark]:
        """Marks oldest first (of one solve if given)."""
        query = select(Mark)
        if solve_id is not None:
            query = query.where(Mark.solve_id == solve_id)
        with self._reading() as session:
            return list(session.scalars(query.order_by(Mark.id)))

    def labelled_marks(self) -> list[LabelledSolution]:
        """Every teacher-marked sample as (problem, solution text, correct); the newest mark on a sample wins."""
        with self._reading() as session:
            rows = session.execute(select(Mark, Solve).join(Solve, Mark.solve_id == Solve.id).order_by(Mark.id))
            verdicts: dict[tuple[int, int], tuple[Solve, bool]] = {}
            for mark, solve in rows:
                for index in _marked_samples(solve.result, mark):
                    verdicts.pop((solve.id, index), None)  # re-insert: keep newest-mark order
                    verdicts[(solve.id, index)] = (solve, mark.correct)
        labelled = []
        for (_, index), (solve, correct) in verdicts.items():
            texts = [s["text"] for s in solve.result.get("samples", []) if s.get("index") == index]
            if texts:
                labelled.append(LabelledSolution(solve.problem, texts[0], correct))
        return labelled

    def export_labelled_jsonl(self, path: str | Path) -> int:
        """Write `labelled_marks()` as JSONL {"problem", "solution", "correct"} for the trainer; returns lines."""
        labelled = self.labelled_marks()
        with open(path, "w", encoding="utf-8") as file:
            for item in labelled:
                file.write(json.dumps(item._asdict(), ensure_ascii=False) + "\n")
        return len(labelled)

    def export_history_jsonl(self, path: str | Path) -> int:
        """Write every solve (oldest first) with its marks as one JSON object per line; returns lines."""
        with self._reading() as session:
            solves = list(session.scalars(select(Solve).order_by(Solve.id)))
            marks = list(session.scalars(select(Mark).order_by(Mark.id)))
        by_solve: dict[int, list[dict[str, Any]]] = {}
        for mark in marks:
            by_solve.setdefault(mark.solve_id, []).append({
                "sample_index": mark.sample_index, "cluster_answer": mark.cluster_answer,
                "correct": mark.correct, "comment": mark.comment, "created_at": mark.created_at.isoformat(),
            })
        with open(path, "w", encoding="utf-8") as file:
            for solve in solves:
                record = {
                    "id": solve.id, "problem": solve.problem, "model": solve.model, "answer": solve.answer,
                    "confidence": solve.confidence, "created_at": solve.created_at.isoformat(),
                    "result": solve.result, "marks": by_solve.get(solve.id, []),
                }
                file.write(json.dumps(record, ensure_ascii=False) + "\n")
        return len(solves)
