"""The one record type for every math problem the trainer reads or writes.

MATH, PRM800K, MATH500, GSM8K and our synthetic problems all become a `Problem`; `to_dict` writes the
MATH500 JSONL schema (`problem, solution, answer, subject, level, unique_id`) plus the optional fields that
are set (`source`, and `template`/`seed`/`wording` for synthetic records, which regenerate the problem exactly).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tutor.errors import DataError

# Keys every serialized record carries, in the order MATH500 writes them.
MATH500_KEYS = ("problem", "solution", "answer", "subject", "level", "unique_id")
OPTIONAL_KEYS = ("source", "template", "seed", "wording", "ill_posed")


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem with its reference solution and final answer (LaTeX, as it would appear in `\\boxed{}`)."""

    problem: str
    solution: str
    answer: str
    subject: str
    level: int | None
    unique_id: str
    # Where the record came from: "math", "gsm8k" or "synthetic".
    source: str = "math"
    # Synthetic records only: the template name and the per-problem seed that regenerate it.
    template: str | None = None
    seed: int | None = None
    # Synthetic records only: how the problem text is worded ("latex", "plain", "casual", "word"; see
    # trainer.data.synth.wording). None = the template's formal LaTeX.
    wording: str | None = None
    # Evaluation sets only (assets/eval/student_style.jsonl): True for a problem with no answer (broken text,
    # division by zero, "the largest even number"); its `answer` is "". None otherwise.
    ill_posed: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        """The MATH500 schema, then any optional field that is set (JSON-ready, key order fixed)."""
        record: dict[str, Any] = {key: getattr(self, key) for key in MATH500_KEYS}
        for key in OPTIONAL_KEYS:
            value = getattr(self, key)
            if value is not None:
                record[key] = value
        return record

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> Problem:
        """Inverse of `to_dict`; a missing or mistyped field raises `DataError` naming it."""
        if not isinstance(record, dict):
            raise DataError(f"expected a JSON object, got {type(record).__name__}")
        fields: dict[str, Any] = {}
        for key in ("problem", "solution", "answer", "subject", "unique_id"):
            value = record.get(key)
            if not isinstance(value, str):
                raise DataError(f"field {key!r} must be a string, got {value!r:.60}")
            fields[key] = value
        level = record.get("level")
        if level is not None and (not isinstance(level, int) or isinstance(level, bool)):
            raise DataError(f"field 'level' must be an integer or null, got {level!r:.60}")
        fields["level"] = level
        fields["source"] = str(record.get("source", "math"))
        fields["template"] = record.get("template")
        seed = record.get("seed")
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise DataError(f"field 'seed' must be an integer or null, got {seed!r:.60}")
        fields["seed"] = seed
        wording = record.get("wording")
        if wording is not None and not isinstance(wording, str):
            raise DataError(f"field 'wording' must be a string or null, got {wording!r:.60}")
        fields["wording"] = wording
        ill_posed = record.get("ill_posed")
        if ill_posed is not None and not isinstance(ill_posed, bool):
            raise DataError(f"field 'ill_posed' must be true, false or null, got {ill_posed!r:.60}")
        fields["ill_posed"] = ill_posed or None
        return cls(**fields)
