"""Real training problems (trainer.data.real): GSM8K calculator notes become the explicit equalities the
sampling-time calculator reads, MATH solutions are kept by length and end like the synthetic data, the
recipe's [data] table mixes them into training (never an evaluation problem), and the mix is summarised
for the model card.

Run: python -m pytest tests/test_data_real.py -q
"""

import json

import pytest
from conftest import SHARED_DATA

from trainer.config import DataConfig, from_dict
from trainer.data.problem import Problem
from trainer.data.real import (
    MixStats,
    convert_gsm8k,
    gsm8k_problem,
    load_gsm8k_train,
    load_math_train,
    mix_real,
    mix_summary,
    normalized_text,
)
from trainer.data.synth.explicit import calculator_violations
from tutor.errors import ConfigError, DataError
from tutor.grading import extract_answer
from tutor.grading.steps import check_steps

GSM8K_TRAIN = SHARED_DATA / "gsm8k_train.jsonl"
MATH_TRAIN = SHARED_DATA / "math_train_12k.jsonl"
needs_train_data = pytest.mark.skipif(not (GSM8K_TRAIN.exists() and MATH_TRAIN.exists()),
                                      reason="shared training data not present")


@pytest.mark.parametrize(("reasoning", "expected", "counts"), [
    # the written expression and its note become one equality
    ("Natalia sold 48/2 = <<48/2=24>>24 clips in May.", "Natalia sold $48/2 = 24$ clips in May.", (1, 0)),
    # the calculator's form of the value (no decimals on the left: a fraction); currency before the note dropped
    ("Weng earns 12/60 = $<<12/60=0.2>>0.2 per minute.", "Weng earns $12/60 = \\frac{1}{5}$ per minute.", (1, 0)),
    # `x` for times and currency signs in the written expression
    ("It costs $5 x $3 = $<<5*3=15>>15.", "It costs $5*3 = 15$.", (1, 0)),
    # a note the calculator disagrees with (GSM8K rounds) is dropped, the prose kept
    ("Each gets 10/3 = <<10/3=3.33>>3.33 pies.", "Each gets 10/3 = 3.33 pies.", (0, 1)),
    # prose that is not the note's expression stays, the equality follows it
    ("He has 3 boxes of 4 = <<3*4=12>>12 pens.", "He has 3 boxes of 4 = $3*4 = 12$ pens.", (1, 0)),
    # currency without a note is escaped: `$...$` is math
    ("She needs $21 - $19 = $2 more.", "She needs \\$21 - \\$19 = \\$2 more.", (0, 0)),
    # a decimal left side gives a decimal value
    ("That is 1.5+4.35 = $<<1.5+4.35=5.85>>5.85.", "That is $1.5+4.35 = 5.85$.", (1, 0)),
])
def test_gsm8k_notes_become_calculator_equalities(reasoning, expected, counts):
    text, converted, dropped = convert_gsm8k(reasoning)
    assert text == expected
    assert (converted, dropped) == counts
    assert calculator_violations(text) == []


def test_gsm8k_record_ends_like_the_synthetic_data():
    record = {"question": "Q?", "answer": "He has 1,000 + 2 = <<1000+2=1002>>1,002 coins.\n#### 1,002"}
    problem, converted, dropped = gsm8k_problem(record, "g/1")
    assert problem.solution.splitlines() == ["He has $1000+2 = 1002$ coins.", "The final answer is $\\boxed{1002}$."]
    assert (problem.answer, problem.source, converted, dropped) == ("1002", "gsm8k", 1, 0)
    with pytest.raises(DataError, match="GSM8K"):
        gsm8k_problem({"question": "Q", "answer": "no marker"}, "g/2")


@needs_train_data
def test_the_whole_gsm8k_train_file_converts_cleanly():
    stats = MixStats()
    problems = load_gsm8k_train(GSM8K_TRAIN, stats)
    assert len(problems) == 7473
    total = stats.gsm8k_notes_converted + stats.gsm8k_notes_dropped
    assert total > 23_000 and stats.gsm8k_notes_dropped / total < 0.03, stats  # measured: 23,357 and 359
    for problem in problems:
        assert calculator_violations(problem.solution) == [], problem.unique_id
        assert extract_answer(problem.solution) == problem.answer
    assert all(check.holds for p in problems[:2000] for check in check_steps(p.solution))


@needs_train_data
def test_math_records_are_kept_by_length_and_get_the_final_line():
    stats = MixStats()
    kept = load_math_train(MATH_TRAIN, 800, stats)
    assert (len(kept), stats.math_skipped_by_length, stats.math_skipped_no_answer) == (9761, 2237, 2)
    assert all(p.solution.count("\\boxed") == 1 and extract_answer(p.solution) == p.answer for p in kept)
    assert all(len(p.solution) <= 800 + 40 + len(p.answer) for p in kept)


def _real_files(tmp_path):
    gsm = tmp_path / "gsm.jsonl"
    gsm.write_text("".join(json.dumps({"question": f"Sam has {i} apples and buys 2 more. How many?",
                                       "answer": f"{i} + 2 = <<{i}+2={i + 2}>>{i + 2}\n#### {i + 2}"}) + "\n"
                           for i in range(30)), encoding="utf-8")
    math = tmp_path / "math.jsonl"
    math.write_text("".join(json.dumps({"problem": f"What is ${i} + 1$?", "solution": f"It is $\\boxed{{{i + 1}}}$."
                                        + (" long" * 400 if i % 3 == 0 else ""), "answer": str(i + 1),
                                        "subject": "Prealgebra", "level": 1, "unique_id": f"m/{i}"}) + "\n"
                            for i in range(30)), encoding="utf-8")
    return gsm, math


def _synthetic(n):
    return [Problem(f"synthetic {i}", "s", "1", "Algebra", 1, f"s/{i}", source="synthetic", template="linear_equation")
            for i in range(n)]


def test_mix_real_adds_the_configured_numbers_and_writes_the_summary(tmp_path):
    gsm, math = _real_files(tmp_path)
    config = DataConfig(gsm8k_train_file=str(gsm), gsm8k_problems=10, math_train_file=str(math), math_problems=50,
                        max_solution_chars=300)
    exclude = {normalized_text("Sam has 3 apples and buys 2 more. How many?")}
    mixed = mix_real(_synthetic(40), config, tmp_path / "data", exclude=exclude)
    sources = [p.source for p in mixed]
    assert sources.count("gsm8k") == 10 and sources.count("math") == 20 and sources.count("synthetic") == 40
    assert sources[:40] != ["synthetic"] * 40, "real problems are shuffled in"
    assert not any(p.problem.startswith("Sam has 3 apples") for p in mixed), "an evaluation problem was mixed in"
    assert mix_real(_synthetic(40), config, tmp_path / "again", exclude=exclude) == mixed, "not deterministic"
    stats = json.loads((tmp_path / "data" / "mix.json").read_text())
    assert stats["math_skipped_by_length"] == 10 and stats["skipped_eval_overlap"] == 1
    summary = mix_summary(tmp_path)  # the run folder, whose data/ holds mix.json
    assert "40 synthetic problems" in summary and "10 GSM8K" in summary and "20 MATH" in summary
    assert mix_summary(tmp_path / "elsewhere") is None


def test_mix_real_needs_the_file_it_is_asked_to_sample(tmp_path):
    with pytest.raises(DataError, match="gsm8k_train_file"):
        mix_real(_synthetic(3), DataConfig(gsm8k_problems=5), tmp_path, exclude=set())


def test_the_student_style_set_is_excluded_by_default(tmp_path):
    gsm, _ = _real_files(tmp_path)
    config = DataConfig(gsm8k_train_file=str(gsm), gsm8k_problems=30)
    mixed = mix_real([], config, tmp_path / "data")  # eval_texts() reads assets/eval: nothing there overlaps
    assert len(mixed) == 30


def test_data_table_keys_are_documented_and_unknown_keys_stay_errors():
    config = from_dict(DataConfig, {"gsm8k_train_file": "g.jsonl", "gsm8k_problems": 5, "math_problems": 7,
                                    "max_solution_chars": 600, "wordings": {"latex": 1.0}})
    assert (config.gsm8k_problems, config.math_problems, config.wordings) == (5, 7, {"latex": 1.0})
    with pytest.raises(ConfigError, match="gsm8k_file"):
        from_dict(DataConfig, {"gsm8k_file": "g.jsonl"})
    with pytest.raises(ConfigError, match="must be a table"):
        from_dict(DataConfig, {"wordings": "latex"})


def test_prepare_data_mixes_real_problems_into_the_training_split(tmp_path):
    from trainer.run import RecipeConfig, RunContext, prepare_data

    gsm, math = _real_files(tmp_path)
    recipe = RecipeConfig()
    recipe.model.source = "a-pretrained-folder"  # no tokenizer to train here
    recipe.data = DataConfig(train_problems=40, test_problems=5, seed=3, wordings={"latex": 1.0},
                             gsm8k_train_file=str(gsm), gsm8k_problems=10, math_train_file=str(math), math_problems=5)
    ctx = RunContext(recipe, tmp_path / "run", history=None)
    prepare_data(ctx)
    sources = [p.source for p in ctx.train]
    assert (len(ctx.train), sources.count("gsm8k"), sources.count("math")) == (55, 10, 5)
    assert {p.source for p in ctx.test} == {"synthetic"} and len(ctx.test) == 5
    assert {p.wording for p in ctx.train if p.source == "synthetic"} == {"latex"}
    assert "10 GSM8K train problems" in mix_summary(ctx.run_dir)
