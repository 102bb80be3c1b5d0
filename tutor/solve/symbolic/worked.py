"""Worked steps for what the direct computation solved, written the way the tutor's models write solutions:
one small step a line, every computation an explicit equality (which the step check verifies), the answer
boxed on the last line. Shown to the student when the computation decided the answer and no written solution
reached it, or reached it through a false step.

    linear_steps(3*x + 7, 22, x)
    # ["Subtract $7$ from both sides: $3x = 22 - 7 = 15$.",
    #  "Divide both sides by $3$: $x = \\frac{15}{3} = 5$.",
    #  "The final answer is $\\boxed{5}$."]

Linear and quadratic equations in one unknown with rational coefficients (quadratics with real roots: factored
where the roots are rational, else by the formula); anything else gets no steps (an empty list), and the
tutor then shows the best written attempt, marked as such.
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
    steps.append(f"The final answer is $\\boxed{{{answer}}}$.")
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
    text = sympy.latex(value).replace(r"\left(", "(").replace(r"\right)", ")")
    return _COEFFICIENT_SPACE.sub(r"\1\2", "-" + text[2:] if text.startswith("- ") else text)
