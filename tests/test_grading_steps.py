"""Step checks (tutor.grading.steps) table-driven, and the step-checked verifier in the Solver and in eval.

Run: python -m pytest tests/test_grading_steps.py -x -q
"""

import pytest
from solve_fakes import ScriptedModel, solution

from tutor.errors import ConfigError
from tutor.grading.steps import MAX_SPANS, check_steps, wrong_steps
from tutor.solve import SolveConfig, Solver
from tutor.solve.checked import false_steps
from tutor.solve.config import RankingParams
from tutor.solve.pipeline import score
from tutor.solve.result import SampleRecord

# (solution text, [(left, right, holds), ...] in order); sides are kept as written, for the student to find
CASES = [
    ("So $4 \\cdot 8 = 24$.", [("4 \\cdot 8", "24", False)]),
    ("So $4 \\cdot 8 = 32$.", [("4 \\cdot 8", "32", True)]),
    ("$2 + 3 = 5 = 6$", [("2 + 3", "5", True), ("5", "6", False)]),
    ("$\\frac{36}{4} = 9$ and $\\dfrac{36}{4} = 6$", [("\\frac{36}{4}", "9", True), ("\\dfrac{36}{4}", "6", False)]),
    ("$-2 \\cdot \\left(-2\\right) + 1 = 5$", [("-2 \\cdot \\left(-2\\right) + 1", "5", True)]),
    ("$2^{10} = 1024$, $5! = 120$, $\\sqrt{16} = 4$",
     [("2^{10}", "1024", True), ("5!", "120", True), ("\\sqrt{16}", "4", True)]),
    ("inline \\(3 \\times 3 = 9\\) and display \\[10 - 4 = 7\\]", [("3 \\times 3", "9", True), ("10 - 4", "7", False)]),
    ("$$1 + 1 = 2$$", [("1 + 1", "2", True)]),
    # a decimal may be rounded to the digits it shows
    ("$\\frac{1}{3} = 0.333$", [("\\frac{1}{3}", "0.333", True)]),
    ("$\\frac{1}{3} = 0.33$", [("\\frac{1}{3}", "0.33", True)]),
    ("$\\frac{1}{3} = 0.34$", [("\\frac{1}{3}", "0.34", False)]),
    ("$0.5 + 0.25 = 0.75$", [("0.5 + 0.25", "0.75", True)]),
    # only variable-free sides are compared: an equation is not an identity
    ("$3x + 7 = 22$", []),
    ("$x = 5 = 2 + 3$", [("5", "2 + 3", True)]),
    ("$2(x + 3) = 2x + 6$", []),
    # another relation, a matrix, words, units, modular arithmetic: nothing to compare
    ("$3 < 4 = 4$", []),
    ("$2 \\le 3 = 3$", []),
    ("$\\pi \\approx 3.14 = 3$", []),
    ("$2^{10} \\equiv 2 \\pmod{7}$", []),
    ("$\\begin{pmatrix} 1 & 2 \\end{pmatrix} = 3$", []),
    ("$\\text{area} = 12$", []),
    ("$5 \\text{ cm} = 6$", []),
    ("$a = b$", []),
    ("$5 \\text{ cm} = 50 \\text{ mm}$", []),
    ("$50\\% = 0.5$", []),
    ("$90^\\circ = 90$", []),
    # typesetting the grader's normal form drops does not get in the way
    ("$1{,}000 + 1 = 1001$", [("1{,}000 + 1", "1001", True)]),
    ("$\\tfrac{1}{2} \\, + \\displaystyle\\frac{1}{2} = 1$", [("\\tfrac{1}{2} \\, + \\displaystyle\\frac{1}{2}", "1", True)]),
    # no math delimiters, or none closed: nothing read
    ("4 * 8 = 24", []),
    ("$4 \\cdot 8 = 24", []),
    # an escaped dollar is currency (GSM8K, MATH), not a math delimiter
    ("He pays \\$5, then \\$3 + 4 = 9 more, so $5 + 4 = 9$.", [("5 + 4", "9", True)]),
    ("It costs \\$12 = 3 \\cdot 5 in all\\$", []),
    # malformed LaTeX is skipped, not an error
    ("$\\frac{1}{ = 2$", []),
    ("$ = 3$ and $3 = $", []),
    ("$(2 = 2)$", []),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_each_equality_is_checked_as_written(text, expected):
    assert [(c.left, c.right, c.holds) for c in check_steps(text)] == expected
    assert wrong_steps(text) == sum(not holds for *_, holds in expected)


def test_a_check_knows_its_line_and_says_what_the_left_side_is():
    text = "First, $2 + 2 = 4$.\nThen\n$4 \\cdot 8 = 24$."
    first, second = check_steps(text)
    assert (first.line, second.line) == (0, 2)
    assert first.describe() == "$2 + 2 = 4$ holds"
    assert second.describe() == "$4 \\cdot 8 = 24$ does not hold: $4 \\cdot 8$ is 32"
    assert check_steps("$\\frac{1}{8} = 1$")[0].describe().endswith("is 0.125")
    assert check_steps("$300 = 4 \\cdot 125 + 0$")[0].describe().endswith("$4 \\cdot 125 + 0$ is 500")


def test_a_huge_solution_reads_at_most_max_spans():
    text = "$1 + 1 = 3$ " * (MAX_SPANS * 5)
    assert len(check_steps(text)) == MAX_SPANS
    assert wrong_steps("$9^{9^{9}} = 1$") == 0, "a power too big to evaluate is skipped"


class Fixed:
    name, path = "fixed", "/nowhere"

    def __init__(self, score):
        self.score = score

    def p_correct(self, problems, solutions):
        return [self.score] * len(solutions)


@pytest.mark.parametrize("penalty, expected", [(0.01, [0.8, 0.008, 0.8 * 1e-4]), (1.0, [0.8, 0.8, 0.8]), (0.0, [0.8, 0, 0])])
def test_the_verdict_is_discounted_per_false_step(penalty, expected):
    texts = ["$1 + 1 = 2$", "$1 + 1 = 3$", "$1 + 1 = 3 = 4$"]
    records = [SampleRecord(i, text, "2", false_steps=false_steps(text)) for i, text in enumerate(texts)]
    score(Fixed(0.8), "p", records, [0, 1, 2], RankingParams(step_penalty=penalty))
    assert [r.score for r in records] == pytest.approx(expected)
    assert [r.verifier_score for r in records] == [0.8] * 3, "S_cls is kept beside the combined score"
    off = [SampleRecord(i, text, "2", false_steps=false_steps(text)) for i, text in enumerate(texts)]
    score(Fixed(0.8), "p", off, [0, 1, 2], RankingParams(step_check=False))
    assert [r.score for r in off] == [0.8] * 3 and [r.wrong_steps for r in off] == [0, 1, 2]


def test_a_penalty_outside_zero_one_is_refused():
    with pytest.raises(ConfigError, match="step_penalty"):
        RankingParams(step_penalty=1.5)
    with pytest.raises(ConfigError, match="step_penalty"):
        SolveConfig(step_penalty=-0.1)


# The verifier prefers the solution whose arithmetic is wrong; only the step check can tell.
SLOPPY = solution("12", "$3 \\cdot 5 = 12$")
CAREFUL = solution("15", "$3 \\cdot 5 = 15$")


@pytest.mark.parametrize("step_check, answer", [(True, "15"), (False, "12")])
def test_the_solver_ranks_a_solution_with_a_false_step_below_one_without(step_check, answer):
    model = ScriptedModel([SLOPPY, CAREFUL], {SLOPPY: 0.9, CAREFUL: 0.6})
    config = SolveConfig(n=2, strategy="rr_all", step_check=step_check, symbolic_check=False)  # the ranking alone
    result = Solver(model, model, config).solve("What is 3 * 5?")
    assert result.answer == answer


def test_eval_records_the_false_steps_and_ranks_with_them():
    from trainer.data.problem import Problem
    from trainer.eval import EvalConfig, evaluate

    problems = [Problem(problem="What is 3 * 5?", answer="15", solution="", subject="arithmetic", level=1, unique_id="t/1")]
    model = ScriptedModel([SLOPPY, CAREFUL], {SLOPPY: 0.9, CAREFUL: 0.6})
    checked = evaluate(model, model, problems, EvalConfig(n=2, k=2, symbolic_check=False), progress=False)
    plain = evaluate(model, model, problems, EvalConfig(n=2, k=2, step_check=False, symbolic_check=False),
                     progress=False)
    assert checked.metrics["RR.All"] == 1.0 and plain.metrics["RR.All"] == 0.0
