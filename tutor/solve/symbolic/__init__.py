"""The direct computation of a problem's answer, where the problem is directly computable: evidence the
tutor shows over the model's votes, so a computed answer must be certain.

    from tutor.solve.symbolic import analyse, start
    analyse("Solve 3x + 7 = 22")       # Analysis(status="computed", kind="equation", answer="5", ...)
    analyse("divide 5 by zero")        # Analysis(status="ill_posed", detail="This problem divides by zero, ...")
    analyse("Solve 3x + 7 = 22 where x is even")   # Analysis(status="not_applicable", ...)
    pending = start(problem)           # before sampling; pending.result() after it

It claims an answer only when it has read the whole statement: every word is filler ("what is", "solve
for x", "please") or part of a phrase it reads (`the remainder when E is divided by N`, `20% of 45`,
`log base 3 of 81`, `gcd(12, 18)`), and every math span parses with the one expression parser the grader
uses (`tutor.grading.expression`, here building sympy values through `domain.SympyDomain`). The problem
text is never handed to a string evaluator (sympy's or Python's). It reads arithmetic (fractions,
decimals, powers, roots, factorials, percentages, logarithms with a base, binomial coefficients, 2x2 and
3x3 determinants), equations in one unknown (polynomial, rational), square linear systems of 2 or 3
equations, gcd/lcm, remainders, and decimal <-> fraction conversions; and school questions known by their
words (`questions`): the mean, median, mode or range of listed numbers, the slope, distance or midpoint of
two points, a polynomial's derivative, a named function at a number (`f(4)`, `f'(2)`, `f(g(8))`), the
larger/smaller/positive/negative root, the n-th term of an arithmetic or geometric sequence, a trigonometric
value in degrees, "what percent of", a percent change, a right triangle's sides, a named shape's measure
from other measures (`shapes`), divisors, bases, multiples, arrangements, one die or card, polygon angles,
degrees and radians, vectors, periods, unit conversions, prices (`curriculum`), and an expression's form
(expand, factor, simplify), complex numbers, a line's slope and intercepts, a parabola's extremum, digits,
inequalities (`algebra`); limits of rational functions, derivatives with sin/cos/tan, sums over a range,
prime factorizations, points and vectors answered whole (`questions`, `curriculum`); equations with one
square root, and angle equations in [0, 2pi) (`equations`); and short word problems told as a story
(`stories`: schedules, outfits, codes, cards, spinners, ladders, interest, committees, rates, scores, prices,
ratios, draws, coins, identical groups), each read by its key phrases and a small vocabulary of its own.
Small typos in the words it knows are corrected first (`spelling`). Math that students type one way and
mean another (`1 1/2`, `x2`, `1/2x`, `8^2/3`, `1,000`, `3 * 17 mod 5`) gets no claim.

Modules: `reader` (words and math spans), `phrases` (remainder, gcd/lcm, word operators), `questions`
(the school questions), `shapes`, `curriculum`, `algebra` (more of them), `stories`, `spelling`, `segments`
(the reader's data and verdicts), `domain` (sympy values, bounded), `equations` (solving),
`engine` (the analysis in-process: `analyse_here`, `compute`), `client` (the time limit: a worker op
under the grader's killable worker pool; `analyse`, `start`, `cross_check`), `analysis` (`Analysis`).
"""

import importlib

_EXPORTS = {
    "Analysis": "analysis",
    "STATUSES": "analysis",
    "analyse": "client",
    "start": "client",
    "PendingAnalysis": "client",
    "PendingComputation": "client",
    "cross_check": "client",
    "Computed": "engine",
    "analyse_here": "engine",
    "compute": "engine",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'tutor.solve.symbolic' has no attribute {name!r}")
    return getattr(importlib.import_module(f"tutor.solve.symbolic.{_EXPORTS[name]}"), name)
