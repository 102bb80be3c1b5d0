"""Adaptive sampling: stop drawing solutions once the vote is decided (N becomes a maximum).

The stopping rule is Adaptive-Consistency's Beta criterion (Aggarwal et al. 2023, "Let's Sample Step by
Step: Adaptive-Consistency for Efficient Reasoning and Coding with LLMs", EMNLP; Early-Stopping
Self-Consistency, Li et al. 2024, stops on agreement in the same spirit): with v1 and v2 votes for the two
leading answers, the leader's share p1 and the runner-up's p2 have the posterior Beta(v1 + 1, v2 + 1) on
p1 / (p1 + p2), and sampling stops when P(p1 > p2) reaches `stop_confidence`. For integer counts

    P(p1 > p2) = 1 - I_{1/2}(v1 + 1, v2 + 1) = P(Binomial(v1 + v2 + 1, 1/2) <= v1)

so it is computed exactly with binomial coefficients. Sampling also stops when a finished sample's answer
agrees with the direct computation (`tutor.solve.symbolic`), which the tutor trusts whatever the votes.

`AdaptiveControl` is what a backend consults (`Generator.sample(..., control=)`): whether another sample
of a prompt may start, whether its in-flight samples are still wanted, and each finished sample. It runs
on the sampling thread; `on_update` reports the leading answer as it forms (the app's provisional answer).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from tutor.grading import cluster_answers, extract_answer, is_equivalent

PENDING = object()
"""What a `computed` look returns while the direct computation is still running."""


@lru_cache(maxsize=4096)
def leader_settled_probability(leader: int, runner_up: int) -> float:
    """P(the leader's true share beats the runner-up's) under a uniform prior: P(Binomial(v1 + v2 + 1, 1/2) <= v1)."""
    trials = leader + runner_up + 1
    return sum(math.comb(trials, j) for j in range(leader + 1)) / 2**trials


@dataclass(frozen=True)
class Leader:
    """The vote of one prompt so far (the anytime answer)."""

    answer: str | None
    votes: int
    finished: int
    """Samples finished so far (answered or not)."""
    settled: str = ""
    """Why sampling stopped early ("vote" or "computation"), or "" while it goes on."""


class AdaptiveControl:
    """Per prompt: when to start another sample, and when the answer is settled."""

    def __init__(self, n: int, min_samples: int, stop_confidence: float, wave: int,
                 computed: Sequence[Callable[[], str | None]] | None = None,
                 on_update: Callable[[int, Leader], None] | None = None, grading_timeout: float = 1.0,
                 adaptive: bool = True):
        """computed: per prompt, a non-blocking look at the direct computation's answer (PENDING while it runs,
        None when there is none); adaptive False: only report the leader, never stop early (today's fixed N)."""
        self.n, self.min_samples, self.stop_confidence, self.wave = n, min_samples, stop_confidence, wave
        self.computed, self.on_update = computed, on_update
        self.timeout, self.adaptive = grading_timeout, adaptive
        self.answers: dict[int, list[str | None]] = {}
        self.settled: dict[int, str] = {}
        self._lock = threading.Lock()

    def may_start(self, prompt: int, started: int, in_flight: int) -> bool:
        """Whether another sample of `prompt` should start now (`started` so far, `in_flight` of them running)."""
        if not self.adaptive:
            return started < self.n  # fixed N: every sample at once, as decoding allows
        return started < self.n and prompt not in self.settled and in_flight < self.wave

    def wanted(self, prompt: int) -> bool:
        """Whether the in-flight samples of `prompt` are still wanted (not once its answer is settled)."""
        return prompt not in self.settled

    def finished(self, prompt: int, text: str, finish_reason: str) -> None:
        """A sample of `prompt` finished: count its answer, and settle the prompt when the vote is decided."""
        answer = extract_answer(text) if finish_reason != "cancelled" else None
        with self._lock:
            answers = self.answers.setdefault(prompt, [])
            answers.append(answer)
            leader = self._leader(prompt, answers)
        if self.on_update is not None:
            self.on_update(prompt, leader)

    def _leader(self, prompt: int, answers: list[str | None]) -> Leader:
        clusters = cluster_answers(answers, timeout=self.timeout)
        first = clusters[0] if clusters else None
        second = len(clusters[1].members) if len(clusters) > 1 else 0
        votes = len(first.members) if first else 0
        if self.adaptive and first is not None and prompt not in self.settled:
            computed = self.computed[prompt]() if self.computed else None
            if computed is not PENDING and self._agrees(computed, answers[-1]):
                self.settled[prompt] = "computation"
            elif (len(answers) >= self.min_samples and computed is not PENDING
                  and (computed is None or self._agrees(computed, first.answer))
                  and leader_settled_probability(votes, second) >= self.stop_confidence):
                # The vote settles only once the computation has had its say: a vote for an answer the
                # computation contradicts settles nothing, and sampling goes on to find a written solution
                # that reaches the computed answer.
                self.settled[prompt] = "vote"
        return Leader(first.answer if first else None, votes, len(answers), self.settled.get(prompt, ""))

    def _agrees(self, computed: str | None, answer: str | None) -> bool:
        return computed is not None and answer is not None and is_equivalent(computed, answer, timeout=self.timeout)
