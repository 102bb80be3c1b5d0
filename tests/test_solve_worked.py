"""The direct computation's worked steps (`tutor.solve.symbolic.worked`): every step holds under the step
check, the boxed answer is the computed one, and nothing but a linear equation in one unknown gets steps."""

from __future__ import annotations

import pytest

from tutor.grading import extract_answer, is_equivalent
from tutor.solve.checked import false_steps
from tutor.solve.symbolic import Analysis, analyse_here

LINEAR = [
    ("Solve for $x$: $3x + 7 = 22$.", "5", 3),
    ("solve 5y - 4 = 2y + 11", "5", 3),
    ("solve 2(x+3) = 10", "2", 4),
    ("solve 10 = 2(x + 3)", "2", 5),
    ("solve 4 = 2x", "2", 3),
    ("Solve $\\frac{x}{2} + 3 = 7$", "8", 3),
    ("solve x/3 = 5", "15", 2),
    ("solve -x = 4", "-4", 2),
    ("solve 7 - x = 3", "4", 3),
    ("solve 1 - 2x = 7", "-3", 3),
    ("solve 4x = 9", "\\frac{9}{4}", 2),
    ("solve 2x = -7", "-\\frac{7}{2}", 2),
    ("Solve $\\frac{3}{4}x - 2 = \\frac{1}{2}x + 5$", "28", 3),
    ("Solve $\\frac{x}{2} + \\frac{1}{3} = 4$", "\\frac{22}{3}", 3),
    ("solve x + 5 = 2", "-3", 2),
    ("solve 0.5x + 1.5 = 4", "5", 3),
    ("solve 3(x - 1) = 2(x + 4)", "11", 3),
]


@pytest.mark.parametrize("problem, answer, count", LINEAR, ids=[row[0] for row in LINEAR])
def test_a_linear_equation_is_worked_in_steps_that_hold_and_box_the_computed_answer(problem, answer, count):
    analysis = analyse_here(problem)
    assert analysis.computed and analysis.answer == answer
    steps = analysis.steps
    assert len(steps) == count, steps
    text = "\n".join(steps)
    assert false_steps(text) == [], text
    assert steps[-1].startswith("The final answer is") and is_equivalent(extract_answer(steps[-1]), answer)
    assert all("=" in step for step in steps[:-1]), "every step before the answer writes its equality out"


def _worked(problem: str, answer: str, step: str) -> Analysis:
    """The analysis of a problem worked in steps: computed to `answer`, with a step starting `step`, no false
    step, and `answer` boxed last."""
    analysis = analyse_here(problem)
    assert analysis.computed and analysis.answer == answer
    assert any(line.startswith(step) for line in analysis.steps), analysis.steps
    assert false_steps("\n".join(analysis.steps)) == []
    assert analysis.steps[-1] == f"The final answer is $\\boxed{{{answer}}}$."
    return analysis


QUADRATIC = [
    ("solve x^2 - 5x + 6 = 0", "2, 3", "Factor: $(x - 2)(x - 3) = 0$."),
    ("x^2 = 49 solve", "-7, 7", "Factor: $(x + 7)(x - 7) = 0$."),
    ("find all solutions to 2x^2 + x - 15 = 0", "-3, \\frac{5}{2}", "Factor: $(x + 3)(2x - 5) = 0$."),
    ("Solve $x^2 + 6x + 9 = 0$.", "-3", "Factor: $(x + 3)^2 = 0$."),
    ("solve x^2 + 2x = 15", "-5, 3", "Factor: $(x + 5)(x - 3) = 0$."),
    ("solve x^2 + 4x + 1 = 0", "-2 - \\sqrt{3}, -2 + \\sqrt{3}", "Use the quadratic formula"),
]


@pytest.mark.parametrize("problem, answer, how", QUADRATIC, ids=[row[0] for row in QUADRATIC])
def test_a_quadratic_is_factored_or_solved_by_the_formula_in_steps_that_hold(problem, answer, how):
    analysis = _worked(problem, answer, how)
    roots = analysis.steps[-2].split(":" if "Factor" in how else "which is")[-1]
    assert all(f"x = {value}" in roots for value in answer.split(", ")), "the roots said are the roots boxed"


@pytest.mark.parametrize("problem", [
    "solve x^2 + 2x = x^2 + 6",           # linear only after the squares cancel: not worked here
    "solve |x - 3| = 5",                  # read as (x - 3)^2 = 5^2: steps of that would not be the student's equation
    "what are the roots of x^2 + 4x + 13 = 0",  # complex roots
    "sum of the roots of 2x^2 - 8x + 3 = 0",    # a choice of root: its answer is not the roots
    "What is the larger root of x^2 - 5x + 6 = 0?",
    "solve 1/x = 2",
])
def test_equations_beyond_linear_and_factorable_or_real_quadratics_get_no_steps(problem):
    analysis = analyse_here(problem)
    assert analysis.steps == ()


def test_steps_survive_the_trip_across_the_worker():
    analysis = analyse_here("solve 3x + 7 = 22")
    back = Analysis.from_dict(analysis.to_dict())
    assert back == analysis and back.steps and isinstance(back.steps, tuple)


def test_every_worked_step_holds_on_the_generators_equations_in_every_wording():
    """The synthetic generator's equation templates (sympy-verified answers), in all four wordings: every
    worked step holds under the step check, and the box is the computed answer, which is the generator's."""
    from trainer.data.synth.generate import make_problem
    from trainer.data.synth.wording import WORDINGS

    worked, wrong = 0, []
    for name in ("linear_equation", "proportion", "quadratic_solve"):
        for level in range(1, 6):
            for wording in WORDINGS:
                problem = make_problem(name, level, 9_000 + level, verify_answer=False, wording=wording)
                analysis = analyse_here(problem.problem)
                if not analysis.steps:
                    continue
                worked += 1
                boxed = extract_answer(analysis.steps[-1])
                if false_steps("\n".join(analysis.steps)) or not is_equivalent(boxed, problem.answer):
                    wrong.append((problem.problem, analysis.steps))
    assert not wrong, wrong[:3]
    assert worked >= 30, f"only {worked} problems worked: the steps stopped being written"


ARITHMETIC = [
    ("What is $3 + 4 \\cdot 5$?", "$3 + 4 \\cdot 5 = 3 + 20 = 23$"),
    ("calc (2+3)^2 - 4", "$(2 + 3)^{2} - 4 = 5^{2} - 4 = 25 - 4 = 21$"),
    ("evaluate 12 - 3 * 2 + 8 / 4", "$12 - 3 \\cdot 2 + \\frac{8}{4} = 12 - 6 + 2 = 8$"),
    ("whats 3/5 of 40", "$\\frac{3}{5} \\cdot 40 = 24$"),
    ("what is 15% of 80", "$\\frac{15}{100} \\cdot 80 = \\frac{3}{20} \\cdot 80 = 12$"),
    ("1/2 + 1/3 = ?", "$\\frac{1}{2} + \\frac{1}{3} = \\frac{5}{6}$"),
    ("what is 3/4 divided by 1/2", "$\\frac{3}{4} \\div \\frac{1}{2} = \\frac{3}{2}$"),
    ("calc 2.5 * 4 + 0.5", "$2.5 \\cdot 4 + 0.5 = 10 + 0.5 = 10.5$"),
    ("what is -3^2", "$-3^{2} = -9$"),
    ("what is (-3)^2", "$(-3)^{2} = 9$"),
    ("compute 3 - (4 - 10)", "$3 - (4 - 10) = 3 + 6 = 9$"),
    ("what is (2^3)^2", "$(2^{3})^{2} = 8^{2} = 64$"),
]


@pytest.mark.parametrize("problem, chain", ARITHMETIC, ids=[row[0] for row in ARITHMETIC])
def test_arithmetic_is_worked_from_the_inside_out_in_one_chain_that_holds(problem, chain):
    analysis = analyse_here(problem)
    assert analysis.computed and len(analysis.steps) == 2
    assert analysis.steps[0].endswith(chain + "."), analysis.steps[0]
    assert false_steps("\n".join(analysis.steps)) == []
    assert analysis.steps[-1] == f"The final answer is $\\boxed{{{analysis.answer}}}$."


@pytest.mark.parametrize("problem", [
    "what is 7",                          # nothing to work out
    "what is 17 mod 5",                   # a phrase's value: no working of its own here
    "what is gcd(12, 18) + 1",
    "what's 7/8 as a percent",
    "what is \\sqrt{16} + 1",             # roots, logs, functions: not worked here
    "what is 2^{-1}",
])
def test_arithmetic_beyond_plain_operations_on_numbers_gets_no_steps(problem):
    assert analyse_here(problem).steps == ()


@pytest.mark.parametrize("problem, steps", [
    ("solve 0.5x + 1.5 = 4", ["Subtract $1.5$ from both sides: $0.5x = 4 - 1.5 = 2.5$.",
                              "Divide both sides by $0.5$: $x = 2.5 \\div 0.5 = 5$."]),
    ("solve 1.2x - 0.4 = 2x + 1.2", ["Subtract $2x$ from both sides and add $0.4$ to both sides: $-0.8x = 1.2 + 0.4 = 1.6$.",
                                     "Divide both sides by $-0.8$: $x = 1.6 \\div (-0.8) = -2$."]),
    ("solve 0.25(x + 2) = 3", ["Expand: $0.25x + 0.5 = 3$.", "Subtract $0.5$ from both sides: $0.25x = 3 - 0.5 = 2.5$.",
                               "Divide both sides by $0.25$: $x = 2.5 \\div 0.25 = 10$."]),
    ("solve 0.3x = 1", ["Divide both sides by $0.3$: $x = 1 \\div 0.3 = \\frac{10}{3}$."]),  # a value that does not terminate
])
def test_an_equation_written_with_decimals_is_worked_in_decimals(problem, steps):
    analysis = analyse_here(problem)
    assert list(analysis.steps[:-1]) == steps
    assert false_steps("\n".join(analysis.steps)) == []


SYSTEMS = [
    ("solve the system x + y = 10 and x - y = 4", "(7, 3)", "Add them to eliminate $y$: $2x = 10 + 4 = 14$."),
    ("Solve: 2x + 3y = 12, x - y = 1", "(3, 2)", "Multiply the first by $-1$ and the second by $3$"),
    ("solve 2a + b = 7, a + 3b = 11", "(2, 3)", "Multiply the first by $3$, then subtract to eliminate $b$"),
    ("solve x = 10 - y and x - y = 4", "(7, 3)", "Write the equations as $x + y = 10$ and $x - y = 4$."),
    ("solve 3x + 2y = 16 and x + 2y = 8", "(4, 2)", "Subtract the second from the first to eliminate $y$"),
    ("solve 2x - 3y = -1 and x + 2y = 10", "(4, 3)", "Put $x = 4$ into the first equation: $2 \\cdot 4 - 3y = -1$"),
]


@pytest.mark.parametrize("problem, answer, step", SYSTEMS, ids=[row[0] for row in SYSTEMS])
def test_a_system_of_two_is_solved_by_elimination_in_steps_that_hold(problem, answer, step):
    _worked(problem, answer, step)


@pytest.mark.parametrize("problem", [
    "solve x + y = 5 and y = 2",              # an unknown missing from one equation: one equation at a time
    "if 3a + 2b = 12 and a = 2 find b",       # one value asked, not the pair
])
def test_systems_outside_two_full_linear_equations_get_no_steps(problem):
    assert analyse_here(problem).steps == ()
