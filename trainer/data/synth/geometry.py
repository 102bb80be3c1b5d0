"""Geometry templates: rectangles, right triangles, circles, angles, polygons, solids, coordinates."""

from __future__ import annotations

import random
from fractions import Fraction

import sympy

from trainer.data.synth.base import (
    CDOT,
    FRAC,
    Draft,
    join_sum,
    paren,
    plain,
    show,
    surd_tex,
    sym,
    template,
    tex,
    times_tex,
    upto,
)

SUBJECT = "Geometry"
PI = "\\pi"
TRIPLES = ((3, 4, 5), (5, 12, 13), (8, 15, 17), (7, 24, 25), (20, 21, 29), (9, 40, 41))


def paren_square(value: Fraction) -> str:
    """A number ready to be squared: `7`, `\\left(\\frac{7}{2}\\right)`."""
    return tex(value) if value.denominator == 1 and value >= 0 else f"\\left({tex(value)}\\right)"


@template(SUBJECT)
def rectangle_from_perimeter(rng: random.Random, level: int) -> Draft:
    """A rectangle's perimeter and one side give the other side, then the area (and diagonal at level 5)."""
    length, width = rng.randint(2, upto(level, 3)), rng.randint(1, upto(level, 3))
    perimeter = 2 * (length + width)
    area = length * width
    steps = [f"The perimeter is $2(\\ell + w) = {perimeter}$, so $\\ell + w = {show(f'{FRAC}{{{perimeter}}}{{2}}', perimeter // 2)}$.",
             f"With $\\ell = {length}$, the width is $w = {perimeter // 2} - {length} = {width}$.",
             f"The area is $\\ell w = {length} \\cdot {width} = {area}$."]
    problem = f"A rectangle has perimeter ${perimeter}$ and length ${length}$. What is its area?"
    word = (f"A rectangular garden has a perimeter of {perimeter} meters and a length of {length} meters. What is its "
            "area, in square meters?")
    return Draft(problem, steps, str(area), length * (sympy.Rational(perimeter, 2) - length), word)


@template(SUBJECT)
def right_triangle_side(rng: random.Random, level: int) -> Draft:
    """The missing side of a right triangle by Pythagoras (scaled triples, or radicals at higher levels)."""
    if level <= 2 or rng.random() < 0.4:
        scale = rng.randint(1, level + 1)
        a, b, c = (k * scale for k in rng.choice(TRIPLES[: 2 + level]))
    else:
        a, b = rng.randint(1, upto(level, 2)), rng.randint(1, upto(level, 2))
        c = None
    if c is None or rng.random() < 0.5:  # find the hypotenuse
        square = a * a + b * b
        answer = surd_tex(1, square)
        steps = [f"By the Pythagorean theorem, $c^2 = {show(f'{a}^2 + {b}^2', square)}$.",
                 f"So $c = \\sqrt{{{square}}} = {answer}$."]
        problem = f"A right triangle has legs of length ${a}$ and ${b}$. What is the length of its hypotenuse?"
        truth = sympy.Point(0, 0).distance(sympy.Point(a, b))
        if c is None:
            problem += " Express your answer in simplest radical form."
        word = (f"@name@ walks {a} blocks east and then {b} blocks north. How far is @name@ from the start, in a "
                "straight line, in blocks?")
        return Draft(problem, steps, answer, truth, word)
    steps = [f"By the Pythagorean theorem, $a^2 + {b}^2 = {c}^2$.",
             f"So $a^2 = {show(f'{c}^2 - {b}^2', a * a)}$.",
             f"So $a = \\sqrt{{{a * a}}} = {a}$."]
    problem = f"A right triangle has a hypotenuse of length ${c}$ and a leg of length ${b}$. How long is the other leg?"
    word = (f"A {c}-foot ladder leans against a wall, with its foot {b} feet from the wall. How high up the wall does "
            "the ladder reach, in feet?")
    return Draft(problem, steps, str(a), sympy.sqrt(sympy.Integer(c) ** 2 - sympy.Integer(b) ** 2), word)


@template(SUBJECT)
def circle_area_from_circumference(rng: random.Random, level: int) -> Draft:
    """Area of a circle from its circumference (or diameter), in terms of pi."""
    radius = Fraction(rng.randint(1, upto(level, 5)), 1 if level <= 3 else rng.choice((1, 2, 3)))
    area = radius * radius
    if level >= 2:
        circumference = 2 * radius
        steps = [f"The circumference is $2 \\pi r = {times_tex(circumference, PI)}$.",
                 f"So $r = {show(f'{FRAC}{{{tex(circumference)}}}{{2}}', radius)}$.",
                 f"${show(f'{paren_square(radius)}^2', area)}$, so the area is $\\pi r^2 = {times_tex(area, PI)}$."]
        given = f"circumference ${times_tex(circumference, PI)}$"
    else:
        steps = [f"The radius is half the diameter: $r = {tex(2 * radius)} \\div 2 = {tex(radius)}$.",
                 f"${show(f'{tex(radius)}^2', area)}$, so the area is $\\pi r^2 = {times_tex(area, PI)}$."]
        given = f"diameter ${tex(2 * radius)}$"
    truth = sympy.pi * sympy.Rational(radius.numerator, radius.denominator) ** 2
    word = (f"A round table has a diameter of {tex(2 * radius)} feet. What is the area of its top, in square feet? "
            "Give the answer in terms of pi.") if level == 1 else None
    return Draft(f"A circle has {given}. What is its area? Express your answer in terms of $\\pi$.", steps,
                 times_tex(area, PI), truth, word)


@template(SUBJECT)
def triangle_angles(rng: random.Random, level: int) -> Draft:
    """Angles given as multiples of x (plus constants at higher levels): find the largest angle."""
    while True:
        mults = [rng.randint(1, 2 + level) for _ in range(3)]
        consts = [0, 0, 0] if level <= 2 else [rng.randint(-20, 20) for _ in range(3)]
        numerator = 180 - sum(consts)
        if numerator > 0 and numerator % sum(mults) == 0:
            x = numerator // sum(mults)
            angles = [m * x + c for m, c in zip(mults, consts)]
            if min(angles) > 0:
                break
    def angle_tex(m: int, c: int) -> str:
        body = "x" if m == 1 else f"{m}x"
        return body if c == 0 else f"{body} {'+' if c > 0 else '-'} {abs(c)}"
    shown = [angle_tex(m, c) for m, c in zip(mults, consts)]
    total_m, total_c = sum(mults), sum(consts)
    collected = f"{total_m}x{'' if total_c == 0 else (' + ' if total_c > 0 else ' - ') + str(abs(total_c))}"
    collect = f"${show(' + '.join(map(str, mults)), total_m)}$" + (
        f" and ${show(join_sum([c for c in consts if c]), total_c)}$" if any(consts) else "")
    steps = [f"The angles of a triangle add up to $180^\\circ$, so $({shown[0]}) + ({shown[1]}) + ({shown[2]}) = 180$.",
             f"Collecting terms, {collect}, so ${collected} = 180$.",
             (f"So ${total_m}x = {show(f'180 - {paren(total_c)}', numerator)}$ and " if total_c else "So ")
             + f"$x = {show(f'{FRAC}{{{numerator}}}{{{total_m}}}', x)}$."]
    if level >= 3:  # write out each angle's evaluation
        steps += [f"${text} = {show(f'{m}{CDOT}{x}' + ('' if c == 0 else (' + ' if c > 0 else ' - ') + str(abs(c))), a)}$."
                  for text, m, c, a in zip(shown, mults, consts, angles)]
        steps.append("The angles are " + ", ".join(f"${a}^\\circ$" for a in angles) + f", so the largest is ${max(angles)}^\\circ$.")
    else:
        big = max(mults)
        steps.append(f"The largest angle is ${shown[mults.index(big)]} = {show(f'{big}{CDOT}{x}', big * x)}$ degrees.")
    root = sympy.Rational(180 - sum(consts), sum(mults))
    truth = max(sympy.Integer(m) * root + c for m, c in zip(mults, consts))
    return Draft(f"The angles of a triangle measure ${shown[0]}$, ${shown[1]}$ and ${shown[2]}$ degrees. What is the "
                 "measure of the largest angle, in degrees?", steps, str(max(angles)), truth)


@template(SUBJECT)
def polygon_interior_angle(rng: random.Random, level: int) -> Draft:
    """Interior angle of a regular n-gon, or the sum of interior angles, or the number of diagonals."""
    n = rng.randint(5, 6 + 10 * level)
    ask = rng.choice(("angle", "sum", "diagonals"))
    if ask == "sum":
        value = 180 * (n - 2)
        steps = [f"A polygon with ${n}$ sides splits into ${n} - 2 = {n - 2}$ triangles from one vertex.",
                 f"So its angles add up to ${show(f'180{CDOT}{n - 2}', value)}$ degrees."]
        return Draft(f"What is the sum of the interior angles of a convex polygon with ${n}$ sides, in degrees?", steps,
                     str(value), sympy.Integer(180) * (n - 2))
    if ask == "diagonals":
        value = n * (n - 3) // 2
        steps = [f"Each of the ${n}$ vertices joins to ${n} - 3 = {n - 3}$ non-adjacent vertices.",
                 f"Each diagonal is counted twice, so there are ${show(f'{FRAC}{{{n}{CDOT}{n - 3}}}{{2}}', value)}$ diagonals."]
        return Draft(f"How many diagonals does a convex polygon with ${n}$ sides have?", steps, str(value),
                     sympy.binomial(n, 2) - n)
    value = Fraction(180 * (n - 2), n)
    steps = [f"The interior angles of an ${n}$-gon add up to ${show(f'180{CDOT}({n} - 2)', 180 * (n - 2))}$ degrees.",
             f"In a regular polygon they are equal, so each is ${show(f'{FRAC}{{{180 * (n - 2)}}}{{{n}}}', value)}$ degrees."]
    truth = 180 - sympy.Rational(360, n)  # from the exterior angle instead
    return Draft(f"What is the measure, in degrees, of each interior angle of a regular polygon with ${n}$ sides?", steps,
                 tex(value), truth)


@template(SUBJECT)
def box_volume_surface(rng: random.Random, level: int) -> Draft:
    """Volume or surface area of a rectangular box (level >= 4: a cylinder, in terms of pi)."""
    if level >= 4 and rng.random() < 0.5:
        r, h = rng.randint(1, 3 * level), rng.randint(1, 4 * level)
        steps = [f"The volume of a cylinder is $\\pi r^2 h = \\pi \\cdot {r}^2 \\cdot {h}$.",
                 f"${show(f'{r}^2{CDOT}{h}', r * r * h)}$, so the volume is ${times_tex(r * r * h, PI)}$."]
        truth = sympy.pi * sympy.Integer(r) ** 2 * h
        return Draft(f"A cylinder has radius ${r}$ and height ${h}$. What is its volume? Express your answer in terms of "
                     "$\\pi$.", steps, times_tex(r * r * h, PI), truth)
    a, b, c = (rng.randint(1, upto(level, 2)) for _ in range(3))
    if rng.random() < 0.5:
        steps = [f"The volume is ${show(f'{a}{CDOT}{b}{CDOT}{c}', a * b * c)}$."]
        word = (f"A fish tank is {a} cm long, {b} cm wide and {c} cm tall. How many cubic centimeters of water does it "
                "hold when it is full?")
        return Draft(f"A rectangular box measures ${a}$ by ${b}$ by ${c}$. What is its volume?", steps, str(a * b * c),
                     sympy.Mul(*(sympy.Integer(v) for v in (a, b, c))), word)
    faces = [a * b, b * c, a * c]
    steps = [f"The box has two faces of each size: ${a} \\cdot {b} = {a * b}$, ${b} \\cdot {c} = {b * c}$ and "
             f"${a} \\cdot {c} = {a * c}$.",
             f"The surface area is ${show('2(' + ' + '.join(map(str, faces)) + ')', 2 * sum(faces))}$."]
    truth = (sympy.Integer(a + b + c) ** 2 - (a * a + b * b + c * c))  # (a+b+c)^2 - (a^2+b^2+c^2) = 2(ab+bc+ca)
    return Draft(f"A rectangular box measures ${a}$ by ${b}$ by ${c}$. What is its surface area?", steps,
                 str(2 * sum(faces)), truth)


@template(SUBJECT)
def triangle_area_coordinates(rng: random.Random, level: int) -> Draft:
    """Area of a triangle from its vertices by the shoelace formula."""
    big = upto(level, 1)
    while True:
        pts = [(rng.randint(-big, big), rng.randint(-big, big)) for _ in range(3)]
        (x1, y1), (x2, y2), (x3, y3) = pts
        twice = x1 * (y2 - y3) + x2 * (y3 - y1) + x3 * (y1 - y2)
        if twice:
            break
    area = Fraction(abs(twice), 2)
    steps = ["The shoelace formula gives area $\\frac{1}{2}\\left|x_1(y_2 - y_3) + x_2(y_3 - y_1) + x_3(y_1 - y_2)\\right|$.",
             f"$x_1(y_2 - y_3) = {show(f'{x1}{CDOT}({y2} - {paren(y3)})', x1 * (y2 - y3))}$.",
             f"$x_2(y_3 - y_1) = {show(f'{x2}{CDOT}({y3} - {paren(y1)})', x2 * (y3 - y1))}$.",
             f"$x_3(y_1 - y_2) = {show(f'{x3}{CDOT}({y1} - {paren(y2)})', x3 * (y1 - y2))}$.",
             f"The sum is ${show(join_sum([x1 * (y2 - y3), x2 * (y3 - y1), x3 * (y1 - y2)]), twice)}$, so the area is "
             f"${show(f'{FRAC}{{1}}{{2}}{CDOT}{abs(twice)}', area)}$."]
    truth = abs(sympy.Matrix([[x, y, 1] for x, y in pts]).det()) / 2  # the determinant form
    shown = ", ".join(f"$({x}, {y})$" for x, y in pts)
    return Draft(f"What is the area of the triangle with vertices {shown}?", steps, tex(area), truth)


@template(SUBJECT)
def similar_triangles(rng: random.Random, level: int) -> Draft:
    """Corresponding sides of similar triangles: find a missing side (fractional at higher levels)."""
    a, b = rng.randint(2, upto(level, 2)), rng.randint(2, upto(level, 2))
    scale = Fraction(rng.randint(2, 5 + level), 1 if level <= 2 else rng.randint(1, 4))
    a2 = a * scale
    if a2.denominator != 1:
        a, b = a * a2.denominator, b * a2.denominator
        a2 = a * scale
    value = b * scale
    steps = [f"Corresponding sides are in the same ratio: $\\frac{{DE}}{{AB}} = \\frac{{{tex(a2)}}}{{{a}}} = {tex(scale)}$.",
             f"So $EF = {tex(scale)} \\cdot BC = {tex(scale)} \\cdot {b} = {tex(value)}$."]
    truth = sympy.Rational(int(a2) * b, a)  # cross-multiplying DE/AB = EF/BC
    word = (f"A pole {a} m tall casts a shadow {b} m long. At the same time, a tree {plain(a2)} m tall nearby casts a "
            "shadow. How long is the tree's shadow, in meters?")
    return Draft(f"Triangle $ABC$ is similar to triangle $DEF$ with $AB = {a}$, $BC = {b}$ and $DE = {tex(a2)}$. What is "
                 "$EF$?", steps, tex(value), truth, word)


@template(SUBJECT)
def trapezoid_area(rng: random.Random, level: int) -> Draft:
    """Area of a trapezoid from its bases and height; level >= 3 finds the height from the area."""
    b1, b2 = rng.randint(1, upto(level, 2)), rng.randint(1, upto(level, 2))
    height = rng.randint(1, upto(level, 1))
    area = Fraction((b1 + b2) * height, 2)
    if level <= 2:
        steps = ["The area of a trapezoid is $\\frac{b_1 + b_2}{2} \\cdot h$.",
                 f"$b_1 + b_2 = {b1} + {b2} = {b1 + b2}$.",
                 f"So the area is ${show(f'{FRAC}{{{b1 + b2}}}{{2}}{CDOT}{height}', area)}$."]
        truth = sympy.Rational(b1 * height, 2) + sympy.Rational(b2 * height, 2)  # two triangles on a diagonal
        return Draft(f"A trapezoid has bases of length ${b1}$ and ${b2}$ and height ${height}$. What is its area?", steps,
                     tex(area), truth)
    steps = [f"The area is $\\frac{{b_1 + b_2}}{{2}} \\cdot h$, and ${show(f'{FRAC}{{{b1} + {b2}}}{{2}}', Fraction(b1 + b2, 2))}$, "
             f"so ${tex(area)} = {tex(Fraction(b1 + b2, 2))} h$.",
             f"So $h = {tex(area)} \\div {tex(Fraction(b1 + b2, 2))} = {height}$."]
    truth = sym(area) / sympy.Rational(b1 + b2, 2)
    return Draft(f"A trapezoid with bases ${b1}$ and ${b2}$ has area ${tex(area)}$. What is its height?", steps,
                 str(height), truth)


@template(SUBJECT)
def sector_arc(rng: random.Random, level: int) -> Draft:
    """Arc length or sector area for a central angle in degrees, in terms of pi."""
    radius = rng.randint(1, upto(level, 1))
    angle = rng.choice(range(10, 360, 10 if level <= 2 else 5))
    share = Fraction(angle, 360)
    if rng.random() < 0.5:
        value = share * 2 * radius
        steps = [f"The arc is ${show(f'{FRAC}{{{angle}}}{{360}}', share)}$ of the whole circumference.",
                 f"The circumference is $2 \\pi r$ with ${show(f'2{CDOT}{radius}', 2 * radius)}$: ${times_tex(2 * radius, PI)}$.",
                 f"${show(f'{tex(share)}{CDOT}{2 * radius}', value)}$, so the arc length is ${times_tex(value, PI)}$."]
        truth = sympy.rad(angle) * radius  # s = r theta with theta in radians
        question = "the length of the arc"
    else:
        value = share * radius * radius
        steps = [f"The sector is ${show(f'{FRAC}{{{angle}}}{{360}}', share)}$ of the whole disk.",
                 f"The disk has area $\\pi r^2$ with ${show(f'{radius}^2', radius * radius)}$: ${times_tex(radius * radius, PI)}$.",
                 f"${show(f'{tex(share)}{CDOT}{radius * radius}', value)}$, so the sector has area ${times_tex(value, PI)}$."]
        truth = sympy.rad(angle) * radius**2 / 2  # A = r^2 theta / 2
        question = "the area of the sector"
    given = f"radius ${radius}$"
    if level >= 4:  # one more step: the radius from the area
        given = f"area ${times_tex(radius * radius, PI)}$"
        steps.insert(0, f"From $\\pi r^2 = {times_tex(radius * radius, PI)}$, $r^2 = {radius * radius}$ and $r = {radius}$.")
    return Draft(f"A circle has {given}. A central angle of ${angle}^\\circ$ cuts off an arc. What is {question}? "
                 "Express your answer in terms of $\\pi$.", steps, times_tex(value, PI), truth)


@template(SUBJECT)
def square_from_diagonal(rng: random.Random, level: int) -> Draft:
    """Area (or perimeter, as a radical) of a square from its diagonal."""
    diagonal = rng.randint(2, upto(level, 5))
    area = Fraction(diagonal * diagonal, 2)
    steps = [f"If the side is $s$, the diagonal is $s\\sqrt{{2}}$, so $s\\sqrt{{2}} = {diagonal}$.",
             f"Squaring, $2s^2 = {show(f'{diagonal}^2', diagonal * diagonal)}$, so "
             f"$s^2 = {show(f'{FRAC}{{{diagonal * diagonal}}}{{2}}', area)}$."]
    if level >= 3 and rng.random() < 0.5:
        perimeter = surd_tex(Fraction(4 * diagonal, 2), 2)  # 4 s = 4 d / sqrt(2) = 2 sqrt(2) d
        steps += [f"So $s = \\frac{{{diagonal}}}{{\\sqrt{{2}}}} = {surd_tex(Fraction(diagonal, 2), 2)}$.",
                  f"The perimeter is $4s = {perimeter}$."]
        truth = 4 * sympy.sqrt(sym(area))
        return Draft(f"A square has a diagonal of length ${diagonal}$. What is its perimeter? Express your answer in "
                     "simplest radical form.", steps, perimeter, truth)
    steps.append(f"The area is $s^2 = {tex(area)}$.")
    truth = 4 * sympy.Rational(diagonal, 2) ** 2 / 2  # the diagonals cut it into four right triangles with legs d/2
    return Draft(f"A square has a diagonal of length ${diagonal}$. What is its area?", steps, tex(area), truth)


@template(SUBJECT)
def box_space_diagonal(rng: random.Random, level: int) -> Draft:
    """The space diagonal of a rectangular box (a cube at level 1) by Pythagoras twice."""
    a = rng.randint(1, upto(level, 5) if level == 1 else upto(level, 1))
    b, c = (a, a) if level == 1 else (rng.randint(1, upto(level, 1)), rng.randint(1, upto(level, 1)))
    face = a * a + b * b
    total = face + c * c
    answer = surd_tex(1, total)
    steps = [f"The diagonal of the ${a} \\times {b}$ face has length $\\sqrt{{{face}}}$, since ${show(f'{a}^2 + {b}^2', face)}$.",
             f"It is a leg of a right triangle whose other leg is the edge ${c}$ and whose hypotenuse is the space diagonal.",
             f"${show(f'{face} + {c}^2', total)}$, so the space diagonal is $\\sqrt{{{total}}}"
             + (f" = {answer}$." if answer != f"\\sqrt{{{total}}}" else "$.")]
    truth = sympy.Point3D(0, 0, 0).distance(sympy.Point3D(a, b, c))
    shape = f"a cube with edge length ${a}$" if level == 1 else f"a rectangular box measuring ${a}$ by ${b}$ by ${c}$"
    return Draft(f"What is the length of the longest diagonal of {shape}? Express your answer in simplest radical form.",
                 steps, answer, truth)
