"""Phase 3 — multi-task sequential fine-tuning: generator → evaluator → generator on one model.

The first two stages are phases 1 and 2 (`trainer.ssft`, `trainer.evaluator`); this module is the final
generator stage, trained from the evaluator's weights so one model both solves and judges. Its loss is
picked once from `GENERATOR_LOSSES`:

- "mle": L_mle on reference solutions, as in phase 1;
- "ctr": the sequence-likelihood contrastive objective, on pairs of a correct X+ and an incorrect X− of the
  same problem,
      L_seq = max(0, log p(X−|P) − log p(X+|P) + λ),   L_ctr = L_seq + α·L_mle(X+)
  with log p(X|P) length-normalised (mean per token) by default.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from trainer.candidates import Candidate
from trainer.config import TrainConfig
from trainer.engine import PhaseResult, StepLogger, train_phase
from trainer.evaluator import split_pairs
from trainer.packing import IGNORE_INDEX, PackedBatch, pack
from trainer.ssft import forward_logits, mle_loss, solution_example, ssft_batches, ssft_step
from tutor.errors import ConfigError


@dataclass
class MultitaskConfig(TrainConfig):
    """Phase 3's final generator stage (the earlier stages are phases 1 and 2)."""

    final_loss: str = "mle"
    """"mle" or "ctr" (sequence-likelihood contrastive + α·MLE)."""
    alpha: float = 1.0
    """α: weight of L_mle inside L_ctr (not published)."""
    margin: float = 1.0
    """λ of L_seq (not published)."""
    length_normalised: bool = True
    """Compare mean per-token log-likelihoods (True) or sums (False) in L_seq."""
    pairs_per_problem: int = 4
    """(X+, X−) pairs per problem for "ctr"; X+ is the reference solution or a correct candidate."""
    max_problems: int = 0
    """Use at most this many training problems for "mle" (0 = all)."""
    evaluator_replay: float = 0.0
    """Share of the stage's micro-batches that are evaluator examples, trained with phase 2's loss, so a
    long generator stage does not erase the verifier the shipped model also is (0 = the paper's plain
    sequential stage). Measured: a 600-step MLE stage took the verifier's AUROC from 0.66 to 0.60."""


def sequence_log_likelihoods(
    logits: torch.Tensor, labels: torch.Tensor, segment_ids: torch.Tensor, n_segments: int, length_normalised: bool
) -> torch.Tensor:
    """log p(X|P) of each packed example (sum over its target tokens, or the mean when length_normalised)."""
    mask = labels != IGNORE_INDEX
    token_logp = logits.float().log_softmax(-1).gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    segments = segment_ids[mask]
    totals = torch.zeros(n_segments, dtype=token_logp.dtype, device=logits.device).index_add(0, segments, token_logp[mask])
    if not length_normalised:
        return totals
    counts = torch.zeros(n_segments, dtype=token_logp.dtype, device=logits.device).index_add(
        0, segments, torch.ones_like(token_logp[mask]))
    return totals / counts.clamp(min=1)


def seq_contrastive_loss(logp_positive: torch.Tensor, logp_negative: torch.Tensor, margin: float) -> torch.Tensor:
    """L_seq averaged over pairs: max(0, log p(X−|P) − log p(X+|P) + λ)."""
    return torch.clamp(logp_negative - logp_positive + margin, min=0).mean()


def ctr_loss(
    logp_positive: torch.Tensor, logp_negative: torch.Tensor, mle: torch.Tensor, alpha: float, margin: float
) -> torch.Tensor:
    """L_ctr = L_seq + α·L_mle."""
    return seq_contrastive_loss(logp_positive, logp_negative, margin) + alpha * mle


def _ctr_step(config: MultitaskConfig):
    def step(model: torch.nn.Module, batch: PackedBatch):
        logits = forward_logits(model, batch)
        logp = sequence_log_likelihoods(logits, batch.labels, batch.segment_ids, batch.n_examples,
                                        config.length_normalised)
        pos, neg = split_pairs(logp, batch.meta["label"], batch.meta["pair"])
        # L_mle on the positives only: negatives' labels are masked out
        positive_tokens = (batch.segment_ids >= 0) & (batch.meta["label"][batch.segment_ids.clamp(min=0)] == 1)
        mle = mle_loss(logits, torch.where(positive_tokens, batch.labels, IGNORE_INDEX))
        loss = ctr_loss(pos, neg, mle, config.alpha, config.margin)
        return loss, {"mle": mle.item(), "pair_accuracy": (pos > neg).float().mean().item()}
    return step


def ctr_batches(tokenizer, problems: Sequence, candidates: Sequence[Candidate], config: MultitaskConfig, seed: int,
                references: dict[str, str] | None = None):
    """Packed (X+, X−) pairs per problem; X+ from the reference and the correct candidates (`references`:
    problem -> reference solution, by default those of `problems`)."""
    rng = random.Random(seed)
    reference = references if references is not None else {p.problem: p.solution for p in problems}
    by_problem: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        by_problem[candidate.problem].append(candidate)
    groups = []
    for problem in sorted(by_problem):
        bad = sorted({c.solution for c in by_problem[problem] if not c.correct})
        good = sorted({c.solution for c in by_problem[problem] if c.correct} | ({reference[problem]} if problem in reference else set()))
        if not good or not bad:
            continue
        rng.shuffle(bad)
        for i, negative in enumerate(bad[: config.pairs_per_problem]):
            pair = float(len(groups))
            groups.append([solution_example(tokenizer, problem, good[i % len(good)], label=1.0, pair=pair),
                           solution_example(tokenizer, problem, negative, label=0.0, pair=pair)])
    return pack(groups, config.max_seq_len, config.tokens_per_batch, pad_id=tokenizer.pad_token_id or 0, seed=seed)


def _mle_batches(tokenizer, problems, candidates, config, seed, references=None):
    return ssft_batches(tokenizer, problems, config, seed)


GENERATOR_LOSSES: dict[str, tuple[Callable, Callable]] = {
    "mle": (_mle_batches, lambda config: ssft_step),
    "ctr": (ctr_batches, _ctr_step),
}


def with_evaluator_replay(generator_batches: list[PackedBatch], generator_step: Callable, tokenizer,
                          candidates: Sequence[Candidate], config: MultitaskConfig, evaluator_config, seed: int,
                          references: dict[str, str] | None = None) -> tuple[list[PackedBatch], Callable]:
    """Mix evaluator micro-batches (marked with meta["replay"]) into the generator's, at config.evaluator_replay
    of the total, and a step that trains each with its own loss."""
    from trainer.evaluator import EVALUATOR_LOSSES, evaluator_batches, verdict_token_ids

    replay = evaluator_batches(tokenizer, candidates, evaluator_config, seed, references)
    wanted = round(len(generator_batches) * config.evaluator_replay / (1 - config.evaluator_replay))
    if not replay or not wanted:
        return generator_batches, generator_step
    chosen = [replay[i % len(replay)] for i in random.Random(seed).sample(range(max(wanted, len(replay))), wanted)]
    for batch in chosen:
        batch.meta["replay"] = torch.ones(batch.n_examples)
    verifier_step = EVALUATOR_LOSSES[evaluator_config.loss](*verdict_token_ids(tokenizer), evaluator_config.margin)

    def step(model: torch.nn.Module, batch: PackedBatch):
        if "replay" in batch.meta:
            loss, metrics = verifier_step(model, batch)
            return loss, {f"replay_{name}": value for name, value in metrics.items()}
        return generator_step(model, batch)

    return generator_batches + chosen, step


def run_multitask(
    model: torch.nn.Module, tokenizer, problems: Sequence, candidates: Sequence[Candidate], config: MultitaskConfig,
    phase_dir: Path, logger: StepLogger, seed: int = 0, phase: str = "multitask", evaluator_config=None,
    references: dict[str, str] | None = None,
) -> PhaseResult:
    """The final generator stage, in place, on the evaluator-trained model (with evaluator replay when
    config.evaluator_replay > 0: `evaluator_config` then says how phase 2 selected and scored examples)."""
    if config.final_loss not in GENERATOR_LOSSES:
        raise ConfigError(f"multitask.final_loss must be one of {sorted(GENERATOR_LOSSES)}, got {config.final_loss!r}")
    if not 0 <= config.evaluator_replay < 1:
        raise ConfigError(f"multitask.evaluator_replay must be in [0, 1), got {config.evaluator_replay}")
    make_batches, make_step = GENERATOR_LOSSES[config.final_loss]
    batches, step = make_batches(tokenizer, problems, candidates, config, seed, references), make_step(config)
    if config.evaluator_replay > 0:
        if evaluator_config is None:
            raise ConfigError("multitask.evaluator_replay needs the evaluator's config (how to build its examples)")
        batches, step = with_evaluator_replay(batches, step, tokenizer, candidates, config, evaluator_config, seed,
                                              references)
    return train_phase(model, batches, step, config, phase_dir, phase, logger, seed=seed)
