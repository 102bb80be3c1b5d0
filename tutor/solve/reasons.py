"""The sentences a solve's reasons are made of, in words a student reads (no "S_cls", no strategy names).

One place for them, so the app, `tutor solve` and the exports say the same thing.
"""

from __future__ import annotations

from typing import Any

STRATEGY_NAMES = {"rr_topk": "re-ranking", "rr_all": "re-ranking", "wrr": "weighted voting",
                  "wrr_topk": "weighted voting", "maj1": "majority vote", "greedy": "a single solution"}


def ill_posed() -> str:
    return "This problem has no answer as written: check that it is complete and makes sense."


def not_answered(n: int) -> str:
    return f"So I give no answer; the {n} written solutions are below for reference, none of them can be right."


def cancelled(finished: int, asked: int) -> str:
    return f"Stopped early: {finished} of {asked} solutions were finished."


def stopped_early(drawn: int, most: int, by_computation: bool) -> str:
    why = "one of them reached the directly computed answer" if by_computation else "the vote was decided"
    return f"Stopped after {drawn} of up to {most} solutions: {why}."


def computed_agrees(answer: str) -> str:
    return f"A direct computation gives {answer} too, so this answer is checked."


def computed_alone(answer: str, n: int, worked: bool) -> str:
    shown = ("its own steps are shown" if worked
             else "the best-rated one is shown below as an attempt, not as this answer's working")
    return f"A direct computation gives {answer}. None of the {n} written solutions reached it; {shown}."


def computed_steps_shown(false_steps: int, verifier_score: float | None) -> str:
    why = "has a false step" if false_steps else f"is rated only {verifier_score:.0%} likely correct"
    return f"The best written solution that reached it {why}, so the direct computation's own steps are shown."


def ends_elsewhere(written: str, computed: str) -> str:
    """Beside the last step of a shown solution that did not reach the directly computed answer."""
    return (f"This written solution ends with ${written}$, not the directly computed ${computed}$: "
            "read it as an attempt, not as the answer.")


def fallback_cancelled(strategy: str) -> str:
    return f"Stopped before every solution was scored, so the most common answer wins instead of {STRATEGY_NAMES[strategy]}."


def untrained_verifier() -> str:
    return ("This model has no trained checking model, so the most common answer wins; the direct computation "
            "and the arithmetic check still apply.")


def fallback_no_signal(threshold: float) -> str:
    return (f"The checking model could not tell the solutions apart (every score below {threshold:.2f}), "
            "so the most common answer wins.")


def no_answer(n: int) -> str:
    return f"None of the {n} solutions ended with a final answer."


def votes(count: int, n: int, answer: str) -> str:
    return f"{count} of {n} solutions give {answer}."


def verifier(best: float) -> str:
    return f"The checking model rates the best of them {best:.0%} likely correct."


def over_majority(answer: str, count: int, n: int) -> str:
    return f"Chosen over the most common answer, {answer} ({count} of {n}), because its solutions were rated higher."


def majority_differs(answer: str, count: int, n: int) -> str:
    return f"The most common answer was {answer} ({count} of {n})."


def false_steps(count: int) -> str:
    steps = "step does" if count == 1 else "steps do"
    return f"In the solution shown, {count} arithmetic {steps} not hold."


def unanswered(count: int) -> str:
    return f"{count} solution{'s' if count != 1 else ''} gave no final answer."


def computation_timed_out() -> str:
    return "A direct computation was tried but took too long."


def too_long(tokens: int, limit: int, characters: int) -> str:
    return (f"The problem is too long for this model: it takes {tokens} tokens ({characters} characters) and the "
            f"model reads at most {limit}. Shorten it, or load a model with a longer context.")


def confidence_basis(calibration: Any, note: str, scored: bool) -> str:
    if calibration is not None:
        return f"The confidence is calibrated on {calibration.n_examples} solved test problems."
    basis = "the share of agreeing solutions and the checking model's rating" if scored else "the share of agreeing solutions"
    why = note.removeprefix("uncalibrated").lstrip(": ") if note else ""
    return f"The confidence is a rough estimate from {basis}" + (f" ({why})." if why else ".")
