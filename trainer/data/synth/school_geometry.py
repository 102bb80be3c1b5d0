"""School geometry, trigonometry and probability templates: perimeter and area of basic shapes, volumes of
solids, right-triangle trigonometry and probability with a deck of cards.
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import sympy

from trainer.data.synth.base import CDOT, FRAC, Draft, show, template, tex, times_tex, upto

PI = "\\pi"
TRIPLES = ((3, 4, 5), (5, 12, 13), (8, 15, 17), (7, 24, 25), (20, 21, 29), (9, 40, 41))


@template("Geometry")
def perimeter_and_area(rng: random.Random, level: int) -> Draft:
    """Perimeter or area of a rectangle, square, triangle, circle or (level >= 3) an L-shape of two rectangles."""
    big = upto(level, 1) + 3
    shape = rng.choice(("rectangle", "square", "triangle", "circle") + (("L-shape",) if level >= 3 else ()))
    ask = rng.choice(("perimeter", "area"))
    unit = rng.choice(("cm", "m", "ft", "in"))
    if shape == "rectangle":
        w, h = rng.randint(2, big), rng.randint(2, big)
        value = 2 * (w + h) if ask == "perimeter" else w * h
        steps = [f"The perimeter is $2(\\ell + w) = {show(f'2({w} + {h})', value)}$." if ask == "perimeter" else
                 f"The area is $\\ell w = {show(f'{w}{CDOT}{h}', value)}$."]
        truth = sympy.Polygon((0, 0), (w, 0), (w, h), (0, h))
        problem = f"A rectangle is ${w}$ {unit} long and ${h}$ {unit} wide. What is its {ask}?"
        word = (f"@name@ puts a fence around a rectangular garden {w} {unit} long and {h} {unit} wide. How many {unit} of "
                "fence are needed?" if ask == "perimeter" else
                f"A rectangular rug is {w} {unit} by {h} {unit}. What is its area in square {unit}?")
    elif shape == "square":
        s = rng.randint(2, big)
        value = 4 * s if ask == "perimeter" else s * s
        steps = [f"The perimeter is $4s = {show(f'4{CDOT}{s}', value)}$." if ask == "perimeter" else
                 f"The area is $s^2 = {show(f'{s}^2', value)}$."]
        truth = sympy.Polygon((0, 0), (s, 0), (s, s), (0, s))
        problem = f"A square has side length ${s}$ {unit}. What is its {ask}?"
        word = f"A square tile is {s} {unit} on each side. What is its {ask}?"
    elif shape == "triangle":
        scale = rng.randint(1, 1 + level)
        a, b, c = (k * scale for k in rng.choice(TRIPLES[: 2 + level]))
        value = a + b + c if ask == "perimeter" else Fraction(a * b, 2)
        steps = [f"The perimeter is the sum of the sides: ${show(f'{a} + {b} + {c}', value)}$." if ask == "perimeter" else
                 f"The legs are the base and the height, so the area is $\\frac{{1}}{{2}} b h = "
                 f"{show(f'{FRAC}{{1}}{{2}}{CDOT}{a}{CDOT}{b}', value)}$."]
        truth = sympy.Polygon((0, 0), (a, 0), (0, b))
        problem = f"A right triangle has legs ${a}$ {unit} and ${b}$ {unit} and hypotenuse ${c}$ {unit}. What is its {ask}?"
        word = None
    elif shape == "circle":
        r = rng.randint(1, big)
        value = 2 * r if ask == "perimeter" else r * r
        steps = [f"The circumference is $2 \\pi r$, and ${show(f'2{CDOT}{r}', value)}$, so it is ${times_tex(value, PI)}$."
                 if ask == "perimeter" else
                 f"The area is $\\pi r^2$, and ${show(f'{r}^2', value)}$, so it is ${times_tex(value, PI)}$."]
        circle = sympy.Circle(sympy.Point(0, 0), r)
        truth = circle.circumference if ask == "perimeter" else circle.area
        problem = (f"A circle has radius ${r}$ {unit}. What is its {'circumference' if ask == 'perimeter' else 'area'}? "
                   "Express your answer in terms of $\\pi$.")
        word = (f"A round pond has a radius of {r} {unit}. What is the {'distance around it' if ask == 'perimeter' else 'area of its surface'}"
                "? Give the answer in terms of pi.")
        return Draft(problem, steps, times_tex(value, PI), truth, word)
    else:  # an L-shape: a w x h rectangle with a cw x ch corner cut away
        w, h = rng.randint(4, big + 2), rng.randint(4, big + 2)
        cw, ch = rng.randint(1, w - 2), rng.randint(1, h - 2)
        points = ((0, 0), (w, 0), (w, h - ch), (w - cw, h - ch), (w - cw, h), (0, h))
        truth = sympy.Polygon(*points)
        if ask == "perimeter":
            value = 2 * (w + h)
            steps = ["Moving the two inner edges of the cut-out corner outward gives the full rectangle's outline, so the "
                     f"perimeter is $2({w} + {h})$, and ${show(f'2({w} + {h})', value)}$."]
        else:
            value = w * h - cw * ch
            steps = [f"The full rectangle has area ${show(f'{w}{CDOT}{h}', w * h)}$ and the cut-out corner "
                     f"${show(f'{cw}{CDOT}{ch}', cw * ch)}$.", f"So the area is ${show(f'{w * h} - {cw * ch}', value)}$."]
        problem = (f"An L-shaped room is a ${w}$ {unit} by ${h}$ {unit} rectangle with a ${cw}$ {unit} by ${ch}$ {unit} "
                   f"rectangle cut from one corner. What is its {ask}?")
        word = None
    truth = truth.perimeter if ask == "perimeter" else abs(truth.area)
    return Draft(problem, steps, tex(value), truth, word)


@template("Geometry")
def solid_volume(rng: random.Random, level: int) -> Draft:
    """The volume of a cube, cylinder, cone or sphere (in terms of pi)."""
    shape = rng.choice(("cube", "cylinder", "cone", "sphere")[: 2 + min(level, 2)])
    r, h = rng.randint(1, upto(level, 1)), rng.randint(1, upto(level, 1) + 2)
    unit = rng.choice(("cm", "m", "in"))
    if shape == "cube":
        value = Fraction(r**3)
        steps = [f"The volume of a cube is $s^3 = {show(f'{r}^3', r**3)}$."]
        return Draft(f"A cube has edges of length ${r}$ {unit}. What is its volume, in cubic {unit}?", steps, str(r**3),
                     sympy.Integer(r) * r * r, f"A box shaped like a cube is {r} {unit} on each edge. How many cubic {unit} does it hold?")
    if shape == "cylinder":
        value = Fraction(r * r * h)
        steps = [f"The volume of a cylinder is $\\pi r^2 h$, and ${show(f'{r}^2{CDOT}{h}', value)}$."]
        truth = sympy.integrate(sympy.pi * r**2, (sympy.Symbol("z"), 0, h))
        problem = f"A cylinder has radius ${r}$ {unit} and height ${h}$ {unit}. What is its volume?"
        word = f"A can of soup has a radius of {r} {unit} and a height of {h} {unit}. What is its volume?"
    elif shape == "cone":
        value = Fraction(r * r * h, 3)
        steps = [f"The volume of a cone is $\\frac{{1}}{{3}} \\pi r^2 h$, and ${show(f'{FRAC}{{1}}{{3}}{CDOT}{r}^2{CDOT}{h}', value)}$."]
        z = sympy.Symbol("z")  # stacked disks of radius r z / h
        truth = sympy.integrate(sympy.pi * (sympy.Rational(r, h) * z) ** 2, (z, 0, h))
        problem = f"A cone has radius ${r}$ {unit} and height ${h}$ {unit}. What is its volume?"
        word = f"An ice cream cone has a radius of {r} {unit} and a height of {h} {unit}. What is its volume?"
    else:
        value = Fraction(4 * r**3, 3)
        steps = [f"The volume of a sphere is $\\frac{{4}}{{3}} \\pi r^3$, and ${show(f'{FRAC}{{4}}{{3}}{CDOT}{r}^3', value)}$."]
        z = sympy.Symbol("z")  # disks of radius sqrt(r^2 - z^2)
        truth = sympy.integrate(sympy.pi * (r**2 - z**2), (z, -r, r))
        problem = f"A sphere has radius ${r}$ {unit}. What is its volume?"
        word = f"A ball has a radius of {r} {unit}. What is its volume?"
    steps.append(f"So the volume is ${times_tex(value, PI)}$ cubic {unit}.")
    return Draft(problem + " Express your answer in terms of $\\pi$.", steps, times_tex(value, PI), truth,
                 word + " Give the answer in terms of pi.")


DECK = [(rank, suit) for rank in ("A", "2", "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K")
        for suit in ("hearts", "diamonds", "clubs", "spades")]
# event: (one card, several cards, test of one card, cards in the deck)
CARD_EVENTS = {
    "heart": ("a heart", "hearts", lambda c: c[1] == "hearts", 13),
    "king": ("a king", "kings", lambda c: c[0] == "K", 4),
    "face": ("a face card (jack, queen or king)", "face cards", lambda c: c[0] in "JQK", 12),
    "red": ("a red card", "red cards", lambda c: c[1] in ("hearts", "diamonds"), 26),
    "red ace": ("a red ace", "red aces", lambda c: c[0] == "A" and c[1] in ("hearts", "diamonds"), 2),
    "number": ("a card numbered 2 to 10", "cards numbered 2 to 10", lambda c: c[0] not in "AJQK", 36),
}


@template("Counting & Probability")
def card_probability(rng: random.Random, level: int) -> Draft:
    """One card from a standard deck (level >= 3: "A or B" by inclusion-exclusion; level >= 4: two cards
    without replacement)."""
    names = list(CARD_EVENTS)
    if level >= 4 and rng.random() < 0.6:
        event = rng.choice(names)
        _, plural, test, count = CARD_EVENTS[event]
        value = Fraction(count, 52) * Fraction(count - 1, 51)
        steps = [f"${count}$ of the $52$ cards are {plural}, so the first card is one with probability $\\frac{{{count}}}{{52}}$.",
                 f"Then ${show(f'{count} - 1', count - 1)}$ of the remaining $51$ cards are {plural}: probability "
                 f"$\\frac{{{count - 1}}}{{51}}$.",
                 f"Both: ${show(f'{FRAC}{{{count}}}{{52}}{CDOT}{FRAC}{{{count - 1}}}{{51}}', value)}$."]
        pairs = list(itertools.permutations(DECK, 2))
        truth = sympy.Rational(sum(1 for a, b in pairs if test(a) and test(b)), len(pairs))
        problem = (f"Two cards are drawn at random from a standard 52-card deck without replacement. What is the "
                   f"probability that both are {plural}? Express your "
                   "answer as a common fraction.")
        return Draft(problem, steps, tex(value), truth)
    if level >= 3:
        first, second = rng.sample(["heart", "king", "face", "red ace"], 2)
        (said1, plural1, test1, n1), (said2, plural2, test2, n2) = CARD_EVENTS[first], CARD_EVENTS[second]
        both = sum(1 for card in DECK if test1(card) and test2(card))
        favourable = n1 + n2 - both
        value = Fraction(favourable, 52)
        steps = [f"There are ${n1}$ {plural1} and ${n2}$ {plural2}; ${both}$ {'is' if both == 1 else 'are'} both.",
                 f"So ${show(f'{n1} + {n2} - {both}', favourable)}$ cards are one or the other.",
                 f"The probability is ${show(f'{FRAC}{{{favourable}}}{{52}}', value)}$."]
        truth = sympy.Rational(sum(1 for card in DECK if test1(card) or test2(card)), len(DECK))
        return Draft(f"A card is drawn at random from a standard 52-card deck. What is the probability that it is "
                     f"{said1} or {said2}? Express your answer as a common fraction.", steps, tex(value), truth)
    said, plural, test, count = CARD_EVENTS[rng.choice(names)]
    value = Fraction(count, 52)
    steps = [f"A standard deck has $52$ cards, and ${count}$ of them are {plural}.",
             f"The probability is ${show(f'{FRAC}{{{count}}}{{52}}', value)}$."]
    truth = sympy.Rational(sum(1 for card in DECK if test(card)), len(DECK))
    word = f"@name@ picks one card at random from a shuffled 52-card deck. What is the probability that it is {said.split(' (')[0]}?"
    return Draft(f"A card is drawn at random from a standard 52-card deck. What is the probability that it is {said}? "
                 "Express your answer as a common fraction.", steps, tex(value), truth, word)


@template("Precalculus")
def right_triangle_trig(rng: random.Random, level: int) -> Draft:
    """sin, cos or tan of an acute angle of a right triangle with integer sides (the hypotenuse found first
    from level 3)."""
    scale = rng.randint(1, 1 + level)
    a, b, c = (k * scale for k in rng.choice(TRIPLES[: 2 + level]))
    func = rng.choice(("sin", "cos", "tan"))
    ratio = {"sin": Fraction(a, c), "cos": Fraction(b, c), "tan": Fraction(a, b)}[func]
    steps = []
    if level >= 3:
        steps.append(f"By the Pythagorean theorem, $AB^2 = {show(f'{a}^2 + {b}^2', c * c)}$, and ${show(f'{c}^2', c * c)}$, "
                     f"so $AB = {c}$.")
        given = f"right angle at $C$, $BC = {a}$ and $AC = {b}$"
    else:
        given = f"right angle at $C$, $BC = {a}$, $AC = {b}$ and $AB = {c}$"
    side = {"sin": ("opposite", "hypotenuse", a, c), "cos": ("adjacent", "hypotenuse", b, c),
            "tan": ("opposite", "adjacent", a, b)}[func]
    steps.append(f"$\\{func} A$ is {side[0]} over {side[1]}: $\\frac{{BC}}{{{'AB' if side[1] == 'hypotenuse' else 'AC'}}}"
                 if func != "cos" else "$\\cos A$ is adjacent over hypotenuse: $\\frac{AC}{AB}")
    steps[-1] += f" = {show(f'{FRAC}{{{side[2]}}}{{{side[3]}}}', ratio)}$."
    angle = sympy.atan2(a, b)  # the angle at A, from the coordinates C = (0, 0), A = (b, 0), B = (0, a)
    truth = {"sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan}[func](angle)
    return Draft(f"In triangle $ABC$, with {given}, what is $\\{func} A$?", steps, tex(ratio), sympy.nsimplify(truth))

