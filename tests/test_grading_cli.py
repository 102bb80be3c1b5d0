"""Tests of `tutor grade`: a pair of answers, `--file` (pairs or MATH records), `PRED --ref REF`, `--json`.

Run: `python -m pytest tests/test_grading_cli.py -q`.
"""

import json
from pathlib import Path

import pytest
from conftest import GSM8K, MATH500

from tutor.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "assets" / "sample_answers.jsonl"


def _write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_pair_exit_status_says_the_verdict(capsys):
    assert main(["grade", r"\frac12", "0.5"]) == 0
    assert capsys.readouterr().out.strip() == "equivalent"
    assert main(["grade", "(1,2)", "(2,1)"]) == 1
    assert capsys.readouterr().out.strip() == "not equivalent"


def test_bundled_sample_grades_as_labelled(capsys):
    assert main(["grade", "--file", str(SAMPLE), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["as_expected"]["total"] >= 20
    assert summary["as_expected"]["correct"] == summary["as_expected"]["total"]
    assert 0 < summary["overall"]["correct"] < summary["overall"]["total"]  # it holds both kinds of pair


def test_a_lone_jsonl_argument_is_a_file_to_grade(capsys):
    assert main(["grade", str(SAMPLE), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["overall"]["total"] >= 20


def test_predictions_against_math_references_by_subject_and_level(tmp_path, capsys):
    refs = _write_jsonl(tmp_path / "ref.jsonl", [
        {"unique_id": "a", "answer": r"\frac{1}{2}", "subject": "Algebra", "level": 1},
        {"unique_id": "b", "answer": "(1,2)", "subject": "Algebra", "level": 2},
        {"unique_id": "c", "answer": "7", "subject": "Geometry", "level": 2},
    ])
    preds = _write_jsonl(tmp_path / "pred.jsonl", [
        {"unique_id": "c", "prediction": "so \\boxed{7}"},
        {"unique_id": "a", "prediction": "0.5"},
        {"unique_id": "b", "prediction": "The answer is (2,1)."},
    ])
    assert main(["grade", str(preds), "--ref", str(refs), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["overall"] == {"correct": 2, "total": 3, "accuracy": pytest.approx(2 / 3)}
    assert summary["subject"]["Geometry"]["correct"] == 1
    assert summary["subject"]["Algebra"] == {"correct": 1, "total": 2, "accuracy": 0.5}
    assert summary["level"]["2"]["total"] == 2


def test_predictions_against_gsm8k_references_line_by_line(tmp_path, capsys):
    if not GSM8K.is_file():
        pytest.skip("GSM8K is not on this machine")
    refs = [json.loads(line) for line in GSM8K.read_text(encoding="utf-8").splitlines()[:3]]
    ref_path = _write_jsonl(tmp_path / "ref.jsonl", refs)
    answers = [r["answer"].rsplit("####", 1)[1].strip() for r in refs]
    preds = _write_jsonl(tmp_path / "pred.jsonl", [{"output": f"#### {a}"} for a in answers[:2]] + [{"output": "#### -1"}])
    assert main(["grade", str(preds), "--ref", str(ref_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["overall"]["correct"] == 2


def test_math_records_grade_their_own_solutions(capsys):
    if not MATH500.is_file():
        pytest.skip("MATH500 is not on this machine")
    assert main(["grade", "--file", str(MATH500), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["overall"]["correct"] >= 498
    assert len(summary["subject"]) == 7 and len(summary["level"]) == 5


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"candidate": "1"}\n', "needs `candidate` and `reference`"),
        ('{"candidate": "1", "reference": "1"}\nnot json\n', ":2: not valid JSON"),
        ("[1, 2]\n", "expected a JSON object"),
    ],
)
def test_bad_files_are_clear_errors(tmp_path, capsys, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    assert main(["grade", "--file", str(path)]) == 2
    assert message in capsys.readouterr().err


def test_missing_file_and_bad_usage_are_clear_errors(tmp_path, capsys):
    assert main(["grade", "--file", str(tmp_path / "nope.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["grade", "only-one-answer"]) == 2
    assert "tutor grade ANSWER REFERENCE" in capsys.readouterr().err
