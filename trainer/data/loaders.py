"""Read problem files into `Problem` records: MATH / PRM800K / MATH500 JSONL, GSM8K JSONL, our synthetic JSONL.

`load_problems(path, format="auto")` detects each record's format from its keys:
- `question` (a string) + `answer` with `#### final` -> GSM8K; the solution is the text before `####`
  (with the `<<48/2=24>>` calculator notes removed), the answer the text after it (thousands commas dropped);
- `question` (an object with `problem`, `ground_truth_answer`) -> PRM800K's raw labelled format;
- `template` + `seed` -> our synthetic records;
- `problem` + `solution` -> MATH / MATH500 / PRM800K splits (`subject` or MATH's `type`, `level` as `3`
  or `"Level 3"`); a missing answer is extracted from the solution's last `\\boxed{}` with the grader.
  An evaluation set may have no `solution` when it has an `answer` (assets/eval/student_style.jsonl), and
  `"ill_posed": true` with `"answer": null` for a problem that has no answer.
A malformed line raises `DataError` naming the file, the line number and the field; blank lines are skipped.
A folder is read as the original MATH release: one JSON object per `*.json` file below it, in sorted order,
with `unique_id` the path from the folder's name down (`train/algebra/1.json`, as MATH500 writes it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from trainer.data.problem import Problem
from tutor.errors import DataError
from tutor.grading import extract_answer

FORMATS = ("auto", "math", "prm800k", "gsm8k", "synthetic")
_CALCULATOR_NOTE = re.compile(r"<<[^<>]*>>")
_LEVEL = re.compile(r"^(?:Level\s*)?([1-5])$")


class _FieldError(Exception):
    """A bad field in one record; `iter_problems` adds the file and line."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _text(record: dict[str, Any], key: str, required: bool = True) -> str | None:
    value = record.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise _FieldError(key, f"expected a non-empty string, got {value!r:.60}")
    return value


def _level(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and value.strip() in ("", "Level ?")):
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
        return value
    match = _LEVEL.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise _FieldError("level", f"expected 1-5 or 'Level N', got {value!r:.60}")
    return int(match.group(1))


def detect_format(record: dict[str, Any]) -> str:
    """The format of one JSON record, from its keys."""
    question = record.get("question")
    if isinstance(question, dict):
        return "prm800k"
    if isinstance(question, str):
        return "gsm8k"
    if "template" in record and "seed" in record:
        return "synthetic"
    if "problem" in record:
        return "math"
    raise _FieldError("problem", "no 'problem' or 'question' field: not a MATH, PRM800K, GSM8K or synthetic record")


def _from_math(record: dict[str, Any], default_id: str) -> Problem:
    problem = _text(record, "problem")
    ill_posed = record.get("ill_posed")
    if ill_posed not in (None, True, False):
        raise _FieldError("ill_posed", f"expected true or false, got {ill_posed!r:.60}")
    answer = _text(record, "answer", required=False)
    has_answer = answer is not None and bool(answer.strip())
    solution = _text(record, "solution", required=not (has_answer or ill_posed)) or ""
    if ill_posed:
        answer = ""
    elif not has_answer:
        answer = extract_answer(solution)
        if answer is None:
            raise _FieldError("answer", "missing, and the solution has no \\boxed{} answer to extract")
    subject = record.get("subject", record.get("type"))
    if not isinstance(subject, str):
        raise _FieldError("subject", f"expected 'subject' or 'type' as a string, got {subject!r:.60}")
    unique_id = record.get("unique_id") or default_id
    return Problem(problem, solution, answer, subject, _level(record.get("level")), str(unique_id), source="math",
                   ill_posed=True if ill_posed else None)


def _from_prm800k(record: dict[str, Any], default_id: str) -> Problem:
    question = record["question"]
    problem = _text(question, "problem")
    answer = _text(question, "ground_truth_answer")
    solution = _text(question, "ground_truth_solution", required=False) or ""
    return Problem(problem, solution, answer, str(question.get("subject", "")), _level(question.get("level")),
                   str(question.get("unique_id") or default_id), source="math")


def _from_gsm8k(record: dict[str, Any], default_id: str) -> Problem:
    question, full = _text(record, "question"), _text(record, "answer")
    if "####" not in full:
        raise _FieldError("answer", "no '#### <final answer>' marker")
    reasoning, _, final = full.rpartition("####")
    final = final.strip().replace(",", "")
    if not final:
        raise _FieldError("answer", "nothing after '####'")
    solution = _CALCULATOR_NOTE.sub("", reasoning).strip()
    return Problem(question, solution, final, "GSM8K", None, default_id, source="gsm8k")


def _from_synthetic(record: dict[str, Any], default_id: str) -> Problem:
    try:
        return Problem.from_dict(record | {"source": "synthetic"})
    except DataError as exc:
        field = re.search(r"field '(\w+)'", str(exc))
        raise _FieldError(field.group(1) if field else "?", str(exc)) from None


_PARSERS = {"math": _from_math, "prm800k": _from_prm800k, "gsm8k": _from_gsm8k, "synthetic": _from_synthetic}


def _parse(record: Any, format: str, where: str, default_id: str) -> Problem:
    """One decoded JSON value -> Problem, or `DataError` naming `where` and the field."""
    if not isinstance(record, dict):
        raise DataError(f"{where}: expected a JSON object, got {type(record).__name__}")
    try:
        kind = detect_format(record) if format == "auto" else format
        return _PARSERS[kind](record, default_id)
    except _FieldError as exc:
        raise DataError(f"{where}, field {exc.field!r}: {exc}") from None
    except (KeyError, TypeError, AttributeError) as exc:
        raise DataError(f"{where}: record does not match the {format!r} format ({exc!r})") from None


def parse_record(record: Any, where: str, default_id: str, format: str = "auto") -> Problem:
    """One decoded JSON record as a `Problem` (format detected from its keys), or `DataError` naming `where`."""
    return _parse(record, format, where, default_id)


def _iter_folder(folder: Path, format: str) -> Iterator[Problem]:
    files = sorted(folder.rglob("*.json"))
    if not files:
        raise DataError(f"{folder}: a folder of problems needs *.json files (the MATH layout); found none")
    for file in files:
        try:
            record = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DataError(f"{file}: not a readable JSON file ({exc})") from None
        yield _parse(record, format, str(file), f"{folder.name}/{file.relative_to(folder).as_posix()}")


def iter_problems(path: str | Path, format: str = "auto") -> Iterator[Problem]:
    """Yield one `Problem` per non-blank line (or per file of a MATH folder); raise `DataError` (file, line,
    field) on the first bad one."""
    if format not in FORMATS:
        raise DataError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    path = Path(path)
    if path.is_dir():
        yield from _iter_folder(path, format)
        return
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"{path}: cannot open ({exc.strerror})") from None
    with handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path}, line {line_no}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
            yield _parse(record, format, where, f"{path.stem}/{line_no}")


def load_problems(path: str | Path, format: str = "auto") -> list[Problem]:
    """All problems of a JSONL file (see `iter_problems`)."""
    return list(iter_problems(path, format))
