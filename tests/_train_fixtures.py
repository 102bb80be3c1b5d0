"""Shared helpers of the trainer tests (not a test module): a throwaway tokenizer and a tiny random Llama.

Imported by tests/test_train_*.py; pytest puts tests/ on sys.path (no __init__.py here).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import torch

from trainer.candidates import Candidate
from trainer.config import ModelConfig
from trainer.data.tokenizer import train_tokenizer
from trainer.modeling import load_tokenizer, scratch_model


def addition_problems(count: int = 60) -> list[SimpleNamespace]:
    """Tiny step-by-step addition problems in the synthetic format (problem, solution, answer, id)."""
    out = []
    for i in range(count):
        a, b = 3 + i % 17, 5 + (i * 7) % 23
        out.append(SimpleNamespace(
            problem=f"What is ${a} + {b}$?", answer=str(a + b), unique_id=f"add/{i}", subject="Prealgebra", level=1,
            solution=f"${a} + {b} = {a + b}$.\nThe final answer is $\\boxed{{{a + b}}}$."))
    return out


def tiny_tokenizer(folder: Path, problems=None):
    from trainer.data.tokenizer import corpus_texts

    problems = problems or addition_problems()
    train_tokenizer(corpus_texts(problems), folder, vocab_size=300, min_frequency=1)
    return load_tokenizer(folder)


def tiny_model(tokenizer, seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    return scratch_model(ModelConfig(hidden_size=32, intermediate_size=64, num_layers=2, num_heads=2,
                                     num_kv_heads=2, max_position_embeddings=256), tokenizer)


def labelled_candidates(problems) -> list[Candidate]:
    """Two correct and two incorrect candidates per problem; the wrong ones guess instead of adding, so even a
    tiny model can learn to tell them apart in a few steps."""
    out = []
    for p in problems:
        right = int(p.answer)
        for index, value in enumerate((right, right + 1, right, right + 2)):
            if value == right:
                solution = p.solution + "\n" * (index // 2)
            else:
                solution = f"I guess.\nThe final answer is $\\boxed{{{value}}}$."
            out.append(Candidate(p.unique_id, index, p.problem, solution, str(value), p.answer, value == right))
    return out


def parameters_copy(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {name: p.detach().clone() for name, p in model.named_parameters()}


def moved(before: dict[str, torch.Tensor], model: torch.nn.Module) -> bool:
    return any(not torch.equal(before[name], p.detach()) for name, p in model.named_parameters())
