"""Counting & probability templates: combinations, permutations, dice, marbles, arrangements, coins."""

from __future__ import annotations

import functools
import itertools
import math
import random
from fractions import Fraction

import sympy

from trainer.data.synth.base import FRAC, Draft, binom_tex, show, template, tex

SUBJECT = "Counting & Probability"
CDOT = " \\cdot "


# (what is chosen, what it is chosen from) for plain C(n, k) problems.
COMMITTEE_CONTEXTS = (
    ("a committee of ${k}$", "${n}$ people"),
    ("a team of ${k}$", "${n}$ players"),
    ("${k}$ books to take on a trip", "a shelf of ${n}$ different books"),
    ("${k}$ toppings for a pizza", "${n}$ available toppings"),
    ("${k}$ of the questions to answer", "${n}$ questions on an exam"),
)
COLORS = ("red", "blue", "green", "white", "black", "yellow")


def _falling(n: int, k: int) -> list[int]:
    return list(range(n, n - k, -1))


@template(SUBJECT)
def choose_committee(rng: random.Random, level: int) -> Draft:
    """C(n, k) written out as a falling product over k!; level >= 3 picks from two groups."""
    if level <= 2:
        n, k = rng.randint(5, 8 + 2 * level), rng.randint(2, 3 + level)
        k = min(k, n - 1)
        value = math.comb(n, k)
        chosen, pool = rng.choice(COMMITTEE_CONTEXTS)
        steps = [f"The order of the choices doesn't matter, so the count is $\\binom{{{n}}}{{{k}}}$.",
                 f"${binom_tex(n, k)}$."]
        return Draft(f"In how many ways can {chosen.format(k=k)} be chosen from {pool.format(n=n)}?", steps, str(value),
                     sympy.binomial(n, k))
    men, women = rng.randint(4, 4 + 2 * level), rng.randint(4, 4 + 2 * level)
    km, kw = rng.randint(2, 3 + (level >= 5)), rng.randint(2, 3 + (level >= 5))
    cm, cw = math.comb(men, km), math.comb(women, kw)
    steps = [f"The men can be chosen in ${binom_tex(men, km)}$ ways.",
             f"The women can be chosen in ${binom_tex(women, kw)}$ ways.",
             f"The choices are independent, so the total is ${cm} \\cdot {cw} = {cm * cw}$."]
    problem = (f"A club has ${men}$ men and ${women}$ women. In how many ways can a committee of ${km}$ men and "
               f"${kw}$ women be chosen?")
    return Draft(problem, steps, str(cm * cw), sympy.binomial(men, km) * sympy.binomial(women, kw))


@template(SUBJECT)
def officers_permutation(rng: random.Random, level: int) -> Draft:
    """Distinct offices filled from n members: n (n-1) ... (n-k+1)."""
    n, k = rng.randint(4 + level, 10 + 4 * level), rng.randint(2, 2 + (level + 1) // 2)
    offices = ["president", "vice-president", "secretary", "treasurer", "captain"][:k]
    factors = _falling(n, k)
    steps = [f"There are ${n}$ choices for {offices[0]}."]
    steps += [f"Then ${show(f'{n} - {i}', f)}$ choices remain for {office}."
              for i, (f, office) in enumerate(zip(factors[1:], offices[1:]), start=1)]
    steps.append(f"So there are ${CDOT.join(map(str, factors))} = {math.prod(factors)}$ ways.")
    group = rng.choice(("club", "committee", "student council", "chess club", "book club", "team"))
    problem = (f"A {group} has ${n}$ members. In how many ways can it choose a {', '.join(offices[:-1])} and "
               f"{offices[-1]} if no member holds more than one office?")
    return Draft(problem, steps, str(math.prod(factors)), sympy.ff(n, k))


@functools.cache
def _dice_sum_counts(sides: int, dice: int) -> list[sympy.Integer]:
    """Ways to roll each total, independently of the case counting: the coefficients of (x + ... + x^sides)^dice."""
    x = sympy.Symbol("x")
    return sympy.Poly(sum(x**f for f in range(1, sides + 1)) ** dice, x).all_coeffs()[::-1]


@template(SUBJECT)
def dice_sum_probability(rng: random.Random, level: int) -> Draft:
    """The probability that two (level >= 4: three) fair dice show a sum equal to, at least or at most T."""
    dice = 2 if level <= 3 else 3
    sides = 6 if level <= 2 else rng.choice((4, 6, 8))
    target = rng.randint(dice + 1, dice * sides - 1)
    relation = rng.choice(("is", "is at least", "is at most"))
    holds = {"is": lambda total: total == target, "is at least": lambda total: total >= target,
             "is at most": lambda total: total <= target}[relation]
    outcomes = sides**dice
    faces = range(1, sides + 1)
    steps = [f"There are ${sides}^{dice} = {outcomes}$ equally likely outcomes."]
    if dice == 2 and relation == "is":
        pairs = [(a, target - a) for a in faces if 1 <= target - a <= sides]
        steps += [f"The pairs with sum ${target}$ are " + ", ".join(f"$({a}, {b})$" for a, b in pairs) + ".",
                  f"That is ${len(pairs)}$ outcomes."]
        favourable = len(pairs)
    else:
        rest = "the other die" if dice == 2 else "the other two dice"
        counts = [sum(1 for roll in itertools.product(faces, repeat=dice - 1) if holds(a + sum(roll))) for a in faces]
        need = {"is": "sum to", "is at least": "sum to at least", "is at most": "sum to at most"}[relation]
        if dice == 2:
            need = {"is": "show", "is at least": "show at least", "is at most": "show at most"}[relation]
        for a, c in zip(faces, counts):
            if c == sides ** (dice - 1):
                steps.append(f"If the first die shows ${a}$, every roll of {rest} works: ${c}$ ways.")
            elif c == 0:
                steps.append(f"If the first die shows ${a}$, no roll of {rest} works: $0$ ways.")
            else:
                steps.append(f"If the first die shows ${a}$, {rest} must {need} ${show(f'{target} - {a}', target - a)}$: "
                             f"${c}$ ways.")
        favourable = sum(counts)
        steps.append(f"In total ${' + '.join(map(str, counts))} = {favourable}$ outcomes.")
    value = Fraction(favourable, outcomes)
    steps.append(f"The probability is $\\frac{{{favourable}}}{{{outcomes}}} = {tex(value)}$.")
    coeffs = _dice_sum_counts(sides, dice)
    truth = sympy.Rational(sum(c for total, c in enumerate(coeffs) if holds(total)), outcomes)
    die = "six-sided" if sides == 6 else f"{sides}-sided"
    problem = (f"{'Two' if dice == 2 else 'Three'} fair {die} dice, with faces numbered $1$ to ${sides}$, are rolled. "
               f"What is the probability that the sum {relation} ${target}$? Express your answer as a common fraction.")
    return Draft(problem, steps, tex(value), truth)


@template(SUBJECT)
def marbles_without_replacement(rng: random.Random, level: int) -> Draft:
    """Draw 2 (level >= 4: 3) marbles without replacement: probability all are red."""
    red, blue = rng.randint(2, 3 + 2 * level), rng.randint(1, 3 + 2 * level)
    color, other = rng.sample(COLORS, 2)
    draws = 2 if level <= 3 else 3
    red = max(red, draws)
    total = red + blue
    factors = [Fraction(red - i, total - i) for i in range(draws)]
    steps = [f"There are ${show(f'{red} + {blue}', total)}$ marbles, so the first is {color} with probability "
             f"$\\frac{{{red}}}{{{total}}}$."]
    for i in range(1, draws):
        steps.append(f"Then ${show(f'{red} - {i}', red - i)}$ of the remaining ${show(f'{total} - {i}', total - i)}$ "
                     f"marbles are {color}: probability $\\frac{{{red - i}}}{{{total - i}}}$.")
    value = math.prod(factors, start=Fraction(1))
    numer = CDOT.join(f"\\frac{{{red - i}}}{{{total - i}}}" for i in range(draws))
    steps.append(f"The probability is ${numer} = {tex(value)}$.")
    truth = sympy.binomial(red, draws) / sympy.binomial(total, draws)  # counting subsets instead of sequences
    problem = (f"A bag has ${red}$ {color} marbles and ${blue}$ {other} marbles. ${draws}$ marbles are drawn at "
               f"random without replacement. What is the probability that all of them are {color}? Express your "
               "answer as a common fraction.")
    return Draft(problem, steps, tex(value), truth)


@template(SUBJECT)
def word_arrangements(rng: random.Random, level: int) -> Draft:
    """Distinct arrangements of letters with repeats: n! / (a! b! ...)."""
    letters = "ABCDEFGHKLMNPRST"
    kinds = rng.sample(letters, 2 + level // 2)
    counts = [rng.randint(1, 1 + (level + 1) // 2) for _ in kinds]
    word = "".join(k * c for k, c in zip(kinds, counts))
    word = "".join(rng.sample(word, len(word)))
    n = len(word)
    repeated = [(k, c) for k, c in zip(kinds, counts) if c > 1]
    value = math.factorial(n) // math.prod(math.factorial(c) for c in counts)
    steps = [f"The word {word} has ${n}$ letters, so there would be ${n}! = {math.factorial(n)}$ arrangements if "
             "they were all different."]
    for k, c in repeated:
        steps.append(f"The letter {k} appears ${c}$ times, so we divide by ${c}! = {math.factorial(c)}$.")
    if repeated:
        denominator = CDOT.join(str(math.factorial(c)) for _, c in repeated)
        steps.append(f"The count is $\\frac{{{math.factorial(n)}}}{{{denominator}}} = {value}$.")
    # Independently: place each letter kind in turn into the remaining slots, a product of binomials.
    truth, free = sympy.Integer(1), n
    for c in counts:
        truth, free = truth * sympy.binomial(free, c), free - c
    return Draft(f"How many distinct arrangements of the letters in the word {word} are there?", steps, str(value),
                 truth)


@template(SUBJECT)
def coin_flips_exactly(rng: random.Random, level: int) -> Draft:
    """P(exactly k heads in n fair flips) = C(n, k) / 2^n; level >= 3 also "at least" / "at most" k."""
    n = rng.randint(3, 4 + 2 * level)
    k = rng.randint(0, n)
    relation = rng.choice(("exactly", "at least", "at most")) if level >= 3 else "exactly"
    counts = {"exactly": [k], "at least": list(range(k, n + 1)), "at most": list(range(0, k + 1))}[relation]
    outcome = rng.choice(("heads", "tails"))
    outcomes = 2**n
    steps = [f"Each of the ${n}$ flips has $2$ outcomes, so there are $2^{{{n}}} = {outcomes}$ equally likely sequences.",
             f"A sequence with exactly $j$ {outcome} is a choice of which $j$ flips they are: $\\binom{{{n}}}{{j}}$ sequences."]
    ways = sum(math.comb(n, j) for j in counts)
    others = [j for j in range(n + 1) if j not in counts]
    counted = counts if len(counts) <= len(others) else others  # the complement when it is shorter
    if counted is others and others:
        steps.append(f"It is shorter to count the sequences with {'fewer than' if relation == 'at least' else 'more than'} "
                     f"${k}$ {outcome} and subtract them from ${outcomes}$.")
    for j in counted:
        steps.append(f"Exactly ${j}$ {outcome}: ${binom_tex(n, j)}$.")
    if counted is others:
        parts = [str(math.comb(n, j)) for j in others]
        steps.append(f"So ${show(f'{outcomes} - ' + ('(' + ' + '.join(parts) + ')' if len(parts) > 1 else parts[0]), ways)}$ "
                     "sequences work." if others else f"Every sequence has {relation} ${k}$ {outcome}.")
    elif len(counts) > 1:
        steps.append(f"Together that is ${show(' + '.join(str(math.comb(n, j)) for j in counts), ways)}$ sequences.")
    value = Fraction(ways, outcomes)
    steps.append(f"The probability is ${show(f'{FRAC}{{{ways}}}{{{outcomes}}}', value)}$.")
    brute = sum(1 for flips in itertools.product((0, 1), repeat=n) if sum(flips) in counts) if n <= 12 else None
    truth = sympy.Rational(brute, outcomes) if brute is not None else sum(
        sympy.binomial(n, j) for j in counts) * sympy.Rational(1, 2) ** n
    return Draft(f"A fair coin is flipped ${n}$ times. What is the probability of getting {relation} ${k}$ {outcome}? "
                 "Express your answer as a common fraction.", steps, tex(value), truth)


@template(SUBJECT)
def at_least_one(rng: random.Random, level: int) -> Draft:
    """P(at least one six in n rolls) by the complement: 1 - (5/6)^n."""
    n = rng.randint(2, 1 + 2 * level)
    sides = rng.choice((4, 6, 8, 10, 12, 20)) if level >= 3 else 6
    face = rng.randint(1, sides)
    miss = Fraction(sides - 1, sides) ** n
    value = 1 - miss
    steps = [f"The complement is that none of the ${n}$ rolls shows a ${face}$.",
             f"Each roll misses with probability ${show(f'{FRAC}{{{sides} - 1}}{{{sides}}}', Fraction(sides - 1, sides))}$, "
             "so all miss with probability "
             f"$\\left(\\frac{{{sides - 1}}}{{{sides}}}\\right)^{n} = {tex(miss)}$.",
             f"So the probability of at least one ${face}$ is $1 - {tex(miss)} = {tex(value)}$."]
    hits = sum(1 for roll in itertools.product(range(1, sides + 1), repeat=n) if face in roll) if n <= 3 else None
    truth = sympy.Rational(hits, sides**n) if hits is not None else 1 - sympy.Rational(sides - 1, sides) ** n
    return Draft(f"A fair ${sides}$-sided die with faces $1$ to ${sides}$ is rolled ${n}$ times. What is the probability "
                 f"that at least one roll is a ${face}$? Express your answer as a common fraction.", steps, tex(value),
                 truth)


@template(SUBJECT)
def expected_die_value(rng: random.Random, level: int) -> Draft:
    """Expected value of a game paying a function of one fair die roll."""
    sides = rng.choice((4, 6, 8, 10, 12)[: 1 + level])
    pay = [rng.randint(0, 5 * level) for _ in range(sides)]
    total = sum(pay)
    value = Fraction(total, sides)
    table = ", ".join(f"${p}$ on a ${i}$" for i, p in enumerate(pay, start=1))
    steps = [f"Each face has probability $\\frac{{1}}{{{sides}}}$.",
             f"The expected payout is $\\frac{{1}}{{{sides}}}({' + '.join(map(str, pay))})$.",
             f"The payouts add up to ${show(' + '.join(map(str, pay)), total)}$, so the expected value is "
             f"${show(f'{FRAC}{{{total}}}{{{sides}}}', value)}$."]
    truth = sympy.Add(*(sympy.Rational(p, sides) for p in pay))
    return Draft(f"A fair ${sides}$-sided die is rolled once. The game pays {table} dollars. What is the expected "
                 "payout in dollars? Express your answer as a common fraction.", steps, tex(value), truth)


@template(SUBJECT)
def handshakes(rng: random.Random, level: int) -> Draft:
    """Handshakes among n people (level >= 3: except within couples)."""
    n = rng.randint(4, upto_people(level))
    if level >= 3 and n % 2 == 0:
        couples = n // 2
        all_pairs = math.comb(n, 2)
        value = all_pairs - couples
        steps = [f"Among ${n}$ people there are ${binom_tex(n, 2)}$ pairs.",
                 f"The ${couples}$ couples don't shake hands, so there are ${all_pairs} - {couples} = {value}$ handshakes."]
        truth = sympy.Integer(sum(1 for a, b in itertools.combinations(range(n), 2) if a // 2 != b // 2))
        return Draft(f"At a party there are ${couples}$ couples. Everyone shakes hands once with everyone except their own "
                     "partner. How many handshakes are there?", steps, str(value), truth)
    value = math.comb(n, 2)
    thing, setting = rng.choice((
        ("handshake", f"${n}$ people are at a meeting, and each pair shakes hands once. How many handshakes are there?"),
        ("game", f"In a round-robin tournament, each of ${n}$ teams plays every other team once. How many games are "
                 "played?"),
        ("segment", f"${n}$ points lie on a circle. How many line segments join two of the points?"),
    ))
    steps = [f"Each {thing} corresponds to a pair of the ${n}$, so the count is $\\binom{{{n}}}{{2}}$.",
             f"${binom_tex(n, 2)}$."]
    return Draft(setting, steps, str(value), sympy.binomial(n, 2))


def upto_people(level: int) -> int:
    return (12, 25, 40, 60, 100)[level - 1]


@functools.cache
def _circular_orbits(n: int) -> int:
    """Seatings of n people around a table up to rotation, counted by brute force (orbits of all n! orders)."""
    return len({min(p[i:] + p[:i] for i in range(n)) for p in itertools.permutations(range(n))})


# (who, where) for round-table problems.
ROUND_CONTEXTS = (("people", "a round table"), ("children", "a campfire"), ("knights", "King Arthur's round table"),
                  ("friends", "a circular dinner table"))


@template(SUBJECT)
def circular_arrangements(rng: random.Random, level: int) -> Draft:
    """Seatings around a round table up to rotation: (n-1)!; level >= 3 with two people together or apart."""
    n = rng.randint(4, 5 + level)
    who, where = rng.choice(ROUND_CONTEXTS)
    rest = math.factorial(n - 1)
    if level <= 2:
        steps = [f"Fix one person's seat to remove rotations; the other ${show(f'{n} - 1', n - 1)}$ fill the remaining "
                 f"seats in ${show(f'({n} - 1)!', rest)}$ ways."]
        truth = sympy.Integer(_circular_orbits(n)) if n <= 7 else sympy.factorial(n) / n
        return Draft(f"In how many ways can ${n}$ {who} sit around {where}, if two seatings that are rotations of each "
                     "other are the same?", steps, str(rest), truth)
    block = math.factorial(n - 2)
    together = 2 * block
    steps = [f"Glue Ann and Bo into one block; then ${show(f'{n} - 1', n - 1)}$ units sit around the table in "
             f"${show(f'({n - 1} - 1)!', block)}$ ways.",
             "Ann and Bo can sit in $2$ orders inside the block.",
             f"So there are $2 \\cdot {block} = {together}$ seatings with them together."]
    # Independently: with Ann's seat fixed, Bo lands next to her in 2 of the n - 1 other seats.
    truth_together = sympy.factorial(n - 1) * sympy.Rational(2, n - 1)
    if rng.random() < 0.5:
        return Draft(f"In how many ways can ${n}$ {who}, including Ann and Bo, sit around {where} if Ann and Bo sit next "
                     "to each other? Rotations of a seating count as the same.", steps, str(together), truth_together)
    apart = rest - together
    steps = [f"Without restrictions there are ${show(f'({n} - 1)!', rest)}$ seatings.", *steps,
             f"So Ann and Bo are apart in ${rest} - {together} = {apart}$ seatings."]
    return Draft(f"In how many ways can ${n}$ {who}, including Ann and Bo, sit around {where} if Ann and Bo must not "
                 "sit next to each other? Rotations of a seating count as the same.", steps, str(apart),
                 sympy.factorial(n - 1) * sympy.Rational(n - 3, n - 1))


@functools.cache
def _count_numbers(k: int, kind: str, digit: str = "7") -> int:
    """k-digit positive integers of a kind, counted one by one (k <= 4)."""
    test = {"odd": lambda s: all(int(d) % 2 for d in s), "even": lambda s: all(int(d) % 2 == 0 for d in s),
            "distinct": lambda s: len(set(s)) == len(s), "no7": lambda s: digit not in s, "some7": lambda s: digit in s,
            "increasing": lambda s: all(x < y for x, y in zip(s, s[1:]))}[kind]
    return sum(1 for v in range(10 ** (k - 1), 10**k) if test(str(v)))


@template(SUBJECT)
def digit_strings(rng: random.Random, level: int) -> Draft:
    """k-digit positive integers with all digits odd / even / distinct / no 7, or (level >= 3) at least one 7."""
    k = rng.randint(2, 2 + (level + 1) // 2)
    kind = rng.choice(("odd", "even", "increasing", "distinct", "no7", "some7")[: 3 + min(level, 3)])
    if kind == "increasing":
        value = math.comb(9, k)
        steps = ["The digits increase from left to right, so none is $0$ (it could only come first, and a number "
                 "cannot start with $0$).",
                 f"Any ${k}$ different digits from $1$ to $9$ can be written in increasing order in exactly one way.",
                 f"So the count is ${binom_tex(9, k)}$."]
        truth = sympy.Integer(_count_numbers(k, kind)) if k <= 4 else sympy.binomial(9, k)
        return Draft(f"How many ${k}$-digit positive integers have digits that strictly increase from left to right?",
                     steps, str(value), truth)
    digit = rng.randint(1, 9)  # the digit that "no7" / "some7" avoid or require
    if kind == "some7":
        total, without = 9 * 10 ** (k - 1), 8 * 9 ** (k - 1)
        value = total - without
        steps = [f"There are $9 \\cdot 10^{{{k - 1}}} = {total}$ positive integers with ${k}$ digits.",
                 f"Those with no digit ${digit}$: the first digit has $8$ choices (not $0$ or ${digit}$) and each other "
                 f"digit $9$, so $8 \\cdot 9^{{{k - 1}}} = {without}$.",
                 f"So ${total} - {without} = {value}$ have at least one digit ${digit}$."]
        truth = sympy.Integer(_count_numbers(k, kind, str(digit))) if k <= 4 else sympy.Integer(value)
        return Draft(f"How many ${k}$-digit positive integers have at least one digit equal to ${digit}$?", steps,
                     str(value), truth)
    if kind == "odd":
        choices, reasons = [5] * k, ["any of the $5$ odd digits"] * k
    elif kind == "even":
        choices = [4] + [5] * (k - 1)
        reasons = ["$2, 4, 6$ or $8$ (not $0$)"] + ["any of the $5$ even digits"] * (k - 1)
    elif kind == "no7":
        choices = [8] + [9] * (k - 1)
        reasons = [f"any digit but $0$ and ${digit}$"] + [f"any digit but ${digit}$"] * (k - 1)
    else:
        choices = [9] + [9 - i for i in range(k - 1)]
        reasons = ["any digit but $0$"] + [f"any of the $10$ digits except the ${i + 1}$ already used"
                                           for i in range(k - 1)]
    steps = [f"The {'first' if i == 0 else 'next'} digit can be {reason}: ${c}$ choices."
             for i, (reason, c) in enumerate(zip(reasons, choices))]
    value = math.prod(choices)
    steps.append(f"By the multiplication principle there are ${CDOT.join(map(str, choices))} = {value}$ numbers.")
    truth = sympy.Integer(_count_numbers(k, kind, str(digit))) if k <= 4 else sympy.Integer(value)
    words = {"odd": "all of whose digits are odd", "even": "all of whose digits are even",
             "distinct": "whose digits are all different", "no7": f"with no digit equal to ${digit}$"}[kind]
    return Draft(f"How many ${k}$-digit positive integers are there {words}?", steps, str(value), truth)
