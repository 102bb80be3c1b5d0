"""High-school algebra templates that students ask about: simplifying radicals, logarithm values, solving a
quadratic (both roots), the midpoint, the nth term of a geometric sequence, and derivatives of polynomials.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import sympy

from trainer.data.synth.base import (
    CDOT,
    FRAC,
    Draft,
    nonzero,
    paren,
    poly_tex,
    show,
    signed_term,
    split_square,
    surd_tex,
    sym,
    template,
    tex,
    upto,
)

SQUAREFREE = (2, 3, 5, 6, 7, 10, 11, 13, 14, 15, 17, 19, 21, 22, 23)


@template("Algebra")
def simplify_radical(rng: random.Random, level: int) -> Draft:
    """sqrt(k^2 m) = k sqrt(m); from level 3 a product sqrt(a) sqrt(b) first."""
    k, m = rng.randint(2, 3 + 2 * level), rng.choice(SQUAREFREE[: 4 + 2 * level])
    n = k * k * m
    steps = []
    if level >= 3:
        a = rng.choice([d for d in range(2, n) if n % d == 0 and d * d != n] or [1])
        b = n // a
        steps.append(f"$\\sqrt{{{a}}} \\cdot \\sqrt{{{b}}} = \\sqrt{{{a} \\cdot {b}}}$ and ${show(f'{a}{CDOT}{b}', n)}$.")
        problem = f"Simplify $\\sqrt{{{a}}} \\cdot \\sqrt{{{b}}}$."
        truth = sympy.sqrt(a) * sympy.sqrt(b)
    else:
        problem = f"Simplify $\\sqrt{{{n}}}$."
        truth = sympy.sqrt(n)
    k_found, m_found = split_square(n)
    steps += [f"The largest square factor of ${n}$ is ${show(f'{k_found}^2', k_found * k_found)}$: "
              f"${show(f'{k_found * k_found}{CDOT}{m_found}', n)}$.",
              f"So $\\sqrt{{{n}}} = \\sqrt{{{k_found * k_found}}} \\cdot \\sqrt{{{m_found}}} = {surd_tex(1, n)}$."]
    return Draft(problem, steps, surd_tex(1, n), truth)


@template("Intermediate Algebra")
def log_value(rng: random.Random, level: int) -> Draft:
    """log_b x for x a power of b (negative powers from level 3, a shared base from level 4), or b^x = N."""
    base = rng.choice((2, 3, 5, 10) if level <= 2 else (2, 3, 4, 5, 6, 7, 10))
    if level >= 4 and rng.random() < 0.5:  # log_{c^p} c^q = q/p
        root = rng.choice((2, 3))
        p, q = rng.randint(2, 3), rng.choice([v for v in range(1, 7) if v % 2 or root == 3])
        b, x = root**p, root**q
        value = Fraction(q, p)
        steps = [f"Both are powers of ${root}$: ${show(f'{root}^{p}', b)}$ and ${show(f'{root}^{q}', x)}$.",
                 f"So $\\log_{{{b}}} {x}$ is the power of ${root}^{p}$ that gives ${root}^{q}$: "
                 f"${show(f'{FRAC}{{{q}}}{{{p}}}', value)}$."]
        return Draft(f"Evaluate $\\log_{{{b}}} {x}$.", steps, tex(value), sympy.simplify(sympy.log(x) / sympy.log(b)))
    power = rng.randint(1, 2 + level) * (rng.choice((1, -1)) if level >= 3 else 1)
    value = Fraction(base) ** power
    if power > 0 and level >= 2 and rng.random() < 0.5:  # the equation form
        steps = [f"${show(f'{base}^{{{power}}}', value)}$, so $x = {power}$."]
        truth = sympy.log(sympy.Integer(value), base)
        return Draft(f"Solve for $x$: ${base}^x = {tex(value)}$.", steps, str(power), truth)
    steps = [f"${show(f'{base}^{{{power}}}', value)}$.", f"So $\\log_{{{base}}} {tex(value)} = {power}$."]
    return Draft(f"Evaluate $\\log_{{{base}}} {tex(value)}$.", steps, str(power), sympy.log(sym(value), base))


@template("Algebra")
def quadratic_solve(rng: random.Random, level: int) -> Draft:
    """Solve a x^2 + b x + c = 0 for both roots: factoring (a = 1) or the quadratic formula (rational roots)."""
    big = upto(level, 1) + 2
    if level <= 3:
        lead, r1, r2 = 1, Fraction(rng.randint(-big, big)), Fraction(rng.randint(-big, big))
    else:
        lead = rng.randint(2, 3 + level)
        r1, r2 = Fraction(rng.randint(-big, big), rng.choice((1, lead))), Fraction(rng.randint(-big, big))
    a, b, c = lead * r1.denominator, -lead * r1.denominator * (r1 + r2), lead * r1.denominator * r1 * r2
    a, b, c = int(a), int(b), int(c)
    roots = sorted({r1, r2})
    answer = ", ".join(tex(r) for r in roots)
    x = sympy.Symbol("x")
    truth = sympy.FiniteSet(*sympy.solve(a * x**2 + b * x + c, x))
    if a == 1:
        p, q = -r1, -r2
        factors = "".join(f"(x{signed_term(v)})" if v else "x" for v in (p, q))
        steps = [f"I need two numbers whose product is ${c}$ and whose sum is ${b}$: ${tex(p)}$ and ${tex(q)}$, since "
                 f"${show(f'{tex(p)}{CDOT}{paren(q)}', c)}$ and ${show(f'{tex(p)} + {paren(q)}', b)}$.",
                 f"So ${factors} = 0$, and $x = {tex(r1)}$ or $x = {tex(r2)}$."]
    else:
        disc = b * b - 4 * a * c
        root = math.isqrt(disc)
        steps = [f"By the quadratic formula, $x = \\frac{{-b \\pm \\sqrt{{b^2 - 4ac}}}}{{2a}}$ with $a = {a}$, $b = {b}$, "
                 f"$c = {c}$.",
                 f"$b^2 - 4ac = {show(f'{paren(b)}^2 - 4{CDOT}{a}{CDOT}{paren(c)}', disc)}$, and ${show(f'{root}^2', disc)}$, "
                 f"so $\\sqrt{{{disc}}} = {root}$.",
                 f"$x = {show(f'{FRAC}{{{-b} + {root}}}{{2{CDOT}{a}}}', Fraction(-b + root, 2 * a))}$ or "
                 f"$x = {show(f'{FRAC}{{{-b} - {root}}}{{2{CDOT}{a}}}', Fraction(-b - root, 2 * a))}$."]
    if len(roots) == 1:
        steps.append(f"Both roots are ${answer}$.")
    return Draft(f"Solve ${poly_tex([a, b, c])} = 0$. Give all solutions.", steps, answer, truth)


@template("Algebra")
def midpoint(rng: random.Random, level: int) -> Draft:
    """The midpoint of a segment (at higher levels: the other endpoint from the midpoint)."""
    big = upto(level, 1) + 3
    x1, y1, x2, y2 = (rng.randint(-big, big) for _ in range(4))
    mx, my = Fraction(x1 + x2, 2), Fraction(y1 + y2, 2)
    if level >= 4 and rng.random() < 0.5:
        mx, my = Fraction(rng.randint(-big, big)), Fraction(rng.randint(-big, big))
        ex, ey = 2 * mx - x1, 2 * my - y1
        steps = ["The midpoint is the average of the endpoints, so the other endpoint is twice the midpoint minus the "
                 "given endpoint.",
                 f"$x = {show(f'2{CDOT}{paren(mx)} - {paren(x1)}', ex)}$ and $y = {show(f'2{CDOT}{paren(my)} - {paren(y1)}', ey)}$."]
        answer = f"({tex(ex)}, {tex(ey)})"
        truth = sympy.Tuple(*(2 * sympy.Point(mx, my) - sympy.Point(x1, y1)))
        return Draft(f"The midpoint of a segment is $({tex(mx)}, {tex(my)})$ and one endpoint is $({x1}, {y1})$. What is "
                     "the other endpoint?", steps, answer, truth)
    steps = ["The midpoint averages the coordinates.",
             f"$x = {show(f'{FRAC}{{{x1} + {paren(x2)}}}{{2}}', mx)}$ and $y = {show(f'{FRAC}{{{y1} + {paren(y2)}}}{{2}}', my)}$."]
    truth = sympy.Tuple(*sympy.Point(x1, y1).midpoint(sympy.Point(x2, y2)))
    return Draft(f"What is the midpoint of the segment with endpoints $({x1}, {y1})$ and $({x2}, {y2})$?", steps,
                 f"({tex(mx)}, {tex(my)})", truth)


@template("Algebra")
def geometric_sequence_term(rng: random.Random, level: int) -> Draft:
    """The nth term a r^(n-1) of a geometric sequence from its first terms."""
    first = nonzero(rng, -upto(level, 1) // 2, upto(level, 1) // 2 + 1)
    ratio = Fraction(rng.choice((2, 3, -2, 4, 5, -3)[: 3 + level // 2]))
    if level >= 4 and rng.random() < 0.5:
        ratio = Fraction(1, rng.choice((2, 3))) * rng.choice((1, -1))
        first *= int(ratio.denominator ** 4)
    n = rng.randint(4, 5 + level)
    terms = [first * ratio**i for i in range(3)]
    value = first * ratio ** (n - 1)
    steps = [f"The common ratio is $r = {show(f'{FRAC}{{{tex(terms[1])}}}{{{tex(terms[0])}}}', ratio)}$.",
             f"The ${n}$th term is $a_1 r^{{n-1}} = {show(f'{first}{CDOT}{paren_power(ratio)}^{{{n - 1}}}', value)}$."]
    truth = sympy.Integer(first)
    for _ in range(n - 1):  # term by term, not the closed form
        truth *= sym(ratio)
    problem = f"What is the ${n}$th term of the geometric sequence ${', '.join(tex(t) for t in terms)}, \\ldots$?"
    word = (f"A colony of bacteria starts with {first} cells and the count multiplies by {tex(ratio)} every hour. How many "
            f"cells are there after {n - 1} hours?") if first > 1 and ratio > 1 else None
    return Draft(problem, steps, tex(value), truth, word)


def paren_power(value: Fraction) -> str:
    """A base ready for `^`: `3`, `\\left(-2\\right)`, `\\left(\\frac{1}{2}\\right)`."""
    return tex(value) if value.denominator == 1 and value > 0 else f"\\left({tex(value)}\\right)"


@template("Precalculus")
def polynomial_derivative(rng: random.Random, level: int) -> Draft:
    """The derivative of a polynomial by the power rule (levels 1-2), or its value at a point."""
    degree = 2 + (level + 1) // 2
    coeffs = [nonzero(rng, -5, 5)] + [rng.randint(-upto(level, 1) // 2, upto(level, 1) // 2) for _ in range(degree)]
    x = sympy.Symbol("x")
    poly = sum(c * x ** (degree - i) for i, c in enumerate(coeffs))
    derived = [c * (degree - i) for i, c in enumerate(coeffs[:-1])]
    steps = ["By the power rule, the derivative of $ax^n$ is $anx^{n-1}$, and a constant's derivative is $0$."]
    for i, c in enumerate(coeffs[:-1]):
        if c:
            power = degree - i
            steps.append(f"${poly_tex([c, 0])}$ becomes ${c}$." if power == 1 else
                         f"${poly_tex([c] + [0] * power)}$ becomes ${show(f'{c}{CDOT}{power}', c * power)}$ times "
                         f"${poly_tex([1] + [0] * (power - 1))}$.")
    if level <= 2:
        answer = poly_tex(derived)
        steps.append(f"So $f'(x) = {answer}$.")
        return Draft(f"Find the derivative of $f(x) = {poly_tex(coeffs)}$.", steps, answer, sympy.diff(poly, x))
    k = nonzero(rng, -3, 3)
    value = sum(c * k ** (len(derived) - 1 - i) for i, c in enumerate(derived))
    at = f"{paren(k)}" if k > 0 else f"\\left({k}\\right)"
    terms = [f"{c}{CDOT}{at}^{len(derived) - 1 - i}" if len(derived) - 1 - i > 1 else
             (f"{c}{CDOT}{at}" if len(derived) - 1 - i == 1 else str(c)) for i, c in enumerate(derived) if c]
    steps += [f"So $f'(x) = {poly_tex(derived)}$.",
              f"$f'({k}) = {show(join_sum_text(terms), value)}$."]
    return Draft(f"If $f(x) = {poly_tex(coeffs)}$, what is $f'({k})$?", steps, str(value),
                 sympy.diff(poly, x).subs(x, k))


def join_sum_text(terms: list[str]) -> str:
    """Terms (each possibly starting with `-`) joined into a sum: `12 \\cdot 2^3 - 4 \\cdot 2 + 5`."""
    text = terms[0]
    for term in terms[1:]:
        text += f" - {term[1:]}" if term.startswith("-") else f" + {term}"
    return text

