"""Audit of the computation-explicit solution format: every number a solution computes is the right side of
an equality whose left side is the variable-free computation, written exactly as the sampling-time
calculator (`tutor.grading.calculator.calculate`) writes it.

    calculator_violations("So $-3x = 59 - 5 = 54$.")     # -> []   (59 - 5 computes, and 54 follows it)
    calculator_violations("$\\frac{6}{8} = 0.75$")         # -> [("\\frac{6}{8}", "\\frac{3}{4}", "0.75")]
    number_audit(problem, steps)                          # -> NumberAudit(computed=12, unexplained=1)

A model trained on solutions without violations writes `=` after each computation and lets the calculator
write the value. `number_audit` measures how much of the arithmetic is still done "in the head": number
literals of the steps' math that are neither in the problem, nor small constants, nor the value of a
calculator equality written earlier in the same solution.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tutor.grading.calculator import calculate
from tutor.grading.fast import split_top_level

_SPAN = re.compile(r"\$([^$]+)\$")
# Integers and decimals; `\frac{p}{q}` counts as its two numbers, `x_2` and `a^2` exponents are left out.
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?")
_SKIPPED = re.compile(r"[_^]\{[^{}]*\}|[_^]\w|\\[a-zA-Z]+")
CONSTANTS = frozenset({"0", "1", "2", "100"})  # formula constants (`2\pi r`, `\frac{1}{2}`, `n - 1`, percent)


def math_spans(text: str) -> list[str]:
    """The `$...$` spans of a text, in order (an escaped `\\$`, a currency sign, opens none)."""
    return [span.replace("\0", "\\$") for span in _SPAN.findall(text.replace("\\$", "\0"))]


def calculator_equalities(span: str) -> list[tuple[str, str, str]]:
    """(left, what the calculator writes, what the span writes) for each computable side that has a side
    after it."""
    sides = [side.strip() for side in split_top_level(span, "=")]
    found = []
    for left, right in zip(sides, sides[1:]):
        value = calculate(left)
        if value is not None:
            found.append((left, value, right))
    return found


def calculator_violations(text: str) -> list[tuple[str, str, str]]:
    """Every computable left side in `text`'s math not followed by exactly the calculator's value."""
    return [found for span in math_spans(text) for found in calculator_equalities(span) if found[1] != found[2]]


def _numbers(text: str) -> list[str]:
    return _NUMBER.findall(_SKIPPED.sub(" ", text))


@dataclass(frozen=True)
class NumberAudit:
    """How the computed numbers of one solution were written (each distinct number counted once)."""

    computed: int
    """Distinct number literals in the steps' math that are not in the problem and not a small constant."""
    unexplained: int
    """Of those, how many are written (somewhere) before any calculator equality of the solution has them
    as its value: numbers the writer computed without showing the computation, or looked up (`60` seconds
    in a minute, a reference angle)."""


def number_audit(problem: str, steps: list[str]) -> NumberAudit:
    """Count the computed numbers of a solution's steps and those written without a calculator equality."""
    given = set(re.findall(r"\d+(?:\.\d+)?", problem)) | CONSTANTS  # exponents and subscripts included
    shown: set[str] = set()
    computed: set[str] = set()
    unexplained: set[str] = set()
    for step in steps:
        for span in math_spans(step):
            for _, value, right in calculator_equalities(span):
                if value == right:
                    shown.update(_numbers(value))
            for number in _numbers(span):
                if number not in given:
                    computed.add(number)
                    if number not in shown:
                        unexplained.add(number)
    return NumberAudit(len(computed), len(unexplained))
