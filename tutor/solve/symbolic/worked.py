"""Worked steps for what the direct computation solved, written the way the tutor's models write solutions:
one small step a line, every computation an explicit equality (which the step check verifies), the answer
boxed on the last line. Shown to the student when the computation decided the answer and no written solution
reached it, or reached it through a false step.

    linear_steps(3*x + 7, 22, x)
    # ["Subtract $7$ from both sides: $3x = 22 - 7 = 15$.",
    #  "Divide both sides by $3$: $x = \\frac{15}{3} = 5$.",
    #  "The final answer is $\\boxed{5}$."]

Only linear equations in one unknown with rational coefficients for now; anything else gets no steps
(an empty list), and the tutor then shows the best written attempt, marked as such.
"""

from __future__ import annotations

import re

import sympy

_COEFFICIENT_SPACE = re.compile(r"(\d|\}) ([A-Za-z])")


def linear_steps(lhs: sympy.Expr, rhs: sympy.Expr, x: sympy.Symbol, bracketed: bool = False,
                 answer: str | None = None) -> list[str]:
    """The steps that solve `lhs = rhs` for `x`, or [] when it is not linear with rational coefficients.
    `bracketed`: the equation was written with brackets, which sympy multiplied out as it read them
    (`2(x + 3)` is read as `2x + 6`), so the first step says so. `answer`: the computed answer as the tutor
    shows it, boxed on the last line (else the value as these steps write it). Numbers are written as exact
    fractions, also where the problem wrote decimals."""
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
    elif not a.is_Integer:  # a fraction: multiply by its reciprocal
        steps.append(f"Multiply both sides by ${_tex(1 / a)}$: ${x} = {_tex(1 / a)} \\cdot {_factor(b)} = {_tex(value)}$.")
    elif a != 1:
        already = a > 0 and b.is_Integer and sympy.gcd(b, a) == 1  # \frac{14}{3} is its own value
        worked = _tex(value) if already else f"\\frac{{{_tex(b)}}}{{{_tex(a)}}} = {_tex(value)}"
        steps.append(f"Divide both sides by ${_tex(a)}$: ${x} = {worked}$.")
    steps.append(f"The final answer is $\\boxed{{{answer or _tex(value)}}}$.")
    return steps


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


def _tex(value: sympy.Expr) -> str:
    """Fractions as `\\frac{p}{q}` with the sign outside, `3x` not `3 x`, the rest as sympy writes it."""
    if value.is_Rational and not value.is_Integer:
        sign = "-" if value < 0 else ""
        return f"{sign}\\frac{{{abs(int(value.p))}}}{{{int(value.q)}}}"
    text = sympy.latex(value)
    return _COEFFICIENT_SPACE.sub(r"\1\2", "-" + text[2:] if text.startswith("- ") else text)
