"""Number theory templates: gcd/lcm, remainders and units digits, divisors, bases, inverses, divisibility."""

from __future__ import annotations

import math
import random

import sympy

from trainer.data.synth.base import FRAC, Draft, paren, show, template, upto

SUBJECT = "Number Theory"
CDOT = " \\cdot "


def _factor_tex(n: int) -> str:
    """`2^3 \\cdot 3 \\cdot 5` from sympy's factorization."""
    return " \\cdot ".join(f"{p}^{e}" if e > 1 else str(p) for p, e in sorted(sympy.factorint(n).items()))


def _composite(rng: random.Random, level: int) -> int:
    """A product of a few small primes, bigger with the level."""
    value = 1
    for _ in range(1 + level):
        value *= rng.choice((2, 2, 2, 3, 3, 5, 7, 11, 13)[: 5 + level])
    return value


def reduce_mod(value: int, factor: int, m: int) -> str:
    """`value * factor` reduced mod m as one calculator equality: `6 \\cdot 3 - 2 \\cdot 7 = 4`."""
    product = value * factor
    return show(f"{value}{CDOT}{factor}" + (f" - {product // m}{CDOT}{m}" if product >= m else ""), product % m)


@template(SUBJECT)
def gcd_euclid(rng: random.Random, level: int) -> Draft:
    """The greatest common divisor by the Euclidean algorithm, one division per line."""
    common = _composite(rng, min(level, 3))
    a, b = common * rng.randint(2, upto(level, 3)), common * rng.randint(2, upto(level, 3))
    if a == b:
        a += common
    x, y = max(a, b), min(a, b)
    steps = ["I'll use the Euclidean algorithm: take the largest multiple of the smaller number from the larger."]
    while y:
        q, r = divmod(x, y)
        steps.append(f"${show(f'{x} - {q}{CDOT}{y}', r)}$.")
        x, y = y, r
    steps.append(f"The last nonzero remainder is ${x}$, so the greatest common divisor is ${x}$.")
    word = (f"@name@ has {a} red beads and {b} blue beads and makes identical bracelets that use up all of the beads. "
            "What is the greatest number of bracelets @name@ can make?")
    return Draft(f"What is the greatest common divisor of ${a}$ and ${b}$?", steps, str(x), sympy.gcd(a, b), word)


@template(SUBJECT)
def lcm_by_factoring(rng: random.Random, level: int) -> Draft:
    """The least common multiple of 2-3 numbers from their prime factorizations."""
    numbers = sorted({_composite(rng, min(level, 3)) for _ in range(2 + (level >= 4))})
    if len(numbers) == 1:
        numbers.append(numbers[0] * 2)
    steps = [f"${n} = {_factor_tex(n)}$." for n in numbers]
    powers: dict[int, int] = {}
    for n in numbers:
        for p, e in sympy.factorint(n).items():
            powers[p] = max(powers.get(p, 0), e)
    value = math.prod(p**e for p, e in powers.items())
    chosen = " \\cdot ".join(f"{p}^{e}" if e > 1 else str(p) for p, e in sorted(powers.items()))
    steps += [f"The least common multiple takes the highest power of each prime: ${chosen}$.",
              f"${chosen} = {value}$."]
    listed = ", ".join(f"${n}$" for n in numbers[:-1]) + f" and ${numbers[-1]}$"
    word = (f"One bus leaves the station every {numbers[0]} minutes and another every {numbers[1]} minutes. They both "
            "leave at 8:00. After how many minutes do they next leave together?") if len(numbers) == 2 else None
    return Draft(f"What is the least common multiple of {listed}?", steps, str(value), sympy.ilcm(*numbers), word)


@template(SUBJECT)
def power_remainder(rng: random.Random, level: int) -> Draft:
    """The remainder of a^k mod m by finding the cycle of powers."""
    m = rng.randint(3, 5 + 2 * level)
    a = rng.randint(2, upto(level, 5))
    while math.gcd(a, m) > 1 or a % m == 1:  # a unit other than 1 mod m: its powers cycle non-trivially
        a += 1
    k = rng.randint(upto(level, 5), upto(level, 50))
    base = a % m
    steps = [f"First, ${show(f'{a} - {a // m}{CDOT}{m}', base)}$, so ${a} \\equiv {base} \\pmod{{{m}}}$." if a != base
             else f"I'll look at powers of ${a}$ modulo ${m}$."]
    seen: dict[int, int] = {}
    value, exponent = 1, 0
    powers = []
    while value not in seen:
        seen[value] = exponent
        powers.append(value)
        value = value * base % m
        exponent += 1
        if exponent > 2:  # a^e = a^(e-1) * a, reduced (a^1 is the line above)
            steps.append(f"${reduce_mod(powers[-2], base, m)}$, so ${a}^{{{exponent - 1}}} \\equiv {powers[-1]} \\pmod{{{m}}}$.")
    assert value == 1, "the powers of a unit return to 1"
    period = exponent
    steps.append(f"${reduce_mod(powers[-1], base, m)}$, so ${a}^{{{period}}} \\equiv 1 \\pmod{{{m}}}$ and the powers "
                 f"repeat every ${period}$ steps.")
    offset = k % period
    answer = powers[offset]
    steps.append(f"${show(f'{k} - {period}{CDOT}{k // period}', offset)}$, so ${a}^{{{k}}} \\equiv {a}^{{{offset}}} \\equiv "
                 f"{answer} \\pmod{{{m}}}$.")
    return Draft(f"What is the remainder when ${a}^{{{k}}}$ is divided by ${m}$?", steps, str(answer),
                 sympy.Integer(pow(a, k, m)))


@template(SUBJECT)
def units_digit(rng: random.Random, level: int) -> Draft:
    """The units digit of a^k (level >= 3: of a sum a^k + b^j) via the cycle of last digits."""
    terms = [(rng.randint(2, upto(level, 10)), rng.randint(10, upto(level, 100))) for _ in range(1 + (level >= 3))]
    steps: list[str] = []
    digits = []
    for a, k in terms:
        last = a % 10
        cycle = [last]
        while (cycle[-1] * last) % 10 != cycle[0]:
            cycle.append(cycle[-1] * last % 10)
        steps.append(f"The units digit of ${a}^{{{k}}}$ depends only on ${last}$; the units digits of the powers of "
                     f"${last}$ cycle through ${', '.join(map(str, cycle))}$.")
        position = (k - 1) % len(cycle)
        steps.append(f"${show(f'{k} - {len(cycle)}{CDOT}{k // len(cycle)}', k % len(cycle))}$, so ${a}^{{{k}}}$ is at place "
                     f"${position + 1}$ of the cycle, and its units digit is ${cycle[position]}$.")
        digits.append(cycle[position])
    value = sum(digits) % 10
    if len(terms) > 1:
        steps.append(f"The units digit of the sum is the units digit of ${' + '.join(map(str, digits))} = "
                     f"{sum(digits)}$, which is ${value}$.")
    expr = " + ".join(f"{a}^{{{k}}}" for a, k in terms)
    truth = sympy.Mod(sum(sympy.Integer(pow(a, k, 10)) for a, k in terms), 10)
    return Draft(f"What is the units digit of ${expr}$?", steps, str(value), truth)


@template(SUBJECT)
def divisor_count(rng: random.Random, level: int) -> Draft:
    """The number (or at higher levels the sum) of positive divisors from the factorization."""
    n = _composite(rng, level) * rng.choice((1, 1, 3, 5, 7))
    factors = sorted(sympy.factorint(n).items())
    steps = [f"First factor: ${n} = {_factor_tex(n)}$."]
    if level >= 4:
        parts = [f"(1 + {' + '.join(str(p**i) for i in range(1, e + 1))})" for p, e in factors]
        sums = [sum(p**i for i in range(e + 1)) for p, e in factors]
        value = math.prod(sums)
        steps += [f"The sum of the divisors is ${show(''.join(parts), value)}$."]
        return Draft(f"What is the sum of the positive divisors of ${n}$?", steps, str(value),
                     sympy.divisor_sigma(n))
    counts = [e + 1 for _, e in factors]
    value = math.prod(counts)
    steps += ["Each divisor picks an exponent for each prime, so the count is "
              f"${show(''.join(f'({e} + 1)' for _, e in factors), value)}$."]
    return Draft(f"How many positive divisors does ${n}$ have?", steps, str(value), sympy.divisor_count(n))


@template(SUBJECT)
def base_to_decimal(rng: random.Random, level: int) -> Draft:
    """Convert a base-b numeral to base 10 by place values."""
    base = rng.randint(2, 9)
    length = 2 + level // 2 + (level >= 4)
    digits = [rng.randint(1, base - 1)] + [rng.randint(0, base - 1) for _ in range(length - 1)]
    numeral = "".join(map(str, digits))
    terms = [(d, length - 1 - i) for i, d in enumerate(digits)]
    values = [d * base**p for d, p in terms]
    place_values = " + ".join(f"{d}{CDOT}{base}^{p}" for d, p in terms)
    steps = [f"In base ${base}$, the digits of ${numeral}_{{{base}}}$ are multiplied by powers of ${base}$.",
             f"${numeral}_{{{base}}} = {show(place_values, sum(values))}$."]
    return Draft(f"What is ${numeral}_{{{base}}}$ in base 10?", steps, str(sum(values)),
                 sympy.Integer(int(numeral, base)))


@template(SUBJECT)
def modular_inverse(rng: random.Random, level: int) -> Draft:
    """The inverse of a modulo m (m prime for small levels) by the extended Euclidean algorithm."""
    m = rng.choice([p for p in sympy.primerange(7, upto(level, 12))] if level <= 2 else range(7, upto(level, 12)))
    a = rng.choice([k for k in range(2, m) if math.gcd(k, m) == 1])
    steps = [f"I need $x$ with ${a}x \\equiv 1 \\pmod{{{m}}}$; I'll write each remainder of the Euclidean algorithm "
             f"as a combination of ${m}$ and ${a}$."]

    def combo(s: int, t: int, grouped: bool = False) -> str:
        if (s, t) == (0, 1):
            return str(a)
        text = f"{s} \\cdot {m} {'+' if t >= 0 else '-'} {abs(t)} \\cdot {a}"
        return f"({text})" if grouped else text
    # Remainders r0 = m, r1 = a, each r = s*m + t*a (the extended Euclidean algorithm).
    (r0, s0, t0), (r1, s1, t1) = (m, 1, 0), (a, 0, 1)
    while r1 != 1:
        q = r0 // r1
        r2, s2, t2 = r0 - q * r1, s0 - q * s1, t0 - q * t1
        steps.append(f"${show(f'{r0} - {q}{CDOT}{r1}', r2)}$, so ${r2} = {combo(s2, t2)}$"
                     + (f", as ${show(f'{s0} - {q}{CDOT}{paren(s1)}', s2)}$ and ${show(f'{t0} - {q}{CDOT}{paren(t1)}', t2)}$."
                        if r0 != m else "."))
        (r0, s0, t0), (r1, s1, t1) = (r1, s1, t1), (r2, s2, t2)
    value = t1 % m
    steps += [f"Reducing $1 = {combo(s1, t1)}$ modulo ${m}$ gives ${a} \\cdot {paren(t1)} \\equiv 1 \\pmod{{{m}}}$.",
              (f"${show(f'{t1} + {m}', value)}$, and indeed " if t1 != value else "Indeed, ")
              + f"${show(f'{a}{CDOT}{value} - {(a * value) // m}{CDOT}{m}', 1)}$."]
    return Draft(f"Find the inverse of ${a}$ modulo ${m}$, as a residue from $0$ to ${m - 1}$.", steps, str(value),
                 sympy.mod_inverse(a, m))


@template(SUBJECT)
def count_multiples(rng: random.Random, level: int) -> Draft:
    """How many multiples of k lie in [low, high] (level >= 4: multiples of k but not of j)."""
    k = rng.randint(2, 3 + 2 * level)
    low, high = rng.randint(1, upto(level, 10)), rng.randint(upto(level, 10) + 1, upto(level, 100))
    first, last = -(-low // k) * k, high // k * k
    count = (last - first) // k + 1
    steps = [f"The smallest multiple of ${k}$ that is at least ${low}$ is ${show(f'{k}{CDOT}{first // k}', first)}$.",
             f"The largest multiple of ${k}$ that is at most ${high}$ is ${show(f'{k}{CDOT}{last // k}', last)}$.",
             f"So the count is ${show(f'{FRAC}{{{last} - {first}}}{{{k}}} + 1', count)}$."]
    truth = sympy.Integer(sum(1 for v in range(low, high + 1) if v % k == 0))
    return Draft(f"How many multiples of ${k}$ are between ${low}$ and ${high}$, inclusive?", steps, str(count), truth)


@template(SUBJECT)
def digit_sum_divisibility(rng: random.Random, level: int) -> Draft:
    """The digit that makes a number divisible by 9 (or 3), using the digit-sum rule."""
    divisor = rng.choice((3, 9)) if level >= 2 else 9
    length = 3 + level
    digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(length - 2)]
    position = rng.randint(1, length - 1)
    known = sum(digits)
    candidates = [d for d in range(10) if (known + d) % divisor == 0]
    shown = "".join(map(str, digits[:position])) + "A" + "".join(map(str, digits[position:]))
    steps = [f"A number is divisible by ${divisor}$ exactly when its digit sum is.",
             f"The known digits add up to ${' + '.join(map(str, digits))} = {known}$.",
             f"So ${known} + A$ must be a multiple of ${divisor}$; the digits that work are "
             f"${', '.join(map(str, candidates))}$."]
    value = max(candidates)
    steps.append(f"The largest is $A = {value}$.")
    truth = sympy.Integer(max(d for d in range(10) if int(shown.replace("A", str(d))) % divisor == 0))
    return Draft(f"The number ${shown}$ has one unknown digit $A$. What is the largest digit $A$ for which the number is "
                 f"divisible by ${divisor}$?", steps, str(value), truth)
