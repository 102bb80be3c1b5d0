"""Phase 2 — evaluator (verifier) fine-tuning on labelled candidates, starting from the phase-1 model.

The evaluator reads T(P, X) = `tutor.prompts.verifier_prompt(P, X)` and compares the next token between
" correct" and " incorrect" (the first token of each word):

    S_cls(X|P) = p(correct | T) / (p(correct | T) + p(incorrect | T))
    L_xent   = −1[X correct]·log p(correct | T) − 1[X incorrect]·log p(incorrect | T)
    L_margin = max(0, log S_cls(X−|P) − log S_cls(X+|P) + λ)      (pairs of one problem)

p(·|T) is the full next-token softmax. The loss function is picked once from `EVALUATOR_LOSSES`.
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
from trainer.packing import Example, PackedBatch, pack, readout_example
from trainer.ssft import encode, encode_prompt, forward_logits
from tutor.errors import ConfigError, ModelLoadError, TrainingError
from tutor.models import prompting
from tutor.prompts import verifier_prompt


@dataclass
class EvaluatorConfig(TrainConfig):
    """Phase 2: the model learns to judge candidate solutions."""

    loss: str = "margin"
    """"xent" (cross-entropy on the verdict token) or "margin" (pairwise, the paper's best)."""
    margin: float = 1.0
    """λ of L_margin (not published; 1.0 by default)."""
    examples_per_problem: int = 10
    """Training examples built per problem (the paper: about 10); for margin, half as many pairs."""
    balanced: bool = True
    """Take as many correct as incorrect candidates where a problem has both."""
    use_teacher_marks: bool = False
    """Add the teacher's marks from the tutor's store as extra labelled candidates."""
    reference_positives: bool = False
    """Also use each problem's reference solution as a correct candidate (our addition, not the paper's:
    a small model whose samples are rarely right otherwise leaves the margin loss almost no pairs)."""


def log_probs_of_verdicts(logits: torch.Tensor, last_positions: torch.Tensor, correct_id: int, incorrect_id: int):
    """(log p(correct|T), log p(incorrect|T)) at each example's last prompt token; [examples] each."""
    readout = logits[last_positions[:, 0], last_positions[:, 1]].float().log_softmax(-1)
    return readout[:, correct_id], readout[:, incorrect_id]


def log_s_cls(log_p_correct: torch.Tensor, log_p_incorrect: torch.Tensor) -> torch.Tensor:
    """log S_cls = log p(c) − log(p(c) + p(i))."""
    return log_p_correct - torch.logaddexp(log_p_correct, log_p_incorrect)


def xent_loss(log_p_correct: torch.Tensor, log_p_incorrect: torch.Tensor, is_correct: torch.Tensor) -> torch.Tensor:
    """L_xent averaged over examples; is_correct holds 1.0 / 0.0."""
    return -(is_correct * log_p_correct + (1 - is_correct) * log_p_incorrect).mean()


def margin_loss(log_s_positive: torch.Tensor, log_s_negative: torch.Tensor, margin: float) -> torch.Tensor:
    """L_margin averaged over pairs: max(0, log S_cls(X−) − log S_cls(X+) + λ)."""
    return torch.clamp(log_s_negative - log_s_positive + margin, min=0).mean()


def split_pairs(values: torch.Tensor, label: torch.Tensor, pair: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(values of X+, values of X−) aligned by pair id; packing may put a pair's halves in different rows."""
    positive = label == 1
    pos_order = torch.argsort(pair[positive])
    neg_order = torch.argsort(pair[~positive])
    return values[positive][pos_order], values[~positive][neg_order]


def verdict_token_ids(tokenizer) -> tuple[int, int]:
    """The verdict tokens exactly as the tutor's backends read them (first token of each word after T)."""
    try:
        return prompting.verdict_token_ids(lambda text: encode(tokenizer, text))
    except ModelLoadError as exc:
        raise TrainingError(str(exc)) from exc


def _xent_step(correct_id: int, incorrect_id: int, margin: float):
    def step(model: torch.nn.Module, batch: PackedBatch):
        lpc, lpi = log_probs_of_verdicts(forward_logits(model, batch), batch.last_positions, correct_id, incorrect_id)
        label = batch.meta["label"]
        accuracy = ((lpc > lpi).float() == label).float().mean().item()
        return xent_loss(lpc, lpi, label), {"accuracy": accuracy}
    return step


def _margin_step(correct_id: int, incorrect_id: int, margin: float):
    def step(model: torch.nn.Module, batch: PackedBatch):
        lpc, lpi = log_probs_of_verdicts(forward_logits(model, batch), batch.last_positions, correct_id, incorrect_id)
        scores = log_s_cls(lpc, lpi)
        pos, neg = split_pairs(scores, batch.meta["label"], batch.meta["pair"])
        return margin_loss(pos, neg, margin), {"pair_accuracy": (pos > neg).float().mean().item()}
    return step


EVALUATOR_LOSSES: dict[str, Callable] = {"xent": _xent_step, "margin": _margin_step}


def _distinct(candidates: Sequence[Candidate]) -> list[Candidate]:
    seen, kept = set(), []
    for candidate in candidates:
        if candidate.solution not in seen:
            seen.add(candidate.solution)
            kept.append(candidate)
    return kept


def select_examples(
    candidates: Sequence[Candidate], config: EvaluatorConfig, seed: int, references: dict[str, str] | None = None
) -> list[list[Candidate]]:
    """Groups of candidates to train on: single examples (xent) or (X+, X−) pairs (margin), per problem.

    `references` (problem -> reference solution) adds one correct candidate per problem when
    config.reference_positives is set.
    """
    rng = random.Random(seed)
    by_problem: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        by_problem[candidate.problem].append(candidate)
    if config.reference_positives and references:
        for problem, group in by_problem.items():
            if problem in references:
                first = group[0]
                group.append(Candidate(first.problem_id, -1, problem, references[problem], first.reference,
                                       first.reference, True))
    groups: list[list[Candidate]] = []
    for problem in sorted(by_problem):
        pool = _distinct(by_problem[problem])
        rng.shuffle(pool)
        good = [c for c in pool if c.correct]
        bad = [c for c in pool if not c.correct]
        n = config.examples_per_problem
        if config.loss == "margin":
            pairs = min(n // 2, len(good) * len(bad))
            combos = [(g, b) for g in good for b in bad]
            rng.shuffle(combos)
            # prefer pairs that reuse candidates least: walk the combinations round-robin
            combos.sort(key=lambda gb: (good.index(gb[0]) + bad.index(gb[1])))
            groups.extend([g, b] for g, b in combos[:pairs])
        elif config.balanced and good and bad:
            half = n // 2
            chosen = good[:half] + bad[:half]
            rest = good[half:] + bad[half:]
            chosen += rest[: max(0, n - len(chosen))]
            groups.extend([c] for c in chosen)
        else:
            groups.extend([c] for c in pool[:n])
    return groups


def evaluator_batches(tokenizer, candidates: Sequence[Candidate], config: EvaluatorConfig, seed: int,
                      references: dict[str, str] | None = None):
    """Packed micro-batches of T(P, X) prompts read off at their last token; over-long ones are skipped."""
    if config.loss not in EVALUATOR_LOSSES:
        raise ConfigError(f"evaluator.loss must be one of {sorted(EVALUATOR_LOSSES)}, got {config.loss!r}")
    groups: list[list[Example]] = []
    for index, group in enumerate(select_examples(candidates, config, seed, references)):
        examples = [readout_example(encode_prompt(tokenizer, verifier_prompt(c.problem, c.solution)),
                                    label=float(c.correct), pair=float(index)) for c in group]
        if all(len(e.input_ids) <= config.max_seq_len for e in examples):
            groups.append(examples)
    return pack(groups, config.max_seq_len, config.tokens_per_batch, pad_id=tokenizer.pad_token_id or 0, seed=seed)


def run_evaluator(
    model: torch.nn.Module, tokenizer, candidates: Sequence[Candidate], config: EvaluatorConfig, phase_dir: Path,
    logger: StepLogger, seed: int = 0, phase: str = "evaluator", references: dict[str, str] | None = None,
) -> PhaseResult:
    """Train the evaluator in place on labelled candidates with the configured loss."""
    batches = evaluator_batches(tokenizer, candidates, config, seed, references)
    if not batches:
        raise TrainingError("no evaluator examples: the candidates need both correct and incorrect solutions "
                            "(margin) or any labelled solution (xent)")
    correct_id, incorrect_id = verdict_token_ids(tokenizer)
    step = EVALUATOR_LOSSES[config.loss](correct_id, incorrect_id, config.margin)
    return train_phase(model, batches, step, config, phase_dir, phase, logger, seed=seed)
