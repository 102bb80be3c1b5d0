"""`tutor solve` with no --model runs on the bundled default model (skipped until assets/model exists).

Quick: 4 short samples of one problem. The slow variant solves 12 held-out synthetic
problems (N=8): answers come out and the shipped calibration is used. Run: python -m pytest tests/test_solve_bundled.py [-m slow]
"""

import itertools
import json

import pytest

from tutor import cli, paths

BUNDLED = paths.bundled_model_dir()
needs_bundled = pytest.mark.skipif(
    not (BUNDLED / "config.json").exists(), reason=f"no bundled model in {BUNDLED} yet (trainer run default)"
)


@needs_bundled
def test_tutor_solve_uses_the_bundled_model(capsys):
    code = cli.main(["solve", "What is $12 + 30$?", "--n", "4", "--max-new-tokens", "96", "--seed", "0", "--json"])
    assert code in (0, 1), "0 with an answer, 1 without one"
    data = json.loads(capsys.readouterr().out)
    assert len(data["samples"]) == 4 and data["model"]
    assert all(sample["text"] for sample in data["samples"]), "the model writes solutions"


@needs_bundled
@pytest.mark.slow
def test_bundled_model_solves_held_out_problems():
    from trainer.data.synth import SynthConfig, generate
    from tutor.grading import is_equivalent
    from tutor.models import load
    from tutor.solve import SolveConfig, Solver

    generator, verifier = load(None, device="cpu")
    solver = Solver(generator, verifier, SolveConfig(n=8, max_new_tokens=256, seed=0))
    problems = list(itertools.islice(generate(SynthConfig(n=12, seed=1234, verify=False)), 12))
    results = [solver.solve(problem.problem) for problem in problems]
    answered = sum(result.answer is not None for result in results)
    correct = sum(is_equivalent(result.answer, problem.answer) for result, problem in zip(results, problems))
    assert answered >= 9, f"only {answered} of 12 solves produced an answer"
    print(f"bundled model: {correct} of 12 held-out problems right")  # ~4 % RR.Top-8 in its model card
    if (BUNDLED / "calibration.json").exists():
        # an answer of the samples says what its confidence rests on (calibrated only under the settings the
        # calibration was fitted with, which n = 8 and 256 tokens are not); one the computation checked or gave
        # says that instead
        by_samples = [r for r in results if r.source == "model" and (r.symbolic is None or r.symbolic.status != "agree")]
        checked = [r for r in results if r.answer and r not in by_samples]
        assert all(any(reason.startswith("The confidence is") for reason in r.reasons) for r in by_samples)
        assert all(any("A direct computation gives" in reason for reason in r.reasons) for r in checked)
