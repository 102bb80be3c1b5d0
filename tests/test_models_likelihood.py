"""LikelihoodVerifier: exp(mean token log-probability) of each solution under its own problem's solver prompt."""

import math

import pytest

from tutor.models import Verifier, load
from tutor.models.likelihood import LikelihoodVerifier


@pytest.fixture(scope="module")
def generator(model_dir):
    return load(model_dir, backend="transformers", device="cpu")[0]


def test_scores_are_the_mean_token_likelihood_under_each_problem(generator):
    problems = ["What is $2 + 3$?", "What is $7 - 4$?", "What is $2 + 3$?"]
    solutions = ["$2 + 3 = 5$.", "$7 - 4 = 3$.", "The answer is $\\boxed{6}$."]
    verifier = LikelihoodVerifier(generator)
    assert isinstance(verifier, Verifier)
    scores = verifier.p_correct(problems, solutions)
    for problem, solution, score in zip(problems, solutions, scores):
        (expected,) = generator.logprobs(generator.solver_prompt(problem), [solution])
        assert score == pytest.approx(math.exp(expected.mean), rel=1e-5)
        assert 0.0 < score <= 1.0
    # the same solution scores differently under another problem's prompt: each is read with its own problem
    other = verifier.p_correct(["What is $7 - 4$?"], [solutions[0]])
    assert other[0] != pytest.approx(scores[0], rel=1e-6)


def test_an_empty_solution_gets_no_credit(generator):
    assert LikelihoodVerifier(generator).p_correct(["What is $2 + 3$?"], [""]) == [0.0]
