"""Scripted Generator/Verifier test doubles implementing the `tutor.models` protocols exactly.

`ScriptedModel(solutions, scores)` returns the scripted solution texts in order and scores each text by
the `scores` table, so a test controls every answer and every verifier score. Used by
tests/test_solve_*.py (the app's tests may reuse it); not a test module itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path

from tutor.models.base import Sample, SampleProgress


class ScriptedModel:
    """One object playing both roles, like the real backends (generator is verifier)."""

    def __init__(
        self,
        solutions: Sequence[str],
        scores: dict[str, float] | None = None,
        seconds_per_sample: float = 0.0,
        path: Path | None = None,
        name: str = "scripted",
    ):
        self.solutions = list(solutions)
        self.scores = scores or {}
        self.seconds_per_sample = seconds_per_sample
        self.path = path or Path("/nonexistent/scripted-model")
        self.name = name
        self.sample_calls: list[dict] = []
        self.verified: list[str] = []

    def solver_prompt(self, problem: str) -> str:
        return f"Problem: {problem}\nSolution:\n"

    def sample(
        self,
        prompts,
        n=1,
        temperature=0.7,
        top_p=0.95,
        max_new_tokens=384,
        stop=(),
        seed=None,
        on_progress=None,
        cancel: threading.Event | None = None,
        calculator: bool = False,
        control=None,
    ) -> list[list[Sample]]:
        """The scripted solutions in order, one at a time; a control (adaptive sampling) may stop them early."""
        self.sample_calls.append({"prompts": list(prompts), "n": n, "temperature": temperature, "stop": stop,
                                  "calculator": calculator})
        out, tokens = [], 0
        for i in range(n):
            if control is not None and not control.may_start(0, i, 0):
                break
            text = self.solutions[i % len(self.solutions)]
            if cancel is not None and cancel.is_set():
                out.append(Sample(text[: len(text) // 3], 3, "cancelled"))
                continue
            if self.seconds_per_sample:
                time.sleep(self.seconds_per_sample)
            tokens += len(text.split())
            out.append(Sample(text, len(text.split()), "stop"))
            if control is not None:
                control.finished(0, text, "stop")
            if on_progress:
                on_progress(SampleProgress(done=i + 1, total=n, tokens=tokens, preview=text[:20]))
        return [out for _ in prompts]

    def logprobs(self, prompt, continuations):
        raise NotImplementedError("the solver never asks for log-probabilities")

    def p_correct(self, problems: Sequence[str], solutions: Sequence[str]) -> list[float]:
        assert len(problems) == len(solutions)
        self.verified.extend(solutions)
        return [self.scores.get(text, 0.5) for text in solutions]


def solution(answer: str, step: str = "work") -> str:
    """A one-step solution text ending in a boxed answer."""
    return f"{step}\nThe answer is \\boxed{{{answer}}}."
