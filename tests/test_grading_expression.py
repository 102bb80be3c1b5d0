"""The one expression parser (`tutor/grading/expression.py`) and its three domains: the grader's complex
closures, the calculator's exact Fractions and the solver's sympy values must agree wherever all read a text;
broken text is `Malformed`, unfamiliar text `Unsupported`; every bound lives in `expression.py`.

Run: `python -m pytest tests/test_grading_expression.py -q`.
"""

from fractions import Fraction

import pytest
import sympy

from tutor.grading import expression
from tutor.grading.expression import Malformed, Undefined, Unsupported, parse
from tutor.grading.numeric import ClosureDomain, compile_expression, evaluate_at_points, exact_value
from tutor.solve.symbolic.domain import SympyDomain

# Texts every domain reads, with the value written out by hand.
SHARED = [
    ("3 + 4 \\cdot 5", Fraction(23)),
    ("\\frac{3}{4} + \\frac{1}{6}", Fraction(11, 12)),
    ("2^{10} - 1", Fraction(1023)),
    ("2^-1", Fraction(1, 2)),
    ("-2^2", Fraction(-4)),
    ("3 - -4", Fraction(7)),  # a sign after a sign: read since the parser was shared
    ("5!/3!", Fraction(20)),
    ("(2 - 5)(3 + 1)", Fraction(-12)),
    ("1.2 \\times 0.5", Fraction(3, 5)),
    ("12 \\div 4 \\cdot 3", Fraction(9)),
    ("\\frac12", Fraction(1, 2)),
    ("\\sqrt{16} + \\sqrt[3]{27}", Fraction(7)),
    ("\\log_2 8", Fraction(3)),
]


@pytest.mark.parametrize("text, value", SHARED, ids=[row[0] for row in SHARED])
def test_the_three_domains_agree(text, value):
    function, variables = compile_expression(text)
    assert not variables and abs(function({}) - complex(value)) < 1e-9
    if "sqrt" not in text and "log" not in text:  # irrational operations leave the exact domain
        assert exact_value(text) == value
    assert parse(text, SympyDomain()) == sympy.Rational(value.numerator, value.denominator)


def test_variables_and_constants_by_domain():
    closure = ClosureDomain()
    parse("2x + e + i", closure)
    assert closure.variables == {"x"}, "the grader reads e and i as constants"
    solver = SympyDomain()
    parse("2x + e + i", solver)
    assert solver.variables == {"x", "e", "i"}, "a problem's letters are unknowns: no claim about e or i"


@pytest.mark.parametrize(
    "text, error",
    [
        ("2x +", Malformed),
        ("4y -", Malformed),
        ("5 * / 2", Malformed),
        ("(3 + 4", Malformed),
        ("3 + 4)", Malformed),
        ("\\frac{1}{", Malformed),
        ("x > 3", Unsupported),
        ("\\lceil 3.6 \\rceil", Unsupported),
        ("(1, 2)", Unsupported),
        ("\\log 100", Unsupported),
        ("", Unsupported),
        ("1" * 500, Unsupported),
        ("(" * 60 + "1" + ")" * 60, Unsupported),
    ],
)
def test_broken_text_is_malformed_and_unfamiliar_text_unsupported(text, error):
    with pytest.raises(error) as raised:
        parse(text, SympyDomain())
    assert isinstance(raised.value, Unsupported)
    if error is Unsupported:
        assert not isinstance(raised.value, Malformed)


def test_division_by_zero_is_undefined_when_building_and_none_in_the_grader():
    with pytest.raises(Undefined):
        parse("7/0", SympyDomain())
    with pytest.raises(Undefined):
        parse("0^{-1}", SympyDomain())
    assert isinstance(Undefined("x"), ZeroDivisionError)
    assert evaluate_at_points("7/0") is None and exact_value("7/0") is None


def test_matrices_and_binomials_are_read_by_the_solver_only():
    assert parse(r"\det\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}", SympyDomain()) == -2
    assert parse(r"\begin{vmatrix} 1 & 2 & 0 \\ 0 & 1 & 0 \\ 0 & 0 & 3 \end{vmatrix}", SympyDomain()) == 3
    assert parse(r"\binom{10}{3}", SympyDomain()) == 120
    with pytest.raises(Unsupported):
        parse(r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}", SympyDomain())  # a matrix is not a number
    with pytest.raises(Unsupported):
        parse(r"\det\begin{pmatrix} 1 & 2 & 3 \\ 4 & 5 & 6 \end{pmatrix}", SympyDomain())  # not square
    assert compile_expression(r"\binom{10}{3}") is None  # the grader leaves these to sympy, as before


def test_bounds_live_in_one_place_and_every_domain_keeps_them(monkeypatch):
    assert evaluate_at_points("171!") is None  # floats: FLOAT_MAX_FACTORIAL
    assert exact_value("10^{201}") is None  # Fractions: EXACT_MAX_DIGITS
    with pytest.raises(Unsupported):
        parse("1001!", SympyDomain())  # sympy: SYMBOLIC_MAX_FACTORIAL
    with pytest.raises(Unsupported):
        parse("2^{100001}", SympyDomain())  # sympy: SYMBOLIC_MAX_EXPONENT / SYMBOLIC_MAX_BITS
    monkeypatch.setattr(expression, "MAX_LENGTH", 5)
    with pytest.raises(Unsupported):
        parse("1 + 2 + 3", SympyDomain())
