"""The fast path of the equivalence check: numbers, sampled expressions and their tuples, sets and matrices.

Plain numbers are compared as exact rationals (decimals with a relative tolerance); expressions the small
evaluator of `numeric.py` reads (radicals, pi, polynomials, i) are compared at sample points; `A \\pm B`
is the set {A+B, A-B}; tuples, intervals, sets, unions of intervals and matrices element by element;
`x = ...` and `x \\in ...` by their right side; base-n literals (`52_8`) by value. No parsing library and
no sympy: microseconds a pair. `fast_compare` returns None whenever it cannot decide, and the caller
then asks sympy.
"""

from __future__ import annotations

import cmath
import re
from dataclasses import dataclass
from fractions import Fraction

from tutor.grading.numeric import SAMPLE_COUNT, evaluate_at_points, values_close

# Decimals vs other numbers: equal within this relative tolerance (0.333333 = 1/3, 0.33 != 1/3).
REL_TOL = 1e-6
# Digits beyond which a literal is left to sympy (Fraction of a huge literal would be slow to build).
_MAX_DIGITS = 60
_INTEGER_OR_DECIMAL = re.compile(r"^([+-]?)(\d+\.?\d*|\.\d+)$")
_FRACTION = re.compile(r"^([+-]?)(?:\\frac\{([+-]?\d+)\}\{([+-]?\d+)\}|(\d+)/(\d+))$")
# `x = 5`, `x_1 = 5`, `x \\in [0, 1]`: the answer is the right side (the variable still matters, see below).
_ASSIGNMENT = re.compile(r"^([a-zA-Z](?:_\{?\w+\}?)?)(?:=|\\in)([^=<>]+)$")
_BASE_N = re.compile(r"^(\d[0-9A-Za-z]*)_\{?(\d+)\}?$")  # 52_8, 4210_{5}, 1A_{16}; not the variable x_1
_MIXED = re.compile(r"^([+-]?)(\d+)\\frac\{(\d+)\}\{(\d+)\}$")  # 1\frac{4}{5}: MATH's mixed numbers
_INFINITY = {r"\infty": float("inf"), r"+\infty": float("inf"), r"-\infty": float("-inf")}
# Words are answers, not products of variables, from three letters on; A-E alone are multiple-choice answers.
_WORD = re.compile(r"^[A-Za-z]+(?: [A-Za-z]+)*$")
_CHOICE = re.compile(r"^[A-E]$")
# Expressions sampled at the same points agree to round-off when equal; this is far above round-off.
_SAMPLE_REL_TOL = 1e-9


@dataclass(frozen=True)
class _Number:
    value: Fraction
    exact: bool  # False for decimal literals, which compare with a relative tolerance


def parse_number(text: str) -> _Number | None:
    """A plain numeric literal (integer, decimal, fraction, mixed number) as a rational, or None."""
    if len(text) > _MAX_DIGITS:
        return None
    match = _INTEGER_OR_DECIMAL.match(text)
    if match:
        value = Fraction(match.group(2))
        return _Number(-value if match.group(1) == "-" else value, exact="." not in text)
    match = _FRACTION.match(text)
    if match:
        numerator, denominator = (match.group(2), match.group(3)) if match.group(2) else match.group(4, 5)
        if int(denominator) == 0:
            return None
        value = Fraction(int(numerator), int(denominator))
        return _Number(-value if match.group(1) == "-" else value, exact=True)
    match = _MIXED.match(text)
    if match and int(match.group(4)) != 0 and int(match.group(3)) < int(match.group(4)):
        value = int(match.group(2)) + Fraction(int(match.group(3)), int(match.group(4)))
        return _Number(-value if match.group(1) == "-" else value, exact=True)
    return None


@dataclass(frozen=True)
class AnswerValue:
    """One answer (or element of one) as the fast path sees it."""

    samples: tuple[complex, ...]  # values at numeric.py's sample points (all the same for a constant)
    variables: frozenset[str]
    exact: Fraction | None = None  # a rational literal: compared exactly
    decimal: bool = False  # written as a decimal: compared with REL_TOL


def answer_value(text: str) -> AnswerValue | None:
    """A normalised scalar answer as the fast path sees it, or None when it is not one the fast path reads."""
    number = parse_number(text)
    if number is not None:
        samples = (complex(float(number.value)),) * SAMPLE_COUNT
        return AnswerValue(samples, frozenset(), number.value if number.exact else None, not number.exact)
    if text in _INFINITY:
        return AnswerValue((complex(_INFINITY[text]),) * SAMPLE_COUNT, frozenset())
    evaluated = evaluate_at_points(text)
    if evaluated is None:
        return None
    samples, variables = evaluated
    return AnswerValue(samples, variables, decimal="." in text)


def values_equal(a: AnswerValue, b: AnswerValue) -> bool | None:
    """Exact for rationals, tolerant for decimals, sampled for expressions (whose variables are told
    apart by name: `2n` is not `2k`, `\\sin^2 x + \\cos^2 x` is `1`)."""
    if a.exact is not None and b.exact is not None:
        return a.exact == b.exact
    if any(cmath.isinf(x) for x in a.samples + b.samples):
        return a.samples == b.samples
    rel_tol = REL_TOL if (a.decimal or b.decimal) else _SAMPLE_REL_TOL
    return all(values_close(x, y, rel_tol) for x, y in zip(a.samples, b.samples))


def split_top_level(text: str, separator: str = ",") -> list[str]:
    """Split on `separator` (a comma by default) where it is not inside (), [] or {}."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _plus_minus(text: str) -> list[str] | None:
    """`A\\pm B` as [A+(B), A-(B)]; None when there is no single top-level `\\pm`."""
    if text.count(r"\pm") != 1:
        return None
    left, right = text.split(r"\pm")
    if left.count("(") != left.count(")") or left.count("{") != left.count("}"):
        return None
    return [f"{left}+({right})", f"{left}-({right})"]


def _values(part: str) -> list[AnswerValue] | None:
    """The value(s) one element stands for: one, or two for `A \\pm B`."""
    expanded = _plus_minus(part)
    values = [answer_value(p) for p in (expanded or [part])]
    return None if any(v is None for v in values) else values


def _matrix(text: str) -> list[list[str]] | None:
    # Not vmatrix: that is a determinant, a number.
    match = re.fullmatch(r"\\begin\{[pb]?matrix\}(.*)\\end\{[pb]?matrix\}", text)
    if not match:
        return None
    return [row.split("&") for row in match.group(1).split(r"\\")]


def _structure(text: str) -> tuple[str, list[AnswerValue]] | None:
    """(kind, values) for an expression, a tuple/interval or a set of expressions; None otherwise.

    Kinds: "value"; "()" (a tuple or open interval: the same string either way), "[]", "[)", "(]"
    (ordered); "set" for `\\{...\\}` and bare comma lists, the MATH convention for "all solutions".
    """
    values = _values(text)
    if values is not None:
        return ("value" if len(values) == 1 else "set"), values
    rows = _matrix(text)
    if rows is not None:
        cells = [answer_value(cell) for row in rows for cell in row]
        if any(c is None for c in cells):
            return None
        return f"matrix{[len(row) for row in rows]}", cells
    if text.startswith(r"\{") and text.endswith(r"\}"):
        kind, body = "set", text[2:-2]
    elif len(text) >= 2 and text[0] in "([" and text[-1] in ")]":
        kind, body = text[0] + text[-1], text[1:-1]
    else:
        kind, body = "set", text
    parts = split_top_level(body)
    if len(parts) < 2 and not text.startswith(r"\{"):
        return None  # `[5]` or something unsupported: let sympy read it
    expanded = [_values(part) for part in parts]
    if any(v is None for v in expanded):
        return None
    if kind != "set" and any(len(v) > 1 for v in expanded):
        return None  # `(1 \\pm 2, 3)`: a tuple of sets is sympy's business
    return kind, [v for vs in expanded for v in vs]


def _all(verdicts) -> bool | None:
    """Three-valued AND: False beats None beats True."""
    verdicts = list(verdicts)
    if False in verdicts:
        return False
    return None if None in verdicts else True


def _sets_equal(a: list[AnswerValue], b: list[AnswerValue]) -> bool | None:
    table = [[values_equal(x, y) for y in b] for x in a]
    if any(None in row for row in table):
        return None
    return all(any(row) for row in table) and all(any(column) for column in zip(*table))


def _compare_base_n(a: str, b: str) -> bool | None:
    """`52_8` is the number 42; a plain `52` against `52_8` is the same answer with its base left off."""
    match_a, match_b = _BASE_N.match(a), _BASE_N.match(b)
    if not match_a and not match_b:
        return None
    if match_a and match_b:
        try:
            return int(match_a.group(1), int(match_a.group(2))) == int(match_b.group(1), int(match_b.group(2)))
        except ValueError:  # a digit not valid in its base (`204_3`) or a base outside 2..36: compare as written
            return match_a.group(1, 2) == match_b.group(1, 2)
    digits, other = (match_a, b) if match_a else (match_b, a)
    return digits.group(1).lower() == other.lower()


def _unions_equal(a: str, b: str) -> bool | None:
    """Unions of the same intervals in any order are equal; anything else is left to sympy."""
    parts_a, parts_b = a.split(r"\cup"), b.split(r"\cup")
    if len(parts_a) != len(parts_b):
        return None
    remaining = list(parts_b)
    for part in parts_a:
        match = next((other for other in remaining if fast_compare(part, other) is True), None)
        if match is None:
            return None
        remaining.remove(match)
    return True


def _compare_words(a: str, b: str) -> bool | None:
    """Word answers (`Evelyn`, `even`, `east`) and choice letters (`C`) match case-insensitively."""
    if _WORD.match(a) and _WORD.match(b) and (min(len(a), len(b)) >= 3 or (_CHOICE.match(a) and _CHOICE.match(b))):
        return a.lower() == b.lower()
    return None


def _equations_equal(a: str, b: str) -> bool | None:
    """Equations whose sides differ by a constant factor (`y = 2x + 3` vs `2x - y + 3 = 0`) are equal.

    Anything else, including different equations, is left to sympy: `x^2 = 1` and `x^4 = 1` have the
    same real solutions without being proportional.
    """
    if a.count("=") != 1 or b.count("=") != 1 or any(r in a + b for r in ("<", ">", r"\le", r"\ge", r"\ne")):
        return None
    difference_a = answer_value("({})-({})".format(*a.split("=")))
    difference_b = answer_value("({})-({})".format(*b.split("=")))
    if difference_a is None or difference_b is None or difference_a.variables != difference_b.variables:
        return None
    if any(abs(y) < 1e-12 for y in difference_b.samples):
        return None
    ratios = [x / y for x, y in zip(difference_a.samples, difference_b.samples)]
    if abs(ratios[0]) > 1e-12 and all(values_close(r, ratios[0], _SAMPLE_REL_TOL) for r in ratios):
        return True
    return None


def fast_compare(a: str, b: str) -> bool | None:
    """Decide two normalised answers without sympy where possible; None when undecided."""
    assign_a, assign_b = _ASSIGNMENT.match(a), _ASSIGNMENT.match(b)
    if assign_a and assign_b:
        if assign_a.group(1) != assign_b.group(1):
            # `y = 2x` vs `x = y/2`: the same line; `x = 2` vs `y = 2`, or `x \\in ...`: sympy's call
            return _equations_equal(a, b) if a.count("=") == b.count("=") == 1 else None
        a, b = assign_a.group(2), assign_b.group(2)
    elif assign_a and "=" not in b:
        a = assign_a.group(2)  # `x = 5` answers "x = ?" with 5
    elif assign_b and "=" not in a:
        b = assign_b.group(2)
    if a == b:
        return True
    words = _compare_words(a, b)
    if words is not None:
        return words
    if a.count("=") == 1 and b.count("=") == 1:
        return _equations_equal(a, b)
    base_n = _compare_base_n(a, b)
    if base_n is not None:
        return base_n
    if r"\cup" in a and r"\cup" in b:
        return _unions_equal(a, b)
    sa, sb = _structure(a), _structure(b)
    if sa is None or sb is None:
        return None
    (kind_a, values_a), (kind_b, values_b) = sa, sb
    if kind_a == "value" and kind_b == "value":
        return values_equal(values_a[0], values_b[0])
    if kind_a != kind_b:
        # A one-element set equals its value (`\\{5\\}` vs `5` both answer "5"); other kinds differ.
        if {kind_a, kind_b} == {"value", "set"}:
            return _sets_equal(values_a, values_b)
        return False
    if kind_a == "set":
        return _sets_equal(values_a, values_b)
    if len(values_a) != len(values_b):
        return False
    return _all(values_equal(x, y) for x, y in zip(values_a, values_b))
