"""Phase 1 — step-by-step solution fine-tuning (SSFT): L_mle on the solution tokens of (P, X) pairs.

    L_mle = −Σ_i log p(x_i | x_<i, P)      (prompt tokens carry no loss)

We average over solution tokens rather than summing, so the learning rate does not depend on batch length.
The prompt is `tutor.prompts.solver_prompt(P)` — the exact string the tutor's backends send at inference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from trainer.config import TrainConfig
from trainer.engine import PhaseResult, StepLogger, train_phase
from trainer.packing import IGNORE_INDEX, Example, PackedBatch, pack, solver_example
from tutor.prompts import solver_prompt


@dataclass
class SSFTConfig(TrainConfig):
    """Phase 1: the generator learns to write fine-grained step-by-step solutions."""

    max_problems: int = 0
    """Use at most this many training problems (0 = all)."""


def mle_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean token cross-entropy over positions whose label is not IGNORE_INDEX (logits [..., V])."""
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), labels.reshape(-1), ignore_index=IGNORE_INDEX)


def forward_logits(model: torch.nn.Module, batch: PackedBatch) -> torch.Tensor:
    """Logits of a packed batch; position_ids without an attention mask give block-diagonal attention.

    use_cache=False matters: transformers only detects packed sequences when no KV cache is built.
    """
    return model(input_ids=batch.input_ids, position_ids=batch.position_ids, use_cache=False).logits


def ssft_step(model: torch.nn.Module, batch: PackedBatch) -> tuple[torch.Tensor, dict[str, float]]:
    return mle_loss(forward_logits(model, batch), batch.labels), {}


def encode(tokenizer, text: str) -> list[int]:
    """Token ids of a continuation: no BOS (we add EOS ourselves where a sequence ends)."""
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])


def encode_prompt(tokenizer, text: str) -> list[int]:
    """Token ids of a prompt as `tutor.models` encodes it at inference (with BOS when the tokenizer adds one)."""
    return list(tokenizer(text)["input_ids"])


def solution_example(tokenizer, problem: str, solution: str, **meta: float) -> Example:
    """solver_prompt(P) + X + EOS, loss on X and EOS."""
    return solver_example(encode_prompt(tokenizer, solver_prompt(problem)),
                          encode(tokenizer, solution) + [tokenizer.eos_token_id], **meta)


def ssft_batches(tokenizer, problems: Sequence, config: TrainConfig, seed: int):
    """Packed micro-batches of the reference solutions of `problems` (objects with .problem, .solution)."""
    chosen = problems[: config.max_problems] if getattr(config, "max_problems", 0) else problems
    groups = [[solution_example(tokenizer, p.problem, p.solution)] for p in chosen]
    return pack(groups, config.max_seq_len, config.tokens_per_batch, pad_id=tokenizer.pad_token_id or 0, seed=seed)


def run_ssft(
    model: torch.nn.Module, tokenizer, problems: Sequence, config: SSFTConfig, phase_dir: Path,
    logger: StepLogger, seed: int = 0, phase: str = "ssft",
) -> PhaseResult:
    """Train the generator on reference solutions in place; resumes from phase_dir's checkpoints."""
    batches = ssft_batches(tokenizer, problems, config, seed)
    return train_phase(model, batches, ssft_step, config, phase_dir, phase, logger, seed=seed)
