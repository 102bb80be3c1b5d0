"""The solve core's two steps that every caller shares: sample solutions, and score them with the verifier.

    rows = sample(generator, ["Solve 3x + 7 = 22"], SamplingParams(n=16))    # one row of SampleRecords per problem
    score(verifier, problem, rows[0], indices, RankingParams())             # S_cls, false steps, combined score

The app and `tutor solve` reach these through `Solver.solve`; `trainer eval` calls `sample` for a batch of
problems and `Solver.judge` per problem; the trainer's candidate sampling calls `sample` and labels the
records. So the prompt, the stop strings, the calculator, answer extraction and the step check are the same
wherever a number is measured. No Qt, no torch: this runs over the Generator/Verifier protocols.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tutor.grading import extract_answer
from tutor.prompts import SOLVER_STOP
from tutor.solve.adaptive import AdaptiveControl, Leader
from tutor.solve.checked import combined_score, false_steps
from tutor.solve.config import RankingParams, SamplingParams
from tutor.solve.result import SampleRecord

if TYPE_CHECKING:
    from tutor.models.base import Generator, Sample, Verifier

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SolveEvent:
    """Progress of one solve, for a progress bar or the GUI's "thinking" view."""

    stage: str
    """"sampling", "grading", "verifying" or "done"."""
    done: int = 0
    """Sampling: sequences finished; verifying: solutions scored."""
    total: int = 0
    tokens: int = 0
    """Tokens generated so far (sampling)."""
    preview: str = ""
    """Partial text of one in-flight solution (sampling)."""
    leader: str | None = None
    """The leading answer so far (sampling): provisional until the solve ends."""
    leader_votes: int = 0
    """Finished solutions that give `leader`, out of `done`."""
    settled: str = ""
    """Why sampling stopped early: "vote" (decided) or "computation" (a sample agrees with it); "" otherwise."""


EventCallback = Callable[[SolveEvent], None]


def record(index: int, sample: Sample) -> SampleRecord:
    """A sampled solution as the pipeline keeps it: its answer and its false steps, read once here."""
    # A solution cut off by a cancel has no trustworthy final answer; keep it visible, unanswered.
    answer = None if sample.finish_reason == "cancelled" else extract_answer(sample.text)
    return SampleRecord(index, sample.text, answer, None, sample.n_tokens, sample.finish_reason,
                        false_steps=false_steps(sample.text),
                        computed=[list(span) for span in getattr(sample, "computed", ())])


def sample(
    generator: Generator,
    problems: Sequence[str],
    params: SamplingParams,
    on_event: EventCallback | None = None,
    cancel: threading.Event | None = None,
    computed: Sequence[Callable[[], str | None]] | None = None,
    grading_timeout: float = 1.0,
) -> list[list[SampleRecord]]:
    """Up to `params.n` solutions per problem, decoded together (outer list: problems); with `params.adaptive`
    a problem stops once its vote is decided or a sample agrees with `computed[i]()`, its direct computation's
    answer when one is ready (`tutor.solve.adaptive`)."""
    prompts = [generator.solver_prompt(problem) for problem in problems]
    emit = on_event or (lambda event: None)
    total = params.n * len(prompts)
    emit(SolveEvent("sampling", 0, total))
    state = {"leader": None, "votes": 0, "settled": ""}

    def on_update(prompt: int, leader: Leader) -> None:
        state.update(leader=leader.answer, votes=leader.votes, settled=leader.settled)

    control = AdaptiveControl(params.n, params.min_samples, params.stop_confidence, params.wave, computed,
                              on_update if len(prompts) == 1 else None, grading_timeout, adaptive=params.adaptive)
    rows = generator.sample(
        prompts,
        n=params.n,
        temperature=params.temperature,
        top_p=params.top_p,
        max_new_tokens=params.max_new_tokens,
        stop=SOLVER_STOP,
        seed=params.seed,
        on_progress=lambda p: emit(SolveEvent("sampling", p.done, p.total, p.tokens, p.preview, state["leader"],
                                              state["votes"], state["settled"])),
        cancel=cancel,
        calculator=params.calculator,
        control=control,
    )
    return [[record(index, output) for index, output in enumerate(row)] for row in rows]


def score(
    verifier: Verifier,
    problem: str,
    samples: list[SampleRecord],
    indices: Sequence[int],
    params: RankingParams,
    on_event: EventCallback | None = None,
    cancel: threading.Event | None = None,
) -> None:
    """Set verifier_score and score on the samples at `indices`, in batches so a cancel lands between them.

    Identical texts are scored once: a small model at low temperature often repeats a solution verbatim.
    """
    emit = on_event or (lambda event: None)
    by_text: dict[str, list[int]] = {}
    for i in indices:
        by_text.setdefault(samples[i].text, []).append(i)
    texts = list(by_text)
    emit(SolveEvent("verifying", 0, len(texts)))
    for start in range(0, len(texts), params.verify_batch_size):
        if cancel is not None and cancel.is_set():
            return
        batch = texts[start : start + params.verify_batch_size]
        for text, value in zip(batch, verifier.p_correct([problem] * len(batch), batch)):
            value = float(value)
            if not 0.0 <= value <= 1.0:  # NaN or out of range: a backend bug; never let it decide
                log.warning("verifier returned %r for a solution; treating it as unscored", value)
                continue
            for i in by_text[text]:
                samples[i].verifier_score = value
                samples[i].score = combined_score(value, samples[i].wrong_steps, params)
        emit(SolveEvent("verifying", start + len(batch), len(texts)))
