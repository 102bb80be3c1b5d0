"""Solving what a problem states: one equation in one unknown, or a square system of linear equations.

Claims are made only where they are certain: a polynomial equation of degree <= 2 (any real roots, in
radicals), of degree 3 or 4 only when every root is rational; a rational equation's roots that make a
denominator zero are dropped. An equation with no solution, or one every number solves, is ill-posed and
says which; so is a system whose equations contradict each other or say the same thing twice.
"""

from __future__ import annotations

import sympy

from tutor.solve.symbolic.domain import as_power
from tutor.solve.symbolic.segments import IllPosed, NotReadable

MAX_DEGREE = 4
MAX_UNKNOWNS = 3


def solve_one(equation: str, lhs: sympy.Expr, rhs: sympy.Expr, x: sympy.Symbol, reals: str) -> list[sympy.Expr]:
    """The roots of lhs = rhs in x, ascending. `reals`: "real" (only real roots asked for), "complex" (all
    roots) or "" (the problem does not say: a non-real root makes it not directly computable)."""
    if (lhs - rhs).has(sympy.Pow) and any(p.exp.has(x) for p in (lhs - rhs).atoms(sympy.Pow)):
        left, right = _exponents(lhs, rhs, x)
        return solve_one(equation, left, right, x, reals)
    if _square_roots(lhs - rhs, x):
        return _radical(equation, lhs - rhs, x)
    numerator, denominator = sympy.fraction(sympy.together(lhs - rhs))
    try:
        poly = sympy.Poly(sympy.expand(numerator), x)
    except sympy.PolynomialError as exc:
        raise NotReadable("not a polynomial equation") from exc
    shown = _shown(equation)
    if poly.is_zero:
        raise IllPosed(f"Every number is a solution of {shown}, so it has no single answer.")
    if poly.degree() == 0:
        raise IllPosed(f"The equation {shown} has no solution.")
    if poly.degree() > MAX_DEGREE or (poly.degree() > 1 and not poly.domain.is_QQ and not poly.domain.is_ZZ):
        raise NotReadable("an equation of high degree or with irrational coefficients")
    roots = _roots(poly)
    roots = [root for root in roots if not denominator.subs(x, root).is_zero]
    if not roots:
        raise IllPosed(f"The equation {shown} has no solution: its only candidates divide by zero.")
    real = [root for root in roots if root.is_real]
    if reals == "real":
        if not real:
            raise IllPosed(f"The equation {shown} has no real solution.")
        roots = real
    elif reals != "complex" and len(real) != len(roots):
        raise NotReadable("non-real roots, and the problem does not say whether they count")
    return sorted(roots, key=lambda r: (float(sympy.re(r)), float(sympy.im(r))))


def solve_in_turn(equation: str, lhs: sympy.Expr, rhs: sympy.Expr, x: sympy.Symbol) -> list[sympy.Expr]:
    """The solutions in [0, 2pi) of a polynomial equation in one of sin x, cos x, tan x (`2 sin^2 x - sin x - 1 = 0`),
    ascending: the polynomial's roots u, then every angle in one turn where the function is u. Each must be a
    rational multiple of pi. (Not sympy's solveset, which misses solutions of such equations.)"""
    difference = sympy.expand(lhs - rhs)
    functions = {f for f in difference.atoms(sympy.Function)}
    if len(functions) != 1 or next(iter(functions)).args != (x,) or next(iter(functions)).func not in _ONE_TURN:
        raise NotReadable("solutions in one turn asked of other than an equation in one of sin x, cos x, tan x")
    (function,) = functions
    u = sympy.Dummy("u")
    in_u = difference.xreplace({function: u})
    if in_u.has(x) or not in_u.is_polynomial(u):
        raise NotReadable("an equation in x besides its sin, cos or tan")
    poly = sympy.Poly(in_u, u)
    if poly.degree() < 1 or poly.degree() > 2 or not (poly.domain.is_QQ or poly.domain.is_ZZ):
        raise NotReadable("an equation of high degree in its trigonometric function")
    angles = set()
    for value in _roots(poly):
        if value.is_real:
            angles |= _ONE_TURN[function.func](value)
    roots = sorted(angles, key=float)
    if not roots:
        raise IllPosed(f"The equation {_shown(equation)} has no solution between 0 and 2 pi.")
    if any(not (root / sympy.pi).is_Rational for root in roots):
        raise NotReadable("an angle that is not a rational multiple of pi")
    if any(sympy.simplify(difference.subs(x, root)) != 0 for root in roots):
        raise NotReadable("a solution that does not check")
    return roots


def _turn(angles: list[sympy.Expr]) -> set[sympy.Expr]:
    return {sympy.Mod(a, 2 * sympy.pi) for a in angles}


_ONE_TURN = {
    sympy.sin: lambda v: _turn([sympy.asin(v), sympy.pi - sympy.asin(v)]) if abs(v) <= 1 else set(),
    sympy.cos: lambda v: _turn([sympy.acos(v), 2 * sympy.pi - sympy.acos(v)]) if abs(v) <= 1 else set(),
    sympy.tan: lambda v: _turn([sympy.atan(v), sympy.pi + sympy.atan(v)]),
}


def _square_roots(expression: sympy.Expr, x: sympy.Symbol) -> set[sympy.Expr]:
    return {p for p in expression.atoms(sympy.Pow) if p.exp == sympy.Rational(1, 2) and p.base.has(x)}


def _radical(equation: str, difference: sympy.Expr, x: sympy.Symbol) -> list[sympy.Expr]:
    """`sqrt(x + 5) = x - 1`: one square root of a polynomial, isolated (a sqrt(B) + C = 0) and squared; a
    candidate is kept only where -C / a >= 0 there (the square root's value is never negative), so the roots
    that squaring added are dropped. Real roots only, ascending."""
    (root,) = _square_roots(difference, x) if len(_square_roots(difference, x)) == 1 else (None,)
    if root is None:
        raise NotReadable("more than one square root of the unknown")
    r = sympy.Dummy("r")  # xreplace, not subs: subs would also rewrite x itself as sqrt(x)^2
    expanded = sympy.expand(sympy.expand(difference).xreplace({root: r}))
    if not expanded.is_polynomial(r) or sympy.degree(expanded, r) != 1:
        raise NotReadable("a square root that cannot be isolated")
    a, c = expanded.coeff(r, 1), expanded.coeff(r, 0)
    if a.has(x) or a == 0 or c.has(r) or not (c.is_polynomial(x) and root.base.is_polynomial(x)):
        raise NotReadable("a square root that cannot be isolated")
    isolated = -c / a  # sqrt(B) = isolated
    poly = sympy.Poly(sympy.expand(root.base - isolated**2), x)
    shown = _shown(equation)
    if poly.is_zero:
        raise NotReadable("a radical equation that holds wherever its side is not negative")
    if poly.degree() == 0:
        raise IllPosed(f"The equation {shown} has no solution.")
    if poly.degree() > MAX_DEGREE or (poly.degree() > 1 and not poly.domain.is_QQ and not poly.domain.is_ZZ):
        raise NotReadable("an equation of high degree or with irrational coefficients")
    candidates = [r for r in _roots(poly) if r.is_real]
    roots = [r for r in candidates if sympy.simplify(isolated.subs(x, r)).is_nonnegative]
    if any(sympy.simplify(isolated.subs(x, r)).is_nonnegative is None for r in candidates):
        raise NotReadable("a candidate root whose check could not be decided")
    if not roots:
        raise IllPosed(f"The equation {shown} has no solution: squaring gives only roots that do not check.")
    return sorted(roots, key=float)


def _exponents(lhs: sympy.Expr, rhs: sympy.Expr, x: sympy.Symbol) -> tuple[sympy.Expr, sympy.Expr]:
    """`5^(x+1) = 125` as `x + 1 = 3`, `4^x = 8^(x-1)` as `2x = 3(x - 1)`: both sides written as powers of
    one number (or of it and its reciprocal), the equation of their exponents; NotReadable otherwise."""
    (root_l, exp_l), (root_r, exp_r) = _power_of(lhs, x), _power_of(rhs, x)
    if root_l == 1 or root_r == 1:  # b^(...) = 1
        return (exp_l, sympy.Integer(0)) if root_r == 1 else (sympy.Integer(0), exp_r)
    if root_l == root_r:
        return exp_l, exp_r
    if root_l == 1 / root_r:
        return exp_l, -exp_r
    raise NotReadable("an exponential equation whose sides are not powers of one number")


def _power_of(side: sympy.Expr, x: sympy.Symbol) -> tuple[sympy.Expr, sympy.Expr]:
    """(r, e) with side = r^e and r a positive rational other than 1 (or r = 1, e = 0 for the number 1)."""
    factors = sympy.Mul.make_args(side)
    pairs = []
    for factor in factors:
        base, exponent = (factor.base, factor.exp) if isinstance(factor, sympy.Pow) else (factor, sympy.Integer(1))
        if not (base.is_Rational and base.is_positive):
            raise NotReadable("an exponential equation with other than a positive rational base")
        if base == 1:
            continue
        root, k = as_power(base)
        pairs.append((root, k * exponent))
    if not pairs:
        return sympy.Integer(1), sympy.Integer(0)
    root = pairs[0][0]
    if any(r not in (root, 1 / root) for r, _ in pairs):
        raise NotReadable("a product of powers of different numbers")
    return root, sympy.expand(sum(e if r == root else -e for r, e in pairs))


def _shown(equation: str) -> str:
    """The equation as the student typed it, as math (`$...$`) where it has LaTeX in it."""
    return f"${equation}$" if "\\" in equation else equation


def _roots(poly: sympy.Poly) -> list[sympy.Expr]:
    """Distinct roots: in radicals up to degree 2, else only when all are rational."""
    if poly.degree() <= 2:
        return list(sympy.roots(poly, multiple=False))
    _, factors = sympy.factor_list(poly)
    if any(factor.degree() != 1 for factor, _ in factors):
        raise NotReadable("a cubic or quartic with irrational roots")
    return list({-factor.nth(0) / factor.nth(1) for factor, _ in factors})


def solve_linear_system(
    equations: list[tuple[str, sympy.Expr, sympy.Expr]], letters: set[sympy.Symbol]
) -> dict[sympy.Symbol, sympy.Expr]:
    """The one solution of a square (or over-determined) linear system in `letters`, by unknown."""
    unknowns = sorted(letters, key=str)
    if not 2 <= len(unknowns) <= MAX_UNKNOWNS or len(equations) < len(unknowns):
        raise NotReadable("not a system with as many equations as unknowns")
    differences = []
    for _, lhs, rhs in equations:
        difference = sympy.expand(lhs - rhs)
        try:
            if sympy.Poly(difference, *unknowns).total_degree() > 1:
                raise NotReadable("a system that is not linear")
        except sympy.PolynomialError as exc:
            raise NotReadable("a system that is not linear") from exc
        differences.append(difference)
    solutions = sympy.linsolve(differences, unknowns)
    if solutions == sympy.EmptySet:
        raise IllPosed("These equations contradict each other, so they have no solution.")
    (solution,) = solutions
    if any(value.free_symbols for value in solution):
        raise IllPosed("These equations do not pin the unknowns down: they have infinitely many solutions.")
    return dict(zip(unknowns, solution))
