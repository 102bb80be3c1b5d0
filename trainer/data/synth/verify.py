"""Re-verification of every synthetic record: the answer the grader extracts from the solution must be
equivalent to the independent sympy ground truth rendered with `sympy.latex`.

A mismatch is a bug in a template, never a record to skip, so it raises `SynthesisBug`. The fast path is
plain string identity after removing spacing-only LaTeX (`\\left`, `\\right`, spaces) — identical strings are
equivalent by definition; anything else goes to the grader's `is_equivalent`.
"""

from __future__ import annotations

import re

import sympy

from tutor.grading import extract_answer, is_equivalent

_SPACING = re.compile(r"\\left(?![a-zA-Z])|\\right(?![a-zA-Z])|\\[,;:! ]|\s+")


class SynthesisBug(AssertionError):
    """A template wrote a solution whose answer disagrees with its ground truth."""


def normalize_spacing(latex: str) -> str:
    """LaTeX with spacing-only commands and whitespace removed (`- \\frac{3}{4}` -> `-\\frac{3}{4}`)."""
    return _SPACING.sub("", latex)


def check(solution: str, truth: sympy.Basic, where: str) -> None:
    """Raise `SynthesisBug` unless the solution's extracted answer is equivalent to `truth`."""
    expected = sympy.latex(truth)
    got = extract_answer(solution)
    if got is not None and normalize_spacing(got) == normalize_spacing(expected):
        return
    if not is_equivalent(got, expected, timeout=5.0):
        raise SynthesisBug(f"{where}: solution answer {got!r} is not equivalent to sympy's {expected!r}")
