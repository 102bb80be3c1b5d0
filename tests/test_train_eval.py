"""`trainer.eval` on a scripted generator/verifier: every metric of METHOD.md, AUROC, resume from partial results.

Run: python -m pytest tests/test_train_eval.py -q
"""

from types import SimpleNamespace

import pytest

from trainer.eval import EvalConfig, accuracy_by_n, auroc, evaluate, load_results
from tutor.models.base import Sample

# problem -> (greedy answer, sampled answers); the verifier likes answers in LIKED
SCRIPT = {
    "A": ("5", ["5", "5", "5", "4"]),  # majority wrong, the verifier finds the lone right answer
    "B": ("7", ["7", "7", "7", "7"]),  # everything right
    "C": ("1", ["2", "3", "9", "9"]),  # never right; the verifier prefers a wrong singleton
}
LIKED = {"4": 0.9, "7": 0.8, "3": 0.7}
PROBLEMS = [SimpleNamespace(problem="A", answer="4", subject="Algebra", level=1),
            SimpleNamespace(problem="B", answer="7", subject="Algebra", level=2),
            SimpleNamespace(problem="C", answer="8", subject="Prealgebra", level=2)]


class ScriptedModel:
    def __init__(self):
        self.sampled = []

    def solver_prompt(self, problem):
        return problem

    def sample(self, prompts, n=1, temperature=0.7, **_):
        self.sampled += prompts if temperature > 0 else []
        rows = []
        for p in prompts:
            greedy, answers = SCRIPT[p]
            chosen = [greedy] if temperature == 0 else answers[:n]
            rows.append([Sample(f"Step.\nThe final answer is $\\boxed{{{a}}}$.", 5, "stop") for a in chosen])
        return rows

    def p_correct(self, problems, solutions):
        return [max((v for a, v in LIKED.items() if f"{{{a}}}" in s), default=0.1) for s in solutions]


def test_every_metric_on_a_scripted_model():
    model = ScriptedModel()
    report = evaluate(model, model, PROBLEMS, EvalConfig(n=4, k=2), progress=False)
    m = report.metrics
    assert m["Pass@1"] == pytest.approx(1 / 3)  # only B's greedy answer is right
    assert m["Maj1@N"] == pytest.approx(1 / 3)
    assert m["RR.All"] == pytest.approx(2 / 3) and m["RR.Top-K"] == pytest.approx(2 / 3)
    assert m["W.RR"] == pytest.approx(2 / 3)  # A: cluster 4 sums 0.9 > cluster 5's 0.3
    assert m["MajK@N"] == pytest.approx(2 / 3) and m["Pass@N"] == pytest.approx(2 / 3)
    assert m["sample_accuracy"] == pytest.approx(5 / 12)
    # C: top-2 clusters by vote are 9 (2 votes) then 2 (first member): 3 is outside, so W.RR.Top-K on C picks 9/2
    assert report.by_subject["Prealgebra"]["Pass@N"] == 0.0 and report.by_level["1"]["RR.Top-K"] == 1.0
    assert 0.0 <= m["verifier_ece"] <= 1.0
    settings = report.calibration.settings
    assert settings["step_check"] is True and settings["temperature"] == 0.7 and settings["max_new_tokens"] == 384, \
        "the fitted calibration records the settings it was fitted under: by default, the tutor's own"
    plain = evaluate(model, model, PROBLEMS, EvalConfig(n=4, k=2, step_check=False), progress=False)
    assert plain.calibration.settings["step_check"] is False
    assert m["Tutor"] == m["RR.Top-K"], "the tutor's answer is its strategy's (nothing here is directly computable)"


def test_auroc_matches_hand_counts():
    assert auroc([0.9, 0.8, 0.1], [True, True, False]) == 1.0
    assert auroc([0.1, 0.9], [True, False]) == 0.0
    assert auroc([0.5, 0.5, 0.7, 0.2], [True, False, True, False]) == pytest.approx((1 + 0.5 + 1 + 1) / 4)
    assert auroc([0.3], [True]) != auroc([0.3], [True])  # NaN without both classes


def test_evaluation_resumes_after_the_problems_already_written(tmp_path):
    path = tmp_path / "results.jsonl"
    first = ScriptedModel()
    evaluate(first, first, PROBLEMS, EvalConfig(n=4, k=2, max_problems=2, problems_per_call=1), progress=False,
             results_path=path)
    assert len(load_results(path)) == 2
    second = ScriptedModel()
    report = evaluate(second, second, PROBLEMS, EvalConfig(n=4, k=2, problems_per_call=1), progress=False,
                      results_path=path, baseline=second)
    assert second.sampled == ["C"]  # A and B came from the file
    assert report.problems == 3 and report.metrics["Pass@N"] == pytest.approx(2 / 3)
    assert report.metrics["baseline_Pass@1"] == 0.0  # only C had a baseline decode, and it is wrong


def test_accuracy_vs_n_from_stored_results_ends_at_the_full_metrics(tmp_path):
    model = ScriptedModel()
    path = tmp_path / "results.jsonl"
    report = evaluate(model, model, PROBLEMS, EvalConfig(n=4, k=2), progress=False, results_path=path)
    curves = accuracy_by_n(load_results(path), k=2)
    assert all(sorted(curve) == [1, 2, 4] for curve in curves.values())
    for metric, curve in curves.items():
        assert curve[4] == pytest.approx(report.metrics[metric]), metric
    # A's right answer is its 4th sample: with 1 or 2 samples only B is solved, by every strategy
    assert {metric: curve[2] for metric, curve in curves.items()} == pytest.approx(dict.fromkeys(curves, 1 / 3))
    assert curves["RR.All"][4] == pytest.approx(2 / 3) and curves["Maj1@N"][4] == pytest.approx(1 / 3)


def test_plots_include_accuracy_vs_n_only_when_answers_were_stored(tmp_path):
    from dataclasses import replace

    from trainer.plots import write_plots

    model = ScriptedModel()
    path = tmp_path / "results.jsonl"
    report = evaluate(model, model, PROBLEMS, EvalConfig(n=4, k=2), progress=False, results_path=path)
    results = load_results(path)
    written = write_plots(report, results, tmp_path / "plots")
    assert sorted(p.name for p in written) == ["accuracy_vs_n.png", "reliability.png", "strategies.png"]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in written)
    older = [replace(r, answers=[]) for r in results]  # results.jsonl written before answers were stored
    assert [p.name for p in write_plots(report, older, tmp_path / "old")] == ["strategies.png", "reliability.png"]


def test_ill_posed_problems_count_only_as_handled_or_not_and_wrong_answers_are_counted_by_confidence():
    ill = SimpleNamespace(problem="A", answer="", subject="Algebra", level=1, ill_posed=True)
    report = evaluate(ScriptedModel(), ScriptedModel(), [ill, *PROBLEMS], EvalConfig(n=4, k=2, adaptive=False),
                      progress=False)
    m = report.metrics
    assert report.problems == 3, "the ill-posed problem is left out of the accuracy metrics"
    # "A" gets the answer 5 (3 of 4 votes) from the scripted model: handled only if the confidence is low
    assert m["ill_posed_handled"] in (0.0, 1.0) and m["ill_posed_answered_confidently"] == 1 - m["ill_posed_handled"]
    assert set(m) >= {"wrong_with_confidence_>=0.6", "wrong_with_confidence_>=0.8", "tutor_confidence_ece"}
    assert 0.0 <= m["wrong_with_confidence_>=0.8"] <= m["wrong_with_confidence_>=0.6"] <= 1.0


def test_trainer_calibrate_fits_on_several_result_files_and_records_the_settings(tmp_path, monkeypatch):
    import json

    from trainer import cli
    from tutor.solve import calibration

    model = ScriptedModel()
    paths = []
    for name, problems in (("a", PROBLEMS), ("b", PROBLEMS[::-1])):
        path = tmp_path / f"{name}.jsonl"
        evaluate(model, model, problems * 3, EvalConfig(n=4, k=2), progress=False, results_path=path)
        paths.append(str(path))
    folder = tmp_path / "model"
    folder.mkdir()
    loaded = SimpleNamespace(backend="llama.cpp", quantization="q8_0")
    monkeypatch.setattr("tutor.models.load", lambda *args, **kwargs: (loaded, loaded))
    assert cli.main(["calibrate", str(folder), *paths, "--temperature", "0.5"]) == 0
    saved = json.loads((folder / "calibration.json").read_text())
    assert saved["n_examples"] == 18 and saved["settings"]["temperature"] == 0.5
    assert saved["settings"]["backend"] == "llama.cpp" and saved["settings"]["quantization"] == "q8_0"
    assert calibration.load_calibration(folder).settings == saved["settings"]


def test_the_evaluation_solves_as_the_tutor_does_computation_and_all(monkeypatch):
    """A directly computable problem the scripted model gets wrong is right for the tutor, as in the app."""
    from tutor.solve import Solver

    monkeypatch.setitem(SCRIPT, "What is 5 + 3?", ("1", ["2", "3", "9", "9"]))
    problems = [SimpleNamespace(problem="What is 5 + 3?", answer="8", subject="Algebra", level=1), PROBLEMS[2]]
    model = ScriptedModel()
    config = EvalConfig(n=4, k=2)
    report = evaluate(model, model, problems, config, progress=False)
    assert report.metrics["Tutor"] == 0.5 and report.metrics["Maj1@N"] == 0.0, "the computation's 8, not a vote"
    app = Solver(model, model, config.solve_config()).solve("What is 5 + 3?")
    assert app.answer == "8" and app.source == "computation", "the same answer the app shows"


def test_the_report_also_gives_honesty_as_the_app_shows_it_under_the_shipped_calibration(tmp_path):
    """The evaluation solves uncalibrated (to fit its own calibration); the app applies the model's
    calibration.json to the same features. `shipped_...` metrics re-score with it, so a card reports what a
    student sees: here a calibration that always says 0.9 makes every wrong answer confident, and one that
    always says 0.1 makes none."""
    from trainer.eval import summarize
    from tutor.solve.calibration import FEATURES, Calibration

    ill = SimpleNamespace(problem="A", answer="", subject="Algebra", level=1, ill_posed=True)
    path = tmp_path / "results.jsonl"
    evaluate(ScriptedModel(), ScriptedModel(), [ill, *PROBLEMS], EvalConfig(n=4, k=2, adaptive=False),
             progress=False, results_path=path)
    results = load_results(path)
    for bias, confident in ((2.1972, 1.0), (-2.1972, 0.0)):  # sigmoid(+-2.1972) = 0.9 / 0.1
        shipped = Calibration(weights=[0.0] * len(FEATURES), bias=bias)
        m = summarize(results, EvalConfig(n=4, k=2), None, shipped).metrics
        assert m["shipped_wrong_with_confidence_>=0.8"] == confident
        assert m["shipped_ill_posed_answered_confidently"] == confident  # "A" is answered (5), never "can't"
    assert "shipped_tutor_confidence_ece" not in summarize(results, EvalConfig(n=4, k=2)).metrics
