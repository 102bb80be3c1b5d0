"""Algebra templates: linear equations and systems, factorable quadratics, functions, lines, sequences."""

from __future__ import annotations

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
    surd_tex,
    sym,
    template,
    tex,
    upto,
)

SUBJECT = "Algebra"


@template(SUBJECT)
def linear_equation(rng: random.Random, level: int) -> Draft:
    """a x + b = c x + d with an integer (level <= 2) or fractional root chosen first."""
    root = Fraction(rng.randint(-upto(level), upto(level)), 1 if level <= 2 else rng.randint(1, level))
    a = nonzero(rng, -upto(level, 1) - 2, upto(level, 1) + 2)
    c = 0 if level == 1 else rng.choice([k for k in range(-9, 10) if k != a])
    b = rng.randint(-upto(level), upto(level))
    d = (a - c) * root + b  # the construction: a*root + b == c*root + d
    if d.denominator != 1:  # scale everything so the printed coefficients are integers
        scale = d.denominator
        a, b, c, d = a * scale, b * scale, c * scale, d * scale
    d = int(d)
    left = poly_tex([a, b])
    right = poly_tex([c, d]) if c else str(d)
    steps = [f"I want to get $x$ alone in ${left} = {right}$."]
    if c:
        steps.append(f"Subtracting ${poly_tex([c, 0])}$ from both sides leaves ${show(f'{a} - {paren(c)}', a - c)}$ "
                     f"times $x$: ${poly_tex([a - c, b])} = {d}$.")
    moved = f"{d} - {b}" if b >= 0 else f"{d} + {-b}"
    steps.append(f"{'Subtracting' if b >= 0 else 'Adding'} ${abs(b)}$ {'from' if b >= 0 else 'to'} both sides gives "
                 f"${poly_tex([a - c, 0])} = {show(moved, d - b)}$.")
    value = Fraction(d - b, a - c)
    steps.append(f"Dividing both sides by ${a - c}$ gives $x = {show(f'{FRAC}{{{d - b}}}{{{a - c}}}', value)}$.")
    word = None
    if c == 0 and a > 1 and b > 0 and value > 0 and value.denominator == 1:
        word = (f"@name@ buys {a} notebooks and a backpack that costs {b} dollars, and pays {d} dollars in all. How "
                "many dollars does one notebook cost?")
    return Draft(f"Solve for $x$: ${left} = {right}$.", steps, tex(value), sym(root), word)


@template(SUBJECT)
def linear_system(rng: random.Random, level: int) -> Draft:
    """Two equations in x, y with an integer solution; elimination; ask for x, y or a combination."""
    x0, y0 = rng.randint(-upto(level), upto(level)), rng.randint(-upto(level), upto(level))
    while True:
        a, b, c, d = (nonzero(rng, -3 - level, 3 + level) for _ in range(4))
        if a * d - b * c:
            break
    e, f = a * x0 + b * y0, c * x0 + d * y0
    eq1, eq2 = poly_tex([a, 0]) + signed_term(b, "y"), poly_tex([c, 0]) + signed_term(d, "y")
    det = a * d - b * c
    steps = [f"I'll eliminate $y$: multiply the first equation by ${d}$, the second by ${b}$, and subtract.",
             f"The $x$-coefficient becomes ${show(f'{a}{CDOT}{paren(d)} - {paren(b)}{CDOT}{paren(c)}', det)}$.",
             f"The right side becomes ${show(f'{e}{CDOT}{paren(d)} - {paren(f)}{CDOT}{paren(b)}', e * d - f * b)}$.",
             f"So ${det}x = {e * d - f * b}$ and $x = {show(f'{FRAC}{{{e * d - f * b}}}{{{det}}}', x0)}$.",
             f"Substituting into the first equation: ${a}{CDOT}{paren(x0)}{signed_term(b, 'y')} = {e}$, so "
             f"${poly_tex([b, 0], 'y')} = {show(f'{e} - {a}{CDOT}{paren(x0)}', e - a * x0)}$.",
             f"So $y = {show(f'{FRAC}{{{e - a * x0}}}{{{b}}}', y0)}$."]
    ask = rng.choice(("x", "y", "x + y") if level <= 3 else ("x + y", "xy", "x - y"))
    value = {"x": x0, "y": y0, "x + y": x0 + y0, "xy": x0 * y0, "x - y": x0 - y0}[ask]
    if ask not in ("x", "y"):
        op = {"x + y": "+", "xy": "\\cdot", "x - y": "-"}[ask]
        steps.append(f"Therefore ${ask} = {x0} {op} {paren(y0)} = {value}$.")
    # Cramer's rule on the printed coefficients, independent of the elimination above.
    sx, sy = sympy.Rational(e * d - b * f, det), sympy.Rational(a * f - c * e, det)
    truth = {"x": sx, "y": sy, "x + y": sx + sy, "xy": sx * sy, "x - y": sx - sy}[ask]
    problem = f"If ${eq1} = {e}$ and ${eq2} = {f}$, what is the value of ${ask}$?"
    return Draft(problem, steps, str(value), truth)


@template(SUBJECT)
def quadratic_roots(rng: random.Random, level: int) -> Draft:
    """x^2 + bx + c = 0 built from integer roots; factor and report the larger root, the sum or the product."""
    r1, r2 = rng.randint(-upto(level, 1) - 3, upto(level, 1) + 3), rng.randint(-upto(level, 1) - 3, upto(level, 1) + 3)
    lead = 1 if level <= 3 else rng.randint(1, 3)
    coeffs = [lead, -lead * (r1 + r2), lead * r1 * r2]
    steps = [f"I'll factor ${poly_tex(coeffs)}$."]
    if lead != 1:
        steps.append(f"First divide both sides by ${lead}$: ${poly_tex([1, -(r1 + r2), r1 * r2])} = 0$.")
    steps += [f"I need two numbers whose product is ${r1 * r2}$ and whose sum is ${-(r1 + r2)}$.",
              f"Those are ${-r1}$ and ${-r2}$: ${show(f'{-r1}{CDOT}{paren(-r2)}', r1 * r2)}$ and "
              f"${show(f'{-r1} + {paren(-r2)}', -(r1 + r2))}$.",
              f"So the equation is $(x{signed_term(-r1)})(x{signed_term(-r2)}) = 0$."
              if r1 and r2 else f"The equation factors as $x(x{signed_term(-(r1 or r2))}) = 0$." if (r1 or r2) else
              "The equation is $x^2 = 0$.",
              f"The solutions are $x = {r1}$ and $x = {r2}$."]
    ask = rng.choice(("larger", "sum", "product"))
    if ask == "larger":
        value, question = max(r1, r2), "What is the larger solution"
        steps.append(f"The larger solution is ${value}$.")
    elif ask == "sum":
        value, question = r1 + r2, "What is the sum of the solutions"
        steps.append(f"Their sum is ${r1} + {paren(r2)} = {value}$.")
    else:
        value, question = r1 * r2, "What is the product of the solutions"
        steps.append(f"Their product is ${r1} \\cdot {paren(r2)} = {value}$.")
    # Independently of the factoring: the quadratic formula and Vieta on the printed coefficients.
    a, b, c = (sympy.Integer(v) for v in coeffs)
    truth = {"larger": (-b + sympy.sqrt(b * b - 4 * a * c)) / (2 * a), "sum": -b / a, "product": c / a}[ask]
    return Draft(f"{question} of ${poly_tex(coeffs)} = 0$?", steps, str(value), truth)


@template(SUBJECT)
def evaluate_function(rng: random.Random, level: int) -> Draft:
    """f(x) = ax^2 + bx + c at a point; at higher levels f(g(k)) with a linear g."""
    a, b, c = (rng.randint(-upto(level, 1), upto(level, 1)) for _ in range(3))
    a = a or 1
    k = rng.randint(-5 - level, 5 + level)
    f_tex = poly_tex([a, b, c])
    steps = []
    def f(v: sympy.Integer) -> sympy.Integer:  # Horner form, unlike the term-by-term steps
        return (a * v + b) * v + c

    if level >= 3:
        m, n = nonzero(rng, -5, 5), rng.randint(-9, 9)
        inner = m * k + n
        steps.append(f"First, $g({k}) = {m} \\cdot {paren(k)}{signed_term(n)} = {inner}$." if n else
                     f"First, $g({k}) = {m} \\cdot {paren(k)} = {inner}$.")
        problem = f"Let $f(x) = {f_tex}$ and $g(x) = {poly_tex([m, n])}$. What is $f(g({k}))$?"
        point = inner
        truth = f(m * sympy.Integer(k) + n)
    else:
        problem = f"Let $f(x) = {f_tex}$. What is $f({k})$?"
        point = k
        truth = f(sympy.Integer(k))
    value = a * point**2 + b * point + c
    steps += [f"$f({point}) = {a} \\cdot {paren(point)}^2 + {paren(b)} \\cdot {paren(point)} + {paren(c)}$.",
              f"${paren(point)}^2 = {point ** 2}$, so the first term is ${a} \\cdot {point ** 2} = {a * point ** 2}$.",
              f"The second term is ${b} \\cdot {paren(point)} = {b * point}$.",
              f"Adding, ${a * point ** 2} + {paren(b * point)} + {paren(c)} = {value}$."]
    return Draft(problem, steps, str(value), truth)


@template(SUBJECT)
def slope_between_points(rng: random.Random, level: int) -> Draft:
    """Slope of the line through two points (and at higher levels its y-intercept)."""
    big = upto(level, 1) + 3
    x1, y1, y2 = rng.randint(-big, big), rng.randint(-big, big), rng.randint(-big, big)
    x2 = rng.choice([v for v in range(-big, big + 1) if v != x1])
    slope = Fraction(y2 - y1, x2 - x1)
    steps = [f"$y_2 - y_1 = {show(f'{y2} - {paren(y1)}', y2 - y1)}$ and $x_2 - x_1 = {show(f'{x2} - {paren(x1)}', x2 - x1)}$.",
             f"The slope is $\\frac{{y_2 - y_1}}{{x_2 - x_1}} = {show(f'{FRAC}{{{y2 - y1}}}{{{x2 - x1}}}', slope)}$."]
    if level >= 3:
        intercept = y1 - slope * x1
        steps += [f"The line is $y = {tex(slope)}x + b$; at $({x1}, {y1})$, ${show(f'{tex(slope)}{CDOT}{paren(x1)}', slope * x1)}$, "
                  f"so ${y1} = {tex(slope * x1)} + b$.",
                  f"So $b = {show(f'{y1} - {paren(slope * x1)}', intercept)}$."]
        problem = f"What is the $y$-intercept of the line through $({x1}, {y1})$ and $({x2}, {y2})$?"
        # The intercept by the two-point form at x = 0, not via the slope.
        return Draft(problem, steps, tex(intercept), sympy.Rational(y1 * x2 - y2 * x1, x2 - x1))
    problem = f"What is the slope of the line through the points $({x1}, {y1})$ and $({x2}, {y2})$?"
    return Draft(problem, steps, tex(slope), sympy.Rational(y1 - y2, x1 - x2))


@template(SUBJECT)
def arithmetic_sequence(rng: random.Random, level: int) -> Draft:
    """nth term from the first terms; at higher levels the sum of the first n terms."""
    first, diff = rng.randint(-upto(level), upto(level)), nonzero(rng, -3 - level, 3 + level)
    n = rng.randint(5, upto(level, 5))
    shown = ", ".join(str(first + i * diff) for i in range(3 + (level <= 2)))
    nth = first + (n - 1) * diff
    steps = [f"The common difference is ${first + diff} - {paren(first)} = {diff}$.",
             f"The ${n}$th term is $a_1 + ({n} - 1)d = {show(f'{first} + ({n} - 1){CDOT}{paren(diff)}', nth)}$."]
    if level >= 4:
        total = n * (first + nth) // 2 if n * (first + nth) % 2 == 0 else Fraction(n * (first + nth), 2)
        steps.append(f"The sum of the first ${n}$ terms is $\\frac{{n(a_1 + a_n)}}{{2}} = "
                     f"{show(f'{FRAC}{{{n}({first} + {paren(nth)})}}{{2}}', total)}$.")
        truth = sympy.Integer(sum(first + i * diff for i in range(n)))  # term by term, not the formula
        problem = f"What is the sum of the first ${n}$ terms of the arithmetic sequence ${shown}, \\ldots$?"
        return Draft(problem, steps, tex(total), truth)
    problem = f"What is the ${n}$th term of the arithmetic sequence ${shown}, \\ldots$?"
    word = (f"@name@ saves {first} dollars in week 1 and {diff} dollars more each week than the week before. How many "
            f"dollars does @name@ save in week {n}?") if first > 0 and diff > 0 else None
    return Draft(problem, steps, str(nth), sympy.Integer(first) + sum(sympy.Integer(diff) for _ in range(n - 1)), word)


@template(SUBJECT)
def exponent_equation(rng: random.Random, level: int) -> Draft:
    """b^(p) * b^(q) / b^(r) = b^x -> x, or (b^m)^k = b^x."""
    base = rng.choice((2, 3, 5, 7))
    p, q, r = rng.randint(2, 4 + level), rng.randint(2, 4 + level), rng.randint(1, 3 + level)
    if level >= 3:
        m = rng.randint(2, 5)
        steps = [f"Using $(a^m)^n = a^{{mn}}$, the power of a power multiplies the exponents: ${show(f'{p}{CDOT}{m}', p * m)}$.",
                 "Using $a^m \\cdot a^n = a^{m+n}$ and $\\frac{a^m}{a^n} = a^{m-n}$, the exponents add and subtract.",
                 f"So $x = {show(f'{p * m} + {q} - {r}', p * m + q - r)}$."]
        problem = f"If $\\frac{{({base}^{p})^{m} \\cdot {base}^{q}}}{{{base}^{r}}} = {base}^x$, what is $x$?"
        value = p * m + q - r
        truth = sympy.log(sympy.Integer(base) ** (p * m) * sympy.Integer(base) ** q / sympy.Integer(base) ** r, base)
    else:
        steps = ["Using $a^m \\cdot a^n = a^{m+n}$ and $\\frac{a^m}{a^n} = a^{m-n}$, the exponents add and subtract.",
                 f"So $x = {show(f'{p} + {q} - {r}', p + q - r)}$."]
        problem = f"If $\\frac{{{base}^{p} \\cdot {base}^{q}}}{{{base}^{r}}} = {base}^x$, what is $x$?"
        value = p + q - r
        truth = sympy.log(sympy.Integer(base) ** p * sympy.Integer(base) ** q / sympy.Integer(base) ** r, base)
    return Draft(problem, steps, str(value), truth)


@template(SUBJECT)
def distance_between_points(rng: random.Random, level: int) -> Draft:
    """Distance between two lattice points, as a simplified radical."""
    big = upto(level, 1) + 2
    x1, y1, x2, y2 = (rng.randint(-big, big) for _ in range(4))
    if (x1, y1) == (x2, y2):
        x2 += 1
    dx, dy = x2 - x1, y2 - y1
    square = dx * dx + dy * dy
    steps = ["The distance is $\\sqrt{(x_2 - x_1)^2 + (y_2 - y_1)^2}$.",
             f"$x_2 - x_1 = {x2} - {paren(x1)} = {dx}$ and $y_2 - y_1 = {y2} - {paren(y1)} = {dy}$.",
             f"${show(f'{paren(dx)}^2 + {paren(dy)}^2', square)}$, so the distance is $\\sqrt{{{square}}}$."]
    answer = surd_tex(1, square)
    if answer != f"\\sqrt{{{square}}}":
        steps.append(f"Simplifying, $\\sqrt{{{square}}} = {answer}$.")
    truth = sympy.Point(x1, y1).distance(sympy.Point(x2, y2))
    return Draft(f"What is the distance between the points $({x1}, {y1})$ and $({x2}, {y2})$? Express your answer "
                 "in simplest radical form.", steps, answer, truth)


@template(SUBJECT)
def inverse_linear_function(rng: random.Random, level: int) -> Draft:
    """f(x) = ax + b: find f^{-1}(c)."""
    a, b = nonzero(rng, -3 - level, 3 + level), rng.randint(-upto(level), upto(level))
    target = rng.randint(-upto(level), upto(level))
    value = Fraction(target - b, a)
    steps = [f"$f^{{-1}}({target})$ is the number $x$ with $f(x) = {target}$.",
             f"So ${poly_tex([a, b])} = {target}$.",
             f"Then ${poly_tex([a, 0])} = {target} - {paren(b)} = {target - b}$.",
             f"So $x = \\frac{{{target - b}}}{{{a}}} = {tex(value)}$."]
    y = sympy.Symbol("y")
    inverse = (y - b) / sympy.Integer(a)
    return Draft(f"If $f(x) = {poly_tex([a, b])}$, what is $f^{{-1}}({target})$?", steps, tex(value),
                 inverse.subs(y, target))


@template(SUBJECT)
def sum_and_difference(rng: random.Random, level: int) -> Draft:
    """Two numbers with a given sum and difference: the larger one, or their product at higher levels."""
    big = upto(level, 2)
    small = rng.randint(-big if level >= 3 else 1, big)
    large = small + rng.randint(1, big)
    total, difference = large + small, large - small
    steps = [f"Call the numbers $a$ and $b$ with $a + b = {total}$ and $a - b = {difference}$.",
             f"Adding the equations gives $2a = {show(f'{total} + {difference}', total + difference)}$, so "
             f"$a = {show(f'{FRAC}{{{total + difference}}}{{2}}', large)}$.",
             f"Then $b = {total} - {large} = {small}$."]
    a, b = sympy.Rational(total + difference, 2), sympy.Rational(total - difference, 2)  # by Cramer's rule
    if level >= 3:
        steps.append(f"Their product is ${large} \\cdot {paren(small)} = {large * small}$.")
        return Draft(f"The sum of two numbers is ${total}$ and their difference is ${difference}$. What is their product?",
                     steps, str(large * small), a * b)
    word = (f"@name@ and @name2@ have {total} stickers together, and @name@ has {difference} more than @name2@. How many "
            "stickers does @name@ have?") if small > 0 else None
    return Draft(f"The sum of two numbers is ${total}$ and their difference is ${difference}$. What is the larger "
                 "number?", steps, str(large), sympy.Max(a, b), word)
