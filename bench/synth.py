"""Synthetic data throughput: problems per second on one core, with and without re-verification.

Rows, all in this process on the same seed: the baseline generates without re-verification (templates +
LaTeX only); "verify (default)" re-checks every answer against sympy (string fast path, grader fallback);
"grader on every record" forces `is_equivalent` for each record (what verification would cost without
the fast path; fewer problems); "write_splits" is the whole `trainer data synth` (verify + dedupe + JSONL).
Both wall-clock and process CPU time are shown (the machine may be shared); a per-subject table
follows. Never asserts a time.

Run: python bench/synth.py [--n 20000] [--grader-n 1000] [--seed 0]
"""

import argparse
import tempfile
import time
from collections import defaultdict

import sympy

from trainer.data.synth import LEVELS, REGISTRY, SynthConfig, draft_for, generate, make_problem, write_splits
from tutor.grading import extract_answer, is_equivalent


def timed(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process): on a shared machine the CPU time is the one-core cost."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def grader_every_record(n: int, seed: int) -> None:
    for item in generate(SynthConfig(n=n, seed=seed, verify=False)):
        truth = draft_for(item.template, item.level, item.seed).truth
        assert is_equivalent(extract_answer(item.solution), sympy.latex(truth), timeout=5.0), item.unique_id


def per_subject(problems_per_template: int, seed: int) -> dict[str, tuple[int, float]]:
    """Problems and seconds per subject for generation + verification, every template at every level."""
    seconds: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for name, tmpl in REGISTRY.items():
        start = time.perf_counter()
        for i in range(problems_per_template):
            make_problem(name, LEVELS[i % len(LEVELS)], seed + i)
        seconds[tmpl.subject] += time.perf_counter() - start
        counts[tmpl.subject] += problems_per_template
    return {subject: (counts[subject], seconds[subject]) for subject in sorted(counts)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--grader-n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rows = []
    base = timed(lambda: sum(1 for _ in generate(SynthConfig(n=args.n, seed=args.seed, verify=False))))
    rows.append(("generate, no verification (baseline)", args.n, base))
    # Each row gets its own seed: the same seed again would find sympy's cache already warm.
    rows.append(("generate + verify (default)", args.n,
                 timed(lambda: sum(1 for _ in generate(SynthConfig(n=args.n, seed=args.seed + 1))))))
    rows.append(("generate + grader on every record", args.grader_n,
                 timed(lambda: grader_every_record(args.grader_n, args.seed + 2))))
    with tempfile.TemporaryDirectory() as out:
        rows.append(("write_splits (verify, dedupe, JSONL)", args.n,
                     timed(lambda: write_splits(SynthConfig(n=args.n, seed=args.seed + 3), out))))

    base_rate = args.n / base[1]
    print(f"{'run':40s} {'problems':>9s} {'wall s':>7s} {'CPU s':>7s} {'problems/s wall':>16s} "
          f"{'problems/s CPU':>15s} {'CPU rate vs baseline':>21s}")
    for name, n, (wall, cpu) in rows:
        print(f"{name:40s} {n:9d} {wall:7.2f} {cpu:7.2f} {n / wall:16.0f} {n / cpu:15.0f} "
              f"{n / cpu / base_rate:20.2f}x")

    print()
    print(f"{'subject (generate + verify)':40s} {'problems':>9s} {'us/problem':>11s} {'problems/s':>11s}")
    for subject, (count, seconds) in per_subject(max(args.n // len(REGISTRY), 5), args.seed + 4).items():
        print(f"{subject:40s} {count:9d} {seconds / count * 1e6:11.0f} {count / seconds:11.0f}")


if __name__ == "__main__":
    main()
