"""End-to-end solve latency and samples per solve: the shipped (adaptive) solver against fixed N, side by side.

Rows, on the same problems and seeds in one process:
  adaptive (shipped)  -- N is a maximum: sampling stops once the vote is decided (tutor.solve.adaptive)
  fixed N             -- every solve draws N (`--fixed-n`): the baseline the ratio column is against
  one at a time       -- optional (`--baseline-count`): fixed N through wrappers that sample one solution per
                         generate call and score one per verifier call (no batching, no shared prompt cache)
Per row: p50/p90 wall seconds, mean/median samples drawn and tokens per solve, seconds per stage, accuracy.
Held-out problems: the first synthetic problems of the default recipe's data seed, which `trainer run
default` keeps out of training as its test split (or `--problems FILE.jsonl`, e.g. a run's data/test.jsonl).

`--real-size` instead times a random-weight model of a real small model's shape (SmolLM-135M: 30 layers,
hidden 576, vocab 49,152) exported to GGUF in the bench: sampling tokens/s at N = 16 and in adaptive waves,
per quantization and thread count, the verifier's seconds per solve, and a typical solve's time from the
median samples and length that `--samples-from` (a trainer eval results file, or this bench's --json) gives.
Never asserts a time; prints a table.

Run: python bench/solve.py [--model PATH] [--count 50] [--n 16] [--k 8] [--baseline-count 0]
     python bench/solve.py --real-size [--threads 2] [--samples-from eval.results.jsonl] [--shape-of default-gpu]
"""

import argparse
import itertools
import json
import statistics
import sys
import time
import tomllib
from dataclasses import replace
from pathlib import Path

from tutor.grading import is_equivalent
from tutor.models import load
from tutor.models.loader import resolve
from tutor.solve import SolveConfig, Solver
from tutor.solve.batch import read_problems, reference_answer


class OneAtATimeGenerator:
    """Baseline: N generate calls of one sample each instead of one batched call."""

    def __init__(self, inner):
        self.inner, self.name, self.path = inner, inner.name, inner.path

    def solver_prompt(self, problem):
        return self.inner.solver_prompt(problem)

    def sample(self, prompts, n=1, seed=None, on_progress=None, cancel=None, **options):
        outputs = []
        for prompt in prompts:
            samples = []
            for i in range(n):
                one_seed = None if seed is None else seed + i
                samples += self.inner.sample([prompt], n=1, seed=one_seed, cancel=cancel, **options)[0]
            outputs.append(samples)
        return outputs


class OneAtATimeVerifier:
    """Baseline: one verifier forward per solution instead of one batch."""

    def __init__(self, inner):
        self.inner, self.name, self.path = inner, inner.name, inner.path

    def p_correct(self, problems, solutions):
        return [self.inner.p_correct([p], [s])[0] for p, s in zip(problems, solutions)]


DEFAULT_RECIPE = Path(__file__).resolve().parents[1] / "trainer" / "recipes" / "default.toml"


def held_out_problems(count: int, path: Path | None) -> list[tuple[str, str | None]]:
    """From a JSONL file, or the bundled model's held-out synthetic test split.

    `trainer run default` writes the first `test_problems` problems generated with the recipe's data seed
    to test.jsonl and trains on the rest; generation order does not depend on n, so the first `count`
    problems of that seed are held out as long as count <= test_problems.
    """
    if path is not None:
        return [(text, reference_answer(record)) for _, record, text in read_problems(path)[:count]]
    from trainer.data.synth import SynthConfig, generate

    data = tomllib.loads(DEFAULT_RECIPE.read_text())["data"]
    assert count <= data["test_problems"], f"only {data['test_problems']} held-out problems in the recipe"
    problems = itertools.islice(generate(SynthConfig(n=max(count, 1), seed=data["seed"], verify=False)), count)
    return [(p.problem, p.answer) for p in problems]


def torch_threads() -> str:
    try:
        import torch

        return str(torch.get_num_threads())
    except ImportError:
        return "n/a"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


STAGES = ("sampling", "grading", "verifying", "symbolic")


def run(solver: Solver, problems, label: str) -> list[dict]:
    """One record per problem: wall time, the solver's per-stage timings, samples and tokens, correctness."""
    solver.solve(problems[0][0])  # warm-up: first-call allocations and lazy imports are not latency
    records = []
    for index, (text, reference) in enumerate(problems):
        started = time.perf_counter()
        result = solver.solve(text)
        total = time.perf_counter() - started
        correct = reference is not None and is_equivalent(result.answer, reference)
        records.append({"total": total, "correct": correct, "samples": len(result.samples),
                        "tokens": sum(s.n_tokens for s in result.samples)}
                       | {s: result.timings.get(s, 0.0) for s in STAGES})
        print(f"\r{label}: {index + 1}/{len(problems)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return records


def summarize(label: str, records: list[dict]) -> dict:
    totals = [r["total"] for r in records]
    return {
        "label": label,
        "count": len(records),
        "p50": statistics.median(totals),
        "p90": percentile(totals, 0.9),
        "samples_mean": statistics.mean(r["samples"] for r in records),
        "samples_median": statistics.median(r["samples"] for r in records),
        "tokens_mean": statistics.mean(r["tokens"] for r in records),
        "stages": {stage: statistics.mean(r[stage] for r in records) for stage in STAGES},
        "accuracy": sum(r["correct"] for r in records) / len(records),
    }


def print_rows(title: str, rows: list[dict]) -> None:
    print(f"\n{title}")
    header = f"{'variant':<22} {'problems':>8} {'p50 s':>7} {'p90 s':>7} {'samples':>8} {'median':>7} {'tokens':>7} " \
             f"{'sample s':>9} {'verify s':>9} {'sympy s':>8} {'acc':>6} {'p50 speed-up':>13}"
    print(header)
    print("-" * len(header))
    for row in rows:
        s = row["stages"]
        print(f"{row['label']:<22} {row['count']:>8} {row['p50']:>7.3f} {row['p90']:>7.3f} {row['samples_mean']:>8.2f} "
              f"{row['samples_median']:>7.1f} {row['tokens_mean']:>7.0f} {s['sampling']:>9.3f} {s['verifying']:>9.3f} "
              f"{s['symbolic']:>8.3f} {100 * row['accuracy']:>5.1f}% "
              + (f"{row['ratio']:>12.2f}x" if row.get("ratio") else f"{'(baseline)':>13}"))


def compare(args) -> int:
    _, backend = resolve(args.model, args.backend)
    options = {"n_threads": args.threads} if args.threads and backend == "llama.cpp" else {}
    if args.threads and backend != "llama.cpp":
        import torch

        torch.set_num_threads(args.threads)
    generator, verifier = load(args.model, device=args.device, backend=args.backend, **options)
    adaptive = SolveConfig(n=args.n, k=args.k, max_new_tokens=args.max_new_tokens, seed=0)
    fixed = replace(adaptive, adaptive=False)
    problems = held_out_problems(max(args.count, args.baseline_count), args.problems)[: args.count]
    fixed_rows = run(Solver(generator, verifier, fixed), problems, "fixed N")
    adaptive_rows = run(Solver(generator, verifier, adaptive), problems, "adaptive (shipped)")
    baseline = summarize(f"fixed N = {args.n}", fixed_rows)
    rows = [summarize("adaptive (shipped)", adaptive_rows), baseline]
    if args.baseline_count:
        naive = Solver(OneAtATimeGenerator(generator), OneAtATimeVerifier(verifier), fixed)
        rows.append(summarize("one at a time", run(naive, problems[: args.baseline_count], "one at a time")))
    for row in rows:
        row["ratio"] = None if row is baseline else baseline["p50"] / row["p50"]
    source = args.problems or f"synthetic held-out split of {DEFAULT_RECIPE.name}"
    print_rows(f"solve latency, {generator.name} ({backend}), N <= {args.n}, K={args.k}, max_new_tokens="
               f"{args.max_new_tokens}, device={args.device}, threads={args.threads or 'default'} (torch: "
               f"{torch_threads()}), problems: {source}", rows)
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "adaptive": adaptive_rows, "fixed": fixed_rows}, indent=1))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="HF folder or .gguf file (default: the bundled model)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--backend", default="auto", choices=("auto", "transformers", "llama.cpp"))
    parser.add_argument("--count", type=int, default=50, help="held-out problems solved both ways")
    parser.add_argument("--baseline-count", type=int, default=0, help="problems for the (slow) one-at-a-time row")
    parser.add_argument("--problems", type=Path, help="JSONL file of problems instead of synthetic test problems")
    parser.add_argument("--n", type=int, default=SolveConfig.n)
    parser.add_argument("--k", type=int, default=SolveConfig.k)
    parser.add_argument("--max-new-tokens", type=int, default=SolveConfig.max_new_tokens)
    parser.add_argument("--json", type=Path, help="also write the rows (and per-solve records) as JSON here")
    parser.add_argument("--threads", type=int, default=0,
                        help="CPU threads for torch / llama.cpp (0 = the backend's default); on a shared, busy "
                             "machine 1 thread is far faster than oversubscribed cores")
    parser.add_argument("--real-size", action="store_true", help="time a random model of SmolLM-135M's shape instead")
    parser.add_argument("--shape-of", metavar="RECIPE",
                        help="with --real-size: a random model of the shape this training recipe trains instead "
                             "(e.g. default-gpu), to size a model by its CPU speed before training it")
    parser.add_argument("--samples-from", type=Path,
                        help="with --real-size: a trainer eval results JSONL or this bench's --json, for the median "
                             "samples per solve and tokens per sample of a typical solve")
    args = parser.parse_args(argv)
    if args.real_size:
        from realsize import real_size

        return real_size(args)
    return compare(args)


if __name__ == "__main__":
    sys.exit(main())
