"""How a SolveResult is put into words and colours for the student (pure functions, no widgets).

Low confidence is said plainly, never hidden: the headline changes, the band turns amber or red.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tutor.solve import reasons as say

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


def reasons(result: Any, hide_answer: bool = False) -> list[str]:
    """Every reason the solver gave, in its words (one line each), or the vote when it gave none.

    With `hide_answer` (hint mode) only the vote share is said, since the solver's reasons name the answer.
    """
    if result.reasons and not hide_answer:
        return list(result.reasons)
    winner = result.winner
    if winner is None:
        return [f"0 of {len(result.samples)} samples gave a final answer"]
    return [f"{winner.votes} of {len(result.samples)} samples agree" + (" on one answer" if hide_answer else "")]


def sampling_line(progress: Any, hide_answer: bool = False) -> str:
    """The line under the progress bar while solutions arrive, with the provisional leading answer (its
    vote only, in hint mode)."""
    line = f"Sampling: {progress.done}/{progress.total} solutions finished"
    if progress.leader is not None and progress.done:
        agree = f"{progress.leader_votes} of {progress.done} agree"
        line += f" · so far {agree}" if hide_answer else f" · leading so far: {progress.leader} ({agree}; provisional)"
    if progress.settled:
        line += " · the vote is decided" if progress.settled == "vote" else " · a solution reached the computed answer"
    return line


def headline(result: Any) -> str:
    """The banner text above the solution."""
    if result.cancelled and not result.clusters:
        return "Cancelled before any answer was found."
    if getattr(result, "notice", ""):
        return f"I can't solve this as written. {result.notice}"
    if result.answer is None:
        return NO_ANSWER_TEXT
    band = confidence_band(result.confidence)
    prefix = "(stopped early) " if result.cancelled else ""
    return f"{prefix}{band.verdict} Confidence {result.confidence:.0%}"


def split_steps(solution: str) -> list[str]:
    """A solution as its steps: one per non-empty line (our models write one small step per line)."""
    return [line.strip() for line in solution.splitlines() if line.strip()]


def steps_with_flags(sample: Any, result: Any = None) -> list[tuple[str, list[str]]]:
    """(step, what is wrong with it) per step of a sample, from the false steps the solve core recorded
    (`SampleRecord.false_steps`: nothing is re-checked while rendering). Given the `result` it is shown for,
    a solution that ends elsewhere than the result's answer (the direct computation decided, and no sample
    reached it) says so on its last step, so its boxed answer is never read as the tutor's."""
    flags: dict[int, list[str]] = {}
    for step in sample.false_steps:
        flags.setdefault(step.line, []).append(step.message)
    steps = [(line.strip(), flags.get(number, [])) for number, line in enumerate(sample.text.splitlines()) if line.strip()]
    if steps and result is not None and result.overrules(sample):
        last = max((i for i, (step, _) in enumerate(steps) if has_boxed(step)), default=len(steps) - 1)
        steps[last] = (steps[last][0], steps[last][1] + [say.ends_elsewhere(sample.answer, result.answer)])
    return steps


def shown_steps(result: Any) -> list[tuple[str, list[str]]]:
    """The steps of the solution a student reads for `result`: the direct computation's own where it has them
    and decided (`SolveResult.worked_by_computation`), else the best written solution's (or, with no answer,
    the first attempt's), with its false steps."""
    if result.worked_by_computation:
        return [(step, []) for step in result.symbolic.steps]
    shown = result.best_solution or first_attempt(result)
    return steps_with_flags(shown, result) if shown is not None else []


def boxed_is_answer(result: Any) -> bool:
    """Whether the box on the shown solution's last step is the answer the tutor gives."""
    best = result.best_solution
    return result.worked_by_computation or best is None or not result.overrules(best)


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


def verdict_words(correct: bool, whole_cluster: bool = False) -> str:
    """A teacher's verdict as shown beside a solution: "✓ correct" / "✗ incorrect" (whole cluster)."""
    return ("✓ correct" if correct else "✗ incorrect") + (" (whole cluster)" if whole_cluster else "")


def review_row(sample: Any, mark: Any = None, whole_cluster: bool = False) -> str:
    """A solution as the Review tab lists it, in words a teacher reads: the teacher's verdict first (so it is
    never the part cut off), its number, its score and what is behind it (the verifier's own score when the
    step check discounted it, its false steps), its length; the teacher's comment on a line of its own."""
    n = sample.wrong_steps
    false = f"{n} false step{'s' if n != 1 else ''}"
    if sample.score is None:
        parts = ["not scored"] + ([false] if n else [])
    elif sample.verifier_score is not None and sample.score != sample.verifier_score:
        parts = [f"score {sample.score:.2f} (verifier {sample.verifier_score:.2f}, lowered for {false})"]
    else:
        parts = [f"verifier {sample.score:.2f}"] + ([false] if n else [])
    parts.append(f"{sample.n_tokens} tokens")
    if sample.finish_reason != "stop":
        parts.append("cut off at the token limit" if sample.finish_reason == "length" else sample.finish_reason)
    head = "" if mark is None else verdict_words(mark.correct, whole_cluster) + " · "
    comment = f"\n“{mark.comment}”" if mark is not None and mark.comment else ""
    return f"{head}#{sample.index + 1} — " + " · ".join(parts) + comment


def mark_line(mark: Any) -> str:
    """A stored mark in an export: what was marked, the verdict, the comment and when (math in `$`)."""
    what = (f"solution #{mark.sample_index + 1}" if mark.sample_index is not None
            else f"every solution answering {answer_latex(mark.cluster_answer)}")
    comment = f" — “{mark.comment}”" if mark.comment else ""
    verdict = "✓ correct" if mark.correct else "✗ incorrect"
    return f"{verdict}: {what}{comment} (marked {mark.created_at:%Y-%m-%d %H:%M} UTC)"


def clip_math_text(text: str, limit: int = 160) -> str:
    """`text` on one line, at most about `limit` characters, cut between formulas, never inside one (a cut
    formula could not be drawn): for a list row that shows the problem rendered."""
    from tutor.app.math_render import split_math

    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    out, used = [], 0
    for kind, content in split_math(flat):
        piece = f"${content}$" if kind == "math" else content
        if used + len(piece) > limit:
            if kind == "text":
                out.append(piece[: max(0, limit - used)].rstrip())
            return "".join(out) + "…"
        out.append(piece)
        used += len(piece)
    return "".join(out)
