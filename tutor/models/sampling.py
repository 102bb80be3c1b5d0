"""Backend-independent book-keeping of one `Generator.sample` call: argument checks, progress, stops.

Both backends decode in their own way and report through a `SamplingRun`, so finish reasons, stop-string
cuts and progress events mean the same thing whichever backend produced them.
"""

from __future__ import annotations

import logging
import threading

import numpy as np

from tutor.models.base import ProgressCallback, Sample, SampleProgress, prompt_limit
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
