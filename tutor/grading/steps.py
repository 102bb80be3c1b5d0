"""Step checks: does each arithmetic equality a solution writes actually hold?

A small model often reaches an answer through a step like `$4 \\cdot 8 = 24$`. The verifier, a model of the
same size, cannot redo that arithmetic at its verdict token; the grader's safe evaluator can. This module
finds every `$...$` (also `\\(...\\)`, `\\[...\\]`) span of a solution, splits it at its top-level `=` signs and
compares each adjacent pair of sides numerically:

    check_steps("So $4 \\cdot 8 = 24$ and $24 + 1 = 25$.")  # -> [StepCheck(.. holds=False ..), StepCheck(.. holds=True ..)]
    wrong_steps(text)                                      # -> 1

Only variable-free sides are compared: `3x + 7 = 22` is an equation to solve, not an identity, so a side
with a variable is skipped, as is anything the evaluator does not read (words, units, `\\pmod`, matrices)
and any span with another relation (`<`, `\\le`, `\\approx`, `\\equiv`, ...). A side written as a decimal
may be rounded to the digits shown (`\\frac{1}{3} = 0.333` holds). Nothing is `eval`ed or `sympify`d:
`tutor.grading.numeric` is a bounded recursive-descent parser, and the number of spans read is capped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from tutor.grading.fast import split_top_level
from tutor.grading.normalize import normalize_answer
from tutor.grading.numeric import evaluate_at_points, values_close

MAX_SPANS = 200  # math spans read per solution; a huge text costs no more than this
REL_TOL = 1e-9

# An escaped `\$` (currency, as GSM8K and MATH text write it) is no math delimiter.
_SPAN = re.compile(r"\$\$(.+?)\$\$|(?<!\\)\$(.+?)(?<!\\)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)
# Spans not read: another relation makes the `=` signs something other than a chain of equal values, and
# units, percent and degrees are notation `normalize_answer` drops although `5 cm = 50 mm` needs them.
_UNREAD = re.compile(r"[<>≤≥≠≈%°]|\\(?:le|ge|leq|geq|neq?|approx|equiv|sim|cong|pmod|bmod|mod|to|in|pm|mp|begin|"
                     r"circ|degree|text\w*|mbox|mathrm|operatorname)\b")
_DECIMAL = re.compile(r"[-+]?\d*\.(\d+)")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)")


@dataclass(frozen=True)
class StepCheck:
    """One `left = right` comparison of a solution."""

    line: int
    """0-based line of the solution the equality is on."""
    left: str
    right: str
    left_value: complex
    right_value: complex
    holds: bool

    def describe(self) -> str:
        """`$4 \\cdot 8 = 24$` as a student-facing sentence (math in `$`): what the left side is when it fails."""
        if self.holds:
            return f"${self.left} = {self.right}$ holds"
        # Say what the computed side is worth: `300 = 4 \\cdot 125` is about the right side.
        side, value = (self.right, self.right_value) if _NUMBER.fullmatch(self.left) else (self.left, self.left_value)
        return f"${self.left} = {self.right}$ does not hold: ${side}$ is {_show(value)}"


def _show(value: complex) -> str:
    if value.imag:
        return f"{value.real:g} + {value.imag:g}i"
    real = value.real
    return str(int(real)) if real == int(real) and abs(real) < 1e15 else f"{real:.6g}"


def _rounding_tolerance(side: str) -> float:
    """Half a unit of the last digit shown when `side` is a bare decimal (`0.333`), else 0."""
    match = _DECIMAL.fullmatch(side)
    return 0.5 * 10.0 ** -len(match.group(1)) if match else 0.0


def _value(side: str) -> complex | None:
    evaluated = evaluate_at_points(normalize_answer(side))  # typesetting (`\\left(`, `\\dfrac`, `\\,`) dropped
    if evaluated is None or evaluated[1]:  # unreadable, or has a variable
        return None
    return evaluated[0][0]


def _same(left: str, right: str, a: complex, b: complex) -> bool:
    tolerance = max(_rounding_tolerance(normalize_answer(left)), _rounding_tolerance(normalize_answer(right)))
    if tolerance:
        return abs(a - b) <= tolerance * (1 + 1e-9)
    return values_close(a, b, REL_TOL)


def check_steps(text: str) -> list[StepCheck]:
    """Every variable-free `left = right` the solution writes inside math delimiters, in order."""
    checks: list[StepCheck] = []
    for count, match in enumerate(_SPAN.finditer(text)):
        if count >= MAX_SPANS:
            break
        span = next(group for group in match.groups() if group is not None)
        if "=" not in span or _UNREAD.search(span):
            continue
        sides = [side.strip() for side in split_top_level(span, "=")]  # not an `=` inside `f(x=1)` or `{..}`
        values = [_value(side) if side else None for side in sides]
        line = text.count("\n", 0, match.start())
        for (left, a), (right, b) in zip(zip(sides, values), zip(sides[1:], values[1:])):
            if a is not None and b is not None:
                checks.append(StepCheck(line, left, right, a, b, _same(left, right, a, b)))
    return checks


@lru_cache(maxsize=4096)
def wrong_steps(text: str) -> int:
    """How many of the solution's checked equalities do not hold (cached: the verifier's discount, the
    solver's reasons and the evaluation report all ask about the same texts)."""
    return sum(not check.holds for check in check_steps(text))
