"""Precalculus templates: trigonometric values, radians, inverse trig, periods, vectors, determinants,
matrix products, projections."""

from __future__ import annotations

import functools
import random
from fractions import Fraction

import sympy

from trainer.data.synth.base import (
    CDOT,
    Draft,
    nonzero,
    paren,
    show,
    signed_term,
    split_square,
    surd_tex,
    sym,
    template,
    tex,
    times_tex,
    upto,
)

SUBJECT = "Precalculus"
PI = "\\pi"
# Reference angles (degrees) -> (sin, cos) as LaTeX written the way sympy.latex prints them.
SIN_COS = {
    0: ("0", "1"),
    30: ("\\frac{1}{2}", "\\frac{\\sqrt{3}}{2}"),
    45: ("\\frac{\\sqrt{2}}{2}", "\\frac{\\sqrt{2}}{2}"),
    60: ("\\frac{\\sqrt{3}}{2}", "\\frac{1}{2}"),
    90: ("1", "0"),
}
TAN = {0: "0", 30: "\\frac{\\sqrt{3}}{3}", 45: "1", 60: "\\sqrt{3}"}


def _negate(latex: str) -> str:
    return latex if latex == "0" else latex[1:] if latex.startswith("-") else f"-{latex}"


@template(SUBJECT)
def trig_special_angle(rng: random.Random, level: int) -> Draft:
    """sin, cos or tan of a multiple of 30 or 45 degrees, via the reference angle and the quadrant signs."""
    choices = [a for a in range(0, 360 * (1 + (level >= 4)), 15) if a % 30 == 0 or a % 45 == 0]
    angle = rng.choice(choices[: 4 + 4 * level])
    func = rng.choice(("sin", "cos", "tan") if level >= 2 else ("sin", "cos"))
    reduced = angle % 360
    if func == "tan" and reduced % 180 == 90:
        func = "sin"
    steps = []
    if angle != reduced:
        steps.append(f"Subtracting $360^\\circ$ (${show(f'{angle} - 360', reduced)}$), $\\{func} {angle}^\\circ = "
                     f"\\{func} {reduced}^\\circ$.")
    quadrant = reduced // 90 + 1 if reduced % 90 else 0
    ref = {1: reduced, 2: 180 - reduced, 3: reduced - 180, 4: 360 - reduced}.get(quadrant, 0)
    if quadrant:
        sin_sign, cos_sign = (1 if quadrant in (1, 2) else -1), (1 if quadrant in (1, 4) else -1)
        ref_expr = {1: "", 2: f"180 - {reduced}", 3: f"{reduced} - 180", 4: f"360 - {reduced}"}[quadrant]
        ref_tex = f" (${show(ref_expr, ref)}$)" if ref_expr else ""
        steps.append(f"${reduced}^\\circ$ is in quadrant {'I II III IV'.split()[quadrant - 1]} with reference angle "
                     f"${ref}^\\circ${ref_tex}.")
        sign = {"sin": sin_sign, "cos": cos_sign, "tan": sin_sign * cos_sign}[func]
        base = {"sin": SIN_COS[ref][0], "cos": SIN_COS[ref][1], "tan": TAN.get(ref, "")}[func]
        steps.append(f"In that quadrant $\\{func}$ is {'positive' if sign > 0 else 'negative'}, and "
                     f"$\\{func} {ref}^\\circ = {base}$.")
        value = base if sign > 0 else _negate(base)
    else:  # on an axis: read the point on the unit circle
        x, y = {0: (1, 0), 90: (0, 1), 180: (-1, 0), 270: (0, -1)}[reduced]
        steps.append(f"The point at ${reduced}^\\circ$ on the unit circle is $({x}, {y})$.")
        value = str({"sin": y, "cos": x, "tan": Fraction(y, x) if x else 0}[func])
    steps.append(f"So $\\{func} {angle}^\\circ = {value}$.")
    fn = {"sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan}[func]
    return Draft(f"Compute $\\{func} {angle}^\\circ$.", steps, value, fn(sympy.pi * angle / 180))


@template(SUBJECT)
def degrees_to_radians(rng: random.Random, level: int) -> Draft:
    """Convert degrees to radians (or radians to degrees at even levels)."""
    degrees = rng.choice(range(5, 360 * (1 + (level >= 4)), 5 if level >= 3 else 15))
    radians = Fraction(degrees, 180)
    if level % 2 == 0:
        steps = [f"Multiply by $\\frac{{180^\\circ}}{{\\pi}}$: the $\\pi$ cancels, and ${show(f'{tex(radians)}{CDOT}180', degrees)}$, "
                 f"so the angle is ${degrees}^\\circ$."]
        truth = sympy.deg(sympy.pi * sympy.Rational(degrees, 180))
        return Draft(f"Convert ${times_tex(radians, PI)}$ radians to degrees.", steps, str(degrees), truth)
    steps = [f"Multiply by $\\frac{{\\pi}}{{180^\\circ}}$: ${degrees}^\\circ \\cdot \\frac{{\\pi}}{{180^\\circ}} = "
             f"\\frac{{{degrees}}}{{180}}\\pi$.",
             f"Simplifying the fraction, $\\frac{{{degrees}}}{{180}} = {tex(radians)}$, so the angle is ${times_tex(radians, PI)}$."]
    return Draft(f"Convert ${degrees}^\\circ$ to radians.", steps, times_tex(radians, PI), sympy.rad(degrees))


@template(SUBJECT)
def inverse_trig(rng: random.Random, level: int) -> Draft:
    """arcsin, arccos or arctan of a special value, in radians."""
    table = {
        "arcsin": [("0", 0), ("\\frac{1}{2}", Fraction(1, 6)), ("\\frac{\\sqrt{2}}{2}", Fraction(1, 4)),
                   ("\\frac{\\sqrt{3}}{2}", Fraction(1, 3)), ("1", Fraction(1, 2)), ("-\\frac{1}{2}", Fraction(-1, 6)),
                   ("-\\frac{\\sqrt{3}}{2}", Fraction(-1, 3)), ("-1", Fraction(-1, 2))],
        "arccos": [("1", 0), ("\\frac{1}{2}", Fraction(1, 3)), ("\\frac{\\sqrt{2}}{2}", Fraction(1, 4)),
                   ("0", Fraction(1, 2)), ("-\\frac{1}{2}", Fraction(2, 3)), ("-\\frac{\\sqrt{2}}{2}", Fraction(3, 4)),
                   ("-\\frac{\\sqrt{3}}{2}", Fraction(5, 6)), ("-1", Fraction(1))],
        "arctan": [("0", 0), ("1", Fraction(1, 4)), ("\\sqrt{3}", Fraction(1, 3)), ("\\frac{\\sqrt{3}}{3}", Fraction(1, 6)),
                   ("-1", Fraction(-1, 4)), ("-\\sqrt{3}", Fraction(-1, 3))],
    }
    func = rng.choice(list(table))
    argument, multiple = rng.choice(table[func][: 3 + level])
    ranges = {"arcsin": "[-\\frac{\\pi}{2}, \\frac{\\pi}{2}]", "arccos": "[0, \\pi]",
              "arctan": "(-\\frac{\\pi}{2}, \\frac{\\pi}{2})"}
    plain = func[3:]
    answer = times_tex(multiple, PI)
    steps = [f"$\\{func} {argument}$ is the angle in ${ranges[func]}$ whose {plain}ine is ${argument}$."
             .replace("tanine", "tangent").replace("sinine", "sine").replace("cosine", "cosine"),
             f"Since $\\{plain} {answer} = {argument}$, $\\{func} {argument} = {answer}$."]
    value = {"arcsin": sympy.asin, "arccos": sympy.acos, "arctan": sympy.atan}[func]
    in_degrees = level >= 4
    if in_degrees:
        degrees = multiple * 180
        steps.append(f"In degrees, multiply by $\\frac{{180^\\circ}}{{\\pi}}$: ${show(f'{paren(multiple)}{CDOT}180', degrees)}$.")
        answer = tex(degrees)
    numeric = {"0": 0, "1": 1, "-1": -1}.get(argument)
    if numeric is None:
        sign = -1 if argument.startswith("-") else 1
        body = argument.lstrip("-")
        numeric = sign * {"\\frac{1}{2}": sympy.Rational(1, 2), "\\frac{\\sqrt{2}}{2}": sympy.sqrt(2) / 2,
                          "\\frac{\\sqrt{3}}{2}": sympy.sqrt(3) / 2, "\\sqrt{3}": sympy.sqrt(3),
                          "\\frac{\\sqrt{3}}{3}": sympy.sqrt(3) / 3}[body]
    if in_degrees:
        return Draft(f"Compute $\\{func} {argument}$ in degrees.", steps, answer, sympy.deg(value(numeric)))
    return Draft(f"Compute $\\{func} {argument}$. Express your answer in radians.", steps, answer, value(numeric))


@template(SUBJECT)
def trig_period(rng: random.Random, level: int) -> Draft:
    """The period of y = A sin(bx + c) (or tan) is 2 pi / |b| (pi / |b| for tan)."""
    func = rng.choice(("sin", "cos") if level <= 2 else ("sin", "cos", "tan"))
    b = Fraction(nonzero(rng, -3 * level, 3 * level), 1 if level <= 3 else rng.randint(1, 4))
    amplitude = rng.randint(1, 5 + level)
    base_period = 1 if func == "tan" else 2
    period = Fraction(base_period) / abs(b)
    b_tex = tex(b) if b not in (1, -1) else ("" if b == 1 else "-")
    shown = f"y = {'' if amplitude == 1 else amplitude} \\{func}({b_tex}x)"
    steps = [f"The function $\\{func} x$ has period ${times_tex(base_period, PI)}$.",
             f"Multiplying $x$ by ${tex(b)}$ divides the period by $|{tex(b)}| = {tex(abs(b))}$; the factor ${amplitude}$ "
             "does not change it.",
             f"So the period is $\\frac{{{times_tex(base_period, PI)}}}{{{tex(abs(b))}}} = {times_tex(period, PI)}$."]
    truth = _period(func, b)
    return Draft(f"What is the period of ${shown}$?", steps, times_tex(period, PI), truth)


@functools.cache
def _period(func: str, b: Fraction) -> sympy.Basic:
    """sympy's `periodicity` of func(b x) (cached: slow, and only a few hundred distinct arguments)."""
    x = sympy.Symbol("x", real=True)
    fn = {"sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan}[func]
    return sympy.periodicity(fn(sympy.Rational(b.numerator, b.denominator) * x), x)


@template(SUBJECT)
def dot_product(rng: random.Random, level: int) -> Draft:
    """The dot product of two vectors in 2-4 dimensions."""
    dim = 2 + (level >= 2) + (level >= 4)
    big = upto(level, 1)
    u, v = [rng.randint(-big, big) for _ in range(dim)], [rng.randint(-big, big) for _ in range(dim)]
    products = [a * b for a, b in zip(u, v)]
    col = lambda w: "\\begin{pmatrix} " + " \\\\ ".join(map(str, w)) + " \\end{pmatrix}"  # noqa: E731
    terms = " + ".join(f"{paren(a) if i else a}{CDOT}{paren(b)}" for i, (a, b) in enumerate(zip(u, v)))
    steps = ["The dot product multiplies matching entries and adds.", f"${show(terms, sum(products))}$."]
    truth = sympy.Matrix(u).dot(sympy.Matrix(v))
    return Draft(f"Compute ${col(u)} \\cdot {col(v)}$.", steps, str(sum(products)), truth)


@template(SUBJECT)
def determinant(rng: random.Random, level: int) -> Draft:
    """2x2 determinant (levels 1-2) or 3x3 by cofactor expansion along the first row."""
    big = upto(level, 1) if level <= 2 else 3 + level
    size = 2 if level <= 2 else 3
    m = [[rng.randint(-big, big) for _ in range(size)] for _ in range(size)]
    shown = "\\begin{vmatrix} " + " \\\\ ".join(" & ".join(map(str, row)) for row in m) + " \\end{vmatrix}"
    if size == 2:
        (a, b), (c, d) = m
        value = a * d - b * c
        steps = [f"For a $2 \\times 2$ determinant, $ad - bc = {show(f'{a}{CDOT}{paren(d)} - {paren(b)}{CDOT}{paren(c)}', value)}$."]
    else:
        steps = ["I'll expand along the first row."]
        minors = []
        for j in range(3):
            rows = [[m[i][k] for k in range(3) if k != j] for i in (1, 2)]
            minor = rows[0][0] * rows[1][1] - rows[0][1] * rows[1][0]
            minors.append(minor)
            steps.append(f"The minor of entry ${m[0][j]}$ is "
                         f"${show(f'{rows[0][0]}{CDOT}{paren(rows[1][1])} - {paren(rows[0][1])}{CDOT}{paren(rows[1][0])}', minor)}$.")
        value = m[0][0] * minors[0] - m[0][1] * minors[1] + m[0][2] * minors[2]
        expansion = (f"{m[0][0]}{CDOT}{paren(minors[0])} - {paren(m[0][1])}{CDOT}{paren(minors[1])}"
                     f" + {paren(m[0][2])}{CDOT}{paren(minors[2])}")
        steps.append(f"The determinant is ${show(expansion, value)}$.")
    return Draft(f"Compute ${shown}$.", steps, str(value), sympy.Matrix(m).det(method="bareiss"))


@template(SUBJECT)
def vector_magnitude(rng: random.Random, level: int) -> Draft:
    """The length of a 2-4 dimensional vector, as a simplified radical."""
    dim = 2 + (level >= 3) + (level >= 5)
    big = upto(level, 1)
    v = [rng.randint(-big, big) for _ in range(dim)]
    if not any(v):
        v[0] = 1
    squares = [a * a for a in v]
    total = sum(squares)
    answer = surd_tex(1, total)
    col = "\\begin{pmatrix} " + " \\\\ ".join(map(str, v)) + " \\end{pmatrix}"
    steps = ["The length is the square root of the sum of the squared entries.",
             f"${show(' + '.join(f'{paren(a)}^2' for a in v), total)}$.",
             f"So the length is $\\sqrt{{{total}}}" + (f" = {answer}$." if answer != f"\\sqrt{{{total}}}" else "$.")]
    return Draft(f"Find the length of the vector ${col}$.", steps, answer, sympy.Matrix(v).norm())


@template(SUBJECT)
def matrix_product_entry_sum(rng: random.Random, level: int) -> Draft:
    """The product of two 2x2 matrices, entry by entry; the answer is the sum of its entries (or the trace)."""
    big = 2 + level
    a = [[rng.randint(-big, big) for _ in range(2)] for _ in range(2)]
    b = [[rng.randint(-big, big) for _ in range(2)] for _ in range(2)]
    prod = [[sum(a[i][k] * b[k][j] for k in range(2)) for j in range(2)] for i in range(2)]
    mat = lambda m: "\\begin{pmatrix} " + " \\\\ ".join(" & ".join(map(str, r)) for r in m) + " \\end{pmatrix}"  # noqa: E731
    steps = []
    for i in range(2):
        for j in range(2):
            steps.append(f"Entry $({i + 1}, {j + 1})$: ${a[i][0]} \\cdot {paren(b[0][j])} + {paren(a[i][1])} \\cdot "
                         f"{paren(b[1][j])} = {prod[i][j]}$.")
    steps.append(f"So the product is ${mat(prod)}$.")
    ask = rng.choice(("sum", "trace"))
    if ask == "sum":
        value = sum(map(sum, prod))
        steps.append(f"The sum of its entries is ${' + '.join(str(v) if v >= 0 else f'({v})' for r in prod for v in r)} = {value}$.")
        question = "the sum of the entries of"
        truth = sum(sympy.Matrix(a) * sympy.Matrix(b))
    else:
        value = prod[0][0] + prod[1][1]
        steps.append(f"Its trace is ${prod[0][0]} + {paren(prod[1][1])} = {value}$.")
        question = "the trace of"
        truth = (sympy.Matrix(b) * sympy.Matrix(a)).trace()  # tr(AB) = tr(BA)
    return Draft(f"Let $A = {mat(a)}$ and $B = {mat(b)}$. Find {question} $AB$.", steps, str(value), truth)


@template(SUBJECT)
def scalar_projection(rng: random.Random, level: int) -> Draft:
    """The scalar c with proj_v u = c v: (u . v) / (v . v)."""
    dim = 2 + (level >= 3)
    big = upto(level, 1)
    u = [rng.randint(-big, big) for _ in range(dim)]
    v = [nonzero(rng, -5 - level, 5 + level) for _ in range(dim)]
    uv, vv = sum(a * b for a, b in zip(u, v)), sum(b * b for b in v)
    value = Fraction(uv, vv)
    col = lambda w: "\\begin{pmatrix} " + " \\\\ ".join(map(str, w)) + " \\end{pmatrix}"  # noqa: E731
    steps = ["The projection of $\\mathbf{u}$ onto $\\mathbf{v}$ is $\\frac{\\mathbf{u} \\cdot \\mathbf{v}}"
             "{\\mathbf{v} \\cdot \\mathbf{v}} \\mathbf{v}$.",
             "$\\mathbf{u} \\cdot \\mathbf{v} = " + " + ".join(f"{paren(a) if i else a} \\cdot {paren(b)}" for i, (a, b) in enumerate(zip(u, v))) + f" = {uv}$.",
             "$\\mathbf{v} \\cdot \\mathbf{v} = " + " + ".join(f"{paren(b)}^2" for b in v) + f" = {vv}$.",
             f"So $c = \\frac{{{uv}}}{{{vv}}} = {tex(value)}$."]
    mu, mv = sympy.Matrix(u), sympy.Matrix(v)
    projection = mu.project(mv)
    index = next(i for i, b in enumerate(v) if b)
    truth = projection[index] / v[index]
    return Draft(f"Let $\\mathbf{{u}} = {col(u)}$ and $\\mathbf{{v}} = {col(v)}$. The projection of $\\mathbf{{u}}$ onto "
                 "$\\mathbf{v}$ is $c\\mathbf{v}$. Find $c$.", steps, tex(value), truth)


@functools.cache
def _rotated(radius: int, degrees: int) -> tuple[sympy.Basic, sympy.Basic]:
    """(x, y) of the point (radius, 0) rotated about the origin by `degrees` (sympy geometry; cached, slow)."""
    point = sympy.Point(radius, 0).rotate(sympy.rad(degrees))
    return point.x, point.y


@template(SUBJECT)
def polar_to_rectangular(rng: random.Random, level: int) -> Draft:
    """The x (or y) coordinate of the point with polar coordinates (r, theta) at a special angle."""
    radius = rng.randint(1, upto(level, 1))
    degrees = rng.choice([a for a in range(0, 360, 15) if a % 30 == 0 or a % 45 == 0][: 4 + 3 * level])
    theta = Fraction(degrees, 180)
    coordinate, func = rng.choice((("x", "cos"), ("y", "sin")))
    exact = {"cos": sympy.cos, "sin": sympy.sin}[func](sympy.pi * sym(theta))
    rational = Fraction(int(exact.p), int(exact.q)) if exact.is_Rational else None
    value_tex = sympy.latex(exact) if rational is None else tex(rational)  # the special value, as the table writes it
    answer = sympy.latex(radius * exact) if rational is None else tex(radius * rational)
    product = f"{radius} \\cdot {value_tex if not value_tex.startswith('-') else '(' + value_tex + ')'}"
    steps = [f"In polar coordinates, ${coordinate} = r \\{func} \\theta$.",
             f"Here $r = {radius}$ and $\\theta = {times_tex(theta, PI)}$, and $\\{func} {times_tex(theta, PI)} = "
             f"{value_tex}$.",
             f"So ${coordinate} = " + (f"{product} = {answer}$." if rational is None else f"{show(product, radius * rational)}$.")]
    truth = _rotated(radius, degrees)[0 if coordinate == "x" else 1]
    return Draft(f"The point $\\left({radius}, {times_tex(theta, PI)}\\right)$ in polar coordinates has rectangular "
                 f"coordinates $(x, y)$. Find ${coordinate}$.", steps, answer, truth)


@template(SUBJECT)
def complex_modulus(rng: random.Random, level: int) -> Draft:
    """|z| for z = a + bi, or |z^n| = |z|^n at higher levels."""
    big = upto(level, 1)
    a, b = rng.randint(-big, big), nonzero(rng, -big, big)
    body = "i" if b == 1 else "-i" if b == -1 else f"{b}i"
    z = f"{a}{signed_term(b, 'i')}" if a else body
    square = a * a + b * b
    modulus = surd_tex(1, square)
    steps = [f"${show(f'{paren(a)}^2 + {paren(b)}^2', square)}$, so $|{z}| = \\sqrt{{{square}}}"
             + (f" = {modulus}$." if modulus != f"\\sqrt{{{square}}}" else "$.")]
    if level >= 4:
        n = rng.randint(2, 4)
        k, m = split_square(square)
        # |z|^n = (k sqrt(m))^n = k^n m^(n // 2) (sqrt(m) when n is odd)
        value_tex = surd_tex(k**n * m ** (n // 2), m) if n % 2 else str(k**n * m ** (n // 2))
        steps += [f"The modulus of a power is the power of the modulus: $|z^{n}| = |z|^{n}$.",
                  f"So $|z^{n}| = \\left(\\sqrt{{{square}}}\\right)^{n} = " +
                  (f"{square}^{{{n // 2}}} = {value_tex}$." if n % 2 == 0 else
                   f"{square}^{{{n // 2}}} \\sqrt{{{square}}} = {value_tex}$.")]
        re, im = 1, 0  # z^n multiplied out in Gaussian integers, then its modulus: independent of |z|^n
        for _ in range(n):
            re, im = re * a - im * b, re * b + im * a
        truth = sympy.sqrt(sympy.Integer(re * re + im * im))
        return Draft(f"Let $z = {z}$. Find $|z^{n}|$.", steps, value_tex, truth)
    return Draft(f"Find $|{z}|$.", steps, modulus, sympy.Abs(a + b * sympy.I))
