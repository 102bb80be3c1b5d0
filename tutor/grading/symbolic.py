"""The symbolic half of the equivalence check: math-verify parsing plus sympy comparison.

This module runs inside the grading worker processes (see `timeout.py`), never in the caller's process,
because sympy offers no way to bound its own running time. Everything here may be slow; nothing here may
raise: a failure is "not equivalent", logged at debug level.

On top of `math_verify.verify` it fixes two published failure modes of existing graders:
- numbers that agree to six decimal places but are different (`1/2004!` vs `1/2006!`) are compared
  with a relative tolerance instead of absolute rounding;
- `\\sqrt{1/n}` vs `\\frac{1}{\\sqrt n}` are only equal for positive n, the convention of competition
  answers, so expressions with fractional powers are also compared with their symbols taken positive.
"""

from __future__ import annotations

import logging
import random
from functools import lru_cache

import sympy
from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

from tutor.grading.fast import REL_TOL  # the same tolerance as the fast path, so both paths agree
from tutor.grading.numeric import SAMPLE_COUNT, sample_value

log = logging.getLogger(__name__)

# Random positive points at which two expressions in positive symbols must agree.
_SAMPLE_POINTS = 4
_EXTRACTION = (LatexExtractionConfig(), ExprExtractionConfig())


@lru_cache(maxsize=8192)
def parse_answer(answer: str) -> tuple:
    """math-verify's parse of one bare answer (boxed, so the whole string is the answer), cached."""
    parsed = parse(f"\\boxed{{{answer}}}", extraction_config=_EXTRACTION, parsing_timeout=None)
    if not parsed:
        parsed = parse(answer, extraction_config=_EXTRACTION, parsing_timeout=None)
    return tuple(parsed)


def _as_number(expr: object) -> sympy.Float | None:
    """A 30-digit float for a closed-form real number, else None."""
    if not isinstance(expr, sympy.Expr) or expr.free_symbols or not expr.is_number:
        return None
    value = expr.evalf(30)
    if not value.is_real or not value.is_finite:
        return None
    return value


def numbers_close(a: sympy.Float, b: sympy.Float, rel_tol: float = REL_TOL) -> bool:
    """Equal within a relative tolerance. sympy Floats, not Python floats: 2^65536 must not become inf."""
    return a == b or bool(abs(a - b) <= rel_tol * max(abs(a), abs(b)))


def _has_fractional_power(expr: sympy.Expr) -> bool:
    return any(p.exp.is_Rational and not p.exp.is_Integer for p in expr.atoms(sympy.Pow))


def _equal_for_positive_symbols(gold: object, pred: object) -> bool:
    """Numerically equal at random positive values of their (shared) symbols."""
    if not (isinstance(gold, sympy.Expr) and isinstance(pred, sympy.Expr)):
        return False
    symbols = gold.free_symbols
    if not symbols or symbols != pred.free_symbols:
        return False
    if not (_has_fractional_power(gold) or _has_fractional_power(pred)):
        return False
    rng = random.Random(0)
    for _ in range(_SAMPLE_POINTS):
        point = {s: sympy.Rational(rng.randint(2, 97), rng.randint(1, 13)) for s in symbols}
        a, b = _as_number(gold.subs(point)), _as_number(pred.subs(point))
        if a is None or b is None or not numbers_close(a, b):
            return False
    return True


def fingerprint(answer: str) -> dict | None:
    """A scalar answer's values at the fast path's sample points, computed by sympy, or None.

    Clustering compares these instead of running sympy on every pair. Only plain expressions in
    one-letter variables qualify (not sets, tuples, relations or matrices), and only values a float can
    hold: `1/2004!` is None, since rounding would make it equal `1/2006!`.
    """
    try:
        parsed = parse_answer(answer)
        if not parsed or not isinstance(parsed[0], sympy.Expr):
            return None
        expr = parsed[0]
        if any(len(s.name) != 1 for s in expr.free_symbols):
            return None
        samples = []
        for point in range(SAMPLE_COUNT):
            value = expr.subs({s: sympy.Float(sample_value(s.name, point).real) for s in expr.free_symbols}).evalf(30)
            if not value.is_number or (value != 0 and not 1e-100 < abs(value) < 1e100):
                return None
            as_complex = complex(value)
            samples.append([as_complex.real, as_complex.imag])
        return {"samples": samples, "variables": sorted(s.name for s in expr.free_symbols)}
    except Exception:  # noqa: BLE001 - no fingerprint: the caller compares pairwise instead
        log.debug("no fingerprint for %r", answer, exc_info=True)
        return None


def symbolic_equivalent(gold: str, pred: str) -> bool:
    """Whether two normalised answers are mathematically equal (math-verify + the fixes above)."""
    try:
        gold_parsed, pred_parsed = parse_answer(gold), parse_answer(pred)
        if not gold_parsed or not pred_parsed:
            return False
        gold_expr, pred_expr = gold_parsed[0], pred_parsed[0]
        gold_num, pred_num = _as_number(gold_expr), _as_number(pred_expr)
        if gold_num is not None and pred_num is not None:
            # math-verify rounds to 6 places, which calls 1/2004! and 1/2006! equal; be relative instead.
            return numbers_close(gold_num, pred_num)
        if verify(list(gold_parsed), list(pred_parsed), timeout_seconds=None):
            return True
        return _equal_for_positive_symbols(gold_expr, pred_expr)
    except Exception:  # noqa: BLE001 - bad model output must never crash grading
        log.debug("symbolic comparison failed for %r vs %r", gold, pred, exc_info=True)
        return False
