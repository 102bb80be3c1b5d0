"""The direct computation as the pipeline calls it: in the grader's killable worker, started early, collected
late, under a hard time limit; the cross-check verdicts; and real benchmark problems, where every claim
must match the reference answer.

Run: `python -m pytest tests/test_solve_symbolic_worker.py -q` (starts a worker process: a few seconds).
"""

import json
import statistics
import time

import pytest
from conftest import GSM8K, MATH500

from tutor.grading import is_equivalent
from tutor.grading.timeout import GradingTimeout, WorkerError, op_name, run_with_limit
from tutor.solve.symbolic import Analysis, analyse, analyse_here, client, cross_check, start
from tutor.solve.symbolic.engine import analyse_op


def test_the_worker_gives_the_same_analysis_as_this_process():
    for problem in ("Solve 3x + 7 = 22", "7/0", "Solve 3x + 7 = 22 where x is even", "x + y = 10, x - y = 2"):
        assert analyse(problem, timeout=5.0) == analyse_here(problem)


def test_start_early_collect_later():
    pending = [start(problem, timeout=5.0) for problem in ("What is 3 + 4 * 5?", "x^2 + x - 12 = 0", "Hello")]
    results = [p.result() for p in pending]
    assert [r.status for r in results] == ["computed", "computed", "not_applicable"]
    assert results[1].answer == "-4, 3"
    assert all(p.done() for p in pending)


def test_running_past_the_limit_is_unknown_and_the_worker_recovers():
    analyse("1 + 1", timeout=5.0)  # a warm worker, so the limit below is the computation's alone
    started = time.perf_counter()
    late = analyse("Solve x^3 - 6x^2 + 11x - 6 = 0", timeout=1e-4)
    assert late.status == "unknown" and "longer than" in late.detail
    assert time.perf_counter() - started < 1.0, "the overrunning child is killed, not waited for"
    assert analyse("Solve 3x + 7 = 22", timeout=5.0).answer == "5"


def test_a_timeout_or_a_worker_failure_is_unknown_never_an_exception(monkeypatch):
    def overrun(*args, **limits):
        raise GradingTimeout("ran past")

    monkeypatch.setattr(client, "run_with_limit", overrun)
    assert analyse("1 + 1", timeout=0.5).status == "unknown"

    def broken(*args, **limits):
        raise WorkerError("no worker")

    monkeypatch.setattr(client, "run_with_limit", broken)
    assert analyse("1 + 1").status == "unknown"
    assert start("1 + 1").result().status == "unknown"


def test_the_op_name_is_the_engine_function_and_only_marked_functions_run():
    assert client._OP == op_name(analyse_op)
    with pytest.raises(WorkerError):
        run_with_limit("tutor.solve.symbolic.engine:compute", "1 + 1", timeout=5.0)  # not a @worker_op
    with pytest.raises(WorkerError):
        run_with_limit("os:system", "echo hacked", timeout=5.0)  # not a tutor module


def test_analysis_round_trips_through_json():
    analysis = analyse_here("x^2 + x - 12 = 0")
    assert Analysis.from_dict(json.loads(json.dumps(analysis.to_dict()))) == analysis
    with pytest.raises(AssertionError):
        Analysis("computed")  # computed means an answer
    with pytest.raises(AssertionError):
        Analysis("sure", answer="5")


def test_cross_check_verdicts():
    eq = is_equivalent
    assert cross_check("Solve 3x + 7 = 22", "5", eq).status == "agree"
    assert cross_check("Solve 3x + 7 = 22", "x = 5", eq).status == "agree"
    disagree = cross_check("Solve 3x + 7 = 22", "6", eq)
    assert (disagree.status, disagree.answer, disagree.kind) == ("disagree", "5", "equation")
    assert cross_check("Solve 3x + 7 = 22", None, eq).status == "disagree"
    assert cross_check("Solve x^2 - 5x + 6 = 0", "3", eq).status == "agree", "one of the roots"
    assert cross_check("Solve x^2 - 5x + 6 = 0", "2, 3", eq).status == "agree"
    assert cross_check("Janet has 3 apples.", "3", eq).status == "not_applicable"
    ill = cross_check("divide 5 by zero", "5", eq)
    assert (ill.status, ill.answer) == ("ill_posed", None) and "divides by zero" in ill.detail
    assert cross_check("Solve 3x + 7 = 22", "5", eq, pending=start("Solve 3x + 7 = 22")).status == "agree"


@pytest.mark.parametrize("path, field", [(MATH500, "problem"), (GSM8K, "question")], ids=["math500", "gsm8k"])
def test_real_problems_every_claim_matches_the_reference(path, field):
    """On real benchmark problems the computation rarely claims an answer, and every claim is right."""
    if not path.exists():
        pytest.skip(f"{path} not available")
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    claimed, wrong, seconds = 0, [], []
    for row in rows:
        started = time.perf_counter()
        analysis = analyse_here(row[field])
        seconds.append(time.perf_counter() - started)
        assert analysis.status != "unknown", row[field]
        if analysis.status != "computed":
            continue
        claimed += 1
        reference = row["answer"] if field == "problem" else row["answer"].split("####")[-1].strip()
        if not is_equivalent(analysis.answer, reference):
            wrong.append((row[field][:80], analysis.answer, reference))
    assert wrong == []
    assert statistics.median(seconds) < 0.05
    if field == "problem":
        assert claimed >= 20, "the MATH500 test set has a couple of dozen directly computable problems"
