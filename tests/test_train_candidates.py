"""Candidate sampling for phase 2: reference-prefix rollouts (cut points, prompts, labels, indices)."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest

from trainer.candidates import CandidatesConfig, reference_prefixes, sample_candidates
from tutor.models.base import Sample

MULTI_LINE = ("The perimeter is $2(\\ell + w) = 52$, so $\\ell + w = 26$.\nThe width is $w = 26 - 9 = 17$.\n"
              "The final answer is $\\boxed{17}$.")
ONE_LINE = "$3 + 4 = 7$, and $7 \\cdot 2 = 14$."


@pytest.mark.parametrize("solution, expected_cuts", [
    # every "= " and line break before the final-answer line
    (MULTI_LINE, ["The perimeter is $2(\\ell + w) = ", "The perimeter is $2(\\ell + w) = 52$, so $\\ell + w = ",
                  "The perimeter is $2(\\ell + w) = 52$, so $\\ell + w = 26$.\n",
                  "The perimeter is $2(\\ell + w) = 52$, so $\\ell + w = 26$.\nThe width is $w = ",
                  "The perimeter is $2(\\ell + w) = 52$, so $\\ell + w = 26$.\nThe width is $w = 26 - 9 = "]),
    # no final-answer line of its own: inside the equalities, the last one left to the model
    (ONE_LINE, ["$3 + 4 = "]),
    ("$x = 5$.\nThe final answer is $\\boxed{5}$.", ["$x = "]),
    ("The final answer is $\\boxed{5}$.", []),
    ("", []),
])
def test_reference_prefixes_cut_after_equalities_and_line_breaks(solution, expected_cuts):
    assert reference_prefixes(solution, 99, random.Random(0)) == expected_cuts


def test_reference_prefixes_takes_at_most_count_distinct_cuts_in_order():
    cuts = reference_prefixes(MULTI_LINE, 3, random.Random(1))
    assert len(cuts) == len(set(cuts)) == 3
    assert cuts == sorted(cuts, key=len)
    assert all(MULTI_LINE.startswith(c) and c.endswith(("= ", "\n")) for c in cuts)
    assert reference_prefixes(MULTI_LINE, 3, random.Random(1)) == cuts  # seeded


class ContinuingGenerator:
    """Continues a prompt: a rollout prompt (ending in "= ") alternately gets the right and a wrong number."""

    def __init__(self):
        self.prompts: list[str] = []

    def solver_prompt(self, problem: str) -> str:
        return f"Problem: {problem}\nSolution:\n"

    def sample(self, prompts, n=1, temperature=0.7, top_p=0.95, max_new_tokens=256, stop=(), seed=None, **_):
        self.prompts += prompts
        rows = []
        for prompt in prompts:
            if prompt.endswith("Solution:\n"):  # a plain sample: always wrong
                rows.append([Sample("I guess.\nThe final answer is $\\boxed{0}$.", 5, "stop") for _ in range(n)])
            else:
                rows.append([Sample(f"{17 if i % 2 == 0 else 18}$.\nThe final answer is $\\boxed"
                                    f"{{{17 if i % 2 == 0 else 18}}}$.", 5, "stop") for i in range(n)])
        return rows


def test_sample_candidates_adds_labelled_rollouts_of_reference_prefixes():
    problem = SimpleNamespace(problem="What is $26 - 9$?", solution="$w = 26 - 9 = 17$.\nThe final answer is "
                              "$\\boxed{17}$.", answer="17", unique_id="p/0")
    generator = ContinuingGenerator()
    config = CandidatesConfig(n=3, prefix_cuts=2, samples_per_cut=2)
    seen = []
    candidates = sample_candidates(generator, [problem], config, seed=0, on_batch=seen.append)
    plain, rollouts = candidates[:3], candidates[3:]
    assert [c.correct for c in plain] == [False] * 3
    # two cuts ("$w = ", "$w = 26 - 9 = "), two continuations each; indices follow the n plain samples
    assert [c.sample_index for c in rollouts] == [3, 4, 5, 6]
    assert [c.solution.split("$.")[0] for c in rollouts] == ["$w = 17", "$w = 18", "$w = 26 - 9 = 17", "$w = 26 - 9 = 18"]
    assert [c.correct for c in rollouts] == [True, False, True, False]
    assert generator.prompts[1:] == [generator.solver_prompt(problem.problem) + "$w = ",
                                     generator.solver_prompt(problem.problem) + "$w = 26 - 9 = "]
    assert seen == [candidates]  # one batch, so a resumed run sees all of a problem's candidates or none


def test_sample_candidates_without_prefix_cuts_samples_only_from_scratch():
    problem = SimpleNamespace(problem="What is $1 + 1$?", solution="$1 + 1 = 2$.\nThe final answer is $\\boxed{2}$.",
                              answer="2", unique_id="p/1")
    generator = ContinuingGenerator()
    candidates = sample_candidates(generator, [problem], CandidatesConfig(n=4), seed=0)
    assert len(candidates) == 4 and len(generator.prompts) == 1
