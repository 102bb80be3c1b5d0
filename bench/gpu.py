"""The GPU paths, proven in one short run (issue 21): inference, training and evaluation on CUDA, with figures.

Sections (each prints its table; one that fails prints why and the rest go on):
  parity     -- the bundled model's safetensors greedy-decoded on the CPU and on the device (transformers
                backend): the same text for the same problems
  sampling   -- tokens/s at N = 16 and N = 64: our transformers backend against plain `model.generate` batched
                (same prompts, same process), and verifier (problem, solution) pairs per second
  oom        -- a CUDA out-of-memory on purpose (the device filled first): the batch halves, then the model
                moves to the CPU with a warning, and every sample still comes back
  training   -- `trainer run quick.toml` on the device (bf16) and on the CPU: phase-1 tokens/s, first/last loss
                of each; a run killed after its first checkpoint resumes to the end on the device; the same
                recipe through `accelerate launch` with the multi-GPU config set to one process
  eval       -- `trainer eval` of the bundled model on 50 synthetic problems through transformers on the device

Run on a GPU machine:  python bench/gpu.py [--out DIR]            (about 5-8 minutes on one H200)
Check it on the CPU:   python bench/gpu.py --device cpu --quick   (every section small; no CUDA needed)
Never asserts a time; `tests/test_gpu.py` (pytest -m gpu) holds the pass/fail checks, skipped without CUDA.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "assets" / "model"
PROBLEMS = ["What is 12 + 30?", "Solve for $x$: $3x + 7 = 22$.", "What is $\\frac{1}{2} + \\frac{1}{4}$?",
            "Compute $7 \\cdot 8 - 6$.", "What is the remainder when 100 is divided by 7?",
            "Simplify $3x + 4x$.", "What is 15% of 80?", "Find $2^{10}$."]
RESULTS: dict[str, object] = {}


def section(name: str):
    def wrap(fn):
        def run(args):
            print(f"\n== {name} ==", flush=True)
            started = time.perf_counter()
            try:
                RESULTS[name] = fn(args)
            except Exception as exc:  # one broken section must not hide the others' figures
                traceback.print_exc()
                RESULTS[name] = {"error": f"{type(exc).__name__}: {exc}"}
                print(f"{name}: FAILED ({type(exc).__name__}: {exc})")
            print(f"({name}: {time.perf_counter() - started:.0f} s)", flush=True)
        run.__name__ = name
        return run
    return wrap


@section("parity")
def parity(args) -> dict:
    from tutor.models import load

    cpu, _ = load(BUNDLED, backend="transformers", device="cpu")
    dev, _ = load(BUNDLED, backend="transformers", device=args.device)
    prompts = [cpu.solver_prompt(p) for p in PROBLEMS[: 2 if args.quick else 8]]
    a = cpu.sample(prompts, n=1, temperature=0.0, max_new_tokens=64 if args.quick else 200)
    b = dev.sample(prompts, n=1, temperature=0.0, max_new_tokens=64 if args.quick else 200)
    same = [x[0].text == y[0].text for x, y in zip(a, b)]
    print(f"greedy text identical on cpu and {args.device}: {sum(same)}/{len(same)} ({dev.quantization} on the device)")
    for problem, x, y, ok in zip(PROBLEMS, a, b, same):
        if not ok:
            print(f"  differs: {problem!r}\n    cpu: {x[0].text[:120]!r}\n    dev: {y[0].text[:120]!r}")
    return {"identical": sum(same), "of": len(same), "device_dtype": dev.quantization}


def _generate_tokens(model, tokenizer, prompts, n, new_tokens) -> int:
    tokenizer.padding_side = "left"
    rows = [p for p in prompts for _ in range(n)]
    enc = tokenizer(rows, return_tensors="pt", padding=True).to(model.device)
    with torch.inference_mode():
        out = model.generate(**enc, do_sample=True, temperature=0.7, top_p=0.95, max_new_tokens=new_tokens,
                             min_new_tokens=new_tokens, pad_token_id=tokenizer.pad_token_id)
    return (out.shape[1] - enc["input_ids"].shape[1]) * len(rows)


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


@section("sampling")
def sampling(args) -> dict:
    from tutor.models import load

    hf, verifier = load(BUNDLED, backend="transformers", device=args.device)
    prompts = [hf.solver_prompt(p) for p in PROBLEMS[:2]]
    tokens = 32 if args.quick else 128
    rows = {}
    for n in (4, 8) if args.quick else (16, 64):
        hf.sample(prompts, n=2, max_new_tokens=8, seed=0)  # warm-up
        _sync(args.device)
        start = time.perf_counter()
        got = hf.sample(prompts, n=n, temperature=0.7, max_new_tokens=tokens, seed=0)
        _sync(args.device)
        ours = sum(s.n_tokens for row in got for s in row) / (time.perf_counter() - start)
        start = time.perf_counter()
        plain = _generate_tokens(hf.model, hf.tokenizer, prompts, n, tokens) / (time.perf_counter() - start)
        rows[n] = {"ours_tok_s": ours, "generate_tok_s": plain}
        print(f"N={n:<3} ours {ours:>9.0f} tok/s   model.generate batched {plain:>9.0f} tok/s   ratio {ours / plain:.2f}x")
    texts = [s.text for row in got for s in row]
    pairs = texts * max(1, (64 if args.quick else 512) // len(texts))
    _sync(args.device)
    start = time.perf_counter()
    verifier.p_correct([PROBLEMS[0]] * len(pairs), pairs)
    _sync(args.device)
    rate = len(pairs) / (time.perf_counter() - start)
    print(f"verifier: {rate:.0f} (problem, solution) pairs/s over {len(pairs)} pairs")
    return {"sampling": rows, "verifier_pairs_s": rate}


@section("oom")
def oom(args) -> dict:
    from tutor.models import load

    if not args.device.startswith("cuda"):
        print("skipped: no CUDA device")
        return {"skipped": True}
    hf, _ = load(BUNDLED, backend="transformers", device=args.device, max_batch_size=4096)
    free, _ = torch.cuda.mem_get_info()
    ballast = torch.empty(int(free - 64 * 2**20), dtype=torch.uint8, device=args.device)  # leave 64 MiB
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            rows = hf.sample([hf.solver_prompt(PROBLEMS[0])], n=2048, temperature=0.7, max_new_tokens=64, seed=0)
    finally:
        del ballast
        torch.cuda.empty_cache()
    messages = [str(w.message) for w in caught]
    got = len(rows[0])
    print(f"samples back: {got}/2048; batch size now {hf.config.max_batch_size}; device now {hf.device}")
    for message in messages:
        print(f"  warning: {message}")
    return {"samples": got, "warnings": messages, "device_after": str(hf.device)}


def _trainer(args_list: list[str], env: dict, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "trainer.cli", *args_list], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=timeout)


def _recipe(folder: Path, quick: bool) -> Path:
    text = (ROOT / "trainer" / "recipes" / "quick.toml").read_text()
    if quick:  # a CPU check of this script: fewer steps still
        text = text.replace("steps = 30", "steps = 12")
    path = folder / "quick-gpu.toml"
    path.write_text(text)
    return path


def _phase_figures(home: Path, run_id: int) -> dict:
    from trainer.export import phase_summaries
    from tutor.store import Store

    with Store(home / "stepwise.sqlite") as store:
        return phase_summaries(store, run_id)


def _run_id(output: str) -> int:
    for line in output.splitlines():
        if line.startswith("run "):
            return int(line.split()[1].rstrip(":"))
    raise RuntimeError(f"no run id in the trainer's output:\n{output[-2000:]}")


@section("training")
def training(args) -> dict:
    out: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        recipe = _recipe(folder, args.quick)
        runs = {}
        for label, visible in ((args.device, None), ("cpu", "")):
            home = folder / f"home-{label}"
            env = dict(os.environ, STEPWISE_HOME=str(home), PYTHONUNBUFFERED="1")
            if visible is not None:
                env["CUDA_VISIBLE_DEVICES"] = visible
            done = _trainer(["run", str(recipe)], env, 600)
            if done.returncode:
                raise RuntimeError(f"trainer run on {label} failed:\n{done.stderr[-3000:]}")
            runs[label] = _phase_figures(home, _run_id(done.stdout))
        for label, phases in runs.items():
            for phase, r in phases.items():
                print(f"{label:<6} {phase:<10} steps {r['steps']:>4}  loss {r['first_loss']:.3f} -> {r['last_loss']:.3f}  "
                      f"{r['tokens_per_second']:>9.0f} tok/s")
        out["runs"] = runs
        # killed after its first checkpoint, then resumed on the device
        home = folder / "home-resume"
        env = dict(os.environ, STEPWISE_HOME=str(home), PYTHONUNBUFFERED="1")
        process = subprocess.Popen([sys.executable, "-m", "trainer.cli", "run", str(recipe)], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        checkpoints = home / "runs"
        deadline = time.time() + 300
        while time.time() < deadline and not list(checkpoints.glob("*/ssft/checkpoint*")):
            time.sleep(0.5)
        process.send_signal(signal.SIGKILL)
        output = process.communicate()[0]
        run_id = _run_id(output)
        resumed = _trainer(["run", "--resume", str(run_id)], env, 600)
        print(f"killed after the first checkpoint, resumed: exit {resumed.returncode}")
        out["resume_exit"] = resumed.returncode
        # accelerate launch, the repository's multi-GPU config set to one process (on the CPU: no GPU, no DDP)
        yaml = (ROOT / "trainer" / "recipes" / "accelerate_multi_gpu.yaml").read_text()
        yaml = yaml.replace("num_processes: 2", "num_processes: 1")
        if not args.device.startswith("cuda"):
            yaml = yaml.replace("use_cpu: false", "use_cpu: true").replace("MULTI_GPU", "NO").replace("bf16", "no")
        one = folder / "accelerate-1.yaml"
        one.write_text(yaml)
        env = dict(os.environ, STEPWISE_HOME=str(folder / "home-accelerate"), PYTHONUNBUFFERED="1")
        launched = subprocess.run([sys.executable, "-m", "accelerate.commands.launch", "--config_file", str(one),
                                   "-m", "trainer.cli", "run", str(recipe)], cwd=ROOT, env=env, text=True,
                                  capture_output=True, timeout=600)
        print(f"accelerate launch (1 process): exit {launched.returncode}")
        if launched.returncode:
            print(launched.stderr[-3000:])
        out["accelerate_exit"] = launched.returncode
    return out


@section("eval")
def evaluation(args) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "synthetic.jsonl"
        from trainer.data.synth import SynthConfig, generate

        with data.open("w") as handle:
            for problem in generate(SynthConfig(n=10 if args.quick else 50, seed=1234, verify=False)):
                handle.write(json.dumps(problem.to_dict()) + "\n")
        env = dict(os.environ, STEPWISE_HOME=tmp, PYTHONUNBUFFERED="1")
        if not args.device.startswith("cuda"):
            env["CUDA_VISIBLE_DEVICES"] = ""
        started = time.perf_counter()
        done = _trainer(["eval", str(BUNDLED), "--data", str(data), "--backend", "transformers", "--json",
                         "--n", "4" if args.quick else "16"], env, 600)
        if done.returncode:
            raise RuntimeError(done.stderr[-3000:])
        report = json.loads(done.stdout)
        seconds = time.perf_counter() - started
        print(f"trainer eval on {args.device}: {report['problems']} problems in {seconds:.0f} s; "
              + ", ".join(f"{k} {100 * v:.1f} %" for k, v in report["metrics"].items() if k in ("Tutor", "Pass@1", "Maj1@N")))
        return {"seconds": seconds, "metrics": report["metrics"], "settings": report.get("settings")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--quick", action="store_true", help="every section small (a CPU check of this script)")
    parser.add_argument("--only", nargs="*", help="sections to run (default: all)")
    parser.add_argument("--out", type=Path, default=Path(os.environ["OUT"]) if os.environ.get("OUT") else None,
                        help="write gpu.json here (default: $OUT when set)")
    args = parser.parse_args(argv)
    name = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no CUDA device"
    print(f"torch {torch.__version__}, {name}, device {args.device}{', quick' if args.quick else ''}")
    for run in (parity, sampling, oom, training, evaluation):
        if not args.only or run.__name__ in args.only:  # the section's name
            run(args)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "gpu.json").write_text(json.dumps(RESULTS, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
