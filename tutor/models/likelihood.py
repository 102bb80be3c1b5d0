"""A Verifier that needs no verifier training: the generator's own per-token likelihood of a solution.

    score(X|P) = exp(mean over X's tokens of log p(x_i | x_<i, P))   (the geometric-mean token probability)

This is not the paper's S_cls. It is a baseline that re-ranks samples by how well the generator itself
predicts them. On a small model trained from scratch it ranks within a problem better than a verifier fine-tuned on a few
thousand candidate pairs (see assets/model/README.md), so `trainer eval --verifier likelihood` measures it
beside S_cls. The score lies in (0, 1], so W.RR's per-cluster sums and the calibration still apply.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from tutor.models.base import Generator


class LikelihoodVerifier:
    """`Verifier` over a `Generator`: exp of the mean token log-probability of X after the solver prompt."""

    def __init__(self, generator: Generator) -> None:
        self.generator = generator
        self.name = f"{generator.name} (likelihood)"
        self.path = Path(generator.path)

    def p_correct(self, problems: Sequence[str], solutions: Sequence[str]) -> list[float]:
        by_problem: dict[str, list[int]] = defaultdict(list)
        for index, problem in enumerate(problems):
            by_problem[problem].append(index)
        scores = [0.0] * len(solutions)
        for problem, indices in by_problem.items():
            scored = self.generator.logprobs(self.generator.solver_prompt(problem), [solutions[i] for i in indices])
            for index, logprob in zip(indices, scored):
                scores[index] = math.exp(logprob.mean) if logprob.n_tokens else 0.0  # nothing written, no credit
        return scores
