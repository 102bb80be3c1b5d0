"""The one expression parser of Stepwise: LaTeX (and plain text once normalised) into a value of a *domain*.

The grader and the solver read the same math: the grader compiles an answer into complex-valued closures
(`numeric.py`: the fast equivalence check) or exact Fractions (`numeric.exact_value`: the calculator), and the
solver builds sympy expressions from a problem's math (`tutor.solve.symbolic`). One hand-written
recursive-descent parser serves all three; what it builds is decided by the domain object it is given:

    domain.number("2.5")   domain.letter("x")   domain.constant(r"\\pi")   domain.sum([a, b])   domain.neg(a)
    domain.mul(a, b)   domain.div(a, b)   domain.pow(a, b)   domain.factorial(a)   domain.root(a, index | None)
    domain.function(r"\\sin", argument, power)   domain.log(base, argument, power)   domain.binomial(n, k)
    domain.determinant(rows)

and `domain.commands`, the LaTeX commands that domain reads (any other command makes the text unsupported
before parsing starts). Nothing is ever `eval`ed. The grammar:

    expression := signed_term (('+' | '-') signed_term)*        signed_term := ('+' | '-')* term
    term := power (('*' | '/' | \\cdot | \\times | \\div) ('+' | '-')* power | implicit power)*
    power := primary '!'* ('^' ('+' | '-')? primary)?           (`x^23` is x^{23}, as math-verify reads it)
    primary := number | letter | \\pi | '(' expression ')' | '{' expression '}' | \\frac group group
             | \\sqrt ('[' expression ']')? group | function | \\log '_' group argument | \\binom group group
             | \\det matrix | vmatrix

Every bound lives here, in one block: text length and nesting for the parser, and the sizes of powers and
factorials each domain agrees to compute (floats, exact Fractions, sympy). A domain refuses what is beyond
them by raising `Unsupported`; the parser raises `Malformed` (a kind of `Unsupported`) where the text is
broken rather than unfamiliar (`2x + `, `(3 + 4`, `5 * / 2`), and domains that compute while building raise
`Undefined` (a `ZeroDivisionError`) for a division by zero.
"""

from __future__ import annotations

import re
from typing import Any

# ---------------------------------------------------------------- every bound, in one place
MAX_LENGTH = 400
"""Characters of one expression; a longer answer goes to sympy under its time limit."""
MAX_DEPTH = 40
"""Nesting of groups."""
MAX_MATRIX = 3
"""Rows and columns of a matrix whose determinant is computed."""
FLOAT_MAX_EXPONENT = 200.0
"""Floats (the grader's sample points): |exponent| beyond which a power is left to sympy."""
FLOAT_MAX_FACTORIAL = 170
"""Floats: beyond this n! overflows."""
FLOAT_MAX_MAGNITUDE = 1e200
"""Floats and Fractions: values beyond this are left to sympy (no inf/nan comparisons)."""
EXACT_MAX_DIGITS = 200
"""Fractions (the calculator): a power whose result would have more digits than this is refused."""
SYMBOLIC_MAX_EXPONENT = 10_000
"""sympy (the solver): |exponent| of a power with a numeric exponent."""
SYMBOLIC_MAX_BITS = 100_000
"""sympy: a power whose result would have more bits than this (2^100000, about 30,000 digits) is refused."""
SYMBOLIC_MAX_FACTORIAL = 1000
"""sympy: n! for 0 <= n <= this."""


class Unsupported(Exception):
    """The text uses something this parser or domain does not read (or is too big to compute)."""


class Malformed(Unsupported):
    """The text is broken, not merely unfamiliar; the message completes "The text ...": "is missing a term",
    "has an unmatched bracket"."""


class Undefined(ZeroDivisionError):
    """A division by zero (or 0 to a negative power) found while building the value."""


_TOKEN = re.compile(
    r"\\(?:begin|end)\{[a-zA-Z*]+\}|\\\\|\\[a-zA-Z]+|\d+\.?\d*|\.\d+|[a-zA-Z]|[-+*/^(){}\[\]!]|\S"
)
FUNCTIONS = frozenset(
    {r"\sin", r"\cos", r"\tan", r"\cot", r"\sec", r"\csc", r"\ln", r"\exp", r"\arcsin", r"\arccos", r"\arctan"}
)
_STARTS_PRIMARY = re.compile(
    r"^(?:\d|\.|[a-zA-Z]|\(|\{|\\(?:frac|sqrt|pi|log|sin|cos|tan|cot|sec|csc|ln|exp|arc|binom|det|begin))"
)
_TIMES = ("*", r"\cdot", r"\times")
_DIVIDE = ("/", r"\div")
_CLOSING = (")", "}", "]", r"\\", "&")
_MATRICES = ("matrix", "pmatrix", "bmatrix", "vmatrix")


def tokenize(text: str) -> list[str]:
    """The parser's tokens: commands, numbers, single letters, operators, brackets, any other character."""
    return _TOKEN.findall(text)


def unsupported_commands(tokens: list[str], commands: frozenset[str] | set[str]) -> list[str]:
    """The backslash tokens (commands, environments) of `tokens` that are not in `commands`."""
    return [t for t in tokens if t.startswith("\\") and t not in commands]


def parse(text: str, domain: Any) -> Any:
    """The value of `text` built by `domain`; raises `Unsupported` (or `Malformed`, `Undefined`)."""
    if not text or len(text) > MAX_LENGTH:
        raise Unsupported("empty" if not text else "too long")
    parser = Parser(text, domain)
    unknown = unsupported_commands(parser.tokens, domain.commands)
    if unknown:
        raise Unsupported(f"command {unknown[0]!r}")
    try:
        return parser.parse()
    except RecursionError as exc:
        raise Unsupported("nested too deeply") from exc


class Parser:
    """Recursive descent over `tokenize(text)`, building through `domain` (see the module docstring)."""

    def __init__(self, text: str, domain: Any) -> None:
        self.tokens = tokenize(text)
        self.domain = domain
        self.pos = 0
        self.depth = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None:
            raise Malformed("has an unmatched bracket" if expected in (")", "}", "]") else "is missing a term")
        if expected is not None and token != expected:
            raise Unsupported(f"expected {expected!r}, got {token!r}")
        self.pos += 1
        return token

    def parse(self) -> Any:
        value = self.expression()
        token = self.peek()
        if token is not None:
            if token in (")", "}", "]"):
                raise Malformed("has an unmatched bracket")
            raise Unsupported(f"unexpected {token!r}")
        return value

    def expression(self) -> Any:
        terms = [self.signed_term()]
        while self.peek() in ("+", "-"):
            terms.append(self.signed_term())
        return self.domain.sum(terms)  # even of one term: a float sum turns -0j into +0j, as cmath's branches expect

    def signed_term(self) -> Any:
        if self.peek() in ("+", "-"):
            sign = self.take()
            if self.peek() in ("+", "-"):  # `3 - -4`
                term = self.signed_term()
            else:
                term = self.term()
            return self.domain.neg(term) if sign == "-" else term
        return self.term()

    def term(self) -> Any:
        value = self.power()
        while True:
            token = self.peek()
            if token in _TIMES:
                self.take()
                value = self.domain.mul(value, self.signed_power())
            elif token in _DIVIDE:
                self.take()
                value = self.domain.div(value, self.signed_power())
            elif token is not None and _STARTS_PRIMARY.match(token):
                value = self.domain.mul(value, self.power())  # implicit multiplication: 2\pi, 3x, (a+5)(b+2)
            else:
                return value

    def signed_power(self) -> Any:
        """The operand after `*` or `/`, which may carry a sign: `-6 \\cdot -3`, `8 / -2`."""
        if self.peek() in ("+", "-"):
            sign = self.take()
            operand = self.signed_power()
            return self.domain.neg(operand) if sign == "-" else operand
        return self.power()

    def power(self) -> Any:
        base = self.primary()
        while self.peek() == "!":
            self.take()
            base = self.domain.factorial(base)
        if self.peek() != "^":
            return base
        self.take("^")
        if self.peek() in ("+", "-"):
            sign = self.take()
            exponent = self.primary()
            if sign == "-":
                exponent = self.domain.neg(exponent)
        else:
            exponent = self.primary()  # `x^23` is x^{23} here, as math-verify reads it
        return self.domain.pow(base, exponent)

    def group(self) -> Any:
        """A command's argument: `{...}`, or one token (`\\frac12`: one digit per argument)."""
        if self.peek() == "{":
            return self.primary()
        token = self.take()
        if token[0].isdigit():
            rest = token[1:]
            if rest:
                self.tokens.insert(self.pos, rest)
            return self.domain.number(token[0])
        self.pos -= 1
        return self.primary()

    def primary(self) -> Any:
        token = self.take()
        domain = self.domain
        if token in ("(", "{"):
            closing = ")" if token == "(" else "}"
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise Unsupported("nested too deeply")
            inner = self.expression()
            if self.peek() is None:
                raise Malformed("has an unmatched bracket")
            self.take(closing)
            self.depth -= 1
            return inner
        if token[0].isdigit() or token[0] == ".":
            return domain.number(token)
        if token == r"\pi":
            return domain.constant(token)
        if token == r"\frac":
            numerator, denominator = self.group(), self.group()
            return domain.div(numerator, denominator)
        if token == r"\sqrt":
            index = None
            if self.peek() == "[":
                self.take("[")
                index = self.expression()
                self.take("]")
            return domain.root(self.group(), index)
        if token in FUNCTIONS or token == r"\log":
            return self.function(token)
        if token == r"\binom":
            n, k = self.group(), self.group()
            return domain.binomial(n, k)
        if token == r"\det":
            opener = self.take()
            if opener not in (r"\begin{pmatrix}", r"\begin{bmatrix}", r"\begin{matrix}"):
                raise Unsupported("\\det of something other than a matrix")
            return domain.determinant(self.matrix(opener))
        if token == r"\begin{vmatrix}":
            return domain.determinant(self.matrix(token))
        if len(token) == 1 and token.isalpha():
            return domain.letter(token)
        if token in ("+", "-", "!", "^", *_TIMES, *_DIVIDE, *_CLOSING):
            raise Malformed("is missing a term")
        raise Unsupported(f"token {token!r}")

    def matrix(self, opener: str) -> list[list[Any]]:
        """The rows of `\\begin{...} a & b \\\\ c & d \\end{...}` (square, at most MAX_MATRIX)."""
        closer = opener.replace(r"\begin", r"\end")
        rows: list[list[Any]] = [[]]
        while True:
            rows[-1].append(self.expression())
            token = self.take()
            if token == "&":
                continue
            if token == r"\\":
                if self.peek() == closer:  # a trailing `\\` before `\end`
                    self.take()
                    break
                rows.append([])
                continue
            if token == closer:
                break
            raise Unsupported(f"{token!r} inside a matrix")
        size = len(rows)
        if not 1 <= size <= MAX_MATRIX or any(len(row) != size for row in rows):
            raise Unsupported("not a square matrix of at most 3 rows")
        return rows

    def function(self, name: str) -> Any:
        """`\\sin x`, `\\sin^2 x`, `\\sin(2x)`, `\\sin 2x` (= sin(2x)), `\\log_2 8`."""
        base = None
        if name == r"\log":
            if self.peek() != "_":
                raise Unsupported("log without a base")  # base 10 or e is anyone's guess
            self.take("_")
            base = self.group()
        power = 1
        if self.peek() == "^":  # `\sin^2 x`; `\sin^{-1}` (arcsin) is left to sympy
            self.take("^")
            exponent = self.take() if self.peek() != "{" else "".join(self.take() for _ in range(3))
            if not re.fullmatch(r"\{?[1-9]\}?", exponent):
                raise Unsupported(f"function power {exponent!r}")
            power = int(exponent.strip("{}"))
        if self.peek() in ("(", "{"):
            argument = self.primary()
        else:  # a bare argument runs over a product of factors up to the next operator or function
            argument = self.power()
            while (token := self.peek()) is not None and _STARTS_PRIMARY.match(token) and not _is_function(token) \
                    and token != "(" and not token.startswith("\\begin"):
                argument = self.domain.mul(argument, self.power())
        if base is not None:
            return self.domain.log(base, argument, power)
        return self.domain.function(name, argument, power)


def _is_function(token: str) -> bool:
    return token in FUNCTIONS or token == r"\log"
