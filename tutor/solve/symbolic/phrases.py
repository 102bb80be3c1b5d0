"""Phrases over a problem's segments, computed and put back as math: `the remainder when E is divided by N`,
`E mod N`, `the gcd of 12 and 18`, `lcm(4, 6, 10)`, and word operators (`1.2 times 0.5`, `3 squared`).

Each pass rewrites `Reading.segments` in place. A phrase whose operands could be read two ways gives no
reading at all (`NotReadable`): `3 * 17 mod 5` ((3 * 17) mod 5, or 3 * (17 mod 5)?), `the lcm of 4 and 6
times 2` (lcm(4, 6) * 2, or lcm(4, 12)?).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import sympy

from tutor.grading.fast import split_top_level
from tutor.solve.symbolic.segments import IllPosed, NotReadable, Reading, Segment

Evaluate = Callable[[str], sympy.Expr]

# Words that are read only inside the phrases below.
PHRASE_WORDS = frozenset(
    "remainder when dividing divided by it is mod modulo gcd lcm of the numbers integers plus minus times "
    "multiplied over squared cubed".split()
)
_WORD_OPERATORS = {("plus",): "+", ("minus",): "-", ("times",): r" \times ", ("multiplied", "by"): r" \times ",
                   ("divided", "by"): r" \div ", ("over",): "/"}
_POSTFIX_WORDS = {"squared": "^2", "cubed": "^3"}
_DIVISOR = re.compile(r"\{?\s*-?\d+\s*\}?")
SIGNED_NUMBER = r"-?\d+(?:\.\d+)?"
# What may follow an operand that ends a phrase: the end, a sentence's end, or a word (`20 more` is not `20`).
# Not `!`: `11! + 12!` is math, not a sentence ending after 11.
OPERAND_ENDS = r"(?=\s*$|\s*[?.,;:]+(?:\s|$)|\s+[A-Za-z]{2,})"
_PLAIN_SIGNED_NUMBER = re.compile(SIGNED_NUMBER)
_FRACTION = re.compile(r"-?\d+(?:\.\d+)?\s*/\s*\d+(?:\.\d+)?")


def words_at(segments: list[Segment], i: int, *words: str) -> bool:
    return all(i + k < len(segments) and segments[i + k].kind == "word" and segments[i + k].text == w
               for k, w in enumerate(words))


def _replace(reading: Reading, start: int, stop: int, text: str, kind: str) -> None:
    reading.segments[start:stop] = [Segment("math", text, computed=True)]
    reading.kinds.append(kind)


def remainder(reading: Reading, evaluate: Evaluate) -> None:
    """`the remainder when E is divided by N`, `the remainder of E divided by N`, `E mod N`, `E modulo N`."""
    s = reading.segments
    i = 0
    while i < len(s):
        match = _remainder_phrase(s, i)
        if match is None:
            i += 1
            continue
        start, stop, dividend, divisor, whole = match
        if whole and _polynomial_remainder(reading, start, stop, dividend, divisor, evaluate):
            i = start + 1
            continue
        if not whole and not _is_atom(dividend):
            raise NotReadable("`3 * 17 mod 5`: (3 * 17) mod 5, or 3 * (17 mod 5)?")
        if not _DIVISOR.fullmatch(divisor):
            raise NotReadable("a divisor that is not one number: `100 mod 7 + 1` could mean either")
        value = _integer(evaluate(dividend))
        modulus = _integer(evaluate(divisor))
        if value is None or modulus is None or modulus < 0:
            raise NotReadable("a remainder of other than integers")
        if modulus == 0:
            raise IllPosed("This problem divides by zero, so it has no answer.")
        _replace(reading, start, stop, str(value % modulus), "mod")
        i = start + 1


def _polynomial_remainder(reading: Reading, start: int, stop: int, dividend: str, divisor: str,
                          evaluate: Evaluate) -> bool:
    """`the remainder when x^3 - 2x + 5 is divided by x - 2`: polynomials in one variable with a number for
    the remainder (the divisor linear, or any that leaves a constant); False where the dividend is a number."""
    top, bottom = evaluate(dividend), evaluate(divisor)
    letters = top.free_symbols | bottom.free_symbols
    if not letters:
        return False
    if len(letters) != 1 or not bottom.free_symbols:
        raise NotReadable("a remainder of other than polynomials in one variable")
    x = letters.pop()
    if not (top.is_polynomial(x) and bottom.is_polynomial(x)):
        raise NotReadable("a remainder of other than polynomials")
    rest = sympy.rem(sympy.expand(top), sympy.expand(bottom), x)
    if rest.free_symbols:
        raise NotReadable("a remainder that is itself a polynomial")
    _replace(reading, start, stop, f"({sympy.latex(rest)})", "mod")
    return True


def _remainder_phrase(s: list[Segment], i: int) -> tuple[int, int, str, str, bool] | None:
    """(start, stop, dividend, divisor, whole) of a remainder phrase beginning at segment i, else None;
    `whole`: the phrase says the dividend is all of its span ("the remainder when E is divided by N")."""
    if words_at(s, i, "remainder"):
        j = i + 1
        if (words_at(s, j, "when", "dividing") or words_at(s, j, "of", "dividing")) and is_math(s, j + 2) \
                and words_at(s, j + 3, "by") and is_math(s, j + 4):
            return i, j + 5, s[j + 2].text, s[j + 4].text, True
        if not (words_at(s, j, "when") or words_at(s, j, "of")) or not is_math(s, j + 1):
            return None
        k = j + 2
        for optional in ("when", "it", "is"):
            k += words_at(s, k, optional)
        if words_at(s, k, "divided", "by") and is_math(s, k + 2):
            return i, k + 3, s[j + 1].text, s[k + 2].text, True
        if (words_at(s, k, "mod") or words_at(s, k, "modulo")) and is_math(s, k + 1):
            return i, k + 2, s[j + 1].text, s[k + 1].text, False
        return None
    if is_math(s, i) and (words_at(s, i + 1, "mod") or words_at(s, i + 1, "modulo")) and is_math(s, i + 2):
        return i, i + 3, s[i].text, s[i + 2].text, False
    return None


def _is_atom(text: str) -> bool:
    """A number, a power or a bracketed group: no operator outside brackets (a leading sign aside)."""
    body = text.strip().lstrip("-")
    for operator in ("+", "-", "*", "/"):
        if len(split_top_level(body, operator)) > 1:
            return False
    return not re.search(r"\\(?:cdot|times|div)\b", re.sub(r"\([^()]*\)|\{[^{}]*\}", "", body))


def is_math(s: list[Segment], i: int) -> bool:
    return 0 <= i < len(s) and s[i].kind == "math"


def _integer(value: sympy.Expr) -> int | None:
    return int(value) if isinstance(value, sympy.Expr) and value.is_Integer else None


def gcd_lcm(reading: Reading) -> None:
    """`gcd(12, 18)`, `the gcd of 12 and 18`, `lcm of 4, 6, and 10`, `gcd of the numbers 12 and 18`."""
    s = reading.segments
    i = 0
    while i < len(s):
        if not (words_at(s, i, "gcd") or words_at(s, i, "lcm")):
            i += 1
            continue
        name = s[i].text
        j = i + 1
        j += words_at(s, j, "of")
        j += words_at(s, j, "the")
        j += words_at(s, j, "numbers") or words_at(s, j, "integers")
        listed, stop = listed_numbers(s, j)
        values = [int(v) for v in listed if v.is_Integer]
        if len(values) < 2 or len(values) != len(listed):
            raise NotReadable(f"a {name} of other than listed integers")
        result = math.gcd(*values) if name == "gcd" else math.lcm(*values)
        _replace(reading, i, stop, str(result), name)
        i += 1


def skip_words(s: list[Segment], i: int, words: frozenset[str]) -> int:
    """Past the words of `words` from segment i."""
    while i < len(s) and s[i].kind == "word" and s[i].text in words:
        i += 1
    return i


def joiner(s: list[Segment], i: int, *words: str) -> int:
    """Past an optional comma and one of `words` (`, and`), or i when neither is there."""
    j = i + (i < len(s) and s[i].kind == "punct" and s[i].text == ",")
    return j + 1 if any(words_at(s, j, w) for w in words) else j


_NUMBER_LIST = re.compile(rf"[(\[{{]?\s*({SIGNED_NUMBER}(?:\s*,\s*{SIGNED_NUMBER})+)\s*[)\]}}]?|\\{{\s*({SIGNED_NUMBER}(?:\s*,\s*{SIGNED_NUMBER})+)\s*\\}}")


def listed_numbers(s: list[Segment], i: int) -> tuple[list[sympy.Rational], int]:
    """Plain numbers listed from segment i (`3, 5, 7`, `3, 5 and 7`, `{3, 5, 7}`) and where the list ends;
    NotReadable when the list runs on into math that is not a plain number (`3, 5 and x`)."""
    if is_math(s, i) and (bracketed := _NUMBER_LIST.fullmatch(s[i].text)):
        values, stop = [sympy.Rational(n) for n in re.findall(SIGNED_NUMBER, bracketed.group(1) or bracketed.group(2))], i + 1
    else:
        values, stop = [], i
        while is_math(s, stop) and _PLAIN_SIGNED_NUMBER.fullmatch(s[stop].text):
            values.append(sympy.Rational(s[stop].text))
            following = joiner(s, stop + 1, "and")
            if not is_math(s, following):
                stop += 1
                break
            stop = following
    if is_math(s, joiner(s, stop, "and")) or is_math(s, stop):
        raise NotReadable("a list that runs on into something other than a plain number")
    return values, stop


def postfix_words(reading: Reading) -> None:
    """`3 squared`, `2 cubed` (before the binary words: `2 plus 3 squared` is 2 + 3^2)."""
    s = reading.segments
    for i in range(len(s) - 2, -1, -1):
        if s[i].kind == "math" and s[i + 1].kind == "word" and s[i + 1].text in _POSTFIX_WORDS:
            s[i : i + 2] = [Segment("math", f"({s[i].text}){_POSTFIX_WORDS[s[i + 1].text]}")]


def word_operators(reading: Reading) -> None:
    """`1.2 times 0.5`, `5 plus 3`, `12 divided by 4`: words between two spans become operators."""
    s = reading.segments
    i = 0
    while i < len(s):
        for words, operator in _WORD_OPERATORS.items():
            if is_math(s, i) and words_at(s, i + 1, *words) and is_math(s, i + 1 + len(words)):
                if s[i].computed:
                    raise NotReadable("a word operator after a phrase: `the lcm of 4 and 6 times 2`")
                stop = i + 2 + len(words)
                left, right = s[i].text, s[stop - 1].text
                if operator.strip() not in ("+", "-"):  # `3/4 divided by 1/2` is (3/4) / (1/2), not 3/4/1/2
                    left, right = (f"({side})" if _FRACTION.fullmatch(side.strip()) else side for side in (left, right))
                s[i:stop] = [Segment("math", f"{left} {operator} {right}")]
                break
        else:
            i += 1
