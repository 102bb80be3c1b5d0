"""CAS cross-check: compute the answer with sympy when a problem is directly computable.

Recognised: an arithmetic expression ("What is 3 + 4 * 5?"), a single-variable linear or quadratic
equation ("Solve 3x + 7 = 22"), a gcd/lcm of integers, and a remainder ("2^{10} mod 7", "the remainder
when 100 is divided by 7"). The problem text is never handed to sympify/eval: a small tokenizer and a
recursive-descent parser accept only numbers, single-letter variables, + - * / ^ ! ( ) = and sqrt, and
build sympy objects themselves; powers and factorials are size-capped before sympy computes them, and the
whole computation runs under a time limit that works in any thread.
"""

import logging
import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

import sympy

from tutor.solve.result import SymbolicCheck

log = logging.getLogger(__name__)

MAX_POWER_BITS = 100_000  # |base| bits * exponent: 2^100000 is fine, 9^9^9 is refused before computing
MAX_FACTORIAL = 1000
MAX_SPAN_TOKENS = 80


class ParseFailure(Exception):
    """The span is not in the restricted grammar (or too big to compute); skip it."""


@dataclass
class Computed:
    kind: str
    """"arithmetic", "equation", "gcd", "lcm" or "mod"."""
    values: list[sympy.Expr]
    """One value, or the roots of an equation (sorted)."""

    @property
    def latex(self) -> str:
        return ", ".join(sympy.latex(value) for value in self.values)


# ---------------------------------------------------------------- normalising LaTeX to plain math
_LATEX_REPLACEMENTS = [
    (r"\\left|\\right|\\!|\\,|\\;|\\ ", ""),
    (r"\\cdot|\\times|×|·", "*"),
    (r"\\div|÷", "/"),
    (r"−|–", "-"),
    (r"\*\*", "^"),
    (r"\{,\}", ""),
    (r"\\operatorname\{(\w+)\}|\\text\{(\w+)\}|\\mathrm\{(\w+)\}", r"\1\2\3"),
    (r"\\(gcd|lcm|sqrt|pmod|bmod|mod)\b", r"\1"),
    (r"\$|\\\(|\\\)|\\\[|\\\]", " "),
    (r"\b(pmod|bmod|mod)\s*\{\s*(\d+)\s*\}", r"\1 \2"),
    (r"(?i)\bwhat's\b", "what is"),
    # "30% of 340" is (30/100)*340
    (r"(\d+(?:\.\d+)?)\s*\\?%\s*of\b", r"(\1/100)*"),
    # 4\frac{5}{8} is the mixed number 4 + 5/8, not a product
    (r"(\d)\s*\\d?frac\{(\d+)\}\{(\d+)\}", r"(\1+\2/\3)"),
]


def _replace_braced(text: str, command: str, render: Callable[[list[str]], str], n_args: int) -> str:
    """Rewrite `command{a}{b}` (balanced braces) with render([a, b]); innermost-first by repetition."""
    for _ in range(50):
        start = text.find(command + "{")
        if start < 0:
            return text
        pos, args = start + len(command), []
        for _arg in range(n_args):
            if pos >= len(text) or text[pos] != "{":
                return text
            depth, end = 0, pos
            while end < len(text):
                depth += {"{": 1, "}": -1}.get(text[end], 0)
                if depth == 0:
                    break
                end += 1
            if depth:
                return text
            args.append(text[pos + 1 : end])
            pos = end + 1
        text = text[:start] + render(args) + text[pos:]
    return text


def _binomial(match: re.Match) -> str:
    n, k = int(match.group(1)), int(match.group(2))
    return f"({n}!/({k}!*{n - k}!))" if k <= n else "(0)"


def normalize(text: str) -> str:
    """LaTeX-ish problem text to the plain notation the tokenizer reads."""
    for pattern, replacement in _LATEX_REPLACEMENTS:
        text = re.sub(pattern, replacement, text)
    text = re.sub(r"\\d?binom\{\s*(\d+)\s*\}\{\s*(\d+)\s*\}", _binomial, text)
    text = _replace_braced(text, "\\dfrac", lambda a: f"(({a[0]})/({a[1]}))", 2)
    text = _replace_braced(text, "\\frac", lambda a: f"(({a[0]})/({a[1]}))", 2)
    text = _replace_braced(text, "sqrt", lambda a: f"sqrt({a[0]})", 1)
    text = _replace_braced(text, "^", lambda a: f"^({a[0]})", 1)
    return text


# ---------------------------------------------------------------- tokenizer and spans
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([A-Za-z]+)|([-+*/^()=!])|(\S))")
MATH_KINDS = ("num", "name", "op")


def tokenize(text: str) -> list[tuple[str, str]]:
    """Math tokens (numbers, single letters, sqrt, operators) and the rest: words and other characters."""
    tokens = []
    for match in _TOKEN.finditer(text):
        number, name, op, other = match.groups()
        if number:
            tokens.append(("num", number))
        elif name:
            tokens.append(("name", name) if len(name) == 1 or name == "sqrt" else ("word", name.lower()))
        elif op:
            tokens.append(("op", op))
        elif other:
            tokens.append(("other", other))
    return tokens


def spans(tokens: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """Maximal runs of math tokens, split by words and other characters."""
    runs, current = [], []
    for token in tokens + [("other", "")]:
        if token[0] in MATH_KINDS:
            current.append(token)
        elif current:
            runs.append(current)
            current = []
    return runs


# ---------------------------------------------------------------- the restricted parser
class _Parser:
    """expr := term (('+'|'-') term)* ; term := unary (('*'|'/') unary | implicit unary)* ;
    unary := ('-'|'+') unary | power ; power := postfix ('^' unary)? ; postfix := primary '!'* ;
    primary := number | letter | sqrt '(' expr ')' | '(' expr ')'."""

    def __init__(self, tokens: list[tuple[str, str]]):
        if len(tokens) > MAX_SPAN_TOKENS:
            raise ParseFailure("span too long")
        self.tokens, self.pos = tokens, 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise ParseFailure(f"expected {value or 'a token'} at {self.pos}")
        self.pos += 1
        return token

    def parse(self) -> sympy.Expr:
        expr = self.expr()
        if self.peek() is not None:
            raise ParseFailure(f"unexpected {self.peek()[1]!r}")
        return expr

    def expr(self) -> sympy.Expr:
        value = self.term()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            right = self.term()
            value = value + right if op == "+" else value - right
        return value

    def term(self) -> sympy.Expr:
        value = self.unary()
        while True:
            token = self.peek()
            if token in (("op", "*"), ("op", "/")):
                self.take()
                right = self.unary()
                if token[1] == "/":
                    if right == 0:
                        raise ParseFailure("division by zero")
                    value = value / right
                else:
                    value = value * right
            elif token is not None and (token[0] == "name" or token == ("op", "(")):
                value = value * self.power()  # implicit product: 3x, 2(x+1), x(x+1)
            else:
                return value

    def unary(self) -> sympy.Expr:
        if self.peek() in (("op", "-"), ("op", "+")):
            sign = self.take()[1]
            operand = self.unary()
            return -operand if sign == "-" else operand
        return self.power()

    def power(self) -> sympy.Expr:
        base = self.postfix()
        if self.peek() == ("op", "^"):
            self.take()
            exponent = self.unary()
            return _checked_power(base, exponent)
        return base

    def postfix(self) -> sympy.Expr:
        value = self.primary()
        while self.peek() == ("op", "!"):
            self.take()
            if not (value.is_Integer and 0 <= value <= MAX_FACTORIAL):
                raise ParseFailure("factorial of a non-integer or too large a number")
            value = sympy.factorial(value)
        return value

    def primary(self) -> sympy.Expr:
        kind, text = self.take()
        if kind == "num":
            if "." in text:
                whole, frac = text.split(".")
                return sympy.Rational(int(whole + frac), 10 ** len(frac))
            return sympy.Integer(int(text))
        if kind == "name" and text == "sqrt":
            self.take("(")
            inner = self.expr()
            self.take(")")
            return sympy.sqrt(inner)
        if kind == "name":
            return sympy.Symbol(text)
        if text == "(":
            inner = self.expr()
            self.take(")")
            return inner
        raise ParseFailure(f"unexpected {text!r}")


def _checked_power(base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
    """base^exponent, refusing numbers too large to compute before sympy tries."""
    if exponent.is_number:
        if not exponent.is_rational or abs(exponent) > 10_000:
            raise ParseFailure("exponent too large or irrational")
        if base.is_number and base.is_rational and base != 0:
            size = max(abs(sympy.numer(base)), abs(sympy.denom(base)))
            if int(size).bit_length() * abs(exponent) > MAX_POWER_BITS:
                raise ParseFailure("power too large")
        if base == 0 and exponent.is_negative:
            raise ParseFailure("division by zero")
    elif base.free_symbols or exponent.free_symbols:
        pass  # x^n stays symbolic; only a polynomial equation of degree <= 2 is solved below
    return base**exponent


def parse_span(tokens: list[tuple[str, str]]) -> tuple[sympy.Expr, sympy.Expr | None]:
    """(expression, None) or (lhs, rhs) for a span with one '='."""
    parts: list[list[tuple[str, str]]] = [[]]
    for token in tokens:
        if token == ("op", "="):
            parts.append([])
        else:
            parts[-1].append(token)
    if len(parts) > 2 or any(not part for part in parts):
        raise ParseFailure("not one expression or one equation")
    sides = [_Parser(part).parse() for part in parts]
    return (sides[0], sides[1]) if len(sides) == 2 else (sides[0], None)


# ---------------------------------------------------------------- recognising problems
# A problem is "directly computable" only when, apart from its math, it says nothing but these words:
# "What is the value of $(26^2 - 24^2 - 10)^2 - 10^2$?" is; "Find the units digit of $18^6$" is not.
FILLER_WORDS = frozenset(
    """what whats is the value of compute calculate evaluate simplify find express as an integer common
    fraction decimal answer your in simplest form following solve for if then such that all real solution
    solutions root roots equation determine enter separated by commas number numbers integers remainder when
    divided mod pmod bmod modulo greatest divisor factor least lowest multiple highest gcd lcm gcf hcf and
    exact give write result""".split()
)
ALLOWED_PUNCTUATION = frozenset(".,?:;'")
ARTICLE = [("name", "a")]
_GCD = re.compile(r"(greatest common (?:divisor|factor)|highest common factor|gcd|gcf|hcf)", re.I)
_LCM = re.compile(r"(least common multiple|lowest common multiple|lcm)", re.I)
_INT_LIST = re.compile(r"\s*(?:of\s*)?(?:the\s+(?:numbers|integers)\s*)?\(?\s*(\d+(?:\s*(?:,\s*and|,|and)\s*\d+)+)")
_REMAINDER = re.compile(r"remainder when (.+?) is divided by\s*(\d+)", re.I)
_MOD = re.compile(r"\(?\s*\b(?:pmod|bmod|mod|modulo)\b\s*\{?\s*(\d+)\s*\}?\s*\)?", re.I)


def _only_filler(tokens: list[tuple[str, str]]) -> bool:
    return all(
        (kind != "word" or text in FILLER_WORDS) and (kind != "other" or text in ALLOWED_PUNCTUATION)
        for kind, text in tokens
    )


def _integer_list(text: str, keyword: re.Pattern) -> list[int] | None:
    match = keyword.search(text)
    if not match:
        return None
    numbers = _INT_LIST.match(text, match.end())
    if not numbers:
        return None
    return [int(n) for n in re.findall(r"\d+", numbers.group(1))]


def _constant(text: str) -> sympy.Expr | None:
    """The value of a fragment that is exactly one variable-free expression, else None."""
    tokens = tokenize(text)
    runs = spans(tokens)
    if len(runs) != 1 or len(runs[0]) != len(tokens):
        return None
    value, rhs = parse_span(runs[0])
    return value if rhs is None and not value.free_symbols else None


def _remainder(text: str) -> Computed | None:
    match = _REMAINDER.search(text)
    if match:
        dividend, modulus = _constant(match.group(1)), int(match.group(2))
    else:
        match = _MOD.search(text)
        if not match or match.start() == 0:
            return None
        before = spans(tokenize(text[: match.start()]))
        dividend = _constant(" ".join(t for _, t in before[-1])) if before else None
        modulus = int(match.group(1))
    if dividend is None or not dividend.is_Integer or modulus == 0:
        return None
    return Computed("mod", [sympy.Integer(int(dividend) % modulus)])


def _parsed_runs(runs) -> list[tuple[list, sympy.Expr, sympy.Expr | None]]:
    parsed = []
    for run in runs:
        lhs, rhs = parse_span(run)  # ParseFailure: a run we cannot read means "not computable"
        parsed.append((run, lhs, rhs))
    return parsed


def _equation_or_arithmetic(runs) -> Computed | None:
    parsed = _parsed_runs([run for run in runs if run != ARTICLE])
    equations = [(lhs, rhs) for _, lhs, rhs in parsed if rhs is not None]
    if len(equations) == 1:
        lhs, rhs = equations[0]
        variables = (lhs - rhs).free_symbols
        others = [lhs for _, lhs, rhs in parsed if rhs is None]
        if all(isinstance(other, sympy.Symbol) and {other} == variables for other in others):
            return _solve_equation(lhs, rhs)
        return None
    if not equations and len(parsed) == 1:
        run, value, _ = parsed[0]
        has_operator = any(kind == "op" and text not in "()" for kind, text in run)
        if value.free_symbols or not has_operator:
            return None
        value = sympy.simplify(value)
        if value.has(sympy.zoo, sympy.nan, sympy.oo, sympy.I):
            return None
        return Computed("arithmetic", [value])
    return None


def _solve_equation(lhs: sympy.Expr, rhs: sympy.Expr) -> Computed | None:
    difference = lhs - rhs
    symbols = difference.free_symbols
    if len(symbols) != 1:
        return None
    (x,) = symbols
    numerator, denominator = sympy.fraction(sympy.together(difference))
    try:
        poly = sympy.Poly(sympy.expand(numerator), x)
    except sympy.PolynomialError:
        return None
    if not 1 <= poly.degree() <= 2:
        return None
    roots = [root for root in sympy.solve(poly.as_expr(), x) if denominator.subs(x, root) != 0]
    if not roots:
        return None
    roots = sorted(roots, key=lambda r: (not r.is_real, sympy.re(r).evalf() if r.is_real else 0, str(r)))
    return Computed("equation", roots)


def compute(problem: str) -> Computed | None:
    """The sympy answer to a directly computable problem, or None when it is not one (no time limit)."""
    text = normalize(problem)
    tokens = tokenize(text)
    if not _only_filler(tokens):
        return None
    try:
        numbers = _integer_list(text, _GCD)
        if numbers:
            return Computed("gcd", [sympy.Integer(math.gcd(*numbers))])
        numbers = _integer_list(text, _LCM)
        if numbers:
            return Computed("lcm", [sympy.Integer(math.lcm(*numbers))])
        if any(kind == "word" and word in ("remainder", "mod", "pmod", "bmod", "modulo") for kind, word in tokens):
            return _remainder(text)
        return _equation_or_arithmetic(spans(tokens))
    except (ParseFailure, ArithmeticError, ValueError) as exc:
        log.debug("not computable: %s", exc)
        return None


class PendingComputation:
    """`compute(problem)` running in a daemon thread: start it early (the Solver starts it before
    sampling, so sympy's work overlaps the model's), collect it with `wait`. Works from any thread
    (no signal.alarm); a computation that overruns is abandoned, never awaited."""

    def __init__(self, problem: str):
        self.problem = problem
        self._value: Computed | None = None
        self._thread = threading.Thread(target=self._work, name="stepwise-symbolic", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        try:
            self._value = compute(self.problem)
        except Exception:  # a sympy corner case is "not computable", never a crash
            log.debug("symbolic computation failed for %r", self.problem, exc_info=True)

    def wait(self, timeout: float = 1.0) -> tuple[Computed | None, bool]:
        """(answer, timed_out), waiting at most `timeout` more seconds."""
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.debug("symbolic computation timed out after %.1fs for %r", timeout, self.problem)
            return None, True
        return self._value, False


def compute_with_timeout(problem: str, timeout: float = 1.0) -> tuple[Computed | None, bool]:
    """(answer, timed_out) for one problem, giving sympy at most `timeout` seconds."""
    return PendingComputation(problem).wait(timeout)


_ASSIGNMENT = re.compile(r"^\s*[A-Za-z]\s*=\s*")


def cross_check(
    problem: str,
    answer: str | None,
    equivalent: Callable[[str | None, str | None], bool],
    timeout: float = 1.0,
    pending: PendingComputation | None = None,
) -> SymbolicCheck:
    """Compare the chosen answer with sympy's, when the problem is directly computable.

    pending: the computation already started for this problem (else one starts now).
    """
    computed, timed_out = (pending or PendingComputation(problem)).wait(timeout)
    if timed_out:
        return SymbolicCheck("unknown", detail=f"sympy took longer than {timeout:g}s")
    if computed is None:
        return SymbolicCheck("not_applicable", detail="not a directly computable problem")
    if answer is None:
        return SymbolicCheck("disagree", computed.latex, computed.kind, f"sympy computes {computed.latex}; the model gave no answer")
    candidate = _ASSIGNMENT.sub("", answer)
    if equivalent(computed.latex, candidate) or equivalent(computed.latex, answer):
        return SymbolicCheck("agree", computed.latex, computed.kind, f"sympy agrees: {computed.latex}")
    if len(computed.values) > 1:
        for value in computed.values:
            if equivalent(sympy.latex(value), candidate):
                return SymbolicCheck("agree", computed.latex, computed.kind, f"one of sympy's roots: {computed.latex}")
    return SymbolicCheck("disagree", computed.latex, computed.kind, f"sympy computes {computed.latex}")
