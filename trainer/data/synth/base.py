"""Building blocks shared by the synthetic templates: the `Draft` a template returns, the template
registry, and small LaTeX formatters for exact numbers.

A template is a small function `(rng, level) -> Draft`. It writes the problem, the fine-grained solution
steps (every intermediate result written out) and the answer as LaTeX, computed step by step with exact
Python arithmetic, and separately the ground truth as a sympy value built from the construction (e.g. the
root chosen before the equation was written, or `sympy.binomial(n, k)`). `verify.py` checks the two agree.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import sympy

from tutor.grading.calculator import calculate
from tutor.grading.normalize import normalize_answer
from tutor.grading.numeric import exact_value

SUBJECTS = (
    "Prealgebra",
    "Algebra",
    "Number Theory",
    "Counting & Probability",
    "Geometry",
    "Intermediate Algebra",
    "Precalculus",
)
LEVELS = (1, 2, 3, 4, 5)
# LaTeX pieces for f-strings (Python 3.11 f-string expressions cannot hold a backslash).
CDOT, FRAC, DIV = " \\cdot ", "\\frac", " \\div "


@dataclass(frozen=True, slots=True)
class Draft:
    """What a template produces; `answer` is the LaTeX boxed at the end of the solution."""

    problem: str
    steps: list[str]
    answer: str
    truth: sympy.Basic
    word: str | None = None
    """The problem as a short word problem (plain text, `@name@`/`@name2@` for names), where it allows one;
    `wording.py` renders it. The same numbers and answer as `problem`."""

    @property
    def solution(self) -> str:
        lines = [_MATH.sub(_drop_repeated_equalities, step) for step in self.steps]
        return "\n".join([*lines, f"The final answer is $\\boxed{{{self.answer}}}$."])


_MATH = re.compile(r"\$([^$]+)\$")


def _drop_repeated_equalities(math: re.Match[str]) -> str:
    """`$\\frac{19}{3} = \\frac{19}{3}$` -> `$\\frac{19}{3}$`: a simplification step that changed nothing."""
    parts = math.group(1).split(" = ")
    kept = [p for i, p in enumerate(parts) if i == 0 or p != parts[i - 1]]
    return "$" + " = ".join(kept) + "$"


TemplateFn = Callable[[random.Random, int], Draft]


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    subject: str
    make: TemplateFn


# name -> Template, filled by the @template decorator as each subject module is imported.
REGISTRY: dict[str, Template] = {}


def template(subject: str) -> Callable[[TemplateFn], TemplateFn]:
    """Register `fn` under its function name for `subject`."""
    assert subject in SUBJECTS, f"unknown subject {subject!r}"

    def register(fn: TemplateFn) -> TemplateFn:
        assert fn.__name__ not in REGISTRY, f"template {fn.__name__!r} registered twice"
        REGISTRY[fn.__name__] = Template(fn.__name__, subject, fn)
        return fn

    return register


# ---- sizes: one knob per level so every template scales the same way ----

def upto(level: int, base: int = 10) -> int:
    """Largest 'small number' for a level: 20, 30, 50, 100, 200 for base 10."""
    return base * (2, 3, 5, 10, 20)[level - 1]


def nonzero(rng: random.Random, low: int, high: int) -> int:
    """A uniform integer in [low, high] other than 0."""
    while True:
        value = rng.randint(low, high)
        if value:
            return value


# ---- LaTeX for exact numbers ----

def tex(value: int | Fraction) -> str:
    """`3`, `-7`, `\\frac{3}{4}`, `-\\frac{3}{4}` (how MATH answers write rationals)."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    sign = "-" if value < 0 else ""
    return f"{sign}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"


def plain(value: int | Fraction) -> str:
    """A number as plain text types it: `3`, `-7`, `3/4` (for word problems)."""
    value = Fraction(value)
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def paren(value: int | Fraction) -> str:
    """`tex(value)`, parenthesised when negative so it can follow an operator."""
    return f"\\left({tex(value)}\\right)" if value < 0 else tex(value)


def signed_term(coeff: int | Fraction, body: str = "", first: bool = False) -> str:
    """One term of a sum: `+ 3x`, `- x`, `- \\frac{1}{2}` (`first` drops a leading plus)."""
    coeff = Fraction(coeff)
    magnitude = abs(coeff)
    text = body if (body and magnitude == 1) else f"{tex(magnitude)}{body}"
    if first:
        return f"-{text}" if coeff < 0 else text
    return f" - {text}" if coeff < 0 else f" + {text}"


def poly_tex(coeffs: list[int | Fraction], var: str = "x") -> str:
    """Polynomial from coefficients, highest degree first: [1, -3, 2] -> `x^2 - 3x + 2`."""
    degree = len(coeffs) - 1
    parts: list[str] = []
    for i, coeff in enumerate(coeffs):
        if coeff == 0:
            continue
        power = degree - i
        body = "" if power == 0 else var if power == 1 else f"{var}^{power}" if power < 10 else f"{var}^{{{power}}}"
        parts.append(signed_term(coeff, body, first=not parts))
    return "".join(parts) or "0"


def join_sum(values: list[int | Fraction]) -> str:
    """`3 + 5 - 2`: numbers written as a sum with subtraction for negatives."""
    return "".join(signed_term(v, "", first=(i == 0)) for i, v in enumerate(values))


def show(expr: str, value: int | Fraction) -> str:
    """`expr = value` with the value as the calculator writes it (`show("59 - 5", 54)` -> `59 - 5 = 54`);
    just `expr` when there is nothing to compute (`7`, `\\frac{3}{4}`). Asserts the calculator's value is
    the template's `value`, so a template and the calculator can never disagree."""
    written = calculate(expr)
    if written is None:
        assert exact_value(normalize_answer(expr)) == value, f"{expr!r} is not a number equal to {value}"
        return expr
    assert exact_value(normalize_answer(written)) == value, f"the calculator says {expr!r} = {written}, not {value}"
    return f"{expr} = {written}"


def binom_tex(n: int, k: int) -> str:
    """`\\binom{n}{k} = \\frac{n \\cdot (n-1) \\cdots}{k \\cdots 1} = value`: the calculator does not read
    `\\binom`, so the value comes from a fraction it does read (the smaller of k, n - k factors)."""
    value = math.comb(n, k)
    head = f"\\binom{{{n}}}{{{k}}}"
    j = min(k, n - k)
    if j != k:
        head += f" = \\binom{{{n}}}{{{j}}}"
    if j <= 1:
        return f"{head} = {value}"
    if j > 3:  # the product form would be long: factorials, which the calculator reads too
        return f"{head} = {show(f'{FRAC}{{{n}!}}{{{j}!{CDOT}{n - j}!}}', value)}"
    top = CDOT.join(str(n - i) for i in range(j))
    bottom = CDOT.join(str(j - i) for i in range(j))
    return f"{head} = {show(f'{FRAC}{{{top}}}{{{bottom}}}', value)}"


def sym(value: int | Fraction) -> sympy.Rational:
    """A sympy rational from an exact Python number."""
    value = Fraction(value)
    return sympy.Rational(value.numerator, value.denominator)


def times_tex(coeff: int | Fraction, symbol: str) -> str:
    """`coeff * symbol` the way `sympy.latex` writes it: `\\pi`, `2 \\pi`, `\\frac{3 \\pi}{2}`, `- \\frac{\\pi}{2}`."""
    coeff = Fraction(coeff)
    if coeff == 0:
        return "0"
    sign = "- " if coeff < 0 else ""
    num, den = abs(coeff.numerator), coeff.denominator
    top = symbol if num == 1 else f"{num} {symbol}"
    return sign + (top if den == 1 else f"\\frac{{{top}}}{{{den}}}")


def split_square(n: int) -> tuple[int, int]:
    """(k, m) with sqrt(n) = k sqrt(m) and m squarefree."""
    assert n >= 0, "square root of a negative number"
    k, m, factor = 1, n, 2
    while factor * factor <= m:
        while m % (factor * factor) == 0:
            m //= factor * factor
            k *= factor
        factor += 1
    return k, m


def surd_tex(coeff: int | Fraction, radicand: int) -> str:
    """`coeff * sqrt(radicand)` in lowest terms, as `sympy.latex` writes it (`\\frac{3 \\sqrt{2}}{2}`)."""
    k, m = split_square(radicand)
    coeff = Fraction(coeff) * k
    return tex(coeff) if m == 1 else times_tex(coeff, f"\\sqrt{{{m}}}")
