"""Whole school questions the reader knows by their words (issue 24's curriculum): the mean, median, mode or
range of listed numbers; the slope, distance or midpoint of two points; a polynomial's derivative; the n-th
term of an arithmetic or geometric sequence; a trigonometric value at an angle in degrees; "what percent of
B is A" and a percent change; the hypotenuse or the other leg of a right triangle.

Two layers, as in the reader:
- `rewrite(text)` (text level, inside `reader.clean`): question forms whose every word is in the pattern
  (`the 8th term of the arithmetic sequence 19, 18, 17, ...`, `sin 30 degrees`, `what percent of 80 is 20`)
  become math, computed here from plain numbers, so nothing of them is left for the later checks to read
  two ways.
- `statistics`, `points` and `derivative` (segment level, beside `phrases`): a key word, the few words that
  may join it to its operands, and operands that are plain numbers or points. A word outside those (a
  "perpendicular", an "at x = 2", a unit) is left unread, and the problem then gets no claim at all.

Each form claims an answer only where its meaning is fixed: a list that runs on into something that is not
a number (`the mean of 3, 5 and x`), a data set with two modes, a vertical line's slope, a "sequence" whose
terms do not keep one difference or ratio, an angle whose value has no closed form: no claim.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

import sympy

from tutor.grading.fast import split_top_level
from tutor.solve.symbolic import algebra, curriculum, shapes, stories
from tutor.solve.symbolic.phrases import (
    OPERAND_ENDS,
    SIGNED_NUMBER,
    Evaluate,
    is_math,
    joiner,
    listed_numbers,
    skip_words,
    words_at,
)
from tutor.solve.symbolic.segments import IllPosed, NotReadable, Reading, Segment

# Words read only inside the segment-level forms below.
QUESTION_WORDS = frozenset(
    """mean average arithmetic median mode range data set list following scores slope line through passing
    containing joining connecting between points point segment endpoints with from midpoint distance derivative
    differentiate respect goes passes limit test quiz exam grades primefactorization pointanswer seriessum upto sigma""".split()
)
_PLAIN_NUMBER = re.compile(SIGNED_NUMBER)
_DEGREES = r"(?:\^\s*\{?\s*\\circ\s*\}?|°|\s*degrees?\b|\s*deg\b)"


def _number(text: str) -> sympy.Rational:
    return sympy.Rational(text)


def _math(value: sympy.Expr) -> str:
    """A computed value as math the shared parser reads back exactly, bracketed."""
    return f" ({sympy.latex(value)}) "


# ---- text level ------------------------------------------------------------------------------------------

def _sequence_term(match: re.Match) -> str:
    groups = match.groupdict()
    index = None if groups.get("infinite") else int(groups["index"])
    return _math(_sequence_value(match["terms"], index, groups.get("kind") or "", bool(groups.get("sum"))))


def _sequence_value(listed: str, index: int | None, kind: str, total: bool) -> sympy.Expr:
    """The n-th term (or, with `total`, the sum of the first n terms; with no `index`, the sum of all of them) of
    a listed arithmetic or geometric sequence; a sequence not named either is the one its terms keep (a
    difference or a ratio)."""
    infinite, kind = index is None, kind.lower()
    terms = [sympy.Rational(re.sub(r"\s+", "", t)) for t in re.findall(_TERM, listed)]
    if len(terms) < 3 or (not infinite and not 1 <= index <= 10_000):
        raise NotReadable("a sequence term needs its place (1st, 2nd, ...) and three terms")
    steps = {b - a for a, b in zip(terms, terms[1:])}
    ratios = {b / a for a, b in zip(terms, terms[1:])} if 0 not in terms else set()
    if not kind and len(terms) < 4:
        raise NotReadable("three terms and no kind named: `2, 4, 8` could go on many ways")
    if not kind:
        kind = "arithmetic" if len(steps) == 1 else "geometric" if len(ratios) == 1 else ""
    if infinite:
        if kind != "geometric" or len(ratios) != 1:
            raise NotReadable("an infinite sum of other than a geometric series")
        ratio = ratios.pop()
        if abs(ratio) >= 1:
            raise IllPosed("This series does not converge (its ratio is not between -1 and 1), so it has no sum.")
        return terms[0] / (1 - ratio)
    if kind == "arithmetic" and len(steps) == 1:
        step = steps.pop()
        nth = terms[0] + (index - 1) * step
        return (terms[0] + nth) * index / 2 if total else nth
    if kind == "geometric" and len(ratios) == 1 and index <= 200:
        ratio = ratios.pop()
        summed = index * terms[0] if ratio == 1 else terms[0] * (1 - ratio**index) / (1 - ratio)
        return summed if total else terms[0] * ratio ** (index - 1)
    raise NotReadable("the listed terms do not keep one difference or ratio (or the term is too far out)")


def _sequence_term_sum(match: re.Match) -> str:
    """The sum of the first n terms asked after the terms (the place is in one of three groups)."""
    index = int(match["index"] or match["index2"] or match["index3"])
    return _math(_sequence_value(match["terms"], index, match["kind"] or "", total=True))


def _trig_degrees(match: re.Match) -> str:
    name, angle = match.group(1).lower(), _number(match.group(2) or match.group(3))
    value = getattr(sympy, name)(sympy.pi * angle / 180)
    if value.has(sympy.zoo, sympy.nan) or value.has(sympy.sin, sympy.cos, sympy.tan):
        raise NotReadable("an angle whose value is undefined or has no closed form")
    return _math(sympy.radsimp(value))


def _percent_change(match: re.Match) -> str:
    return _math(curriculum.percent_change(match.group(1), match.group(2), match.group(3)))


def _other_leg(match: re.Match) -> str:
    hypotenuse, leg = _number(match.group(1)), _number(match.group(2))
    if not 0 < leg < hypotenuse:
        raise IllPosed("No right triangle has a leg as long as its hypotenuse, so this has no answer.")
    return _math(sympy.sqrt(hypotenuse**2 - leg**2))


def _hypotenuse(match: re.Match) -> str:
    a, b = _number(match.group(1)), _number(match.group(2))
    if a <= 0 or b <= 0:
        raise IllPosed("A triangle's sides are longer than 0, so this has no answer.")
    return _math(sympy.sqrt(a**2 + b**2))


_TERM = rf"{SIGNED_NUMBER}(?:\s*/\s*\d+)?"
_DOTS = r"(?:\.\s*\.\s*\.|…|\\[lc]?dots\b|\.(?=\s))"  # the last: `...` before more words, as `reader` respells it
_LIST = rf"{_TERM}(?:\s*,\s*{_TERM}){{2,30}}(?:\s*,\s*{_DOTS})?"  # bounded: tried at every number of a long list
_SERIES = rf"{_TERM}(?:\s*\+\s*{_TERM}){{2,30}}\s*\+\s*{_DOTS}"  # `5 + 10 + 20 + ...`: a series' terms
_NAMED_SEQUENCE = r"(?:(?:the\s+)?(?:(?P<kind>arithmetic|geometric)\s+)?(?:sequence|progression|series)\s*:?\s*)?"
_FIRST_TERMS = r"(?:the|its)\s+first\s+(?P<index>\d+)\s+terms"
_LEGS = rf"legs\s+(?:of\s+(?:length|lengths)\s+|are\s+|measuring\s+)?({SIGNED_NUMBER})\s+and\s+({SIGNED_NUMBER})"
_ASK_LENGTH = r"\s*[.,]?\s*(?:what\s+is|find|how\s+long\s+is)\s+(?:the\s+)?(?:length\s+of\s+)?(?:the\s+|its\s+)?"
_HYPOTENUSE_GIVEN = rf"hypotenuse\s+(?:of\s+(?:length\s+)?)?({SIGNED_NUMBER})"
_LEG_GIVEN = rf"(?:a|one)\s+leg\s+(?:of\s+(?:length\s+)?)?({SIGNED_NUMBER})"
def _shape(match: re.Match) -> str:
    return _math(shapes.asked_measure(match))


_COUNT = r"\d{1,3}"
_BOUND = r"(exactly\s+|at\s+least\s+|at\s+most\s+)?"
_COINS_THEN_ASK = (rf"\b(?:a\s+)?(?:fair\s+)?coin\s+is\s+(?:flipped|tossed)\s+({_COUNT})\s+times\s*[.,]?\s*(?:what\s+is\s+)?"
                   rf"the\s+probability\s+(?:of\s+(?:getting|flipping)\s+|that\s+(?:you\s+get|it\s+lands|we\s+get)\s+)"
                   rf"{_BOUND}({_COUNT})\s+(heads|tails){OPERAND_ENDS}")
_ASK_THEN_COINS = (rf"\bthe\s+probability\s+of\s+(?:getting|flipping)\s+{_BOUND}({_COUNT})\s+(heads|tails)\s+"
                   rf"(?:in|with|when\s+flipping\s+a\s+(?:fair\s+)?coin)\s+({_COUNT})\s+(?:fair\s+)?(?:coin\s+)?"
                   rf"(?:flips|tosses|times){OPERAND_ENDS}")
_DICE = rf"({_COUNT})\s+(?:fair\s+)?(?:(\d{{1,2}})-sided\s+|standard\s+)?dice"
_SUM_BOUND = r"(exactly\s+|at\s+least\s+|at\s+most\s+|more\s+than\s+|less\s+than\s+)?"
_DICE_THEN_ASK = (rf"\b{_DICE}(?:\s*,?\s*with\s+faces\s+numbered\s+1\s+to\s+(\d{{1,2}})\s*,?)?\s+are\s+(?:rolled|thrown)"
                  rf"\s*[.,]?\s*(?:what\s+is\s+)?the\s+probability\s+(?:that\s+)?(?:the\s+)?(?:sum|total)\s+is\s+{_SUM_BOUND}"
                  rf"({_COUNT}){OPERAND_ENDS}")
_ASK_THEN_DICE = (rf"\bthe\s+probability\s+of\s+(?:rolling|getting)\s+a\s+(?:sum|total)\s+of\s+{_SUM_BOUND}({_COUNT})\s+"
                  rf"(?:with|when\s+rolling|on)\s+{_DICE}{OPERAND_ENDS}")
_IF_YOU = r"(?:if\s+(?:you|i|we)\s+)?"
_COINS_IMPERATIVE = (rf"\b{_IF_YOU}(?:flip|toss)\s+(?:a\s+(?:fair\s+)?coin\s+(?P<flips>{_COUNT})\s+times|(?P<coins>{_COUNT})\s+"
                     rf"(?:fair\s+)?coins)\s*[.,]?\s*(?:(?:what\s+is|whats)\s+)?(?:the\s+)?probability\s+(?:of\s+(?:getting\s+)?|that\s+"
                     rf"(?:you\s+get\s+|i\s+get\s+|we\s+get\s+)?)(?P<bound>exactly\s+|at\s+least\s+|at\s+most\s+)?(?P<k>{_COUNT})\s+"
                     rf"(?:heads?|tails?){OPERAND_ENDS}")
_DICE_IMPERATIVE = (rf"\b{_IF_YOU}roll\s+(?P<dice>{_COUNT})\s+(?:fair\s+)?(?:(?P<sides>\d{{1,2}})-sided\s+|six-sided\s+|standard\s+)?"
                    rf"dice\s*[.,]?\s*(?:(?:what\s+is|whats)\s+)?(?:(?:the\s+)?probability\s+(?:that\s+)?(?:the\s+)?|P\s*\(\s*(?:the\s+)?)"
                    rf"(?:sum|total)\s+(?:is|=)\s+(?P<bound>exactly\s+|at\s+least\s+|at\s+most\s+|more\s+than\s+|less\s+than\s+)?(?P<total>{_COUNT})"
                    rf"(?:\s*\))?{OPERAND_ENDS}")
_DICE_AT_LEAST_ONE = (rf"\b(?P<dice>{_COUNT})\s+(?:fair\s+)?(?:(?P<sides>\d{{1,2}})-sided\s+|six-sided\s+|standard\s+)?dice\s+are\s+"
                      rf"(?:rolled|thrown)\s*[.,]?\s*(?:what\s+is\s+)?the\s+probability\s+that\s+at\s+least\s+(?:one|1)(?:\s+of\s+"
                      rf"them)?\s+(?:shows|is|lands\s+on)\s+an?\s+(?P<face>\d{{1,2}}){OPERAND_ENDS}")
_CHOOSE = (rf"\bhow\s+many\s+(?:ways\s+(?:can\s+(?:you|i|we)\s+|are\s+there\s+to\s+|to\s+)|different\s+ways\s+"
           rf"(?:can\s+(?:you|i|we)\s+|to\s+))(?:choose|pick|select)\s+({_COUNT})(?:\s+([a-z]+))?\s+(?:from|out\s+of)\s+"
           rf"(?:a\s+group\s+of\s+)?({_COUNT})(?:\s+(?:different\s+|distinct\s+)?([a-z]+))?{OPERAND_ENDS}")
_ARRANGE_PASSIVE = (rf"\b(?:in\s+)?how\s+many\s+(?:distinct\s+|different\s+)?ways\s+can\s+the\s+letters\s+(?:of|in)\s+(?:the\s+"
                    rf"word\s+)?([A-Za-z]{{1,20}})\s+be\s+(?:arranged|rearranged|ordered){OPERAND_ENDS}")
_ARRANGE = (rf"\b(?:(?:the\s+)?number\s+of\s+|how\s+many\s+)(?:distinct\s+|different\s+|unique\s+)?(?:arrangements|permutations|"
            rf"ways\s+to\s+arrange|ways\s+(?:can|could)\s+(?:you|i|we)\s+(?:re)?arrange)\s+(?:of\s+|are\s+there\s+of\s+)?the\s+letters\s+"
            rf"(?:in|of)\s+(?:the\s+word\s+)?([A-Za-z]{{1,20}})(?:\s+are\s+there)?{OPERAND_ENDS}")


def _in_range(bound: str, k: int, outcomes: range) -> list[int]:
    bound = " ".join(bound.split())
    tests = {"": k.__eq__, "exactly": k.__eq__, "at least": k.__le__, "at most": k.__ge__,
             "more than": k.__lt__, "less than": k.__gt__}
    return [j for j in outcomes if tests[bound](j)]


def coin_probability(flips: int, bound: str, k: int) -> sympy.Rational:
    """The probability of `bound` ("exactly", "at least", ...) k heads in `flips` fair flips."""
    if not 1 <= flips <= 60:
        raise NotReadable("a number of coin flips out of range")
    favourable = sum(sympy.binomial(flips, j) for j in _in_range(bound or "", k, range(flips + 1)))
    return sympy.Rational(favourable, 2**flips)


def _coin_probability(flips: int, bound: str, k: int) -> str:
    return _math(coin_probability(flips, bound, k))


def _coins_then_ask(match: re.Match) -> str:
    return _coin_probability(int(match.group(1)), match.group(2) or "", int(match.group(3)))


def _ask_then_coins(match: re.Match) -> str:
    return _coin_probability(int(match.group(4)), match.group(1) or "", int(match.group(2)))


def _coins_imperative(match: re.Match) -> str:
    return _coin_probability(int(match["flips"] or match["coins"]), match["bound"] or "", int(match["k"]))


def _dice_imperative(match: re.Match) -> str:
    return _dice_probability(int(match["dice"]), int(match["sides"] or 6), match["bound"] or "", int(match["total"]))


def _dice_at_least_one(match: re.Match) -> str:
    dice, sides, face = int(match["dice"]), int(match["sides"] or 6), int(match["face"])
    if not (1 <= dice <= 20 and 2 <= sides <= 100):
        raise NotReadable("a number of dice or of faces out of range")
    return _math(1 - sympy.Rational(sides - 1, sides) ** dice if 1 <= face <= sides else sympy.Integer(0))


def _dice_probability(dice: int, sides: int, bound: str, total: int) -> str:
    if not (1 <= dice <= 4 and 2 <= sides <= 20):
        raise NotReadable("a number of dice or of faces out of range")
    counts = Counter({0: 1})
    for _ in range(dice):
        step: Counter = Counter()
        for partial, ways in counts.items():
            for face in range(1, sides + 1):
                step[partial + face] += ways
        counts = step
    favourable = sum(counts[t] for t in _in_range(bound or "", total, range(dice, dice * sides + 1)))
    return _math(sympy.Rational(favourable, sides**dice))


def _dice_then_ask(match: re.Match) -> str:
    dice, sides, numbered, bound, total = match.groups()
    if sides and numbered and sides != numbered:
        raise NotReadable("dice whose sides and faces disagree")
    return _dice_probability(int(dice), int(sides or numbered or 6), bound or "", int(total))


def _ask_then_dice(match: re.Match) -> str:
    bound, total, dice, sides = match.groups()
    return _dice_probability(int(dice), int(sides or 6), bound or "", int(total))


def _choose(match: re.Match) -> str:
    k, chosen, n, pool = match.groups()
    if chosen and pool and chosen.rstrip("s") != pool.rstrip("s"):
        raise NotReadable("chosen things other than the ones chosen from: a condition not read")
    if int(k) > int(n):
        raise IllPosed("There are fewer to choose from than are chosen, so this has no answer.")
    return _math(sympy.binomial(int(n), int(k)))


def _arrangements(match: re.Match) -> str:
    letters = Counter(match.group(1).lower())
    total = sympy.factorial(sum(letters.values()))
    for repeats in letters.values():
        total /= sympy.factorial(repeats)
    return _math(total)


# (pattern, replacement, kind of the answer; None for a form only respelled here)
_REWRITES: list[tuple[str, str | Callable[[re.Match], str], str | None]] = [
    *stories.REWRITES,
    (r"\b(gcd|lcm)\s+of\s+(\d+)((?:\s+\d+)+)\s+and\s+(\d+)\b", lambda m: f"{m[1]} of {m[2]}, {', '.join(m[3].split())} and {m[4]}",
     None),  # `lcm of 12 18 and 30`: a list typed with spaces
    (r"\(\s*(?:leave\s+)?(?:it\s+|answer\s+)?in\s+terms\s+of\s+\\?pi\s*\)", " ", None),
    (r"\b(?:and\s+)?(?:express|give|leave)\s+(?:your\s+|the\s+)?(?:answer\s+)?in\s+terms\s+of\s+\\?pi\b", " ", None),
    (r"\b(?:and\s+)?(?:leave\s+)?in\s+terms\s+of\s+\\?pi\b|\(\s*\\?pi\s+form\s*\)", " ", None),  # answer forms
    (rf"\b(?:the\s+)?(?P<index>\d+)\s*(?:st|nd|rd|th)\s+term\s+(?:of|in)\s+(?:the\s+)?(?:(?P<kind>arithmetic|geometric)\s+)?"
     rf"(?:(?:sequence|progression)\s*:?\s*)?(?P<sum>)(?P<terms>{_LIST})", _sequence_term, "sequence"),
    (rf"\b(?:the\s+)?(?P<sum>sum)\s+of\s+the\s+first\s+(?P<index>\d+)\s+terms\s+(?:of|in)\s+(?:the\s+)?(?:(?P<kind>arithmetic|"
     rf"geometric)\s+)?(?:(?:sequence|progression|series)\s*:?\s*)?(?P<terms>{_SERIES}|{_LIST})", _sequence_term, "sequence"),
    # the terms first, then the question: `3, 7, 11, 15, ... whats the total if i add the first 20 terms`
    (rf"(?<![\w.]){_NAMED_SEQUENCE}(?P<terms>{_SERIES}|{_LIST})\s*[,:.?]*\s*(?:keeps\s+going\s*[,.]?\s*)?(?:(?:(?:what\s+is|whats|"
     rf"find)\s+)?(?:the\s+)?(?P<sum>sum|total)\s+of\s+{_FIRST_TERMS}|(?:what\s+is|whats)\s+the\s+total\s+if\s+(?:i|you|we)\s+add\s+(?:up\s+)?"
     rf"{_FIRST_TERMS.replace('index', 'index2')}|what\s+do\s+{_FIRST_TERMS.replace('index', 'index3')}\s+add\s+up\s+to)"
     rf"{OPERAND_ENDS}", lambda m: _sequence_term_sum(m), "sequence"),
    # `the infinite geometric series 12 + 4 + 4/3 + ...`, asked for its sum before or after
    (rf"\b(?:(?:what\s+is|whats|find)\s+)?(?:the\s+)?sum\s+of\s+(?:the\s+)?(?P<infinite>infinite)\s+(?:(?P<kind>geometric)\s+)?"
     rf"series\s*:?\s*(?P<terms>{_SERIES}|{_LIST}){OPERAND_ENDS}", _sequence_term, "sequence"),
    (rf"\b(?:the\s+)?(?P<infinite>infinite)\s+(?:(?P<kind>geometric)\s+)?series\s*:?\s*(?P<terms>{_SERIES}|{_LIST})\s*[,:.?]*\s*"
     rf"(?:(?:what\s+is|whats|find)\s+)?(?:the\s+|its\s+)?sum{OPERAND_ENDS}", _sequence_term, "sequence"),
    (rf"\b((?:mean|average|median|mode|range)(?:\s+(?:of|the|this|data|set|list|numbers|values|pls|please))*\s*:?\s*)"
     rf"((?:{SIGNED_NUMBER}\s+){{2,}}{SIGNED_NUMBER})(?=\s*$|\s*[?.!](?:\s|$))",
     lambda m: m.group(1) + ", ".join(m.group(2).split()), None),  # `mode of 2 4 4 5`: a list typed with spaces
    (rf"(?<![A-Za-z])\\?(sin|cos|tan)\s*(?:\(\s*({SIGNED_NUMBER})\s*{_DEGREES}\s*\)|({SIGNED_NUMBER})\s*{_DEGREES})",
     _trig_degrees, "trig"),
    (rf"\bwhat\s+(?:percent|%)\s+of\s+({SIGNED_NUMBER})\s+is\s+({SIGNED_NUMBER}){OPERAND_ENDS}", r" (\2/\1) \\cdot 100 ", "percent"),
    (rf"\b({SIGNED_NUMBER})\s+is\s+what\s+(?:percent|%)\s+of\s+({SIGNED_NUMBER}){OPERAND_ENDS}", r" (\1/\2) \\cdot 100 ", "percent"),
    (rf"\b(?:the\s+)?percent(?:age)?\s+(increase|decrease|change)\s+from\s+({SIGNED_NUMBER})\s+to\s+({SIGNED_NUMBER}){OPERAND_ENDS}",
     _percent_change, "percent"),
    (rf"\bhypotenuse\s+of\s+a\s+right\s+triangle\s+(?:with|whose)\s+{_LEGS}{OPERAND_ENDS}", _hypotenuse, "pythagoras"),
    (rf"\ba\s+right\s+triangle\s+has\s+{_LEGS}{_ASK_LENGTH}hypotenuse\b", _hypotenuse, "pythagoras"),
    (rf"\ba\s+right\s+triangle\s+has\s+a\s+{_HYPOTENUSE_GIVEN}\s+and\s+{_LEG_GIVEN}{_ASK_LENGTH}other\s+leg\b",
     _other_leg, "pythagoras"),
    *((form, _shape, "geometry") for form in shapes.FORMS),
    (_COINS_THEN_ASK, _coins_then_ask, "probability"),
    (_ASK_THEN_COINS, _ask_then_coins, "probability"),
    (_DICE_THEN_ASK, _dice_then_ask, "probability"),
    (_ASK_THEN_DICE, _ask_then_dice, "probability"),
    (_COINS_IMPERATIVE, _coins_imperative, "probability"),
    (_DICE_IMPERATIVE, _dice_imperative, "probability"),
    (_DICE_AT_LEAST_ONE, _dice_at_least_one, "probability"),
    (_CHOOSE, _choose, "counting"),
    (_ARRANGE, _arrangements, "counting"),
    (_ARRANGE_PASSIVE, _arrangements, "counting"),
    # `the derivative of f(x) = ...`: the name is not read as function notation; `d/dx` names its variable.
    (r"\b(?:the\s+)?slope\s+of\s+the\s+tangent(?:\s+line)?\s+(?:to|of)\s+(?:the\s+(?:curve|graph)\s+(?:of\s+)?)?", " derivative of ",
     None),
    (r"\b(derivative\s+of)\s+(?:[fgh]\s*\(\s*[a-z]\s*\)|y)\s*=", r"\1 ", None),
    (r"(?<![A-Za-z])d\s*/\s*d\s*([a-z])\b(?:\s+of\b)?", r" derivative with respect to \1 of ", None),
    # `\sum_{k=1}^{10} (2k+1)`, `the sum from k = 1 to 10 of 2k + 1`: respelled `seriessum k = 1 upto 10 of ...`
    (r"\\sum\s*_\s*\{\s*([a-z])\s*=\s*(-?\d{1,6})\s*\}\s*\^\s*\{?\s*(\d{1,6})\s*\}?\s*", r" seriessum \1 = \2 upto \3 sigma ", None),
    (r"\b(?:the\s+)?sum\s+(?:from|for)\s+([a-z])\s*=\s*(-?\d{1,6})\s+to\s+(\d{1,6})\s+of\s+", r" seriessum \1 = \2 upto \3 of ", None),
    (r"\s*,?\s*what\s+is\s+the\s+value\s+of\s+this\s+sum\b", " ", None),
    (r"\b(?:write\s+)?(?:the\s+)?prime\s+factori[sz]ation\s+of\s+(\d{1,15})(?:\s*,?\s*(?:using|with|in)\s+(?:exponents|exponent\s+form|"
     r"exponential\s+form|powers))?", r" primefactorization of \1 ", None),
    # `lim x->3 ...`, `\lim_{x \to 3}`, `the limit of ... as x approaches 3`: respelled `limit at x = 3 of ...`
    (rf"\\lim\s*_\s*\{{\s*([a-z])\s*(?:\\to|\\rightarrow|->|→)\s*({SIGNED_NUMBER})\s*\}}\s*", r" limit at \1 = \2 of ", None),
    (rf"\b(?:the\s+)?lim(?:it)?\s*(?:of\s+)?(?:as\s+)?([a-z])\s*(?:->|→|\\to|approaches|goes\s+to|tends\s+to)\s*({SIGNED_NUMBER})\s*"
     r"(?:,\s*)?(?:of\s+)?", r" limit at \1 = \2 of ", None),
    (rf"\b(?:the\s+)?limit\s+of\s+(.+?)\s*,?\s+as\s+([a-z])\s*(?:->|→|\\to|approaches|goes\s+to|tends\s+to)\s*({SIGNED_NUMBER})"
     rf"{OPERAND_ENDS}", r" limit at \2 = \3 of \1 ", None),
    (r"(?<![A-Za-z\\])([fgh])\s*(?:'|\^\s*\{?\s*\\prime\s*\}?)\s*\(", r"\1\\prime(", None),  # f'(2): a derivative's value
    (r"(?<![A-Za-z\\])([fgh])\s*\^\s*\{?\s*-\s*1\s*\}?\s*\(", r"\1\\inverse(", None),  # f^-1(3): the inverse's value
]
_REWRITES += algebra.REWRITES
_REWRITES += curriculum.POINT_REWRITES
def _as_math(value: Callable[[re.Match], sympy.Expr]) -> Callable[[re.Match], str]:
    return lambda match: _math(value(match))


_REWRITES += [(form, _as_math(value), kind) for form, value, kind in curriculum.FORMS]
_REWRITES_COMPILED = [(re.compile(pattern, re.I | re.S), replacement, kind) for pattern, replacement, kind in _REWRITES]


def rewrite(text: str) -> tuple[str, list[str]]:
    """The text with the text-level question forms computed, and the kinds of answer found."""
    kinds = []
    for pattern, replacement, kind in _REWRITES_COMPILED:
        rewritten = pattern.sub(replacement, text)
        if rewritten != text and kind:
            kinds.append(kind)
        text = rewritten
    return text, kinds


# ---- segment level ---------------------------------------------------------------------------------------

def statistic(name: str, values: list[sympy.Rational]) -> sympy.Rational:
    ordered = sorted(values)
    if name in ("mean", "average"):
        return sum(values, sympy.Integer(0)) / len(values)
    if name == "median":
        middle = len(ordered) // 2
        return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    if name == "range":
        return ordered[-1] - ordered[0]
    counts = Counter(values).most_common()
    if len(counts) > 1 and counts[0][1] == counts[1][1]:
        raise NotReadable("no single mode")
    return counts[0][0]


_STATISTIC_JOIN = frozenset("of the data set list numbers values scores following this pls please test quiz exam grades "
                            "my these".split())


def statistics(reading: Reading) -> None:
    """`the mean of 3, 5 and 7`, `the arithmetic mean of 13, 5, 4, 6`, `the median of the data 3, 6, 1`,
    `mode of {2, 3, 3}`, `the range of the numbers 4, 9, 1`."""
    s = reading.segments
    i = 0
    while i < len(s):
        start = i
        j = i + words_at(s, i, "arithmetic")
        if not any(words_at(s, j, name) for name in ("mean", "average", "median", "mode", "range")):
            i += 1
            continue
        name = s[j].text
        j = skip_words(s, j + 1, _STATISTIC_JOIN)
        j += j < len(s) and s[j].kind == "punct" and s[j].text in (":", "?")
        values, stop = listed_numbers(s, j)
        if len(values) < 2:
            raise NotReadable(f"a {name} of other than listed numbers")
        reading.segments[start:stop] = [Segment("math", _math(statistic(name, values)), computed=True)]
        reading.kinds.append("statistics")
        i = start + 1


_POINT_JOIN = frozenset("of the line through passing passes goes that containing joining connecting between points "
                        "segment with endpoints from".split())


def _point(text: str, evaluate: Evaluate) -> tuple[sympy.Expr, sympy.Expr] | None:
    match = re.fullmatch(r"\(\s*([^(),]+)\s*,\s*([^(),]+)\s*\)", text.strip())
    if not match:
        return None
    x, y = evaluate(match.group(1)), evaluate(match.group(2))
    if x.free_symbols or y.free_symbols or not (x.is_real and y.is_real):
        raise NotReadable("a point whose coordinates are not numbers")
    return x, y


def points(reading: Reading, evaluate: Evaluate) -> None:
    """`the slope of the line through (1, 2) and (3, 8)`, `the distance between (0, 0) and (3, 4)`,
    `the distance from (0, 0) to (3, 4)`, `the midpoint of the segment with endpoints (6, -2) and (-3, -1)`."""
    s = reading.segments
    for i in range(len(s)):
        if not any(words_at(s, i, name) for name in ("slope", "distance", "midpoint", "yintercept")):
            continue
        name = s[i].text
        j = skip_words(s, i + 1, _POINT_JOIN)
        second = joiner(s, j + 1, "and", "to")
        if not (is_math(s, j) and is_math(s, second) and second > j + 1):
            return
        first, last = _point(s[j].text, evaluate), _point(s[second].text, evaluate)
        if first is None or last is None:
            return
        (x1, y1), (x2, y2) = first, last
        if name == "midpoint":
            segment = Segment("math", "midpoint", computed=True)
            segment.answer = ("midpoint", [(x1 + x2) / 2, (y1 + y2) / 2])
        elif name == "distance":
            segment = Segment("math", _math(sympy.radsimp(sympy.sqrt((x2 - x1) ** 2 + (y2 - y1) ** 2))), computed=True)
        elif x1 == x2:
            raise NotReadable("a vertical line: its slope and y-intercept are undefined")
        else:
            slope = (y2 - y1) / (x2 - x1)
            segment = Segment("math", _math(sympy.radsimp(slope if name == "slope" else y1 - slope * x1)), computed=True)
        s[i : second + 1] = [segment]
        reading.kinds.append("points")
        return


def derivative(reading: Reading, evaluate: Evaluate) -> None:
    """`the derivative of x^3 - 2x` (after `reader.clean`: `of f(x) = ...`, `d/dx ...`), `differentiate
    3x^2 + 1 with respect to x`: a polynomial in one variable, differentiated exactly."""
    s = reading.segments
    for i in range(len(s)):
        if not (words_at(s, i, "derivative") or words_at(s, i, "differentiate")):
            continue
        j, variable = _with_respect_to(s, i + 1)
        j += words_at(s, j, "of")
        j += words_at(s, j, "the")
        if not is_math(s, j):
            return
        stop, after = _with_respect_to(s, j + 1)
        if variable and after and variable != after:
            raise NotReadable("two variables named for one derivative")
        expression = evaluate(s[j].text)
        letters = expression.free_symbols
        named = variable or after
        x = sympy.Symbol(named) if named else (next(iter(letters)) if len(letters) == 1 else None)
        if x is None or not letters <= {x} or not _elementary(expression):
            raise NotReadable("a derivative of other than a polynomial or trigonometric expression in one variable")
        slope = sympy.diff(expression, x)
        slope = sympy.expand(slope) if expression.is_polynomial(x) else sympy.simplify(slope)
        point = _at_point(s, stop, x)
        if point is not None:  # `the derivative of 5x^2 at x = 3`: its value there
            s[i : stop + 2] = [Segment("math", _math(slope.subs(x, point)), computed=True)]
        else:
            segment = Segment("math", "derivative", computed=True)
            segment.answer = ("derivative", [slope])
            s[i:stop] = [segment]
        reading.kinds.append("derivative")
        return


def point_answer(reading: Reading, evaluate: Evaluate) -> None:
    """`pointanswer (2, 2\\sqrt{3})`, as a text-level form (`curriculum.POINT_REWRITES`) writes a point or a
    vector it computed: the answer whole."""
    s = reading.segments
    for i in range(len(s)):
        if words_at(s, i, "pointanswer") and is_math(s, i + 1):
            inside = re.fullmatch(r"\s*\((.*)\)\s*", s[i + 1].text)
            segment = Segment("math", "point", computed=True)
            segment.answer = ("point", [evaluate(c) for c in split_top_level(inside.group(1), ",")])
            s[i : i + 2] = [segment]
            return


def series_sum(reading: Reading, evaluate: Evaluate) -> None:
    """`seriessum k = 1 upto 10 of (2k + 1)` (as `reader.clean` respells a sigma): a polynomial's sum over a range."""
    s = reading.segments
    for i in range(len(s)):
        if not words_at(s, i, "seriessum"):
            continue
        start = re.fullmatch(rf"\s*([a-z])\s*=\s*({SIGNED_NUMBER})\s*", s[i + 1].text) if is_math(s, i + 1) else None
        sigma = words_at(s, i + 4, "sigma")
        if not (start and words_at(s, i + 2, "upto") and is_math(s, i + 3) and (sigma or words_at(s, i + 4, "of"))
                and is_math(s, i + 5)):
            raise NotReadable("a sum not written as one expression over a range")
        if sigma and len(split_top_level(re.sub(r"(?<=[-+(^*/=,])\s*-", " ", s[i + 5].text.strip()).replace("-", "+"), "+")) > 1:
            raise NotReadable("`\\sum (2k+1) + 1`: is the + 1 inside the sum or after it?")
        k, low, high = sympy.Symbol(start.group(1)), _number(start.group(2)), evaluate(s[i + 3].text)
        term = evaluate(s[i + 5].text)
        if not (low.is_Integer and high.is_Integer) or high - low > 10**6 or not term.free_symbols <= {k} or \
                not term.is_polynomial(k):
            raise NotReadable("a sum of other than a polynomial over a range of integers")
        s[i : i + 6] = [Segment("math", _math(sympy.summation(term, (k, low, high))), computed=True)]
        reading.kinds.append("sum")
        return


def factorization(reading: Reading) -> None:
    """`the prime factorization of 360` (as `reader.clean` respells it): the primes and their exponents."""
    s = reading.segments
    for i in range(len(s)):
        if words_at(s, i, "primefactorization", "of") and is_math(s, i + 2) and re.fullmatch(r"\s*\d+\s*", s[i + 2].text):
            n = int(s[i + 2].text)
            if n < 2:
                raise IllPosed(f"{n} has no prime factorization, so this has no answer.")
            segment = Segment("math", "factorization", computed=True)
            segment.answer = ("factorization", [sympy.Integer(n)])
            s[i : i + 3] = [segment]
            reading.kinds.append("primes")
            return


def limit(reading: Reading, evaluate: Evaluate) -> None:
    """`limit at x = 3 of (x^2 - 9)/(x - 3)` (as `reader.clean` respells `lim x->3 ...`): a rational function's
    two-sided limit at a number, where both sides agree on a finite value."""
    s = reading.segments
    for i in range(len(s)):
        if not words_at(s, i, "limit"):
            continue
        at = re.fullmatch(rf"\s*([a-z])\s*=\s*({SIGNED_NUMBER})\s*", s[i + 2].text) if is_math(s, i + 2) else None
        if not (words_at(s, i + 1, "at") and at and words_at(s, i + 3, "of") and is_math(s, i + 4)):
            raise NotReadable("a limit not written as `lim x -> a` of one expression")
        x, point = sympy.Symbol(at.group(1)), _number(at.group(2))
        expression = evaluate(s[i + 4].text)
        if not expression.free_symbols <= {x} or not expression.is_rational_function(x):
            raise NotReadable("a limit of other than a rational function of its variable")
        left, right = (sympy.limit(expression, x, point, direction) for direction in ("-", "+"))
        if left != right or not left.is_finite:
            raise NotReadable("a one-sided or infinite limit")
        s[i : i + 5] = [Segment("math", _math(left), computed=True)]
        reading.kinds.append("limit")
        return


def _elementary(expression: sympy.Expr) -> bool:
    """Built from numbers, one variable, + - * / powers and sin, cos, tan (of such)."""
    functions = expression.atoms(sympy.Function)
    return all(f.func in (sympy.sin, sympy.cos, sympy.tan) for f in functions) and not expression.has(sympy.zoo, sympy.nan)


def _at_point(s: list[Segment], i: int, x: sympy.Symbol) -> sympy.Rational | None:
    """The number in `at x = 3` (or `when x = 3`) at segment i, for the variable x; None when it is not there."""
    if not ((words_at(s, i, "at") or words_at(s, i, "when")) and is_math(s, i + 1)):
        return None
    at = re.fullmatch(rf"\s*([a-z])\s*=\s*({SIGNED_NUMBER})\s*", s[i + 1].text)
    if at is None or at.group(1) != str(x):
        raise NotReadable("a derivative at a point not given as a value of its variable")
    return _number(at.group(2))


def _with_respect_to(s: list[Segment], i: int) -> tuple[int, str]:
    """Past `with respect to x` at segment i, and the variable's name; (i, "") when it is not there."""
    if words_at(s, i, "with", "respect", "to") and is_math(s, i + 3) and re.fullmatch(r"[a-z]", s[i + 3].text):
        return i + 4, s[i + 3].text
    return i, ""


_DEFINITION = re.compile(r"([fgh])\s*\(\s*([a-z])\s*\)\s*=\s*(.+)")
_CALL = re.compile(r"([fgh])\s*(\\prime|\\inverse)?\s*\((.*)\)")


def function_value(reading: Reading, evaluate: Evaluate, check: Callable[[str], None]) -> None:
    """`Let f(x) = 3x^2 - x - 2. What is f(-2)?`, `f'(2)`, `f(g(8))` with `g(x) = 2x + 4` defined too: named
    functions of one variable, each defined once, and one call at a number, nothing else. The call becomes
    its value; `check` refuses a body typed one way and meant another, as for any math span."""
    s = reading.segments
    spans = [i for i, segment in enumerate(s) if segment.kind == "math"]
    definitions = {i: m.groups() for i in spans if (m := _DEFINITION.fullmatch(s[i].text))}
    calls = [i for i in spans if i not in definitions]
    names = [name for name, _, _ in definitions.values()]
    if not definitions or len(calls) != 1 or len(set(names)) != len(names):
        return
    functions = {}
    for name, variable, body in definitions.values():
        check(body)
        value = evaluate(body)
        if re.search(r"(?<![A-Za-z\\])[fgh]\s*'?\s*\(", body) or not value.free_symbols <= {sympy.Symbol(variable)}:
            raise NotReadable("a function defined through another, or with a letter besides its variable")
        functions[name] = (sympy.Symbol(variable), value)
    s[calls[0]] = Segment("math", _math(_call_value(s[calls[0]].text, functions)), computed=True)
    for i in sorted(definitions, reverse=True):
        del s[i]
    reading.kinds.append("function")


def _call_value(text: str, functions: dict[str, tuple[sympy.Symbol, sympy.Expr]]) -> sympy.Expr:
    call = _CALL.fullmatch(text.strip())
    if call is None:
        if not _PLAIN_NUMBER.fullmatch(text.strip()):
            raise NotReadable("a function called at other than a number")
        return _number(text.strip())
    name, prime, inner = call.groups()
    if name not in functions:
        raise NotReadable(f"the function {name} is not defined here")
    variable, body = functions[name]
    argument = _call_value(inner, functions)
    if prime == "\\inverse":
        solutions = [x for x in sympy.solve(sympy.Eq(body, argument), variable) if x.is_real]
        if len(solutions) != 1:
            raise NotReadable("an inverse's value where the function takes that value other than once")
        return sympy.radsimp(solutions[0])
    if prime:
        body = sympy.diff(body, variable)
    value = body.subs(variable, argument)
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise IllPosed("The function is not defined there: it divides by zero, so this has no answer.")
    return sympy.radsimp(value)


_CHOICES = {**dict.fromkeys(("larger", "largest", "greater", "greatest", "bigger", "biggest"), "largest"),
            **dict.fromkeys(("smaller", "smallest", "lesser", "least"), "smallest"),
            "positive": "positive", "negative": "negative"}
CHOICE_WORDS = frozenset(_CHOICES) | {"sum", "product", "possible", "distinct", "zeros", "zeroes"}


_ROOTS_JOIN = frozenset("of all the possible distinct".split())


def root_choice(reading: Reading) -> None:
    """`the larger solution of x^2 - 4x - 12 = 0`, `the positive value of x`, `the sum of the roots of ...`,
    `the product of all solutions of ...`: which root is asked, or which combination of all of them
    (`Reading.choose`); the engine picks it among real roots, or claims nothing."""
    s = reading.segments
    found = [i for i in range(len(s) - 1) if s[i].kind == "word" and s[i].text in _CHOICES
             and s[i + 1].kind == "word" and s[i + 1].text in ("solution", "root", "value")]
    combined = [i for i in range(len(s)) if words_at(s, i, "sum") or words_at(s, i, "product")]
    combined = [i for i in combined if (j := skip_words(s, i + 1, _ROOTS_JOIN)) > i + 1 and j < len(s)
                and s[j].kind == "word" and s[j].text in ("solutions", "roots", "zeros", "zeroes", "values")]
    if len(found) + len(combined) > 1:
        raise NotReadable("two choices of root")
    if found:
        reading.choose = _CHOICES[s[found[0]].text]
        del s[found[0]]
    elif combined:
        i = combined[0]
        reading.choose = s[i].text
        del s[i : skip_words(s, i + 1, _ROOTS_JOIN) + 1]


def choose_root(roots: list[sympy.Expr], choice: str) -> sympy.Expr:
    """The root `choice` names among `roots` (all real), their sum or product, or NotReadable when it names
    none or several."""
    if choice == "sum":
        return sympy.radsimp(sympy.expand(sum(roots, sympy.Integer(0))))
    if choice == "product":
        return sympy.radsimp(sympy.expand(sympy.Mul(*roots)))
    if not all(root.is_real for root in roots):
        raise NotReadable("a choice among roots that are not all real")
    if choice == "largest":
        return max(roots)
    if choice == "smallest":
        return min(roots)
    named = [root for root in roots if (root.is_positive if choice == "positive" else root.is_negative)]
    if len(named) != 1:
        raise NotReadable(f"not exactly one {choice} root")
    return named[0]
