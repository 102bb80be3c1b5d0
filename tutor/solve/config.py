"""SolveConfig: every knob of one solve, documented, with the paper's defaults where it has one."""

from dataclasses import asdict, dataclass, fields
from typing import Any

from tutor.errors import ConfigError
from tutor.solve.checked import DEFAULT_STEP_PENALTY

# The strategies `tutor.solve.strategies` implements; see METHOD.md for their definitions.
STRATEGIES = ("greedy", "maj1", "rr_all", "rr_topk", "wrr", "wrr_topk")


@dataclass
class SolveConfig:
    """How the Solver samples, clusters, re-ranks and reports one problem."""

    n: int = 16
    """Solutions sampled per problem (the paper uses 64; 16 keeps a CPU solve interactive)."""
    k: int = 8
    """Clusters kept for re-ranking by the *_topk strategies (the paper's best: top-8 of 64)."""
    strategy: str = "rr_topk"
    """How the winner is chosen: one of STRATEGIES; rr_topk is solution-cluster re-ranking (SCR)."""
    temperature: float = 0.7
    """Sampling temperature; the greedy strategy ignores it and decodes one sample at temperature 0."""
    top_p: float = 0.95
    """Nucleus sampling mass."""
    max_new_tokens: int = 384
    """Longest solution the generator may write; longer ones end with finish_reason "length"."""
    seed: int | None = None
    """Sampling seed for reproducible solves; None draws fresh randomness every time."""
    verify_batch_size: int = 16
    """Solutions per verifier call; smaller batches let a cancel land sooner between calls."""
    verify_all_for_display: bool = False
    """Score every answered sample even when the strategy only needs the top-k (costs verifier time)."""
    grading_timeout: float = 1.0
    """Seconds allowed per answer comparison in the grader and for the symbolic cross-check."""
    symbolic_check: bool = True
    """Cross-check the winner with sympy when the problem is directly computable."""
    step_check: bool = True
    """Discount a solution's verifier score for each arithmetic step of it that does not hold
    (`tutor.solve.checked`): the small bundled verifier cannot redo arithmetic, the grader can."""
    step_penalty: float = DEFAULT_STEP_PENALTY
    """The factor per false step; 1 keeps the verifier's verdict, 0 rules such a solution out."""

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ConfigError(f"unknown strategy {self.strategy!r}; choose one of {', '.join(STRATEGIES)}")
        if self.n < 1:
            raise ConfigError(f"n must be at least 1 (got {self.n})")
        if self.k < 1:
            raise ConfigError(f"k must be at least 1 (got {self.k})")
        if self.temperature < 0:
            raise ConfigError(f"temperature must be >= 0 (got {self.temperature})")
        if not 0 < self.top_p <= 1:
            raise ConfigError(f"top_p must be in (0, 1] (got {self.top_p})")
        if self.max_new_tokens < 1:
            raise ConfigError(f"max_new_tokens must be at least 1 (got {self.max_new_tokens})")
        if self.verify_batch_size < 1:
            raise ConfigError(f"verify_batch_size must be at least 1 (got {self.verify_batch_size})")
        if not 0 <= self.step_penalty <= 1:
            raise ConfigError(f"step_penalty must be in [0, 1] (got {self.step_penalty})")
        if self.grading_timeout <= 0:
            raise ConfigError(f"grading_timeout must be positive (got {self.grading_timeout})")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SolveConfig":
        """Build from a dict (a stored result, a recipe); unknown keys are an error, not silently dropped."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown SolveConfig field(s): {', '.join(unknown)}")
        return cls(**data)
