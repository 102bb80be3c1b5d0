"""The sympy domain of the shared expression parser (`tutor.grading.expression`): a problem's math as sympy.

The parser reads the text; this domain builds exact sympy values from it, refusing before sympy computes
anything beyond the bounds in `expression.py` (powers, factorials), and raising `Undefined` for what has no
value (a division by zero, a logarithm of zero). It reads less than the grader's domains do, on purpose:
a problem's `e` and `i` are letters (variables), not Euler's number or the imaginary unit, trigonometric
functions are read only at rational multiples of pi (`sin 30`: degrees or radians?), a logarithm must have a base and a rational value, and an even
root of a negative number is not taken. What it cannot read with certainty, it refuses (`Unsupported`).
"""

from __future__ import annotations

import math
from fractions import Fraction

import sympy

from tutor.grading.expression import (
    SYMBOLIC_MAX_BITS,
    SYMBOLIC_MAX_EXPONENT,
    SYMBOLIC_MAX_FACTORIAL,
    Undefined,
    Unsupported,
)

MAX_SYMBOLIC_EXPONENT = 64
"""An exponent on an expression with a variable (`(x+1)^{64}`) beyond which expanding is refused."""
MAX_ROOT_INDEX = 100
MAX_RADICAND_BITS = 100
"""A root of a rational with more bits than this (about 30 digits) is refused: simplifying it means factoring."""

_MATRIX_TOKENS = {rf"\{edge}{{{name}}}" for edge in ("begin", "end") for name in ("matrix", "pmatrix", "bmatrix", "vmatrix")}


_TRIG = {r"\sin": sympy.sin, r"\cos": sympy.cos, r"\tan": sympy.tan, r"\cot": sympy.cot, r"\sec": sympy.sec,
         r"\csc": sympy.csc}
TRIG_FUNCTIONS = tuple(_TRIG.values())
_INVERSE_TRIG = {r"\arcsin": sympy.asin, r"\arccos": sympy.acos, r"\arctan": sympy.atan}


class SympyDomain:
    """Builds sympy expressions; `variables` collects the letters read."""

    commands = frozenset(
        {r"\frac", r"\sqrt", r"\pi", r"\cdot", r"\times", r"\div", r"\log", r"\binom", r"\det", "\\\\", *_MATRIX_TOKENS,
         *_TRIG, *_INVERSE_TRIG}
    )

    def __init__(self) -> None:
        self.variables: set[str] = set()

    def number(self, token: str) -> sympy.Expr:
        value = Fraction(token)
        return sympy.Rational(value.numerator, value.denominator)

    def letter(self, name: str) -> sympy.Expr:
        self.variables.add(name)
        return sympy.Symbol(name)

    def constant(self, name: str) -> sympy.Expr:
        return sympy.pi

    def sum(self, terms: list[sympy.Expr]) -> sympy.Expr:
        return sympy.Add(*terms)

    def neg(self, a: sympy.Expr) -> sympy.Expr:
        return -a

    def mul(self, a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
        return a * b

    def div(self, a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
        if b.is_zero:
            raise Undefined("division by zero")
        return a / b

    def pow(self, base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
        if exponent.free_symbols:
            return base**exponent  # 2^x: built, but no equation solver here reads it
        if not exponent.is_Rational:
            raise Unsupported("an irrational exponent")
        if abs(exponent) > SYMBOLIC_MAX_EXPONENT:
            raise Unsupported("exponent too large")
        if base.free_symbols:
            if abs(exponent) > MAX_SYMBOLIC_EXPONENT:
                raise Unsupported("power of an expression too large to expand")
            return base**exponent
        if base.is_zero:
            if exponent.is_negative:
                raise Undefined("zero to a negative power")
            if exponent.is_zero:
                raise Unsupported("0^0")  # 1 by one convention, undefined by another: no claim
            return sympy.Integer(0)
        if not exponent.is_Integer:
            if base.is_negative or not base.is_real:
                raise Unsupported("a fractional power of a negative number")
        if base.is_Rational:
            size = max(abs(base.p), abs(base.q))
            if size.bit_length() * abs(exponent) > SYMBOLIC_MAX_BITS:
                raise Unsupported("power too large")
        return base**exponent

    def factorial(self, operand: sympy.Expr) -> sympy.Expr:
        if not (operand.is_Integer and 0 <= operand <= SYMBOLIC_MAX_FACTORIAL):
            raise Unsupported("factorial of a non-integer, negative or too large a number")
        return sympy.factorial(operand)

    def root(self, radicand: sympy.Expr, index: sympy.Expr | None) -> sympy.Expr:
        n = sympy.Integer(2) if index is None else index
        if not (n.is_Integer and 2 <= n <= MAX_ROOT_INDEX):
            raise Unsupported("a root of an unusual index")
        if radicand.free_symbols:
            return sympy.root(radicand, n)
        if not radicand.is_real:
            raise Unsupported("a root of a non-real number")
        if radicand.is_Rational and max(abs(radicand.p), radicand.q).bit_length() > MAX_RADICAND_BITS:
            raise Unsupported("a root of a very large number")  # sympy would try to factor it
        if radicand.is_negative:
            if n % 2 == 0:
                raise Unsupported("an even root of a negative number")  # "no real root" or 2i? no claim
            return sympy.real_root(radicand, n)
        return sympy.root(radicand, n)

    def function(self, name: str, argument: sympy.Expr, power: int) -> sympy.Expr:
        """A trigonometric function at a rational multiple of pi (radians, plainly), where its value has a
        closed form; at any other argument (`sin 30`: degrees or radians?) and for other functions, no claim. An
        inverse one (`arcsin(1/2)`) where its value, in radians, is a rational multiple of pi. Of a variable it
        stays symbolic (`sin(x^2)`), for what works on expressions (a derivative); `engine` claims no value that
        still holds one."""
        if name in _INVERSE_TRIG:
            return self._inverse_trig(name, argument, power)
        if name in _TRIG and argument.free_symbols:
            return _TRIG[name](argument) ** power  # `sin(x^2)`, for a derivative: a value is never claimed with it
        if name not in _TRIG or argument.free_symbols or not (argument / sympy.pi).is_Rational:
            raise Unsupported(f"function {name} (of an argument that is not a rational multiple of pi)")
        value = _TRIG[name](argument)
        if value.has(sympy.zoo, sympy.nan):
            raise Undefined("division by zero")
        if value.has(*TRIG_FUNCTIONS):
            raise Unsupported("a trigonometric value with no closed form")
        return sympy.radsimp(value**power)

    def _inverse_trig(self, name: str, argument: sympy.Expr, power: int) -> sympy.Expr:
        if argument.free_symbols or not argument.is_real:
            raise Unsupported(f"function {name} of other than a real number")
        if name != r"\arctan" and abs(argument) > 1:
            raise Unsupported(f"{name} of a number outside [-1, 1]")
        value = _INVERSE_TRIG[name](argument)
        if not (value / sympy.pi).is_Rational:
            raise Unsupported("an inverse trigonometric value with no closed form")
        return value**power

    def log(self, base: sympy.Expr, argument: sympy.Expr, power: int) -> sympy.Expr:
        if base.free_symbols or argument.free_symbols:
            raise Unsupported("a logarithm of an expression with a variable")
        if not (base.is_real and argument.is_real):
            raise Unsupported("a logarithm of a non-real number")
        if not argument.is_positive:
            raise Undefined("the logarithm of zero or a negative number")
        if not base.is_positive or base == 1:
            raise Undefined("a logarithm to a base that is not positive, or to base 1")
        value = _rational_log(argument, base) if argument.is_Rational and base.is_Rational else sympy.log(argument, base)
        if value is None or not value.is_Rational:
            raise Unsupported("a logarithm that is not a rational number")
        return value**power

    def binomial(self, n: sympy.Expr, k: sympy.Expr) -> sympy.Expr:
        if not (n.is_Integer and k.is_Integer and 0 <= n <= SYMBOLIC_MAX_FACTORIAL and k >= 0):
            raise Unsupported("a binomial coefficient of other than small non-negative integers")
        return sympy.binomial(n, k)

    def determinant(self, rows: list[list[sympy.Expr]]) -> sympy.Expr:
        return sympy.Matrix(rows).det()


def _rational_log(argument: sympy.Rational, base: sympy.Rational) -> sympy.Rational | None:
    """log_base(argument) when it is rational (argument and base powers of one number), else None."""
    if argument == 1:
        return sympy.Integer(0)
    root_a, k_a = as_power(argument)
    root_b, k_b = as_power(base)
    if root_a == root_b:
        return sympy.Rational(k_a, k_b)
    if root_a == 1 / root_b:
        return sympy.Rational(-k_a, k_b)
    return None  # powers of different numbers: the logarithm is irrational


def as_power(x: sympy.Rational) -> tuple[sympy.Rational, int]:
    """(r, k) with x = r^k and k as large as possible, for a positive rational x != 1."""

    def split(n: int) -> tuple[int, int]:
        return (1, 0) if n == 1 else (sympy.perfect_power(n) or (n, 1))

    (root_p, k_p), (root_q, k_q) = split(int(x.p)), split(int(x.q))
    k = math.gcd(k_p, k_q)
    return sympy.Rational(root_p ** (k_p // k), root_q ** (k_q // k)), k
