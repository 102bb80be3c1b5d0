"""The calculator a sample writes with: when a solution writes `=` after a variable-free expression inside a
math span, the value is computed here and written for it (Cobbe et al. 2021 sampled GSM8K solutions the
same way: after `<<48/2=` the calculator wrote `24`).

    calculate(r"12 \\cdot 7")                   # -> "84"
    calculate(r"\\frac{3}{4} + \\frac{1}{6}")    # -> "\\frac{11}{12}"
    calculate("1.2 \\cdot 0.5")                 # -> "0.6"
    calculate(r"\\sqrt{2} \\cdot 3")             # -> None (irrational values are not forced)
    completion("So $-3x = 59 - 5 =")           # -> " 54": what to append to the text so far

The value comes from the grader's bounded evaluator in exact mode (`tutor.grading.numeric.exact_value`);
nothing is `eval`ed. The result is written the way the training data writes it (`trainer.data.synth`
formats numbers with this module): an integer; a fraction in lowest terms as `\\frac{p}{q}` with the
sign outside; a decimal when the left side has decimals (exact when it terminates, else rounded).
"""

from __future__ import annotations

import re
from fractions import Fraction
from functools import lru_cache

from tutor.grading.fast import split_top_level
from tutor.grading.normalize import normalize_answer
from tutor.grading.numeric import exact_value

MAX_SIDE = 200  # characters of a left side the calculator reads; a longer one is left to the model
MAX_SPAN = 600  # characters of the open math span looked at
MAX_DIGITS = 30  # a result longer than this is not forced (the model would not have written it either)
EXACT_DECIMALS = 6  # a terminating decimal with at most this many places is written exactly
ROUNDED_DECIMALS = 2  # otherwise rounded to this many places (or as many as the left side shows)

_DECIMAL = re.compile(r"\d*\.\d+")
_OPERATOR = re.compile(r"[-+*/^!]|\\(?:cdot|times|div|frac)")
# A relation or separator before the `=` makes what precedes it something other than one expression.
_NOT_ONE_EXPRESSION = re.compile(r"[<>≤≥≠≈,;:%]|\\(?:le|ge|leq|geq|ne|neq|approx|equiv|sim|pmod|bmod|mod|pm|mp|"
                                 r"text\w*|mbox|mathrm|quad|qquad|in|to|implies|Rightarrow)\b")
_OPENERS = (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]"))


def format_value(value: Fraction, decimals: int | None = None) -> str | None:
    """`value` as the data writes it; `decimals` is the most decimal places the left side shows (None when it
    shows none). None when the value would be unreadable as a written number (too long, rounds to 0)."""
    if value.denominator == 1:
        text = str(value.numerator)
    elif decimals is not None:
        text = _decimal(value, decimals)
        if text is None:
            return None
    else:
        sign = "-" if value < 0 else ""
        text = f"{sign}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"
    return text if len(text) <= MAX_DIGITS else None


def _decimal(value: Fraction, shown: int) -> str | None:
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    places = EXACT_DECIMALS if denominator == 1 else max(ROUNDED_DECIMALS, shown)
    scaled = round(value * 10**places)
    if scaled == 0:
        return None  # "0.00" for a small non-zero value would be a false step
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled)).rjust(places + 1, "0")
    text = f"{digits[:-places]}.{digits[-places:]}".rstrip("0").rstrip(".")
    return sign + text


@lru_cache(maxsize=8192)
def calculate(left: str) -> str | None:
    """The value of the variable-free expression `left` as the data writes it, or None when `left` is not
    something to compute: a bare number, an expression with a variable, an irrational or undefined value."""
    if len(left) > MAX_SIDE or _NOT_ONE_EXPRESSION.search(left):  # before normalising drops `%`, units, `\text`
        return None
    text = normalize_answer(left.strip())
    if not text or not _OPERATOR.search(text.lstrip("-+")) or _NOT_ONE_EXPRESSION.search(text):
        return None
    value = exact_value(text)
    if value is None:
        return None
    decimals = [len(m.group().split(".")[1]) for m in _DECIMAL.finditer(text)]
    result = format_value(value, max(decimals) if decimals else None)
    return None if result == text else result  # `\\frac{3}{2} =` is already in lowest terms


def open_math_span(text: str) -> str | None:
    """The content of the math span still open at the end of `text` (`$...`, `$$...`, `\\(...`, `\\[...`),
    or None when the text ends outside math."""
    inside: tuple[str, int] | None = None  # (closing delimiter, where the content starts)
    i = 0
    while i < len(text):
        if text[i] == "\\" and text[i + 1 : i + 2] == "$":
            i += 2  # an escaped dollar sign
            continue
        if inside is None:
            for opener, closer in _OPENERS:
                if text.startswith(opener, i):
                    inside = (closer, i + len(opener))
                    i += len(opener)
                    break
            else:
                i += 1
        elif text.startswith(inside[0], i):
            i += len(inside[0])
            inside = None
        else:
            i += 1
    return None if inside is None else text[inside[1] :]


def completion(text: str) -> str | None:
    """What the calculator writes after `text` (a solution so far), or None.

    It writes only when `text` ends with a top-level `=` (and at most one space) inside an open math span,
    and the side before that `=` (back to the previous top-level `=` or the span's start) computes.
    """
    stripped = text.rstrip(" ")
    if not stripped.endswith("=") or len(text) - len(stripped) > 1:
        return None
    span = open_math_span(stripped)
    if span is None or len(span) > MAX_SPAN:
        return None
    body = span[:-1]
    if body.endswith(("<", ">", "!", ":", "=", "\\")):
        return None  # `<=`, `!=`, `:=`, `==`, `\=`
    sides = split_top_level(body, "=")
    depth = sum(body.count(c) for c in "([{") - sum(body.count(c) for c in ")]}")
    if depth != 0:
        return None  # the `=` is inside a group: `f(x=`, `\frac{a=`
    result = calculate(sides[-1])
    if result is None:
        return None
    return result if text.endswith(" ") else " " + result
