"""Equivalence of two final answers: fast exact paths first, the symbolic comparison only when needed.

1. Normalise both strings (`normalize.py`); equal normal forms are equal.
2. Numbers (integers, decimals, `a/b`, `\\frac{a}{b}`), `x = number` assignments, and tuples, intervals
   and sets of numbers are decided here with exact rationals: no parsing library, microseconds a pair.
   Decimals against other numbers use a relative tolerance.
3. Anything else goes to math-verify + sympy in a worker process under a hard time limit (`timeout.py`,
   `symbolic.py`); results are cached per normalised pair.
A missing or unparseable answer, a timeout or any internal error is "not equivalent", logged at debug level.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from fractions import Fraction

from tutor.grading.normalize import normalize_answer
from tutor.grading.timeout import GradingTimeout, run_with_limit

log = logging.getLogger(__name__)

# Decimals vs other numbers: equal within this relative tolerance (0.333333 = 1/3, 0.33 != 1/3).
REL_TOL = 1e-6
# Digits beyond which a literal is left to sympy (Fraction of a huge literal would be slow to build).
_MAX_DIGITS = 60
_INTEGER_OR_DECIMAL = re.compile(r"^([+-]?)(\d+\.?\d*|\.\d+)$")
_FRACTION = re.compile(r"^([+-]?)(?:\\frac\{([+-]?\d+)\}\{([+-]?\d+)\}|(\d+)/(\d+))$")
_ASSIGNMENT = re.compile(r"^([a-zA-Z](?:_\{?\w+\}?)?)=([^=<>]+)$")
_INFINITY = {r"\infty": Fraction(10**100), r"+\infty": Fraction(10**100), r"-\infty": Fraction(-(10**100))}
_SYMBOLIC_CACHE_SIZE = 65536


@dataclass(frozen=True)
class _Number:
    value: Fraction
    exact: bool  # False for decimal literals, which compare with a relative tolerance


def parse_number(text: str) -> _Number | None:
    """A plain numeric literal as an exact rational, or None. Never evaluates anything."""
    if len(text) > _MAX_DIGITS:
        return None
    match = _INTEGER_OR_DECIMAL.match(text)
    if match:
        value = Fraction(match.group(2))
        return _Number(-value if match.group(1) == "-" else value, exact="." not in text)
    match = _FRACTION.match(text)
    if match:
        numerator, denominator = (match.group(2), match.group(3)) if match.group(2) else match.group(4, 5)
        if int(denominator) == 0:
            return None
        value = Fraction(int(numerator), int(denominator))
        return _Number(-value if match.group(1) == "-" else value, exact=True)
    if text in _INFINITY:
        return _Number(_INFINITY[text], exact=True)
    return None


def numbers_equal(a: _Number, b: _Number) -> bool:
    if a.exact and b.exact:
        return a.value == b.value
    return abs(a.value - b.value) <= REL_TOL * max(abs(a.value), abs(b.value))


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside (), [] or {}."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _structure(text: str) -> tuple[str, list[_Number]] | None:
    """(kind, numbers) for a number, a tuple/interval or a set of plain numbers; None otherwise.

    Kinds: "number"; "()" (a tuple or open interval: the same string either way), "[]", "[)", "(]"
    (ordered); "set" for `\\{...\\}` and bare comma lists, the MATH convention for "all solutions".
    """
    number = parse_number(text)
    if number is not None:
        return "number", [number]
    if text.startswith(r"\{") and text.endswith(r"\}"):
        kind, body = "set", text[2:-2]
    elif len(text) >= 2 and text[0] in "([" and text[-1] in ")]":
        kind, body = text[0] + text[-1], text[1:-1]
    else:
        kind, body = "set", text
    parts = _split_top_level(body)
    if len(parts) < 2 and not text.startswith(r"\{"):
        return None  # `(5)`, `[5]` or a lone non-number: let sympy read it
    numbers = [parse_number(part) for part in parts]
    if any(n is None for n in numbers):
        return None
    return kind, numbers


def _sets_equal(a: list[_Number], b: list[_Number]) -> bool:
    return all(any(numbers_equal(x, y) for y in b) for x in a) and all(any(numbers_equal(x, y) for y in a) for x in b)


def fast_compare(a: str, b: str) -> bool | None:
    """Decide two normalised answers without sympy when both are numeric; None when undecided."""
    assign_a, assign_b = _ASSIGNMENT.match(a), _ASSIGNMENT.match(b)
    if assign_a and assign_b:
        if assign_a.group(1) != assign_b.group(1):
            return None  # `x=2` vs `y=2`: whether that matters is sympy's (math-verify's) call
        a, b = assign_a.group(2), assign_b.group(2)
    elif assign_a:
        a = assign_a.group(2)
    elif assign_b:
        b = assign_b.group(2)
    sa, sb = _structure(a), _structure(b)
    if sa is None or sb is None:
        return None
    (kind_a, nums_a), (kind_b, nums_b) = sa, sb
    if kind_a == "number" and kind_b == "number":
        return numbers_equal(nums_a[0], nums_b[0])
    if kind_a != kind_b:
        # A one-element set equals its number (`\{5\}` vs `5` are both "the answer 5"); else different.
        if {kind_a, kind_b} == {"number", "set"}:
            return _sets_equal(nums_a, nums_b)
        return False
    if kind_a == "set":
        return _sets_equal(nums_a, nums_b)
    return len(nums_a) == len(nums_b) and all(numbers_equal(x, y) for x, y in zip(nums_a, nums_b))


class _PairCache:
    """A thread-safe LRU of symbolic verdicts keyed by the normalised (candidate, reference) pair."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, str], bool] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> bool | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: tuple[str, str], verdict: bool) -> None:
        with self._lock:
            self._items[key] = verdict
            if len(self._items) > self._size:
                self._items.popitem(last=False)


_symbolic_cache = _PairCache(_SYMBOLIC_CACHE_SIZE)


def is_equivalent(a: str | None, b: str | None, timeout: float = 1.0) -> bool:
    """Whether candidate answer `a` means the same as reference answer `b`; never raises on bad input.

    `timeout` bounds the symbolic comparison in seconds, in any thread; running past it means False.
    """
    try:
        if not isinstance(a, str) or not isinstance(b, str):
            return False
        norm_a, norm_b = normalize_answer(a), normalize_answer(b)
        if not norm_a or not norm_b:
            return False
        if norm_a == norm_b:
            return True
        fast = fast_compare(norm_a, norm_b)
        if fast is not None:
            return fast
        cached = _symbolic_cache.get((norm_a, norm_b))
        if cached is not None:
            return cached
        verdict = bool(run_with_limit("equivalent", norm_b, norm_a, timeout=timeout))
        _symbolic_cache.put((norm_a, norm_b), verdict)
        return verdict
    except GradingTimeout:
        log.debug("comparison timed out after %.2f s: %.80r vs %.80r", timeout, a, b)
        return False
    except Exception:  # noqa: BLE001 - grading must never crash on model output
        log.debug("comparison failed: %.80r vs %.80r", a, b, exc_info=True)
        return False
