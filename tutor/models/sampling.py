"""Backend-independent book-keeping of one `Generator.sample` call: argument checks, progress, stops.

Both backends decode in their own way and report through a `SamplingRun`, so finish reasons, stop-string
cuts and progress events mean the same thing whichever backend produced them.
"""

from __future__ import annotations

import threading

from tutor.models.base import ProgressCallback, Sample, SampleProgress
from tutor.models.prompting import StopStrings


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
        if self.on_progress is not None:
            self.on_progress(SampleProgress(done=self.done, total=self.total, tokens=self.tokens, preview=preview))
