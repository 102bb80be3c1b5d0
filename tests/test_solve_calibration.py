"""Confidence calibration: features, the logistic fit, ECE, and calibration.json stored with a model.

Run: python -m pytest tests/test_solve_calibration.py -x -q
"""

import json
import math
import random

import pytest

from tutor.errors import ModelLoadError
from tutor.solve.calibration import (
    FEATURES,
    Calibration,
    calibration_path,
    confidence_features,
    expected_calibration_error,
    fit_calibration,
    load_calibration,
    uncalibrated_confidence,
)
from tutor.solve.result import RankedCluster


def cluster(answer, members, max_score=None, mean_score=None):
    return RankedCluster(answer, members, len(members), max_score, mean_score, max_score)


def test_features_of_a_ranking():
    ranked = [cluster("5", [3, 4], 0.9, 0.65), cluster("4", [0, 1, 2], 0.3, 0.2)]
    features = confidence_features(ranked, n_samples=6)
    assert features == {
        "vote_share": pytest.approx(2 / 6),
        "verifier_max": 0.9,
        "verifier_mean": 0.65,
        "agrees_with_majority": 0.0,
        "drawn_share": 1.0,
        "answer_in_problem": 0.0,
        "unanswered_share": 0.0,
    }
    early = confidence_features(ranked, n_samples=6, most=16, problem="Tom has 5 apples and 4,500 pears.",
                                unanswered=1)
    assert early["drawn_share"] == pytest.approx(6 / 16) and early["unanswered_share"] == pytest.approx(1 / 6)
    assert early["answer_in_problem"] == 1.0, "5 is copied from the problem"
    assert confidence_features([cluster("4500", [0])], 1, problem="4,500 pears")["answer_in_problem"] == 1.0
    assert confidence_features([cluster("\\frac{1}{5}", [0])], 1, problem="5 pears")["answer_in_problem"] == 0.0
    agreeing = confidence_features(list(reversed(ranked)), n_samples=6)
    assert agreeing["agrees_with_majority"] == 1.0 and agreeing["vote_share"] == pytest.approx(0.5)
    unscored = confidence_features([cluster("5", [0])], n_samples=1)
    assert unscored["verifier_max"] == 0.5 and unscored["verifier_mean"] == 0.5
    assert confidence_features([], n_samples=4) is None


def test_ece():
    assert expected_calibration_error([0.75] * 4, [True, True, True, False]) == pytest.approx(0.0)
    assert expected_calibration_error([1.0, 1.0], [False, False]) == pytest.approx(1.0)
    assert expected_calibration_error([0.9, 0.1], [True, False]) == pytest.approx(0.1)
    assert expected_calibration_error([], []) == 0.0


def synthetic_solves(n, seed=0):
    """Solves whose correctness depends on vote share and verifier score as a known logistic model."""
    rng = random.Random(seed)
    features, labels = [], []
    for _ in range(n):
        vote_share = rng.random()
        verifier = min(1.0, max(0.0, rng.gauss(vote_share, 0.25)))
        row = {
            "vote_share": vote_share,
            "verifier_max": verifier,
            "verifier_mean": verifier * 0.8,
            "agrees_with_majority": float(rng.random() < 0.8),
            "drawn_share": 1.0,
            "answer_in_problem": 0.0,
            "unanswered_share": 0.0,
        }
        p = 1 / (1 + math.exp(-(6 * vote_share + 3 * verifier - 5)))
        features.append(row)
        labels.append(rng.random() < p)
    return features, labels


def test_fit_improves_calibration_on_held_out_data():
    train_x, train_y = synthetic_solves(600, seed=1)
    test_x, test_y = synthetic_solves(600, seed=2)
    calibration = fit_calibration(train_x, train_y)
    assert calibration.n_examples == 600
    assert calibration.ece_after < calibration.ece_before
    fitted = [calibration.predict(row) for row in test_x]
    default = [uncalibrated_confidence(row, has_verifier=True) for row in test_x]
    assert expected_calibration_error(fitted, test_y) < expected_calibration_error(default, test_y)
    assert expected_calibration_error(fitted, test_y) < 0.08
    # more votes, same verifier: never less confident
    low, high = dict(test_x[0], vote_share=0.2), dict(test_x[0], vote_share=0.9)
    assert calibration.predict(high) > calibration.predict(low)
    assert calibration.weights[0] > 0 and calibration.weights[1] > 0


def test_ece_after_is_cross_fitted_so_it_tracks_held_out_data():
    """On few examples the in-sample ECE flatters the fit; the cross-fitted ece_after stays near the ECE on
    fresh data."""
    in_sample_gap, cross_fitted_gap = [], []
    for seed in range(1, 7):
        x, y = synthetic_solves(60, seed=seed)
        fresh_x, fresh_y = synthetic_solves(2000, seed=100 + seed)
        calibration = fit_calibration(x, y)
        fresh = expected_calibration_error([calibration.predict(row) for row in fresh_x], fresh_y)
        in_sample = expected_calibration_error([calibration.predict(row) for row in x], y)
        in_sample_gap.append(abs(in_sample - fresh))
        cross_fitted_gap.append(abs(calibration.ece_after - fresh))
    assert sum(cross_fitted_gap) < sum(in_sample_gap)


def test_fit_needs_both_outcomes():
    x, _ = synthetic_solves(10)
    with pytest.raises(ValueError, match="one correct and one incorrect"):
        fit_calibration(x, [True] * 10)
    with pytest.raises(ValueError, match="labels"):
        fit_calibration(x, [True, False])


def test_save_and_load_next_to_the_model(tmp_path):
    calibration = Calibration(weights=[1.0, 2.0, 0.5, -0.25, 0.1, -1.0, -0.5], bias=-1.5, n_examples=12, ece_before=0.2, ece_after=0.05)
    saved = calibration.save(tmp_path)
    assert saved == tmp_path / "calibration.json"
    assert json.loads(saved.read_text())["format"] == "stepwise-calibration"
    assert load_calibration(tmp_path) == calibration
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"GGUF")
    assert calibration_path(gguf) == saved and load_calibration(gguf) == calibration
    assert load_calibration(tmp_path / "elsewhere") is None
    assert load_calibration(None) is None


@pytest.mark.parametrize(
    "content",
    ["{broken", '{"format": "other"}', '{"format": "stepwise-calibration", "weights": [1.0], "bias": 0}'],
    ids=["not json", "wrong format", "weights do not match features"],
)
def test_broken_calibration_files_are_model_load_errors(tmp_path, content):
    (tmp_path / "calibration.json").write_text(content)
    with pytest.raises(ModelLoadError, match="not a valid calibration file"):
        load_calibration(tmp_path)


def test_predictions_stay_in_range_for_extreme_weights():
    calibration = Calibration(weights=[1e6] + [0] * 6, bias=-1e6)
    row = dict.fromkeys(FEATURES, 0.0)
    assert 0.0 <= calibration.predict(row | {"vote_share": 1}) <= 1.0
    assert calibration.predict(row) < 1e-9


def test_a_calibration_of_fewer_features_written_before_still_predicts_with_its_own(tmp_path):
    (tmp_path / "calibration.json").write_text(json.dumps({
        "format": "stepwise-calibration", "weights": [4.0, 0.0, 0.0, 0.0], "bias": -2.0,
        "features": ["vote_share", "verifier_max", "verifier_mean", "agrees_with_majority"]}))
    old = load_calibration(tmp_path)
    assert old.predict(dict.fromkeys(FEATURES, 0.0) | {"vote_share": 0.5}) == pytest.approx(0.5)
