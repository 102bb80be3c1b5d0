"""String normalisation of MATH-style answers: cheap, deterministic, meaning-preserving.

The result is both the clustering key (two answers with the same normal form are equal without any
parsing) and the input of the symbolic comparison. It only removes notation that never changes the value:
display-style commands, `\\left`/`\\right`, spacing, units and `\\text{}` wrappers, degrees, percent and
dollar signs, thousands separators, plain-text `pi`/`sqrt`/`infinity`, multiple-choice parentheses.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Commands that only change how something is typeset.
_DROP = (
    r"\left", r"\right", r"\displaystyle", r"\textstyle", r"\quad", r"\qquad",
    r"\big", r"\Big", r"\bigg", r"\Bigg", "\\$", "$",
)
# Thin/negative spaces `\, \! \; \: \ ` (but not the `\\` row break before a space in a matrix).
_SPACING = re.compile(r"(?<!\\)\\[,;:! ]")
_RENAME = {r"\dfrac": r"\frac", r"\tfrac": r"\frac", r"\cfrac": r"\frac", r"\lbrack": "[", r"\rbrack": "]",
           r"\lbrace": r"\{", r"\rbrace": r"\}", r"\varnothing": r"\emptyset", "bmatrix}": "pmatrix}", "−": "-", "π": r"\pi", "∞": r"\infty", "√": r"\sqrt"}
_DEGREES = re.compile(r"\^\s*\{?\s*\\circ\s*\}?|\\circ|°|\\degree")
_PERCENT = re.compile(r"\\?%")
# Words that are units when they follow a number: "5 cm", "12\text{ inches}", "3 square feet". No
# one-letter units (m, g) or `in`: after a number those are far more often variables (`3m`, `2in` = 2in).
_UNIT_WORDS = (
    r"(?:square |cubic |sq\.? )?(?:units?|cm|mm|km|meters?|metres?|centimeters?|inch(?:es)?|feet|foot|ft|"
    r"yards?|miles?|mph|seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|degrees?|"
    r"radians?|dollars?|cents?|pounds?|lbs?|ounces?|oz|grams?|kg|liters?|litres?|gallons?|"
    r"people|students?|ways?|points?|marbles?|coins?|apples?|eggs?|books?|pages?)"
)
_UNIT_AFTER_NUMBER = re.compile(rf"(?<=[\d}}])\s*(?:{_UNIT_WORDS})(?:\^\{{?[23]\}}?|\^[23])?\s*$")
_TEXT_CMD = re.compile(r"\\(?:text|textbf|textit|textrm|mathrm|mathbf|mbox|operatorname)\s*\{([^{}]*)\}")
_TEXT_UNIT_AFTER_VALUE = re.compile(rf"(?<=[\d}})])\s*\\(?:text|mbox|mathrm)\s*\{{\s*{_UNIT_WORDS}\s*\}}(?:\^\{{?[23]\}}?|\^[23])?")
_THOUSANDS = re.compile(r"^(?:[a-zA-Z]=)?-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")  # also `x=58,500`
_CHOICE = re.compile(r"^\(?\s*([A-E])\s*\)?$")
_PLAIN_PI = re.compile(r"(?<![\\a-zA-Z])pi(?![a-zA-Z])")
_PLAIN_INF = re.compile(r"(?<![\\a-zA-Z])(?:infinity|inf|oo)(?![a-zA-Z])")
_PLAIN_SQRT = re.compile(r"(?<!\\)\bsqrt\s*\(([^()]*)\)")
_FRAC_DIGITS = re.compile(r"\\frac\s*(\d)\s*(\d)")
_SQRT_DIGIT = re.compile(r"\\sqrt\s*(\d)")
_SPACES = re.compile(r"\s+")
# Longest answer we normalise at all; longer strings are compared only as given.
MAX_LENGTH = 2000


def _strip_text(answer: str) -> str:
    answer = _TEXT_UNIT_AFTER_VALUE.sub("", answer)
    previous = None
    while previous != answer:  # unwrap nested \text{\textbf{...}} from the inside out
        previous = answer
        answer = _TEXT_CMD.sub(lambda m: m.group(1), answer)
    return answer


@lru_cache(maxsize=16384)
def normalize_answer(answer: str) -> str:
    """The normal form of one answer (see the module docstring); the empty string for no answer."""
    if not isinstance(answer, str):
        return ""
    answer = answer.strip()
    if len(answer) > MAX_LENGTH:
        return answer
    for old, new in _RENAME.items():
        answer = answer.replace(old, new)
    answer = _DEGREES.sub("", answer)
    answer = _PERCENT.sub("", answer)
    answer = _strip_text(answer)
    answer = answer.replace(r",\!", "{,}")  # MATH's thousands separator: 10,\!080
    answer = _SPACING.sub("", answer)
    for token in _DROP:
        answer = answer.replace(token, " " if token.startswith("\\") and token[1:].isalpha() else "")
    answer = _SPACES.sub(" ", answer).strip()
    answer = _UNIT_AFTER_NUMBER.sub("", answer).strip()
    answer = answer.rstrip(".").strip()
    answer = _PLAIN_PI.sub(r"\\pi", answer)
    answer = _PLAIN_INF.sub(r"\\infty", answer)
    answer = _PLAIN_SQRT.sub(r"\\sqrt{\1}", answer)
    answer = _FRAC_DIGITS.sub(r"\\frac{\1}{\2}", answer)
    answer = _SQRT_DIGIT.sub(r"\\sqrt{\1}", answer)
    # Spaces carry no meaning in LaTeX math except between letters (`\pi r`, `x \in`).
    answer = re.sub(r"(?<![a-zA-Z])\s+|\s+(?![a-zA-Z])", "", answer)
    answer = re.sub(r"(?<=\d)\{,\}(?=\d{3})", "", answer)  # `{,}` between digits only ever separates thousands
    if _THOUSANDS.match(answer):
        answer = answer.replace(",", "")
    choice = _CHOICE.match(answer)
    if choice:
        answer = choice.group(1)
    return answer
