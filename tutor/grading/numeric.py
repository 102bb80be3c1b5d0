"""A small, safe evaluator for the LaTeX expressions most answers are: the grader's fast symbolic path.

It reads numbers, single-letter variables, `+ - * / ^ !`, `\\cdot`, `\\times`, implicit multiplication,
`\\frac`, `\\sqrt` (and `\\sqrt[n]`), `\\pi`, `e`, the imaginary unit `i`, trigonometric functions, `\\ln`,
`\\exp` and `\\log_b`, and turns them into a function of
the variables that returns a complex number. Two answers built from these are compared by evaluating both
at a few fixed points (polynomial identity testing, the Schwartz-Zippel idea): equal everywhere means equal,
a clear difference anywhere means different. Variables take positive values, the convention that makes
`\\sqrt{1/n}` equal `\\frac{1}{\\sqrt n}` in competition answers.

Anything else (`\\log` without a base, words, `\\pm`, relations, huge powers) makes `compile_expression`
return None and the caller falls back to math-verify + sympy. Nothing is ever `eval`ed: this is a
hand-written recursive-descent parser over a token list, bounded in length, depth and magnitude.
"""

from __future__ import annotations

import cmath
import math
import re
from collections.abc import Callable
from fractions import Fraction
from functools import lru_cache

Function = Callable[[dict[str, complex]], complex]

MAX_LENGTH = 400  # characters; longer answers go to sympy under its time limit
MAX_DEPTH = 40  # nesting of groups
MAX_EXPONENT = 200.0  # |exponent| beyond which a power is left to sympy
MAX_MAGNITUDE = 1e200  # values beyond this are left to sympy (no inf/nan comparisons)
# Three sample points. Each variable gets its own positive value at each point, chosen by its name, so
# that `2n` and `2k` differ while `\\sin^2 x + \\cos^2 x` and `1` agree.
SAMPLE_COUNT = 3


def sample_value(name: str, point: int) -> complex:
    """A positive, irrational-looking value in (0.5, 3) for variable `name` at sample point `point`."""
    golden = 0.6180339887498949
    return complex(0.5 + (ord(name) * golden * (point + 1.4142135623730951)) % 2.5)

_TOKEN = re.compile(r"\\[a-zA-Z]+|\d+\.?\d*|\.\d+|[a-zA-Z]|[-+*/^(){}\[\]!]|\S")
# Functions of one argument; `\log` needs an explicit base (`\log_2 8`): base 10 or e is anyone's guess.
_FUNCTIONS = {
    r"\sin": cmath.sin, r"\cos": cmath.cos, r"\tan": cmath.tan, r"\cot": lambda z: 1 / cmath.tan(z),
    r"\sec": lambda z: 1 / cmath.cos(z), r"\csc": lambda z: 1 / cmath.sin(z), r"\ln": cmath.log,
    r"\exp": cmath.exp, r"\arcsin": cmath.asin, r"\arccos": cmath.acos, r"\arctan": cmath.atan,
}
_SUPPORTED_COMMANDS = {r"\frac", r"\sqrt", r"\pi", r"\cdot", r"\times", r"\div", r"\log", *_FUNCTIONS}
_STARTS_PRIMARY = re.compile(r"^(?:\d|\.|[a-zA-Z]|\(|\{|\\(?:frac|sqrt|pi|log|sin|cos|tan|cot|sec|csc|ln|exp|arc))")
_MAX_FACTORIAL = 170.0  # beyond this n! overflows a float


class _Unsupported(Exception):
    """The expression uses something this evaluator does not read; sympy will."""


class _Parser:
    def __init__(self, text: str, exact: bool = False) -> None:
        self.tokens = _TOKEN.findall(text)
        self.pos = 0
        self.depth = 0
        self.variables: set[str] = set()
        # Exact mode reads numbers as Fractions, so + - * / and integer powers stay exact; anything
        # irrational (pi, roots, functions) turns the value into a complex, which the caller rejects.
        self.number = Fraction if exact else (lambda token: complex(float(token)))

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise _Unsupported(f"expected {expected!r}, got {token!r}")
        self.pos += 1
        return token

    def parse(self) -> Function:
        function = self.expression()
        if self.peek() is not None:
            raise _Unsupported(f"unexpected {self.peek()!r}")
        return function

    def expression(self) -> Function:
        terms = [self.signed_term()]
        while self.peek() in ("+", "-"):
            sign = self.take()
            term = self.signed_term_after(sign)
            terms.append(term)
        return lambda env: sum(term(env) for term in terms)

    def signed_term(self) -> Function:
        if self.peek() in ("+", "-"):
            return self.signed_term_after(self.take())
        return self.term()

    def signed_term_after(self, sign: str) -> Function:
        term = self.term()
        return (lambda env: -term(env)) if sign == "-" else term

    def term(self) -> Function:
        value = self.power()
        while True:
            token = self.peek()
            if token in ("*", r"\cdot", r"\times"):
                self.take()
                value = _mul(value, self.power())
            elif token in ("/", r"\div"):
                self.take()
                value = _div(value, self.power())
            elif token is not None and _STARTS_PRIMARY.match(token):
                value = _mul(value, self.power())  # implicit multiplication: 2\pi, 3x, (a+5)(b+2)
            else:
                return value

    def power(self) -> Function:
        base = self.primary()
        while self.peek() == "!":
            self.take()
            base = _factorial(base)
        if self.peek() != "^":
            return base
        self.take("^")
        if self.peek() in ("+", "-"):
            sign = self.take()
            exponent_abs = self.exponent_operand()
            exponent = (lambda env: -exponent_abs(env)) if sign == "-" else exponent_abs
        else:
            exponent = self.exponent_operand()
        return _pow(base, exponent)

    def exponent_operand(self) -> Function:
        # `x^23` is x^{23} here, as math-verify reads it (TeX would typeset x^2 3; models mean x^{23}).
        return self.primary()

    def group(self) -> Function:
        if self.peek() == "{":
            return self.primary()
        token = self.take()
        if token[0].isdigit():  # `\frac12`: one digit per argument
            digit, rest = self.number(token[0]), token[1:]
            if rest:
                self.tokens.insert(self.pos, rest)
            return lambda env: digit
        self.pos -= 1
        return self.primary()

    def primary(self) -> Function:
        token = self.take()
        if token in ("(", "{"):
            closing = ")" if token == "(" else "}"
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _Unsupported("nested too deeply")
            inner = self.expression()
            self.take(closing)
            self.depth -= 1
            return inner
        if token[0].isdigit() or token[0] == ".":
            value = self.number(token)
            return lambda env: value
        if token == r"\pi":
            return lambda env: cmath.pi
        if token == r"\frac":
            numerator, denominator = self.group(), self.group()
            return _div(numerator, denominator)
        if token == r"\sqrt":
            index: Function = lambda env: 2.0  # noqa: E731
            if self.peek() == "[":
                self.take("[")
                index = self.expression()
                self.take("]")
            radicand = self.group()
            return _pow(radicand, lambda env: 1 / index(env))
        if token in _FUNCTIONS or token == r"\log":
            return self.function(token)
        if len(token) == 1 and token.isalpha():
            if token == "i":
                return lambda env: 1j
            if token == "e":  # Euler's number, as math-verify reads it
                return lambda env: cmath.e
            self.variables.add(token)
            return lambda env: env[token]
        raise _Unsupported(f"token {token!r}")


    def function(self, name: str) -> Function:
        """`\\sin x`, `\\sin^2 x`, `\\sin(2x)`, `\\sin 2x` (= sin(2x)), `\\log_2 8`."""
        base: Function | None = None
        if name == r"\log":
            if self.peek() != "_":
                raise _Unsupported("log without a base")
            self.take("_")
            base = self.group()
        power = 1
        if self.peek() == "^":  # `\sin^2 x`; `\sin^{-1}` (arcsin) is left to sympy
            self.take("^")
            exponent = self.take() if self.peek() != "{" else "".join(self.take() for _ in range(3))
            if not re.fullmatch(r"\{?[1-9]\}?", exponent):
                raise _Unsupported(f"function power {exponent!r}")
            power = int(exponent.strip("{}"))
        if self.peek() in ("(", "{"):
            argument = self.primary()
        else:  # a bare argument runs over a product of factors up to the next operator or function
            argument = self.power()
            while (token := self.peek()) is not None and _STARTS_PRIMARY.match(token) and not _is_function(token) and token != "(":
                argument = _mul(argument, self.power())
        if base is not None:
            log_base = base
            return lambda env: (cmath.log(argument(env)) / cmath.log(log_base(env))) ** power
        function = _FUNCTIONS[name]
        return lambda env: function(argument(env)) ** power


def _is_function(token: str) -> bool:
    return token in _FUNCTIONS or token == r"\log"


def _factorial(operand: Function) -> Function:
    def value(env: dict[str, complex]) -> complex:
        n = operand(env)
        if n.imag != 0 or not -1 < n.real <= _MAX_FACTORIAL:
            raise _Unsupported("factorial out of range")
        if isinstance(n, Fraction) and n.denominator == 1:
            return Fraction(math.factorial(int(n)))
        return complex(math.gamma(n.real + 1))

    return value


def _mul(a: Function, b: Function) -> Function:
    return lambda env: a(env) * b(env)


def _div(a: Function, b: Function) -> Function:
    return lambda env: a(env) / b(env)


def _pow(base: Function, exponent: Function) -> Function:
    def value(env: dict[str, complex]) -> complex:
        power = exponent(env)
        if abs(power) > MAX_EXPONENT:
            raise _Unsupported("exponent too large")
        b = base(env)
        if power.imag == 0 and power.real == int(power.real):
            if isinstance(b, Fraction):  # exact powers: refuse what no float could hold before computing it
                if b == 0 and power.real < 0:
                    raise ZeroDivisionError("0 to a negative power")
                if b and abs(power.real) * max(abs(math.log10(abs(b.numerator))), math.log10(b.denominator)) > 200:
                    raise _Unsupported("power too large")
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
    parser = _Parser(text, exact)
    if any(t.startswith("\\") and t not in _SUPPORTED_COMMANDS for t in parser.tokens):
        return None
    try:
        return parser.parse(), frozenset(parser.variables)
    except (_Unsupported, RecursionError, IndexError, ValueError):
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
            if not (cmath.isfinite(value) and abs(value) < MAX_MAGNITUDE):
                return None
            values.append(value)
    except (_Unsupported, ZeroDivisionError, OverflowError, ValueError):
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
    except (_Unsupported, ZeroDivisionError, OverflowError, ValueError, TypeError):
        return None
    if not isinstance(value, Fraction) or abs(value) >= MAX_MAGNITUDE:
        return None
    return value
