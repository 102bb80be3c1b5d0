"""Equivalence of two final answers: fast exact paths first, the symbolic comparison only when needed.

1. Normalise both strings (`normalize.py`); equal normal forms are equal.
2. `fast.py` decides numbers, the expressions its little evaluator reads, and tuples, intervals, sets
   and matrices of those, in microseconds.
3. Anything else goes to math-verify + sympy in a worker process under a hard time limit (`timeout.py`,
   `symbolic.py`); results are cached per normalised pair.
Clustering also uses `answer_signature`: an answer's values at shared sample points, from the fast
evaluator or computed once per answer by sympy, so N answers cost N symbolic calls instead of N^2.
A missing or unparseable answer, a timeout or any internal error is "not equivalent", logged at debug level.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

from tutor.grading.fast import AnswerValue, answer_value, fast_compare, values_equal
from tutor.grading.normalize import normalize_answer
from tutor.grading.timeout import GradingTimeout, run_with_limit

log = logging.getLogger(__name__)

_SYMBOLIC_CACHE_SIZE = 65536  # normalised pairs whose sympy verdict is kept
# No final answer is this long; longer strings are runaway generations and equal to nothing.
MAX_ANSWER_CHARS = 10_000


class _PairCache:
    """A thread-safe LRU of symbolic results: verdicts keyed by the normalised (candidate, reference)
    pair, fingerprints by the normalised answer."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[object, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: object) -> object:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: object, verdict: object) -> None:
        with self._lock:
            self._items[key] = verdict
            if len(self._items) > self._size:
                self._items.popitem(last=False)


_symbolic_cache = _PairCache(_SYMBOLIC_CACHE_SIZE)
_NO_FINGERPRINT = "none"  # cached marker: sympy could not fingerprint this answer
# Answers that are not a single scalar expression; sympy cannot fingerprint them, so don't ask.
_NOT_SCALAR = ("=", ",", r"\cup", r"\begin", r"\in", "<", ">", r"\pm", r"\le", r"\ge")


@dataclass(frozen=True)
class Signature:
    """An answer's values at the shared sample points, from the fast evaluator or from sympy."""

    value: AnswerValue
    from_sympy: bool


def answer_signature(answer: str, timeout: float = 1.0) -> Signature | None:
    """The answer's values at the sample points (fast path first, else sympy in a worker; cached)."""
    normal = normalize_answer(answer)
    if not normal:
        return None
    value = answer_value(normal)
    if value is not None:
        return Signature(value, from_sympy=False)
    if any(marker in normal for marker in _NOT_SCALAR) or len(normal) > MAX_ANSWER_CHARS:
        return None
    cached = _symbolic_cache.get(normal)
    if cached is None:
        try:
            cached = run_with_limit("fingerprint", normal, timeout=timeout) or _NO_FINGERPRINT
        except (GradingTimeout, Exception):  # noqa: BLE001 - no fingerprint: compare pairwise instead
            log.debug("no fingerprint for %.80r", answer, exc_info=True)
            return None
        _symbolic_cache.put(normal, cached)
    if cached == _NO_FINGERPRINT:
        return None
    samples = tuple(complex(real, imag) for real, imag in cached["samples"])
    return Signature(AnswerValue(samples, frozenset(cached["variables"]), decimal="." in normal), from_sympy=True)


def signatures_equal(a: Signature, b: Signature) -> bool | None:
    """Compare two signatures; None where their variable names may not be comparable.

    math-verify may fold the case of variable names while parsing, so a sympy fingerprint and a fast
    signature that both have variables are only compared when they name the same lower-case variables.
    """
    names_a, names_b = a.value.variables, b.value.variables
    comparable_names = names_a == names_b and all(name.islower() for name in names_a)
    if a.from_sympy != b.from_sympy and names_a and names_b and not comparable_names:
        return None
    return values_equal(a.value, b.value)


def is_equivalent(a: str | None, b: str | None, timeout: float = 1.0) -> bool:
    """Whether candidate answer `a` means the same as reference answer `b`; never raises on bad input.

    `timeout` bounds the symbolic comparison in seconds, in any thread; running past it means False.
    """
    try:
        if not isinstance(a, str) or not isinstance(b, str):
            return False
        if len(a) > MAX_ANSWER_CHARS or len(b) > MAX_ANSWER_CHARS:
            log.debug("answer of %d characters is not graded", max(len(a), len(b)))
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
