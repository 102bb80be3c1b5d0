"""Adaptive sampling: the Beta stopping rule, the control a backend consults, and both backends honouring it.

Run: python -m pytest tests/test_solve_adaptive.py -q
"""

import pytest
from solve_fakes import ScriptedModel, solution

from tutor.solve import SolveConfig, Solver
from tutor.solve.adaptive import PENDING, AdaptiveControl, leader_settled_probability

PROBLEM = "Lena shares some apples fairly. How many does each friend get?"


# (leader votes, runner-up votes) -> P(the leader's share is the larger), worked out by hand:
# P(Binomial(v1 + v2 + 1, 1/2) <= v1)
@pytest.mark.parametrize("leader, runner_up, expected", [
    (1, 0, 3 / 4), (3, 0, 15 / 16), (4, 0, 31 / 32), (5, 1, 1 - 8 / 128), (6, 1, 1 - 9 / 256),
    (2, 2, 1 / 2), (8, 3, 1 - (1 + 12 + 66 + 220) / 4096),
])
def test_the_beta_criterion(leader, runner_up, expected):
    assert leader_settled_probability(leader, runner_up) == pytest.approx(expected)


def control(**options):
    values = dict(n=16, min_samples=4, stop_confidence=0.95, wave=8) | options
    return AdaptiveControl(**values)


def test_four_agreeing_samples_settle_the_vote_three_do_not():
    gate = control()
    for i in range(3):
        gate.finished(0, solution("7"), "stop")
        assert gate.wanted(0), f"{i + 1} agreeing samples are not enough at 0.95"
    gate.finished(0, solution("7"), "stop")
    assert not gate.wanted(0) and gate.settled[0] == "vote"
    assert not gate.may_start(0, started=4, in_flight=0)


def test_a_split_vote_keeps_sampling_up_to_n_and_the_wave_limits_what_runs_at_once():
    gate = control()
    for answer in "12121212":
        gate.finished(0, solution(answer), "stop")
    assert gate.wanted(0)
    assert gate.may_start(0, started=10, in_flight=7) and not gate.may_start(0, started=10, in_flight=8)
    assert not gate.may_start(0, started=16, in_flight=0), "n is the maximum"


def test_a_sample_that_reaches_the_computed_answer_settles_it_and_a_contradicted_vote_does_not():
    computed = ["5"]
    gate = control(computed=[lambda: computed[0]])
    for _ in range(6):
        gate.finished(0, solution("6"), "stop")
    assert gate.wanted(0), "six votes for an answer the computation contradicts settle nothing"
    gate.finished(0, solution("5"), "stop")
    assert gate.settled[0] == "computation"


def test_the_vote_waits_for_a_computation_still_running():
    state = [PENDING]
    gate = control(computed=[lambda: state[0]])
    for _ in range(5):
        gate.finished(0, solution("6"), "stop")
    assert gate.wanted(0)
    state[0] = None  # finished: not directly computable
    gate.finished(0, solution("6"), "stop")
    assert gate.settled[0] == "vote"


def test_fixed_n_never_stops_early_but_still_reports_the_leader():
    seen = []
    gate = control(adaptive=False, on_update=lambda prompt, leader: seen.append(leader))
    for answer in "7777778":
        gate.finished(0, solution(answer), "stop")
    assert gate.wanted(0) and gate.may_start(0, started=15, in_flight=15)
    assert (seen[-1].answer, seen[-1].votes, seen[-1].finished, seen[-1].settled) == ("7", 6, 7, "")


def test_the_solver_stops_when_the_vote_is_decided_and_says_so():
    model = ScriptedModel([solution("7", f"way {i}") for i in range(16)])
    # No direct computation: the scripted model answers before one could even start (the vote waits for it).
    result = Solver(model, model, SolveConfig(n=16, symbolic_check=False)).solve(PROBLEM)
    assert len(result.samples) == 4 and result.answer == "7"
    assert "Stopped after 4 of up to 16 solutions: the vote was decided." in result.reasons
    fixed = Solver(model, model, SolveConfig(n=16, adaptive=False, symbolic_check=False)).solve(PROBLEM)
    assert len(fixed.samples) == 16 and not any(r.startswith("Stopped after") for r in fixed.reasons)


def test_the_leading_answer_reaches_the_progress_events_as_it_forms():
    model = ScriptedModel([solution("7", "a"), solution("8", "b"), solution("7", "c")] + [solution("9", "d")] * 13)
    events = []
    Solver(model, model, SolveConfig(n=16, adaptive=False)).solve(PROBLEM, on_event=events.append)
    leaders = [(e.leader, e.leader_votes, e.done) for e in events if e.stage == "sampling" and e.leader]
    assert leaders[0] == ("7", 1, 1) and ("7", 2, 3) in leaders and leaders[-1] == ("9", 13, 16)


@pytest.fixture(scope="module")
def llama(model_dir, tmp_path_factory):
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (pip install '.[gguf]')")
    from trainer.export_gguf import export_gguf
    from tutor.models import load

    gguf_file = export_gguf(model_dir, tmp_path_factory.mktemp("gguf") / "model.gguf", "f32")
    return load(gguf_file, n_threads=1, n_parallel=6, f32_attention=True)[0]


class StopAfter:
    """A control that wants `k` finished samples per prompt, `wave` at a time."""

    def __init__(self, k, wave):
        self.k, self.wave, self.finished_count = k, wave, {}

    def may_start(self, prompt, started, in_flight):
        return self.wanted(prompt) and in_flight < self.wave

    def wanted(self, prompt):
        return self.finished_count.get(prompt, 0) < self.k

    def finished(self, prompt, text, finish_reason):
        self.finished_count[prompt] = self.finished_count.get(prompt, 0) + 1


@pytest.mark.gguf
def test_llama_cpp_drops_what_the_control_no_longer_wants_and_keeps_each_jobs_seed(llama):
    prompts = [llama.solver_prompt("What is 12 + 30?"), llama.solver_prompt("Simplify 3x + 4x.")]
    fixed = llama.sample(prompts, n=8, temperature=1.0, max_new_tokens=24, seed=3)
    stopped = llama.sample(prompts, n=8, temperature=1.0, max_new_tokens=24, seed=3, control=StopAfter(3, wave=2))
    for fixed_row, row in zip(fixed, stopped):
        assert 3 <= len(row) < 8
        assert all(sample in fixed_row for sample in row), "a job's sample does not depend on the batch layout"


def test_transformers_drops_what_the_control_no_longer_wants(reference):
    prompts = [reference.solver_prompt("What is 12 + 30?")]
    rows = reference.sample(prompts, n=8, temperature=1.0, max_new_tokens=16, seed=3, control=StopAfter(2, wave=3))
    assert 2 <= len(rows[0]) <= 3, "a wave of 3 started; what was still running when 2 finished was dropped"
