"""The synthetic solutions hand every computation to the sampling-time calculator (issue 19): each computable
left side in a solution's math is followed by exactly what `tutor.grading.calculator.calculate` writes for
it, the step check finds no false step, and few computed numbers are written without such an equality.

Run: python -m pytest tests/test_data_explicit.py -q
"""

import random

import pytest
import sympy

from trainer.data.synth import LEVELS, REGISTRY, Draft
from trainer.data.synth.base import binom_tex, show
from trainer.data.synth.explicit import calculator_violations, number_audit
from tutor.grading.calculator import calculate
from tutor.grading.steps import check_steps

SEEDS = range(25)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_computation_is_followed_by_the_calculators_value(name):
    for level in LEVELS:
        for seed in SEEDS:
            draft = REGISTRY[name].make(random.Random(seed), level)
            where = f"{name} level {level} seed {seed}"
            assert calculator_violations(draft.solution) == [], where
            false_steps = [check.describe() for check in check_steps(draft.solution) if not check.holds]
            assert false_steps == [], where


def test_few_computed_numbers_are_written_without_an_equality():
    """Measured on the 72 templates of the time: 56.5% before the computation-explicit rewrite (and 2,374
    equalities the calculator would have overwritten), 26% after (89 templates: 26%); the rest are looked up
    (trig values, a prime factorization, 60 seconds in a minute) or found by search (factor pairs, quotients)."""
    computed = unexplained = 0
    for name in sorted(REGISTRY):
        for level in LEVELS:
            for seed in range(8):
                draft = REGISTRY[name].make(random.Random(seed), level)
                audit = number_audit(draft.problem, draft.steps)
                computed, unexplained = computed + audit.computed, unexplained + audit.unexplained
    assert unexplained / computed < 0.3, (unexplained, computed)


@pytest.mark.parametrize(("text", "violations"), [
    ("gives $-3x = 59 - 5 = 54$", []),                                              # variable side, then the computation
    ("gives $-3x = 54$", []),                                                     # nothing to compute (but not explicit)
    ("$\\frac{30}{100} \\cdot 160 = \\frac{4800}{100} = 48$",                        # an intermediate the calculator skips
     [("\\frac{30}{100} \\cdot 160", "48", "\\frac{4800}{100}")]),
    ("$\\frac{3}{4} = \\frac{6}{8}$", []),                                          # lowest terms: nothing to compute
    ("$3^3 = 3 \\cdot 3 \\cdot 3 = 27$", [("3^3", "27", "3 \\cdot 3 \\cdot 3")]),
    ("$7 \\equiv 2 \\cdot 5 = 10 \\pmod{3}$", []),                                  # a relation: not one expression
])
def test_calculator_violations_table(text, violations):
    assert calculator_violations(text) == violations


def test_number_audit_counts_numbers_written_without_their_computation():
    assert number_audit("Solve $3x + 5 = 59$.", ["$3x = 59 - 5 = 54$.", "$x = \\frac{54}{3} = 18$."]).unexplained == 0
    audit = number_audit("Solve $3x + 5 = 59$.", ["$3x = 54$.", "So $x = 18$."])
    assert (audit.computed, audit.unexplained) == (2, 2)


def test_show_writes_the_calculators_value_and_refuses_a_disagreement():
    assert show("59 - 5", 54) == "59 - 5 = 54"
    assert show("\\frac{6}{8}", sympy.Rational(3, 4)) == "\\frac{6}{8} = \\frac{3}{4}"
    assert show("7", 7) == "7"
    with pytest.raises(AssertionError, match="calculator says"):
        show("59 - 5", 55)


@pytest.mark.parametrize(("n", "k"), [(6, 0), (6, 1), (6, 2), (6, 4), (12, 3), (14, 6), (20, 10)])
def test_binom_tex_ends_in_the_value_through_a_fraction_the_calculator_reads(n, k):
    text = binom_tex(n, k)
    assert text.endswith(f"= {sympy.binomial(n, k)}")
    assert calculator_violations(f"${text}$") == []
    fraction = text.split(" = ")[-2]
    assert k in (0, 1, n - 1, n) or calculate(fraction) == str(sympy.binomial(n, k))


def test_the_repeated_equality_cleanup_keeps_calculator_equalities():
    draft = Draft("p", ["$x = \\frac{54}{3} = 18$."], "18", sympy.Integer(18))
    assert draft.solution.splitlines()[0] == "$x = \\frac{54}{3} = 18$."
