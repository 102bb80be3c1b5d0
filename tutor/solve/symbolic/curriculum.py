"""More school questions read whole at the text level (issue 24's curriculum, second part): divisors, digits,
bases and multiples; arrangements, offices, handshakes, diagonals, one die and one card; polygon angles, a
triangle's third angle, complements; degrees and radians, a vector's length, a dot product, a period; unit
conversions. Each form is a pattern whose every word is its own (as in `questions.rewrite`): what it does not
say, it does not claim, and a word it leaves over leaves the problem unread.

`FORMS` is a list of (pattern, function of the match -> the value, kind of the answer).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from fractions import Fraction

import sympy

from tutor.solve.symbolic.phrases import OPERAND_ENDS, SIGNED_NUMBER
from tutor.solve.symbolic.segments import IllPosed, NotReadable

_N = r"(\d{1,15})"
_SMALL = r"(\d{1,3})"
_END = OPERAND_ENDS
_DEGREES = r"(?:\s*\^\s*\{?\s*\\circ\s*\}?|\s*°|\s*-?\s*degrees?\b|\s*deg\b)"

# ---- number theory -------------------------------------------------------------------------------------


def _divisor_count(m: re.Match) -> sympy.Expr:
    n = int(m.group(1))
    if n == 0:
        raise NotReadable("every integer divides 0")
    return sympy.divisor_count(n)


def _prime_factor(m: re.Match) -> sympy.Expr:
    which, n = m.group(1).lower(), int(m.group(2))
    if n < 2:
        raise IllPosed(f"{n} has no prime factor, so this has no answer.")
    primes = sorted(sympy.factorint(n))
    return sympy.Integer(primes[0] if which == "smallest" else primes[-1])


def _prime_sum(m: re.Match) -> sympy.Expr:
    n = int(m["n"])
    inclusive = not re.match(r"less\s+than$|below|under", m["bound"].lower())
    return sympy.Integer(sum(sympy.primerange(2, n + 1 if inclusive else n)))


def _primes_between(m: re.Match) -> sympy.Expr:
    low, high = sorted((int(m["low"]), int(m["high"])))
    if sympy.isprime(low) or sympy.isprime(high):
        raise NotReadable("primes between two numbers, one of them prime: is it counted?")
    return sympy.Integer(sum(sympy.primerange(low, high)))


def _from_base(digits: str, base_text: str | None) -> sympy.Expr:
    base = 2 if base_text is None else int(base_text)
    if not 2 <= base <= 10 or any(int(d) >= base for d in digits):
        raise NotReadable("digits that are not digits of that base")
    return sympy.Integer(int(digits, base))


def _to_base(m: re.Match) -> sympy.Expr:
    number, base = int(m.group(1)), 2 if m.group(2) is None else int(m.group(2))
    if not 2 <= base <= 10:
        raise NotReadable("a base other than 2 to 10")
    digits = ""
    while True:
        number, digit = divmod(number, base)
        digits = str(digit) + digits
        if number == 0:
            return sympy.Integer(int(digits))  # the digits, as the answer writes them


def _multiples(m: re.Match) -> sympy.Expr:
    k = int(m.group("k"))
    if k == 0:
        raise NotReadable("multiples of 0")
    if m.group("below"):
        return sympy.Integer((int(m.group("below")) - 1) // k)
    if m.group("upto"):
        return sympy.Integer(int(m.group("upto")) // k)
    low, high = sorted((int(m.group("low")), int(m.group("high"))))
    inclusive = bool(m.group("inclusive")) or m.group("span").lower().startswith("from")
    if m.group("exclusive"):
        inclusive = False
    elif not inclusive and (low % k == 0 or high % k == 0):
        raise NotReadable("between two numbers, one a multiple: are the ends counted?")
    count = high // k - (low - 1) // k
    if not inclusive:
        count -= (low % k == 0) + (high % k == 0)
    return sympy.Integer(count)


def _first_n_sum(count: str, parity: str | None) -> sympy.Expr:
    n, kind = int(count), (parity or "").strip().lower()
    return sympy.Integer(n * n if kind == "odd" else n * (n + 1) if kind == "even" else n * (n + 1) // 2)


def _range_sum(m: re.Match) -> sympy.Expr:
    low, high = int(m.group(1)), int(m.group(2))
    if high < low:
        raise NotReadable("a range that runs backwards")
    return sympy.Integer((low + high) * (high - low + 1) // 2)


def _trailing_zeros(m: re.Match) -> sympy.Expr:
    n, count, power = int(m["n"]), 0, 5
    while power <= n:
        count += n // power
        power *= 5
    return sympy.Integer(count)


_PLACES = {"whole number": 0, "integer": 0, "one": 0, "ones": 0, "unit": 0, "tenth": 1, "tenths": 1, "hundredth": 2,
           "hundredths": 2, "thousandth": 3, "thousandths": 3, "ten": -1, "tens": -1, "hundred": -2, "hundreds": -2,
           "thousand": -3, "thousands": -3}


def _round(m: re.Match) -> sympy.Expr:
    """Rounding half away from zero, as school does (not Python's half-to-even)."""
    value, places = sympy.Rational(m["value"]), _PLACES[" ".join(m["place"].lower().split())]
    scaled = abs(value) * sympy.Integer(10) ** places
    rounded = sympy.floor(scaled + sympy.Rational(1, 2)) / sympy.Integer(10) ** places
    return rounded if value >= 0 else -rounded


def _lcm_of_listed(m: re.Match) -> sympy.Expr:
    numbers = [int(n) for n in re.findall(r"\d+", m["numbers"])]
    if 0 in numbers:
        raise NotReadable("divisible by 0")
    return sympy.Integer(math.lcm(*numbers))


def _linear_congruence(m: re.Match) -> sympy.Expr:
    """a x = b (mod n): the one residue in 0..n-1, where a and n are coprime."""
    a, b, n = int(m["a"]), int(m["b"]), int(m["m"])
    top = m.groupdict().get("top") or m.groupdict().get("top2")
    if n < 2 or (top is not None and int(top) != n - 1):
        raise NotReadable("a modulus below 2, or a range other than one full set of residues")
    g = math.gcd(a, n)
    if b % g:
        raise IllPosed(f"No x satisfies {a}x = {b} (mod {n}), so this has no answer.")
    if g != 1:
        raise NotReadable("a congruence with several solutions")
    return sympy.Integer(pow(a, -1, n) * b % n)


_SMALLEST_THAT_LEAVES = (r"\b(?:the\s+)?(?:smallest|least)\s+(?:positive\s+)?(?:whole\s+number|integer|number)\s+(?:(?:bigger|greater|"
                         r"larger)\s+than\s+(?P<above>\d{1,6})\s+)?(?:that|which)\s+leaves\s+")
_REMAINDER_OF = r"(?:(?:and\s+)?(?:a\s+)?remainder\s+(?:of\s+)?)?(?P<r{0}>\d{{1,6}})\s+when\s+(?:it\s+is\s+)?divided\s+by\s+(?P<m{0}>\d{{1,6}})"


def _smallest_with_remainders(m: re.Match) -> sympy.Expr:
    from sympy.ntheory.modular import solve_congruence

    pairs = [(int(r), int(mod)) for r, mod in re.findall(r"(\d{1,6})\s+when\s+(?:it\s+is\s+)?divided\s+by\s+(\d{1,6})", m["pairs"])]
    pairs += [(int(pairs[-1][0]), int(mod)) for mod in re.findall(r"by\s+(\d{1,6})", m["more"] or "")]
    if len(pairs) < 2 or any(mod < 2 or r >= mod for r, mod in pairs):
        raise NotReadable("remainders that are not remainders of those divisors")
    solved = solve_congruence(*pairs)
    if solved is None:
        raise IllPosed("No number leaves those remainders, so this has no answer.")
    value, period = solved
    floor = int(m["above"]) if m["above"] else 0
    while value <= floor:
        value += period
    return sympy.Integer(value)


def _divisible_count(m: re.Match) -> sympy.Expr:
    n, a, b = int(m["n"] or m["n_to"]), int(m["a"]), int(m["b"])
    if a == 0 or b == 0:
        raise NotReadable("divisible by 0")
    top = n if m["inclusive"] else n - 1
    both = top // math.lcm(a, b)
    return sympy.Integer(both if m["both"] else top // a + top // b - both)


def _lcm_from_product(m: re.Match) -> sympy.Expr:
    product, g = int(m["p"]), int(m["g"])
    if g == 0 or product % (g * g):
        raise IllPosed("No two whole numbers have that product and that gcd, so this has no answer.")
    return sympy.Integer(product // g)


# ---- counting and probability --------------------------------------------------------------------------

_OFFICE = r"(?:president|vice[\s-]?president|vp|secretary|treasurer|captain|co-?captain|chair)"
_OFFICES = rf"((?:(?:a|an|the)\s+)?{_OFFICE}(?:\s*,?\s*(?:and\s+)?(?:(?:a|an|the)\s+)?{_OFFICE})+)"
_NO_DOUBLE = r"(?:\s*,?\s*(?:if|when|where)\s+no\s+(?:member|one|1|person)\s+(?:can\s+)?holds?\s+(?:more\s+than\s+(?:one|1)\s+(?:office|position|job)|(?:two|2)\s+(?:offices|positions|jobs)))?"


def _offices(m: re.Match) -> sympy.Expr:
    offices = re.findall(_OFFICE, m.group("offices"), flags=re.I)
    names = [re.sub(r"[\s-]", "", o.lower()).replace("vicepresident", "vp") for o in offices]
    if len(set(names)) != len(names):
        raise NotReadable("an office named twice")
    n = int(m.group("n"))
    if len(offices) > n:
        raise IllPosed("There are more offices than people to fill them, so this has no answer.")
    return sympy.ff(n, len(offices))


def _polygon_sides(text: str) -> int:
    text = " ".join(text.lower().split())
    named = {"triangle": 3, "quadrilateral": 4, "square": 4, "pentagon": 5, "hexagon": 6, "heptagon": 7,
             "octagon": 8, "nonagon": 9, "decagon": 10, "hendecagon": 11, "dodecagon": 12, "icosagon": 20}
    if text in named:
        return named[text]
    number = re.search(r"\d+", text)
    if number is None or int(number.group()) < 3:
        raise NotReadable("a polygon of fewer than 3 sides")
    return int(number.group())


_POLYGON = (r"(triangle|quadrilateral|square|pentagon|hexagon|heptagon|octagon|nonagon|decagon|hendecagon|dodecagon|"
            r"icosagon|\d{1,4}\s*-\s*gon|\d{1,4}\s*-\s*sided\s+polygon|polygon\s+with\s+\d{1,4}\s+sides)")


def _diagonals(m: re.Match) -> sympy.Expr:
    n = _polygon_sides(m.group(1))
    return sympy.Integer(n * (n - 3) // 2)


_SHAKE = (r"(?P<n>\d{1,4})\s+people\s+(?:each\s+|all\s+)?shake\s+hands\s+(?:once\s+)?with\s+(?:each\s+other|(?:one|1)\s+"
          r"another|everyone\s+else|every\s+other\s+person)(?:\s+(?:exactly\s+)?once)?")
_HAPPEN = r"are\s+there|happen|take\s+place|occur"


def _choose_k(n: int, k: int) -> sympy.Expr:
    if k > n:
        raise IllPosed("There are fewer to choose from than are chosen, so this has no answer.")
    return sympy.binomial(n, k)


def _handshakes(m: re.Match) -> sympy.Expr:
    return sympy.binomial(int(m.group("n")), 2)


_DIE_EVENT = (r"(?:a|an)\s+(\d|even\s+number|odd\s+number|prime(?:\s+number)?|number\s+(?:greater|more|less|bigger|smaller)"
              r"\s+than\s+\d|number\s+(?:at\s+least|at\s+most)\s+\d)")


_DIE_EVENTS = rf"(?P<not>not\s+)?(?:rolling|getting)\s+(?P<events>{_DIE_EVENT}(?:\s*,?\s*or\s+{_DIE_EVENT})*)"
_DIE_SIDES = r"(?:(?P<sides>\d{1,3})\s*-?\s*sided\s+|six-sided\s+|standard\s+)?"
_ONE_DIE = r"(?:a|one|1)\s+(?:fair\s+|standard\s+|normal\s+|regular\s+)*(?:six-sided\s+|6-sided\s+)?(?:die|dice)"


def _die_faces(event: str) -> set[int]:
    event = " ".join(event.lower().split())
    faces = range(1, 7)
    if event.isdigit():
        return {int(event)} & set(faces)
    if event.startswith("even"):
        return {f for f in faces if f % 2 == 0}
    if event.startswith("odd"):
        return {f for f in faces if f % 2}
    if event.startswith("prime"):
        return {2, 3, 5}
    k = int(event[-1])
    if "at least" in event:
        return {f for f in faces if f >= k}
    if "at most" in event:
        return {f for f in faces if f <= k}
    return {f for f in faces if (f > k if re.search("greater|more|bigger", event) else f < k)}


def _die(m: re.Match) -> sympy.Expr:
    events = re.findall(_DIE_EVENT, m.group("events"), flags=re.I)
    faces = set().union(*(_die_faces(e) for e in events))
    if m.group("not"):
        faces = set(range(1, 7)) - faces
    return sympy.Rational(len(faces), 6)


def _at_least_one(m: re.Match) -> sympy.Expr:
    sides, rolls, face = int(m["sides"] or 6), int(m["rolls"]), int(m["face"])
    if m["faces_to"] and int(m["faces_to"]) != sides:
        raise NotReadable("a die whose sides and faces disagree")
    if not (2 <= sides <= 100 and 1 <= rolls <= 100):
        raise NotReadable("a die or a number of rolls out of range")
    if not 1 <= face <= sides:
        return sympy.Integer(0)
    return 1 - sympy.Rational(sides - 1, sides) ** rolls


def _expected_roll(m: re.Match) -> sympy.Expr:
    sides = int(m["sides"] or 6)
    return sympy.Rational(sides + 1, 2)


def _expected_payout(m: re.Match) -> sympy.Expr:
    sides = int(m["sides"])
    pays = {int(face): sympy.Rational(amount) for amount, face in re.findall(rf"({SIGNED_NUMBER})\s+on\s+an?\s+(\d+)", m["pays"])}
    if sorted(pays) != list(range(1, sides + 1)):
        raise NotReadable("a payout not said for every face exactly once")
    return sum(pays.values(), sympy.Integer(0)) / sides


def _circular(m: re.Match) -> sympy.Expr:
    n = int(m["n"])
    if n < 1:
        raise NotReadable("no one to seat")
    return sympy.factorial(n - 1)


def _committee(m: re.Match) -> sympy.Expr:
    if (m["group1"].lower(), m["group2"].lower()) != (m["chosen1"].lower(), m["chosen2"].lower()):
        raise NotReadable("a committee of other groups than the club's")
    pool1, pool2, k1, k2 = (int(m[g]) for g in ("pool1", "pool2", "k1", "k2"))
    if k1 > pool1 or k2 > pool2:
        raise IllPosed("The committee needs more people than the club has, so this has no answer.")
    return sympy.binomial(pool1, k1) * sympy.binomial(pool2, k2)


_DIGIT_KINDS: dict[str, Callable[[str], bool]] = {
    "even": lambda d: all(c in "02468" for c in d),
    "odd": lambda d: all(c in "13579" for c in d),
    "different": lambda d: len(set(d)) == len(d),
    "increase": lambda d: all(a < b for a, b in zip(d, d[1:])),
    "decrease": lambda d: all(a > b for a, b in zip(d, d[1:])),
}


def _digit_strings(m: re.Match) -> sympy.Expr:
    k = int(m["k"])
    if not 1 <= k <= 5:
        raise NotReadable("numbers of too many digits to count one by one")
    if m["digit"]:
        return sympy.Integer(sum(1 for n in range(10 ** (k - 1), 10**k) if m["digit"] in str(n)))
    test = _DIGIT_KINDS[next(name for name in _DIGIT_KINDS if name in m["kind"].lower())]
    return sympy.Integer(sum(1 for n in range(10 ** (k - 1), 10**k) if test(str(n))))


_COLOR = r"(?:red|blue|green|yellow|white|black|orange|purple|pink|brown|gray|grey)"
_THINGS = r"(?:marbles?|balls?|candies|candy|chips?|socks?|beads?|cubes?|blocks?|tokens?|pens?|pencils?|jelly\s+beans?)"
_CONTENT = rf"(\d{{1,4}})\s+({_COLOR})(?:\s+{_THINGS})?"
_DRAW_ONE = (r"(?:if\s+(?:i|you|we)\s+)?(?:pick|picks|draw|draws|choose|chooses|take|takes|grab|grabs|select|selects|pull|pulls)\s+"
             r"(?:one|1|a\s+[a-z]+)(?:\s+(?:at\s+random|without\s+looking))?|(?:one|1|a)\s+[a-z]+\s+is\s+(?:drawn|picked|chosen|"
             r"selected|pulled)(?:\s+at\s+random)?")
_REPLACEMENT = (r"(?P<replacement>\(?\s*(?:with(?:out)?|no)\s+replacement\s*\)?|without\s+putting\s+(?:it|them|the\s+first\s+(?:one\s+)?)"
                r"back|(?:and\s+)?(?:putting|puts|put)\s+(?:it|each|them)\s+back(?:\s+(?:each\s+time|in\s+between))?)")
_DRAW_MANY = (rf"(?:(?P<k>\d)\s+{_THINGS}\s+are\s+(?:drawn|picked|chosen|selected|pulled)(?:\s+at\s+random)?|(?:if\s+)?(?:i|you|we)\s+"
              rf"(?:pick|draw|choose|take|grab|select|pull)\s+(?P<k2>\d)(?:\s+{_THINGS})?(?:\s+(?:at\s+random|without\s+looking))?)"
              rf"\s*,?\s*{_REPLACEMENT}")
_ASK_COLOR = (rf"(?:(?:(?:what\s+is|whats)\s+)?(?:the\s+)?probability\s+(?:that\s+)?(?:it\s+is|it\s*'?\s*s|its|both\s+are|all\s+(?:of\s+"
              rf"them\s+)?are|they\s+are\s+(?:both|all))\s+(?:a\s+)?(?P<color>{_COLOR})(?:\s+{_THINGS})?|P\s*\(\s*(?P<color2>{_COLOR})"
              rf"\s*\))")
_CONTENTS = rf"(?P<contents>{_CONTENT}(?:\s*,?\s*(?:and\s+)?{_CONTENT})+)"
_CONTAINER = r"(?:bag|jar|box|urn|drawer|cup)"
_DRAW_AND_ASK = rf"\s*[.,]?\s*(?:(?P<one>{_DRAW_ONE})|{_DRAW_MANY})\s*[.,]?\s*{_ASK_COLOR}{_END}"
_BAG = rf"\b(?:a|the|one)\s+{_CONTAINER}\s+(?:has|contains|holds|with)\s+{_CONTENTS}{_DRAW_AND_ASK}"
_THERE_BAG = rf"\b(?:there\s*'?\s*s|theres|there\s+are)\s+{_CONTENTS}\s+in\s+(?:a|the)\s+{_CONTAINER}{_DRAW_AND_ASK}"


def _bag(m: re.Match) -> sympy.Expr:
    counts: dict[str, int] = {}
    for count, color in re.findall(_CONTENT, m["contents"], flags=re.I):
        color = color.lower().replace("grey", "gray")
        if color in counts:
            raise NotReadable("a colour named twice")
        counts[color] = int(count)
    asked = (m["color"] or m["color2"]).lower().replace("grey", "gray")
    if asked not in counts:
        raise NotReadable("a colour the bag was not said to hold")
    total, good = sum(counts.values()), counts[asked]
    if total == 0:
        raise IllPosed("An empty bag has nothing to draw, so this has no answer.")
    if m["one"]:
        return sympy.Rational(good, total)
    draws = int(m["k"] or m["k2"])
    replacement = m["replacement"].lower()
    returned = "back" in replacement and "without" not in replacement or replacement.strip("( )").startswith("with ")
    return all_drawn(good, total, draws, returned)


def all_drawn(good: int, total: int, draws: int, returned: bool) -> sympy.Expr:
    """The probability that every one of `draws` draws from `total` things is one of the `good` ones, each drawn
    thing put back (`returned`) or not."""
    if returned:
        return sympy.Rational(good, total) ** draws
    if draws > total:
        raise IllPosed("More are drawn than there are, so this has no answer.")
    probability = sympy.Integer(1)
    for i in range(draws):
        probability *= sympy.Rational(max(good - i, 0), total - i)
    return probability


_SUITS = {"heart": "hearts", "diamond": "diamonds", "club": "clubs", "spade": "spades"}
_RANKS = {"ace": 1, "king": 13, "queen": 12, "jack": 11, **{str(n): n for n in range(2, 11)}}
_CARD_ATOM = (r"(?:a|an)\s+(?:(red|black)\s+)?(?:(heart|diamond|club|spade)|(ace|king|queen|jack|10|[2-9])|(face\s+card)|"
              r"(card\s+numbered\s+2\s+(?:to|through)\s+10|number\s+card)|(card))(?:\s+of\s+(hearts|diamonds|clubs|spades))?"
              r"(?:\s+\(\s*jack\s*,?\s*queen\s*,?\s*(?:or\s+)?king\s*\))?")
_DECK = (r"(?:a|the)\s+(?:standard\s+|well-shuffled\s+|shuffled\s+)*(?:52-card\s+)?(?:deck(?:\s+of\s+(?:52\s+)?(?:playing\s+)?"
         r"cards)?|pack\s+of\s+cards)")


_CARD_EVENTS = rf"(?P<events>{_CARD_ATOM}(?:\s*,?\s*or\s+{_CARD_ATOM})*)"


def _card_matches(atom: tuple[str, ...], card: tuple[int, str]) -> bool:
    colour, suit, rank, face, numbered, plain, of_suit = atom
    number, card_suit = card
    red = card_suit in ("hearts", "diamonds")
    if colour and (colour.lower() == "red") != red:
        return False
    if suit and _SUITS[suit.lower()] != card_suit:
        return False
    if of_suit and of_suit.lower() != card_suit:
        return False
    if rank and _RANKS[rank.lower()] != number:
        return False
    if face and number not in (11, 12, 13):
        return False
    if numbered and not 2 <= number <= 10:
        return False
    if plain and not colour:
        raise NotReadable("a card with nothing said of it")
    return True


def _card(m: re.Match) -> sympy.Expr:
    atoms = re.findall(_CARD_ATOM, m.group("events"), flags=re.I)
    deck = [(n, s) for n in range(1, 14) for s in _SUITS.values()]
    hits = [card for card in deck if any(_card_matches(a, card) for a in atoms)]
    return sympy.Rational(len(hits), len(deck))


# ---- angles and precalculus ----------------------------------------------------------------------------


_ANGLES_OF_POLYGON = rf"(?:(exterior)\s+|interior\s+)?angles\s+(?:of|in)\s+(?:a|an|any)\s+(?:convex\s+)?(?:regular\s+)?{_POLYGON}"
_REGULAR_ANGLE = rf"((?:interior|exterior)\s+angle|angle)\s+(?:of|in)\s+a\s+regular\s+{_POLYGON}"


def _angle_sum(m: re.Match) -> sympy.Expr:
    n = _polygon_sides(m.group(2))
    return sympy.Integer(360 if m.group(1) else 180 * (n - 2))


def _regular_angle(m: re.Match) -> sympy.Expr:
    n = _polygon_sides(m.group(2))
    return sympy.Rational(360, n) if m.group(1).lower().startswith("exterior") else sympy.Rational(180 * (n - 2), n)


def _third_angle(m: re.Match) -> sympy.Expr:
    a, b = sympy.Rational(m.group(1)), sympy.Rational(m.group(2))
    if a <= 0 or b <= 0 or a + b >= 180:
        raise IllPosed("A triangle's angles are more than 0 and add up to 180 degrees, so this has no answer.")
    return 180 - a - b


def _complement(m: re.Match) -> sympy.Expr:
    whole = 90 if m.group(1).lower() == "complement" else 180
    angle = sympy.Rational(m.group(2))
    if not 0 < angle < whole:
        raise IllPosed(f"Only an angle between 0 and {whole} degrees has a {m.group(1).lower()}, so this has no answer.")
    return whole - angle


_POINT = rf"\(\s*({SIGNED_NUMBER})\s*,\s*({SIGNED_NUMBER})\s*\)"


def _triangle_area(m: re.Match) -> sympy.Expr:
    x1, y1, x2, y2, x3, y3 = (sympy.Rational(g) for g in m.groups())
    area = abs((x2 - x1) * (y3 - y1) - (x3 - x1) * (y2 - y1)) / 2
    if area == 0:
        raise IllPosed("These three points lie on one line, so they make no triangle.")
    return area


def _modular_inverse(m: re.Match) -> sympy.Expr:
    a, modulus = int(m.group(1)), int(m.group(2))
    if m.group(3) and int(m.group(3)) != modulus - 1:
        raise NotReadable("residues asked in another range")
    if modulus < 2:
        raise NotReadable("a modulus below 2")
    try:
        return sympy.Integer(pow(a, -1, modulus))
    except ValueError:
        raise IllPosed(f"{a} and {modulus} share a factor, so {a} has no inverse modulo {modulus}.") from None


def _to_radians(m: re.Match) -> sympy.Expr:
    return sympy.Rational(m.group(1)) * sympy.pi / 180


_RADIANS = r"(?:(\d*)\s*\\pi\s*(?:/\s*(\d+))?|\\frac\s*\{\s*(\d*)\s*\\pi\s*\}\s*\{\s*(\d+)\s*\})"


def _to_degrees(m: re.Match) -> sympy.Expr:
    numerator, denominator = (m.group(1) or m.group(3) or "1"), (m.group(2) or m.group(4) or "1")
    return sympy.Rational(180 * int(numerator), int(denominator))


_COMPONENTS = rf"\(\s*({SIGNED_NUMBER}(?:\s*,\s*{SIGNED_NUMBER}){{1,2}})\s*\)"
_COLUMN = rf"\\begin\{{[pb]matrix\}}\s*({SIGNED_NUMBER}(?:\s*\\\\\s*{SIGNED_NUMBER}){{1,2}})\s*\\end\{{[pb]matrix\}}"
_ANGLED = rf"<\s*({SIGNED_NUMBER}(?:\s*,\s*{SIGNED_NUMBER}){{1,2}})\s*>"
_VECTOR = rf"(?:{_COMPONENTS}|{_COLUMN}|{_ANGLED})"


def _components(text: str) -> list[sympy.Rational]:
    return [sympy.Rational(t) for t in re.findall(SIGNED_NUMBER, text)]


def _length(m: re.Match) -> sympy.Expr:
    return sympy.radsimp(sympy.sqrt(sum(c**2 for c in _components(next(g for g in m.groups() if g)))))


def _dot(m: re.Match) -> sympy.Expr:
    u, v = (_components(g) for g in m.groups() if g)
    if len(u) != len(v):
        raise IllPosed("These vectors have different numbers of components, so they have no dot product.")
    return sum((a * b for a, b in zip(u, v)), sympy.Integer(0))


def _period(m: re.Match) -> sympy.Expr:
    name, frequency = m.group(1).lower(), sympy.Rational(m.group(2) or 1)
    if frequency == 0:
        raise NotReadable("a constant function has no period")
    return (sympy.pi if name in ("tan", "cot") else 2 * sympy.pi) / abs(frequency)


# ---- money ---------------------------------------------------------------------------------------------

_AMOUNT = r"(?:dollars\s+)?(\d+(?:\.\d{1,2})?)(?:\s+dollars)?"
_PERCENT = r"(\d+(?:\.\d+)?)\s*(?:%|percent)"
_ITEM = r"(?:[a-z]+\s+){0,2}[a-z]+"


def _same_things(first: str, second: str) -> None:
    if first.lower().rstrip("s") != second.lower().rstrip("s"):
        raise NotReadable("a price of one thing and a question about another")


def _unit_price(amount: str, count: str, things: str, wanted: str, wanted_things: str) -> sympy.Expr:
    _same_things(things, wanted_things)
    if int(count) == 0:
        raise IllPosed("A price for 0 things says nothing of one, so this has no answer.")
    return sympy.Rational(amount) / int(count) * int(wanted)


def _sale(price: str, off: str, tax: str | None) -> sympy.Expr:
    if sympy.Rational(off) > 100:
        raise IllPosed("A discount of more than 100% has no meaning here, so this has no answer.")
    sale = sympy.Rational(price) * (1 - sympy.Rational(off) / 100)
    return sale * (1 + sympy.Rational(tax) / 100) if tax else sale


_TAX = (rf"(?:\s*[.,]?\s*(?:and\s+)?(?:then\s+)?(?:(?:there\s*'?\s*s|there\s+is|theres|plus|with|a)\s+)?(?:a\s+)?(?:sales\s+)?"
        rf"tax\s+of\s+{_PERCENT}|\s*[.,]?\s*(?:and\s+)?(?:then\s+)?(?:(?:there\s*'?\s*s|there\s+is|theres|plus|with)\s+)?(?:a\s+)?"
        rf"{_PERCENT}\s+(?:sales\s+)?tax)(?:\s+(?:is\s+)?(?:added\s+)?(?:on|to)\s+the\s+sale\s+price)?")
_PAY = (r"\s*[.,?]?\s*(?:what\s+is\s+the\s+(?:sale\s+price|final\s+price|total\s+cost|total|new\s+price)|how\s+much\s+"
        r"(?:do|does|will|would)\s+(?:i|you|we|they|he|she|[a-z]+)\s+(?:actually\s+|really\s+)?pay(?:\s+in\s+all)?|(?:the\s+)?total|final\s+price)"
        r"(?:\s*,?\s*in\s+dollars)?")


# ---- motion, proportion, percent forms -----------------------------------------------------------------

_QUANTITY = rf"({SIGNED_NUMBER}(?:\s*/\s*\d+)?)"
_HOURS = {"hour": 1, "hours": 1, "hr": 1, "hrs": 1, "minute": sympy.Rational(1, 60), "minutes": sympy.Rational(1, 60),
          "min": sympy.Rational(1, 60), "mins": sympy.Rational(1, 60)}
_TIME = r"(hours?|hrs?|minutes?|mins?)\b"
_DISTANCE = r"(miles|kilometers|km)"
_PER_HOUR = r"(?:miles\s+per\s+hour|mph|kilometers\s+per\s+hour|km/h|kph)"
_MOVER = r"(?:(?:a|the)\s+(?:car|train|bus|bike|cyclist|runner|plane|truck|boat)|[a-z]+)"
_MOVES = r"(?:travels|travelled|traveled|goes|went|drives|drove|rides|rode|bikes|biked|runs|ran|walks|walked|flies|flew|covers)"


def _quantity(text: str) -> sympy.Expr:
    numerator, _, denominator = text.partition("/")
    return sympy.Rational(numerator.strip()) / (int(denominator) if denominator else 1)


def _same_distance_units(*units: str) -> None:
    if len({"km" if u.lower().startswith("k") else "miles" for u in units if u}) > 1:
        raise NotReadable("distances in two units")


def _speed(m: re.Match) -> sympy.Expr:
    distance, time = _quantity(m["distance"]), _quantity(m["time"]) * _HOURS[m["time_unit"].lower()]
    _same_distance_units(m["distance_unit"], m["rate_unit"] or "")
    if time <= 0:
        raise IllPosed("A trip takes more than no time, so this has no answer.")
    return distance / time


def _distance(m: re.Match) -> sympy.Expr:
    return _quantity(m["speed"]) * _quantity(m["time"]) * _HOURS[m["time_unit"].lower()]


def _duration(m: re.Match) -> sympy.Expr:
    speed = _quantity(m["speed"])
    if speed <= 0:
        raise IllPosed("At a speed of 0 the trip never ends, so this has no answer.")
    return _quantity(m["distance"]) / speed / _HOURS[m["time_unit"].lower()]


def _proportion(m: re.Match) -> sympy.Expr:
    _same_things(m["things"], m["things2"])
    if m["amount_unit"].lower().rstrip("s") != (m["asked_unit"] or m["amount_unit"]).lower().rstrip("s"):
        raise NotReadable("an amount in one unit and a question in another")
    per = _quantity(m["count"])
    if per == 0:
        raise IllPosed("An amount for 0 things says nothing of one, so this has no answer.")
    return _quantity(m["amount"]) / per * _quantity(m["count2"])


def percent_change(direction: str, old_text: str, new_text: str) -> sympy.Expr:
    """The percent increase, decrease or change from old to new (a size: the words say the sign)."""
    direction, old, new = direction.lower(), sympy.Rational(old_text), sympy.Rational(new_text)
    if old == 0:
        raise IllPosed("A percent change from 0 divides by zero, so it has no answer.")
    change = (new - old) / old * 100
    if (direction == "decrease" and change >= 0) or (direction != "decrease" and change <= 0):
        raise NotReadable("a percent increase that decreases (or the other way round): which sign is meant?")
    return abs(change)


_DIRECTION = {"increase": "increase", "go up": "increase", "grow": "increase", "rise": "increase",
              "decrease": "decrease", "go down": "decrease", "shrink": "decrease", "fall": "decrease", "drop": "decrease",
              "change": "change"}


def ratio_part(m: re.Match) -> sympy.Expr:
    names = [m["first"].lower(), m["second"].lower()]
    asked = m["asked"].lower()
    if asked not in names:
        raise NotReadable("a ratio of two groups, and a question about another")
    parts = [int(m["a"]), int(m["b"])]
    share = sympy.Rational(int(m["total"]) * parts[names.index(asked)], sum(parts))
    if not share.is_Integer:
        raise IllPosed("That total cannot be split in that ratio into whole numbers, so this has no answer.")
    return share


def _as_percent(m: re.Match) -> sympy.Expr:
    return _quantity(m.group(1)) * 100


def _consecutive(m: re.Match) -> sympy.Expr:
    n, total = int(m["n"]), sympy.Integer(int(m["total"]))
    parity = (m["parity"] or "").strip().lower()
    step = 2 if parity else 1
    if not 2 <= n <= 1000:
        raise NotReadable("consecutive numbers: too few or too many")
    first = (total - step * n * (n - 1) // 2) / n
    if not first.is_Integer or (parity == "even" and first % 2) or (parity == "odd" and first % 2 == 0):
        raise IllPosed(f"No {n} consecutive {parity + ' ' if parity else ''}integers add up to {total}, so this has no "
                       "answer.")
    largest = m["which"].lower() in ("largest", "biggest", "bigger", "larger", "greatest", "greater", "last")
    return first + step * (n - 1) if largest else first


def _sum_difference(m: re.Match) -> sympy.Expr:
    total, difference = _quantity(m["total"]), _quantity(m["difference"])
    larger, smaller = (total + difference) / 2, (total - difference) / 2
    asked = m["asked"].lower()
    if "product" in asked:
        return larger * smaller
    return smaller if re.search("small|less", asked) else larger


# ---- units ---------------------------------------------------------------------------------------------

# unit -> (dimension, size in that dimension's base unit); a month or a year has no one size.
_UNITS: dict[str, tuple[str, Fraction]] = {
    **dict.fromkeys(("second", "seconds", "sec", "secs"), ("time", Fraction(1))),
    **dict.fromkeys(("minute", "minutes", "min", "mins"), ("time", Fraction(60))),
    **dict.fromkeys(("hour", "hours", "hr", "hrs"), ("time", Fraction(3600))),
    **dict.fromkeys(("day", "days"), ("time", Fraction(86400))),
    **dict.fromkeys(("week", "weeks"), ("time", Fraction(604800))),
    **dict.fromkeys(("millimeter", "millimeters", "mm"), ("length", Fraction(1, 1000))),
    **dict.fromkeys(("centimeter", "centimeters", "cm"), ("length", Fraction(1, 100))),
    **dict.fromkeys(("meter", "meters", "metre", "metres"), ("length", Fraction(1))),
    **dict.fromkeys(("kilometer", "kilometers", "km"), ("length", Fraction(1000))),
    **dict.fromkeys(("inch", "inches"), ("length", Fraction(254, 10000))),
    **dict.fromkeys(("foot", "feet", "ft"), ("length", Fraction(3048, 10000))),
    **dict.fromkeys(("yard", "yards", "yd"), ("length", Fraction(9144, 10000))),
    **dict.fromkeys(("mile", "miles"), ("length", Fraction(16093440, 10000))),
    **dict.fromkeys(("milliliter", "milliliters", "ml"), ("volume", Fraction(1, 1000))),
    **dict.fromkeys(("liter", "liters", "litre", "litres"), ("volume", Fraction(1))),
    **dict.fromkeys(("cup", "cups"), ("us volume", Fraction(1))),
    **dict.fromkeys(("pint", "pints"), ("us volume", Fraction(2))),
    **dict.fromkeys(("quart", "quarts"), ("us volume", Fraction(4))),
    **dict.fromkeys(("gallon", "gallons"), ("us volume", Fraction(16))),
    **dict.fromkeys(("gram", "grams", "g"), ("mass", Fraction(1))),
    **dict.fromkeys(("kilogram", "kilograms", "kg"), ("mass", Fraction(1000))),
    **dict.fromkeys(("ounce", "ounces", "oz"), ("us mass", Fraction(1))),
    **dict.fromkeys(("pound", "pounds", "lb", "lbs"), ("us mass", Fraction(16))),
}
_UNIT = "(" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")\b"
_HAVE = r"(?P<have_power>square\s+|cubic\s+)?" + _UNIT.replace("(", "(?P<have>", 1)
_WANT = r"(?P<want_power>square\s+|cubic\s+)?" + _UNIT.replace("(", "(?P<want>", 1)


def _convert(m: re.Match) -> sympy.Expr:
    """An amount in one unit in another; `square`/`cubic` before both units raise the factor to that power."""
    amount = sympy.Rational(m.group("amount") or 1)  # `how many seconds in a day`
    (have, size), (want, per) = _UNITS[m.group("have").lower()], _UNITS[m.group("want").lower()]
    powers = {(m["have_power"] or "").lower().strip(), (m["want_power"] or "").lower().strip()}
    if have != want or len(powers) > 1 or (powers != {""} and have != "length"):
        raise NotReadable("units of different kinds (or of systems this does not convert between)")
    power = {"": 1, "square": 2, "cubic": 3}[powers.pop()]
    return amount * sympy.Rational(size / per) ** power


# ---- points and vectors answered whole: `reader` reads back `pointanswer (a, b)` (`questions.point_answer`) ----

_ROOT_OR_NUMBER = rf"(?:-?\s*(?:\d+(?:\.\d+)?\s*)?\\sqrt\s*\{{\d+\}}|{SIGNED_NUMBER})"
_PI_ANGLE = (r"(?:(?P<{0}n>\d+)?\s*\\pi\s*(?:/\s*(?P<{0}d>\d+))?|\\frac\s*\{{\s*(?P<{0}fn>\d+)?\s*\\pi\s*\}}\s*\{{\s*(?P<{0}fd>\d+)"
             r"\s*\}}|(?P<{0}zero>0))")
_THETA = r"(?:θ|\\theta)"
_RECTANGULAR = r"rectangular(?:\s+(?:coordinates|form))?(?:\s*\(\s*x\s*,\s*y\s*\))?"
_POLAR_RANGE = (rf"(?:\s*,?\s*(?:with|where)\s+r\s*>\s*0\s*(?:,|and)?\s*(?:and\s+)?(?:fullturn|0\s*(?:≤|<=|\\le(?:q)?)\s*{_THETA}\s*<\s*2\s*"
                rf"\\pi)\s*)?")  # `fullturn`: `0 <= theta < 2pi` as `reader.clean` respells it


def _root_or_number(text: str) -> sympy.Expr:
    root = re.fullmatch(r"(-)?\s*(\d+(?:\.\d+)?)?\s*\\sqrt\s*\{(\d+)\}", text.strip())
    if root:
        return (-1 if root[1] else 1) * sympy.Rational(root[2] or 1) * sympy.sqrt(int(root[3]))
    return sympy.Rational(text.strip())


def _pi_angle(m: re.Match, name: str) -> sympy.Expr:
    if m[f"{name}zero"]:
        return sympy.Integer(0)
    numerator, denominator = m[f"{name}n"] or m[f"{name}fn"] or 1, m[f"{name}d"] or m[f"{name}fd"] or 1
    return sympy.pi * sympy.Rational(int(numerator), int(denominator))


def point_marker(*coordinates: sympy.Expr) -> str:
    """A point or vector as `questions.point_answer` reads it back."""
    return " pointanswer (" + ", ".join(sympy.latex(sympy.radsimp(c)) for c in coordinates) + ") "


def _polar_to_rectangular(m: re.Match) -> str:
    r, theta = _root_or_number(m["r"]), _pi_angle(m, "t")
    return point_marker(r * sympy.cos(theta), r * sympy.sin(theta))


def _rectangular_to_polar(m: re.Match) -> str:
    x, y = _root_or_number(m["x"]), _root_or_number(m["y"])
    if x == 0 and y == 0:
        raise NotReadable("the origin has no single polar angle")
    theta = sympy.atan2(y, x) % (2 * sympy.pi)
    if not (theta / sympy.pi).is_Rational:
        raise NotReadable("a polar angle that is not a rational multiple of pi")
    return point_marker(sympy.sqrt(x**2 + y**2), theta)


def _vector_combination(m: re.Match) -> str:
    named = {m["a"]: _components(m["u"] or ""), m["b"]: _components(m["v"] or "")}
    if m["a"] == m["b"] or len(named[m["a"]]) != len(named[m["b"]]):
        raise NotReadable("two vectors of one name, or of different sizes")
    total = [sympy.Integer(0)] * len(named[m["a"]])
    for sign, factor, letter in re.findall(r"([+-]?)\s*(\d*)\s*\*?\s*([a-z])", m["combination"]):
        if letter not in named:
            raise NotReadable("a vector that was not given")
        scale = (-1 if sign == "-" else 1) * int(factor or 1)
        total = [t + scale * c for t, c in zip(total, named[letter])]
    return point_marker(*total)


_NAMED_VECTOR = rf"(?P<{{0}}>(?:\(\s*{SIGNED_NUMBER}(?:\s*,\s*{SIGNED_NUMBER}){{{{1,2}}}}\s*\)|<\s*{SIGNED_NUMBER}(?:\s*,\s*{SIGNED_NUMBER}){{{{1,2}}}}\s*>))"
POINT_REWRITES = [
    (rf"\b(?:the\s+)?polar\s+(?:coordinates|point)\s*(?:\(\s*r\s*,\s*{_THETA}\s*\)\s*=\s*)?\(\s*(?P<r>{_ROOT_OR_NUMBER})\s*,\s*"
     rf"{_PI_ANGLE.format('t')}\s*\)\s*(?:-\s*|,\s*)?(?:what\s+point\s+is\s+(?:that|it)|is\s+what(?:\s+point)?|(?:convert(?:ed)?|written))\s+"
     rf"in\s+(?:to\s+)?{_RECTANGULAR}{_END}", _polar_to_rectangular, "point"),
    (rf"\bconvert\s+(?:the\s+(?:polar\s+)?point\s+)?\(\s*(?P<r>{_ROOT_OR_NUMBER})\s*,\s*{_PI_ANGLE.format('t')}\s*\)\s+(?:from\s+polar\s+)?"
     rf"(?:to|into)\s+{_RECTANGULAR}{_END}", _polar_to_rectangular, "point"),
    (rf"\bconvert\s+(?:the\s+(?:rectangular\s+)?point\s+)?\(\s*(?P<x>{_ROOT_OR_NUMBER})\s*,\s*(?P<y>{_ROOT_OR_NUMBER})\s*\)\s+"
     rf"(?:from\s+rectangular\s+)?(?:to|into)\s+polar(?:\s+(?:coordinates|form))?(?:\s*\(\s*r\s*,\s*{_THETA}\s*\))?{_POLAR_RANGE}{_END}",
     _rectangular_to_polar, "point"),
    (rf"\b(?:if\s+)?(?P<a>[a-z])\s*=\s*{_NAMED_VECTOR.format('u')}\s*,?\s*(?:and\s+)?(?P<b>[a-z])\s*=\s*{_NAMED_VECTOR.format('v')}\s*[.,]?\s*"
     rf"(?:(?:what\s+is|find|compute|calculate)\s+)?(?P<combination>-?\s*\d*\s*[a-z](?:\s*[+-]\s*\d*\s*\*?\s*[a-z])+){_END}",
     _vector_combination, "point"),
]


# (pattern, the value of a match, kind of the answer); re.I throughout, over the text `reader.clean` made.
FORMS: list[tuple[str, Callable[[re.Match], sympy.Expr], str]] = [
    # number theory
    (rf"\bhow\s+many\s+(?:positive\s+)?(?:whole\s+number\s+)?(?:divisors|factors)\s+(?:does|do)\s+{_N}\s+have"
     rf"{_END}", _divisor_count, "divisors"),
    (rf"\b(?:the\s+)?number\s+of\s+(?:positive\s+)?(?:divisors|factors)\s+of\s+{_N}{_END}", _divisor_count, "divisors"),
    (rf"\b(?:the\s+)?(smallest|largest|greatest|biggest)\s+prime\s+(?:factor|divisor)\s+of\s+{_N}{_END}", _prime_factor,
     "primes"),
    (rf"\b(?:the\s+)?(smallest|largest|greatest|biggest)\s+prime\s+(?:number\s+)?(?:that|which)\s+divides\s+{_N}{_END}",
     _prime_factor, "primes"),
    (rf"\b(?:(?:the\s+)?sum\s+of|add\s+up)\s+(?:all\s+)?(?:of\s+)?(?:the\s+)?prime(?:s|\s+numbers)\s+between\s+(?P<low>\d{{1,6}})\s+"
     rf"and\s+(?P<high>\d{{1,6}}){_END}", _primes_between, "primes"),
    (rf"\b(?:(?:the\s+)?sum\s+of|add\s+up)\s+(?:all\s+)?(?:of\s+)?(?:the\s+)?prime(?:s|\s+numbers)\s+(?P<bound>less\s+than|below|under|"
     rf"up\s+to|at\s+most|less\s+than\s+or\s+equal\s+to)\s+(?P<n>\d{{1,6}}){_END}", _prime_sum, "primes"),
    (rf"\b(?:the\s+)?sum\s+of\s+(?:all\s+)?(?:the\s+)?(?:positive\s+)?(?:divisors|factors)\s+of\s+{_N}{_END}",
     lambda m: sympy.divisor_sigma(int(m.group(1))) if int(m.group(1)) else _divisor_count(m), "divisors"),
    (r"\b(\d{1,30})\s*_\s*\{?\s*(\d{1,2})\s*\}?\s+(?:in|to|into|as)\s+(?:a\s+)?(?:base\s*\{?\s*10\s*\}?|decimal)(?:\s+number)?"
     + _END, lambda m: _from_base(m.group(1), m.group(2)), "bases"),
    (r"\bconvert\s+(\d{1,30})\s*(?:_\s*\{?\s*(\d{1,2})\s*\}?\s+|\s+from\s+base\s+(\d{1,2})\s+)(?:to|into)\s+"
     r"(?:base\s*10|decimal)" + _END, lambda m: _from_base(m.group(1), m.group(2) or m.group(3)), "bases"),
    (r"\b(?:convert\s+)?([01]{1,40})\s+(?:from\s+binary\s+|in\s+binary\s+|base\s+2\s+)?(?:to|into)\s+(?:base\s*10|decimal)"
     + _END, lambda m: _from_base(m.group(1), None), "bases"),
    (r"\b(?:convert|write|express)\s+(\d{1,15})\s+(?:in|to|into|as)\s+(?:base\s+(\d{1,2})|binary)(?:\s+form)?" + _END,
     _to_base, "bases"),
    (r"\b(\d{1,15})\s+in\s+(?:base\s+(\d{1,2})|binary)" + _END, _to_base, "bases"),
    (r"\b(?:the\s+number\s+)?(\d{1,30})\s+is\s+(?:written\s+)?in\s+base\s+(\d{1,2})\s*[.,]?\s*what\s+is\s+it\s+in\s+"
     r"(?:base\s*10|decimal)" + _END, lambda m: _from_base(m.group(1), m.group(2)), "bases"),
    (rf"\bhow\s+many\s+(?:positive\s+)?multiples\s+of\s+(?P<k>\d{{1,9}})\s+(?:are\s+there\s+|are\s+)?"
     rf"(?:(?P<span>between|from)\s+(?P<low>\d{{1,12}})\s+(?:and|to)\s+(?P<high>\d{{1,12}})(?P<inclusive>\s*,?\s*\(?inclusive\)?)?"
     rf"(?P<exclusive>\s*,?\s*\(?exclusive\)?)?|(?:less\s+than|below|under|smaller\s+than)\s+(?P<below>\d{{1,12}})|"
     rf"(?:up\s+to|at\s+most|less\s+than\s+or\s+equal\s+to)\s+(?P<upto>\d{{1,12}}))(?:\s+are\s+there)?{_END}",
     _multiples, "multiples"),
    (rf"\b(?:the\s+)?sum\s+of\s+the\s+first\s+{_N}\s+(?:positive\s+)?(odd\s+|even\s+)?(?:positive\s+)?(?:integers|natural\s+"
     rf"numbers|counting\s+numbers){_END}", lambda m: _first_n_sum(m.group(1), m.group(2)), "sum"),
    (rf"\b(?:the\s+)?sum\s+of\s+the\s+first\s+{_N}\s+(?:positive\s+(odd\s+|even\s+)?|(odd\s+))numbers{_END}",
     lambda m: _first_n_sum(m.group(1), m.group(2) or m.group(3)), "sum"),
    (rf"\b(?:the\s+)?sum\s+of\s+(?:all\s+)?(?:the\s+)?(?:integers|whole\s+numbers|numbers)\s+from\s+(-?\d{{1,9}})\s+to\s+"
     rf"(-?\d{{1,9}})(?:\s*,?\s*inclusive)?{_END}", _range_sum, "sum"),
    (rf"\bhow\s+many\s+(?:trailing\s+)?zeros?\s+(?:are\s+(?:there\s+)?)?(?:at\s+the\s+end\s+of|does)\s+(?P<n>\d{{1,7}})\s*!"
     rf"(?:\s+(?:have|end\s+(?:in|with))(?:\s+at\s+the\s+end)?)?(?:\s+when\s+(?:it\s+is\s+)?written\s+out)?{_END}", _trailing_zeros,
     "digits"),
    (rf"\b(?:a|the)\s+set\s+(?:has|with)\s+(?P<n>\d{{1,3}})\s+elements\s*[.,]?\s*how\s+many\s+subsets\s+(?:does\s+it\s+have|are\s+"
     rf"there|can\s+be\s+(?:formed|made))(?:\s*\(?\s*including\s+the\s+empty\s+set(?:\s+and\s+the\s+set\s+itself)?\s*\)?)?{_END}",
     lambda m: sympy.Integer(2) ** int(m["n"]), "counting"),
    (rf"\bhow\s+many\s+subsets\s+does\s+(?:a|the)\s+set\s+(?:with|of)\s+(?P<n>\d{{1,3}})\s+elements\s+have"
     rf"(?:\s*\(?\s*including\s+the\s+empty\s+set(?:\s+and\s+the\s+set\s+itself)?\s*\)?)?{_END}",
     lambda m: sympy.Integer(2) ** int(m["n"]), "counting"),
    (rf"\b(?:the\s+)?(?:smallest|least|lowest)\s+(?:positive\s+)?(?:whole\s+)?(?:number|integer)\s+(?:that\s+is\s+|that\s*'?\s*s\s+)?"
     rf"(?:evenly\s+)?divisible\s+by\s+(?:(?:all|each)\s+of\s+)?(?P<numbers>\d{{1,6}}(?:\s*,\s*\d{{1,6}})*\s*,?\s*and\s+\d{{1,6}}){_END}",
     _lcm_of_listed, "lcm"),
    (rf"\bround\s+(?P<value>-?\d+(?:\.\d+)?)\s+to\s+the\s+nearest\s+(?P<place>whole\s+number|integer|ones?|unit|tenths?|"
     rf"hundredths?|thousandths?|tens?|hundreds?|thousands?){_END}", _round, "decimal"),
    (rf"\b(?:solve\s+)?(?P<a>\d{{1,6}})\s*x\s*(?:≡|=|\\equiv|is\s+congruent\s+to)\s*(?P<b>\d{{1,9}})\s*\(?\s*(?:mod|modulo)\s*\{{?"
     rf"(?P<m>\d{{1,9}})\}}?\s*\)?(?:\s*,?\s*(?:(?:find|what\s+is|give)\s+)?(?:the\s+)?x\s+(?:between\s+0\s+and\s+(?P<top>\d{{1,9}})|"
     rf"from\s+0\s+to\s+(?P<top2>\d{{1,9}}))(?:\s+that\s+works)?)?{_END}", _linear_congruence, "mod"),
    (rf"\b(?P<a>\d{{1,6}})\s+times\s+what\s+(?:number|integer)\s+is\s+congruent\s+to\s+(?P<b>\d{{1,9}})\s+(?:mod|modulo)\s+"
     rf"(?P<m>\d{{1,9}})\s*\??\s*(?:\(\s*answer\s+(?:from|between)\s+0\s+(?:to|and)\s+(?P<top>\d{{1,9}})\s*\))?{_END}",
     _linear_congruence, "mod"),
    (rf"{_SMALLEST_THAT_LEAVES}(?P<pairs>{_REMAINDER_OF.format(1)}(?:\s*,\s*(?:and\s+)?|\s+and\s+)"
     rf"{_REMAINDER_OF.format(2)}(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+){_REMAINDER_OF.format(3)})?)(?P<more>(?:\s*,?\s*(?:and\s+)?"
     rf"by\s+\d{{1,6}})*){_END}", _smallest_with_remainders, "mod"),
    (rf"{_SMALLEST_THAT_LEAVES}(?:a\s+)?remainder\s+(?:of\s+)?(?P<pairs>\d{{1,6}}\s+when\s+divided\s+by\s+"
     rf"\d{{1,6}})(?P<more>(?:\s*,?\s*(?:and\s+)?by\s+\d{{1,6}})+){_END}", _smallest_with_remainders, "mod"),
    (rf"\bhow\s+many\s+(?:positive\s+)?(?:integers|whole\s+numbers|numbers)\s+(?:(?:less\s+than|below|under)\s+(?P<n>\d{{1,9}})|"
     rf"from\s+1\s+to\s+(?P<inclusive>(?P<n_to>\d{{1,9}})))(?:\s*,?\s*inclusive)?\s+are\s+divisible\s+by\s+(?P<a>\d{{1,6}})\s+"
     rf"(?:or|(?P<both>and))\s+(?P<b>\d{{1,6}})(?:\s*\(?\s*or\s+both\s*\)?)?{_END}",
     _divisible_count, "multiples"),
    (rf"\b(?:(?:two|2)\s+)?(?:positive\s+)?(?:integers|numbers)\s+have\s+a\s+product\s+of\s+(?P<p>\d{{1,12}})\s+and\s+a\s+gcd\s+of\s+"
     rf"(?P<g>\d{{1,9}})\s*[.,]?\s*(?:(?:what\s+is|find)\s+)?(?:their\s+|the\s+)?lcm{_END}", _lcm_from_product, "lcm"),
    (rf"\b(\d{{1,15}})\s*(?:\(\s*base\s+(?:ten|10)\s*\)\s*)?(?:when\s+)?(?:written|expressed|converted)\s+(?:in|to|into)\s+"
     rf"(?:base\s+(\d{{1,2}})|binary){_END}", _to_base, "bases"),
    # counting and probability
    (rf"\b(?:in\s+)?how\s+many\s+(?:different\s+)?(?:ways|orders)\s+(?:can|could)\s+{_SMALL}\s+(?:different\s+|distinct\s+)?[a-z]+\s+"
     rf"(?:line\s+up|stand\s+in\s+(?:a\s+)?(?:line|row)|sit\s+in\s+(?:a\s+)?row|be\s+(?:arranged|lined\s+up|ordered|seated)"
     rf"(?:\s+in\s+(?:a\s+)?(?:row|line))?)(?:\s+in\s+(?:a\s+)?(?:row|line))?{_END}",
     lambda m: sympy.factorial(int(m.group(1))), "counting"),
    (rf"\bhow\s+many\s+(?:different\s+)?ways\s+(?:are\s+there\s+)?to\s+arrange\s+{_SMALL}\s+(?:different\s+|distinct\s+)?[a-z]+"
     rf"(?:\s+(?:in\s+a\s+row|in\s+a\s+line|on\s+a\s+shelf))?{_END}", lambda m: sympy.factorial(int(m.group(1))), "counting"),
    (rf"\b(?:in\s+)?how\s+many\s+ways\s+can\s+{_OFFICES.replace('(', '(?P<offices>', 1)}\s+be\s+(?:chosen|selected|picked|"
     rf"elected)\s+(?:from|out\s+of|among)\s+(?:a\s+group\s+of\s+)?(?P<n>\d{{1,3}})\s+[a-z]+{_NO_DOUBLE}{_END}",
     _offices, "counting"),
    (rf"\b(?:a|the)\s+(?:[a-z]+\s+)?club\s+has\s+(?P<n>\d{{1,3}})\s+members\s*[.,]?\s*(?:in\s+)?how\s+many\s+ways\s+can\s+"
     rf"(?:it|the\s+club|they|we)\s+(?:choose|select|pick|elect)\s+{_OFFICES.replace('(', '(?P<offices>', 1)}{_NO_DOUBLE}{_END}",
     _offices, "counting"),
    (rf"\bhow\s+many\s+(?:different\s+)?ways\s+(?:are\s+there\s+|can\s+(?:you|we|i)\s+)?(?:to\s+)?(?:pick|choose|select|form)\s+a\s+"
     rf"(\d{{1,3}})\s*-?\s*(?:person|member|people)\s+(?:committee|team|group)\s+(?:from|out\s+of)\s+(\d{{1,3}})\s+[a-z]+{_END}",
     lambda m: _choose_k(int(m.group(2)), int(m.group(1))), "counting"),
    (rf"\bhow\s+many\s+handshakes\s+(?:{_HAPPEN}\s+)?(?:if|when)\s+{_SHAKE}{_END}", _handshakes, "counting"),
    (rf"\b{_SHAKE}\s*[.,]?\s*how\s+many\s+handshakes\s+(?:{_HAPPEN})?{_END}", _handshakes, "counting"),
    (rf"\bhow\s+many\s+diagonals\s+(?:does|do|are\s+(?:there\s+)?in|in)\s+(?:a|an)\s+(?:convex\s+)?(?:regular\s+)?{_POLYGON}"
     rf"(?:\s+have)?{_END}", _diagonals, "counting"),
    (rf"\b(?:the\s+)?probability\s+of\s+{_DIE_EVENTS}\s+(?:on|with)\s+{_ONE_DIE}(?:\s+(?:roll|rolled))?{_END}", _die,
     "probability"),
    (rf"\b{_ONE_DIE}\s+is\s+(?:rolled|thrown)(?:\s+once)?\s*[.,]?\s*(?:what\s+is\s+|find\s+)?the\s+probability\s+of\s+"
     rf"{_DIE_EVENTS}{_END}", _die, "probability"),
    (rf"\b(?:the\s+)?probability\s+of\s+(?:drawing|picking|getting|choosing|pulling)\s+{_CARD_EVENTS}\s+(?:from|out\s+of)\s+"
     rf"{_DECK}{_END}", _card, "probability"),
    (rf"\b(?:(?:a|one|1)\s+card\s+is\s+(?:drawn|picked|chosen|selected|pulled)|(?:[a-z]+\s+)?(?:picks|draws)\s+(?:a|one|1)\s+"
     rf"card)\s+(?:at\s+random\s+)?from\s+{_DECK}(?:\s+at\s+random)?\s*[.,]?\s*(?:what\s+is\s+|find\s+)?the\s+probability\s+that\s+"
     rf"(?:it|the\s+card)\s+is\s+{_CARD_EVENTS}{_END}", _card, "probability"),
    (rf"\b(?:a|one|1)\s+fair\s+{_DIE_SIDES}die(?:\s+with\s+faces\s+"
     rf"(?:numbered\s+)?1\s+(?:to|through)\s+(?P<faces_to>\d{{1,3}}))?\s+is\s+(?:rolled|thrown|tossed)\s+(?P<rolls>\d{{1,3}})\s+times"
     rf"\s*[.,]?\s*(?:what\s+is\s+)?the\s+probability\s+that\s+at\s+least\s+(?:one|1)\s+(?:roll|of\s+the\s+rolls)\s+is\s+"
     rf"an?\s+(?P<face>\d{{1,3}}){_END}", _at_least_one, "probability"),
    (rf"\b(?:if\s+(?:you|i|we)\s+)?roll\s+a\s+(?:fair\s+)?{_DIE_SIDES}die\s+"
     rf"(?P<rolls>\d{{1,3}})\s+times\s*[.,]?\s*(?:(?:what\s+is|whats)\s+)?(?:the\s+)?probability\s+(?:of\s+(?:getting\s+|rolling\s+)?|that\s+"
     rf"(?:you\s+get\s+)?)at\s+least\s+(?:one|1)\s+(?P<face>\d{{1,3}})(?P<faces_to>){_END}", _at_least_one, "probability"),
    (rf"\b(?:the\s+)?expected\s+value\s+(?:of\s+(?:a|one|1|the)\s+(?:single\s+)?roll\s+of|(?:when|if)\s+(?:you|i|we)\s+roll|when\s+rolling)\s+"
     rf"(?:a|one|1)\s+(?:fair\s+|normal\s+|regular\s+)*{_DIE_SIDES}die{_END}", _expected_roll, "probability"),
    (rf"\b(?:a|one|1)\s+fair\s+(?P<sides>\d{{1,2}})\s*-\s*sided\s+die\s+is\s+rolled\s+once\s*[.,]?\s*the\s+game\s+pays\s+"
     rf"(?P<pays>{SIGNED_NUMBER}\s+on\s+an?\s+\d+(?:\s*,\s*(?:and\s+)?{SIGNED_NUMBER}\s+on\s+an?\s+\d+)*)\s+dollars\s*[.,]?\s*"
     rf"(?:what\s+is\s+)?the\s+expected\s+(?:payout|value|winnings)(?:\s*,?\s*in\s+dollars)?{_END}", _expected_payout,
     "probability"),
    (rf"\b(?:in\s+)?how\s+many\s+(?:different\s+)?ways\s+can\s+(?P<n>\d{{1,3}})\s+[a-z]+\s+(?:sit|be\s+seated|be\s+arranged|"
     rf"stand)\s+around\s+(?:a|the)\s+(?:round\s+|circular\s+)?[a-z]+\s*(?:,?\s*if\s+(?:two\s+|2\s+)?seatings\s+that\s+are\s+"
     rf"rotations\s+of\s+each\s+other\s+are\s+(?:the\s+same|considered\s+the\s+same|identical)|\s*[.,?]?\s*rotations\s+"
     rf"of\s+a\s+seating\s+count\s+as\s+the\s+same){_END}", _circular, "counting"),
    (rf"\b(?:a|the)\s+(?:[a-z]+\s+)?(?:club|class|group|team|department)\s+has\s+(?P<pool1>\d{{1,3}})\s+(?P<group1>men|boys|"
     rf"women|girls)\s+and\s+(?P<pool2>\d{{1,3}})\s+(?P<group2>men|boys|women|girls)\s*[.,]?\s*(?:in\s+)?how\s+many\s+ways\s+"
     rf"can\s+(?:a|the)\s+committee\s+of\s+(?P<k1>\d{{1,3}})\s+(?P<chosen1>men|boys|women|girls)\s+and\s+(?P<k2>\d{{1,3}})\s+"
     rf"(?P<chosen2>men|boys|women|girls)\s+be\s+(?:chosen|selected|formed|picked){_END}", _committee, "counting"),
    (rf"\bhow\s+many\s+(?P<k>\d)\s*-\s*digit\s+(?:positive\s+)?(?:integers|numbers)\s+(?:are\s+there\s+)?(?:(?P<kind>all\s+of\s+whose"
     rf"\s+digits\s+are\s+(?:even|odd)|whose\s+digits\s+are\s+all\s+(?:even|odd|different)|have\s+(?:all\s+)?(?:even|odd|"
     rf"different)\s+digits|have\s+digits\s+that\s+strictly\s+(?:increase|decrease)\s+from\s+left\s+to\s+right)|have\s+at\s+least"
     rf"\s+(?:one|1)\s+digit\s+equal\s+to\s+(?P<digit>\d)){_END}", _digit_strings, "counting"),
    (_BAG, _bag, "probability"),
    (_THERE_BAG, _bag, "probability"),
    # angles
    (rf"\b(?:the\s+)?sum\s+of\s+(?:the\s+)?(?:measures\s+of\s+(?:the\s+)?)?{_ANGLES_OF_POLYGON}(?:\s*,?\s*in\s+degrees)?{_END}",
     _angle_sum, "angles"),
    (rf"\bwhat\s+do\s+(?:all\s+)?the\s+{_ANGLES_OF_POLYGON}\s+add\s+up\s+to(?:\s*\(?\s*in\s+degrees\s*\)?)?{_END}", _angle_sum,
     "angles"),
    (rf"\bhow\s+many\s+degrees\s+(?:are\s+)?(?:there\s+)?in\s+(?:each|one|an|every)\s+{_REGULAR_ANGLE}{_END}", _regular_angle,
     "angles"),
    (rf"\b(?:the\s+)?(?:measure\s*,?\s*(?:in\s+degrees\s*,?\s*)?of\s+)?(?:(?:each|one|an|every|the)\s+)?{_REGULAR_ANGLE}"
     rf"(?:\s+(?:measures|is)\s+how\s+many\s+degrees|\s*,?\s*in\s+degrees)?{_END}", _regular_angle, "angles"),
    (rf"\b(?:(?:a\s+)?triangle\s+has\s+(?:(?:two|2)\s+)?angles\s+(?:of|measuring)|(?:the\s+)?(?:two|2)\s+angles\s+(?:of|in)\s+a\s+"
     rf"triangle\s+(?:are|measure))\s+({SIGNED_NUMBER}){_DEGREES}?\s+and\s+({SIGNED_NUMBER}){_DEGREES}?\s*[.,]?\s*(?:what\s+is\s+|"
     rf"find\s+|how\s+many\s+degrees\s+is\s+)?(?:the\s+)?(?:measure\s+of\s+the\s+)?(?:third|other|remaining|last)\s+angle"
     rf"(?:\s*,?\s*in\s+degrees)?{_END}", _third_angle, "angles"),
    (rf"\b(?:the\s+)?(complement|supplement)\s+of\s+(?:a\s+|an\s+|the\s+)?({SIGNED_NUMBER}){_DEGREES}?(?:\s+angle)?{_END}",
     _complement, "angles"),
    (rf"\b(?:the\s+)?area\s+of\s+(?:the|a)\s+triangle\s+(?:with|whose)\s+vertices\s+(?:are\s+)?(?:at\s+)?{_POINT}\s*,?\s*(?:and\s+)?"
     rf"{_POINT}\s*,?\s*(?:and\s+)?{_POINT}{_END}", _triangle_area, "geometry"),
    (rf"\b(?:the\s+)?(?:multiplicative\s+)?inverse\s+of\s+(\d{{1,9}})\s+(?:modulo|mod)\s+(\d{{1,9}})(?:\s*,?\s*as\s+a\s+residue\s+"
     rf"from\s+0\s+to\s+(\d{{1,9}}))?{_END}", _modular_inverse, "mod"),
    # precalculus
    (rf"\b(?:(?:convert|change)\s+)?({SIGNED_NUMBER}){_DEGREES}\s+(?:to|into|in)\s+radians{_END}", _to_radians, "angles"),
    (rf"\b(?:convert\s+)?{_RADIANS}\s*(?:radians?\s+)?(?:to|into|in)\s+degrees{_END}", _to_degrees, "angles"),
    (rf"\b{_RADIANS}\s*radians?\s*=\s*how\s+many\s+degrees{_END}", _to_degrees, "angles"),
    (rf"\bhow\s+many\s+degrees\s+(?:is|are|in)\s+{_RADIANS}\s*(?:radians?)?{_END}", _to_degrees, "angles"),
    (rf"\b(?:the\s+)?(?:length|magnitude|norm)\s+of\s+(?:the\s+)?vector\s+{_VECTOR}{_END}", _length, "vectors"),
    (rf"\b(?:the\s+)?vector\s+(?:is\s+)?{_VECTOR}\s*[.,]?\s*(?:what\s+is|find)\s+its\s+(?:length|magnitude|norm){_END}", _length,
     "vectors"),
    (rf"\b[a-z]\s*=\s*{_VECTOR}\s*,?\s*(?:and\s+)?[a-z]\s*=\s*{_VECTOR}\s*[.,]?\s*(?:(?:what\s+is|find|compute)\s+(?:the\s+|their\s+)?)?"
     rf"(?:dot\s+product(?:\s+of\s+[a-z]\s+and\s+[a-z])?|[a-z]\s*(?:\\cdot|\*)\s*[a-z]){_END}", _dot, "vectors"),
    (rf"\bhow\s+long\s+is\s+the\s+vector\s+{_VECTOR}{_END}", _length, "vectors"),
    (rf"\b(?:the\s+)?dot\s+product\s+of\s+(?:the\s+vectors\s+)?{_VECTOR}\s+and\s+{_VECTOR}{_END}", _dot, "vectors"),
    (rf"(?<![\w)])(?:{_COMPONENTS}|{_COLUMN})\s*(?:\\cdot|\*)\s*(?:{_COMPONENTS}|{_COLUMN}){_END}", _dot, "vectors"),
    (rf"\b(?:the\s+)?period\s+of\s+(?:the\s+function\s+|the\s+graph\s+of\s+)?(?:y\s*=\s*|f\s*\(\s*x\s*\)\s*=\s*)?"
     rf"(?:{SIGNED_NUMBER}\s*)?\\(sin|cos|tan|sec|csc|cot)\s*\(\s*({SIGNED_NUMBER})?\s*x\s*\)(?:\s*,?\s*in\s+radians)?{_END}", _period, "period"),
    # money: prices in dollars, answered as a decimal (`money` in the engine)
    (rf"\bif\s+(\d{{1,4}})\s+([a-z]+)\s+costs?\s+{_AMOUNT}\s*,?\s*how\s+(?:many\s+dollars\s+(?:do|does|would|will)|much\s+"
     rf"(?:do|does|would|will|for|are|is))\s+(\d{{1,4}})\s+([a-z]+)(?:\s+cost)?(?:\s*,?\s*in\s+dollars)?(?:\s+at\s+the\s+same\s+"
     rf"(?:price|rate)(?:\s+per\s+[a-z]+)?)?{_END}",
     lambda m: _unit_price(m.group(3), m.group(1), m.group(2), m.group(4), m.group(5)), "money"),
    (rf"\b(\d{{1,4}})\s+([a-z]+)\s+costs?\s+{_AMOUNT}\s*[.,]?\s*(?:at\s+the\s+same\s+(?:price|rate)(?:\s+per\s+[a-z]+)?\s*,?\s*)?"
     rf"(?:what\s+would|how\s+much\s+(?:would|will|do|does))\s+(\d{{1,4}})\s+([a-z]+)\s+cost(?:\s*,?\s*in\s+dollars)?{_END}",
     lambda m: _unit_price(m.group(3), m.group(1), m.group(2), m.group(4), m.group(5)), "money"),
    (rf"\b[a-z]+\s+pays\s+{_AMOUNT}\s+for\s+(\d{{1,4}})\s+([a-z]+)\s*[.,]?\s*(?:at\s+the\s+same\s+(?:price|rate)\s*,?\s*)?"
     rf"(?:what\s+would|how\s+much\s+would)\s+(\d{{1,4}})\s+([a-z]+)\s+cost(?:\s*,?\s*in\s+dollars)?{_END}",
     lambda m: _unit_price(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)), "money"),
    (rf"\b(?:(?:a|an|the)\s+)?{_ITEM}\s+costs?\s+{_AMOUNT}\s*(?:,|and|but)?\s*(?:(?:it\s*'?\s*s|its|it\s+is|is)\s+)?(?:on\s+sale\s+"
     rf"(?:for|at)\s+)?{_PERCENT}\s+off(?:{_TAX})?{_PAY}{_END}",
     lambda m: _sale(m.group(1), m.group(2), m.group(3) or m.group(4)), "money"),
    (rf"\b(?:(?:a|an|the)\s+)?{_ITEM}\s+(?:is|are|costs?)\s+{_AMOUNT}\s*(?:,|and)?\s*(?:the\s+)?(?:sales\s+)?tax\s+is\s+{_PERCENT}"
     rf"\s*[.,]?\s*(?:(?:what\s+is|whats)\s+)?(?:the\s+)?total(?:\s+cost)?(?:\s+with\s+(?:the\s+)?tax)?{_END}",
     lambda m: sympy.Rational(m.group(1)) * (1 + sympy.Rational(m.group(2)) / 100), "money"),
    (rf"\b(?:a|an)\s+{_AMOUNT}\s+{_ITEM}\s+is\s+(?:on\s+sale\s+(?:for|at)\s+)?{_PERCENT}\s+off(?:{_TAX})?{_PAY}{_END}",
     lambda m: _sale(m.group(1), m.group(2), m.group(3) or m.group(4)), "money"),
    (rf"\b[a-z]+\s+buys\s+(?:a|an|the)\s+{_ITEM}\s+that\s+costs\s+{_AMOUNT}\s+at\s+{_PERCENT}\s+off(?:\s*,?\s*plus\s+{_PERCENT}"
     rf"\s+(?:sales\s+)?tax)?{_PAY}{_END}", lambda m: _sale(m.group(1), m.group(2), m.group(3)), "money"),
    # motion, proportion, percent forms, numbers with a sum
    (rf"\b{_MOVER}\s+{_MOVES}(?:\s+(?:her|his|their|a|the)\s+(?:bike|car|scooter|skateboard|horse))?\s+(?P<distance>"
     rf"{_QUANTITY[1:-1]})\s+(?P<distance_unit>{_DISTANCE[1:-1]})\s+in\s+(?P<time>{_QUANTITY[1:-1]})\s+(?P<time_unit>{_TIME[1:-4]})"
     rf"\b\s*[.,]?\s*(?:what\s+(?:is|was)\s+|whats\s+)?(?:its|the|their|his|her)\s+"
     rf"(?:average\s+)?speed(?:\s*,?\s*in\s+(?P<rate_unit>miles|kilometers|km|mph|kph|km/h)(?:\s+per\s+hour)?)?{_END}",
     _speed, "motion"),
    (rf"\b{_MOVER}\s+{_MOVES}\s+at\s+(?P<speed>{_QUANTITY[1:-1]})\s+{_PER_HOUR}\s+for\s+(?P<time>{_QUANTITY[1:-1]})\s+"
     rf"(?P<time_unit>{_TIME[1:-4]})\b\s*[.,]?\s*(?:how\s+many\s+(?:miles|kilometers|km)\s+(?:does|did|do)\s+(?:it|they|he|she|"
     rf"[a-z]+)\s+(?:travel|go|ride|drive|bike|walk|run|cover)|how\s+far\s+(?:does|did|do)\s+(?:it|they|he|she|[a-z]+)\s+"
     rf"(?:travel|go|ride|drive|bike|walk|run)(?:\s*,?\s*in\s+(?:miles|kilometers|km))?){_END}", _distance, "motion"),
    (rf"\bhow\s+many\s+(?P<time_unit>hours|minutes)\s+does\s+it\s+take\s+to\s+(?:travel|drive|go|walk|bike|ride|run)\s+"
     rf"(?P<distance>{_QUANTITY[1:-1]})\s+(?:miles|kilometers|km)\s+at\s+(?P<speed>{_QUANTITY[1:-1]})\s+{_PER_HOUR}{_END}",
     _duration, "motion"),
    (rf"\b(?:a|the)\s+recipe\s+(?:uses|needs|calls\s+for)\s+(?P<amount>{_QUANTITY[1:-1]})\s+(?P<amount_unit>cups?|tablespoons?|"
     rf"teaspoons?|grams?|eggs?|ounces?)\s+(?:of\s+)?(?P<stuff>[a-z]+)?\s*for\s+(?P<count>\d{{1,4}})\s+(?P<things>[a-z]+)\s*[.,]?\s*"
     rf"how\s+(?:many|much)\s+(?P<asked_unit>cups?|tablespoons?|teaspoons?|grams?|eggs?|ounces?)?\s*(?:of\s+)?(?:[a-z]+\s+)?"
     rf"(?:are|is|do\s+(?:you|i|we)|does\s+it)?\s*(?:needed|need)?\s*for\s+(?P<count2>\d{{1,4}})\s+(?P<things2>[a-z]+){_END}",
     _proportion, "proportion"),
    (rf"\b(?:write|convert|express|change)?\s*{_QUANTITY}\s+(?:as|to|into|in)\s+(?:a\s+)?percent(?:age)?{_END}", _as_percent,
     "as_percent"),
    (rf"\b(?:write|convert|express|change)?\s*({SIGNED_NUMBER})\s*(?:%|\s+percent)\s+(?:as|to|into|in)\s+a\s+decimal{_END}",
     lambda m: sympy.Rational(m.group(1)) / 100, "decimal"),
    (rf"\b(?:(?:a|the)\s+)?(?:price|cost|value|population|salary|rent|bill|score)(?:\s+of\s+(?:a|an|the|my)\s+{_ITEM})?\s+"
     rf"(?:changes|changed|went|goes|rose|fell|increased|decreased|dropped|grew)(?:\s+(?:up|down))?\s+from\s+{_AMOUNT}\s+to\s+"
     rf"{_AMOUNT}\s*[.,]?\s*(?:(?:(?:what\s+is|whats)\s+)?(?:the\s+)?percent(?:age)?\s+(?P<direction>increase|decrease|change)|by\s+"
     rf"what\s+percent(?:age)?\s+did\s+it\s+(?P<verb>increase|decrease|change|go\s+up|go\s+down|grow|shrink|rise|fall|drop))"
     rf"{_END}", lambda m: percent_change(m["direction"] or _DIRECTION[" ".join(m["verb"].lower().split())], m.group(1),
                                        m.group(2)), "percent"),
    (rf"\b(?:the\s+)?sum\s+of\s+(?P<n>\d{{1,4}})\s+consecutive\s+(?P<parity>even\s+|odd\s+)?(?:integers|numbers|whole\s+numbers)\s+"
     rf"is\s+(?P<total>-?\d{{1,9}})\s*[.,]?\s*(?:what\s+is\s+|find\s+)?(?:the\s+)?(?P<which>largest|smallest|biggest|bigger|"
     rf"larger|smaller|greatest|greater|least|first|last)(?:\s+(?:one|1|number|integer))?(?:\s+of\s+(?:these|them|the)"
     rf"(?:\s+(?:integers|numbers))?)?{_END}", _consecutive, "consecutive"),
    (rf"\b(?:the\s+)?sum\s+of\s+(?:two|2)\s+numbers\s+is\s+(?P<total>{_QUANTITY[1:-1]})\s*,?\s*and\s+their\s+difference\s+"
     rf"is\s+(?P<difference>{_QUANTITY[1:-1]})\s*[.,]?\s*(?:what\s+is\s+|find\s+)?(?:the\s+)?(?P<asked>(?:larger|smaller|bigger|"
     rf"lesser|greater)\s+(?:number|one|1)|their\s+product|"
     rf"product)(?:\s+of\s+the\s+(?:two\s+|2\s+)?numbers)?{_END}", _sum_difference, "numbers"),
    (rf"\b(?:the\s+)?(?:modulus|absolute\s+value|magnitude)\s+(?:\(\s*(?:absolute\s+value|modulus)\s*\)\s+)?of\s+(?:the\s+)?"
     rf"(?:complex\s+number\s+)?(-?\d+(?:\.\d+)?)\s*([+-])\s*(\d+(?:\.\d+)?)?\s*i\b{_END}",
     lambda m: sympy.radsimp(sympy.sqrt(sympy.Rational(m.group(1)) ** 2 + sympy.Rational(m.group(3) or 1) ** 2)), "complex"),
    (rf"\b(?:(?:the|our|my|a|your)\s+)?(?:dinner\s+|lunch\s+|restaurant\s+|breakfast\s+)?(?:bill|meal|check)\s+(?:was|is|came\s+"
     rf"to|comes\s+to)\s+{_AMOUNT}\s*(?:,|and)?\s*(?:(?:we|i|they|you|my\s+[a-z]+)\s+(?:wants?\s+to\s+|wanna\s+|will\s+|plans?\s+to\s+)?"
     rf"(?:leave|give|add)\s+)?(?:an?\s+)?{_PERCENT}\s+tip\s*[.,]?\s*(?:how\s+much\s+is\s+the\s+tip|what\s+is\s+the\s+tip(?:\s+amount)?|"
     rf"(?P<total>how\s+much\s+is\s+the\s+total|what\s+is\s+the\s+total|total\s+with\s+(?:the\s+)?tip))"
     rf"(?:\s*,?\s*in\s+dollars)?{_END}",
     lambda m: sympy.Rational(m.group(1)) * (sympy.Rational(m.group(2)) / 100 + (1 if m["total"] else 0)), "money"),
    (rf"\b(?:the\s+)?ratio\s+of\s+(?P<first>[a-z]+)\s+to\s+(?P<second>[a-z]+)\s+(?:in\s+(?:my|the|a|our)\s+[a-z]+\s+)?is\s+"
     rf"(?P<a>\d{{1,4}})\s*:\s*(?P<b>\d{{1,4}})\s*(?:,|and)?\s*(?:there\s*'?\s*s|theres|there\s+are|there\s+is)\s+(?P<total>\d{{1,6}})\s+"
     rf"[a-z]+(?:\s+(?:total|in\s+all|altogether))?\s*[.,]?\s*how\s+many\s+(?:are\s+)?(?P<asked>[a-z]+)(?:\s+are\s+there)?{_END}",
     ratio_part, "ratio"),
    # units
    (rf"\bhow\s+many\s+{_WANT}\s+(?:are\s+)?(?:there\s+)?in\s+(?:a\s+|an\s+)?(?P<amount>{SIGNED_NUMBER})?\s*{_HAVE}{_END}",
     _convert, "units"),
    (rf"\b(?:convert\s+)?(?P<amount>{SIGNED_NUMBER})\s+{_HAVE}\s+(?:to|into|in)\s+{_WANT}{_END}", _convert, "units"),
    (rf"\b(?:(?:a|an|the|my|our)\s+)?{_ITEM}\s+(?:lasts|takes|weighs|holds|is|measures|runs)\s+(?P<amount>{SIGNED_NUMBER})\s+"
     rf"{_HAVE}(?:\s+(?:long|tall|wide|high|deep))?\s*[.,]?\s*how\s+many\s+{_WANT}\s+(?:is\s+that|is\s+it|does\s+it\s+"
     rf"(?:last|take|weigh|hold))(?:\s+in\s+all)?{_END}", _convert, "units"),
]
