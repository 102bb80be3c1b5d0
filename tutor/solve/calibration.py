"""Confidence that the chosen answer is correct: features of a ranking, and a calibration fitted on data.

Features of one solve (all in [0, 1]): the winner's vote share, its best and mean verifier score, and
whether the strategy's winner agrees with plain majority voting. A calibration is a logistic regression on
those features (Platt scaling generalised to a few inputs), fitted on held-out labelled solves by
`fit_calibration` (the trainer's evaluation does this) and saved as `calibration.json` next to the model.
Without one, `uncalibrated_confidence` is a plain average of vote share and best verifier score, and the
result's reasons say so.
"""

import json
import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tutor.errors import ModelLoadError
from tutor.solve.result import RankedCluster

CALIBRATION_FILE = "calibration.json"
FORMAT = "stepwise-calibration"
FEATURES = ("vote_share", "verifier_max", "verifier_mean", "agrees_with_majority", "drawn_share", "answer_in_problem",
            "unanswered_share")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def confidence_features(ranked: Sequence[RankedCluster], n_samples: int, *, most: int | None = None,
                        problem: str = "", unanswered: int = 0) -> dict[str, float] | None:
    """The calibration inputs for a ranking (ranked[0] = winner); None when there is no winner.

    A missing verifier score (unscored winner) is read as 0.5, "the verifier cannot tell". Besides the vote and
    the verifier: the share of the most samples that were drawn (adaptive sampling stops early when the
    first ones agree), whether the answer is a number copied from the problem (a small model's samples
    collapse onto one on unfamiliar input, so agreement there is no evidence), and the share of samples that
    gave no answer.
    """
    if not ranked or n_samples < 1:
        return None
    winner = ranked[0]
    majority = max(ranked, key=lambda cluster: (cluster.votes, -min(cluster.members)))
    return {
        "vote_share": winner.votes / n_samples,
        "verifier_max": 0.5 if winner.max_score is None else winner.max_score,
        "verifier_mean": 0.5 if winner.mean_score is None else winner.mean_score,
        "agrees_with_majority": 1.0 if winner.answer == majority.answer else 0.0,
        "drawn_share": n_samples / most if most else 1.0,
        "answer_in_problem": 1.0 if _copied_from(winner.answer, problem) else 0.0,
        "unanswered_share": unanswered / n_samples,
    }


def features_of(result, most: int | None = None) -> dict[str, float] | None:
    """`confidence_features` of a SolveResult whose solve could draw up to `most` samples."""
    return confidence_features(result.clusters, len(result.samples), most=most, problem=result.problem,
                               unanswered=len(result.unanswered))


def _copied_from(answer: str, problem: str) -> bool:
    """Whether `answer` is one of the numbers written in the problem."""
    value = answer.strip().strip("$").replace(",", "")
    return bool(_NUMBER.fullmatch(value)) and value in {m.group() for m in _NUMBER.finditer(problem.replace(",", ""))}


def uncalibrated_confidence(features: dict[str, float], has_verifier: bool) -> float:
    """A sane default before any calibration exists: vote share, averaged with the verifier when scored."""
    if not has_verifier:
        return features["vote_share"]
    return 0.5 * features["vote_share"] + 0.5 * features["verifier_max"]


@dataclass
class Calibration:
    """Logistic regression p = sigmoid(bias + weights . features), features in FEATURES order."""

    weights: list[float]
    bias: float
    n_examples: int = 0
    ece_before: float | None = None
    """ECE of the uncalibrated default on the fitting data, for the model card."""
    ece_after: float | None = None
    format: str = FORMAT
    features: tuple[str, ...] = FEATURES
    settings: dict[str, Any] | None = None
    """The settings the solves it was fitted on ran under (`tutor.solve.config.calibration_settings`: strategy,
    N, temperature, tokens, calculator, step check, backend, quantization); the Solver uses it only under the
    same ones. None: not recorded (a file from before they were)."""

    def mismatch(self, settings: dict[str, Any]) -> str:
        """Why this calibration does not fit solves under `settings` ("" when it does), e.g. "at
        temperature 0.5, not 0.7"."""
        if self.settings is None:
            return "without recording its settings"
        differences = [f"{name.replace('_', ' ')} {self.settings.get(name)!r}, not {value!r}"
                       for name, value in settings.items() if self.settings.get(name) != value]
        return ("with " + "; ".join(differences)) if differences else ""

    def predict(self, features: dict[str, float]) -> float:
        z = self.bias + sum(w * features[name] for w, name in zip(self.weights, self.features))
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def save(self, path: Path) -> Path:
        """Write to `path` (a model folder gets `calibration.json` inside it)."""
        target = path / CALIBRATION_FILE if path.is_dir() else path
        data = asdict(self)
        data["features"] = list(self.features)
        target.write_text(json.dumps(data, indent=2) + "\n")
        return target


def calibration_path(model_path: Path) -> Path:
    """calibration.json inside a model folder, or beside a .gguf file."""
    model_path = Path(model_path)
    return (model_path if model_path.is_dir() else model_path.parent) / CALIBRATION_FILE


def load_calibration(model_path: Path | None) -> Calibration | None:
    """The calibration stored with a model; None when it has none; ModelLoadError when it is unreadable."""
    if model_path is None or not Path(model_path).exists():
        return None
    path = calibration_path(model_path)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
        if data.get("format") != FORMAT:
            raise ValueError(f"format is {data.get('format')!r}, expected {FORMAT!r}")
        data.pop("step_check", None)  # recorded alone before `settings` held it with the rest
        data["features"] = tuple(data.get("features", FEATURES))
        unknown = set(data["features"]) - set(FEATURES)
        if unknown or len(data["weights"]) != len(data["features"]):
            raise ValueError(f"features {data['features']} do not match weights {data['weights']}")
        return Calibration(**data)
    except (ValueError, TypeError, KeyError) as exc:
        raise ModelLoadError(f"{path} is not a valid calibration file ({exc}); delete or refit it") from exc


def expected_calibration_error(probabilities: Sequence[float], labels: Sequence[bool], bins: int = 10) -> float:
    """ECE: |accuracy - mean confidence| per equal-width bin, weighted by the bin's share of examples."""
    assert len(probabilities) == len(labels), "one label per probability"
    if not probabilities:
        return 0.0
    p = np.clip(np.asarray(probabilities, dtype=float), 0.0, 1.0)
    y = np.asarray(labels, dtype=float)
    which = np.minimum((p * bins).astype(int), bins - 1)
    error = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            error += mask.mean() * abs(y[mask].mean() - p[mask].mean())
    return float(error)


def _fit_logistic(x: np.ndarray, y: np.ndarray, l2: float, iterations: int) -> np.ndarray:
    """theta = (bias, weights) by Newton's method (IRLS) with a small L2 penalty on the weights."""
    penalty = np.eye(x.shape[1]) * l2
    penalty[0, 0] = 0.0  # the bias is not shrunk
    theta = np.zeros(x.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ theta, -60, 60)))
        gradient = x.T @ (p - y) + penalty @ theta
        hessian = (x * (p * (1 - p))[:, None]).T @ x + penalty + np.eye(x.shape[1]) * 1e-9
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if np.abs(step).max() < 1e-8:
            break
    return theta


def fit_calibration(
    features: Sequence[dict[str, float]], labels: Sequence[bool], l2: float = 1e-2, iterations: int = 50,
    folds: int = 5,
) -> Calibration:
    """Fit the logistic calibration on all examples.

    features: confidence_features(...) of held-out solves; labels: whether each winner was correct.
    ece_after is cross-fitted: each example is predicted by a fit on the other folds (every folds-th
    example is held out in turn), so it is not measured on the data it was fitted to.
    """
    if len(features) != len(labels):
        raise ValueError(f"{len(features)} feature rows but {len(labels)} labels")
    if len(features) < 2 or len(set(bool(y) for y in labels)) < 2:
        raise ValueError("calibration needs at least one correct and one incorrect example")
    x = np.array([[1.0] + [row[name] for name in FEATURES] for row in features])
    y = np.array([1.0 if label else 0.0 for label in labels])
    theta = _fit_logistic(x, y, l2, iterations)
    calibration = Calibration(weights=[float(w) for w in theta[1:]], bias=float(theta[0]), n_examples=len(labels))
    held_out = np.arange(len(y)) % max(2, min(folds, len(y)))
    out_of_fold = np.empty(len(y))
    for fold in np.unique(held_out):
        train = held_out != fold
        fold_theta = _fit_logistic(x[train], y[train], l2, iterations)
        out_of_fold[~train] = 1.0 / (1.0 + np.exp(-np.clip(x[~train] @ fold_theta, -60, 60)))
    before = [uncalibrated_confidence(row, has_verifier=True) for row in features]
    calibration.ece_before = expected_calibration_error(before, labels)
    calibration.ece_after = expected_calibration_error(out_of_fold.tolist(), labels)
    return calibration
