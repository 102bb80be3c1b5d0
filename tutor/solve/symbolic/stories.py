"""Short word problems told as a story: two buses that leave every 12 and 20 minutes, outfits from 8 shirts and
5 pairs of pants, 4-digit codes, two cards drawn from a deck, a spinner, a ladder against a wall, money earning
interest, a committee of 3 from 10 people. A story is read by its key phrases (the periods and the question;
the counts and what is counted; the code's length and whether symbols repeat); every other word must come
from the story's own small vocabulary (`Story.words`, the `_COMMON` words of any story, and names: a
capitalised word before one of them, `Jada deposits`), and the story holds no other number. A word outside
them ("but", "late", "except") leaves the problem unread, as in every other reader: what a story does not
say, it does not claim.

`REWRITES` (text level, inside `questions.rewrite`): each replaces a whole problem it reads with its answer,
and leaves any other problem as it was.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import sympy

from tutor.solve.symbolic.curriculum import all_drawn, ratio_part
from tutor.solve.symbolic.segments import IllPosed, NotReadable
from tutor.solve.symbolic.shapes import LENGTH_UNITS, unit_name

# Words any story may use around its key phrases: articles, pronouns, helpers, and the talk of a question.
_COMMON = frozenset(
    """a an the and of to in on at for with from by is are was were be been being it its it's they them their
    theyre they're he she his her i im i'm my me we our us you your u can could will would should do does did
    done so if then that this these those there theres there's what whats what's how many much find tell
    please pls plz just all total son sons daughter daughters kid kids child children mom dad teacher class
    school homework worksheet give answer as improper fraction ok okay mr mrs ms dr""".split()
)
_NO_NUMBER = re.compile(r"\d")


@dataclass(frozen=True)
class Story:
    """A story form: `pattern` matches the whole problem (after `reader.clean`'s respelling, before the other
    question forms), `value` computes the answer from the match, and the text outside the named key groups
    may hold only `words` and `_COMMON` words."""

    pattern: str
    words: frozenset[str]
    value: Callable[[re.Match], sympy.Expr]
    kind: str
    also: str = r"(?!)"  # phrases with numbers a story may hold besides its key groups (a clock time, `0-9`)

    def read(self, match: re.Match) -> str:
        told = re.sub(self.also, " ", _outside_key_groups(match), flags=re.I)
        if _NO_NUMBER.search(told):
            return match.group(0)  # another number in the story: not this form's
        known = self.words | _COMMON
        words = re.findall(r"[A-Za-z']+", told)
        unknown = [w for i, w in enumerate(words)
                   if w.lower().removesuffix("'s") not in known and not _name(w, words[i + 1 : i + 2], known)]
        if unknown:
            return match.group(0)  # left as it was: the other readers meet the same words
        return f" ({sympy.latex(self.value(match))}) "


_NOT_NAMES = frozenset("except unless but not only without however instead no none never each every".split())


def _name(word: str, following: list[str], known: frozenset[str]) -> bool:
    """`Jada deposits`, `Amy has`: a capitalised word before a word of the story is a name."""
    return (word[:1].isupper() and word[1:].islower() and word.lower() not in _NOT_NAMES
            and bool(following) and following[0].lower() in known)


def _outside_key_groups(match: re.Match) -> str:
    """The match's text with every group whose name starts with `k_` cut out."""
    spans = sorted(match.span(name) for name in match.re.groupindex if name.startswith("k_") and match.start(name) >= 0)
    text, at = [], match.start()
    for start, end in spans:
        if start >= at:
            text.append(match.string[at:start])
            at = end
    text.append(match.string[at : match.end()])
    return " ".join(text)


STORY_MAX = 600
# A story is short: a longer text is not tried (the lazy gaps between key phrases would take time on it).
_WHOLE = r"^(?=[\s\S]{{0," + str(STORY_MAX) + r"}}$)\s*{}\s*[?.!]*\s*$"
_UNIT = r"(?:seconds|minutes|hours|days|weeks|months|years)"

# ---- two things that repeat: when do they coincide again (the least common multiple) ----------------------

_CLOCK = r"(?:\d{1,2}\s*:\s*\d{2}(?:\s*(?:am|pm|a\.m\.|p\.m\.))?|\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.)|noon|midnight)"


def _together_again(m: re.Match) -> sympy.Expr:
    first_unit, second_unit, asked = (m[name].lower() if m[name] else None for name in ("k_unit1", "k_unit2", "k_asked"))
    if (first_unit or second_unit) != second_unit or (asked or second_unit) != second_unit:
        raise NotReadable("periods in different units, or an answer in another unit")
    a, b = int(m["k_a"]), int(m["k_b"])
    if a == 0 or b == 0:
        raise IllPosed("Something that repeats every 0 minutes never waits, so this has no answer.")
    return sympy.Integer(math.lcm(a, b))


_SCHEDULE = _WHOLE.format(
    rf".*?\bevery\s+(?P<k_a>\d{{1,5}})\s*(?P<k_unit1>{_UNIT})?\b.*?(?:\bevery\s+)?(?P<k_b>\d{{1,5}})\s*(?P<k_unit2>{_UNIT})\b"
    rf".*?(?:in\s+|after\s+)?how\s+(?:many\s+(?P<k_asked>{_UNIT})|long)\b.*?\b(?:again|next|together|same\s+time)\b.*?")
# `one bus`, `two bells`, `One gets back`: the number words `reader.clean` wrote as digits, not a duration.
_ONE_OR_TWO = r"\b[12]\s+(?!(?:second|minute|hour|day|week|month|year)s?\b)(?=[a-z])"
_SCHEDULE_WORDS = frozenset(
    """another other one first second both each bus buses train trains bell bells ring rings ringing rang light lights
    flash flashes flashing blink blinks blinking beep beeps beeping alarm alarms go goes going went off leave
    leaves leaving left depart departs departing arrive arrives arriving come comes back return returns get gets
    stop stops station terminal stations same time together again next until till will it be take takes just
    right now both also route line a b does do they'll theyll ll at in every""".split()
)

# ---- choices made one from each group: outfits, meals (the product rule) --------------------------------

_COUNTED = r"(?:pairs?\s+of\s+|kinds?\s+of\s+|types?\s+of\s+|flavou?rs?\s+of\s+|different\s+|choices\s+of\s+)?[a-z]+"
_CHOICE_NOUNS = r"(?:outfits|meals|lunches|dinners|breakfasts|combinations|combos|choices|sandwiches|pizzas|sundaes|cones|plates|menus|options)"


def _product_rule(m: re.Match) -> sympy.Expr:
    groups = re.sub(r"\b1\s+of\s+", " ", m["k_groups"], flags=re.I)
    counts = [int(n) for n in re.findall(rf"(\d{{1,4}})\s+{_COUNTED}", groups, flags=re.I)]
    if len(counts) < 2:
        raise NotReadable("one group of choices")
    named = re.findall(r"\b1\s+(?!of\s+each|from\s+each)[a-z]+", m["k_each"] or "", flags=re.I)
    if named and len(named) != len(counts):
        raise NotReadable("choices from only some of the groups")
    product = sympy.Integer(1)
    for count in counts:
        product *= count
    return product


_GROUP = rf"(?:1\s+of\s+)?\d{{1,4}}\s+{_COUNTED}"
_GROUPS = rf"(?P<k_groups>{_GROUP}(?:\s*,\s*(?:and\s+)?{_GROUP}|\s+and\s+{_GROUP}){{1,4}})"
_ONE_OF_EACH = r"(?:1\s+of\s+each|1\s+from\s+each(?:\s+(?:group|category))?|1\s+[a-z]+(?:\s+of\s+[a-z]+)?(?:\s*,\s*(?:and\s+)?|\s+and\s+)"
_ONE_OF_EACH += r"1\s+[a-z]+(?:\s+of\s+[a-z]+)?(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+)1\s+[a-z]+(?:\s+of\s+[a-z]+)?)*)"
_PRODUCT_RULE = [
    _WHOLE.format(rf".*?{_GROUPS}.*?\bhow\s+many\s+(?:different\s+|possible\s+|unique\s+|distinct\s+)*{_CHOICE_NOUNS}\b"
                  rf"(?P<k_each>(?:.*?\b{_ONE_OF_EACH})?).*?"),
    _WHOLE.format(rf".*?\bhow\s+many\s+(?:different\s+|possible\s+|unique\s+|distinct\s+)*{_CHOICE_NOUNS}\b.*?{_GROUPS}"
                  rf"(?P<k_each>(?:.*?\b{_ONE_OF_EACH})?).*?"),
]
_PRODUCT_WORDS = frozenset(
    """i have has had got gets get pick picks choose chooses select selects make makes put can could there
    menu cafe restaurant shop store school lunch dinner breakfast meal outfit outfits meals lunches dinners
    different possible unique distinct consists consist made each every item items one with choice choices
    wear wears wearing closet drawer owns own offers offer sells serves includes include if a an is are
    combination combinations options option be create creates up from counter together in""".split()
)

# ---- codes, pins and plates: letters and digits, with or without repeats --------------------------------

_REPEATS_ALLOWED = (r"(?P<k_allowed>(?:repeats|repetition|repetitions|repeating)\s+(?:are\s+|is\s+)?allowed|(?:digits|letters|numbers|"
                    r"symbols|characters)\s+(?:can|may)\s+(?:be\s+)?repeat(?:ed)?|(?:can|may)\s+(?:be\s+)?repeat(?:ed)?|with\s+repe"
                    r"(?:ats|tition)(?:\s+allowed)?)")
_NO_REPEATS = (r"(?P<k_forbidden>no\s+repeats?|no\s+(?:digit|letter|number)s?\s+(?:is\s+|are\s+|can\s+be\s+)?repeated|without\s+"
               r"(?:repetition|repeats|repeating)|(?:digits|letters|numbers)\s+(?:cannot|can\s*'?\s*t|can\s+not|may\s+not)\s+(?:be\s+)?"
               r"repeat(?:ed)?|all\s+different|(?:no|none)\s+(?:of\s+the\s+)?(?:digits|letters)\s+(?:repeat|repeated)|"
               r"(?:digits|letters)\s+(?:are\s+)?all\s+different)")
_CODE_SHAPE = (r"(?P<k_shape>(?:(?P<letters>\d)\s*-?\s*letters?(?:\s+(?:followed\s+by|then|and)\s+(?P<digits_after>\d)\s*-?\s*"
               r"digits?)?|(?P<digits>\d)\s*-?\s*digits?(?:\s+(?:followed\s+by|then|and)\s+(?P<letters_after>\d)\s*-?\s*letters?)?))")
_RANGES = r"\b0\s*(?:-|to|through|thru)\s*9\b|\ba\s*(?:-|to|through|thru)\s*z\b"
_CODES = _WHOLE.format(rf".*?{_CODE_SHAPE}.*?(?:{_REPEATS_ALLOWED}|{_NO_REPEATS}).*?")
_CODE_WORDS = frozenset(
    """code codes pin pins password passwords passcode passcodes lock locks combination combinations license licence
    plate plates number numbers possible different how many each digit digits letter letters can be is are has
    have use uses using make made you we i allowed if there from any followed then one character characters
    long of the with state new""".split()
)


def _codes(m: re.Match) -> sympy.Expr:
    letters = int(m["letters"] or m["letters_after"] or 0)
    digits = int(m["digits"] or m["digits_after"] or 0)
    if not 1 <= letters + digits <= 12:
        raise NotReadable("a code of no symbols, or of very many")
    if m["k_allowed"]:
        return sympy.Integer(26**letters * 10**digits)
    if letters > 26 or digits > 10:
        raise IllPosed("There are not enough different symbols for a code that long, so this has no answer.")
    return sympy.Integer(math.perm(26, letters) * math.perm(10, digits))


# ---- two cards from one deck ----------------------------------------------------------------------------

_CARD_KINDS = {"aces": 4, "kings": 4, "queens": 4, "jacks": 4, "hearts": 13, "spades": 13, "diamonds": 13, "clubs": 13,
               "red": 26, "black": 26, "face": 12}
_BOTH = (r"(?P<k_both>both\s+(?:cards\s+)?(?:are|r|will\s+be)\s+(?:an?\s+)?(?P<kind>aces|kings|queens|jacks|hearts|spades|diamonds|"
         r"clubs|red|black|face)(?:\s+cards)?|(?:they\s+are\s+|theyre\s+|they're\s+)?(?:both|2)\s+(?P<kind2>aces|kings|queens|jacks|"
         r"hearts|spades|diamonds|clubs|red\s+cards|black\s+cards|face\s+cards))")
_CARD_REPLACEMENT = (r"(?P<k_replacement>without\s+(?:replacement|replacing|putting\s+(?:the\s+first\s+(?:one\s+|1\s+|card\s+)?|it\s+)?"
                     r"back|returning\s+(?:the\s+first\s+(?:one\s+|1\s+|card\s+)?|it\s+)?)|with\s+replacement|no\s+replacement|"
                     r"(?:putting|put)\s+(?:the\s+first\s+(?:one\s+|1\s+|card\s+)?|it\s+)back(?:\s+in)?(?:\s+(?:before|between)\s+[a-z]+)?)")
_TWO_CARDS = _WHOLE.format(rf".*?(?P<k_draw>\b2\s+cards\b).*?{_CARD_REPLACEMENT}.*?{_BOTH}.*?")
_CARD_WORDS = frozenset(
    """cards card are is drawn drawing draw draws picked pick picks dealt deal chosen pulled pull taken take
    random at from standard regular normal ordinary shuffled well full deck of playing probability what whats
    the that both first one second p prob you i we if out after""".split()
)


def _two_cards(m: re.Match) -> sympy.Expr:
    kind = (m["kind"] or m["kind2"]).split()[0].lower()
    good = _CARD_KINDS[kind]
    replaced = not m["k_replacement"].lower().startswith(("without", "no "))
    if replaced:
        return sympy.Rational(good, 52) ** 2
    return sympy.Rational(good * (good - 1), 52 * 51)


# ---- a spinner of equal parts numbered 1 to n -------------------------------------------------------------

_SPINNER_EVENT = (r"(?:an?\s+)?(?:(?:even|odd|prime|composite)(?:\s+number)?|(?:number\s+)?(?:greater|more|bigger|larger|less|"
                  r"smaller|fewer)\s+than\s+\d{1,3}|\d{1,3})")
_SPINNER = _WHOLE.format(
    rf".*?\bspinner\b.*?(?P<k_parts>\b(?P<n>\d{{1,3}})\s+(?:equal|equally\s+sized|same\s+size|congruent)\s+(?:parts|sections|"
    rf"sectors|regions|spaces|slices|pieces)\b.*?\bnumbered\s+1\s*(?:-|to|through|thru)\s*(?P<top>\d{{1,3}})).*?(?:probability|"
    rf"\bp\b)\s*(?:\(|of|that|it|lands|landing|on|\s)*(?P<k_event>(?P<not>not\s+)?{_SPINNER_EVENT}(?:\s*,?\s*or\s+"
    rf"{_SPINNER_EVENT})*)\s*\)?.*?")
_SPINNER_WORDS = frozenset(
    """spinner has have with is are equal parts sections sectors regions numbered spin spins spinning spun land lands
    landing on it the a an what whats probability p that of once you i we if""".split()
)


def _spinner(m: re.Match) -> sympy.Expr:
    n = int(m["n"])
    if int(m["top"]) != n or n < 2:
        raise NotReadable("a spinner whose parts and numbers disagree")
    faces = set(range(1, n + 1))
    hits: set[int] = set()
    for event in re.findall(_SPINNER_EVENT, m["k_event"], flags=re.I):
        event = " ".join(event.lower().split()).removeprefix("a ").removeprefix("an ")
        number = re.search(r"\d+", event)
        if "even" in event:
            hits |= {f for f in faces if f % 2 == 0}
        elif "odd" in event:
            hits |= {f for f in faces if f % 2}
        elif "prime" in event:
            hits |= {f for f in faces if sympy.isprime(f)}
        elif "composite" in event:
            hits |= {f for f in faces if f > 1 and not sympy.isprime(f)}
        elif re.search(r"greater|more|bigger|larger", event):
            hits |= {f for f in faces if f > int(number.group())}
        elif re.search(r"less|smaller|fewer", event):
            hits |= {f for f in faces if f < int(number.group())}
        else:
            hits |= {int(number.group())} & faces
    if m["not"]:
        hits = faces - hits
    return sympy.Rational(len(hits), n)


# ---- a ladder against a wall (a right triangle: the ladder, the height it reaches, its foot's distance) -----

_LENGTH_UNIT = r"(?:\s*-?\s*(?P<{}>" + LENGTH_UNITS + r")\b)?"
_LADDER = (rf"(?P<k_ladder>\b(?P<ladder>\d{{1,4}}(?:\.\d+)?){_LENGTH_UNIT.format('u1')}\s+(?:long\s+|tall\s+)?ladder\b|\bladder\s+"
           rf"(?:that\s+is\s+|is\s+|of\s+length\s+)?(?P<ladder2>\d{{1,4}}(?:\.\d+)?){_LENGTH_UNIT.format('u2')}(?:\s+long)?)")
_FOOT = (rf"(?P<k_foot>\b(?P<foot>\d{{1,4}}(?:\.\d+)?){_LENGTH_UNIT.format('u3')}\s+(?:away\s+)?from\s+(?:the\s+)?(?:base\s+of\s+"
         rf"the\s+)?(?:wall|building|house))")
_HEIGHT = (rf"(?P<k_height>\b(?:reaches|reach|touches|is|sits|rests)\s+(?P<height>\d{{1,4}}(?:\.\d+)?){_LENGTH_UNIT.format('u4')}\s+"
           rf"(?:up|high)(?:\s+(?:on\s+)?(?:the|a)\s+(?:wall|building|house))?)")
_ASK_HEIGHT = r"(?P<k_ask_height>\bhow\s+(?:high|far\s+up)\b)"
_ASK_FOOT = r"(?P<k_ask_foot>\bhow\s+far\b(?!\s+up))"
_LADDERS = [
    _WHOLE.format(rf".*?{_LADDER}.*?{_FOOT}.*?{_ASK_HEIGHT}.*?"),
    _WHOLE.format(rf".*?{_LADDER}.*?{_HEIGHT}.*?{_ASK_FOOT}.*?"),
]
_LADDER_WORDS = frozenset(
    """ladder leans leaning leaned lean rests resting against wall building house the bottom foot base top of is
    placed stands standing up high far away from how does do it reach reaches its side ground on with be
    set sits""".split()
)


def _ladder(m: re.Match) -> sympy.Expr:
    units = {unit_name(u) for u in (m.group(name) for name in ("u1", "u2", "u3", "u4") if name in m.re.groupindex) if u}
    if len(units) > 1:
        raise NotReadable("lengths in different units")
    ladder = sympy.Rational(m["ladder"] or m["ladder2"])
    other = sympy.Rational(m.groupdict().get("foot") or m.groupdict().get("height"))
    if other >= ladder:
        raise IllPosed("The ladder is not longer than that side, so no such ladder can lean on the wall.")
    return sympy.sqrt(ladder**2 - other**2)


# ---- money in an account: simple interest, or interest compounded once a year ------------------------------

_MONEY = r"(?:dollars\s+)?(?P<{}>\d{{1,9}}(?:\.\d{{1,2}})?)(?:\s+dollars)?"
_RATE = r"(?P<rate>\d{1,2}(?:\.\d{1,3})?)\s*(?:%|percent)"
_YEARS = r"(?P<k_years>\b(?:in|after|for|over)\s+(?P<years>\d{1,2})\s+years?\b)"
_INTEREST = _WHOLE.format(
    rf".*?(?P<k_principal>(?:puts?|deposits?|deposited|invests?|invested|put|saves|has|have)\s+{_MONEY.format('principal')}|"
    rf"^\s*{_MONEY.format('principal2')})\b.*?(?P<k_rate>{_RATE}\s+(?:(?P<simple>simple)\s+)?(?:annual\s+|yearly\s+)?interest"
    rf"(?P<compound>\s*,?\s*compounded\s+(?:annually|yearly|once\s+a\s+year|every\s+year|each\s+year))?"
    rf"(?:\s+(?:per|a|each)\s+year|\s+annually|\s+yearly)?).*?(?P<k_ask>how\s+much\s+(?P<ask_interest>interest\s+)?|"
    rf"what\s+(?:is|will\s+be)\s+the\s+(?P<ask_balance>balance|total|amount)).*?{_YEARS}.*?")
_INTEREST_WORDS = frozenset(
    """we i you he she they puts put deposits deposit deposited invests invested saves in into an a the account
    bank savings that which pays earns earn earned gets get at interest money will be there have has how much
    does do did after what is balance total amount altogether grow grows""".split()
)


def _interest(m: re.Match) -> sympy.Expr:
    principal = sympy.Rational(m["principal"] or m["principal2"])
    rate, years = sympy.Rational(m["rate"]) / 100, int(m["years"])
    if m["simple"] and m["compound"] or not (m["simple"] or m["compound"]):
        raise NotReadable("interest not said to be simple or compounded once a year")
    total = principal * (1 + rate * years) if m["simple"] else principal * (1 + rate) ** years
    return total - principal if m["ask_interest"] else total


# ---- choosing k of n where order does not matter: committees, toppings -----------------------------------

_CHOOSE_GROUP = (r"(?P<k_chosen>\b(?P<k>\d{1,3})\s*-?\s*(?:person|people|member|student|player|kid|topping|book|flavou?r|card|"
                 r"scoop)s?\s+(?:committees?|teams?|groups?|pizzas?|sundaes?|cones?|sets?|hands?|bowls?)\b)")
_POOL = (r"(?P<k_pool>\b(?P<n>\d{1,3})\s+(?:people|persons|students|members|kids|players|toppings|books|flavou?rs|friends|"
         r"employees|workers|candidates|teachers|girls|boys|cards)\b)")
_CHOOSE_STORY = [
    _WHOLE.format(rf".*?{_POOL}.*?{_CHOOSE_GROUP}.*?"),
    _WHOLE.format(rf".*?{_CHOOSE_GROUP}.*?{_POOL}.*?"),
]
_CHOOSE_WORDS = frozenset(
    """need needs pick picks choose chooses select selects form forms make makes made be can could possible
    different number ways how many a an the of from out there are is has have place shop pizza parlor club
    committee committees team teams group groups pizza pizzas sundae sundaes among with offers on menu
    different unique distinct chosen picked selected formed""".split()
)


def _choose_story(m: re.Match) -> sympy.Expr:
    n, k = int(m["n"]), int(m["k"])
    if k > n:
        raise IllPosed("There are fewer to choose from than are chosen, so this has no answer.")
    return sympy.binomial(n, k)


# ---- a rate kept: 3 cups for 24 cookies, so how many cups for 40 (a proportion) ----------------------------

_QUANTITY = r"\d{1,6}(?:\.\d+)?(?:\s+\d{1,3}\s*/\s*\d{1,3})?|\d{1,3}\s*/\s*\d{1,3}"
_UNIT_NOUN = r"[a-z]{3,}"
_PAIR = (rf"(?P<k_pair>(?P<a>{_QUANTITY})\s+(?P<unit_a>{_UNIT_NOUN})(?:\s+of\s+(?P<stuff>{_UNIT_NOUN}))?\s+(?:for|to\s+(?:make|bake|"
         rf"cook|go|drive|travel|feed|serve)|on|makes?|per|in|feeds?|serves?)\s+(?P<b>{_QUANTITY})\s+(?P<unit_b>{_UNIT_NOUN}))\b")
_THIRD = rf"(?P<k_third>(?P<c>{_QUANTITY})\s+(?P<unit_c>{_UNIT_NOUN}))\b"
_ASKED = rf"(?P<k_asked>how\s+(?:many|much)\s+(?P<asked>{_UNIT_NOUN})(?:\s+of\s+(?P<asked_stuff>{_UNIT_NOUN}))?)\b"
_PROPORTIONS = [
    _WHOLE.format(rf".*?{_PAIR}.*?{_THIRD}.*?{_ASKED}.*?"),
    _WHOLE.format(rf".*?{_PAIR}.*?{_ASKED}.*?{_THIRD}.*?"),
]
_PROPORTION_WORDS = frozenset(
    """recipe recipes uses use used using calls call needs need needed makes make making made bake baking baked cook
    for to of a an the car truck goes go went drives drive drove travels travel traveled would will it she he they
    want wants wanted on at same rate if so how many much do does did i we you her his their class party batch
    batches takes take with be get gets cookie cookies that this is are can could should""".split()
)


def _singular(noun: str) -> str:
    noun = noun.lower()
    if noun.endswith("ies"):
        return noun[:-3] + "y"
    return noun[:-1] if noun.endswith("s") and not noun.endswith("ss") else noun


def _quantity(text: str) -> sympy.Rational:
    whole_and_part = re.fullmatch(r"(\d+)\s+(\d+)\s*/\s*(\d+)", text.strip())
    if whole_and_part:
        return sympy.Integer(whole_and_part[1]) + sympy.Rational(int(whole_and_part[2]), int(whole_and_part[3]))
    return sympy.Rational(re.sub(r"\s+", "", text))


def _proportion(m: re.Match) -> sympy.Expr:
    a, b, c = _quantity(m["a"]), _quantity(m["b"]), _quantity(m["c"])
    unit_a, unit_b, unit_c = _singular(m["unit_a"]), _singular(m["unit_b"]), _singular(m["unit_c"])
    asked = {_singular(m["asked"])} | ({_singular(m["asked_stuff"])} if m["asked_stuff"] else set())
    names_a = {unit_a} | ({_singular(m["stuff"])} if m["stuff"] else set())
    if unit_a == unit_b or 0 in (a, b):
        raise NotReadable("a rate of one unit to itself, or of nothing")
    if unit_c == unit_b and asked <= names_a:
        return a / b * c
    if unit_c == unit_a and asked == {unit_b}:
        return b / a * c
    raise NotReadable("the quantity asked is not the one the rate gives")


# ---- test scores: their mean (median, ...), or the score missing from a known average -----------------------

_SCORES = r"(?P<k_list>\d{1,3}(?:\.\d+)?(?:\s*,\s*(?:and\s+)?\d{1,3}(?:\.\d+)?|\s+and\s+\d{1,3}(?:\.\d+)?){1,30})"
_SCORE_STATISTICS = [
    _WHOLE.format(rf".*?\b(?:scores|grades|marks|points)\b.*?{_SCORES}.*?(?P<k_asked>(?:what\s+is|whats|find)\s+(?:my|the|his|her|their)\s+"
                  rf"(?P<statistic>average|mean|median|mode|range)(?:\s*\(\s*(?:mean|average)\s*\))?(?:\s+(?:test\s+)?(?:score|grade|mark))?)"
                  rf".*?"),
]
_MISSING_SCORE = _WHOLE.format(
    rf".*?(?P<k_average>average\s+(?:on|of|for|over)\s+(?P<n>\d{{1,2}})\s+(?:tests|quizzes|exams|games)\s+(?:is|was)\s+(?P<mean>\d{{1,3}}"
    rf"(?:\.\d+)?))\b.*?{_SCORES}\s+on\s+(?P<k_some>(?P<known>\d{{1,2}})\s+of\s+them|the\s+first\s+(?P<known2>\d{{1,2}})(?:\s+(?:tests|"
    rf"quizzes|exams|games))?)\b.*?(?P<k_asked>\b(?:what\s+did\s+(?:i|he|she|they|you)\s+(?:get|score)|what\s+(?:was|is)\s+(?:my|the|"
    rf"his|her)\s+score)\s+on\s+the\s+(?:other|last|remaining|missing|fourth|fifth)(?:\s+(?:1|test|quiz|exam|game))?)\b.*?")
_SCORE_WORDS = frozenset(
    """my his her their test tests quiz quizzes exam exams scores score grades grade marks mark points this
    semester year term were are was of on i got get had he she they what is average mean the in class math
    science english so far did one other""".split()
)


def _score_statistic(m: re.Match) -> sympy.Expr:
    from tutor.solve.symbolic.questions import statistic  # the one definition of each statistic

    return statistic(m["statistic"].lower(), [sympy.Rational(v) for v in re.findall(r"\d+(?:\.\d+)?", m["k_list"])])


def _missing_score(m: re.Match) -> sympy.Expr:
    scores = [sympy.Rational(v) for v in re.findall(r"\d+(?:\.\d+)?", m["k_list"])]
    count, known = int(m["n"]), int(m["known"] or m["known2"])
    if known != len(scores) or count != known + 1:
        raise NotReadable("scores that do not add up to the tests counted")
    return count * sympy.Rational(m["mean"]) - sum(scores)


# ---- a price, a discount and a tax: the sale price, the total, the savings ---------------------------------

_PRICE = r"(?P<k_price>(?:dollars\s+)?(?P<price>\d{1,7}(?:\.\d{1,2})?)(?:\s+(?:dollars|bucks))?)"
_OFF = r"(?P<k_off>(?P<off>\d{1,3}(?:\.\d+)?)\s*(?:%|percent)\s+off|(?:a\s+)?discount\s+of\s+(?P<off2>\d{1,3}(?:\.\d+)?)\s*(?:%|percent))"
_TAX_RATE = (r"(?P<k_tax>(?P<tax>\d{1,2}(?:\.\d+)?)\s*(?:%|percent)\s+(?:sales\s+)?tax|(?:sales\s+)?tax\s+(?:where\s+i\s+live\s+)?(?:is|of|rate\s+is)"
             r"\s+(?P<tax2>\d{1,2}(?:\.\d+)?)\s*(?:%|percent))(?:\s+(?:is\s+)?(?:added\s+)?(?:on|to)\s+the\s+sale\s+price)?")
_PRICE_ASK = (r"(?P<k_ask>(?P<ask_sale>sale\s+price(?:\s+before\s+tax)?|price\s+after\s+the\s+discount|new\s+price|discounted\s+price)|"
              r"(?P<ask_saved>how\s+much\s+(?:money\s+)?(?:do|did|does|will|would)\s+(?:i|you|we|he|she|they)\s+save|the\s+discount(?:\s+amount)?|"
              r"amount\s+saved)|(?P<ask_tax>how\s+much\s+(?:is\s+the\s+)?tax)|(?P<ask_total>total(?:\s+(?:cost|price))?(?:\s+with\s+(?:the\s+)?tax)?|"
              r"what\s+do\s+(?:i|you|we)\s+(?:actually\s+|really\s+)?pay|how\s+much\s+(?:do|does|will|would)\s+(?:i|you|we|he|she|it|they)\s+"
              r"(?:actually\s+|really\s+)?(?:pay|cost)|final\s+(?:price|cost)))")
_NEAREST_CENT = r"(?P<k_round>\(?\s*round(?:ed)?\s+to\s+the\s+nearest\s+(?:cent|penny|hundredth)\s*\)?)"
_PRICE_STORIES = [
    _WHOLE.format(rf".*?{_PRICE}\b.*?{_OFF}.*?(?:{_TAX_RATE}.*?)?{_PRICE_ASK}.*?(?:{_NEAREST_CENT}.*?)?"),
    _WHOLE.format(rf".*?{_PRICE}\b.*?{_TAX_RATE}.*?{_PRICE_ASK}.*?(?:{_NEAREST_CENT}.*?)?"),
]
_PRICE_WORDS = frozenset(
    """a an the jacket shirt shoes pants jeans dress hat game video toy book bike phone laptop tv coat sweater
    backpack item costs cost costing is was are priced price marked regular original sale on its it's and
    but then plus with after before off what is whats how much do i you pay actually really will be total
    sales where live store at in my of for the with there theres there's tax""".split()
)


def _price_story(m: re.Match) -> sympy.Expr:
    price = sympy.Rational(m["price"])
    off = sympy.Rational(m.groupdict().get("off") or m.groupdict().get("off2") or 0) / 100
    tax = sympy.Rational(m["tax"] or m["tax2"] or 0) / 100
    if off > 1:
        raise IllPosed("A discount of more than 100% has no meaning here, so this has no answer.")
    sale = price * (1 - off)
    if m["ask_sale"]:
        value = sale
    elif m["ask_saved"]:
        value = price * off
    elif m["ask_tax"]:
        value = sale * tax
    else:
        value = sale * (1 + tax)
    if m["ask_sale"] and tax and "before" not in m["k_ask"].lower():
        raise NotReadable("a sale price asked with a tax given: before or after the tax?")
    if m["k_round"]:
        value = sympy.floor(value * 100 + sympy.Rational(1, 2)) / 100
    return value


# ---- a total split in a ratio ---------------------------------------------------------------------------------

_RATIO = (r"(?P<k_ratio>\bratio\s+of\s+(?P<first>[a-z]+)\s+to\s+(?P<second>[a-z]+)\s+(?:is|was)\s+(?P<a>\d{1,4})\s*(?::|to)\s*"
          r"(?P<b>\d{1,4}))\b")
_TOTAL = (r"(?P<k_total>\b(?P<total>\d{1,6})\s+(?:students|kids|children|people|members|animals|pets|players|people|marbles|"
          r"candies|coins|cars|books|fish|birds|dogs|cats)\b(?:\s+(?:in\s+all|total|altogether|in\s+total))?)")
_RATIO_ASK = r"(?P<k_ask>\bhow\s+many\s+(?:are\s+)?(?P<asked>[a-z]+))\b"
_RATIO_STORIES = [_WHOLE.format(rf".*?{_RATIO}.*?{_TOTAL}.*?{_RATIO_ASK}.*?"),
                  _WHOLE.format(rf".*?{_TOTAL}.*?{_RATIO}.*?{_RATIO_ASK}.*?")]
_RATIO_WORDS = frozenset(
    """in the class classroom school club team group room my his her our there are is were was a an and of
    total all altogether how many in are there theres there's ms mr mrs dr""".split()
)


# ---- drawing from groups: marbles by colour, students by kind (one draw, or several with or without return) ---

_GROUP_NAME = r"(?:red|blue|green|yellow|white|black|orange|purple|pink|brown|gray|grey|boys|girls|men|women|dogs|cats|apples|oranges)"
_GROUP_COUNT = rf"\d{{1,4}}\s+{_GROUP_NAME}\b(?:\s+(?:marbles?|balls?|candies|candy|chips?|socks?|beads?|cubes?|blocks?|tokens?|pens?|"
_GROUP_COUNT += r"pencils?|jelly\s+beans?|cards?|tiles?|gumballs?|shirts?))?"
_GROUPS_HELD = rf"(?P<k_groups>{_GROUP_COUNT}(?:\s*,\s*(?:and\s+)?{_GROUP_COUNT}|\s+and\s+{_GROUP_COUNT}|\s+{_GROUP_COUNT}){{1,5}})"
_DRAWS = (r"(?P<k_draws>\b(?:draw|draws|drawn|drawing|pick|picks|picked|picking|pull|pulls|pulled|take|takes|taken|grab|grabs|grabbed|"
          r"choose|chooses|chosen|select|selects|selected)\s+(?:out\s+)?(?P<k>[23])\b(?:\s+(?:marbles|balls|of\s+them|at\s+random|"
          r"students|people))?|(?P<k2>[23])\s+(?:marbles|balls|students|people|of\s+them)\s+are\s+(?:drawn|picked|chosen|selected|pulled))")
_RETURN = (r"(?P<k_return>(?:with(?:out)?|no)\s+replac(?:ement|ing)|without\s+(?:putting|returning)\s+(?:it|them|the\s+first(?:\s+(?:1|one|marble"
           r"|ball))?)\s+back|(?:and\s+)?(?:putting|puts|put)\s+(?:it|each|them|the\s+first(?:\s+(?:1|one))?)\s+back(?:\s+(?:each\s+time|"
           r"in\s+between|before\s+the\s+next))?|without\s+putting\s+back|not\s+put\s+back)")
_ASK_GROUP = (rf"(?P<k_ask>(?:probability|\bp\b)\s*\(?\s*(?:that\s+)?(?:(?:it|its|it's|it\s+is|they|theyre|they're|they\s+are|both|all|"
              rf"the\s+(?:marble|ball|student|person|one)(?:\s+(?:picked|drawn|chosen))?)\s+)*(?:is\s+|are\s+|will\s+be\s+)?"
              rf"(?:(?:both|all)\s+(?:of\s+them\s+)?(?:are\s+)?)?(?:an?\s+)?(?P<asked>{_GROUP_NAME[3:-1]}|boy|girl|man|woman|dog|cat|"
              rf"apple|orange)s?\b(?:\s+(?:marbles?|balls?|ones?))?\s*\)?)")
_DRAW_STORIES = [
    _WHOLE.format(rf".*?{_GROUPS_HELD}.*?{_DRAWS}.*?{_RETURN}.*?{_ASK_GROUP}.*?"),
    _WHOLE.format(rf".*?{_GROUPS_HELD}.*?{_RETURN}.*?{_DRAWS}.*?{_ASK_GROUP}.*?"),
    _WHOLE.format(rf".*?{_GROUPS_HELD}.*?{_ASK_GROUP}.*?"),  # one draw: no draw count, no return
]
_DRAW_WORDS = frozenset(
    """bag bags jar jars box boxes urn drawer cup bowl has have had with contains contain holds hold there are is in
    a an the of marbles marble balls ball candies candy chips socks beads cubes blocks tokens pens pencils cards
    tiles gumballs one 1 at random without looking reaches reach grabs grab picks pick pulls pull draws draw takes
    take chooses choose selects select what whats probability that it its it's is class classroom group team
    club room student students person people kid kids picked drawn chosen selected pulled taken grabbed if i you
    we he she they my her his first then out of from""".split()
)


def _draw_story(m: re.Match) -> sympy.Expr:
    counts: dict[str, int] = {}
    for count, name in re.findall(rf"(\d{{1,4}})\s+({_GROUP_NAME})", m["k_groups"], flags=re.I):
        name = _singular(name.replace("grey", "gray"))
        if name in counts:
            raise NotReadable("a group named twice")
        counts[name] = int(count)
    asked = _singular(m["asked"].lower().replace("grey", "gray"))
    if asked not in counts:
        raise NotReadable("a group the story does not hold")
    total, good = sum(counts.values()), counts[asked]
    if total == 0:
        raise IllPosed("Nothing to draw from, so this has no answer.")
    draws = int(m.groupdict().get("k") or m.groupdict().get("k2") or 1)
    if draws == 1:
        if m.groupdict().get("k_return"):
            raise NotReadable("a return told of a single draw")
        return sympy.Rational(good, total)
    returned = not re.match(r"with(?:out)?\s+replac|without|no\s+replac|not\s+put", m["k_return"].lower()) or \
        m["k_return"].lower().startswith("with ")
    if not re.search(r"\b(?:both|all|they|theyre|they're)\b", m["k_ask"].lower()):
        raise NotReadable("several draws and a question about one of them")
    return all_drawn(good, total, draws, returned)


# ---- coins flipped n times ------------------------------------------------------------------------------------

_FLIPS = (r"(?P<k_flips>\b(?:flip|flips|flipped|flipping|toss|tosses|tossed|tossing)\s+(?:a\s+)?(?:fair\s+)?coin\s+(?P<n>\d{1,2})\s+times|"
          r"\b(?P<n2>\d{1,2})\s+(?:fair\s+)?coins?\s+(?:are\s+)?(?:flipped|tossed)|\b(?:flip|toss)\s+(?P<n3>\d{1,2})\s+(?:fair\s+)?coins|"
          r"\bcoin\s+is\s+(?:flipped|tossed)\s+(?P<n4>\d{1,2})\s+times)")
_COIN_ASK = (r"(?P<k_ask>(?:probability|\bp\b)\s*\(?\s*(?:of\s+(?:getting\s+)?|(?:that\s+)?(?:you\s+get\s+|i\s+get\s+|it\s*'?\s*s\s+|its\s+|"
             r"it\s+(?:is|lands)\s+|they\s+are\s+|theyre\s+|all\s+are\s+))?(?:(?P<all>all\s+(?:heads|tails)|(?:heads|tails)\s+every\s+time|every\s+"
             r"(?:flip|toss)\s+(?:is\s+)?(?:heads|tails))|(?P<none>no\s+(?:heads|tails))|at\s+least\s+(?:1|one)\s+(?P<least>heads?|tails?)|"
             r"exactly\s+(?P<exactly>\d{1,2})\s+(?P<exact_side>heads|tails))\s*\)?)")
_COIN_STORIES = [_WHOLE.format(rf".*?{_FLIPS}.*?{_COIN_ASK}.*?")]
_COIN_WORDS = frozenset("if i you we a fair coin what is whats the probability that of getting get".split())


def _coin_story(m: re.Match) -> sympy.Expr:
    # the one rule of coin flips; imported here because questions imports this module
    from tutor.solve.symbolic.questions import coin_probability

    n = int(m["n"] or m["n2"] or m["n3"] or m["n4"])
    if m["all"] or m["none"]:  # all heads, or no tails: as many as flips of one side, or none of the other
        return coin_probability(n, "exactly", n if m["all"] else 0)
    if m["least"]:
        return coin_probability(n, "at least", 1)
    return coin_probability(n, "exactly", int(m["exactly"]))


# ---- people in order: a line, offices ---------------------------------------------------------------------------

_LINE_UP = (r"(?P<k_line>\b(?P<n>\d{1,2})\s+(?:people|persons|students|kids|friends|children|books|cars|runners|dogs)\s+(?:are\s+)?(?:standing|"
            r"stand|line\s+up|lined\s+up|sit|sitting|in)\s+(?:in\s+)?(?:a\s+)?(?:line|row)\b)")
_ORDERS_ASK = r"(?P<k_ask>\bhow\s+many\s+(?:different\s+)?(?:orders|ways|arrangements|orderings)\b)"
_ORDER_STORIES = [_WHOLE.format(rf".*?{_LINE_UP}.*?{_ORDERS_ASK}.*?"), _WHOLE.format(rf".*?{_ORDERS_ASK}.*?{_LINE_UP}.*?")]
_ORDER_WORDS = frozenset("how many different can they be in could there are is a the of to arrange arranged stand line up".split())


def _line_up(m: re.Match) -> sympy.Expr:
    return sympy.factorial(int(m["n"]))


# ---- identical groups using everything: the greatest number of groups is the gcd --------------------------

_CONTAINERS = r"(?:bracelets|necklaces|groups|teams|bags|baskets|packages|packs|kits|boxes|rows|bouquets|gift\s+bags|goody\s+bags|plates|trays)"
_ITEM_COUNTS = (r"(?P<k_counts>\d{1,6}\s+(?:[a-z]+\s+)?[a-z]+(?:\s*,\s*(?:and\s+)?\d{1,6}\s+(?:[a-z]+\s+)?[a-z]+|\s+and\s+\d{1,6}\s+"
                r"(?:[a-z]+\s+)?[a-z]+){1,3})")
_IDENTICAL = rf"(?P<k_identical>\b(?:identical|equal|the\s+same)\s+(?P<containers>{_CONTAINERS})\b)"
_GREATEST_GROUPS = (rf"(?P<k_ask>\b(?:greatest|largest|most|biggest|maximum)\s+number\s+of\s+(?P<asked>{_CONTAINERS})\b|how\s+many\s+"
                    rf"(?P<asked2>{_CONTAINERS})\s+at\s+most\b)")
_USE_ALL = (r"(?P<k_all>\b(?:using|use|uses)\s+(?:up\s+)?all\b|\b(?:with\s+)?(?:none|nothing|no\s+[a-z]+)\s+left(?:\s+over)?\b|"
            r"\bevery\s+[a-z]+\s+(?:is\s+)?used\b)")
# Without "using all" the greatest number of identical groups is not the gcd (leftovers allowed), so it is asked for.
_GCD_STORIES = [_WHOLE.format(rf".*?{_ITEM_COUNTS}.*?{_IDENTICAL}.*?{_USE_ALL}.*?{_GREATEST_GROUPS}.*?"),
                _WHOLE.format(rf".*?{_ITEM_COUNTS}.*?{_USE_ALL}.*?{_IDENTICAL}.*?{_GREATEST_GROUPS}.*?")]
_GCD_WORDS = frozenset(
    """has have had she he they i we wants want make makes making made using use uses all of the beads with none left
    over whats what is can could be and put puts into so that each gets get same number kind every no items""".split()
)


def _greatest_groups(m: re.Match) -> sympy.Expr:
    if _singular(m["containers"]) != _singular(m["asked"] or m["asked2"]):
        raise NotReadable("groups of one kind, and a question about another")
    counts = [int(n) for n in re.findall(r"\d{1,6}", m["k_counts"])]
    if 0 in counts:
        raise NotReadable("a count of zero")
    return sympy.Integer(math.gcd(*counts))


STORIES = [
    Story(_SCHEDULE, _SCHEDULE_WORDS, _together_again, "lcm", also=rf"{_CLOCK}|{_ONE_OR_TWO}"),
    *(Story(pattern, _PRODUCT_WORDS, _product_rule, "counting", also=r"\b1\s+(?:of|from)\s+each\b")
      for pattern in _PRODUCT_RULE),
    Story(_CODES, _CODE_WORDS, _codes, "counting", also=_RANGES),
    Story(_TWO_CARDS, _CARD_WORDS, _two_cards, "probability", also=r"\b52\s*-?\s*cards?\b"),
    Story(_SPINNER, _SPINNER_WORDS, _spinner, "probability"),
    *(Story(pattern, _LADDER_WORDS, _ladder, "pythagoras") for pattern in _LADDERS),
    Story(_INTEREST, _INTEREST_WORDS, _interest, "money"),
    *(Story(pattern, _CHOOSE_WORDS, _choose_story, "counting") for pattern in _CHOOSE_STORY),
    *(Story(pattern, _PROPORTION_WORDS, _proportion, "proportion") for pattern in _PROPORTIONS),
    *(Story(pattern, _SCORE_WORDS, _score_statistic, "statistics") for pattern in _SCORE_STATISTICS),
    Story(_MISSING_SCORE, _SCORE_WORDS, _missing_score, "statistics"),
    *(Story(pattern, _PRICE_WORDS, _price_story, "money") for pattern in _PRICE_STORIES),
    *(Story(pattern, _RATIO_WORDS, ratio_part, "ratio") for pattern in _RATIO_STORIES),
    *(Story(pattern, _DRAW_WORDS, _draw_story, "probability", also=r"\b1\b(?!\s*[\d/]|\.\d)") for pattern in _DRAW_STORIES),
    *(Story(pattern, _COIN_WORDS, _coin_story, "probability") for pattern in _COIN_STORIES),
    *(Story(pattern, _ORDER_WORDS, _line_up, "counting") for pattern in _ORDER_STORIES),
    *(Story(pattern, _GCD_WORDS, _greatest_groups, "gcd") for pattern in _GCD_STORIES),
]
REWRITES = [(story.pattern, story.read, story.kind) for story in STORIES]
WORDS = frozenset(_COMMON.union(*(story.words for story in STORIES)))  # for `spelling`: words a story reads
