"""`python bench/solve.py --real-size`: what a solve costs on a model of a real small model's size.

A random-weight Llama of SmolLM-135M's shape (30 layers, hidden 576, 9 heads / 3 KV heads, vocab 49,152:
135M parameters) is made here and exported to GGUF (q8_0 and f16 by trainer.export_gguf, q4_0 and q4_1 by
llama.cpp's own quantizer), so the bench needs no download. Random weights give the speed; the bundled
model's own runs give the stopping behaviour (median samples per solve and tokens per sample, from
`--samples-from`). Rows per quantization and thread count:
  N = 16 at once  -- tokens/s sampling 16 solutions of L tokens in one batch (the fixed-N solve)
  waves of 8      -- tokens/s drawing the median number of samples 8 at a time (the adaptive solve)
  verify s        -- the verifier scoring that many solutions of L tokens
  typical solve s -- waves + verify: a typical adaptive solve of this size
The ratio column is the typical solve against the fixed-N solve (16 samples + scoring 16) at the same
quantization and threads.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

SHAPE = {"hidden_size": 576, "intermediate_size": 1536, "num_hidden_layers": 30, "num_attention_heads": 9,
         "num_key_value_heads": 3, "vocab_size": 49152, "max_position_embeddings": 2048, "tie_word_embeddings": True}
PROBLEM = "A shop sells pens at 3 dollars each. Maya buys 7 pens and pays with a 50 dollar bill. How much change?"


def recipe_shape(name: str) -> dict:
    """The model shape a training recipe would train (`--shape-of default-gpu`): a size candidate's speed is
    measured on random weights before any GPU time is spent training it."""
    from trainer.run import load_recipe

    recipe = load_recipe(name)
    model = recipe.model
    return {"hidden_size": model.hidden_size, "intermediate_size": model.intermediate_size,
            "num_hidden_layers": model.num_layers, "num_attention_heads": model.num_heads,
            "num_key_value_heads": model.num_kv_heads, "vocab_size": recipe.data.vocab_size,
            "max_position_embeddings": model.max_position_embeddings, "tie_word_embeddings": model.tie_embeddings}


def build(folder: Path, shape: dict = SHAPE) -> dict[str, Path]:
    """A random model of `shape` as GGUF files by quantization (built once per folder)."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from trainer.data.tokenizer import train_tokenizer
    from trainer.export_gguf import export_gguf

    files = {quant: folder / f"model-{quant}.gguf" for quant in ("q8_0", "q4_0", "q4_1")}
    if all(path.exists() for path in files.values()):
        return files
    hf = folder / "hf"
    texts = [f"Problem: What is {i} + {i * 7}?\nSolution:\n$ {i} + {i * 7} = {i * 8}$.\n\\boxed{{{i * 8}}}" for i in range(400)]
    train_tokenizer(texts + [PROBLEM], hf, vocab_size=1024)  # rows beyond it pad the embedding to the shape's
    tokenizer = AutoTokenizer.from_pretrained(hf)
    torch.manual_seed(0)
    config = LlamaConfig(**shape, bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                         pad_token_id=tokenizer.pad_token_id)
    LlamaForCausalLM(config).save_pretrained(hf)
    export_gguf(hf, files["q8_0"], "q8_0")
    f16 = export_gguf(hf, folder / "model-f16.gguf", "f16")
    for quant in ("q4_0", "q4_1"):
        _quantize(f16, files[quant], quant)
    return files


def _quantize(source: Path, target: Path, quant: str) -> None:
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = {"q4_0": llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_0, "q4_1": llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_1}[quant]
    if llama_cpp.llama_model_quantize(str(source).encode(), str(target).encode(), params) != 0:
        raise RuntimeError(f"llama.cpp could not quantize {source} to {quant}")


def typical_solve(path: Path | None) -> tuple[float, int]:
    """(median samples per solve, median tokens per sample) of the bundled model's runs, or (5, 120)."""
    if path is None or not path.exists():
        return 5.0, 120
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("{"):  # this bench's --json: per-solve records of the adaptive row
        records = json.loads(text)["adaptive"]
        samples = [r["samples"] for r in records]
        tokens = [r["tokens"] / r["samples"] for r in records if r["samples"]]
    else:  # trainer eval results: one ProblemResult per line
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
        samples = [len(r["sample_correct"]) for r in rows]
        tokens = [t for r in rows for t in r.get("n_tokens", [])]
    return statistics.median(samples), int(statistics.median(tokens or [120]))


class Waves:
    """A sampling control drawing `count` samples of one prompt, `wave` at a time (the adaptive solve's shape)."""

    def __init__(self, count: int, wave: int):
        self.count, self.wave, self.done = count, wave, 0

    def may_start(self, prompt, started, in_flight):
        return started < self.count and in_flight < self.wave

    def wanted(self, prompt):
        return self.done < self.count

    def finished(self, prompt, text, finish_reason):
        self.done += 1


def _timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def measure(path: Path, threads: int, samples: int, tokens: int, n: int = 16, wave: int = 8) -> dict:
    from tutor.models import load

    generator, verifier = load(path, n_threads=threads, n_parallel=max(n, wave))
    prompt = generator.solver_prompt(PROBLEM)
    generator.sample([prompt], n=2, max_new_tokens=8, seed=1)  # warm-up
    common = {"temperature": 0.7, "max_new_tokens": tokens, "seed": 0}
    fixed_s, fixed = _timed(lambda: generator.sample([prompt], n=n, **common)[0])
    waves_s, waved = _timed(lambda: generator.sample([prompt], n=n, control=Waves(samples, wave), **common)[0])
    texts = [s.text for s in fixed]
    verify_s, _ = _timed(lambda: verifier.p_correct([PROBLEM] * samples, texts[:samples]))
    verify_all_s, _ = _timed(lambda: verifier.p_correct([PROBLEM] * n, texts))
    return {
        "fixed_tok_s": sum(s.n_tokens for s in fixed) / fixed_s,
        "waves_tok_s": sum(s.n_tokens for s in waved) / waves_s,
        "verify_s": verify_s,
        "typical_s": waves_s + verify_s,
        "fixed_solve_s": fixed_s + verify_all_s,
    }


def _parameters(shape: dict) -> int:
    """Parameters of a model of `shape`, counted on the meta device (no memory, no weights)."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from trainer.modeling import n_parameters

    with torch.device("meta"):
        return n_parameters(LlamaForCausalLM(LlamaConfig(**shape)))


def real_size(args) -> int:
    samples, tokens = typical_solve(args.samples_from)
    samples = max(1, round(samples))
    shape, label = SHAPE, "SmolLM-135M's shape (135M parameters)"
    if args.shape_of:
        shape = recipe_shape(args.shape_of)
        label = f"the shape {Path(args.shape_of).stem} trains ({_parameters(shape) / 1e6:.1f}M parameters)"
    name = f"h{shape['hidden_size']}-l{shape['num_hidden_layers']}-v{shape['vocab_size']}"
    folder = Path(tempfile.gettempdir()) / f"stepwise-bench-shape-{name}"
    folder.mkdir(exist_ok=True)
    files = build(folder, shape)
    threads_list = [args.threads] if args.threads else [1, 2]
    print(f"\nA random model of {label} on llama.cpp; a typical solve draws {samples} "
          f"samples of {tokens} tokens (median{', from ' + str(args.samples_from) if args.samples_from else ', assumed'}).")
    header = f"{'quant':<6} {'threads':>7} {'N=16 tok/s':>11} {'waves tok/s':>12} {'verify s':>9} " \
             f"{'typical solve s':>16} {'fixed-N solve s':>16} {'speed-up':>9}"
    print(header)
    print("-" * len(header))
    for quant, path in files.items():
        for threads in threads_list:
            row = measure(path, threads, samples, tokens)
            print(f"{quant:<6} {threads:>7} {row['fixed_tok_s']:>11.0f} {row['waves_tok_s']:>12.0f} "
                  f"{row['verify_s']:>9.2f} {row['typical_s']:>16.2f} {row['fixed_solve_s']:>16.2f} "
                  f"{row['fixed_solve_s'] / row['typical_s']:>8.2f}x")
    return 0
