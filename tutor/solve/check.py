"""Checking a student's own answer against a solve, without giving the solution away.

The direct computation, where the problem has one, is the truth: a student's answer that matches it is
right, one that does not is not. Without it there are only the samples, and a small model's samples are
weak evidence: the verdict then says what the samples say and how much that is worth at this confidence,
and never tells the student to try again on their strength alone.

    check = check_answer("5", result)    # AnswerCheck(verdict="correct", message="That's right: ...")
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tutor.grading import extract_answer, is_equivalent
from tutor.solve.result import SolveResult

VERDICTS = ("correct", "incorrect", "top", "minority", "none", "empty")
SURE = 0.75
"""A confidence this high makes the samples' answer worth checking one's work against."""


@dataclass(frozen=True)
class AnswerCheck:
    """How a student's answer compares with a solve; `message` never names the tutor's answer."""

    verdict: str
    """"correct" / "incorrect" (against the direct computation), "top" / "minority" / "none" (against the
    samples only), or "empty" (nothing typed)."""
    message: str
    rank: int | None = None
    """1-based rank of the matching answer cluster."""
    votes: int = 0


def check_answer(answer: str, result: SolveResult, timeout: float = 1.0,
                 cancelled: Callable[[], bool] = lambda: False) -> AnswerCheck:
    answer = answer.strip()
    if not answer:
        return AnswerCheck("empty", "Type your final answer first.")
    candidate = extract_answer(answer) if "\\boxed" in answer else answer
    symbolic = result.symbolic
    if symbolic is not None and symbolic.answer is not None and symbolic.status in ("agree", "disagree"):
        if is_equivalent(candidate, symbolic.answer, timeout=timeout):
            return AnswerCheck("correct", "That's right: a direct computation gives the same answer.")
        return AnswerCheck("incorrect", "That's not it: a direct computation gives a different answer. "
                           "Check your work, or reveal a step as a hint.")
    total = len(result.samples)
    worth = _worth(result.confidence)
    for rank, cluster in enumerate(result.clusters, start=1):
        if cancelled():
            break
        if is_equivalent(candidate, cluster.answer, timeout=timeout):
            share = f"{cluster.votes} of my {total} solutions"
            if rank == 1:
                return AnswerCheck("top", f"Your answer matches my top answer ({share} reach it). {worth}",
                                   rank, cluster.votes)
            return AnswerCheck("minority", f"Your answer matches one of my less common answers ({share} reach it); "
                               f"my top answer is a different one. {worth}", rank, cluster.votes)
    return AnswerCheck("none", f"None of my {total} solutions reached your answer. {worth}")


def _worth(confidence: float) -> str:
    """What the samples' verdict is worth, said plainly."""
    if confidence >= SURE:
        return f"I'm fairly sure of my own answer (confidence {confidence:.0%}), so compare your work with mine."
    return (f"But I'm not sure of my own answer (confidence {confidence:.0%}), so this does not tell whether "
            "yours is right: check it step by step.")
