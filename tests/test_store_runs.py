"""Run liveness in the store: which process runs a run, its plan and progress, and how a run whose process is
gone ended ("crashed", never "running" forever).

Run: python -m pytest tests/test_store_runs.py -q
"""

import os
import subprocess
import sys
from datetime import timedelta

import pytest

from tutor.errors import StoreError
from tutor.store import Store
from tutor.store.liveness import STALE_AFTER, pid_alive, this_host
from tutor.store.schema import Run, utc_now


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "stepwise.sqlite") as opened:
        yield opened


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def age_run(store, run_id, by):
    """Move a run's timestamps back in time (as if it had been started `by` ago)."""
    with store._writing() as session:
        run = session.get(Run, run_id)
        run.created_at -= by
        if run.heartbeat_at is not None:
            run.heartbeat_at -= by


def test_claim_records_this_process_and_a_resumed_run_is_running_again(store):
    run_id = store.create_run("r", {})
    store.set_run_status(run_id, "cancelled", "stopped")
    store.claim_run(run_id)
    run = store.run(run_id)
    assert (run.status, run.pid, run.host, run.message, run.finished_at) == ("running", os.getpid(), this_host(),
                                                                             None, None)
    assert run.heartbeat_at is not None


def test_a_run_whose_process_is_gone_is_closed_as_crashed_with_its_phases(store):
    run_id = store.create_run("r", {})
    store.claim_run(run_id, pid=dead_pid())
    store.start_phase(run_id, "ssft", total=1600)
    store.set_phase_progress(run_id, "ssft", 16)
    assert pid_alive(os.getpid()) and not pid_alive(store.run(run_id).pid)
    assert store.close_vanished_runs() == [run_id]
    run = store.run(run_id)
    assert run.status == "crashed" and run.finished_at is not None
    assert f"trainer run --resume {run_id}" in run.message and "gone" in run.message
    assert [(p.name, p.status, p.step, p.total) for p in store.phases(run_id)] == [("ssft", "crashed", 16, 1600)]
    assert store.close_vanished_runs() == [], "closed once"
    store.claim_run(run_id)  # `trainer run --resume` claims it again
    assert store.run(run_id).status == "running" and store.close_vanished_runs() == []


def test_a_live_process_keeps_its_run_running(store):
    run_id = store.create_run("r", {})
    store.claim_run(run_id)  # this test's own process: alive
    assert store.close_vanished_runs() == []
    assert store.close_vanished_runs(alive=lambda pid: False) == [run_id], "the pid check decides on this host"


def test_a_run_on_another_host_or_without_a_pid_is_gone_after_no_sign_of_life(store):
    elsewhere = store.create_run("elsewhere", {})
    store.claim_run(elsewhere, pid=1, host="another-machine")
    legacy = store.create_run("legacy", {})  # as written before runs recorded their process
    assert store.close_vanished_runs() == []
    age_run(store, elsewhere, STALE_AFTER + timedelta(minutes=1))
    age_run(store, legacy, STALE_AFTER + timedelta(minutes=1))
    store.log_metrics(legacy, "ssft", 1, {"loss": 1.0})  # a metric just now is a sign of life
    assert store.close_vanished_runs() == [elsewhere]
    assert "another-machine" in store.run(elsewhere).message


def test_a_stalled_process_taken_for_crashed_is_running_again_at_its_next_heartbeat(store):
    run_id = store.create_run("r", {})
    store.claim_run(run_id)
    age_run(store, run_id, STALE_AFTER + timedelta(minutes=1))
    assert store.close_vanished_runs() == [run_id], "a pid alive without a heartbeat for long: reused or hung"
    store.heartbeat(run_id)
    assert store.run(run_id).status == "running"


def test_plan_and_phase_progress(store):
    run_id = store.create_run("r", {})
    store.plan_run(run_id, ("ssft", "candidates", "eval"))
    store.start_phase(run_id, "ssft", total=30)
    store.set_phase_progress(run_id, "ssft", 12)
    before = utc_now()
    store.set_phase_progress(run_id, "ssft", 13, total=31)
    assert store.run(run_id).planned_phases == ["ssft", "candidates", "eval"]
    assert store.run(run_id).heartbeat_at >= before, "progress is a sign of life"
    phase = store.phases(run_id)[0]
    assert (phase.step, phase.total) == (13, 31)
    store.finish_phase(run_id, "ssft", "cancelled")
    store.start_phase(run_id, "ssft")  # resumed: keeps its progress until the trainer reports again
    assert (store.phases(run_id)[0].step, store.phases(run_id)[0].total) == (13, 31)
    with pytest.raises(StoreError, match="no phase 'eval'"):
        store.set_phase_progress(run_id, "eval", 1)
