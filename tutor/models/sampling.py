"""Backend-independent book-keeping of one `Generator.sample` call: argument checks, progress, stops.

Both backends decode in their own way and report through a `SamplingRun`, so finish reasons, stop-string
cuts and progress events mean the same thing whichever backend produced them.
"""

from __future__ import annotations

import threading

import numpy as np

from tutor.models.base import ProgressCallback, Sample, SampleProgress
from tutor.models.prompting import StopStrings

# Tokens sorted per row for nucleus sampling before falling back to a full sort.
_NUCLEUS_CANDIDATES = 256


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
    ):
        self.total, self.temperature, self.top_p = total, temperature, top_p
        self.max_new_tokens, self.stops = max_new_tokens, stops
        self.on_progress, self.cancel = on_progress, cancel
        self.done = 0
        self.tokens = 0

    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    def finish(self, tokens: list[int], reason: str, text: str) -> Sample:
        self.done += 1
        text, cut = self.stops.cut(text) if self.stops else (text, False)
        if cut and reason != "stop":
            reason = "stop"
        return Sample(text=text, n_tokens=len(tokens), finish_reason=reason)

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
    do not depend on which other sequences share the batch)."""
    if temperature == 0:
        return logits.argmax(axis=1)
    z = logits.astype(np.float64) / temperature
    z -= z.max(axis=1, keepdims=True)
    probs = np.exp(z)
    probs /= probs.sum(axis=1, keepdims=True)
    rows = np.arange(len(probs))
    if top_p >= 1.0:
        cdf = probs.cumsum(axis=1)
        return np.minimum((cdf < uniforms[:, None] * cdf[:, -1:]).sum(axis=1), probs.shape[1] - 1)
    # The nucleus is a prefix of the sorted order; sorting only the top candidates is exact whenever
    # their mass already reaches top_p (nearly always), and avoids sorting a 100k+ vocabulary per step.
    k = min(probs.shape[1], _NUCLEUS_CANDIDATES)
    candidates = np.argpartition(-probs, k - 1, axis=1)[:, :k] if k < probs.shape[1] else np.tile(np.arange(k), (len(probs), 1))
    if k < probs.shape[1] and probs[rows[:, None], candidates].sum(axis=1).min() < top_p:
        candidates = np.tile(np.arange(probs.shape[1]), (len(probs), 1))
    cand_probs = probs[rows[:, None], candidates]
    order = np.argsort(-cand_probs, axis=1, kind="stable")
    sorted_ids = np.take_along_axis(candidates, order, axis=1)
    sorted_probs = np.take_along_axis(cand_probs, order, axis=1)
    # Keep a token while the mass before it is below top_p, so the top token always survives.
    sorted_probs[(sorted_probs.cumsum(axis=1) - sorted_probs) >= top_p] = 0.0
    cdf = sorted_probs.cumsum(axis=1)
    index = np.minimum((cdf < uniforms[:, None] * cdf[:, -1:]).sum(axis=1), sorted_probs.shape[1] - 1)
    return sorted_ids[rows, index]
