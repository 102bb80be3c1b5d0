"""The Stepwise store: one SQLite file (WAL mode) shared by the app, `tutor solve` and a running trainer.

    from tutor.store import Store
    store = Store()                      # paths.db_path(); Store(path, timeout=5.0) for another file

Opening creates the file if needed, checks it, backs it up to `<name>.bak-v<N>` and applies the pending
named migrations (`migrations.py`, recorded in `schema_migrations`). Every failure a user can meet — the
file locked by another program for longer than `timeout`, a damaged or non-SQLite file (left untouched),
another program's database, a schema newer than this code — raises `tutor.errors.StoreError` with a
message that says what to do. Every method is one short transaction, so one process can read while
another writes (writes take the lock up front with BEGIN IMMEDIATE and wait up to `timeout` for it);
one Store may be shared by threads (each gets its own pooled connection). Rows come back as detached
snapshots of the ORM classes in `schema.py`; times are timezone-aware UTC.

Training history (`trainer`; the app's retraining tab reads it live)
    run_id = store.create_run(name, config_dict, recipe="default.toml", output_dir=..., parent_id=None)
    store.set_run_status(run_id, "finished" | "failed" | "cancelled" | "crashed" | "running", message=None)
    store.set_run_output_dir(run_id, path); store.run(run_id); store.runs(limit=None)   # newest first
    store.start_phase(run_id, "ssft", total=1600); store.finish_phase(run_id, "ssft", status="finished")
    store.phases(run_id)                                             # with each phase's step / total
    store.claim_run(run_id); store.heartbeat(run_id)                 # the trainer process running it (liveness.py)
    store.plan_run(run_id, ["ssft", "eval"]); store.set_phase_progress(run_id, "ssft", 16, total=1600)
    store.close_vanished_runs()        # "running" runs whose process is gone -> "crashed"; returns their ids
    store.log_metrics(run_id, "ssft", step, {"loss": 2.3, "lr": 3e-4, "tokens_per_s": 950.0})  # upsert
    store.metrics(run_id, name="loss", phase=None, min_step=None)   # ordered by step
    store.last_step(run_id, "ssft")                                  # None when nothing logged yet
    store.add_checkpoint(run_id, "ssft", step, path); store.latest_checkpoint(run_id, phase=None)
    store.checkpoints(run_id)
    store.add_candidates(run_id, "candidates", [{"problem_id", "sample_index", "problem", "solution",
                         "answer", "reference", "correct"}, ...])   # returns how many were new
    store.candidates(run_id, phase=None)
    store.add_evaluation(split, metrics_dict, run_id=None, model=None); store.evaluations(run_id=None)

Tutor history (app, `tutor solve`)
    solve_id = store.save_solve(problem, solve_result_or_its_dict, model=None)
    store.solve(solve_id); store.solves(search="", limit=100, offset=0)   # newest first
    store.add_mark(solve_id, correct, sample_index=3, comment="")        # or cluster_answer="\\frac{1}{2}"
    store.marks(solve_id=None)
    store.labelled_marks()             # [LabelledSolution(problem, solution, correct)], newest mark wins
    store.export_labelled_jsonl(path)  # those, as JSONL for the trainer's phase 2
    store.export_history_jsonl(path)   # every solve with its result and marks

Nothing is deleted by this API. `store.close()` (or `with Store() as store:`) releases the file.
"""

from tutor.store.history import LabelledSolution, TutorHistory
from tutor.store.liveness import RunLiveness
from tutor.store.migrations import MIGRATIONS, SCHEMA_VERSION
from tutor.store.schema import Candidate, Checkpoint, Evaluation, Mark, Metric, Phase, Run, Solve
from tutor.store.training import CANDIDATE_FIELDS, TrainingRecords


class Store(TrainingRecords, RunLiveness, TutorHistory):
    """The whole store API (see the module docstring): training records, run liveness, tutor history."""


__all__ = [
    "CANDIDATE_FIELDS", "MIGRATIONS", "SCHEMA_VERSION", "Candidate", "Checkpoint", "Evaluation",
    "LabelledSolution", "Mark", "Metric", "Phase", "Run", "Solve", "Store",
]
