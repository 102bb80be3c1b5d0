"""A small, safe evaluator for the LaTeX expressions most answers are: the grader's fast symbolic path.

It reads numbers, single-letter variables, `+ - * / ^ !`, `\\cdot`, `\\times`, implicit multiplication,
`\\frac`, `\\sqrt` (and `\\sqrt[n]`), `\\pi`, `e`, the imaginary unit `i`, trigonometric functions, `\\ln`,
`\\exp` and `\\log_b`, and turns them into a function of
the variables that returns a complex number. Two answers built from these are compared by evaluating both
at a few fixed points (polynomial identity testing, the Schwartz-Zippel idea): equal everywhere means equal,
a clear difference anywhere means different. Variables take positive values, the convention that makes
`\\sqrt{1/n}` equal `\\frac{1}{\\sqrt n}` in competition answers.

Anything else (`\\log` without a base, words, `\\pm`, relations, huge powers) makes `compile_expression`
return None and the caller falls back to math-verify + sympy. Nothing is ever `eval`ed: the text is read by
the one shared parser (`expression.py`, which also holds every bound), building through `ClosureDomain`.
"""

from __future__ import annotations

import cmath
import math
import re
from collections.abc import Callable
from fractions import Fraction
from functools import lru_cache

from tutor.grading.expression import (
    EXACT_MAX_DIGITS,
    FLOAT_MAX_EXPONENT,
    FLOAT_MAX_FACTORIAL,
    FLOAT_MAX_MAGNITUDE,
    MAX_LENGTH,
    Unsupported,
    parse,
)

Function = Callable[[dict[str, complex]], complex]

# Three sample points. Each variable gets its own positive value at each point, chosen by its name, so
# that `2n` and `2k` differ while `\\sin^2 x + \\cos^2 x` and `1` agree.
SAMPLE_COUNT = 3


def sample_value(name: str, point: int) -> complex:
    """A positive, irrational-looking value in (0.5, 3) for variable `name` at sample point `point`."""
    golden = 0.6180339887498949
    return complex(0.5 + (ord(name) * golden * (point + 1.4142135623730951)) % 2.5)


# Functions of one argument; `\log` needs an explicit base (`\log_2 8`): base 10 or e is anyone's guess.
_FUNCTIONS = {
    r"\sin": cmath.sin, r"\cos": cmath.cos, r"\tan": cmath.tan, r"\cot": lambda z: 1 / cmath.tan(z),
    r"\sec": lambda z: 1 / cmath.cos(z), r"\csc": lambda z: 1 / cmath.sin(z), r"\ln": cmath.log,
    r"\exp": cmath.exp, r"\arcsin": cmath.asin, r"\arccos": cmath.acos, r"\arctan": cmath.atan,
}


class ClosureDomain:
    """What the shared parser builds for the grader: a function of the variables (`env` maps each to a
    complex value) returning a complex number, or in exact mode a Fraction wherever the value is rational.

    Exact mode reads numbers as Fractions, so + - * / and integer powers stay exact; anything irrational
    (pi, roots, functions) turns the value into a complex, which `exact_value` rejects.
    """

    commands = frozenset({r"\frac", r"\sqrt", r"\pi", r"\cdot", r"\times", r"\div", r"\log", *_FUNCTIONS})

    def __init__(self, exact: bool = False) -> None:
        self.exact = exact
        self.variables: set[str] = set()

    def number(self, token: str) -> Function:
        value = Fraction(token) if self.exact else complex(float(token))
        return lambda env: value

    def letter(self, name: str) -> Function:
        if name == "i":
            return lambda env: 1j
        if name == "e":  # Euler's number, as math-verify reads it
            return lambda env: cmath.e
        self.variables.add(name)
        return lambda env: env[name]

    def constant(self, name: str) -> Function:
        return lambda env: cmath.pi

    def sum(self, terms: list[Function]) -> Function:
        return lambda env: sum(term(env) for term in terms)

    def neg(self, a: Function) -> Function:
        return lambda env: -a(env)

    def mul(self, a: Function, b: Function) -> Function:
        return lambda env: a(env) * b(env)

    def div(self, a: Function, b: Function) -> Function:
        return lambda env: a(env) / b(env)

    def pow(self, base: Function, exponent: Function) -> Function:
        return _pow(base, exponent)

    def factorial(self, operand: Function) -> Function:
        return _factorial(operand)

    def root(self, radicand: Function, index: Function | None) -> Function:
        degree: Function = index or (lambda env: 2.0)
        return _pow(radicand, lambda env: 1 / degree(env))

    def function(self, name: str, argument: Function, power: int) -> Function:
        function = _FUNCTIONS[name]
        return lambda env: function(argument(env)) ** power

    def log(self, base: Function, argument: Function, power: int) -> Function:
        return lambda env: (cmath.log(argument(env)) / cmath.log(base(env))) ** power

    def binomial(self, n: Function, k: Function) -> Function:
        raise Unsupported("binomial")  # not in `commands`: left to sympy

    def determinant(self, rows: list[list[Function]]) -> Function:
        raise Unsupported("determinant")


def _factorial(operand: Function) -> Function:
    def value(env: dict[str, complex]) -> complex:
        n = operand(env)
        if n.imag != 0 or not -1 < n.real <= FLOAT_MAX_FACTORIAL:
            raise Unsupported("factorial out of range")
        if isinstance(n, Fraction) and n.denominator == 1:
            return Fraction(math.factorial(int(n)))
        return complex(math.gamma(n.real + 1))

    return value


def _pow(base: Function, exponent: Function) -> Function:
    def value(env: dict[str, complex]) -> complex:
        power = exponent(env)
        if abs(power) > FLOAT_MAX_EXPONENT:
            raise Unsupported("exponent too large")
        b = base(env)
        if power.imag == 0 and power.real == int(power.real):
            if isinstance(b, Fraction):  # exact powers: refuse what no float could hold before computing it
                if b == 0 and power.real < 0:
                    raise ZeroDivisionError("0 to a negative power")
                digits = max(abs(math.log10(abs(b.numerator))), math.log10(b.denominator)) if b else 0
                if abs(power.real) * digits > EXACT_MAX_DIGITS:
                    raise Unsupported("power too large")
            return b ** int(power.real)
        return cmath.exp(power * cmath.log(b))

    return value


@lru_cache(maxsize=16384)
def compile_expression(text: str, exact: bool = False) -> tuple[Function, frozenset[str]] | None:
    """(function of the variables, the variables) for a supported expression, else None. With `exact`,
    numbers are Fractions: the function returns a Fraction where the value is rational (see `exact_value`)."""
    if not text or len(text) > MAX_LENGTH or re.search(r"[a-zA-Z]{3,}", re.sub(r"\\[a-zA-Z]+", " ", text)):
        return None  # words (`east`, `even`) are not products of variables
    if re.search(r"\d\s*\\frac", text):
        return None  # `1\frac{4}{5}`: a mixed number or a product? sympy's call
    domain = ClosureDomain(exact)
    try:
        return parse(text, domain), frozenset(domain.variables)
    except (Unsupported, IndexError, ValueError):
        return None


def evaluate_at_points(text: str) -> tuple[tuple[complex, ...], frozenset[str]] | None:
    """The expression's values at the fixed sample points and its variables, or None if unsupported."""
    compiled = compile_expression(text)
    if compiled is None:
        return None
    function, variables = compiled
    values = []
    try:
        for point in range(SAMPLE_COUNT):
            value = complex(function({name: sample_value(name, point) for name in variables}))
            if not (cmath.isfinite(value) and abs(value) < FLOAT_MAX_MAGNITUDE):
                return None
            values.append(value)
    except (Unsupported, ZeroDivisionError, OverflowError, ValueError):
        return None
    return tuple(values), variables


def values_close(a: complex, b: complex, rel_tol: float) -> bool:
    """Equal within a relative tolerance (plus 1e-13 absolute, for round-off around zero)."""
    return abs(a - b) <= rel_tol * max(abs(a), abs(b)) + 1e-13


def exact_value(text: str) -> Fraction | None:
    """The exact rational value of a variable-free expression (`12 \\cdot 7`, `\\frac{3}{4} + 0.5`, `2^{10}`,
    `5!`), or None when it has a variable, is irrational (`\\sqrt{2}`, `\\pi`), undefined or unreadable."""
    compiled = compile_expression(text, exact=True)
    if compiled is None or compiled[1]:
        return None
    try:
        value = compiled[0]({})
    except (Unsupported, ZeroDivisionError, OverflowError, ValueError, TypeError):
        return None
    if not isinstance(value, Fraction) or abs(value) >= FLOAT_MAX_MAGNITUDE:
        return None
    return value
