"""The automatic grader: final-answer extraction, mathematical equivalence, and answer clustering.

    from tutor.grading import extract_answer, is_equivalent, cluster_answers
    extract_answer(r"... so the answer is $\\boxed{\\frac{1}{2}}$.")  # -> "\\frac{1}{2}"
    is_equivalent("0.5", r"\\dfrac{1}{2}")                           # -> True
    cluster_answers(["1/2", "0.5", "2", None])                       # -> [Cluster("1/2", [0, 1]), Cluster("2", [2])]
    wrong_steps(r"So $4 \\cdot 8 = 24$.")                             # -> 1 (tutor.grading.steps)

No Qt, no torch. Symbolic comparisons run in worker processes under a hard time limit (`timeout.py`);
call `warm_up()` early (off the GUI thread) to pay the one-time worker start before the first solve.
"""

from tutor.grading.cluster import Cluster, canonical_key, cluster_answers
from tutor.grading.compare import is_equivalent
from tutor.grading.extract import extract_answer
from tutor.grading.normalize import normalize_answer
from tutor.grading.steps import StepCheck, check_steps, wrong_steps
from tutor.grading.timeout import warm_up

__all__ = [
    "Cluster",
    "StepCheck",
    "canonical_key",
    "check_steps",
    "cluster_answers",
    "extract_answer",
    "is_equivalent",
    "normalize_answer",
    "warm_up",
    "wrong_steps",
]
