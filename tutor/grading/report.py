"""Grading whole files: the library behind `tutor grade --file X.jsonl` and `tutor grade PRED --ref REF`.

Record shapes understood (one JSON object per line):
- `{"candidate": ..., "reference": ...}`: each side is an answer or a whole solution (its answer is
  extracted when it has a `\\boxed{}`, `####` or "The answer is" line);
- MATH records `{"solution": ..., "answer": ..., "subject": ..., "level": ...}` on their own: the answer
  extracted from the reference solution is compared with the `answer` field (a check of the grader);
- with `--ref`: predictions (`prediction`, `candidate`, `solution`, `output`, `response` or `answer` field)
  against MATH references (`answer`) or GSM8K references (`answer` ending in `#### 42`), joined on
  `unique_id`/`id` when both files carry it, else line by line.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from tutor.errors import DataError
from tutor.grading.compare import is_equivalent
from tutor.grading.extract import extract_answer
from tutor.jsonl import iter_json_objects

_PREDICTION_FIELDS = ("prediction", "candidate", "solution", "output", "response", "answer")
_ID_FIELDS = ("unique_id", "id")


@dataclass
class GradedRecord:
    """One graded line: what was compared and the verdict."""

    candidate: str | None
    reference: str | None
    correct: bool
    subject: str = "all"
    level: str = "all"
    expected: bool | None = None  # the verdict a hand-labelled file says is right, when it says


def read_jsonl(path: Path) -> list[dict]:
    """The JSON objects of a .jsonl file; `DataError` names the file and line of anything malformed."""
    return [record for _, record in iter_json_objects(path)]


def answer_of(text: object) -> str | None:
    """The answer a field states: extracted from a solution, or the field itself when it is bare."""
    if not isinstance(text, str) or not text.strip():
        return None
    return extract_answer(text) or text.strip()


def _reference_answer(record: dict) -> str | None:
    answer = record.get("answer")
    if isinstance(answer, str) and "####" in answer:  # GSM8K: the worked answer ends in `#### 42`
        return extract_answer(answer)
    return answer_of(answer) if not isinstance(answer, (int, float)) else str(answer)


def _grade(candidate: str | None, reference: str | None, record: dict, timeout: float) -> GradedRecord:
    return GradedRecord(
        candidate=candidate,
        reference=reference,
        correct=is_equivalent(candidate, reference, timeout=timeout),
        subject=str(record.get("subject", "all")),
        level=str(record.get("level", "all")),
        expected=record["expected"] if isinstance(record.get("expected"), bool) else None,
    )


def grade_file(path: Path, timeout: float = 1.0) -> list[GradedRecord]:
    """Grade a file of candidate/reference pairs or of MATH records (see the module docstring)."""
    graded = []
    for number, record in enumerate(read_jsonl(path), start=1):
        if "candidate" in record and "reference" in record:
            candidate, reference = answer_of(record["candidate"]), answer_of(record["reference"])
        elif "solution" in record and "answer" in record:
            candidate, reference = extract_answer(str(record["solution"])), _reference_answer(record)
        else:
            raise DataError(f"{path}:{number}: needs `candidate` and `reference`, or `solution` and `answer`")
        graded.append(_grade(candidate, reference, record, timeout))
    return graded


def _record_id(record: dict) -> str | None:
    return next((str(record[f]) for f in _ID_FIELDS if f in record), None)


def grade_predictions(pred_path: Path, ref_path: Path, timeout: float = 1.0) -> list[GradedRecord]:
    """Grade a predictions file against a MATH- or GSM8K-format reference file."""
    predictions, references = read_jsonl(pred_path), read_jsonl(ref_path)
    by_id = {_record_id(r): r for r in references}
    joined_on_ids = all(_record_id(p) in by_id for p in predictions) and None not in by_id
    if not joined_on_ids and len(predictions) != len(references):
        raise DataError(
            f"{pred_path}: {len(predictions)} predictions but {len(references)} references in "
            f"{ref_path}, and no shared `unique_id`/`id` field to join them on"
        )
    graded = []
    for number, prediction in enumerate(predictions, start=1):
        reference = by_id[_record_id(prediction)] if joined_on_ids else references[number - 1]
        field = next((f for f in _PREDICTION_FIELDS if f in prediction), None)
        if field is None:
            raise DataError(f"{pred_path}:{number}: no prediction field (one of {', '.join(_PREDICTION_FIELDS)})")
        graded.append(_grade(answer_of(prediction[field]), _reference_answer(reference), reference, timeout))
    return graded


def summarize(graded: Iterable[GradedRecord]) -> dict:
    """Accuracy overall, per subject and per level: `{"overall": {...}, "subject": {...}, "level": {...}}`."""
    graded = list(graded)
    groups: dict[str, dict[str, list[bool]]] = {"subject": defaultdict(list), "level": defaultdict(list)}
    for record in graded:
        groups["subject"][record.subject].append(record.correct)
        groups["level"][record.level].append(record.correct)

    def stats(verdicts: list[bool]) -> dict:
        return {"correct": sum(verdicts), "total": len(verdicts), "accuracy": sum(verdicts) / max(len(verdicts), 1)}

    labelled = [r.correct == r.expected for r in graded if r.expected is not None]
    return {
        "overall": stats([r.correct for r in graded]),
        **({"as_expected": stats(labelled)} if labelled else {}),
        **{name: {key: stats(v) for key, v in sorted(group.items())} for name, group in groups.items()},
        "records": [asdict(r) for r in graded],
    }


def print_summary(summary: dict, as_json: bool = False, show_failures: int = 10) -> None:
    """Print a summary as rich tables (overall, per subject, per level, first failures) or as JSON."""
    if as_json:
        print(json.dumps(summary, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title="Grading summary")
    for column in ("group", "value", "correct", "total", "accuracy"):
        table.add_column(column, justify="left" if column in ("group", "value") else "right")
    rows = [("overall", "", summary["overall"])]
    if "as_expected" in summary:
        rows.append(("verdict as labelled", "", summary["as_expected"]))
    for group in ("subject", "level"):
        if list(summary[group]) != ["all"]:
            rows += [(group, key, stats) for key, stats in summary[group].items()]
    for group, key, stats in rows:
        table.add_row(group, key, str(stats["correct"]), str(stats["total"]), f"{stats['accuracy']:.1%}")
    console.print(table)
    failures = [r for r in summary["records"] if not r["correct"]][:show_failures]
    if failures:
        misses = Table(title=f"First {len(failures)} non-equivalent pairs")
        for column in ("candidate", "reference", "expected"):
            misses.add_column(column)
        for record in failures:
            expected = {None: "", True: "equivalent", False: "not equivalent"}[record["expected"]]
            misses.add_row(str(record["candidate"]), str(record["reference"]), expected)
        console.print(misses)
