"""Shapes known by name, and what a student asks of them (issue 24's curriculum: perimeter, area, volume).

One table, `SHAPES`: each shape is the lengths that fix it (a circle's radius, a rectangle's length and
width) and its measures as formulas over those lengths. A question gives some measures and asks another:

    the area of a circle with radius 5                  (a measure from the lengths)
    a circle has circumference 12 pi. what is its area?  (a measure from another measure)
    the area of a square is 49. what is its side length?
    volume of a box 3 by 4 by 5                          (dimensions)
    a trapezoid has bases 6 and 10 and height 4. area?
    a triangle has sides 6, 8 and 10. whats its area     (three sides: Heron's formula)

The given measures are solved for the lengths (positive reals, exactly), and the asked measure must have one
value over every solution: a rectangle of area 12 and perimeter 14 is 3 by 4 or 4 by 3, and its diagonal is
5 either way. No solution is ill-posed (a square of area -4); as many givens as the shape has lengths, or no
claim. A unit may follow each number (`7 cm`), the same unit throughout; any other word stays unread.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import sympy

from tutor.solve.symbolic.phrases import OPERAND_ENDS, SIGNED_NUMBER
from tutor.solve.symbolic.segments import IllPosed, NotReadable

_PI = sympy.pi


@dataclass(frozen=True)
class Shape:
    lengths: tuple[str, ...]
    """The lengths that fix the shape, in the order dimensions (`3 by 4 by 5`) give them."""
    measures: dict[str, Callable[..., sympy.Expr]]
    """Measure name -> its formula over `lengths`."""


def _circle_like(**more: Callable[..., sympy.Expr]) -> dict[str, Callable[..., sympy.Expr]]:
    return {"radius": lambda r, *_: r, "diameter": lambda r, *_: 2 * r, **more}


SHAPES: dict[str, Shape] = {
    "circle": Shape(("radius",), _circle_like(area=lambda r: _PI * r**2, circumference=lambda r: 2 * _PI * r,
                                              perimeter=lambda r: 2 * _PI * r)),
    "square": Shape(("side",), {"side": lambda a: a, "perimeter": lambda a: 4 * a, "area": lambda a: a**2,
                                "diagonal": lambda a: a * sympy.sqrt(2)}),
    "rectangle": Shape(("length", "width"), {
        "length": lambda a, b: a, "width": lambda a, b: b, "area": lambda a, b: a * b,
        "perimeter": lambda a, b: 2 * (a + b), "diagonal": lambda a, b: sympy.sqrt(a**2 + b**2)}),
    "triangle": Shape(("base", "height"), {"base": lambda b, h: b, "height": lambda b, h: h,
                                           "area": lambda b, h: b * h / 2}),
    "parallelogram": Shape(("base", "height"), {"base": lambda b, h: b, "height": lambda b, h: h,
                                                "area": lambda b, h: b * h}),
    "trapezoid": Shape(("base", "other base", "height"), {
        "base": lambda a, b, h: a, "other base": lambda a, b, h: b, "height": lambda a, b, h: h,
        "area": lambda a, b, h: (a + b) * h / 2}),
    "right triangle": Shape(("leg", "other leg"), {
        "leg": lambda a, b: a, "other leg": lambda a, b: b, "hypotenuse": lambda a, b: sympy.sqrt(a**2 + b**2),
        "area": lambda a, b: a * b / 2, "perimeter": lambda a, b: a + b + sympy.sqrt(a**2 + b**2)}),
    "equilateral triangle": Shape(("side",), {
        "side": lambda a: a, "perimeter": lambda a: 3 * a, "area": lambda a: sympy.sqrt(3) * a**2 / 4,
        "height": lambda a: sympy.sqrt(3) * a / 2}),
    "cube": Shape(("side",), {"side": lambda a: a, "volume": lambda a: a**3, "surface area": lambda a: 6 * a**2,
                              "diagonal": lambda a: a * sympy.sqrt(3)}),
    "box": Shape(("length", "width", "height"), {
        "length": lambda a, b, c: a, "width": lambda a, b, c: b, "height": lambda a, b, c: c,
        "volume": lambda a, b, c: a * b * c, "surface area": lambda a, b, c: 2 * (a * b + a * c + b * c),
        "diagonal": lambda a, b, c: sympy.sqrt(a**2 + b**2 + c**2)}),
    "sphere": Shape(("radius",), _circle_like(volume=lambda r: sympy.Rational(4, 3) * _PI * r**3,
                                              **{"surface area": lambda r: 4 * _PI * r**2})),
    "cylinder": Shape(("radius", "height"), _circle_like(
        height=lambda r, h: h, volume=lambda r, h: _PI * r**2 * h,
        **{"surface area": lambda r, h: 2 * _PI * r * (r + h)})),
    "cone": Shape(("radius", "height"), _circle_like(height=lambda r, h: h, volume=lambda r, h: _PI * r**2 * h / 3)),
}
_SHAPE_NAMES = {"isosceles right triangle": "right triangle", "rectangular prism": "box", "rectangular box": "box", "rectangular solid": "box",
                "trapezium": "trapezoid", "ball": "sphere"}
_MEASURE_NAMES = {"r": "radius", "h": "height", "d": "diameter", "one leg": "leg", "1 leg": "leg", "longest diagonal": "diagonal", "space diagonal": "diagonal", "length of the longest diagonal": "diagonal",
                  "edge": "side", "side length": "side", "edge length": "side", "length of a side": "side",
                  "length of each side": "side", "length of its side": "side", "height": "height", "altitude": "height",
                  "diag": "diagonal", "volume": "volume", "surface area": "surface area", "total surface area": "surface area"}

LENGTH_UNITS = r"cm|mm|m|km|in|inch|inches|ft|feet|foot|yd|yards?|meters?|metres?|centimeters?|centimetres?|millimeters?"
_UNIT = rf"(?:\s*(?:square\s+|sq\.?\s+|cubic\s+)?({LENGTH_UNITS}|units?)\b)?"
_VALUE = rf"({SIGNED_NUMBER}|\\sqrt\s*\{{\s*\d+\s*\}})(?:\s*(\\pi\b))?{_UNIT}"
_NAME = (r"(surface\s+area|total\s+surface\s+area|area|perimeter|circumference|volume|diagonal|radius|diameter|"
         r"side\s+length|edge\s+length|side|edge|length|width|height|altitude|base|hypotenuse|(?:(?:one|1)\s+)?leg|r|h|d)")
_GIVEN = (rf"(?:(?:a|an|the|its|each)\s+)?\b{_NAME}\b(?:\s*=\s*|\s+(?:of\s+(?:length\s+)?|is\s+|equal\s+to\s+|measuring\s+)?)"
          rf"{_VALUE}")
_DIMENSIONS = rf"{_VALUE}\s+(?:by|x)\s+{_VALUE}(?:\s+(?:by|x)\s+{_VALUE})?"
_BASES = rf"(?:parallel\s+)?bases\s+(?:of\s+(?:length\s+|lengths\s+)?|are\s+)?{_VALUE}\s+and\s+{_VALUE}"
_LEGS = rf"legs\s+(?:of\s+(?:length\s+|lengths\s+)?|are\s+)?{_VALUE}(?:\s+and\s+{_VALUE})?"
_SIZE = rf"{_VALUE}\s+(long|wide|tall|high)"
_SIDES = rf"sides\s+(?:of\s+(?:length\s+|lengths\s+)?)?{_VALUE}\s*,\s*{_VALUE}\s*,?\s*and\s+{_VALUE}"
_ONE_GIVEN = rf"(?:{_BASES}|{_LEGS}|{_SIDES}|{_DIMENSIONS}|{_SIZE}|{_GIVEN})"
_GIVENS = rf"({_ONE_GIVEN}(?:\s*,?\s*(?:and\s+)?(?:has\s+|with\s+)?{_ONE_GIVEN})*)"
_SHAPE = (r"(?:circle|square|rectangle|(?:isosceles\s+)?right\s+triangle|equilateral\s+triangle|triangle|parallelogram|trapezoid|trapezium|cube|sphere|ball|cylinder|cone|box|"
          r"rectangular\s+(?:prism|box|solid))")
_MEASURE = (r"(?:length\s+of\s+the\s+longest\s+diagonal|longest\s+diagonal|space\s+diagonal|surface\s+area|total\s+surface\s+area|area|perimeter|circumference|volume|diagonal|radius|diameter|"
            r"side\s+length|edge\s+length|length\s+of\s+(?:a|each|its)\s+side|side|edge|length|width|height|hypotenuse|"
            r"other\s+leg)")
_ASK = (r"\s*[.,?]?\s*(?:what\s+is|find|calculate|compute|determine|how\s+long\s+is|how\s+big\s+is)?\s*(?:the\s+|its\s+)?"
        r"(?:length\s+of\s+(?:the\s+|its\s+)?)?")
_IN_UNITS = r"(?:\s*,?\s*in\s+(?:square\s+|cubic\s+)?[a-z]+)?"

_OF_SHAPE = rf"\s+of\s+(?:(?:a|an|the)\s+)?(?P<shape>{_SHAPE})"
# The asked measure before or after the givens; each names its groups `asked`, `shape` and `givens` (or one
# given as `given_name` and `given_value`).
FORMS = [
    rf"\b(?:the\s+)?(?P<asked>{_MEASURE}){_OF_SHAPE}\s+(?:with|whose|that\s+has|having|of|measuring|that\s+is|"
    rf"which\s+is)?\s*(?P<givens>{_GIVENS}){_IN_UNITS}{OPERAND_ENDS}",
    rf"(?:\b(?:a|an|the)\s+|^\s*)(?P<shape>{_SHAPE})(?:\s*'s)?\s*(?:[,:]\s*)?(?:has\s+|have\s+|with\s+|having\s+|measures\s+|is\s+)?"
    rf"(?P<givens>{_GIVENS}){_ASK}(?P<asked>{_MEASURE}){_IN_UNITS}{OPERAND_ENDS}",
    rf"\b(?:the\s+)?(?P<givens>legs){_OF_SHAPE}\s+are\s+(?P<legs>{_VALUE}\s+and\s+{_VALUE}){_ASK}(?P<asked>{_MEASURE})"
    rf"{_IN_UNITS}{OPERAND_ENDS}",
    rf"\b(?:the\s+|each\s+)?(?P<given_name>{_NAME}){_OF_SHAPE}\s+(?:is|measures|equals)\s+(?P<given_value>{_VALUE}){_ASK}"
    rf"(?P<asked>{_MEASURE}){_IN_UNITS}{OPERAND_ENDS}",
]


def asked_measure(match: re.Match) -> sympy.Expr:
    """The value one of `FORMS` asks for."""
    groups = match.groupdict()
    givens = (f"legs {groups['legs']}" if groups.get("legs") else groups["givens"] if "givens" in groups
              else f"{groups['given_name']} {groups['given_value']}")
    return measure(match["asked"], match["shape"], givens)


def measure(asked: str, shape_name: str, givens_text: str) -> sympy.Expr:
    """The asked measure of the named shape from the givens' text."""
    shape_name = " ".join(shape_name.lower().split())
    shape = SHAPES[_SHAPE_NAMES.get(shape_name, shape_name)]
    asked = _measure_name(asked)
    given, sides, units = _givens(givens_text, shape)
    if len(set(units) - {""}) > 1:
        raise NotReadable("lengths in different units")
    if sides:
        return _from_sides(asked, shape_name, sides, given)
    if asked not in shape.measures:
        raise NotReadable(f"no {asked} of a {shape_name} here")
    if any(name not in shape.measures for name in given) or len(given) != len(shape.lengths):
        raise NotReadable(f"a {shape_name} from other measures than fix it")
    if any(value <= 0 for value in given.values()):
        raise IllPosed("A length must be more than 0, so this has no answer.")
    lengths = sympy.symbols(f"l0:{len(shape.lengths)}", positive=True)
    equations = [shape.measures[name](*lengths) - value for name, value in given.items()]
    solutions = sympy.solve(equations, lengths, dict=True)
    values = {sympy.radsimp(shape.measures[asked](*(s[x] for x in lengths)))
              for s in solutions if all(x in s and s[x].is_positive for x in lengths)}
    if not values:
        raise IllPosed(f"No {shape_name} has those measures, so this has no answer.")
    if len(values) > 1:
        raise NotReadable(f"more than one {shape_name} has those measures, with different {asked}s")
    return values.pop()


def _measure_name(text: str) -> str:
    text = " ".join(text.lower().split())
    text = re.sub(r"^total\s+", "", text)
    return _MEASURE_NAMES.get(text, "side" if text.startswith("length of") else text)


def _value(number: str, pi: str | None) -> sympy.Expr:
    """`5`, `2.5`, `\\sqrt{7}`, `12 \\pi` as exact values."""
    radicand = re.fullmatch(r"\\sqrt\s*\{\s*(\d+)\s*\}", number)
    value = sympy.sqrt(int(radicand.group(1))) if radicand else sympy.Rational(number)
    return value * (_PI if pi else 1)


def _givens(text: str, shape: Shape) -> tuple[dict[str, sympy.Expr], list[sympy.Expr], list[str]]:
    """The given measures by name (dimensions become the shape's lengths in order), a triangle's three sides
    where given, and the units said."""
    given: dict[str, sympy.Expr] = {}
    sides: list[sympy.Expr] = []
    units: list[str] = []

    def put(name: str, value: sympy.Expr) -> None:
        if name in given:
            raise NotReadable(f"the {name} given twice")
        given[name] = value

    for match in re.finditer(_ONE_GIVEN, text, flags=re.I):
        head = match.group()
        named = re.match(rf"(?:(?:a|an|the|its|each)\s+)?\b{_NAME}\b", head, flags=re.I)
        after = head[named.end():] if named else head  # `1 leg of length 5`: the value is the 5
        values = [(m.group(1), m.group(2), m.group(3) or "") for m in re.finditer(_VALUE, after, flags=re.I)]
        units += [unit_name(unit) for _, _, unit in values]
        numbers = [_value(n, pi) for n, pi, _ in values]
        if re.match(r"(?:parallel\s+)?bases\b", head, flags=re.I):
            put("base", numbers[0])
            put("other base", numbers[1])
        elif re.match(r"legs\b", head, flags=re.I):  # `legs of length 5`: both are 5
            put("leg", numbers[0])
            put("other leg", numbers[-1])
        elif size := re.fullmatch(_SIZE, head, flags=re.I):
            put({"long": "length", "wide": "width"}.get(size.group(4).lower(), "height"), numbers[0])
        elif re.match(r"sides\b", head, flags=re.I):
            if sides:
                raise NotReadable("the sides given twice")
            sides = numbers
        elif re.fullmatch(_DIMENSIONS, head, flags=re.I):
            if len(numbers) != len(shape.lengths):
                raise NotReadable("dimensions that do not fit the shape")
            for name, number in zip(shape.lengths, numbers):
                put(name, number)
        else:
            put(_measure_name(named.group(1)), numbers[0])
    return given, sides, units


def unit_name(unit: str) -> str:
    """One name per length unit (`feet`, `foot`, `ft` are `ft`), to tell whether two lengths share a unit."""
    unit = unit.lower()
    return {"inch": "in", "inches": "in", "feet": "ft", "foot": "ft"}.get(unit, unit.rstrip("s") if len(unit) > 2 else unit)


def _from_sides(asked: str, shape_name: str, sides: list[sympy.Expr], others: dict) -> sympy.Expr:
    """A triangle from its three sides: its perimeter, or its area by Heron's formula."""
    if shape_name != "triangle" or others or asked not in ("area", "perimeter"):
        raise NotReadable("three sides of other than a triangle, or with more given")
    a, b, c = sorted(sides)
    if a <= 0 or a + b <= c:
        raise IllPosed("No triangle has those sides (the two shorter ones must add up to more than the longest), "
                       "so this has no answer.")
    if asked == "perimeter":
        return a + b + c
    s = (a + b + c) / 2
    return sympy.radsimp(sympy.sqrt(s * (s - a) * (s - b) * (s - c)))
