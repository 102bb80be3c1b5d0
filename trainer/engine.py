"""The one training loop every phase runs: accelerate, AdamW + warmup/cosine, resumable checkpoints.

A phase hands `train_phase` a model, its packed micro-batches and a loss function `(model, batch) -> (loss,
metrics)`. The loop is the same on a laptop CPU (float32), one CUDA GPU (bf16) or several GPUs under
`accelerate launch --config_file trainer/recipes/accelerate_multi_gpu.yaml trainer run ...` (accelerate
wraps the model in DDP; each process takes every num_processes-th micro-batch).

Crash safety: every `checkpoint_every` steps the weights (safetensors), optimizer, scheduler and RNG state
and the data position are written to `step-NNNNNN.tmp/` and renamed into place, so a kill -9 leaves either
the old or the new checkpoint, never half of one. A resumed phase replays the steps after its newest
checkpoint with the same data order; step metrics are written idempotently, so the history ends up with
every step exactly once. Ctrl-C (SIGINT) finishes the current step, checkpoints and raises `StopRequested`.
"""

from __future__ import annotations

import json
import logging
import math
import random
import shutil
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import safetensors.torch
import torch
from accelerate import Accelerator
from tqdm.auto import tqdm

from trainer.config import TrainConfig
from trainer.packing import PackedBatch
from tutor.errors import TrainingError

log = logging.getLogger(__name__)

LossFn = Callable[[torch.nn.Module, PackedBatch], tuple[torch.Tensor, dict[str, float]]]


class StopRequested(TrainingError):
    """Ctrl-C: the run stopped cleanly after a step and left a checkpoint to resume from."""


class StepLogger(Protocol):
    """Where the loop reports (trainer.history.RunHistory implements it)."""

    def log_step(self, phase: str, step: int, metrics: dict[str, float]) -> None: ...

    def log_checkpoint(self, phase: str, step: int, path: Path) -> None: ...

    def log_progress(self, phase: str, step: int, total: int | None = None) -> None: ...


@dataclass
class PhaseResult:
    """What a finished phase reports: losses at the start and the end, throughput."""

    steps: int
    first_loss: float
    last_loss: float
    tokens: int
    seconds: float
    tokens_per_second: float


def lr_multiplier(step: int, config: TrainConfig) -> float:
    """Linear warmup to 1, then cosine decay to min_lr_ratio at the last step."""
    if step < config.warmup_steps:
        return (step + 1) / config.warmup_steps
    span = max(1, config.steps - config.warmup_steps)
    progress = min(1.0, (step - config.warmup_steps) / span)
    return config.min_lr_ratio + (1 - config.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress))


def make_optimizer(model: torch.nn.Module, config: TrainConfig) -> torch.optim.AdamW:
    """AdamW with weight decay on matrices only (norm gains and biases are not decayed)."""
    trainable = [p for p in model.parameters() if p.requires_grad]
    groups = [
        {"params": [p for p in trainable if p.ndim >= 2], "weight_decay": config.weight_decay},
        {"params": [p for p in trainable if p.ndim < 2], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=config.learning_rate, betas=tuple(config.betas))


def batch_order(n_batches: int, seed: int, epoch: int) -> list[int]:
    """The micro-batch order of one pass over the data: a fixed permutation per (seed, epoch)."""
    order = list(range(n_batches))
    random.Random(seed * 100_003 + epoch).shuffle(order)
    return order


def micro_batch(batches: Sequence[PackedBatch], position: int, seed: int) -> PackedBatch:
    """The micro-batch at a global data position (deterministic, so a resumed run sees the same data)."""
    epoch, index = divmod(position, len(batches))
    return batches[batch_order(len(batches), seed, epoch)[index]]


# ---------------------------------------------------------------- checkpoints


def _checkpoints(phase_dir: Path) -> list[Path]:
    return sorted(p for p in phase_dir.glob("step-*") if p.is_dir() and not p.name.endswith(".tmp"))


def save_checkpoint(
    phase_dir: Path, step: int, model: torch.nn.Module, optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler, extra: dict, keep: int,
) -> Path:
    """Write a complete checkpoint atomically (tmp folder + rename) and drop the oldest beyond `keep`."""
    final = phase_dir / f"step-{step:06d}"
    tmp = phase_dir / f"step-{step:06d}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    safetensors.torch.save_model(model, str(tmp / "model.safetensors"))
    state = {
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "torch_rng": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda_rng"] = torch.cuda.get_rng_state_all()
    torch.save(state, tmp / "training_state.pt")
    (tmp / "progress.json").write_text(json.dumps({"step": step, **extra}, indent=1))
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    for old in _checkpoints(phase_dir)[:-keep] if keep > 0 else []:
        shutil.rmtree(old, ignore_errors=True)
    return final


def load_checkpoint(
    path: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
) -> dict:
    """Restore a checkpoint written by save_checkpoint; returns its progress record."""
    safetensors.torch.load_model(model, str(path / "model.safetensors"))
    state = torch.load(path / "training_state.pt", weights_only=True)
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    torch.set_rng_state(state["torch_rng"])
    if "cuda_rng" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda_rng"])
    return json.loads((path / "progress.json").read_text())


# ---------------------------------------------------------------- the loop


class _StopFlag:
    """SIGINT sets the flag instead of raising mid-step (main thread only; elsewhere Ctrl-C is untouched)."""

    def __init__(self) -> None:
        self.requested = False
        self._previous = None

    def __enter__(self) -> _StopFlag:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame) -> None:
        if self.requested:  # a second Ctrl-C: stop now
            raise KeyboardInterrupt
        self.requested = True
        print("\nstopping after this step (Ctrl-C again to abort now)", flush=True)

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


def make_accelerator(config: TrainConfig) -> Accelerator:
    """CPU float32 here; bf16 on CUDA when mixed_precision is "auto"."""
    precision = config.mixed_precision
    if precision == "auto":
        precision = "bf16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "no"
    return Accelerator(mixed_precision=precision, gradient_accumulation_steps=config.grad_accumulation)


def train_phase(
    model: torch.nn.Module, batches: Sequence[PackedBatch], loss_fn: LossFn, config: TrainConfig,
    phase_dir: Path, phase: str, logger: StepLogger, seed: int = 0, show_progress: bool = True,
) -> PhaseResult:
    """Train `model` in place for config.steps optimizer steps, resuming from phase_dir's newest checkpoint."""
    if not batches:
        raise TrainingError(f"phase {phase}: no training examples")
    phase_dir.mkdir(parents=True, exist_ok=True)
    accelerator = make_accelerator(config)
    optimizer = make_optimizer(model, config)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_multiplier(s, config))
    start_step = 0
    existing = _checkpoints(phase_dir)
    if existing:
        progress = load_checkpoint(existing[-1], model, optimizer, scheduler)
        start_step = progress["step"]
        log.info("%s: resuming from %s (step %d)", phase, existing[-1].name, start_step)
    model, optimizer = accelerator.prepare(model, optimizer)
    model.train()
    ranks, rank = accelerator.num_processes, accelerator.process_index
    accum = config.grad_accumulation
    losses: list[float] = []
    total_tokens, started = 0, time.perf_counter()
    bar = tqdm(total=config.steps, initial=start_step, desc=phase, disable=not show_progress or not accelerator.is_main_process,
               dynamic_ncols=True)
    if accelerator.is_main_process:
        logger.log_progress(phase, start_step, config.steps)
    with _StopFlag() as stop:
        for step in range(start_step, config.steps):
            step_started, step_tokens, step_loss, step_metrics = time.perf_counter(), 0, 0.0, {}
            for j in range(accum):
                position = (step * accum + j) * ranks + rank
                batch = micro_batch(batches, position, seed).to(accelerator.device)
                with accelerator.accumulate(model), accelerator.autocast():
                    loss, metrics = loss_fn(model, batch)
                    accelerator.backward(loss)
                    if accelerator.sync_gradients and config.grad_clip > 0:
                        accelerator.clip_grad_norm_(model.parameters(), config.grad_clip)
                    optimizer.step()
                    optimizer.zero_grad()
                step_tokens += batch.n_tokens
                step_loss += loss.item() / accum
                for key, value in metrics.items():
                    step_metrics[key] = step_metrics.get(key, 0.0) + value / accum
            lr = scheduler.get_last_lr()[0]
            scheduler.step()
            seconds = time.perf_counter() - step_started
            total_tokens += step_tokens
            losses.append(step_loss)
            done = step + 1
            if accelerator.is_main_process and (done % config.log_every == 0 or done == config.steps):
                logger.log_step(phase, done, {"loss": step_loss, "lr": lr, "tokens": step_tokens,
                                              "tokens_per_s": step_tokens / max(seconds, 1e-9), **step_metrics})
            bar.set_postfix(loss=f"{step_loss:.4f}", tok_s=f"{step_tokens / max(seconds, 1e-9):.0f}")
            bar.update(1)
            if accelerator.is_main_process:
                logger.log_progress(phase, done, config.steps)  # the app's progress bar reads this
            checkpoint_due = done % config.checkpoint_every == 0 and done < config.steps
            if accelerator.is_main_process and (checkpoint_due or stop.requested):
                path = save_checkpoint(phase_dir, done, accelerator.unwrap_model(model), optimizer, scheduler,
                                       {"data_position": done * accum * ranks, "phase": phase},
                                       config.keep_checkpoints)
                logger.log_checkpoint(phase, done, path)
            if stop.requested:
                bar.close()
                raise StopRequested(f"stopped at step {done} of {phase}; resume with --resume")
    bar.close()
    elapsed = time.perf_counter() - started
    head = losses[: max(1, len(losses) // 10)]
    tail = losses[-max(1, len(losses) // 10):]
    return PhaseResult(
        steps=config.steps, first_loss=sum(head) / len(head) if head else float("nan"),
        last_loss=sum(tail) / len(tail) if tail else float("nan"), tokens=total_tokens, seconds=elapsed,
        tokens_per_second=total_tokens / max(elapsed, 1e-9),
    )
