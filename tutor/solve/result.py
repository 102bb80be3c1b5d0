"""What a solve returns: every sample, the ranked clusters, the winner, its confidence and why.

`SolveResult.to_dict()` is the JSON the CLI prints and the store keeps; `from_dict()` reads it back.
"""

from dataclasses import asdict, dataclass, field
from typing import Any

from tutor.errors import DataError

WRITTEN_SOLUTION_TRUST = 0.5
"""The checking model's P(correct) a written solution needs to be shown over the direct computation's own steps
when both reach the same answer (an unscored one is shown unless it has a false step)."""
SCHEMA_VERSION = 2  # 2: SampleRecord's verifier_score, false_steps and computed; SolveResult's source and notice


@dataclass
class FalseStep:
    """An arithmetic equality of a solution that does not hold (`tutor.grading.steps`)."""

    line: int
    """0-based line of the solution it is on."""
    message: str
    """For the student, math in `$`: "$4 \\cdot 8 = 24$ does not hold: $4 \\cdot 8$ is 32"."""


@dataclass
class SampleRecord:
    """One sampled solution: its text, extracted answer (None = "no final answer") and every score behind its
    rank, as typed fields the views read (nothing is recomputed or divided back out)."""

    index: int
    text: str
    answer: str | None
    score: float | None = None
    """What the strategy ranks by: verifier_score discounted per false step when the step check is on, else
    verifier_score; None when the strategy did not need this sample scored."""
    n_tokens: int = 0
    finish_reason: str = "stop"
    """"stop", "length" (ran out of tokens) or "cancelled" (cut short by the user)."""
    verifier_score: float | None = None
    """The verifier's own P(correct), S_cls, before any discount."""
    false_steps: list[FalseStep] = field(default_factory=list)
    """Every arithmetic step of the text that does not hold, found whether or not the step check ranks by it."""
    computed: list[list[int]] = field(default_factory=list)
    """[start, end) character spans of `text` the calculator wrote (`SamplingParams.calculator`)."""

    @property
    def wrong_steps(self) -> int:
        return len(self.false_steps)


@dataclass
class RankedCluster:
    """An answer cluster after re-ranking; members are sample indices, best-scored first."""

    answer: str
    members: list[int]
    votes: int
    score: float | None
    """The strategy's cluster score: votes (maj1), best member score (rr_*), summed scores (wrr_*)."""
    mean_score: float | None = None
    max_score: float | None = None
    in_top_k: bool = True
    """Whether the cluster was among the top-k by vote that a *_topk strategy re-ranks."""


@dataclass
class SymbolicCheck:
    """The sympy cross-check of a directly computable problem, a signal separate from the vote."""

    status: str
    """"agree", "disagree" (the chosen answer and the computed one), "ill_posed" (the problem has no answer: a
    division by zero, a broken expression; `detail` says which), "not_applicable" (not a directly computable
    problem) or "unknown" (timed out/failed)."""
    answer: str | None = None
    """The answer sympy computed (LaTeX), when it computed one."""
    kind: str | None = None
    """What was recognised: "arithmetic", "equation", "gcd", "lcm", "mod"."""
    detail: str = ""
    steps: list[str] = field(default_factory=list)
    """The computation's worked steps (one a line, the answer boxed last), where it has them."""


@dataclass
class SolveResult:
    problem: str
    samples: list[SampleRecord]
    clusters: list[RankedCluster]
    """Ranked by the strategy: clusters[0] is the winner (empty when no sample gave an answer)."""
    answer: str | None
    confidence: float
    """Probability that `answer` is correct (calibrated when the model ships a calibration.json)."""
    reasons: list[str] = field(default_factory=list)
    symbolic: SymbolicCheck | None = None
    cancelled: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per stage: sampling, grading, verifying, total."""
    strategy: str = "rr_topk"
    """The strategy that ranked the clusters (maj1 when the configured one had no usable verifier signal)."""
    config: dict[str, Any] = field(default_factory=dict)
    """The `SolveConfig` of the solve, as a dict (a record of the settings; views read the typed fields)."""
    model: str = ""
    source: str = "model"
    """Where `answer` comes from: "model" (a sampled solution's answer), "computation" (the direct computation,
    which no sample reached) or "none" (no answer: the problem is ill-posed, or no sample gave one)."""
    notice: str = ""
    """One plain sentence the student must see before anything else (an ill-posed problem), or empty."""

    @property
    def winner(self) -> RankedCluster | None:
        return self.clusters[0] if self.clusters else None

    @property
    def best_solution(self) -> SampleRecord | None:
        """The winning cluster's best-scored member: the solution to show the student."""
        if not self.clusters:
            return None
        return self.samples_by_index[self.clusters[0].members[0]]

    @property
    def worked_by_computation(self) -> bool:
        """Whether the solution to show is the direct computation's worked steps (`symbolic.steps`): it decided
        the answer and no written solution reached it, or the best that did is not one to learn from (it goes
        through a false step, or the checking model rates it below WRITTEN_SOLUTION_TRUST)."""
        symbolic, best = self.symbolic, self.best_solution
        if symbolic is None or not symbolic.steps or self.answer is None:
            return False
        if self.source == "computation":
            return True
        return symbolic.status == "agree" and best is not None and (
            bool(best.false_steps) or (best.verifier_score is not None and best.verifier_score < WRITTEN_SOLUTION_TRUST))

    def overrules(self, sample: SampleRecord) -> bool:
        """Whether the answer given is not `sample`'s own: the direct computation decided, and no sample reached
        it (a solution shown then is an attempt, not the answer's working)."""
        return self.source == "computation" and sample.answer is not None and self.answer is not None

    @property
    def samples_by_index(self) -> dict[int, SampleRecord]:
        return {sample.index: sample for sample in self.samples}

    @property
    def unanswered(self) -> list[SampleRecord]:
        """Samples with no final answer: in no cluster, but kept visible."""
        return [sample for sample in self.samples if sample.answer is None]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["schema_version"] = SCHEMA_VERSION
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SolveResult":
        """Read back `to_dict()` output; a malformed or newer record is a DataError, not a crash."""
        data = dict(data)
        version = data.pop("schema_version", SCHEMA_VERSION)
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise DataError(f"solve result schema {version!r} is newer than this Stepwise ({SCHEMA_VERSION}); upgrade")
        try:
            symbolic = data.pop("symbolic", None)
            return cls(
                samples=[_sample_from_dict(sample) for sample in data.pop("samples", [])],
                clusters=[RankedCluster(**cluster) for cluster in data.pop("clusters", [])],
                symbolic=SymbolicCheck(**symbolic) if symbolic else None,
                **data,
            )
        except TypeError as exc:  # missing or unknown fields
            raise DataError(f"malformed solve result: {exc}") from exc


def _sample_from_dict(data: dict[str, Any]) -> SampleRecord:
    data = dict(data)
    if "false_steps" in data:
        data["false_steps"] = [FalseStep(**step) for step in data["false_steps"]]
        return SampleRecord(**data)
    from tutor.solve.checked import false_steps  # a result stored before they were recorded: check once now

    return SampleRecord(**data, false_steps=false_steps(data.get("text", "")))
