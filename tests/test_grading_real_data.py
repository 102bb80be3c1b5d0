"""The grader on the real data sets: MATH500 reference solutions and GSM8K worked answers.

- MATH500: the answer extracted from each reference `solution` is equivalent to the record's `answer`
  (the issue asks >= 498/500; every exception is listed in KNOWN_EXCEPTIONS with the reason).
- GSM8K: extraction from `answer` gives exactly the number after `####`, 1319/1319.
Run: `python -m pytest tests/test_grading_real_data.py -q` (a few seconds; skipped where the data is absent).
"""

import json

import pytest
from conftest import GSM8K, MATH500

from tutor.grading import extract_answer, is_equivalent

# unique_id -> why the reference solution's boxed answer and the `answer` field legitimately differ.
KNOWN_EXCEPTIONS: dict[str, str] = {}


def _records(path):
    if not path.is_file():
        pytest.skip(f"{path} is not on this machine")
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_math500_reference_solutions_grade_correct():
    records = _records(MATH500)
    assert len(records) == 500
    failures = [
        (r["unique_id"], extract_answer(r["solution"]), r["answer"])
        for r in records
        if not is_equivalent(extract_answer(r["solution"]), r["answer"])
    ]
    unexplained = [f for f in failures if f[0] not in KNOWN_EXCEPTIONS]
    assert not unexplained, unexplained
    assert len(records) - len(failures) >= 498


def test_math500_answers_are_equivalent_to_themselves_after_extraction_from_a_box():
    """Boxing the `answer` field and extracting it again gives back an equivalent answer."""
    for record in _records(MATH500):
        boxed = f"So the final answer is $\\boxed{{{record['answer']}}}$."
        assert is_equivalent(extract_answer(boxed), record["answer"]), record["unique_id"]


def test_gsm8k_extraction_is_exact():
    records = _records(GSM8K)
    assert len(records) == 1319
    for record in records:
        expected = record["answer"].rsplit("####", 1)[1].strip()
        assert extract_answer(record["answer"]) == expected, record["answer"][-80:]
        assert is_equivalent(extract_answer(record["answer"]), expected.replace(",", ""))
