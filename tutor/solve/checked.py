"""The step check in the ranking: a solution's verifier score discounted for every arithmetic step that does not hold.

    score(X|P) = S_cls(X|P) * step_penalty ** (equalities of X that `tutor.grading.steps` finds false)

Why: the bundled ~2M-parameter verifier ranks the samples of one problem barely above chance (within-problem
pair accuracy 0.53), because telling a right solution from a wrong one there usually means redoing one
computation (`10/100 * 360 = 1600/100`), which a model that small cannot do at its verdict token. The
grader's evaluator can. Measured on 1,000 test problems x 16 samples (assets/model/README.md), the product
lifts that pair accuracy to 0.65 and RR.Top-8 above Maj1@16. The verifier still orders solutions whose steps
all hold (or cannot be checked), and the score stays in [0, 1], so W.RR sums and the calibration apply.

This module is the only place the discount is applied; the pipeline records S_cls, the false steps and the
combined score on each `SampleRecord`, so nothing downstream recomputes or divides it back out.
"""

from __future__ import annotations

from tutor.grading.steps import check_steps
from tutor.solve.config import RankingParams
from tutor.solve.result import FalseStep


def false_steps(text: str) -> list[FalseStep]:
    """The arithmetic equalities of a solution that do not hold, each with its line and a sentence for the student."""
    return [FalseStep(check.line, check.describe()) for check in check_steps(text) if not check.holds]


def combined_score(verifier_score: float, wrong_steps: int, params: RankingParams) -> float:
    """The score a strategy ranks by: S_cls, times step_penalty per false step when the step check is on."""
    if not params.step_check:
        return verifier_score
    return verifier_score * params.step_penalty**wrong_steps
