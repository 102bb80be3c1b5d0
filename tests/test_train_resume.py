"""Crash safety: kill -9 a training run mid-phase, resume it, and the step history has no gaps or duplicates.

Run: python -m pytest tests/test_train_resume.py -q
"""

import os
import signal
import subprocess
import sys
import time

from tutor.store import Store

RECIPE = """
name = "resume"
phases = ["ssft"]
[model]
hidden_size = 32
intermediate_size = 64
num_layers = 2
num_heads = 2
num_kv_heads = 2
max_position_embeddings = 256
[data]
train_problems = 120
test_problems = 4
vocab_size = 300
[ssft]
steps = 120
learning_rate = 3e-3
warmup_steps = 5
tokens_per_batch = 512
max_seq_len = 256
checkpoint_every = 10
keep_checkpoints = 2
"""


def _trainer(*args):
    return [sys.executable, "-m", "trainer.cli", *args]


def _wait_for_step(store, step, process, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the run ended before it could be killed"
        runs = store.runs()
        if runs and (store.last_step(runs[0].id, "ssft") or 0) >= step:
            return runs[0].id
        time.sleep(0.02)
    raise AssertionError(f"step {step} not reached in {timeout} s")


def test_kill_9_mid_phase_then_resume_leaves_every_step_exactly_once(tmp_path, stepwise_home):
    recipe = tmp_path / "resume.toml"
    recipe.write_text(RECIPE)
    process = subprocess.Popen(_trainer("ssft", str(recipe)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    store = Store()
    try:
        run_id = _wait_for_step(store, 25, process)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    killed_at = store.last_step(run_id, "ssft")
    checkpoints = [c.step for c in store.checkpoints(run_id) if c.phase == "ssft"]
    assert checkpoints and max(checkpoints) < 120 and killed_at < 120
    killed = store.run(run_id)
    assert killed.status == "running"  # kill -9: nobody could record an ending ...
    assert (killed.pid, killed.planned_phases) == (process.pid, ["ssft"])
    ssft = store.phases(run_id)[0]
    assert ssft.total == 120 and max(checkpoints) <= ssft.step <= killed_at + 1, \
        "progress as the trainer last wrote it, never behind its last checkpoint"
    assert store.close_vanished_runs() == [run_id]  # ... but its process is gone: it is not running
    assert store.run(run_id).status == "crashed" and store.phases(run_id)[0].status == "crashed"

    resumed = subprocess.run(_trainer("ssft", "--resume", str(run_id)), capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    losses = store.metrics(run_id, name="loss", phase="ssft")
    steps = [m.step for m in losses]
    assert steps == list(range(1, 121)), "every step once, in order, none missing"
    assert store.run(run_id).status == "finished" and store.run(run_id).pid != process.pid
    assert (store.phases(run_id)[0].status, store.phases(run_id)[0].step) == ("finished", 120)
    assert losses[-1].value < losses[0].value
    assert any("resuming from step-" in line for line in resumed.stderr.splitlines())


def test_ctrl_c_stops_after_the_current_step_with_a_checkpoint(tmp_path, stepwise_home):
    recipe = tmp_path / "resume.toml"
    recipe.write_text(RECIPE)
    process = subprocess.Popen(_trainer("ssft", str(recipe)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    store = Store()
    try:
        run_id = _wait_for_step(store, 3, process)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 2, stderr[-2000:]  # a StepwiseError, reported without a traceback
    assert "stopped at step" in stderr and "Traceback" not in stderr
    stopped = store.last_step(run_id, "ssft")
    assert store.run(run_id).status == "cancelled"
    assert "--resume" in store.run(run_id).message
    assert store.latest_checkpoint(run_id, "ssft").step == stopped < 120


def test_a_run_still_running_elsewhere_is_not_resumed(stepwise_home):
    import pytest

    from trainer.history import RunHistory
    from tutor.errors import TrainingError

    store = Store()
    run_id = store.create_run("busy", {})
    store.claim_run(run_id)  # this very process: alive
    with pytest.raises(TrainingError, match=f"run {run_id} is still running"):
        RunHistory.reopen(run_id, store=store)
    store.set_run_status(run_id, "cancelled", "stopped")
    history = RunHistory.reopen(run_id, store=store)  # a cancelled run resumes
    assert store.run(run_id).status == "running"
    history.finish_run("cancelled", "again")
    assert store.run(run_id).status == "cancelled"
