"""Tests of the grading time limit (`tutor/grading/timeout.py`): any thread, many threads, dead workers.

Run: `python -m pytest tests/test_grading_timeout.py -q` (starts a few worker processes: ~10 s).
"""

import threading
import time

import pytest

from tutor.grading import is_equivalent, warm_up
from tutor.grading.timeout import GradingTimeout, WorkerError, WorkerPool

SLACK = 0.2
# sympy builds the ten-billion-digit integer when it compares the sets: it never finishes by itself.
HEAVY, OTHER = r"\{10^{10^{10}}\}", r"\{5\}"


def test_the_timeout_cannot_be_swallowed_by_except_exception():
    assert issubclass(GradingTimeout, BaseException) and not issubclass(GradingTimeout, Exception)


def test_concurrent_heavy_calls_each_stay_within_their_limit():
    """More threads than workers: waiting for a worker counts against the limit too."""
    warm_up()
    limit, durations, verdicts = 0.5, [], []

    def grade():
        started = time.monotonic()
        verdicts.append(is_equivalent(HEAVY, OTHER, timeout=limit))
        durations.append(time.monotonic() - started)

    threads = [threading.Thread(target=grade) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert verdicts == [False] * 5
    assert max(durations) <= limit + SLACK, durations


def test_light_work_still_gets_done_beside_heavy_work():
    warm_up()
    results = {}
    heavy = threading.Thread(target=lambda: results.setdefault("heavy", is_equivalent(HEAVY, OTHER, timeout=1.0)))
    heavy.start()
    results["light"] = is_equivalent(r"\frac{\sqrt{2}}{2}", r"\sin(\pi/4)", timeout=1.0)
    heavy.join(timeout=30)
    assert results == {"heavy": False, "light": True}


def test_a_worker_killed_from_outside_is_replaced_and_the_job_retried():
    pool = WorkerPool(max_workers=1)
    try:
        pool.warm_up()
        victim = pool._idle[0]  # max_workers=1: the only one
        victim.process.kill()
        victim.process.wait()
        assert pool.call("equivalent", r"2\sqrt{2}", r"\sqrt{8}", timeout=5.0) is True
        assert pool._idle and pool._idle[0] is not victim
    finally:
        pool.shutdown()


def test_a_timed_out_worker_serves_the_next_job():
    pool = WorkerPool(max_workers=1)
    try:
        pool.warm_up()
        with pytest.raises(GradingTimeout):
            pool.call("equivalent", OTHER, HEAVY, timeout=0.3)
        started = time.monotonic()
        assert pool.call("equivalent", "x^2-1", "(x-1)(x+1)", timeout=2.0) is True
        assert time.monotonic() - started < 2.0
    finally:
        pool.shutdown()


def test_an_unknown_operation_is_an_error_not_a_hang():
    pool = WorkerPool(max_workers=1)
    try:
        with pytest.raises(WorkerError):
            pool.call("no-such-op", timeout=2.0)
        assert pool.call("equivalent", "1", "1.0", timeout=2.0) is True  # the worker survived
    finally:
        pool.shutdown()


def test_with_wait_the_limit_covers_the_work_alone():
    """Work started early (the direct computation) waits for a busy worker, then gets its whole limit."""
    pool = WorkerPool(max_workers=1)
    pool.warm_up()

    def occupy():
        with pytest.raises(GradingTimeout):
            pool.call("equivalent", HEAVY, OTHER, timeout=1.0)

    busy = threading.Thread(target=occupy)
    busy.start()
    time.sleep(0.2)
    try:
        with pytest.raises(GradingTimeout):
            pool.call("equivalent", "1", "1", timeout=0.3)  # waiting for the worker counts by default
        started = time.monotonic()
        assert pool.call("equivalent", "1", "1", timeout=0.3, wait=10.0) is True
        assert time.monotonic() - started < 1.0 + 0.3 + SLACK * 5
    finally:
        busy.join()
        pool.shutdown()
