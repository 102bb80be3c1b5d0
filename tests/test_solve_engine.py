"""The Solver end to end over a scripted generator/verifier: re-ranking, events, cancellation, results.

Run: python -m pytest tests/test_solve_engine.py -x -q
"""

import json
import threading
import time
from dataclasses import replace

import pytest
from solve_fakes import ScriptedModel, solution

from tutor.errors import ConfigError, DataError
from tutor.prompts import SOLVER_STOP
from tutor.solve import Calibration, SolveConfig, Solver, SolveResult
from tutor.solve.config import calibration_settings

# Three solutions say 4 but the verifier dislikes them; two say 5 and one of those it likes a lot.
WEAK_FOUR = [solution("4", "guess a"), solution("4", "guess b"), solution("4", "guess c")]
STRONG_FIVE = [solution("5", "careful"), solution("5", "sloppy")]
NO_ANSWER = "I am not sure how to finish this"
SCORES = {WEAK_FOUR[0]: 0.3, WEAK_FOUR[1]: 0.2, WEAK_FOUR[2]: 0.1, STRONG_FIVE[0]: 0.9, STRONG_FIVE[1]: 0.4}
SCRIPT = WEAK_FOUR + STRONG_FIVE + [NO_ANSWER]
# Not directly computable, so the ranking alone decides (the computation's own tests use computable ones).
PROBLEM = "Lena shares some apples fairly. How many does each friend get?"


def solve(strategy="rr_topk", script=SCRIPT, scores=SCORES, problem=PROBLEM, **config):
    model = ScriptedModel(script, scores)
    config = SolveConfig(n=len(script), k=config.pop("k", 8), strategy=strategy, **config)
    return model, Solver(model, model, config).solve(problem)


def test_scr_prefers_the_smaller_cluster_with_the_better_solution():
    model, result = solve("rr_topk")
    assert result.answer == "5"
    assert [c.answer for c in result.clusters] == ["5", "4"]
    five, four = result.clusters
    assert (five.votes, four.votes) == (2, 3)
    assert five.members == [3, 4], "members best-scored first"
    assert five.max_score == pytest.approx(0.9) and five.mean_score == pytest.approx(0.65)
    assert result.best_solution.text == STRONG_FIVE[0]
    assert any("most common answer, 4 (3 of 6)" in reason for reason in result.reasons)
    assert model.sample_calls[0]["n"] == 6 and model.sample_calls[0]["stop"] == SOLVER_STOP


def test_majority_vote_and_scr_agree_when_the_majority_is_also_best():
    scores = dict(SCORES) | {WEAK_FOUR[0]: 0.95}
    assert solve("rr_topk", scores=scores)[1].answer == "4"
    assert solve("maj1")[1].answer == "4"


def test_samples_without_an_answer_stay_visible():
    _, result = solve()
    assert len(result.samples) == 6
    assert [s.index for s in result.unanswered] == [5]
    assert all(5 not in c.members for c in result.clusters)
    assert "1 solution gave no final answer." in result.reasons


def test_only_the_top_k_clusters_are_verified():
    script = WEAK_FOUR + STRONG_FIVE + [solution("6", "lone")]
    model, result = solve("rr_topk", script=script, k=2)
    assert solution("6", "lone") not in model.verified
    assert sorted(model.verified) == sorted(WEAK_FOUR + STRONG_FIVE)
    assert result.clusters[-1].answer == "6" and not result.clusters[-1].in_top_k
    assert result.samples[5].score is None


def test_greedy_decodes_one_sample_at_temperature_zero():
    model, result = solve("greedy")
    assert model.sample_calls[0]["n"] == 1 and model.sample_calls[0]["temperature"] == 0.0
    assert len(result.samples) == 1 and result.answer == "4"


def test_every_strategy_runs_and_round_trips_through_json():
    for strategy in ("greedy", "maj1", "rr_all", "rr_topk", "wrr", "wrr_topk"):
        _, result = solve(strategy)
        assert result.strategy == strategy
        assert 0.0 <= result.confidence <= 1.0
        back = SolveResult.from_dict(json.loads(json.dumps(result.to_dict())))
        assert back == result


def test_events_arrive_in_stage_order():
    model = ScriptedModel(SCRIPT, SCORES)
    events = []
    Solver(model, model, SolveConfig(n=6)).solve(PROBLEM, on_event=events.append)
    stages = [event.stage for event in events]
    assert stages[0] == "sampling" and stages[-1] == "done"
    order = ["sampling", "grading", "verifying", "done"]
    assert [order.index(s) for s in stages] == sorted(order.index(s) for s in stages)
    progress = [event for event in events if event.stage == "sampling"]
    assert [event.done for event in progress] == [0, 1, 2, 3, 4, 5, 6]
    assert progress[-1].tokens > 0 and progress[-1].preview
    verifying = [event for event in events if event.stage == "verifying"]
    assert verifying[-1].done == verifying[-1].total == 5


def test_cancel_mid_sampling_returns_promptly_with_a_partial_result():
    model = ScriptedModel(SCRIPT, SCORES, seconds_per_sample=0.3)
    cancel = threading.Event()

    def on_event(event):
        if event.stage == "sampling" and event.done == 2:
            cancel.set()

    started = time.perf_counter()
    result = Solver(model, model, SolveConfig(n=16)).solve(PROBLEM, on_event, cancel)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.3 * 16 / 2, f"cancel took {elapsed:.2f}s"
    assert result.cancelled
    assert sum(s.finish_reason == "stop" for s in result.samples) == 2
    assert all(s.answer is None for s in result.samples if s.finish_reason == "cancelled")
    assert model.verified == [], "no verifier work after a cancel"
    assert result.answer == "4" and result.strategy == "maj1"
    assert "Stopped early: 2 of 16 solutions were finished." in result.reasons
    assert any("from the share of agreeing solutions" in reason for reason in result.reasons)


def test_no_answer_at_all():
    _, result = solve(script=[NO_ANSWER, "still nothing"])
    assert result.answer is None and result.clusters == [] and result.confidence == 0.0
    assert "None of the 2 solutions ended with a final answer." in result.reasons


def test_bad_problem_and_bad_config_are_user_errors():
    model = ScriptedModel(SCRIPT)
    with pytest.raises(DataError, match="empty"):
        Solver(model, model).solve("   ")
    with pytest.raises(ConfigError, match="strategy must be one of"):
        SolveConfig(strategy="best")
    with pytest.raises(ConfigError, match="n must be"):
        SolveConfig(n=0)
    with pytest.raises(ConfigError, match="unknown SolveConfig field"):
        SolveConfig.from_dict({"n": 4, "beams": 2})


def fitted_under(config: SolveConfig) -> dict:
    """The settings a calibration records, for the scripted model (no backend, no quantization)."""
    return calibration_settings(config)


def test_calibration_is_loaded_from_the_model_folder(tmp_path):
    config = SolveConfig(n=6, strategy="maj1")
    Calibration(weights=[4.0] + [0.0] * 6, bias=-2.0, n_examples=40, settings=fitted_under(config)).save(tmp_path)
    model = ScriptedModel(SCRIPT, SCORES, path=tmp_path)
    result = Solver(model, model, config).solve(PROBLEM)
    # vote share 3/6 -> sigmoid(4 * 0.5 - 2) = 0.5
    assert result.confidence == pytest.approx(0.5)
    assert any("calibrated on 40 solved test problems" in reason for reason in result.reasons)


@pytest.mark.parametrize("changed, said", [
    ({}, None), ({"step_check": False}, "step check True, not False"), ({"temperature": 0.5}, "temperature 0.7, not 0.5"),
    ({"strategy": "rr_topk"}, "strategy 'maj1', not 'rr_topk'"), ({"calculator": False}, "calculator True, not False"),
    ({"max_new_tokens": 200}, "max new tokens 384, not 200"),
])
def test_a_calibration_is_used_only_under_the_settings_it_was_fitted_under(tmp_path, changed, said):
    fitted = SolveConfig(n=6, strategy="maj1")
    Calibration(weights=[4.0] + [0.0] * 6, bias=-2.0, n_examples=40, settings=fitted_under(fitted)).save(tmp_path)
    model = ScriptedModel(SCRIPT, SCORES, path=tmp_path)
    result = Solver(model, model, replace(fitted, **changed)).solve(PROBLEM)
    assert any("calibrated on 40" in reason for reason in result.reasons) is (said is None)
    if said:
        assert any(said in reason for reason in result.reasons), result.reasons


def test_a_calibration_that_does_not_record_its_settings_is_not_used(tmp_path):
    (tmp_path / "calibration.json").write_text(json.dumps({
        "format": "stepwise-calibration", "weights": [4.0, 0.0, 0.0, 0.0], "bias": -2.0, "n_examples": 40,
        "features": ["vote_share", "verifier_max", "verifier_mean", "agrees_with_majority"],
        "step_check": True}))  # a file written before calibrations recorded their settings
    model = ScriptedModel(SCRIPT, SCORES, path=tmp_path)
    result = Solver(model, model, SolveConfig(n=6)).solve(PROBLEM)
    assert any("without recording its settings" in reason for reason in result.reasons)


def test_a_broken_calibration_file_falls_back_and_says_so(tmp_path):
    (tmp_path / "calibration.json").write_text("{not json")
    model = ScriptedModel(SCRIPT, SCORES, path=tmp_path)
    result = Solver(model, model, SolveConfig(n=6)).solve(PROBLEM)
    assert result.answer == "5"
    assert any("calibration.json is unreadable" in reason for reason in result.reasons)


def test_uncalibrated_confidence_says_so():
    _, result = solve()
    assert any("rough estimate" in reason and "has no calibration.json" in reason for reason in result.reasons)
    # winner "5": vote share 2/6 averaged with best score 0.9
    assert result.confidence == pytest.approx(0.5 * 2 / 6 + 0.5 * 0.9)


def test_the_direct_computation_is_evidence_the_agreeing_cluster_wins_whatever_the_votes():
    script = [solution("6", f"guess {i}") for i in range(4)] + [solution("5", "careful")]
    scores = {text: 0.9 for text in script[:4]} | {script[4]: 0.1}  # votes and verifier both favour 6
    _, result = solve("rr_topk", script=script, scores=scores, problem="Solve 3x + 7 = 22")
    assert result.answer == "5" and result.source == "model" and result.clusters[0].answer == "5"
    assert result.symbolic.status == "agree" and result.confidence == pytest.approx(0.99)
    assert "A direct computation gives 5 too, so this answer is checked." in result.reasons
    assert "The most common answer was 6 (4 of 5)." in result.reasons


def test_where_no_sample_reaches_the_computed_answer_it_is_shown_as_computed():
    _, result = solve("maj1", script=[solution("6")] * 3, problem="Solve 3x + 7 = 22")
    assert result.answer == "5" and result.source == "computation"
    assert result.symbolic.status == "disagree" and result.symbolic.answer == "5"
    assert result.clusters[0].answer == "6", "the closest written solution is still there, for the student to read"
    assert any("None of the 3 written solutions reached it; its own steps are shown" in r for r in result.reasons)
    assert result.worked_by_computation and result.symbolic.steps[-1] == "The final answer is $\\boxed{5}$."
    back = SolveResult.from_dict(json.loads(json.dumps(result.to_dict())))
    assert back.source == "computation" and back.answer == "5" and back.symbolic.steps == result.symbolic.steps
    assert back.worked_by_computation
    _, skipped = solve("maj1", script=[solution("5")] * 3, problem="Janet has 3 apples. How many now?")
    assert skipped.symbolic.status == "not_applicable" and skipped.source == "model"


CLEAN = "Subtract 7: $3x = 22 - 7 = 15$, so $x = \\frac{15}{3} = 5$."
SLIP = "Subtract 7: $3x = 22 - 7 = 25$, so $x = 5$."


@pytest.mark.parametrize("text, score, why", [
    (CLEAN, 0.9, None),                                   # a sound, well-rated solution reached it: shown
    (CLEAN, 0.5, None),                                   # rated at the trust line: shown
    (SLIP, 0.9, "has a false step"),                      # through a false step: the computation's steps
    (CLEAN, 0.2, "is rated only 20% likely correct"),     # rated low: the computation's steps
])
def test_the_computations_own_steps_stand_in_for_a_written_solution_not_worth_learning_from(text, score, why):
    written = solution("5", text)
    _, result = solve("maj1", script=[written] * 2 + [solution("6")], scores={written: score},
                      problem="Solve 3x + 7 = 22")
    assert result.answer == "5" and result.source == "model" and result.symbolic.status == "agree"
    assert result.worked_by_computation is (why is not None)
    said = [reason for reason in result.reasons if "own steps are shown" in reason]
    assert said == ([f"The best written solution that reached it {why}, so the direct computation's own steps "
                     "are shown."] if why else [])
    assert not any("arithmetic step does not hold" in reason for reason in result.reasons)


def test_a_problem_the_computation_answers_without_steps_keeps_the_written_attempt():
    _, result = solve("maj1", script=[solution("3")] * 3, problem="What is the gcd of 12 and 18?")
    assert result.answer == "6" and result.source == "computation" and result.symbolic.steps == []
    assert not result.worked_by_computation and result.overrules(result.best_solution)
    assert any("shown below as an attempt" in reason for reason in result.reasons)


def test_with_no_usable_verifier_signal_the_votes_decide_and_it_says_so():
    script = [solution("4", f"way {i}") for i in range(11)] + [solution("7", "lone")]
    scores = {text: 0.001 for text in script[:11]} | {script[11]: 0.004}  # all discounted to ~0: noise
    _, result = solve("rr_topk", script=script, scores=scores)
    assert result.answer == "4" and result.strategy == "maj1"
    assert any("could not tell the solutions apart" in reason for reason in result.reasons)


class Measured(ScriptedModel):
    """A scripted model that counts prompt tokens as words, with a small context."""

    context_length = 64

    def prompt_tokens(self, prompt):
        return len(prompt.split())


def test_a_problem_longer_than_the_model_reads_is_refused_with_the_limit():
    model = Measured(SCRIPT, SCORES)
    with pytest.raises(DataError, match=r"too long for this model: it takes \d+ tokens .* reads at most 32"):
        Solver(model, model, SolveConfig(n=2)).solve("add " * 100)
    assert model.sample_calls == [], "nothing is sampled for a problem the model cannot read whole"
    assert Solver(model, model, SolveConfig(n=2)).solve("What is 2 + 3?").answer is not None


def test_identical_solutions_are_scored_once():
    script = [solution("4")] * 3 + [solution("5")]
    model, result = solve("rr_topk", script=script, scores={solution("4"): 0.7, solution("5"): 0.2})
    assert sorted(model.verified) == sorted({solution("4"), solution("5")})
    assert [s.score for s in result.samples] == [0.7, 0.7, 0.7, 0.2]


def test_a_nan_verifier_score_never_decides():
    scores = dict(SCORES) | {STRONG_FIVE[0]: float("nan")}
    _, result = solve("rr_topk", scores=scores)
    assert result.samples[3].score is None
    assert result.strategy == "maj1" and result.answer == "4"
    assert any("the most common answer wins instead of re-ranking" in reason for reason in result.reasons)


def test_a_model_without_a_trained_verifier_is_ranked_by_votes_and_the_reasons_say_so():
    model = ScriptedModel(SCRIPT, SCORES)
    model.trained = False  # a general model from the catalog: its zero-shot P(correct) is weak
    result = Solver(model, model, SolveConfig(n=6, adaptive=False)).solve(PROBLEM)
    assert result.answer == "4" and result.strategy == "maj1", "SCR would pick 5; the votes pick 4"
    assert model.verified == [], "nothing is scored with a verifier that was never trained"
    assert any("no trained checking model" in reason for reason in result.reasons)
    model.trained = True
    assert Solver(model, model, SolveConfig(n=6, adaptive=False)).solve(PROBLEM).answer == "5"


def test_the_loader_tells_a_trained_verifier_from_a_general_model(tmp_path):
    from tutor.models.loader import trained_verifier

    export = tmp_path / "export"
    export.mkdir()
    (export / "model.gguf").write_bytes(b"GGUF")
    assert trained_verifier(export / "model.gguf") is False, "a GGUF alone: a general model"
    (export / "calibration.json").write_text("{}")
    assert trained_verifier(export / "model.gguf") is True, "the trainer's export carries its calibration"


def test_once_the_computation_has_decided_only_the_winning_cluster_is_scored():
    from tutor.solve.pipeline import sample
    from tutor.solve.symbolic import start

    problem = "Solve 3x + 7 = 22"
    script = [solution("6", f"guess {i}") for i in range(4)] + [solution("5", "careful")]
    model = ScriptedModel(script)
    solver = Solver(model, model, SolveConfig(n=5, adaptive=False))
    pending = start(problem)
    assert pending.result().answer == "5"  # finished before the judging, as it is after a real model's sampling
    result = solver.judge(problem, sample(model, [problem], solver.config.sampling())[0], pending=pending)
    assert result.answer == "5" and result.source == "model"
    assert model.verified == [solution("5", "careful")], "no score could change the answer: one cluster scored"
