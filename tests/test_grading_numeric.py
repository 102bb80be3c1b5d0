"""Tests of the fast path's little expression evaluator (`tutor/grading/numeric.py`) and `fast_compare`.

Run: `python -m pytest tests/test_grading_numeric.py -q`.
"""

import cmath

import pytest

from tutor.grading.fast import fast_compare
from tutor.grading.numeric import compile_expression, evaluate_at_points


def _value(text, **env):
    function, _ = compile_expression(text)
    return function({k: complex(v) for k, v in env.items()})


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        (r"2\sqrt{3}", {}, 2 * 3**0.5),
        (r"\frac{\pi}{2}", {}, cmath.pi / 2),
        ("x^23", {"x": 2}, 2**23),  # as math-verify reads it (models mean x^{23})
        ("x^{23}", {"x": 1}, 1),
        ("(a+5)(b+2)", {"a": 1, "b": 1}, 18),
        (r"3 \cdot 4 \times 2 / 8", {}, 3),
        (r"\sqrt[3]{27}", {}, 3),
        ("-2^2", {}, -4),
        ("2^-1", {}, 0.5),
        ("6-5i", {}, 6 - 5j),
        (r"\sin^2 x + \cos^2 x", {"x": 0.7}, 1),
        (r"\sin 2x", {"x": 0.3}, cmath.sin(0.6)),  # a bare argument runs over the product
        (r"\sin x \cos x", {"x": 0.3}, cmath.sin(0.3) * cmath.cos(0.3)),  # ...but stops at a function
        (r"\frac{5!}{4!}", {}, 5),
        (r"e^{\ln 2}", {}, 2),
        (r"\log_2 8", {}, 3),
        (r"\tan(x+1)", {"x": 0.2}, cmath.tan(1.2)),
        (r"\frac12", {}, 0.5),
    ],
)
def test_values(text, env, expected):
    assert abs(_value(text, **env) - expected) < 1e-12


@pytest.mark.parametrize(
    "text",
    [
        r"\log 8",  # base 10 or e? ambiguous
        r"\sin^{-1} x",  # arcsin, not 1/sin
        r"\operatorname{sgn} x",
        "east",  # a word, not e*a*s*t
        r"1\frac{4}{5}",  # mixed number or product: ambiguous
        r"\pm 2",
        "x=2",
        "(1,2)",
        "(" * 60 + "1" + ")" * 60,  # nested too deeply
        "x" * 500,  # too long
        "",
    ],
)
def test_unsupported_input_is_none_not_an_error(text):
    assert compile_expression(text) is None


def test_unsupported_values_are_none():
    assert evaluate_at_points("171!") is None


def test_huge_values_are_left_to_sympy():
    assert evaluate_at_points("10^{10^{10}}") is None  # exponent beyond the bound
    assert evaluate_at_points("10^{300}") is None  # beyond the magnitude bound
    assert evaluate_at_points(r"\frac{1}{0}") is None


def test_variables_are_reported_and_values_sampled_at_three_points():
    samples, variables = evaluate_at_points("x+y")
    assert variables == {"x", "y"} and len(samples) == 3 and len(set(samples)) == 3


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (r"\frac{\sqrt{3}}{3}", r"\frac{1}{\sqrt{3}}", True),
        ("(x+1)^2", "x^2+2x+1", True),
        ("(x+1)^2", "x^2+x+1", False),
        ("1+\\sqrt{2}", "1+\\sqrt{3}", False),
        ("2n", "2k", False),  # variables are told apart by name, as math-verify's strict mode does
        (r"\sin^2 x + \cos^2 x", "1", True),
        (r"\sin x", r"\sin x + 0", True),
        (r"2\sin x\cos x", r"\sin 2x", True),
        (r"\tan x", r"\cot x", False),
        (r"\log 8", r"3\log 2", None),  # no base: sympy decides
        ("y=2x+3", "2x-y+3=0", True),  # the same line, however written
        ("-5x+7y-11z-4=0", "5x-7y+11z+4=0", True),
        ("y=2x+3", "y=2x-3", False),  # the same variable assigned different values
        ("3x-y+13=0", "3x+4y+14=0", None),  # different lines: sympy says so (proportionality cannot)
        ("x^2=1", "x^4=1", None),
        (r"1\pm\sqrt{2}", r"1+\sqrt{2},1-\sqrt{2}", True),
        (r"\pm2", "2", False),
        (r"\begin{pmatrix}1\\2\end{pmatrix}", r"\begin{pmatrix}1&2\end{pmatrix}", False),  # shapes differ
        (r"(0,1)\cup(2,3)", r"(2,3)\cup(0,1)", True),
    ],
)
def test_fast_compare_is_three_valued(a, b, expected):
    assert fast_compare(a, b) is expected
