"""What the direct computation says about a problem: `Analysis`, a small value that crosses process lines."""

from __future__ import annotations

from dataclasses import asdict, dataclass

STATUSES = ("computed", "not_applicable", "ill_posed", "unknown")


@dataclass(frozen=True)
class Analysis:
    """The direct computation's verdict on one problem.

    status: "computed" (the answer is certain: the whole statement was read and computed), "not_applicable"
    (not a directly computable problem, or not one this reader reads whole), "ill_posed" (a computation
    with no answer: a division by zero, a broken expression, an equation no number or every number solves)
    or "unknown" (the computation ran past its time limit or failed).
    """

    status: str
    kind: str | None = None
    """What was recognised: "arithmetic", "equation", "system", "gcd", "lcm", "mod", "percent", "log",
    "radical", "fraction", "decimal", "binomial", "determinant"."""
    answer: str | None = None
    """LaTeX of the answer in the form the grader compares: "5", "\\frac{3}{4}", "-4, 3" (two roots),
    "(6, 4)" (a system's unknowns in alphabetical order)."""
    values: tuple[str, ...] = ()
    """LaTeX of each value: each root, or each unknown of a system (in the order of `variables`)."""
    variables: tuple[str, ...] = ()
    """The unknowns solved for (equations and systems)."""
    detail: str = ""
    """One plain sentence for a student: "A direct computation gives 5.", "This problem divides by zero,
    so it has no answer.", "The problem text is broken: '2x + = 9' is missing a term."."""
    steps: tuple[str, ...] = ()
    """Worked steps, one a line, the answer boxed on the last (`worked`); empty where the kind has none."""

    def __post_init__(self) -> None:
        assert self.status in STATUSES, f"unknown status {self.status!r}; expected one of {STATUSES}"
        assert (self.answer is not None) == (self.status == "computed"), "an answer exactly when computed"

    @property
    def computed(self) -> bool:
        return self.status == "computed"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Analysis:
        return cls(**{**data, **{name: tuple(data.get(name, ())) for name in ("values", "variables", "steps")}})
