"""The wordings of synthetic problems (trainer.data.synth.wording): the plain-text converter reads every
template's LaTeX, casual text looks typed, word problems keep the template's numbers, the mix follows the
config, and the answer and solution never change with the wording.

Run: python -m pytest tests/test_data_wording.py -q
"""

import random
from collections import Counter

import pytest

from trainer.data.synth import LEVELS, REGISTRY, SynthConfig, generate, make_problem
from trainer.data.synth.wording import WORDINGS, plain_math, render, to_casual, to_plain
from tutor.errors import ConfigError


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_template_has_a_plain_text_wording(name):
    for level in LEVELS:
        for seed in range(6):
            draft = REGISTRY[name].make(random.Random(seed), level)
            plain = to_plain(draft.problem)
            assert plain is not None, draft.problem
            assert "$" not in plain and "\\" not in plain
            if draft.word is not None:
                word = render(draft.problem, draft.word, "word", random.Random(seed))
                assert word is not None and "@" not in word, draft.word


# One row per LaTeX construct the templates use; a regression row for every wrong conversion seen.
@pytest.mark.parametrize(("latex", "plain"), [
    ("\\frac{3}{4} + \\frac{1}{6}", "3/4 + 1/6"),                       # fractions
    ("\\frac{1}{1 \\cdot 2} + \\cdots", "1/(1 * 2) + ..."),           # \cdots is not \cdot + s
    ("3 \\times 4 \\div 2", "3 * 4 / 2"),
    ("\\sqrt{50}", "sqrt(50)"),
    ("2^{10} + x^2", "2^10 + x^2"),
    ("\\left(\\frac{2}{3}\\right)^{n - 1}", "(2/3)^(n - 1)"),
    ("30\\%", "30%"),
    ("45^\\circ", "45 degrees"),
    ("\\log_{3} 81", "log_3 81"),                                  # \log followed by a subscript
    ("\\cos(\\frac{9}{4}x)", "cos((9/4)x)"),                          # a fraction times a variable keeps parentheses
    ("\\frac{3 \\pi}{4}", "(3 pi)/4"),
    ("\\binom{9}{3}", "(9 choose 3)"),
    ("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "(1, 2)"),           # a column vector
    ("\\begin{vmatrix} 1 & 2 \\\\ 3 & 4 \\end{vmatrix}", "det [[1, 2], [3, 4]]"),
    ("f^{-1}(4)", "f^-1(4)"),
    ("760_{8}", "760_8"),
    ("\\mathbf{u}", "u"),
    ("\\operatorname{foo}\\alpha", None),                          # something unknown: no plain wording
])
def test_plain_math_table(latex, plain):
    assert plain_math(latex) == plain


def test_casual_text_is_lower_case_without_format_hints_and_keeps_the_math():
    plain = "What is the probability of getting exactly 3 heads? Express your answer as a common fraction."
    casual = to_casual(plain, random.Random(0))
    assert casual == casual.lower() and "express" not in casual and "3" in casual
    assert "?" not in casual.removesuffix(" ??")  # a question mark is only ever a suffix, never the sentence's
    kept = to_casual("How many distinct arrangements of the letters in the word KHLKL are there?", random.Random(1))
    assert "KHLKL" in kept
    assert "2.5" in to_casual("A pen costs 2.5 dollars. What do 3 pens cost?", random.Random(2))


def test_casual_text_has_small_typos_sometimes():
    plain = "Find the remainder when the polynomial is divided by the binomial, and simplify the answer."
    casuals = {to_casual(plain, random.Random(seed)) for seed in range(30)}
    assert any("remainder" not in c or "polynomial" not in c or "binomial" not in c for c in casuals)


def test_the_wording_never_changes_the_answer_or_the_solution():
    for name in ("linear_equation", "fraction_sum", "gcd_euclid", "right_triangle_side", "determinant"):
        for seed in range(10):
            formal = make_problem(name, 2, seed)
            for wording in WORDINGS:
                other = make_problem(name, 2, seed, wording=wording)
                assert (other.solution, other.answer) == (formal.solution, formal.answer)
                assert other.wording in (wording, "plain", "latex")


def test_the_mix_follows_the_config_and_each_problem_appears_in_one_wording_only():
    problems = list(generate(SynthConfig(n=1500, seed=4, verify=False)))
    counts = Counter(p.wording for p in problems)
    assert set(counts) == set(WORDINGS)
    assert 0.3 < counts["latex"] / len(problems) < 0.5, counts
    formal = Counter(make_problem(p.template, p.level, p.seed, verify_answer=False).problem for p in problems)
    assert max(formal.values()) == 1, "the same problem in two wordings"
    only_latex = list(generate(SynthConfig(n=200, seed=4, verify=False, wordings={"latex": 1})))
    assert {p.wording for p in only_latex} == {"latex"}


def test_bad_wording_mixes_are_config_errors():
    with pytest.raises(ConfigError, match="wordings"):
        SynthConfig(wordings={"latex": 1, "shouting": 1})
    with pytest.raises(ConfigError, match="wordings"):
        SynthConfig(wordings={"latex": 0})
