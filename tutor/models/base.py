"""The model interface every backend implements (docs/CONTRACTS.md, "Models").

Plain dataclasses for what comes back and two Protocols for what callers may use. `tutor.solve`, the app
and the trainer code against these names only, never against a backend class, so either backend (or a
test double) can stand behind them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

FINISH_REASONS = ("stop", "length", "cancelled")


@dataclass(frozen=True)
class Sample:
    """One sampled continuation.

    `text` excludes the prompt, the EOS token and any stop string that ended it; `n_tokens` counts the
    generated tokens including the one that ended it (EOS or the stop's last token).
    """

    text: str
    n_tokens: int
    finish_reason: str  # "stop" (EOS/EOG or a stop string), "length" (max_new_tokens), "cancelled"
    computed: tuple[tuple[int, int], ...] = ()
    """[start, end) character spans of `text` that the calculator wrote (`sample(..., calculator=True)`)."""

    def __post_init__(self) -> None:
        assert self.finish_reason in FINISH_REASONS, f"unknown finish_reason {self.finish_reason!r}"


@dataclass(frozen=True)
class SampleProgress:
    """Reported after every decode step: sequences finished so far out of all, tokens generated so far,
    and the partial text of one in-flight sequence (for a "thinking" view)."""

    done: int
    total: int
    tokens: int
    preview: str


@dataclass(frozen=True)
class SequenceLogprob:
    """log p(continuation | prompt): the sum over its tokens, the per-token mean, and the token count."""

    total: float
    mean: float
    n_tokens: int


ProgressCallback = Callable[[SampleProgress], None]


class SamplingControl(Protocol):
    """What a backend consults while sampling (`tutor.solve.adaptive.AdaptiveControl` implements it): whether
    another sample of a prompt may start, whether its in-flight ones are still wanted, and each finished one."""

    def may_start(self, prompt: int, started: int, in_flight: int) -> bool: ...

    def wanted(self, prompt: int) -> bool: ...

    def finished(self, prompt: int, text: str, finish_reason: str) -> None: ...


def prompt_limit(context: int, max_new_tokens: int) -> int:
    """The most prompt tokens a model with `context` positions reads whole when it may write `max_new_tokens`:
    the generation's reserve is at most half the context, so a huge max_new_tokens cannot squeeze a prompt away."""
    return context - min(max_new_tokens, context // 2)


@runtime_checkable
class Generator(Protocol):
    """Samples solutions and scores continuations. Backends: `HFGenerator`, `LlamaCppGenerator`."""

    name: str
    path: Path
    backend: str
    """"llama.cpp" or "transformers": recorded with a calibration, which holds only for the same backend."""
    quantization: str
    """The weights' number format ("q8_0", "f32", "bf16", ...), recorded with a calibration too."""
    context_length: int
    """Positions the model reads: prompt plus generated tokens."""

    def prompt_tokens(self, prompt: str) -> int:
        """How many tokens `prompt` takes (BOS included)."""
        ...

    def solver_prompt(self, problem: str) -> str:
        """The solver prompt for `problem`, through the model's chat template when it has one."""
        ...

    def sample(
        self,
        prompts: Sequence[str],
        n: int = 1,
        temperature: float = 0.7,
        top_p: float = 0.95,
        max_new_tokens: int = 384,
        stop: Sequence[str] = (),
        seed: int | None = None,
        on_progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        calculator: bool = False,
        control: SamplingControl | None = None,
    ) -> list[list[Sample]]:
        """`n` samples per prompt (outer list: prompts, inner: samples); temperature 0 = greedy. With
        `calculator`, each computable `... =` in a math span gets its value written (`tutor.models.calculator`).
        With a `control` (`SamplingControl`), a prompt's samples start only while it wants
        more, and in-flight ones it no longer wants are dropped: a row may then hold fewer than n."""
        ...

    def logprobs(self, prompt: str, continuations: Sequence[str]) -> list[SequenceLogprob]:
        """log p(continuation | prompt) per continuation (prompt and continuation tokenized apart)."""
        ...


@runtime_checkable
class Verifier(Protocol):
    """Reads P(correct) off the next-token distribution after the verifier prompt T(P, X)."""

    name: str
    path: Path

    # Optional: `trained: bool`, whether the model was fine-tuned as a verifier (the loader sets it from
    # `tutor.models.loader.trained_verifier`); the Solver re-ranks with it only then. Without it: trained.

    def p_correct(self, problems: Sequence[str], solutions: Sequence[str]) -> list[float]:
        """S_cls(X|P) = p(" correct") / (p(" correct") + p(" incorrect")) per (problem, solution) pair."""
        ...
