"""Scripted stand-ins for the model protocols (tutor.models.base), so app tests never wait on a real model.

`ScriptedGenerator` cycles through fixed solutions (sleeping a little per sample, so a test can watch the
event loop keep turning and press Cancel mid-solve); `ScriptedVerifier` scores a solution by its boxed
answer. Imported by tests/test_app*.py; not a test module itself.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from tutor.models.base import Sample, SampleProgress, SequenceLogprob
from tutor.prompts import solver_prompt

# Three clusters for "Compute 1/2 + 1/4": the right answer 3/4 (votes 5 of 8), 2/6 (2) and 1/6 (1).
RIGHT = "We add $\\frac{1}{2} + \\frac{1}{4}$.\nWrite $\\frac{1}{2} = \\frac{2}{4}$.\nSo $\\frac{2}{4} + \\frac{1}{4} = \\frac{3}{4}$.\nThe answer is $\\boxed{\\frac{3}{4}}$."
WRONG = "Add numerators and denominators: $\\frac{1+1}{2+4} = \\frac{2}{6}$.\nThe answer is $\\boxed{\\frac{2}{6}}$."
OTHER = "Subtract: $\\frac{1}{2} - \\frac{1}{4} = \\frac{1}{6}$.\nThe answer is $\\boxed{\\frac{1}{6}}$."
PROBLEM = "Compute $\\frac{1}{2} + \\frac{1}{4}$."
SCRIPT = (RIGHT, WRONG, RIGHT, OTHER, RIGHT, WRONG, RIGHT, RIGHT)
SCORES = {"\\frac{3}{4}": 0.9, "\\frac{2}{6}": 0.3, "\\frac{1}{6}": 0.1}

_BOXED = re.compile(r"\\boxed\{((?:[^{}]|\{[^{}]*\})*)\}")


class ScriptedGenerator:
    name = "scripted-fake"
    path = Path("scripted-fake")
    context_length = 1024  # a prompt's tokens are counted as its words (prompt_tokens)

    def prompt_tokens(self, prompt: str) -> int:
        return len(prompt.split())

    def __init__(self, script: Sequence[str] = SCRIPT, delay_s: float = 0.02,
                 on_sample: Callable[[int], None] | None = None) -> None:
        self.script, self.delay_s, self.on_sample = list(script), delay_s, on_sample
        self.calls = 0

    def solver_prompt(self, problem: str) -> str:
        return solver_prompt(problem)

    def sample(self, prompts, n=1, temperature=0.7, top_p=0.95, max_new_tokens=384, stop=(), seed=None,
               on_progress=None, cancel: threading.Event | None = None, calculator=False,
               control=None) -> list[list[Sample]]:
        self.calls += 1
        out = []
        for _prompt in prompts:
            samples, tokens = [], 0
            for i in range(n):
                if cancel is not None and cancel.is_set():
                    samples.append(Sample(text="", n_tokens=0, finish_reason="cancelled"))
                    continue
                if control is not None and not control.may_start(0, i, 0):
                    break
                text = self.script[i % len(self.script)]
                for cut in (len(text) // 2, len(text)):  # stream a partial preview, then the whole text
                    time.sleep(self.delay_s / 2)
                    tokens += len(text[:cut].split())
                    if cut == len(text) and control is not None:  # before its progress event, which then
                        control.finished(0, text, "stop")      # carries the leader (as the backends do)
                    if on_progress is not None:
                        on_progress(SampleProgress(done=i + (cut == len(text)), total=n, tokens=tokens,
                                                   preview=text[:cut]))
                samples.append(Sample(text=text, n_tokens=len(text.split()), finish_reason="stop"))
                if self.on_sample is not None:
                    self.on_sample(i)
            out.append(samples)
        return out

    def logprobs(self, prompt: str, continuations: Sequence[str]) -> list[SequenceLogprob]:
        return [SequenceLogprob(total=-float(len(c)), mean=-1.0, n_tokens=len(c)) for c in continuations]


class ScriptedVerifier:
    name = "scripted-fake"
    path = Path("scripted-fake")

    def __init__(self, scores: dict[str, float] | None = None) -> None:
        self.scores = dict(SCORES if scores is None else scores)

    def p_correct(self, problems: Sequence[str], solutions: Sequence[str]) -> list[float]:
        found = [_BOXED.findall(solution) for solution in solutions]
        return [self.scores.get(boxed[-1], 0.5) if boxed else 0.5 for boxed in found]
