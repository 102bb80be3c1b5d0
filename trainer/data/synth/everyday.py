"""Everyday middle-school templates (Prealgebra): discount and tax, percent change, proportions, unit rates,
speed, median/mode/range, and fraction-decimal-percent conversion: what students ask outside competitions.

Money is written with decimals (`80 \\cdot 0.75 = 60`, `60 \\cdot 1.08 = 64.8`), as the calculator writes a
value whose left side has decimals; everything else as exact integers and fractions.
"""

from __future__ import annotations

import random
import statistics
from collections import Counter
from fractions import Fraction

import sympy

from trainer.data.synth.base import CDOT, FRAC, Draft, plain, show, sym, template, tex, upto
from tutor.grading.calculator import format_value

SUBJECT = "Prealgebra"
ITEMS = ("jacket", "pair of shoes", "backpack", "video game", "bike", "lamp", "board game", "watch")


def money(value: Fraction) -> str:
    """A dollar amount as the calculator writes a decimal (`64.8`, `60`)."""
    text = format_value(Fraction(value), decimals=2)
    assert text is not None and Fraction(text) == value, f"{value} is not a whole number of cents"
    return text


def decimal(percent: int) -> str:
    """The multiplier of a percent as a decimal: 75 -> `0.75`, 108 -> `1.08`."""
    return money(Fraction(percent, 100))


@template(SUBJECT)
def discount_and_tax(rng: random.Random, level: int) -> Draft:
    """A price with a percent discount; from level 3 a sales tax on the sale price (decimals, like a receipt)."""
    price = rng.randint(2, upto(level, 2)) * 10
    off = rng.choice((10, 20, 25, 30, 40, 50) if level <= 2 else (5, 10, 15, 20, 25, 30, 35, 40, 60))
    item = rng.choice(ITEMS)
    keep = 100 - off
    sale = Fraction(price * keep, 100)
    steps = [f"A ${off}\\%$ discount leaves ${show(f'100 - {off}', keep)}$ percent of the price.",
             f"The sale price is ${show(f'{price}{CDOT}{decimal(keep)}', sale)}$ dollars."]
    problem = f"A {item} costs ${price}$ dollars and is on sale for ${off}\\%$ off. What is the sale price, in dollars?"
    word = f"@name@ buys a {item} that costs {price} dollars at {off}% off. How much does @name@ pay, in dollars?"
    total, tax = sale, 0
    if level >= 3:
        tax = rng.choice((4, 5, 6, 7, 8, 10))
        total = sale * Fraction(100 + tax, 100)
        steps += [f"A ${tax}\\%$ sales tax multiplies the sale price by ${show(f'1 + {decimal(tax)}', Fraction(100 + tax, 100))}$.",
                  f"The total is ${show(f'{money(sale)}{CDOT}{decimal(100 + tax)}', total)}$ dollars."]
        problem = (f"A {item} costs ${price}$ dollars and is on sale for ${off}\\%$ off. A sales tax of ${tax}\\%$ is "
                   "added to the sale price. What is the total cost, in dollars?")
        word = (f"@name@ buys a {item} that costs {price} dollars at {off}% off, plus {tax}% sales tax. How much does "
                "@name@ pay in all, in dollars?")
    truth = sympy.Integer(price) * (1 - sympy.Rational(off, 100)) * (1 + sympy.Rational(tax, 100))
    return Draft(problem, steps, money(total), truth, word)


@template(SUBJECT)
def percent_change_between(rng: random.Random, level: int) -> Draft:
    """The percent increase or decrease from an old value to a new one."""
    old = rng.randint(1, upto(level, 1)) * 20
    change = rng.choice((5, 10, 15, 20, 25, 30, 40, 50, 60, 75) if level >= 2 else (10, 20, 25, 50))
    up = rng.random() < 0.5 or change >= 100
    new = old + old * change // 100 * (1 if up else -1)
    diff = abs(new - old)
    kind = "increase" if up else "decrease"
    steps = [f"The change is ${show(f'{new} - {old}' if up else f'{old} - {new}', diff)}$.",
             f"As a percent of the original ${old}$: ${show(f'{FRAC}{{{diff}}}{{{old}}}{CDOT}100', change)}$."]
    truth = abs(sympy.Integer(new) / old - 1) * 100
    problem = f"A price changes from ${old}$ dollars to ${new}$ dollars. What is the percent {kind}?"
    word = (f"The number of members of @name@'s chess club went from {old} to {new}. By what percent did it "
            f"{'grow' if up else 'shrink'}?")
    return Draft(problem, steps, str(change), truth, word)


@template(SUBJECT)
def proportion(rng: random.Random, level: int) -> Draft:
    """a/b = x/d by cross-multiplication (a recipe or a map scale in the word form)."""
    a, b = rng.randint(2, upto(level, 1)), rng.randint(2, upto(level, 1) + 2)
    d = b * rng.randint(2, 4 + level) if level <= 2 else rng.randint(2, upto(level, 2))
    value = Fraction(a * d, b)
    steps = [f"Cross-multiplying gives ${b}x = {show(f'{a}{CDOT}{d}', a * d)}$.",
             f"So $x = {show(f'{FRAC}{{{a * d}}}{{{b}}}', value)}$."]
    x = sympy.Symbol("x")
    truth = sympy.solve(sympy.Eq(sympy.Rational(a, b), x / d), x)[0]
    word = (f"A recipe uses {a} cups of flour for {b} muffins. How many cups of flour are needed for {d} muffins?")
    return Draft(f"Solve for $x$: $\\frac{{{a}}}{{{b}}} = \\frac{{x}}{{{d}}}$.", steps, tex(value), truth, word)


@template(SUBJECT)
def unit_rate(rng: random.Random, level: int) -> Draft:
    """n items cost c dollars: the price of m items through the price of one (cents from level 2)."""
    n = rng.randint(2, 3 + level)
    m = rng.randint(n + 1, n + upto(level, 1))
    unit = Fraction(rng.randint(1, upto(level, 2)) * (4 if level == 1 else 1), 4)
    cost = unit * n
    item = rng.choice(("notebooks", "pens", "apples", "tickets", "muffins", "candles"))
    written = money(cost) if cost.denominator > 1 or unit.denominator == 1 else f"{cost}.00"  # decimals in, decimals out
    steps = [f"One costs ${show(f'{FRAC}{{{written}}}{{{n}}}', unit)}$ dollars.",
             f"So ${m}$ cost ${show(f'{money(unit)}{CDOT}{m}', unit * m)}$ dollars."]
    truth = sym(cost) * sympy.Rational(m, n)
    problem = f"If ${n}$ {item} cost ${money(cost)}$ dollars, how many dollars do ${m}$ {item} cost?"
    word = f"@name@ pays {money(cost)} dollars for {n} {item}. At the same price, what would {m} {item} cost, in dollars?"
    return Draft(problem, steps, money(unit * m), truth, word)


@template(SUBJECT)
def speed_distance_time(rng: random.Random, level: int) -> Draft:
    """distance = speed * time, asking for any one of the three; from level 3 the time is given in minutes."""
    speed = rng.randint(2, upto(level, 1)) * 5
    minutes = rng.choice((30, 45, 90, 20, 40, 150)) if level >= 3 else 60 * rng.randint(1, 2 + level)
    hours = Fraction(minutes, 60)
    distance = speed * hours
    ask = rng.choice(("distance", "speed", "time"))
    steps = [f"${minutes}$ minutes is ${show(f'{FRAC}{{{minutes}}}{{60}}', hours)}$ hours."] if level >= 3 else []
    given_time = f"${minutes}$ minutes" if level >= 3 else f"${tex(hours)}$ hours"
    said_time = f"{minutes} minutes" if level >= 3 else f"{plain(hours)} hours"
    if ask == "distance":
        steps.append(f"Distance is speed times time: ${show(f'{speed}{CDOT}{tex(hours)}', distance)}$ miles.")
        problem = f"A car travels at ${speed}$ miles per hour for {given_time}. How many miles does it travel?"
        word = f"@name@ bikes at {speed} miles per hour for {said_time}. How far does @name@ go, in miles?"
        value, truth = distance, sym(hours) * speed
    elif ask == "speed":
        steps.append(f"Speed is distance over time: ${show(f'{FRAC}{{{tex(distance)}}}{{{tex(hours)}}}', speed)}$ miles per hour.")
        problem = f"A car travels ${tex(distance)}$ miles in {given_time}. What is its average speed in miles per hour?"
        word = (f"@name@ drives {plain(distance)} miles in {said_time}. What is the average speed, in "
                "miles per hour?")
        value, truth = Fraction(speed), sym(distance) / sym(hours)
    else:
        steps = [f"Time is distance over speed: ${show(f'{FRAC}{{{tex(distance)}}}{{{speed}}}', hours)}$ hours."]
        problem = f"How many hours does it take to travel ${tex(distance)}$ miles at ${speed}$ miles per hour?"
        word = f"@name@ walks {plain(distance)} miles at {speed} miles per hour. How many hours does it take?"
        value, truth = hours, sym(distance) / speed
    return Draft(problem, steps, tex(value), truth, word)


@template(SUBJECT)
def median_mode(rng: random.Random, level: int) -> Draft:
    """The median, mode or range of a short list of data."""
    count = rng.randint(4 + level // 2, 5 + level)
    ask = rng.choice(("median", "mode", "range"))
    while True:
        numbers = [rng.randint(1, upto(level, 2)) for _ in range(count)]
        if ask == "mode":  # one value repeated more often than any other
            numbers[-1] = numbers[-2] = numbers[0]
        top = Counter(numbers).most_common(2)
        if ask != "mode" or len(top) == 1 or top[0][1] > top[1][1]:
            break
    ordered = sorted(numbers)
    steps = [f"In order: ${', '.join(map(str, ordered))}$."]
    if ask == "median":
        if count % 2:
            middle = (count + 1) // 2
            steps.append(f"There are ${count}$ numbers, so the median is number ${show(f'{FRAC}{{{count} + 1}}{{2}}', middle)}$ "
                         f"in order: ${ordered[middle - 1]}$.")
            value = Fraction(ordered[middle - 1])
        else:
            low, high = ordered[count // 2 - 1], ordered[count // 2]
            value = Fraction(low + high, 2)
            steps.append(f"There are ${count}$ numbers, so the median is the mean of the middle two: "
                         f"${show(f'{FRAC}{{{low} + {high}}}{{2}}', value)}$.")
        truth = sym(Fraction(statistics.median(numbers)).limit_denominator())
    elif ask == "mode":
        mode = max(sorted(set(ordered)), key=ordered.count)
        value = Fraction(mode)
        steps.append(f"${mode}$ appears ${ordered.count(mode)}$ times, more often than any other number, so it is the mode.")
        truth = sympy.Integer(statistics.mode(numbers))
    else:
        value = Fraction(ordered[-1] - ordered[0])
        steps.append(f"The range is the largest minus the smallest: ${show(f'{ordered[-1]} - {ordered[0]}', value)}$.")
        truth = sympy.Max(*numbers) - sympy.Min(*numbers)
    listed = ", ".join(map(str, numbers))
    word = f"@name@ recorded these test scores: {listed}. What is the {ask} of the scores?"
    return Draft(f"What is the {ask} of the data ${listed}$?", steps, tex(value), truth, word)


@template(SUBJECT)
def fraction_decimal_percent(rng: random.Random, level: int) -> Draft:
    """Convert between a fraction, a decimal and a percent (terminating decimals)."""
    denominators = (2, 4, 5, 10, 20, 25, 8, 40, 50, 16, 80, 125)[: 5 + 2 * level]
    while True:
        denominator = rng.choice(denominators)
        whole = rng.randint(0, upto(level, 1)) if level >= 4 else 0  # 2.375 and 237.5% at the top levels
        value = whole + Fraction(rng.randint(1, 2 * denominator - 1), denominator)  # below 2: 0.375, 1.25, 37.5%
        if value.denominator > 1:
            break
    as_decimal = format_value(value, decimals=0)
    kind = rng.choice(("fraction to decimal", "fraction to percent", "decimal to fraction", "percent to fraction",
                       "decimal to percent", "percent to decimal"))
    percent = value * 100
    places = len(as_decimal.split(".")[1])
    power = 10**places
    if kind == "fraction to decimal":
        problem, answer = f"Write ${tex(value)}$ as a decimal.", as_decimal
        steps = [f"Dividing, ${value.numerator} \\div {value.denominator}$ is ${as_decimal}$, since "
                 f"${show(f'{as_decimal}{CDOT}{value.denominator}', value.numerator)}$."]
    elif kind == "fraction to percent":
        problem, answer = f"Write ${tex(value)}$ as a percent.", f"{format_value(percent, 1)}\\%"
        steps = [f"As a decimal, ${tex(value)}$ is ${as_decimal}$, since ${show(f'{as_decimal}{CDOT}{value.denominator}', value.numerator)}$.",
                 f"A percent is hundredths: ${show(f'{as_decimal}{CDOT}100', percent)}$, so it is ${format_value(percent, 1)}\\%$."]
    elif kind == "decimal to fraction":
        problem, answer = f"Write ${as_decimal}$ as a fraction in simplest form.", tex(value)
        steps = [f"${as_decimal}$ is ${as_decimal.replace('.', '').lstrip('0')}$ over ${power}$: "
                 f"${show(f'{FRAC}{{{value * power}}}{{{power}}}', value)}$."]
    elif kind == "percent to fraction":
        shown = format_value(percent, 1)
        problem, answer = f"Write ${shown}\\%$ as a fraction in simplest form.", tex(value)
        steps = [f"${shown}\\%$ means ${shown}$ hundredths: ${show(f'{FRAC}{{{shown}}}{{100}}', value)}$."] if percent.denominator == 1 \
            else [f"${shown}\\%$ is ${show(f'{shown}{CDOT}0.01', value)}$ as a decimal.",
                  f"That is ${show(f'{FRAC}{{{value * power}}}{{{power}}}', value)}$."]
    elif kind == "decimal to percent":
        problem, answer = f"Write ${as_decimal}$ as a percent.", f"{format_value(percent, 1)}\\%"
        steps = [f"Multiply by $100$: ${show(f'{as_decimal}{CDOT}100', percent)}$, so it is ${format_value(percent, 1)}\\%$."]
    else:
        shown = format_value(percent, 1)
        problem, answer = f"Write ${shown}\\%$ as a decimal.", as_decimal
        steps = [f"Divide by $100$, that is multiply by $0.01$: ${show(f'{shown}{CDOT}0.01', value)}$."]
    truth = sym(value) * (100 if answer.endswith("\\%") else 1)
    return Draft(problem, steps, answer, truth)
