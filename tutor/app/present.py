"""How a SolveResult is put into words and colours for the student (pure functions, no widgets).

Low confidence is said plainly, never hidden: the headline changes, the band turns amber or red.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tutor.grading.steps import check_steps

# Confidence bands: (lowest confidence, name, background colour, what we tell the student).
BANDS = (
    (0.75, "high", "#d7f0d2", "I'm fairly confident."),
    (0.45, "medium", "#fbeec5", "I'm not sure — check this one."),
    (0.0, "low", "#f8d4d0", "I'm not sure — the samples disagree."),
)
NO_ANSWER_TEXT = "I couldn't find an answer — none of the samples ended with a final answer."


@dataclass(frozen=True)
class Band:
    name: str
    colour: str
    verdict: str


def confidence_band(confidence: float) -> Band:
    for lowest, name, colour, verdict in BANDS:
        if confidence >= lowest:
            return Band(name, colour, verdict)
    return Band(*BANDS[-1][1:])


def reason_line(result: Any, limit: int | None = None, hide_answer: bool = False) -> str:
    """One line saying why: the solver's own reasons (the first `limit`) when it gave some, else the votes.

    With `hide_answer` (hint mode) only the vote share is said, since the solver's reasons name the answer.
    """
    if result.reasons and not hide_answer:
        return "; ".join(result.reasons[:limit])
    winner = result.winner
    if winner is None:
        return f"0 of {len(result.samples)} samples gave a final answer"
    return f"{winner.votes} of {len(result.samples)} samples agree" + (" on one answer" if hide_answer else "")


def headline(result: Any) -> str:
    """The banner text above the solution."""
    if result.cancelled and not result.clusters:
        return "Cancelled before any answer was found."
    if result.answer is None:
        return NO_ANSWER_TEXT
    band = confidence_band(result.confidence)
    prefix = "(cancelled early) " if result.cancelled else ""
    return f"{prefix}{band.verdict} Confidence {result.confidence:.0%}"


def split_steps(solution: str) -> list[str]:
    """A solution as its steps: one per non-empty line (our models write one small step per line)."""
    return [line.strip() for line in solution.splitlines() if line.strip()]


def false_steps(step: str) -> list[str]:
    """What is wrong with a step's arithmetic, one sentence per equality that does not hold (math in `$`)."""
    return [check.describe() for check in check_steps(step) if not check.holds]


def score_before_step_check(score: float | None, false_steps: int, config: dict) -> float | None:
    """The verifier's own S_cls behind a score the step check discounted (None when it was not, or when a
    penalty of 0 left nothing to divide back)."""
    penalty = config.get("step_penalty") or 0.0
    if score is None or not false_steps or not config.get("step_check") or penalty <= 0:
        return None
    return min(1.0, score / penalty**false_steps)


def has_boxed(step: str) -> bool:
    return "\\boxed" in step


def answer_latex(answer: str | None) -> str:
    """The final answer as something the math renderer draws (plain answers stay readable)."""
    if answer is None:
        return "(no answer)"
    return answer if answer.startswith("$") else f"${answer}$"


def short_problem(problem: str, limit: int = 60) -> str:
    flat = re.sub(r"\s+", " ", problem).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def first_attempt(result: Any) -> Any:
    """With no answer at all, the first sample that wrote something: shown so the student sees the attempt."""
    return next((sample for sample in result.samples if sample.text.strip()), None)
