"""Prealgebra templates: fractions, percentages, order of operations, averages, ratios, exponents."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import sympy

from trainer.data.synth.base import CDOT, FRAC, Draft, join_sum, plain, show, sym, template, tex, upto

SUBJECT = "Prealgebra"


@template(SUBJECT)
def fraction_sum(rng: random.Random, level: int) -> Draft:
    """Add (and at higher levels subtract) 2-4 fractions via the least common denominator."""
    count = 2 + (level >= 3) + (level >= 5)
    denominators = (2, 3, 4, 5, 6, 8, 9, 10, 12, 15)[: 4 + level]
    fracs = []
    while len(fracs) < count:  # proper fractions in lowest terms, as a problem writes them
        f = Fraction(rng.randint(1, 3 * level), rng.choice(denominators))
        if f.denominator != 1:
            fracs.append(f)
    signs = [1] + [rng.choice((1, -1)) if level >= 2 else 1 for _ in range(count - 1)]
    terms = [s * f for s, f in zip(signs, fracs)]
    shown = "".join(("" if i == 0 else (" - " if s < 0 else " + ")) + tex(f) for i, (s, f) in enumerate(zip(signs, fracs)))
    lcd = math.lcm(*(f.denominator for f in fracs))
    steps = [f"The least common denominator of {', '.join(str(f.denominator) for f in fracs)} is ${lcd}$."]
    numerators = []
    for f in fracs:
        factor = lcd // f.denominator
        numerators.append(f.numerator * factor)
        if factor > 1:
            scale, top = show(f"{lcd} \\div {f.denominator}", factor), show(f"{f.numerator} \\cdot {factor}", f.numerator * factor)
            steps.append(f"${scale}$ and ${top}$, so ${tex(f)} = \\frac{{{f.numerator * factor}}}{{{lcd}}}$.")
    signed = [s * n for s, n in zip(signs, numerators)]
    total = sum(signed)
    result = Fraction(total, lcd)
    steps.append(f"The numerators add up to ${show(join_sum(signed), total)}$.")
    steps.append(f"So the sum is ${show(f'{FRAC}{{{total}}}{{{lcd}}}', result)}$.")
    truth = sympy.Add(*(sym(t) for t in terms))
    word = None
    if count == 2 and signs[1] > 0 and max(fracs) < 1:
        word = (f"@name@ ate {plain(fracs[0])} of a pizza at lunch and {plain(fracs[1])} of a pizza at dinner. What "
                "fraction of a pizza did @name@ eat in all?")
    elif count == 2 and result > 0:
        word = (f"@name@ had {plain(fracs[0])} of a cake and gave {plain(fracs[1])} of a cake to @name2@. What fraction "
                "of a cake does @name@ have left?")
    return Draft(f"Compute ${shown}$. Express your answer as a fraction in simplest form.", steps, tex(result), truth,
                 word)


@template(SUBJECT)
def percent_of(rng: random.Random, level: int) -> Draft:
    """p% of N, and at higher levels a percent of that percent."""
    pct = rng.choice((5, 10, 12, 15, 20, 25, 30, 40, 45, 50, 60, 75, 80, 120, 150)[: 6 + 2 * level])
    whole = rng.randint(2, upto(level, 4)) * 20
    value = Fraction(pct * whole, 100)
    steps = [f"${pct}\\%$ means $\\frac{{{pct}}}{{100}}$.",
             f"So ${pct}\\%$ of ${whole}$ is ${show(f'{FRAC}{{{pct}}}{{100}}{CDOT}{whole}', value)}$."]
    problem = f"What is ${pct}\\%$ of ${whole}$?"
    truth = sym(Fraction(whole)) * sympy.Rational(pct, 100)
    if level >= 4:
        pct2 = rng.choice((10, 20, 25, 50))
        problem = f"What is ${pct2}\\%$ of ${pct}\\%$ of ${whole}$?"
        steps.append(f"Now ${pct2}\\%$ of ${tex(value)}$ is "
                     f"${show(f'{FRAC}{{{pct2}}}{{100}}{CDOT}{tex(value)}', value * pct2 / 100)}$.")
        value = value * pct2 / 100
        truth = truth * sympy.Rational(pct2, 100)
        return Draft(problem, steps, tex(value), truth)
    word = (f"A school has {whole} students and {pct}% of them walk to school. How many students walk to school?"
            if value.denominator == 1 and pct < 100 else
            f"@name@ earns {whole} dollars and puts {pct}% of it into savings. How many dollars is that?")
    return Draft(problem, steps, tex(value), truth, word)


@template(SUBJECT)
def order_of_operations(rng: random.Random, level: int) -> Draft:
    """a + b * c - d, growing to several products and a division: products first, then left to right."""
    n_products = 1 + level // 2
    big = upto(level, 2)
    pieces: list[tuple[int, int, int]] = []  # (sign, left, right) for sign * left * right
    for i in range(n_products):
        pieces.append((1 if i == 0 else rng.choice((1, -1)), rng.randint(2, big), rng.randint(2, 12)))
    loose = [rng.randint(1, upto(level, 5)) for _ in range(1 + (level >= 3))]
    expr = f"{loose[0]}"
    for sign, left, right in pieces:
        expr += f" {'+' if sign > 0 else '-'} {left} \\times {right}"
    if len(loose) > 1:
        divisor = rng.randint(2, 9)
        expr += f" + {loose[1] * divisor} \\div {divisor}"
    steps = ["Following the order of operations, I do the multiplications and divisions first."]
    values = [loose[0]]
    for sign, left, right in pieces:
        steps.append(f"${left} \\times {right} = {left * right}$.")
        values.append(sign * left * right)
    if len(loose) > 1:
        steps.append(f"${loose[1] * divisor} \\div {divisor} = {loose[1]}$.")
        values.append(loose[1])
    steps.append(f"The expression becomes ${join_sum(values)}$.")
    running = values[0]
    for value in values[1:]:
        steps.append(f"${running} {'+' if value >= 0 else '-'} {abs(value)} = {running + value}$.")
        running += value
    truth = sympy.Integer(loose[0]) + sum(sympy.Mul(s * a, b) for s, a, b in pieces) + (
        sympy.Rational(loose[1] * divisor, divisor) if len(loose) > 1 else 0)
    return Draft(f"Compute ${expr}$.", steps, tex(running), truth)


@template(SUBJECT)
def mean_of_list(rng: random.Random, level: int) -> Draft:
    """The arithmetic mean of 3-8 numbers, or the missing number for a given mean."""
    count = 2 + level + (level >= 4)
    numbers = [rng.randint(1, upto(level, 5)) for _ in range(count)]
    listed = ", ".join(f"${x}$" for x in numbers)
    if level <= 3 or rng.random() < 0.5:
        total = sum(numbers)
        steps = [f"The sum of the numbers is ${' + '.join(map(str, numbers))} = {total}$.",
                 f"There are ${count}$ numbers.",
                 f"So the mean is ${show(f'{FRAC}{{{total}}}{{{count}}}', Fraction(total, count))}$."]
        truth = sympy.Rational(sum(sympy.Integer(x) for x in numbers), len(numbers))
        word = f"@name@ scored {', '.join(map(str, numbers[:-1]))} and {numbers[-1]} on {count} quizzes. What is the average score?"
        return Draft(f"What is the arithmetic mean of {listed}?", steps, tex(Fraction(total, count)), truth, word)
    hidden = numbers.pop()
    mean = Fraction(sum(numbers) + hidden, count)
    if mean.denominator != 1:  # keep the given mean an integer by adjusting the hidden number
        hidden += count - (sum(numbers) + hidden) % count
        mean = Fraction(sum(numbers) + hidden, count)
    listed = ", ".join(f"${x}$" for x in numbers)
    steps = [f"If the mean of ${count}$ numbers is ${tex(mean)}$, their sum is ${show(f'{count}{CDOT}{tex(mean)}', count * mean)}$.",
             f"The known numbers add up to ${' + '.join(map(str, numbers))} = {sum(numbers)}$.",
             f"So $x = {count * mean} - {sum(numbers)} = {hidden}$."]
    truth = sym(mean) * count - sum(sympy.Integer(v) for v in numbers)
    return Draft(f"The mean of {listed} and $x$ is ${tex(mean)}$. What is $x$?", steps, str(hidden), truth)


@template(SUBJECT)
def ratio_share(rng: random.Random, level: int) -> Draft:
    """A total split in a ratio a:b (or a:b:c): find one part."""
    parts = [rng.randint(1, 3 + level) for _ in range(2 + (level >= 3))]
    unit = rng.randint(2, upto(level, 3))
    total = unit * sum(parts)
    names = ["red", "blue", "green"][: len(parts)]
    ask = rng.randrange(len(parts))
    ratio = ":".join(map(str, parts))
    steps = [f"The ratio ${ratio}$ splits the marbles into ${' + '.join(map(str, parts))} = {sum(parts)}$ equal shares.",
             f"Each share is $\\frac{{{total}}}{{{sum(parts)}}} = {unit}$ marbles.",
             f"The {names[ask]} marbles are ${parts[ask]}$ shares, so there are ${parts[ask]} \\cdot {unit} = "
             f"{parts[ask] * unit}$ of them."]
    truth = sympy.Rational(total * parts[ask], sum(parts))
    problem = (f"A bag holds ${total}$ marbles that are {', '.join(names[:-1])} or {names[-1]} in the ratio "
               f"${ratio}$. How many {names[ask]} marbles are in the bag?")
    return Draft(problem, steps, str(parts[ask] * unit), truth)


@template(SUBJECT)
def powers_sum(rng: random.Random, level: int) -> Draft:
    """Evaluate a sum of small powers such as 2^3 + 3^2 - 4^2."""
    count = 2 + (level >= 2) + (level >= 4)
    terms = [(rng.randint(2, 3 + level), rng.randint(2, 2 + (level + 1) // 2), 1 if i == 0 else rng.choice((1, -1)))
             for i in range(count)]
    expr = "".join(("" if i == 0 else (" - " if s < 0 else " + ")) + f"{b}^{e}" for i, (b, e, s) in enumerate(terms))
    steps = []
    values = []
    for base, exp, sign in terms:
        value = base**exp
        steps.append(f"${base}^{exp} = {value}$.")
        values.append(sign * value)
    result = sum(values)
    steps.append(f"So the expression is ${join_sum(values)} = {result}$.")
    truth = sympy.Add(*(s * sympy.Pow(sympy.Integer(b), e) for b, e, s in terms))
    return Draft(f"Evaluate ${expr}$.", steps, str(result), truth)


@template(SUBJECT)
def percent_change(rng: random.Random, level: int) -> Draft:
    """A price raised by p% then lowered by q%: the final price."""
    price = rng.randint(2, upto(level, 5)) * 20
    up = rng.choice((10, 20, 25, 50)) if level <= 2 else rng.choice((5, 10, 15, 20, 25, 30, 40, 50))
    down = rng.choice((10, 20, 25, 50))
    mid = Fraction(price * (100 + up), 100)
    final = mid * Fraction(100 - down, 100)
    grow, shrink = Fraction(100 + up, 100), Fraction(100 - down, 100)
    steps = [f"A ${up}\\%$ increase multiplies the price by ${show(f'{FRAC}{{100 + {up}}}{{100}}', grow)}$.",
             f"So the raised price is ${show(f'{price}{CDOT}{tex(grow)}', mid)}$ dollars.",
             f"A ${down}\\%$ decrease multiplies it by ${show(f'{FRAC}{{100 - {down}}}{{100}}', shrink)}$.",
             f"So the final price is ${show(f'{tex(mid)}{CDOT}{tex(shrink)}', final)}$ dollars."]
    truth = sympy.Integer(price) * (1 + sympy.Rational(up, 100)) * (1 - sympy.Rational(down, 100))
    problem = (f"A jacket costs ${price}$ dollars. Its price is raised by ${up}\\%$, and then the new price is "
               f"lowered by ${down}\\%$. What is the final price, in dollars?")
    return Draft(problem, steps, tex(final), truth)


@template(SUBJECT)
def consecutive_integers(rng: random.Random, level: int) -> Draft:
    """k consecutive integers with a given sum: the largest one."""
    count = rng.choice((3, 5)) if level <= 2 else rng.randint(3, 4 + level)
    first = rng.randint(1, upto(level, 5))
    total = sum(range(first, first + count))
    spread = count * (count - 1) // 2
    steps = [f"Call the smallest integer $n$; the integers are $n, n + 1, \\ldots, n + {count - 1}$.",
             f"The added parts sum to ${show(' + '.join(map(str, range(1, count))), spread)}$, so the sum is "
             f"${count}n + {spread}$.",
             f"So ${count}n + {spread} = {total}$, which gives ${count}n = {show(f'{total} - {spread}', total - spread)}$.",
             f"Then $n = {show(f'{FRAC}{{{total - spread}}}{{{count}}}', first)}$.",
             f"The largest integer is $n + {count - 1} = {first} + {count - 1} = {first + count - 1}$."]
    truth = sympy.Rational(total, count) + sympy.Rational(count - 1, 2)  # the middle plus half the spread
    problem = f"The sum of ${count}$ consecutive integers is ${total}$. What is the largest of these integers?"
    return Draft(problem, steps, str(first + count - 1), truth)


@template(SUBJECT)
def fraction_of_remainder(rng: random.Random, level: int) -> Draft:
    """Spend a fraction of some money, then a fraction of what is left: how much remains."""
    den1, den2 = rng.randint(2, 3 + level), rng.randint(2, 3 + level)
    num1 = rng.choice([k for k in range(1, den1) if math.gcd(k, den1) == 1])
    num2 = rng.choice([k for k in range(1, den2) if math.gcd(k, den2) == 1])
    money = den1 * den2 * rng.randint(1, upto(level, 2))
    spent1 = money * num1 // den1
    left1 = money - spent1
    spent2 = left1 * num2 // den2
    left2 = left1 - spent2
    steps = [f"First she spends $\\frac{{{num1}}}{{{den1}}} \\cdot {money} = {spent1}$ dollars.",
             f"That leaves ${money} - {spent1} = {left1}$ dollars.",
             f"Then she spends $\\frac{{{num2}}}{{{den2}}} \\cdot {left1} = {spent2}$ dollars.",
             f"That leaves ${left1} - {spent2} = {left2}$ dollars."]
    truth = sympy.Integer(money) * (1 - sympy.Rational(num1, den1)) * (1 - sympy.Rational(num2, den2))
    problem = (f"Maya has ${money}$ dollars. She spends $\\frac{{{num1}}}{{{den1}}}$ of it on books and then "
               f"$\\frac{{{num2}}}{{{den2}}}$ of what is left on lunch. How many dollars does she have left?")
    return Draft(problem, steps, str(left2), truth)




# How a word problem says that something measures an amount in these units.
UNIT_THINGS = {"feet": "A board is", "yards": "A garden path is", "hours": "A road trip takes", "minutes": "A song lasts",
               "days": "A camping trip lasts", "gallons": "A fish tank holds", "pounds": "A bag of flour weighs",
               "meters": "A ribbon is"}
# (big unit, small unit, small units per big unit)
UNITS = (("feet", "inches", 12), ("yards", "feet", 3), ("hours", "minutes", 60), ("minutes", "seconds", 60),
         ("days", "hours", 24), ("gallons", "quarts", 4), ("pounds", "ounces", 16), ("meters", "centimeters", 100))


@template(SUBJECT)
def unit_conversion(rng: random.Random, level: int) -> Draft:
    """Convert between units; level >= 3 converts square units (the factor squared)."""
    big, small, factor = rng.choice(UNITS[:5] if level >= 3 else UNITS)
    amount = rng.randint(2, upto(level, 2))
    if level >= 3 and big in ("feet", "yards", "meters"):
        value = amount * factor * factor
        steps = [f"One square {big[:-1] if big != 'feet' else 'foot'} is ${factor} \\times {factor} = {factor * factor}$ "
                 f"square {small}.",
                 f"So ${amount}$ square {big} is ${amount} \\cdot {factor * factor} = {value}$ square {small}."]
        truth = sympy.Integer(amount) * sympy.Integer(factor) ** 2
        return Draft(f"How many square {small} are in ${amount}$ square {big}?", steps, str(value), truth)
    if rng.random() < 0.5:
        value = amount * factor
        steps = [f"Each of the {big} is ${factor}$ {small}, so ${amount}$ {big} is ${amount} \\cdot {factor} = "
                 f"{value}$ {small}."]
        return Draft(f"How many {small} are in ${amount}$ {big}?", steps, str(value),
                     sympy.Integer(sum(factor for _ in range(amount))), f"{UNIT_THINGS[big]} {amount} {big}. How many {small} is that?")
    total = rng.randint(factor + 1, amount * factor)
    value = Fraction(total, factor)
    steps = [f"There are ${factor}$ {small} in each of the {big}, so ${total}$ {small} is "
             f"${show(f'{FRAC}{{{total}}}{{{factor}}}', value)}$ {big}."]
    word = f"{UNIT_THINGS[big]} {total} {small}. How many {big} is that?"
    return Draft(f"How many {big} are in ${total}$ {small}? Express your answer as a mixed number or a common fraction "
                 "if needed.", steps, tex(value), sympy.Rational(total) / factor, word)
