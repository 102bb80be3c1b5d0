"""A stand-in for `python -m trainer.cli run RECIPE`, for the quick Retrain-tab tests (the real trainer is
exercised by the slow test). It talks to the store as the real trainer does — claims the run for its process,
plans its phases, reports each phase's progress, step metrics and an evaluation — and prints tqdm-like bars
(for the log view only), and stops like the trainer on Ctrl-C (SIGINT): marks the run cancelled and exits 130.

Usage: python tests/app_fake_trainer.py RECIPE [--steps N] [--delay S] [--die-on-sigint]
(--die-on-sigint: on SIGINT exit at once without recording anything, as a trainer killed mid-step would.)
"""

import argparse
import os
import signal
import sys
import time

from tutor.store import Store

PHASES = ("ssft", "candidates", "evaluator", "multitask", "eval", "export")
TRAINED = ("ssft", "evaluator")
stop = False


def request_stop(signum, frame):
    global stop
    stop = True


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("recipe")
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--die-on-sigint", action="store_true")
    args = parser.parse_args()
    signal.signal(signal.SIGINT, (lambda *_: os._exit(1)) if args.die_on_sigint else request_stop)
    store = Store()
    run_id = store.create_run("fake", {"recipe": args.recipe}, recipe=args.recipe)
    store.claim_run(run_id)
    store.plan_run(run_id, PHASES)
    print(f"run {run_id}: fake run folder", flush=True)
    for phase in PHASES:
        store.start_phase(run_id, phase, total=args.steps if phase in TRAINED else 1)
        for step in range(1, (args.steps if phase in TRAINED else 1) + 1):
            if stop:
                store.finish_phase(run_id, phase, "cancelled")
                store.set_run_status(run_id, "cancelled", "stopped by the user")
                print("stopping after this step", flush=True)
                return 130
            if phase in TRAINED:
                loss = 3.0 / step
                store.log_metrics(run_id, phase, step, {"loss": loss})
                percent = 100 * step // args.steps
                sys.stdout.write(f"\r{phase}: {percent:3d}%|####      | {step}/{args.steps} [00:01<00:01, loss={loss:.3f}]")
                sys.stdout.flush()
            store.set_phase_progress(run_id, phase, step)
            time.sleep(args.delay)
        if phase in TRAINED:
            print(flush=True)
        store.finish_phase(run_id, phase)
    metrics = {"Pass@1": 0.25, "Maj1@N": 0.5, "RR.Top-K": 0.625, "Pass@N": 0.75, "verifier_auroc": 0.8}
    store.add_evaluation("test", {"n": 4, "k": 2, "problems": 8, "metrics": metrics}, run_id=run_id)
    store.set_run_status(run_id, "finished")
    print("model written to nowhere (fake)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
