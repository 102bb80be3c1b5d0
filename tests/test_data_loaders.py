"""Tests of trainer.data.loaders on the shared real data (MATH500, GSM8K), our synthetic JSONL, MATH and
PRM800K variants, and malformed input (every bad line is a DataError naming file, line and field).

Run: python -m pytest tests/test_data_loaders.py -q
"""

import json

import pytest
from conftest import GSM8K, MATH500

from trainer.cli import main as trainer_main
from trainer.data import Problem, load_problems
from trainer.data.loaders import iter_problems
from trainer.data.synth import SynthConfig, write_splits
from tutor.errors import DataError
from tutor.grading import extract_answer

needs_data = pytest.mark.skipif(not (MATH500.exists() and GSM8K.exists()), reason="shared data not present")


def _jsonl(path, records):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records), encoding="utf-8")
    return path


@needs_data
def test_math500_loads_every_record_with_its_fields():
    problems = load_problems(MATH500)
    raw = [json.loads(line) for line in MATH500.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(problems) == len(raw) == 500
    assert [p.answer for p in problems] == [r["answer"] for r in raw]
    assert {p.level for p in problems} == {1, 2, 3, 4, 5}
    assert len({p.subject for p in problems}) == 7
    assert all(p.source == "math" and p.unique_id.startswith("test/") for p in problems)


@needs_data
def test_gsm8k_splits_solution_and_final_answer():
    problems = load_problems(GSM8K)
    assert len(problems) == 1319
    first = problems[0]
    assert first.answer == "18" and first.problem.startswith("Janet")
    assert first.solution.endswith("market.") and "<<" not in first.solution
    assert all("####" not in p.solution and "<<" not in p.solution for p in problems)
    assert all(p.answer.lstrip("-").replace(".", "", 1).isdigit() for p in problems), "GSM8K answers are numbers"
    assert all(p.subject == "GSM8K" and p.level is None and p.source == "gsm8k" for p in problems)


@needs_data
def test_math_without_answer_field_extracts_it_from_the_solution(tmp_path):
    raw = [json.loads(line) for line in MATH500.read_text(encoding="utf-8").splitlines()[:40]]
    stripped = [{k: v for k, v in r.items() if k != "answer"} for r in raw]
    problems = load_problems(_jsonl(tmp_path / "noanswer.jsonl", stripped))
    assert [p.answer for p in problems] == [extract_answer(r["solution"]) for r in raw]
    assert sum(p.answer == r["answer"] for p, r in zip(problems, raw)) >= 35


def test_original_math_format_type_and_level_strings(tmp_path):
    record = {"problem": "What is $1+1$?", "solution": "$1+1=\\boxed{2}$.", "type": "Prealgebra", "level": "Level 2"}
    (problem,) = load_problems(_jsonl(tmp_path / "math.jsonl", [record, "", "   "]))
    assert (problem.answer, problem.subject, problem.level, problem.unique_id) == ("2", "Prealgebra", 2, "math/1")
    unknown = record | {"level": "Level ?"}
    assert load_problems(_jsonl(tmp_path / "q.jsonl", [unknown]))[0].level is None


def test_prm800k_labelled_format(tmp_path):
    record = {"question": {"problem": "Find $x$.", "ground_truth_answer": "3", "ground_truth_solution": "So $x=3$."},
              "label": {"steps": []}}
    (problem,) = load_problems(_jsonl(tmp_path / "prm.jsonl", [record]))
    assert (problem.problem, problem.answer, problem.solution) == ("Find $x$.", "3", "So $x=3$.")


def test_synthetic_files_round_trip(tmp_path):
    write_splits(SynthConfig(n=120, seed=4), tmp_path)
    problems = load_problems(tmp_path / "train.jsonl")
    assert len(problems) == 120 - 2 * round(120 * 0.02)
    assert all(p.source == "synthetic" and p.template and isinstance(p.seed, int) for p in problems)
    assert all(Problem.from_dict(p.to_dict()) == p for p in problems)
    lines = (tmp_path / "train.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.dumps(p.to_dict(), ensure_ascii=False) for p in problems] == lines


GOOD = {"problem": "What is $2+2$?", "solution": "$2+2=\\boxed{4}$", "answer": "4", "subject": "Algebra", "level": 1}

# (lines of the file, format, text the DataError must contain)
MALFORMED = [
    # not JSON at all, on line 2
    ([GOOD, "{not json"], "auto", "line 2: not valid JSON"),
    # a JSON value that is not an object
    ([GOOD, GOOD, "[1, 2]"], "auto", "line 3: expected a JSON object"),
    # no problem / question key
    ([{"text": "hi"}], "auto", "field 'problem'"),
    # empty problem text
    ([GOOD | {"problem": "  "}], "auto", "line 1, field 'problem'"),
    # solution of the wrong type
    ([GOOD | {"solution": 5}], "auto", "field 'solution'"),
    # no answer and nothing boxed to extract it from
    ([{k: v for k, v in GOOD.items() if k != "answer"} | {"solution": "it is 4"}], "auto", "field 'answer'"),
    # neither subject nor type
    ([{k: v for k, v in GOOD.items() if k != "subject"}], "auto", "field 'subject'"),
    # level out of range
    ([GOOD | {"level": "Level 9"}], "auto", "field 'level'"),
    # GSM8K answer without the #### marker
    ([{"question": "How many?", "answer": "It is 4."}], "auto", "field 'answer'"),
    # GSM8K with nothing after ####
    ([{"question": "How many?", "answer": "It is 4.\n####  "}], "auto", "nothing after '####'"),
    # synthetic record with a string seed
    ([GOOD | {"unique_id": "x", "template": "t", "seed": "7"}], "auto", "field 'seed'"),
    # a MATH record read as GSM8K
    ([GOOD], "gsm8k", "field 'question'"),
]


@pytest.mark.parametrize(("lines", "fmt", "message"), MALFORMED)
def test_malformed_lines_raise_data_error_naming_file_line_field(tmp_path, lines, fmt, message):
    path = _jsonl(tmp_path / "bad.jsonl", lines)
    with pytest.raises(DataError) as info:
        load_problems(path, format=fmt)
    assert message in str(info.value)
    assert "bad.jsonl" in str(info.value)


def test_good_lines_before_a_bad_one_are_yielded_then_it_raises(tmp_path):
    path = _jsonl(tmp_path / "partial.jsonl", [GOOD, GOOD, "oops"])
    seen = []
    with pytest.raises(DataError, match="line 3"):
        for item in iter_problems(path):
            seen.append(item)
    assert len(seen) == 2


def test_missing_file_and_unknown_format(tmp_path):
    with pytest.raises(DataError, match="cannot open"):
        load_problems(tmp_path / "nope.jsonl")
    with pytest.raises(DataError, match="unknown format"):
        load_problems(_jsonl(tmp_path / "ok.jsonl", [GOOD]), format="csv")


@needs_data
def test_stats_table_counts_math500_per_subject_and_level(capsys):
    assert trainer_main(["data", "stats", str(MATH500)]) == 0
    lines = capsys.readouterr().out.split("\n\n")[0].splitlines()  # the first table; topics, wordings follow
    assert lines[0].split() == ["subject", "L1", "L2", "L3", "L4", "L5", "total"]
    rows = {line.rsplit(maxsplit=6)[0]: [int(v) for v in line.split()[-6:]] for line in lines[1:]}
    assert rows["total"][-1] == 500 and sum(rows["total"][:-1]) == 500
    problems = load_problems(MATH500)
    assert rows["Algebra"][-1] == sum(p.subject == "Algebra" for p in problems)
    assert rows["Geometry"][0] == sum(p.subject == "Geometry" and p.level == 1 for p in problems)


def test_math_release_folder_one_json_per_problem(tmp_path):
    root = tmp_path / "train"
    for subject, number, level in (("algebra", 1, "Level 2"), ("algebra", 10, "Level 5"), ("geometry", 3, "Level 1")):
        (root / subject).mkdir(parents=True, exist_ok=True)
        record = {"problem": f"P{number}", "solution": f"so $\\boxed{{{number}}}$", "type": subject.title(),
                  "level": level}
        (root / subject / f"{number}.json").write_text(json.dumps(record), encoding="utf-8")
    problems = load_problems(root)
    assert [p.unique_id for p in problems] == ["train/algebra/1.json", "train/algebra/10.json", "train/geometry/3.json"]
    assert [(p.answer, p.level, p.subject) for p in problems] == [("1", 2, "Algebra"), ("10", 5, "Algebra"),
                                                                  ("3", 1, "Geometry")]
    (root / "geometry" / "4.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(DataError, match="4.json"):
        load_problems(root)
    with pytest.raises(DataError, match="found none"):
        load_problems((tmp_path / "empty").mkdir() or tmp_path / "empty")
