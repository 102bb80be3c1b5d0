"""The one vocabulary of a solve's settings: how to sample (`SamplingParams`) and how to judge (`RankingParams`).

`SolveConfig` is both, and is what the app, `tutor solve`, `trainer eval` and the trainer's candidate
sampling build on: the app's settings hold one, `EvalConfig` and `CandidatesConfig` extend these classes,
and both command lines are generated from these fields (`tutor.config_cli`). So every default lives here
once, with one validation, and a model card's number is measured under the settings a student gets.

    config = SolveConfig(n=8, strategy="maj1")
    config.config_errors()                 # [] when every field is valid
    field_problem(SolveConfig, "n", 0)    # "n must be at least 1 (got 0)": one field, for a stored setting
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any

from tutor.errors import ConfigError

# The strategies `tutor.solve.strategies` implements; see METHOD.md for their definitions.
STRATEGIES = ("rr_topk", "maj1", "rr_all", "wrr", "wrr_topk", "greedy")
DEFAULT_STEP_PENALTY = 0.01  # 0.1 kept RR.Top-8 below Maj1 with the bundled verifier; 0.01 and 0.001 measured alike


class Validated:
    """Checks every field with `field_problem` when built: a bad value is a ConfigError naming the field."""

    def __post_init__(self) -> None:
        if problems := self.config_errors():
            raise ConfigError("; ".join(problems))

    def config_errors(self) -> list[str]:
        """Plain sentences for every invalid field (empty when all are fine)."""
        return [problem for spec in fields(self) if (problem := field_problem(type(self), spec.name, getattr(self, spec.name)))]


@dataclass
class SamplingParams(Validated):
    """How solutions are sampled (`tutor.solve.pipeline.sample`)."""

    n: int = 16
    """Most solutions sampled per problem (the paper uses 64; 16 keeps a CPU solve interactive); with
    `adaptive`, sampling stops sooner once the vote is decided."""
    adaptive: bool = True
    """Stop sampling once the leading answer can no longer be overtaken with probability `stop_confidence`
    (Adaptive-Consistency's Beta criterion, `tutor.solve.adaptive`), or once a sample agrees with the direct
    computation; False always draws n (`--fixed-n`)."""
    min_samples: int = 4
    """Fewest solutions drawn before the vote may decide."""
    stop_confidence: float = 0.95
    """How sure the vote must be that its leader cannot be overtaken before sampling stops."""
    wave: int = 8
    """Solutions of one problem decoded at once while sampling adaptively (a finished one's place is taken by
    the next); larger waves decode faster per token and waste more once the vote is decided."""
    temperature: float = 0.7
    """Sampling temperature; 0 decodes greedily (then more than one sample adds nothing)."""
    top_p: float = 0.95
    """Nucleus sampling mass."""
    max_new_tokens: int = 384
    """Longest solution the generator may write; longer ones end with finish_reason "length"."""
    seed: int | None = None
    """Sampling seed for reproducible solves; None draws fresh randomness every time."""
    calculator: bool = True
    """Compute each variable-free `... =` a solution writes in a math span and write the value for it
    (`tutor.grading.calculator`), as the GSM8K paper sampled with a calculator."""


@dataclass
class RankingParams(Validated):
    """How sampled solutions are clustered, scored and ranked (`tutor.solve.pipeline.judge`)."""

    strategy: str = "rr_topk"
    """How the winner is chosen: rr_topk (solution-cluster re-ranking, SCR), maj1 (majority vote), rr_all,
    wrr, wrr_topk or greedy (one temperature-0 sample)."""
    k: int = 8
    """Clusters kept for re-ranking by the *_topk strategies (the paper's best: top-8 of 64)."""
    step_check: bool = True
    """Discount a solution's verifier score for each arithmetic step of it that does not hold
    (`tutor.solve.checked`): the small bundled verifier cannot redo arithmetic, the grader can."""
    step_penalty: float = DEFAULT_STEP_PENALTY
    """The factor per false step; 1 keeps the verifier's verdict, 0 rules such a solution out."""
    symbolic_check: bool = True
    """Compute the answer with sympy when the problem is directly computable, and trust that answer."""
    grading_timeout: float = 1.0
    """Seconds allowed per answer comparison and for the symbolic computation."""
    verify_batch_size: int = 16
    """Solutions per verifier call; smaller batches let a cancel land sooner between calls."""
    score_all: bool = False
    """Score every sample, not only what the strategy needs (the evaluation's AUROC is over all of them)."""


@dataclass
class SolveConfig(SamplingParams, RankingParams):
    """Every setting of one solve: sampling and ranking."""

    def solve_config(self) -> SolveConfig:
        """These settings as a plain SolveConfig (a subclass's own fields dropped: what a SolveResult records)."""
        return SolveConfig(**{spec.name: getattr(self, spec.name) for spec in fields(SolveConfig)})

    def sampling(self) -> SamplingParams:
        """What to sample: one temperature-0 sample for the greedy strategy, else these settings."""
        values = {spec.name: getattr(self, spec.name) for spec in fields(SamplingParams)}
        if self.strategy == "greedy":
            values.update(n=1, temperature=0.0)
        return SamplingParams(**values)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SolveConfig:
        """Build from a dict (a stored result, a recipe); unknown keys are an error, not silently dropped."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown {cls.__name__} field(s): {', '.join(unknown)}")
        return cls(**data)


# name -> (valid?, what a valid value is). One table for SolveConfig, the app's settings and the recipes.
_CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "n": (lambda v: v >= 1, "must be at least 1"),
    "k": (lambda v: v >= 1, "must be at least 1"),
    "temperature": (lambda v: 0 <= v <= 5, "must be between 0 and 5"),
    "top_p": (lambda v: 0 < v <= 1, "must be in (0, 1]"),
    "min_samples": (lambda v: v >= 1, "must be at least 1"),
    "stop_confidence": (lambda v: 0.5 <= v <= 1, "must be in [0.5, 1]"),
    "wave": (lambda v: v >= 1, "must be at least 1"),
    "max_new_tokens": (lambda v: v >= 1, "must be at least 1"),
    "strategy": (lambda v: v in STRATEGIES, f"must be one of {', '.join(STRATEGIES)}"),
    "step_penalty": (lambda v: 0 <= v <= 1, "must be in [0, 1]"),
    "grading_timeout": (lambda v: v > 0, "must be positive"),
    "verify_batch_size": (lambda v: v >= 1, "must be at least 1"),
}


def field_problem(cls: type, name: str, value: Any) -> str | None:
    """Why `value` is not valid for field `name` of config class `cls`, or None when it is."""
    spec = next((f for f in fields(cls) if f.name == name), None)
    if spec is None:
        return f"unknown setting {name!r}"
    expected = {"int": int, "float": float, "bool": bool, "str": str}.get(str(spec.type).split(" ")[0])
    if value is None and "None" in str(spec.type):
        return None
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if expected is not None and (type(value) is not expected):
        return f"{name} must be {expected.__name__} (got {value!r})"
    check = _CHECKS.get(name)
    if check and not check[0](value):
        return f"{name} {check[1]} (got {value!r})"
    return None


CALIBRATION_FIELDS = ("strategy", "k", "n", "adaptive", "min_samples", "stop_confidence", "temperature", "top_p",
                      "max_new_tokens", "calculator", "step_check", "step_penalty")
"""The settings a confidence calibration depends on: fitted under other values, it would be confidently wrong."""


def calibration_settings(config: SolveConfig, backend: str = "", quantization: str = "") -> dict[str, Any]:
    """What a calibration records it was fitted under, and what the Solver compares it with."""
    settings = {name: getattr(config, name) for name in CALIBRATION_FIELDS}
    settings.update(backend=backend, quantization=quantization)
    return settings
