"""Phase-1 (SSFT) training throughput: our packed accelerate loop vs a plain transformers `Trainer` that pads.

Both train the same freshly initialised Llama on the same synthetic problems (prompt-masked solver
examples), the same number of examples and the same micro-batch token budget; the table reports real
(non-padding) tokens per second and the ratio. Run from the repository root:

    python bench/train.py [--examples 384] [--hidden 128] [--layers 4] [--threads 1]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

import torch
from transformers import Trainer, TrainingArguments

from trainer.config import ModelConfig
from trainer.data.synth.generate import SynthConfig, generate
from trainer.data.tokenizer import corpus_texts, train_tokenizer
from trainer.engine import train_phase
from trainer.history import NullHistory
from trainer.modeling import load_tokenizer, scratch_model
from trainer.packing import IGNORE_INDEX
from trainer.ssft import SSFTConfig, solution_example, ssft_batches, ssft_step


class PaddedExamples(torch.utils.data.Dataset):
    """The same solver examples as plain dicts for the Trainer (labels -100 on the prompt)."""

    def __init__(self, examples):
        self.examples = examples

    def __len__(self):
        return len(self.examples)

    def __getitem__(self, i):
        e = self.examples[i]
        return {"input_ids": e.input_ids, "labels": [t if m else IGNORE_INDEX for t, m in zip(e.input_ids, e.target_mask)]}


def pad_collate(pad_id: int):
    def collate(rows):
        width = max(len(r["input_ids"]) for r in rows)
        ids = torch.full((len(rows), width), pad_id)
        labels = torch.full((len(rows), width), IGNORE_INDEX)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, r in enumerate(rows):
            n = len(r["input_ids"])
            ids[i, :n], labels[i, :n], mask[i, :n] = torch.tensor(r["input_ids"]), torch.tensor(r["labels"]), 1
        return {"input_ids": ids, "labels": labels, "attention_mask": mask}
    return collate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=384)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--tokens-per-batch", type=int, default=4096)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads for both loops (1: steadier numbers on a shared machine)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    logging.disable(logging.WARNING)
    torch.manual_seed(0)
    problems = list(generate(SynthConfig(n=args.examples, seed=7)))
    scratch = Path(tempfile.mkdtemp())
    train_tokenizer(corpus_texts(problems), scratch / "tok", vocab_size=1024)
    tokenizer = load_tokenizer(scratch / "tok")
    shape = ModelConfig(hidden_size=args.hidden, intermediate_size=args.hidden * 3, num_layers=args.layers, num_heads=4,
                        num_kv_heads=4)
    examples = [solution_example(tokenizer, p.problem, p.solution) for p in problems]
    real_tokens = sum(len(e.input_ids) for e in examples)
    mean_len = real_tokens / len(examples)

    # ours: packed rows of max_seq_len tokens, one pass over the examples
    config = SSFTConfig(learning_rate=1e-3, warmup_steps=2, tokens_per_batch=args.tokens_per_batch, max_seq_len=512,
                        checkpoint_every=10**9)
    batches = ssft_batches(tokenizer, problems, config, seed=0)
    config.steps = len(batches)
    model = scratch_model(shape, tokenizer)
    started = time.perf_counter()
    train_phase(model, batches, ssft_step, config, scratch / "ours", "bench", NullHistory(), show_progress=False)
    ours_s = time.perf_counter() - started
    ours_slots = sum(b.input_ids.numel() for b in batches)

    # baseline: transformers Trainer, dynamic padding to the longest example of each batch
    per_batch = max(1, int(args.tokens_per_batch / mean_len))
    model = scratch_model(shape, tokenizer)
    training_args = TrainingArguments(output_dir=str(scratch / "hf"), per_device_train_batch_size=per_batch,
                                      num_train_epochs=1, learning_rate=1e-3, warmup_steps=2, report_to=[],
                                      save_strategy="no", logging_strategy="no", use_cpu=True,
                                      dataloader_num_workers=0, disable_tqdm=True)
    trainer = Trainer(model=model, args=training_args, train_dataset=PaddedExamples(examples),
                      data_collator=pad_collate(tokenizer.pad_token_id))
    started = time.perf_counter()
    trainer.train()
    hf_s = time.perf_counter() - started
    collate = pad_collate(tokenizer.pad_token_id)
    dataset = PaddedExamples(examples)
    hf_slots = sum(collate([dataset[j] for j in range(i, min(i + per_batch, len(dataset)))])["input_ids"].numel()
                   for i in range(0, len(dataset), per_batch))

    print(f"\nSSFT throughput: {len(examples)} examples, {real_tokens} real tokens (mean {mean_len:.0f}), "
          f"model hidden {args.hidden} x {args.layers} layers, {torch.get_num_threads()} threads\n")
    print("| loop | batches | token slots | padding | seconds | real tokens/s | ratio |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    hf_rate, ours_rate = real_tokens / hf_s, real_tokens / ours_s
    print(f"| transformers Trainer (padded) | {-(-len(examples) // per_batch)} | {hf_slots} | "
          f"{1 - real_tokens / hf_slots:.1%} | {hf_s:.1f} | {hf_rate:.0f} | 1.00x |")
    print(f"| stepwise packed loop | {len(batches)} | {ours_slots} | {1 - real_tokens / ours_slots:.1%} | "
          f"{ours_s:.1f} | {ours_rate:.0f} | {ours_rate / hf_rate:.2f}x |")


if __name__ == "__main__":
    main()
