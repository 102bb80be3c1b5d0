"""Backend-independent book-keeping of one `Generator.sample` call: argument checks, progress, stops.

Both backends decode in their own way and report through a `SamplingRun`, so finish reasons, stop-string
cuts and progress events mean the same thing whichever backend produced them.
"""

from __future__ import annotations

import logging
import threading

import numpy as np

from tutor.models.base import ProgressCallback, Sample, SampleProgress, SamplingControl, prompt_limit
from tutor.models.calculator import CalculatorRun
from tutor.models.prompting import StopStrings

log = logging.getLogger(__name__)
# Tokens sorted per row for nucleus sampling before falling back to a full sort.
_NUCLEUS_CANDIDATES = 256


def fit_prompt(ids: list[int], context: int, reserve: int = 0) -> list[int]:
    """The prompt's last tokens that fit in `context`, leaving `reserve` positions for generation (at most
    half the context, so a huge max_new_tokens cannot squeeze the prompt away); the end of a prompt (the
    question, the answer cue) matters more than its beginning."""
    limit = prompt_limit(context, reserve)
    if len(ids) > limit:
        log.warning("prompt of %d tokens does not fit the %d-token context; keeping its last %d", len(ids), context, limit)
        return ids[-limit:]
    return ids


def check_sampling_args(n: int, temperature: float, top_p: float, max_new_tokens: int) -> None:
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if not 0 < top_p <= 1:
        raise ValueError(f"top_p must be in (0, 1], got {top_p}")
    if max_new_tokens < 1:
        raise ValueError(f"max_new_tokens must be >= 1, got {max_new_tokens}")


class SamplingRun:
    """Book-keeping shared by the batches of one `sample` call: progress counts, stops, cancellation."""

    def __init__(
        self,
        total: int,
        temperature: float,
        top_p: float,
        max_new_tokens: int,
        stops: StopStrings,
        on_progress: ProgressCallback | None,
        cancel: threading.Event | None,
        calculator: CalculatorRun | None = None,
    ):
        self.total, self.temperature, self.top_p = total, temperature, top_p
        self.max_new_tokens, self.stops = max_new_tokens, stops
        self.on_progress, self.cancel = on_progress, cancel
        self.calculator = calculator
        """The calculator inside decoding (`tutor.models.calculator`), or None when it is off."""
        self.done = 0
        self.tokens = 0

    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    def finish(self, tokens: list[int], reason: str, text: str, job: int | None = None) -> Sample:
        """The finished sample of sequence `job` (its calculator spans kept when the calculator ran)."""
        self.done += 1
        text, cut = self.stops.cut(text) if self.stops else (text, False)
        if cut and reason != "stop":
            reason = "stop"
        computed = self.calculator.spans(job, len(text)) if self.calculator is not None and job is not None else ()
        return Sample(text=text, n_tokens=len(tokens), finish_reason=reason, computed=computed)

    def report(self, preview: str) -> None:
        self._reported = (self.done, self.tokens)
        if self.on_progress is not None:
            self.on_progress(SampleProgress(done=self.done, total=self.total, tokens=self.tokens, preview=preview))

    def close(self) -> None:
        """A last event when the final counts were never reported (cancellation, nothing to sample)."""
        if getattr(self, "_reported", None) != (self.done, self.tokens):
            self.report("")


def pick_tokens_np(logits: np.ndarray, temperature: float, top_p: float, uniforms: np.ndarray) -> np.ndarray:
    """Next token per row of `logits` (rows x vocab): argmax at temperature 0, else nucleus sampling by
    inverse CDF with one uniform draw per row (so each sequence's draws come from its own generator and
    do not depend on which other sequences share the batch).

    The nucleus is found as a probability threshold (the smallest kept probability), so only a few top
    candidates are sorted, never the vocabulary; tokens tied at the threshold are all kept.
    """
    if temperature == 0:
        return logits.argmax(axis=1)
    z = logits / np.float32(temperature)
    z -= z.max(axis=1, keepdims=True)
    probs = np.exp(z)
    probs /= probs.sum(axis=1, keepdims=True)
    if top_p < 1.0:
        probs = np.where(probs >= _nucleus_threshold(probs, top_p)[:, None], probs, 0.0)
    cdf = probs.cumsum(axis=1)
    return np.minimum((cdf < uniforms[:, None] * cdf[:, -1:]).sum(axis=1), probs.shape[1] - 1)


def _nucleus_threshold(probs: np.ndarray, top_p: float) -> np.ndarray:
    """Per row, the probability of the last token of the smallest top set holding >= top_p of the mass."""
    vocab = probs.shape[1]
    k = min(vocab, _NUCLEUS_CANDIDATES)
    top = np.partition(probs, vocab - k, axis=1)[:, vocab - k :] if k < vocab else probs
    if k < vocab and top.sum(axis=1).min() < top_p:  # a flat distribution: the nucleus is wider
        top = probs
    ranked = -np.sort(-top, axis=1)
    # A token is in the nucleus while the mass ranked before it is below top_p (the top one always is).
    last = (ranked.cumsum(axis=1) - ranked < top_p).sum(axis=1) - 1
    return ranked[np.arange(len(ranked)), last]


class JobQueue:
    """The samples of one `sample` call: job j is sample j % n of prompt j // n, seeded by j whatever the
    order it runs in. Without a control every job runs (prompt by prompt); with one, a prompt's jobs start
    only while the control wants more of it, and its in-flight ones are dropped once it does not."""

    def __init__(self, prompts: int, n: int, control: SamplingControl | None = None):
        self.prompts, self.n, self.control = prompts, n, control
        self.started = [0] * prompts
        self.in_flight = [0] * prompts
        self.results: list[Sample | None] = [None] * (prompts * n)
        self.returned: list[int] = []

    def next_job(self) -> int | None:
        """The next job to start, or None when none may start now."""
        if self.returned:
            job = self.returned.pop(0)
            self.in_flight[self.prompt_of(job)] += 1
            return job
        for prompt in range(self.prompts):
            started = self.started[prompt]
            if started < self.n and (self.control is None
                                     or self.control.may_start(prompt, started, self.in_flight[prompt])):
                self.started[prompt] += 1
                self.in_flight[prompt] += 1
                return prompt * self.n + started
        return None

    def prompt_of(self, job: int) -> int:
        return job // self.n

    def wanted(self, job: int) -> bool:
        return self.control is None or self.control.wanted(self.prompt_of(job))

    def finish(self, job: int, sample: Sample) -> None:
        prompt = self.prompt_of(job)
        self.results[job] = sample
        self.in_flight[prompt] -= 1
        if self.control is not None:
            self.control.finished(prompt, sample.text, sample.finish_reason)

    def drop(self, job: int) -> None:
        """An in-flight job no longer wanted: it leaves no sample."""
        self.in_flight[self.prompt_of(job)] -= 1

    def give_back(self, job: int) -> None:
        """A started job that could not run (a batch that ran out of memory): it starts again first."""
        self.in_flight[self.prompt_of(job)] -= 1
        self.returned.append(job)

    def unstarted(self) -> list[int]:
        """Jobs never started (on a cancel without a control they still come back, as cancelled samples)."""
        return [prompt * self.n + k for prompt in range(self.prompts) for k in range(self.started[prompt], self.n)]

    def rows(self) -> list[list[Sample]]:
        """Per prompt, its finished samples in job order."""
        return [[s for s in self.results[p * self.n : (p + 1) * self.n] if s is not None] for p in range(self.prompts)]
