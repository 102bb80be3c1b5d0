"""Worked steps for what the direct computation solved, written the way the tutor's models write solutions:
one small step a line, every computation an explicit equality (which the step check verifies), the answer
boxed on the last line. Shown to the student where the computation decided the answer and no written
solution reached it, or the best that did is not one to learn from (`SolveResult.worked_by_computation`).

    linear_steps(3*x + 7, 22, x)
    # ["Subtract $7$ from both sides: $3x = 22 - 7 = 15$.",
    #  "Divide both sides by $3$: $x = \\frac{15}{3} = 5$.",
    #  "The final answer is $\\boxed{5}$."]

Linear and quadratic equations in one unknown with rational coefficients (quadratics with real roots: factored
where the roots are rational, else by the formula), two linear equations in two unknowns (by elimination), and
arithmetic on numbers (+ - * / ^ and brackets, worked from the inside out). Numbers are written as the problem
wrote them: decimals where it wrote decimals and they terminate, else exact fractions. Anything else gets no
steps (an empty list), and the tutor then shows the best written attempt, marked as such.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import sympy

from tutor.grading.expression import Unsupported, parse

_COEFFICIENT_SPACE = re.compile(r"(\d|\}) ([A-Za-z])")


def linear_steps(lhs: sympy.Expr, rhs: sympy.Expr, x: sympy.Symbol, bracketed: bool = False,
                 answer: str | None = None, decimals: bool = False) -> list[str]:
    """The steps that solve `lhs = rhs` for `x`, or [] when it is not linear with rational coefficients.
    `bracketed`: the equation was written with brackets, which sympy multiplied out as it read them
    (`2(x + 3)` is read as `2x + 6`), so the first step says so. `answer`: the computed answer as the tutor
    shows it, boxed on the last line (else the value as these steps write it). `decimals`: the problem wrote
    decimals, so numbers are written as decimals where they terminate (else as exact fractions)."""
    if decimals:
        return _with_decimals(lambda: linear_steps(lhs, rhs, x, bracketed, answer))
    sides = []
    for side in (lhs, rhs):
        expanded = sympy.expand(side)
        try:
            poly = sympy.Poly(expanded, x)
        except sympy.PolynomialError:
            return []
        if poly.degree() > 1 or not all(c.is_Rational for c in poly.all_coeffs()):
            return []
        sides.append((expanded, poly.coeff_monomial(x), poly.coeff_monomial(1)))
    steps = []
    if bracketed or sides[0][0] != lhs or sides[1][0] != rhs:
        steps.append(f"Expand: ${_tex(sides[0][0])} = {_tex(sides[1][0])}$.")
    if sides[0][1] == 0 and sides[1][1] != 0:  # `4 = 2x`: the unknown to the left first
        sides.reverse()
        steps.append(f"Swap the sides: ${_tex(sides[0][0])} = {_tex(sides[1][0])}$.")
    (left, a_left, b_left), (right, a_right, b_right) = sides
    a, b = a_left - a_right, b_right - b_left
    if a == 0:
        return []
    moves = [move for move in (_move(a_right * x), _move(b_left)) if move]
    if moves:
        said = " and ".join(moves)
        steps.append(f"{said[0].upper()}{said[1:]}: ${_tex(a * x)} = {_difference(b_right, b_left, b)}$.")
    value = b / a
    if a == -1:
        steps.append(f"Multiply both sides by $-1$: ${x} = {_tex(value)}$.")
    elif not a.is_Integer and _DECIMALS.get() and _terminates(a):
        steps.append(f"Divide both sides by ${_tex(a)}$: ${x} = {_factor(b)} \\div {_factor(a)} = {_tex(value)}$.")
    elif not a.is_Integer:  # a fraction: multiply by its reciprocal
        steps.append(f"Multiply both sides by ${_tex(1 / a)}$: ${x} = {_tex(1 / a)} \\cdot {_factor(b)} = {_tex(value)}$.")
    elif a != 1:
        already = a > 0 and b.is_Integer and sympy.gcd(b, a) == 1  # \frac{14}{3} is its own value
        worked = _tex(value) if already else f"\\frac{{{_tex(b)}}}{{{_tex(a)}}} = {_tex(value)}"
        steps.append(f"Divide both sides by ${_tex(a)}$: ${x} = {worked}$.")
    steps.append(_boxed(answer or _tex(value)))
    return steps


def quadratic_steps(lhs: sympy.Expr, rhs: sympy.Expr, x: sympy.Symbol, answer: str) -> list[str]:
    """The steps that solve a quadratic `lhs = rhs` with rational coefficients for its real roots: factored
    where the roots are rational, else by the quadratic formula; [] for anything else."""
    try:
        poly = sympy.Poly(sympy.expand(lhs - rhs), x)
    except sympy.PolynomialError:
        return []
    if poly.degree() != 2 or not all(c.is_Rational for c in poly.all_coeffs()):
        return []
    a, b, c = poly.all_coeffs()
    if a < 0:
        a, b, c = -a, -b, -c
    standard = a * x**2 + b * x + c
    steps = []
    if sympy.expand(lhs) != standard or rhs != 0:
        steps.append(f"Bring every term to one side: ${_tex(standard)} = 0$.")
    discriminant = b**2 - 4 * a * c
    if discriminant < 0:
        return []
    constant, factors = sympy.factor_list(standard)
    if all(sympy.degree(factor, x) == 1 for factor, _ in factors):
        by_root = sorted((sympy.solve(factor, x)[0], factor, power) for factor, power in factors)
        product = "".join((_tex(factor) if factor == x else f"({_tex(factor)})") + ("^2" if power == 2 else "")
                          for _, factor, power in by_root)
        solved = " or ".join(f"${_tex(factor)} = 0$" for _, factor, _ in by_root)
        steps.append(f"Factor: ${'' if constant == 1 else _tex(constant)}{product} = 0$.")
        steps.append(f"So {solved}: " + " or ".join(f"${x} = {_tex(root)}$" for root, _, _ in by_root) + ".")
    else:
        steps.append(f"Use the quadratic formula with $a = {_tex(a)}$, $b = {_tex(b)}$, $c = {_tex(c)}$: the "
                     f"discriminant is $b^2 - 4ac = {_factor(b)}^2 - 4 \\cdot {_tex(a)} \\cdot {_factor(c)} = {_tex(discriminant)}$.")
        steps.append(f"So ${x} = \\frac{{{_tex(-b)} \\pm \\sqrt{{{_tex(discriminant)}}}}}{{{_tex(2 * a)}}}$, which is "
                     + " or ".join(f"${x} = {root}$" for root in answer.split(", ")) + ".")
    steps.append(_boxed(answer))
    return steps


def system_steps(equations: list[tuple[sympy.Expr, sympy.Expr]], unknowns: list[sympy.Symbol],
                 answer: str) -> list[str]:
    """The steps that solve two linear equations in two unknowns (`unknowns` in the answer's order) by
    eliminating the second unknown and putting the first back; [] for anything else (a coefficient of 0
    included: such a system is one equation at a time)."""
    if len(equations) != 2 or len(unknowns) != 2:
        return []
    x, y = unknowns
    rows = []
    for lhs, rhs in equations:
        try:
            poly = sympy.Poly(sympy.expand(lhs - rhs), x, y)
        except sympy.PolynomialError:
            return []
        a, b, c = poly.coeff_monomial(x), poly.coeff_monomial(y), -poly.coeff_monomial(1)
        if poly.total_degree() != 1 or not all(v.is_Rational for v in (a, b, c)) or a == 0 or b == 0:
            return []
        rows.append((a, b, c))
    (a1, b1, c1), (a2, b2, c2) = rows
    steps = []
    if any(sympy.expand(lhs) != a * x + b * y or rhs != c for (lhs, rhs), (a, b, c) in zip(equations, rows)):
        steps.append(f"Write the equations as ${_tex(a1 * x + b1 * y)} = {_tex(c1)}$ and "
                     f"${_tex(a2 * x + b2 * y)} = {_tex(c2)}$.")
    if b1 == -b2:
        a, c = a1 + a2, c1 + c2
        steps.append(f"Add them to eliminate ${y}$: ${_tex(a * x)} = {_tex(c1)} + {_factor(c2)} = {_tex(c)}$.")
    elif b1 == b2:
        a, c = a1 - a2, c1 - c2
        steps.append(f"Subtract the second from the first to eliminate ${y}$: ${_tex(a * x)} = {_tex(c1)} - {_factor(c2)} = {_tex(c)}$.")
    else:
        a, c = a1 * b2 - a2 * b1, c1 * b2 - c2 * b1
        scaled = " and ".join(f"the {which} by ${_tex(k)}$" for which, k in (("first", b2), ("second", b1)) if k != 1)
        steps.append(f"Multiply {scaled}, then subtract to eliminate ${y}$: "
                     f"${_tex(a * x)} = {_tex(c1)} \\cdot {_factor(b2)} - {_factor(c2)} \\cdot {_factor(b1)} = {_tex(c)}$.")
    if a == 0:
        return []
    value = c / a
    steps += linear_steps(a * x, c, x)[:-1]
    put = b1 * y + a1 * value
    term = _tex(b1 * y)
    plus = f"{'-' if term.startswith('-') else '+'} {term.removeprefix('-')}"
    product = _factor(value) if a1 == 1 else f"{_tex(a1)} \\cdot {_factor(value)}"
    worked = f", so ${_tex(a1 * value)} {plus} = {_tex(c1)}$" if a1 != 1 else ""
    steps.append(f"Put ${x} = {_tex(value)}$ into the first equation: ${product} {plus} = {_tex(c1)}${worked}.")
    steps += linear_steps(put, c1, y)[:-1]
    steps.append(_boxed(answer))
    return steps


def _boxed(answer: str) -> str:
    return f"The final answer is $\\boxed{{{answer}}}$."


def _move(term: sympy.Expr) -> str:
    """"subtract $7$ from both sides" / "add $2x$ to both sides": what takes `term` off the side it is on."""
    if term == 0:
        return ""
    if term.could_extract_minus_sign():
        return f"add ${_tex(-term)}$ to both sides"
    return f"subtract ${_tex(term)}$ from both sides"


def _difference(right: sympy.Expr, left: sympy.Expr, value: sympy.Expr) -> str:
    """The right side after the number on the left moved over, with the computation written out."""
    if left == 0 or right == 0:
        return _tex(value)
    sign = "-" if left > 0 else "+"
    return f"{_tex(right)} {sign} {_tex(abs(left))} = {_tex(value)}"


def _factor(value: sympy.Expr) -> str:
    """`value` as the right factor of a product: a negative one in parentheses."""
    return f"({_tex(value)})" if value < 0 else _tex(value)


_DECIMALS: ContextVar[bool] = ContextVar("worked_decimals", default=False)
"""Whether steps are being written for a problem that wrote decimals (`_tex` then writes terminating numbers,
and the coefficients of a linear term, as decimals)."""


def _with_decimals(write: Callable[[], list[str]]) -> list[str]:
    token = _DECIMALS.set(True)
    try:
        return write()
    finally:
        _DECIMALS.reset(token)


def _terminates(value: sympy.Rational) -> bool:
    q = int(value.q)
    for prime in (2, 5):
        while q % prime == 0:
            q //= prime
    return q == 1


def _decimal(value: sympy.Rational) -> str:
    """A terminating rational as its decimal, exactly (`5/2` -> `2.5`)."""
    return format(Decimal(int(value.p)) / Decimal(int(value.q)), "f")


def _decimal_tex(value: sympy.Expr) -> str | None:
    """`value` (a number, or a*x + b in its one letter) with its coefficients as decimals; None where one does
    not terminate or `value` is not of that form."""
    letters = value.free_symbols
    if len(letters) > 1:
        return None
    x = letters.pop() if letters else sympy.Dummy()
    try:
        poly = sympy.Poly(value, x)
    except sympy.PolynomialError:
        return None
    if poly.degree() > 1 or not all(c.is_Rational and _terminates(c) for c in poly.all_coeffs()):
        return None
    a, b = poly.coeff_monomial(x), poly.coeff_monomial(1)
    number = _decimal
    if a == 0:
        return number(b)
    term = f"{'' if abs(a) == 1 else number(abs(a))}{x}"
    text = f"-{term}" if a < 0 else term
    return text if b == 0 else f"{text} {'-' if b < 0 else '+'} {number(abs(b))}"


def _tex(value: sympy.Expr) -> str:
    """Fractions as `\\frac{p}{q}` with the sign outside, `3x` not `3 x`, the rest as sympy writes it (and
    decimals, while `_DECIMALS` says the problem wrote them)."""
    if _DECIMALS.get() and (decimal := _decimal_tex(value)) is not None:
        return decimal
    if value.is_Rational and not value.is_Integer:
        sign = "-" if value < 0 else ""
        return f"{sign}\\frac{{{abs(int(value.p))}}}{{{int(value.q)}}}"
    text = sympy.latex(value).replace(r"\left(", "(").replace(r"\right)", ")")
    return _COEFFICIENT_SPACE.sub(r"\1\2", "-" + text[2:] if text.startswith("- ") else text)


# ---------------------------------------------------------------- arithmetic, inside out
@dataclass
class _Term:
    """A node of an arithmetic expression as written: a number (`value`, shown as `text`) or an operation."""

    op: str
    """"number", "sum", "neg", "mul", "div" or "pow"."""
    children: list[_Term] = field(default_factory=list)
    value: sympy.Rational | None = None
    text: str = ""


_PRECEDENCE = {"sum": 1, "neg": 1, "mul": 2, "pow": 3, "div": 4, "number": 4}
"""How tightly each form binds as written: `\\frac{a}{b}` and a number never need brackets of their own."""
MAX_PASSES = 6


class _TermDomain:
    """Builds `_Term`s through the one expression parser: numbers and + - * / ^ only (anything else is not
    worked here); an integer over an integer is a fraction as written (`\\frac{15}{100}` stays so)."""

    commands = frozenset({r"\frac", r"\cdot", r"\times", r"\div"})

    def number(self, token: str) -> _Term:
        fraction = Fraction(token)
        return _Term("number", value=sympy.Rational(fraction.numerator, fraction.denominator), text=token)

    def sum(self, terms: list[_Term]) -> _Term:
        return terms[0] if len(terms) == 1 else _Term("sum", terms)

    def neg(self, a: _Term) -> _Term:
        return _negated(a)

    def mul(self, a: _Term, b: _Term) -> _Term:
        return _Term("mul", [a, b])

    def div(self, a: _Term, b: _Term) -> _Term:
        if b.op == "number" and b.value == 0:
            raise Unsupported("division by zero")
        whole = a.op == b.op == "number" and a.value.is_Integer and b.value.is_Integer and "." not in a.text + b.text
        if whole and sympy.gcd(a.value, b.value) == 1 and b.value > 1:  # a fraction as written: `8 / 4` is a division
            return _Term("number", value=a.value / b.value, text=f"\\frac{{{a.text}}}{{{b.text}}}")
        return _Term("div", [a, b])

    def pow(self, base: _Term, exponent: _Term) -> _Term:
        if exponent.op != "number" or not exponent.value.is_Integer or not 0 <= exponent.value <= 12:
            raise Unsupported("a power other than a small whole number")
        return _Term("pow", [base, exponent])

    def __getattr__(self, name: str):  # letters, constants, roots, functions...: not plain arithmetic
        raise Unsupported(f"{name} is not worked in steps")


def arithmetic_steps(span: str, answer: str, value: sympy.Expr) -> list[str]:
    """The expression `span` worked inside out (powers, then products and quotients, then sums, one layer of
    the expression a pass) as one chain of equalities, or [] where it is not plain arithmetic on numbers, needs
    no working, or does not come to `value`."""
    try:
        term = parse(span, _TermDomain())
    except (Unsupported, RecursionError):
        return []
    if "." in span:
        return _with_decimals(lambda: _chain(term, answer, value))
    return _chain(term, answer, value)


def _chain(term: _Term, answer: str, value: sympy.Expr) -> list[str]:
    chain = [_render(term)]
    for _ in range(MAX_PASSES):
        if term.op == "number":
            break
        term = _reduce(term)
        shown = _render(term)
        if shown != chain[-1]:
            chain.append(shown)
    if term.op != "number" or term.value != value or len(chain) < 2:
        return []
    how = "Compute" if len(chain) == 2 else "Work from the inside out (powers, then products and quotients, then sums)"
    return [f"{how}: ${' = '.join(chain)}$.", _boxed(answer)]


def _reduce(term: _Term) -> _Term:
    """One pass: every operation whose operands are all numbers becomes its value."""
    if term.op == "number":
        return term
    if all(child.op == "number" for child in term.children):
        a = term.children[0].value
        if term.op == "sum":
            return _Term("number", value=sum((child.value for child in term.children), sympy.Integer(0)))
        b = term.children[1].value
        if term.op == "div" and b == 0:
            raise Unsupported("division by zero")
        value = {"mul": lambda: a * b, "div": lambda: a / b, "pow": lambda: a**b}[term.op]()
        return _Term("number", value=value)
    children = [_reduce(child) for child in term.children]
    return _negated(children[0]) if term.op == "neg" else _Term(term.op, children)


def _negated(term: _Term) -> _Term:
    """-term: a number's own negative (`-6`, so `3 - -6` is never written), else a negation to work out."""
    if term.op == "number":
        text = term.text[1:] if term.text.startswith("-") else f"-{term.text}" if term.text else ""
        return _Term("number", value=-term.value, text=text)
    return _Term("neg", [term])


def _render(term: _Term) -> str:
    if term.op == "number":
        return term.text or _tex(term.value)
    parts = [_render(child) for child in term.children]
    if term.op == "sum":
        text = parts[0]
        for child, part in zip(term.children[1:], parts[1:]):
            if child.op == "neg":
                text += " - " + _wrapped(child.children[0], _render(child.children[0]), 2)
            elif part.startswith("-"):
                text += " - " + part[1:]
            else:
                text += " + " + part
        return text
    if term.op == "neg":
        return "-" + _wrapped(term.children[0], parts[0], 2)
    if term.op == "div" and "frac" in parts[0] + parts[1]:  # no fraction of fractions: `a \div b`
        return f"{_wrapped(term.children[0], parts[0], 2)} \\div {_wrapped(term.children[1], parts[1], 3, sign=True)}"
    if term.op == "div":
        return f"\\frac{{{parts[0]}}}{{{parts[1]}}}"
    if term.op == "pow":
        return f"{_wrapped(term.children[0], parts[0], 4)}^{{{parts[1]}}}"
    return f"{_wrapped(term.children[0], parts[0], 2)} \\cdot {_wrapped(term.children[1], parts[1], 2, sign=True)}"


def _wrapped(term: _Term, text: str, precedence: int, sign: bool = False) -> str:
    """`text` in brackets where `term` binds more loosely than `precedence` (or, for `sign`, is negative)."""
    loose = _PRECEDENCE[term.op] < precedence or (term.op == "number" and precedence == 4 and
                                                   (text.startswith("-") or "frac" in text or "." in text))
    return f"({text})" if loose or (sign and text.startswith("-")) else text
