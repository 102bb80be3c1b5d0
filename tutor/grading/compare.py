"""Equivalence of two final answers: fast exact paths first, the symbolic comparison only when needed.

1. Normalise both strings (`normalize.py`); equal normal forms are equal.
2. `fast.py` decides numbers, the expressions its little evaluator reads, and tuples, intervals, sets
   and matrices of those, in microseconds.
3. Anything else goes to math-verify + sympy in a worker process under a hard time limit (`timeout.py`,
   `symbolic.py`); results are cached per normalised pair.
A missing or unparseable answer, a timeout or any internal error is "not equivalent", logged at debug level.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict

from tutor.grading.fast import fast_compare
from tutor.grading.normalize import normalize_answer
from tutor.grading.timeout import GradingTimeout, run_with_limit

log = logging.getLogger(__name__)

_SYMBOLIC_CACHE_SIZE = 65536  # normalised pairs whose sympy verdict is kept
# No final answer is this long; longer strings are runaway generations and equal to nothing.
MAX_ANSWER_CHARS = 10_000

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
