"""The reader's data: a problem as segments (words, punctuation, math spans) and its two verdicts short of
an answer, `NotReadable` (not directly computable) and `IllPosed` (a computation with no answer)."""

from __future__ import annotations

from dataclasses import dataclass, field


class NotReadable(Exception):
    """The problem says something the reader does not read: not directly computable."""


class IllPosed(Exception):
    """The problem is a computation with no answer; the message is a plain sentence for a student."""


@dataclass
class Segment:
    kind: str
    """"word" (lower case), "math" or "punct"."""
    text: str
    computed: bool = False
    """A math segment a phrase computed (`the gcd of 12 and 18` -> `6`)."""
    answer: tuple[str, list] | None = None
    """(kind, sympy values) of a question answered whole by a phrase, where the answer is not one number
    the parser reads back (a midpoint's coordinates, a derivative)."""


@dataclass
class Reading:
    """A problem read: its segments after the phrases, and the kinds of phrase found on the way."""

    segments: list[Segment]
    kinds: list[str] = field(default_factory=list)
    choose: str = ""
    """Which root is asked ("largest", "smallest", "positive", "negative"), their "sum" or "product", or ""
    for all of them."""
    form: str = ""
    """The form an expression's answer is asked in ("expand", "factor"), or "" for its value."""
    full_turn: bool = False
    """Solutions asked for in [0, 2pi) only (`for 0 <= x < 2pi`): an angle's equation."""

    @property
    def words(self) -> list[str]:
        return [s.text for s in self.segments if s.kind == "word"]

    @property
    def spans(self) -> list[str]:
        return [s.text for s in self.segments if s.kind == "math"]
