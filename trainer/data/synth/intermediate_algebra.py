"""Intermediate algebra templates: remainder theorem, Vieta, series, logarithms, absolute values, complex
numbers, binomial coefficients, telescoping sums, quadratic extrema."""

from __future__ import annotations

import functools
import math
import random
from fractions import Fraction

import sympy

from trainer.data.synth.base import (
    FRAC,
    Draft,
    binom_tex,
    join_sum,
    nonzero,
    paren,
    poly_tex,
    show,
    signed_term,
    sym,
    template,
    tex,
    upto,
)

SUBJECT = "Intermediate Algebra"
CDOT = " \\cdot "


@template(SUBJECT)
def remainder_theorem(rng: random.Random, level: int) -> Draft:
    """Remainder of p(x) divided by (x - a) is p(a), evaluated term by term."""
    degree = 2 + level // 2
    coeffs = [nonzero(rng, -5, 5)] + [rng.randint(-upto(level, 1), upto(level, 1)) for _ in range(degree)]
    a = nonzero(rng, -3, 3)
    terms = [c * a ** (degree - i) for i, c in enumerate(coeffs)]
    value = sum(terms)
    divisor = f"x {'-' if a > 0 else '+'} {abs(a)}"
    steps = [f"By the remainder theorem, the remainder is $p({a})$."]
    for i, c in enumerate(coeffs[:-1]):
        power = degree - i
        steps.append(f"${show(f'{c}{CDOT}{paren(a)}^{power}', terms[i])}$.")
    steps.append(f"Adding the constant term, $p({a}) = {show(join_sum(terms), value)}$.")
    x = sympy.Symbol("x")
    _, remainder = sympy.div(sympy.Poly(coeffs, x), sympy.Poly([1, -a], x))
    return Draft(f"What is the remainder when ${poly_tex(coeffs)}$ is divided by ${divisor}$?", steps, str(value),
                 remainder.as_expr())


@template(SUBJECT)
def vieta_sum_of_squares(rng: random.Random, level: int) -> Draft:
    """r^2 + s^2 (or 1/r + 1/s) for the roots of ax^2 + bx + c from Vieta's formulas."""
    a = 1 if level <= 2 else nonzero(rng, -4, 4)
    b, c = rng.randint(-upto(level, 1), upto(level, 1)), nonzero(rng, -upto(level, 1), upto(level, 1))
    total, product = Fraction(-b, a), Fraction(c, a)
    steps = [f"By Vieta's formulas, $r + s = -\\frac{{b}}{{a}} = {show(f'{FRAC}{{{-b}}}{{{a}}}', total)}$ and "
             f"$rs = \\frac{{c}}{{a}} = {show(f'{FRAC}{{{c}}}{{{a}}}', product)}$."]
    # Independently: the roots are the eigenvalues of the companion matrix C, so r^2 + s^2 = tr(C^2) and
    # 1/r + 1/s = tr(C^-1).
    companion = sympy.Matrix([[0, -sympy.Rational(c, a)], [1, -sympy.Rational(b, a)]])
    if rng.random() < 0.5:
        value = total * total - 2 * product
        steps += ["$r^2 + s^2 = (r + s)^2 - 2rs$.",
                  f"$(r + s)^2 = {show(f'{paren(total)}^2', total * total)}$ and $2rs = {show(f'2{CDOT}{paren(product)}', 2 * product)}$.",
                  f"So $r^2 + s^2 = {tex(total * total)} - {paren(2 * product)} = {tex(value)}$."]
        question = "r^2 + s^2"
        truth = (companion * companion).trace()
    else:
        value = total / product
        steps += ["$\\frac{1}{r} + \\frac{1}{s} = \\frac{r + s}{rs}$.",
                  f"So $\\frac{{1}}{{r}} + \\frac{{1}}{{s}} = {show(f'{FRAC}{{{tex(total)}}}{{{tex(product)}}}', value)}$."]
        question = "\\frac{1}{r} + \\frac{1}{s}"
        truth = companion.inv().trace()
    return Draft(f"Let $r$ and $s$ be the roots of ${poly_tex([a, b, c])} = 0$. Compute ${question}$.", steps,
                 tex(value), truth)


@template(SUBJECT)
def geometric_series(rng: random.Random, level: int) -> Draft:
    """Finite geometric sum (levels 1-3) or an infinite one with |r| < 1 (levels 4-5)."""
    first = nonzero(rng, -upto(level, 1), upto(level, 1))
    if level <= 3:
        ratio = rng.choice((2, 3, -2, -3, 4))
        n = rng.randint(3, 4 + level)
        terms = [first * ratio**i for i in range(n)]
        value = first * (ratio**n - 1) // (ratio - 1)
        steps = [f"The first term is $a = {first}$ and the common ratio is $r = {ratio}$, with ${n}$ terms.",
                 f"The sum is $a \\cdot \\frac{{r^n - 1}}{{r - 1}} = "
                 f"{show(f'{first}{CDOT}{FRAC}{{{paren(ratio)}^{{{n}}} - 1}}{{{ratio} - 1}}', value)}$."]
        shown = " + ".join(str(t) if t >= 0 else f"({t})" for t in terms)
        return Draft(f"Compute ${shown}$.", steps, str(value), sympy.Add(*(sympy.Integer(t) for t in terms)))
    ratio = Fraction(nonzero(rng, -4, 4), rng.randint(5, 9))
    value = Fraction(first) / (1 - ratio)
    shown = ", ".join(tex(first * ratio**i) for i in range(3))
    steps = [f"The first term is ${first}$ and the common ratio is $r = {show(f'{FRAC}{{{tex(first * ratio)}}}{{{first}}}', ratio)}$.",
             f"Since $|r| < 1$, the sum is $\\frac{{a}}{{1 - r}} = {show(f'{FRAC}{{{first}}}{{1 - {paren(ratio)}}}', value)}$."]
    truth = first * _series_sum(ratio)
    return Draft(f"Find the sum of the infinite geometric series whose first three terms are ${shown}$.", steps,
                 tex(value), truth)


@functools.cache
def _series_sum(ratio: Fraction) -> sympy.Basic:
    """sum_{k>=0} ratio^k evaluated by sympy's summation (cached: few distinct ratios, each slow)."""
    k = sympy.Symbol("k", integer=True, nonnegative=True)
    return sympy.summation(sym(ratio) ** k, (k, 0, sympy.oo))


@template(SUBJECT)
def logarithm_sum(rng: random.Random, level: int) -> Draft:
    """log_b x + log_b y - log_b z with the product a power of b."""
    base = rng.choice((2, 3, 5, 10))
    exponent = rng.randint(1, 2 + level)
    total = base**exponent
    splits = 2 + (level >= 3)
    parts = []
    remaining = exponent
    for _ in range(splits - 1):
        piece = rng.randint(0, remaining)
        parts.append(base**piece)
        remaining -= piece
    parts.append(base**remaining)
    extra = base ** rng.randint(1, 2) if level >= 4 else 1
    parts[0] *= extra
    shown = " + ".join(f"\\log_{{{base}}} {p}" for p in parts) + (f" - \\log_{{{base}}} {extra}" if extra > 1 else "")
    steps = [f"Using $\\log_b x + \\log_b y = \\log_b (xy)$, the sum is $\\log_{{{base}}} ({CDOT.join(map(str, parts))})"
             + (f" - \\log_{{{base}}} {extra}" if extra > 1 else "") + f"$, and ${show(CDOT.join(map(str, parts)), math.prod(parts))}$."]
    if extra > 1:
        steps.append(f"Using $\\log_b x - \\log_b y = \\log_b \\frac{{x}}{{y}}$, this is $\\log_{{{base}}} "
                     f"\\frac{{{math.prod(parts)}}}{{{extra}}}$, and ${show(f'{FRAC}{{{math.prod(parts)}}}{{{extra}}}', total)}$.")
    steps.append(f"Since ${show(f'{base}^{{{exponent}}}', total)}$, $\\log_{{{base}}} {total} = {exponent}$.")
    truth = sympy.Add(*(sympy.log(p, base) for p in parts)) - sympy.log(extra, base)
    return Draft(f"Evaluate ${shown}$.", steps, str(exponent), sympy.nsimplify(sympy.expand_log(truth, force=True)))


@template(SUBJECT)
def absolute_value_equation(rng: random.Random, level: int) -> Draft:
    """|ax + b| = c: the sum (or product) of the solutions."""
    a = nonzero(rng, -3 - level, 3 + level) if level >= 3 else rng.randint(1, 3)
    b, c = rng.randint(-upto(level), upto(level)), rng.randint(1, upto(level))
    x1, x2 = Fraction(c - b, a), Fraction(-c - b, a)
    inner = poly_tex([a, b])
    steps = [f"Either ${inner} = {c}$ or ${inner} = {-c}$.",
             f"In the first case ${poly_tex([a, 0])} = {show(f'{c} - {paren(b)}', c - b)}$"
             + (f", so $x = {show(f'{FRAC}{{{c - b}}}{{{a}}}', x1)}$." if a != 1 else "."),
             f"In the second case ${poly_tex([a, 0])} = {show(f'{-c} - {paren(b)}', -c - b)}$"
             + (f", so $x = {show(f'{FRAC}{{{-c - b}}}{{{a}}}', x2)}$." if a != 1 else ".")]
    if rng.random() < 0.5:
        value, ask = x1 + x2, "sum"
        steps.append(f"The sum of the solutions is ${tex(x1)} + {paren(x2)} = {tex(value)}$.")
    else:
        value, ask = x1 * x2, "product"
        steps.append(f"The product of the solutions is ${tex(x1)} \\cdot {paren(x2)} = {tex(value)}$.")
    roots = [(s * c - b) / sympy.Integer(a) for s in (1, -1)]
    truth = roots[0] + roots[1] if ask == "sum" else roots[0] * roots[1]
    return Draft(f"What is the {ask} of all solutions of $|{inner}| = {c}$?", steps, tex(value), truth)


@template(SUBJECT)
def complex_product(rng: random.Random, level: int) -> Draft:
    """(a + bi)(c + di) expanded step by step, using i^2 = -1."""
    big = upto(level, 1)
    a, b, c, d = rng.randint(-big, big), nonzero(rng, -big, big), rng.randint(-big, big), nonzero(rng, -big, big)

    def z(re: int, im: int) -> str:
        body = "i" if im == 1 else "-i" if im == -1 else f"{im}i"
        return body if re == 0 else f"{re}{signed_term(im, 'i')}"
    real, imag = a * c - b * d, a * d + b * c
    steps = ["Expanding with $i^2 = -1$, $(a + bi)(c + di) = (ac - bd) + (ad + bc)i$.",
             f"The real part is ${show(f'{a}{CDOT}{paren(c)} - {paren(b)}{CDOT}{paren(d)}', real)}$.",
             f"The imaginary part is ${show(f'{a}{CDOT}{paren(d)} + {paren(b)}{CDOT}{paren(c)}', imag)}$."]
    answer = z(real, imag) if imag else str(real)
    # Multiply as 2x2 real matrices [[a, -b], [b, a]], an independent route to the product.
    product = sympy.Matrix([[a, -b], [b, a]]) * sympy.Matrix([c, d])
    truth = product[0] + product[1] * sympy.I
    return Draft(f"Simplify $({z(a, b)})({z(c, d)})$, where $i^2 = -1$.", steps, answer, truth)


@template(SUBJECT)
def binomial_coefficient_term(rng: random.Random, level: int) -> Draft:
    """The coefficient of x^k in (x + a)^n (level >= 3: (px + q)^n) by the binomial theorem."""
    n = rng.randint(3, 3 + level)
    k = rng.randint(1, n - 1)
    p = 1 if level <= 2 else nonzero(rng, -3, 3)
    q = nonzero(rng, -3 - level, 3 + level)
    binom = math.comb(n, k)
    power = "x" if k == 1 else f"x^{k}"
    value = binom * p**k * q ** (n - k)
    inner = poly_tex([p, q])
    steps = [f"By the binomial theorem, the ${power}$ term of $({inner})^{n}$ is $\\binom{{{n}}}{{{k}}}({poly_tex([p, 0])})^{k}"
             f"({q})^{{{n - k}}}$.",
             f"${binom_tex(n, k)}$, ${show(f'{paren(p)}^{k}', p ** k)}$ and ${show(f'{paren(q)}^{{{n - k}}}', q ** (n - k))}$.",
             f"So the coefficient is ${show(f'{binom}{CDOT}{paren(p ** k)}{CDOT}{paren(q ** (n - k))}', value)}$."]
    expansion = [1]  # coefficients of (px + q)^j, lowest degree first, by repeated multiplication
    for _ in range(n):
        expansion = [q * lo + p * hi for lo, hi in zip([*expansion, 0], [0, *expansion])]
    truth = sympy.Integer(expansion[k])
    return Draft(f"What is the coefficient of ${power}$ in the expansion of $({inner})^{n}$?", steps, str(value), truth)


@template(SUBJECT)
def telescoping_sum(rng: random.Random, level: int) -> Draft:
    """sum_{k=1}^{n} 1/(k(k+d)) by partial fractions."""
    d = 1 if level <= 3 else rng.randint(2, 3)
    n = rng.randint(5, upto(level, 10))
    value = Fraction(1, d) * sum(Fraction(1, j) for j in range(1, d + 1)) - Fraction(1, d) * sum(
        Fraction(1, n + j) for j in range(1, d + 1))
    steps = [f"By partial fractions, $\\frac{{1}}{{k(k + {d})}} = \\frac{{1}}{{{d}}}\\left(\\frac{{1}}{{k}} - "
             f"\\frac{{1}}{{k + {d}}}\\right)$." if d > 1 else
             "By partial fractions, $\\frac{1}{k(k + 1)} = \\frac{1}{k} - \\frac{1}{k + 1}$.",
             "The sum telescopes: almost every $\\frac{1}{k}$ cancels with a later $-\\frac{1}{k}$."]
    first = " + ".join(f"\\frac{{1}}{{{j}}}" if j > 1 else "1" for j in range(1, d + 1))
    last = " + ".join(f"\\frac{{1}}{{{n + j}}}" for j in range(1, d + 1))
    head = f"\\frac{{1}}{{{d}}}" if d > 1 else ""
    steps.append(f"What is left is ${head}\\left({first} - \\left({last}\\right)\\right) = {tex(value)}$."
                 if d > 1 else f"What is left is $1 - \\frac{{1}}{{{n + 1}}} = {tex(value)}$.")
    truth = sympy.Add(*(sympy.Rational(1, k * (k + d)) for k in range(1, n + 1)))
    shown = f"\\frac{{1}}{{1 \\cdot {1 + d}}} + \\frac{{1}}{{2 \\cdot {2 + d}}} + \\cdots + \\frac{{1}}{{{n} \\cdot {n + d}}}"
    return Draft(f"Compute ${shown}$.", steps, tex(value), truth)


@template(SUBJECT)
def quadratic_extremum(rng: random.Random, level: int) -> Draft:
    """The minimum (a > 0) or maximum (a < 0) value of ax^2 + bx + c by completing the square."""
    a = nonzero(rng, -2 - level, 2 + level)
    b, c = rng.randint(-upto(level, 1), upto(level, 1)), rng.randint(-upto(level), upto(level))
    vertex = Fraction(-b, 2 * a)
    value = a * vertex * vertex + b * vertex + c
    kind = "minimum" if a > 0 else "maximum"
    at = f"\\left({tex(vertex)}\\right)"
    steps = [f"The {kind} of a quadratic $ax^2 + bx + c$ is at $x = -\\frac{{b}}{{2a}} = {show(f'-{FRAC}{{{b}}}{{2{CDOT}{paren(a)}}}', vertex)}$.",
             f"There the value is ${show(f'{a}{at}^2 + {paren(b)}{at} + {paren(c)}', value)}$."]
    truth = sympy.Integer(c) - sympy.Rational(b * b, 4 * a)  # c - b^2/(4a), the completed square
    return Draft(f"What is the {kind} value of ${poly_tex([a, b, c])}$ over all real $x$?", steps, tex(value), truth)
