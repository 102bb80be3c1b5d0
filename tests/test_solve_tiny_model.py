"""The Solver on a real (tiny, random) transformers model built in the test: the whole path, no fakes.

Builds a 2-layer random Llama with tests/tiny_llama.py and loads it through `tutor.models.load`.
Run: python -m pytest tests/test_solve_tiny_model.py -x -q
"""

import json
import threading
import time
from dataclasses import dataclass

import pytest
from tiny_llama import build_model

from tutor.models import load
from tutor.solve import SolveConfig, Solver, SolveResult, rank


@dataclass
class Cluster:
    answer: str
    members: list[int]


PROBLEM = "What is 12 + 30?"


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    generator, verifier = load(build_model(tmp_path_factory.mktemp("tiny") / "model"), device="cpu")
    return generator, verifier


def test_solve_runs_every_stage_on_a_real_model(model):
    generator, verifier = model
    events = []
    config = SolveConfig(n=4, k=8, max_new_tokens=24, seed=0, score_all=True)
    result = Solver(generator, verifier, config).solve(PROBLEM, on_event=events.append)
    assert len(result.samples) == 4 and not result.cancelled
    assert all(s.n_tokens > 0 and s.finish_reason in ("stop", "length") for s in result.samples)
    for sample in result.samples:  # score_all: every sample is scored, answered or not
        assert 0.0 <= sample.score <= 1.0 and sample.verifier_score is not None
    assert {"sampling", "grading", "verifying", "done"} <= {event.stage for event in events}
    assert any(event.stage == "sampling" and event.tokens > 0 for event in events)
    assert set(result.timings) >= {"sampling", "grading", "verifying", "total"}
    assert 0.0 <= result.confidence <= 1.0 and result.model == "model"
    assert SolveResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result


def test_a_seeded_solve_is_reproducible(model):
    generator, verifier = model
    config = SolveConfig(n=3, max_new_tokens=16, seed=7)
    first = Solver(generator, verifier, config).solve(PROBLEM)
    second = Solver(generator, verifier, config).solve(PROBLEM)
    assert [s.text for s in first.samples] == [s.text for s in second.samples]
    assert first.answer == second.answer


def test_verifier_scores_reach_the_ranking(model):
    """Score real samples with the real verifier and rank them as the Solver does."""
    generator, verifier = model
    scores = verifier.p_correct([PROBLEM] * 2, ["12 + 30 = 42. \\boxed{42}", "12 + 30 = 41. \\boxed{41}"])
    assert all(0.0 < score < 1.0 for score in scores)
    ranked = rank("rr_topk", [Cluster("42", [0]), Cluster("41", [1])], scores, 8)
    assert ranked[0].max_score == max(scores)


def test_cancel_mid_sampling_on_a_real_model(model):
    generator, verifier = model
    cancel = threading.Event()

    def on_event(event):
        if event.stage == "sampling" and event.tokens >= 4:
            cancel.set()

    started = time.perf_counter()
    config = SolveConfig(n=8, max_new_tokens=300, temperature=1.0, seed=1)
    result = Solver(generator, verifier, config).solve(PROBLEM, on_event, cancel)
    assert result.cancelled
    assert time.perf_counter() - started < 5.0
    assert any(s.finish_reason == "cancelled" for s in result.samples)
    assert sum(s.n_tokens for s in result.samples) < 8 * 300
