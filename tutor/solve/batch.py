"""Batch solving: problems from a JSONL file, one result per line, written as each solve finishes.

Input lines are objects with a "problem" (or GSM8K's "question") field; every other field is passed
through under "input". With a reference "answer" the output line also says whether the solve was correct.
The whole file is validated before the first solve, so a typo on line 40 costs no model time.
"""

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from tutor.errors import DataError
from tutor.grading import is_equivalent
from tutor.jsonl import iter_json_objects
from tutor.solve.solver import Solver

PROBLEM_FIELDS = ("problem", "question")


def read_problems(path: Path) -> list[tuple[int, dict[str, Any], str]]:
    """(line number, record, problem text) per non-blank line; DataError names the line and field."""
    problems = []
    for number, record in iter_json_objects(path):
        text = next((record[f] for f in PROBLEM_FIELDS if f in record), None)
        if not isinstance(text, str) or not text.strip():
            raise DataError(f"{path}:{number}: missing or empty \"problem\" field")
        problems.append((number, record, text))
    if not problems:
        raise DataError(f"{path}: no problems in the file")
    return problems


def reference_answer(record: dict[str, Any]) -> str | None:
    """The reference answer of a record: MATH's "answer", or the number after GSM8K's "####"."""
    answer = record.get("answer")
    if not isinstance(answer, str | int | float):
        return None
    answer = str(answer)
    return answer.split("####")[-1].strip() if "####" in answer else answer


def solve_all(
    solver: Solver,
    problems: list[tuple[int, dict[str, Any], str]],
    on_done: Callable[[int], None] | None = None,
    cancel: threading.Event | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield one output record per problem, in order; stops after the solve in flight when cancelled."""
    for done, (number, record, text) in enumerate(problems, start=1):
        if cancel is not None and cancel.is_set():
            return
        result = solver.solve(text, cancel=cancel)
        out: dict[str, Any] = {"line": number, "input": record, "result": result.to_dict()}
        reference = reference_answer(record)
        if reference is not None:
            out["correct"] = is_equivalent(result.answer, reference, timeout=solver.config.grading_timeout)
        yield out
        if on_done:
            on_done(done)


def write_jsonl(records: Iterator[dict[str, Any]], stream: IO[str]) -> int:
    """Write and flush each record as it comes, so an interrupted batch keeps every finished line."""
    count = 0
    for record in records:
        stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        stream.flush()
        count += 1
    return count
