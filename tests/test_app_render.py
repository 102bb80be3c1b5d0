"""Tests of the app's Qt-light helpers: math rendering, how results are put into words, trainer output
parsing and the retrain tab's argument building.

Run: python -m pytest tests/test_app_render.py -q
"""

from __future__ import annotations

import base64
import json
from types import SimpleNamespace

import pytest
from PySide6.QtGui import QImage, QTextDocument

from tutor.app import math_render, present, runs
from tutor.app.trainer_process import TerminalLines
from tutor.errors import ConfigError, StepwiseError


@pytest.fixture(autouse=True)
def _gui(qapp):
    """QImage/QPainter need a QGuiApplication."""


def _image(png: bytes | None) -> QImage:
    assert png, "expected a rendered image"
    image = QImage.fromData(png, "PNG")
    assert not image.isNull()
    return image


@pytest.mark.parametrize("text, expected", [
    # delimited math, every delimiter style
    ("Add $x^2$ and 1", [("text", "Add "), ("math", "x^2"), ("text", " and 1")]),
    ("So \\(\\frac{1}{2}\\) it is", [("text", "So "), ("math", "\\frac{1}{2}"), ("text", " it is")]),
    ("$$\\sqrt{2}$$", [("math", "\\sqrt{2}")]),
    ("\\[a+b\\]", [("math", "a+b")]),
    # bare LaTeX between English words becomes math; labels and trailing punctuation stay text
    ("Step 1: x^2 = \\frac{1}{4}, so", [("text", "Step"), ("text", " "), ("text", "1:"), ("text", " "),
                                         ("math", "x^2 = \\frac{1}{4}"), ("text", ", "), ("text", "so")]),
    # plain arithmetic without LaTeX hints stays text
    ("Add 3 and 4 to get 7.", [("text", "Add 3 and 4 to get 7.")]),
    # snake_case identifiers are words; a one-letter base with a subscript is a variable
    ("strategy rr_topk.", [("text", "strategy"), ("text", " "), ("text", "rr_topk.")]),
    ("so x_1 = 2", [("text", "so"), ("text", " "), ("math", "x_1 = 2")]),
    # an escaped dollar is not a delimiter
    ("It costs \\$5 and \\$6", [("text", "It costs \\$5 and \\$6")]),
])
def test_split_math(text, expected):
    assert math_render.split_math(text) == expected


def test_normalize_rewrites_what_mathtext_lacks():
    assert math_render.normalize_latex("\\boxed{\\dfrac{1}{2}}") == "\\frac{1}{2}"
    assert math_render.normalize_latex("x \\le 3 \\text{ and } \\displaystyle y \\ge 1") == "x \\leq 3 \\text{ and }  y \\geq 1"
    assert math_render.strip_boxed("a \\boxed{\\frac{1}{\\sqrt{2}}} b") == "a \\frac{1}{\\sqrt{2}} b"
    # a formula opened on one line and closed on the next leaves a stray $ on each line
    assert math_render.normalize_latex("22 = 2 \\cdot 2 = 2$") == "22 = 2 \\cdot 2 = 2"
    assert math_render.render_formula("22 = 2 \\cdot 2 = 2$") is not None


def test_fraction_root_and_exponent_render_as_taller_images_than_plain_text():
    plain = _image(math_render.render_formula("x"))
    fraction = _image(math_render.render_formula("\\frac{1}{2}"))
    root = _image(math_render.render_formula("\\sqrt{x^{2}+1}"))
    assert fraction.height() > plain.height() * 1.5, "a fraction stacks numerator over denominator"
    assert root.height() > plain.height() and root.width() > plain.width()


def test_matrix_is_laid_out_as_a_grid():
    one_row = _image(math_render.render_formula("\\begin{pmatrix}1 & 2\\end{pmatrix}"))
    two_rows = _image(math_render.render_formula("\\begin{pmatrix}1 & 2\\\\ 3 & 4\\end{pmatrix}"))
    with_prefix = _image(math_render.render_formula("A = \\begin{bmatrix}1 & 2\\\\ 3 & 4\\end{bmatrix}"))
    assert two_rows.height() > one_row.height() * 1.5
    assert abs(two_rows.width() - one_row.width()) <= 2
    assert with_prefix.width() > two_rows.width()


def test_unparseable_math_is_kept_as_raw_latex():
    assert math_render.render_formula("\\notacommand{x}") is None
    rendered = math_render.render_html("Then $\\notacommand{x}$ and $\\frac{1}{2}$")
    assert "<code>\\notacommand{x}</code>" in rendered.html
    assert len(rendered.images) == 1


def test_rendered_html_installs_into_a_document_and_inlines_for_export():
    rendered = math_render.render_html("One $\\frac{1}{2}$\nTwo $\\sqrt{3}$")
    assert rendered.html.count("<p>") == 2 and len(rendered.images) == 2
    document = QTextDocument()
    rendered.install(document)
    inlined = rendered.with_data_uris()
    assert 'src="math:' not in inlined
    payload = inlined.split("data:image/png;base64,")[1].split('"')[0]
    assert base64.b64decode(payload).startswith(b"\x89PNG")


def test_merge_keeps_image_names_unique():
    merged = math_render.merge([math_render.render_html("$x^2$"), math_render.render_html("$y^2$")], "<div>{}</div>")
    assert len(merged.images) == 2 and merged.html.startswith("<div>")
    for name in merged.images:
        assert f'src="{name}"' in merged.html


def _result(answer="3", confidence=0.8, votes=6, n=8, reasons=(), cancelled=False):
    winner = SimpleNamespace(answer=answer, votes=votes) if answer is not None else None
    return SimpleNamespace(answer=answer, confidence=confidence, reasons=list(reasons), cancelled=cancelled,
                           samples=[object()] * n, clusters=[winner] if winner else [], winner=winner)


@pytest.mark.parametrize("confidence, band", [(0.95, "high"), (0.75, "high"), (0.6, "medium"), (0.2, "low"), (0.0, "low")])
def test_confidence_bands(confidence, band):
    assert present.confidence_band(confidence).name == band


def test_low_confidence_is_said_plainly():
    assert "not sure" in present.headline(_result(confidence=0.2))
    assert "samples disagree" in present.headline(_result(confidence=0.2))
    assert "83%" in present.headline(_result(confidence=0.83))
    assert present.headline(_result(answer=None)) == present.NO_ANSWER_TEXT


def test_every_reason_is_shown_and_the_vote_stands_in_when_there_are_none():
    reasons = ["A direct computation gives 5 too, so this answer is checked.", "6 of 8 solutions give 5.",
               "The checking model rates the best of them 91% likely correct."]
    assert present.reasons(_result(reasons=reasons)) == reasons
    assert present.reasons(_result(reasons=())) == ["6 of 8 samples agree"]
    assert present.reasons(_result(reasons=reasons), hide_answer=True) == ["6 of 8 samples agree on one answer"]


def test_split_steps_drops_blank_lines():
    assert present.split_steps("a\n\n  b  \n") == ["a", "b"]


def test_trainer_output_is_split_into_lines_as_a_terminal_shows_them():
    """The log view's only reading of the trainer's output (progress comes from the store): a line ended by a
    carriage return (a redrawn progress bar) is replaced by what follows it, also across reads."""
    lines = TerminalLines()
    assert lines.feed("run 7: folder\n\rssft:  10%| 1/10") == [("run 7: folder", False)]
    assert lines.feed("\rssft:  20%| 2/10\rssft: 100%| 10/10\n") == [
        ("ssft:  10%| 1/10", False), ("ssft:  20%| 2/10", True), ("ssft: 100%| 10/10", True)]
    assert lines.feed("INFO done\npartial") == [("INFO done", False)]
    assert lines.flush() == [("partial", False)] and lines.flush() == []


def _recipe(tmp_path):
    recipe = tmp_path / "tiny.toml"
    recipe.write_text('name = "tiny"\nseed = 3\n\n[data]\ntrain_problems = 20\n\n[ssft]\nsteps = 2\nlearning_rate = 0.003\n')
    return recipe


def test_prepare_recipe_sets_phases_and_data(tmp_path):
    import tomllib

    written = runs.prepare_recipe(str(_recipe(tmp_path)), ["ssft", "multitask"], "synthetic", "", None)
    config = tomllib.loads(written.read_text())
    assert config["phases"] == ["ssft", "multitask", "eval", "export"]
    assert config["name"] == "tiny" and config["ssft"] == {"steps": 2, "learning_rate": 0.003}
    data = tmp_path / "problems.jsonl"
    data.write_text(json.dumps({"problem": "1+1", "answer": "2"}) + "\n")
    written = runs.prepare_recipe(str(_recipe(tmp_path)), ["evaluator"], "jsonl", str(data), None)
    config = tomllib.loads(written.read_text())
    assert config["phases"] == ["candidates", "evaluator", "eval", "export"]
    assert config["data"] == {"train_problems": 20, "train_file": str(data)}


def test_prepare_recipe_refuses_bad_choices(tmp_path):
    recipe = str(_recipe(tmp_path))
    with pytest.raises(ConfigError, match="at least one phase"):
        runs.prepare_recipe(recipe, [], "synthetic", "", None)
    with pytest.raises(ConfigError, match="existing JSONL"):
        runs.prepare_recipe(recipe, ["ssft"], "jsonl", str(tmp_path / "missing.jsonl"), None)
    with pytest.raises(ConfigError, match="No recipe"):
        runs.prepare_recipe(str(tmp_path / "nope.toml"), ["ssft"], "synthetic", "", None)
    no_marks = SimpleNamespace(labelled_marks=lambda: [])
    with pytest.raises(StepwiseError, match="no teacher marks"):
        runs.prepare_recipe(recipe, ["evaluator"], "marks", "", no_marks)


def test_bundled_recipe_by_name():
    assert runs.resolve_recipe("quick").name == "quick.toml"


def test_model_of_run_needs_a_finished_run_with_a_model(tmp_path):
    row = runs.RunRow(1, "quick", "failed", None, str(tmp_path), "", "boom")
    with pytest.raises(StepwiseError, match="failed"):
        runs.model_of_run(row)
    row = runs.RunRow(1, "quick", "finished", None, str(tmp_path), "", None)
    with pytest.raises(StepwiseError, match="no exported model"):
        runs.model_of_run(row)
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "config.json").write_text("{}")
    assert runs.model_of_run(row) == tmp_path / "model"


def test_prepare_recipe_with_teacher_marks_turns_them_on(tmp_path):
    import tomllib

    from tutor.store import Store

    with Store() as store:
        result = {"samples": [{"index": 0, "text": "So $\\boxed{2}$.", "answer": "2"}],
                  "clusters": [{"answer": "2", "members": [0]}], "answer": "2", "confidence": 0.9}
        solve_id = store.save_solve("1+1?", result)
        with pytest.raises(StepwiseError, match="no teacher marks"):
            runs.prepare_recipe(str(_recipe(tmp_path)), ["evaluator"], "marks", "", store)
        store.add_mark(solve_id, True, sample_index=0)
        with pytest.raises(ConfigError, match="Evaluator phase"):
            runs.prepare_recipe(str(_recipe(tmp_path)), ["ssft"], "marks", "", store)
        written = runs.prepare_recipe(str(_recipe(tmp_path)), ["evaluator", "multitask"], "marks", "", store)
    config = tomllib.loads(written.read_text())
    assert config["evaluator"] == {"use_teacher_marks": True}
    assert config["phases"] == ["candidates", "evaluator", "multitask", "eval", "export"]


def test_hidpi_formulas_are_drawn_finer_and_shown_at_logical_size():
    normal = math_render.render_html("$\\frac{1}{2}$")
    math_render.set_scale(2.0)
    try:
        fine = math_render.render_html("$\\frac{1}{2}$")
    finally:
        math_render.set_scale(1.0)
    small, big = _image(normal.images["math:0"]), _image(fine.images["math:0"])
    assert abs(big.width() - 2 * small.width()) <= 3 and abs(big.height() - 2 * small.height()) <= 3
    assert f'width="{big.width() // 2}"' in fine.html or f'width="{round(big.width() / 2)}"' in fine.html


def test_prepare_recipe_never_exports_over_the_bundled_model(tmp_path):
    import tomllib

    recipe = _recipe(tmp_path)
    recipe.write_text(recipe.read_text() + '\n[export]\noutput_dir = "assets/model"\ngguf = true\n')
    config = tomllib.loads(runs.prepare_recipe(str(recipe), ["ssft"], "synthetic", "", None).read_text())
    assert "output_dir" not in config["export"] and config["export"]["gguf"] is True


def test_steps_carry_the_false_steps_the_solve_core_recorded_and_nothing_is_rechecked():
    from tutor.solve.result import FalseStep, SampleRecord

    text = "First $2 + 2 = 5$.\n\nThen $5 + 1 = 6$.\nThe final answer is $\\boxed{6}$."
    recorded = SampleRecord(0, text, "6", false_steps=[FalseStep(0, "$2 + 2 = 5$ does not hold: $2 + 2$ is 4")])
    steps = present.steps_with_flags(recorded)
    assert [step for step, _ in steps] == ["First $2 + 2 = 5$.", "Then $5 + 1 = 6$.", "The final answer is $\\boxed{6}$."]
    assert steps[0][1] == ["$2 + 2 = 5$ does not hold: $2 + 2$ is 4"] and steps[1][1] == steps[2][1] == []
    unrecorded = SampleRecord(0, text, "6")  # the view reads the record: a flag it does not carry is not drawn
    assert all(flags == [] for _, flags in present.steps_with_flags(unrecorded))


def test_a_solution_the_computation_overruled_says_so_on_its_boxed_step():
    from tutor.solve.result import RankedCluster, SampleRecord, SolveResult

    text = "Subtract 7: $3x = -3$.\nThe answer is $\\boxed{-1}$.\nDone."
    sample = SampleRecord(0, text, "-1")
    clusters = [RankedCluster("-1", [0], votes=1, score=None)]
    overruled = SolveResult("Solve 3x + 7 = 22", [sample], clusters, "5", 0.99, [], source="computation")
    steps = present.steps_with_flags(sample, overruled)
    assert steps[0][1] == [] and steps[2][1] == []
    assert steps[1][1] == ["This written solution ends with $-1$, not the directly computed $5$: "
                           "read it as an attempt, not as the answer."]
    chosen = SolveResult("Solve 3x + 7 = 22", [sample], clusters, "-1", 0.4, [], source="model")
    assert all(flags == [] for _, flags in present.steps_with_flags(sample, chosen))


def test_the_solution_shown_is_the_computations_worked_steps_where_it_decided_and_has_them():
    from tutor.solve.result import RankedCluster, SampleRecord, SolveResult, SymbolicCheck

    sample = SampleRecord(0, "Subtract 7: $3x = -3$.\nThe answer is $\\boxed{-1}$.", "-1")
    worked = ["Subtract $7$ from both sides: $3x = 22 - 7 = 15$.", "The final answer is $\\boxed{5}$."]
    result = SolveResult("Solve 3x + 7 = 22", [sample], [RankedCluster("-1", [0], votes=1, score=None)], "5", 0.99,
                         [], source="computation", symbolic=SymbolicCheck("disagree", "5", "equation", "", worked))
    assert present.shown_steps(result) == [(step, []) for step in worked] and present.boxed_is_answer(result)
    result.symbolic.steps = []  # a computation with no steps of its own: the attempt, marked
    assert present.shown_steps(result)[-1][1] and not present.boxed_is_answer(result)
    result.clusters, result.source, result.answer = [], "none", None  # nothing answered: the first attempt
    assert [step for step, _ in present.shown_steps(result)] == sample.text.splitlines()
