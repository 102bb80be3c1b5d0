"""The SQLite store's API: training records, tutor history and marks, concurrency, locked/corrupt files.

Run: python -m pytest tests/test_store.py -q
"""

import json
import math
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tutor.errors import StoreError
from tutor.store import LabelledSolution, Store


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "stepwise.sqlite") as opened:
        yield opened


def candidate(problem_id, sample_index, correct=True, **overrides):
    row = {"problem_id": problem_id, "sample_index": sample_index, "problem": f"problem {problem_id}",
           "solution": f"solution {sample_index}", "answer": "4", "reference": "4", "correct": correct}
    return row | overrides


def solve_result():
    """A `SolveResult.to_dict()`-shaped record: samples 0 and 2 answer 4 (the winning cluster), sample 1
    answers 5, sample 3 has no answer. (The test of the real class is test_solve_round_trips_...)."""
    texts = ["2+2 = 4 \\boxed{4}", "2+2 = 5 \\boxed{5}", "two plus two \\boxed{4}", "I give up"]
    answers = ["4", "5", "4", None]
    return {
        "problem": "What is 2+2?", "answer": "4", "confidence": 0.83, "model": "tiny",
        "samples": [{"index": i, "text": t, "answer": a} for i, (t, a) in enumerate(zip(texts, answers))],
        "clusters": [{"answer": "4", "members": [0, 2], "votes": 2}, {"answer": "5", "members": [1], "votes": 1}],
    }


def sample_text(result, index):
    return next(sample["text"] for sample in result["samples"] if sample["index"] == index)


# --- training records ----------------------------------------------------------------------------------


def test_run_lifecycle_newest_first_and_resume_parent(store):
    first = store.create_run("default", {"phases": ("ssft",), "lr": 3e-4, "data": Path("/d")}, recipe="default.toml")
    second = store.create_run("resume", {"lr": 3e-4}, parent_id=first, output_dir="/runs/2")
    assert [run.id for run in store.runs()] == [second, first]
    assert store.run(second).parent_id == first and store.run(second).output_dir == "/runs/2"
    assert store.run(first).status == "running" and store.run(first).finished_at is None
    assert store.run(first).config == {"phases": ["ssft"], "lr": 3e-4, "data": "/d"}

    store.set_run_status(first, "failed", "out of memory")
    failed = store.run(first)
    assert (failed.status, failed.message) == ("failed", "out of memory")
    assert failed.finished_at is not None and failed.finished_at >= failed.created_at
    store.set_run_output_dir(first, "/runs/1")
    assert store.run(first).output_dir == "/runs/1"

    with pytest.raises(StoreError, match="Unknown status 'done'"):
        store.set_run_status(first, "done")
    with pytest.raises(StoreError, match="no run with id 999"):
        store.run(999)
    with pytest.raises(StoreError, match="Cannot resume run 999"):
        store.create_run("orphan", {}, parent_id=999)
    with pytest.raises(StoreError, match="run config cannot be stored as JSON"):
        store.create_run("bad", {"callback": object()})
    assert len(store.runs()) == 2


def test_phases_restart_in_place_on_resume(store):
    run_id = store.create_run("r", {})
    store.start_phase(run_id, "ssft")
    first_start = store.phases(run_id)[0].started_at
    store.finish_phase(run_id, "ssft", "cancelled")
    store.start_phase(run_id, "ssft")  # resumed
    store.start_phase(run_id, "evaluator")
    phases = store.phases(run_id)
    assert [(p.name, p.status) for p in phases] == [("ssft", "running"), ("evaluator", "running")]
    assert phases[0].started_at == first_start and phases[0].finished_at is None
    store.finish_phase(run_id, "ssft")
    assert store.phases(run_id)[0].status == "finished"
    with pytest.raises(StoreError, match="no phase 'multitask'"):
        store.finish_phase(run_id, "multitask")


def test_metrics_upsert_is_idempotent_and_ordered_by_step(store):
    run_id = store.create_run("r", {})
    store.log_metrics(run_id, "ssft", 2, {"loss": 2.5, "lr": 1e-3})
    store.log_metrics(run_id, "ssft", 1, {"loss": 3.0, "lr": 1e-3})
    store.log_metrics(run_id, "ssft", 2, {"loss": 2.4})  # a resumed run re-logs step 2
    store.log_metrics(run_id, "evaluator", 1, {"loss": 0.7})

    losses = store.metrics(run_id, name="loss", phase="ssft")
    assert [(m.step, m.value) for m in losses] == [(1, 3.0), (2, 2.4)]
    assert len(store.metrics(run_id)) == 5
    assert [m.step for m in store.metrics(run_id, name="lr")] == [1, 2]
    assert [m.step for m in store.metrics(run_id, phase="ssft", min_step=2)] == [2, 2]
    assert store.last_step(run_id, "ssft") == 2 and store.last_step(run_id, "multitask") is None

    with pytest.raises(StoreError, match="loss is not a number"):
        store.log_metrics(run_id, "ssft", 3, {"lr": 1e-3, "loss": math.nan})
    assert store.last_step(run_id, "ssft") == 2, "a rejected step logs nothing"
    with pytest.raises(StoreError, match="no run with id 42"):
        store.log_metrics(42, "ssft", 1, {"loss": 1.0})


def test_checkpoints_latest_and_replaced_on_resave(store):
    run_id = store.create_run("r", {})
    assert store.latest_checkpoint(run_id) is None
    store.add_checkpoint(run_id, "ssft", 100, "/ckpt/ssft-100")
    store.add_checkpoint(run_id, "ssft", 200, "/ckpt/ssft-200")
    store.add_checkpoint(run_id, "evaluator", 50, "/ckpt/eval-50")
    assert store.latest_checkpoint(run_id).path == "/ckpt/eval-50"
    assert store.latest_checkpoint(run_id, "ssft").path == "/ckpt/ssft-200"
    store.add_checkpoint(run_id, "ssft", 200, "/ckpt/ssft-200-again")
    assert [c.path for c in store.checkpoints(run_id)] == ["/ckpt/ssft-100", "/ckpt/eval-50",
                                                            "/ckpt/ssft-200-again"]
    assert store.latest_checkpoint(run_id).path == "/ckpt/ssft-200-again"


def test_candidates_are_stored_once_and_bad_rows_store_nothing(store):
    run_id = store.create_run("r", {})
    batch = [candidate("p1", 0), candidate("p1", 1, correct=False, answer=None), candidate("p2", 0)]
    assert store.add_candidates(run_id, "candidates", batch) == 3
    assert store.add_candidates(run_id, "candidates", [batch[1], candidate("p2", 1)]) == 1
    rows = store.candidates(run_id)
    assert [(c.problem_id, c.sample_index, c.correct, c.answer) for c in rows] == [
        ("p1", 0, True, "4"), ("p1", 1, False, None), ("p2", 0, True, "4"), ("p2", 1, True, "4")]
    assert store.candidates(run_id, phase="multitask") == []

    incomplete = candidate("p3", 0)
    del incomplete["reference"]
    with pytest.raises(StoreError, match="Candidate #1 lacks reference"):
        store.add_candidates(run_id, "candidates", [candidate("p3", 1), incomplete])
    assert len(store.candidates(run_id)) == 4


def test_evaluations_newest_first_with_undefined_values_as_null(store):
    run_id = store.create_run("r", {})
    store.add_evaluation("synthetic-test", {"pass@1": 0.31, "auroc": math.nan}, run_id=run_id)
    second = store.add_evaluation("math500", {"pass@1": 0.02}, model="assets/model")
    assert [e.id for e in store.evaluations()][0] == second
    only_run = store.evaluations(run_id)
    assert len(only_run) == 1 and only_run[0].metrics == {"pass@1": 0.31, "auroc": None}


# --- tutor history -------------------------------------------------------------------------------------


def test_solve_round_trips_a_real_solve_result(store):
    from tutor.solve.result import RankedCluster, SampleRecord, SolveResult

    samples = [SampleRecord(0, "2+2 = 4 \\boxed{4}", "4", 0.9), SampleRecord(1, "\\boxed{5}", "5", 0.2)]
    clusters = [RankedCluster("4", [0], 1, 0.9), RankedCluster("5", [1], 1, 0.2)]
    result = SolveResult("What is 2+2?", samples, clusters, "4", 0.83, reasons=["verifier 0.9"], model="tiny")
    solve_id = store.save_solve(result.problem, result)
    saved = store.solve(solve_id)
    assert (saved.problem, saved.answer, saved.confidence, saved.model) == ("What is 2+2?", "4", 0.83, "tiny")
    assert SolveResult.from_dict(saved.result) == result
    store.add_mark(solve_id, False, cluster_answer="5")
    assert store.labelled_marks() == [(result.problem, samples[1].text, False)]
    with pytest.raises(StoreError, match="no solve with id 7"):
        store.solve(7)


def test_history_search_is_literal_and_newest_first(store):
    ids = [store.save_solve(problem, {"answer": answer, "confidence": 0.5, "samples": []})
           for problem, answer in [("Solve x+1=2", "1"), ("What is 50% of 8?", "4"), ("Simplify x_1", "x_1")]]
    assert [s.id for s in store.solves()] == ids[::-1]
    assert [s.problem for s in store.solves(search="50%")] == ["What is 50% of 8?"]
    assert [s.problem for s in store.solves(search="X_")] == ["Simplify x_1"], "case-blind, _ is literal"
    assert [s.id for s in store.solves(limit=1, offset=1)] == [ids[1]]


def test_marks_round_trip_and_become_labelled_solutions(store):
    result = solve_result()
    problem = result["problem"]
    solve_id = store.save_solve(problem, result)
    other = store.save_solve(problem, result)
    store.add_mark(solve_id, True, cluster_answer="4", comment="both right")
    store.add_mark(solve_id, False, sample_index=1)
    store.add_mark(solve_id, False, sample_index=2, comment="right answer, wrong reasoning")  # overrides
    store.add_mark(other, True, sample_index=3)

    marks = store.marks(solve_id)
    assert [(m.sample_index, m.cluster_answer, m.correct, m.comment) for m in marks] == [
        (None, "4", True, "both right"), (1, None, False, ""), (2, None, False, "right answer, wrong reasoning")]
    assert len(store.marks()) == 4
    expected = [(0, True), (1, False), (2, False), (3, True)]
    assert sorted(store.labelled_marks()) == sorted(
        LabelledSolution(problem, sample_text(result, index), correct) for index, correct in expected)


@pytest.mark.parametrize("kwargs, message", [
    ({}, "exactly one thing"),
    ({"sample_index": 0, "cluster_answer": "4"}, "exactly one thing"),
    ({"sample_index": 9}, "no sample 9"),
    ({"cluster_answer": "17"}, "no cluster '17'"),
])
def test_bad_marks_are_refused_and_store_nothing(store, kwargs, message):
    solve_id = store.save_solve("What is 2+2?", solve_result())
    with pytest.raises(StoreError, match=message):
        store.add_mark(solve_id, True, **kwargs)
    with pytest.raises(StoreError, match="no solve with id 99"):
        store.add_mark(99, True, sample_index=0)
    assert store.marks() == []


def test_exports_write_jsonl(store, tmp_path):
    result = solve_result()
    solve_id = store.save_solve(result["problem"], result)
    store.add_mark(solve_id, False, sample_index=1, comment="5 is wrong")
    assert store.export_labelled_jsonl(tmp_path / "marks.jsonl") == 1
    assert json.loads((tmp_path / "marks.jsonl").read_text()) == {
        "problem": result["problem"], "solution": sample_text(result, 1), "correct": False}
    assert store.export_history_jsonl(tmp_path / "history.jsonl") == 1
    record = json.loads((tmp_path / "history.jsonl").read_text())
    assert record["id"] == solve_id and record["answer"] == "4"
    assert record["result"] == result
    assert [(m["sample_index"], m["comment"]) for m in record["marks"]] == [(1, "5 is wrong")]


def test_a_closed_store_says_so(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.runs()


# --- concurrency, locks, damage ------------------------------------------------------------------------

# A trainer process: logs a step, then waits until the app has acknowledged seeing it (by saving a solve
# "ack STEP:"), so the two processes provably alternate reads and writes on the one file.
WRITER = """
import sys, time
from tutor.store import Store
store = Store(sys.argv[1])
run_id = int(sys.argv[2])
for step in range(int(sys.argv[3])):
    store.log_metrics(run_id, "ssft", step, {"loss": 1.0 / (step + 1), "lr": 1e-3})
    deadline = time.monotonic() + 60
    while not store.solves(search=f"ack {step}:") and time.monotonic() < deadline:
        time.sleep(0.002)
store.set_run_status(run_id, "finished")
"""


def test_a_trainer_process_writes_while_the_app_reads_and_writes(tmp_path):
    path = tmp_path / "shared.sqlite"
    app = Store(path)
    run_id = app.create_run("live", {})
    steps = 40
    trainer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(run_id), str(steps)])
    seen = []
    try:
        while app.run(run_id).status == "running" and trainer.poll() is None:
            count = len(app.metrics(run_id, name="loss"))
            if count > len(seen):
                seen.append(count)
                app.save_solve(f"ack {count - 1}:", {"answer": None, "samples": []})
            time.sleep(0.002)
    finally:
        trainer.wait(timeout=120)
    assert trainer.returncode == 0
    assert seen == list(range(1, steps + 1)), "the app saw every step as it was written, in order"
    assert [m.step for m in app.metrics(run_id, name="loss")] == list(range(steps))
    assert app.run(run_id).status == "finished"
    app.close()


def test_threads_sharing_or_not_a_store_interleave_writes(tmp_path):
    path = tmp_path / "shared.sqlite"
    stores = [Store(path), Store(path)]
    run_id = stores[0].create_run("threads", {})
    errors = []

    def write(store, phase):
        try:
            for step in range(60):
                store.log_metrics(run_id, phase, step, {"loss": float(step)})
                store.metrics(run_id, phase=phase)
        except Exception as error:  # collected and asserted below
            errors.append(error)

    # two threads share one Store (the app's GUI and worker threads), a third has its own
    assignments = [(stores[0], "a"), (stores[0], "b"), (stores[1], "c")]
    threads = [threading.Thread(target=write, args=assignment) for assignment in assignments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(stores[1].metrics(run_id)) == 180
    for store in stores:
        store.close()


def test_a_write_locked_database_raises_store_error_after_the_timeout(tmp_path):
    path = tmp_path / "locked.sqlite"
    store = Store(path, timeout=0.3)
    run_id = store.create_run("r", {})
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        assert store.run(run_id).name == "r", "WAL readers are not blocked by a writer"
        started = time.monotonic()
        with pytest.raises(StoreError, match="locked by another program for more than 0.3 s"):
            store.log_metrics(run_id, "ssft", 1, {"loss": 1.0})
        assert time.monotonic() - started >= 0.25, "it waited for the lock before giving up"
    finally:
        other.execute("ROLLBACK")
        other.close()
    store.log_metrics(run_id, "ssft", 1, {"loss": 1.0})  # and works once the lock is gone
    assert len(store.metrics(run_id)) == 1
    store.close()


def test_an_exclusively_locked_database_cannot_be_opened(tmp_path):
    path = tmp_path / "exclusive.sqlite"
    Store(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA locking_mode = EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked"):
            Store(path, timeout=0.2)
    finally:
        other.close()


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path):
    path = tmp_path / "stepwise.sqlite"
    path.write_bytes(b"this is a note, not a database\n" * 200)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="damaged or not a SQLite file"):
        Store(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stepwise.sqlite"]


def test_a_path_that_cannot_be_a_database_is_a_store_error(tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    with pytest.raises(StoreError, match="cannot be used"):
        Store(folder)


def test_a_truncated_database_is_refused_untouched(tmp_path):
    path = tmp_path / "stepwise.sqlite"
    with Store(path) as store:
        run_id = store.create_run("big", {})
        for step in range(300):
            store.log_metrics(run_id, "ssft", step, {"loss": float(step), "lr": 1e-3, "tokens_per_s": 9.0})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    before = path.read_bytes()
    with pytest.raises(StoreError, match="damaged"):
        Store(path)
    assert path.read_bytes() == before
