"""Recipes: TOML files loaded into documented dataclasses; an unknown key is a `ConfigError` naming it.

A recipe has one table per part of the pipeline (`[model]`, `[data]`, `[ssft]`, `[candidates]`,
`[evaluator]`, `[multitask]`, `[eval]`, `[export]`). Each phase's config dataclass lives beside its phase
(`trainer/ssft.py`, ...) and derives from `TrainConfig`, the knobs of the shared training loop.
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.errors import ConfigError
from tutor.solve.config import Validated

RECIPES_DIR = Path(__file__).resolve().parent / "recipes"


@dataclass
class TrainConfig:
    """Knobs of the shared training loop (`trainer.engine`); every phase config extends these."""

    steps: int = 200
    """Optimizer steps (after gradient accumulation) for this phase."""
    learning_rate: float = 1e-3
    """Peak AdamW learning rate, reached after the warmup."""
    min_lr_ratio: float = 0.1
    """The cosine schedule decays to learning_rate * min_lr_ratio at the last step."""
    warmup_steps: int = 20
    """Linear warmup from 0 to learning_rate."""
    weight_decay: float = 0.01
    """AdamW weight decay (applied to matrices only, not to norms or biases)."""
    betas: tuple[float, float] = (0.9, 0.98)
    """AdamW betas."""
    grad_clip: float = 1.0
    """Clip the global gradient norm to this value (0 disables)."""
    tokens_per_batch: int = 4096
    """Token budget of one micro-batch: packed rows of max_seq_len tokens, as many as fit."""
    max_seq_len: int = 512
    """Length of one packed row; a longer example is truncated (its prompt is kept)."""
    grad_accumulation: int = 1
    """Micro-batches per optimizer step (accelerate's gradient accumulation)."""
    mixed_precision: str = "auto"
    """"no", "bf16" or "auto" (bf16 on CUDA, float32 on CPU)."""
    checkpoint_every: int = 50
    """Save a resumable checkpoint (weights, optimizer, scheduler, RNG, data position) every K steps."""
    keep_checkpoints: int = 2
    """How many of the newest checkpoints to keep on disk."""
    log_every: int = 1
    """Write a step metric to the store every this many steps."""


@dataclass
class ModelConfig:
    """Where the model comes from and, for a model trained from scratch, its shape (a LlamaForCausalLM)."""

    source: str = "scratch"
    """"scratch" (random init from the fields below), a local HF causal-LM folder, or a .gguf file."""
    hidden_size: int = 192
    """Width of the residual stream."""
    intermediate_size: int = 512
    """Width of the SwiGLU MLP."""
    num_layers: int = 4
    """Transformer blocks."""
    num_heads: int = 4
    """Attention heads."""
    num_kv_heads: int = 4
    """Key/value heads (fewer than num_heads = grouped-query attention)."""
    max_position_embeddings: int = 1024
    """Longest sequence the model is built for (RoPE)."""
    tie_embeddings: bool = True
    """Share the input embedding and the output head (halves the size of a small model)."""
    rope_theta: float = 10000.0
    """RoPE base."""
    lora: bool = False
    """Fine-tune LoRA adapters instead of all weights (peft); merged into the weights on export."""
    lora_r: int = 16
    """LoRA rank."""
    lora_alpha: int = 32
    """LoRA scaling numerator."""
    lora_dropout: float = 0.0
    """LoRA dropout."""
    lora_target_modules: list[str] = field(
        default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    )
    """Module names that get adapters."""


@dataclass
class DataConfig:
    """The problems: synthetic ones from `trainer.data` (default) or a MATH-format JSONL file."""

    train_problems: int = 20000
    """Synthetic training problems to generate."""
    test_problems: int = 1000
    """Held-out synthetic test problems (disjoint from training by problem text)."""
    seed: int = 1234
    """Seed of the synthetic generator."""
    train_file: str = ""
    """Optional MATH-format JSONL used instead of synthetic training problems."""
    test_file: str = ""
    """Optional MATH-format JSONL used instead of synthetic test problems (e.g. MATH500)."""
    vocab_size: int = 512
    """Vocabulary size of the tokenizer trained on the training problems (scratch models only)."""
    candidate_problems: int = 0
    """Training problems held out of phase 1 for phase 2's candidates: the last this many of the training
    set (synthetic data generates them on top of train_problems). 0 = sample candidates on phase 1's own
    problems, as the paper does. The phase-1 model has seen the reference solution of each of those, and a
    verifier trained on its samples there learns to recognise a memorised answer rather than to check a
    solution: on the default recipe, a correct sample outscored an incorrect one of the same test problem
    50% of the time after training on SSFT problems' candidates, 56% after as many held-out ones."""
    wordings: dict[str, float] = field(default_factory=dict)
    """Mix of the synthetic problems' wordings, e.g. {latex = 0.4, plain = 0.25, casual = 0.2, word = 0.15}
    (trainer.data.synth.wording); empty = the generator's default mix, {latex = 1} = formal LaTeX only."""
    gsm8k_train_file: str = ""
    """GSM8K train JSONL to mix in (e.g. "../shared/data/gsm8k_train.jsonl"); its calculator notes become
    explicit equalities and each solution ends in \\boxed{} (trainer.data.real)."""
    gsm8k_problems: int = 0
    """How many GSM8K train problems to add to the training set (a seeded sample; 0 = none)."""
    math_train_file: str = ""
    """MATH train JSONL (MATH500 schema) to mix in, e.g. "../shared/data/math_train_12k.jsonl" (no MATH500
    problem is in it)."""
    math_problems: int = 0
    """How many MATH train problems to add (a seeded sample of those short enough; 0 = none)."""
    max_solution_chars: int = 800
    """MATH solutions longer than this are skipped: a 512-token row must hold the prompt and the solution
    (800 characters keep 9,761 of the 12,000, of which 91% fit 512 tokens of the bundled tokenizer)."""


EXPORT_DTYPES = ("float32", "bfloat16")


@dataclass
class ExportConfig(Validated):
    """What `trainer run` writes at the end."""

    output_dir: str = ""
    """Folder for the final model (config.json, safetensors, tokenizer, calibration, card); empty = the run dir."""
    gguf: bool = True
    """Also write model.gguf (needs trainer/export_gguf.py)."""
    gguf_type: str = "q8_0"
    """GGUF tensor type: "f32", "f16" or "q8_0"."""
    dtype: str = "float32"
    """The weights' type on disk, one of EXPORT_DTYPES ("bfloat16" halves the folder; the tutor computes in
    float32)."""
    shard_mib: float = 0
    """Largest weight file in MiB (0 = one model.safetensors): files that come back whole from a lent device
    and fit a repository's file-size limit."""

    def config_errors(self) -> list[str]:  # checked when the recipe is read, not after the training
        problems = super().config_errors()
        if self.dtype not in EXPORT_DTYPES:
            problems.append(f"dtype must be one of {', '.join(EXPORT_DTYPES)} (got {self.dtype!r})")
        if self.shard_mib < 0:
            problems.append(f"shard_mib must be 0 (one file) or positive (got {self.shard_mib})")
        return problems


def _field_types(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _check_value(value: Any, expected: Any, key: str) -> Any:
    """Convert a TOML value to the annotated type, or raise a ConfigError naming the key."""
    origin = typing.get_origin(expected)
    if dataclasses.is_dataclass(expected):
        if not isinstance(value, dict):
            raise ConfigError(f"recipe key '{key}' must be a table")
        return from_dict(expected, value, key)
    if origin is dict and not isinstance(value, dict):
        raise ConfigError(f"recipe key '{key}' must be a table, got {value!r}")
    if origin in (list, tuple):
        if not isinstance(value, list | tuple):
            raise ConfigError(f"recipe key '{key}' must be a list, got {value!r}")
        return tuple(value) if origin is tuple else list(value)
    if origin in (typing.Union, types.UnionType):
        return value
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if expected in (int, float, str, bool) and (type(value) is not expected):
        raise ConfigError(f"recipe key '{key}' must be {expected.__name__}, got {value!r}")
    return value


def from_dict(cls: type, data: dict[str, Any], prefix: str = "") -> Any:
    """Build dataclass `cls` from a (nested) dict; unknown keys and wrong types raise ConfigError."""
    types_by_name = _field_types(cls)
    values = {}
    for key, value in data.items():
        dotted = f"{prefix}.{key}" if prefix else key
        if key not in types_by_name:
            known = ", ".join(sorted(types_by_name))
            raise ConfigError(f"unknown recipe key '{dotted}' (known keys here: {known})")
        values[key] = _check_value(value, types_by_name[key], dotted)
    try:
        return cls(**values)
    except ConfigError as exc:  # a config's own validation: say which table of the recipe it is about
        raise ConfigError(f"[{prefix}] {exc}" if prefix else str(exc)) from exc


def to_dict(config: Any) -> dict[str, Any]:
    """A JSON-ready dict of a config dataclass (stored with the run)."""
    return dataclasses.asdict(config)


def load_toml(cls: type, path: str | Path) -> Any:
    """Read a TOML recipe into `cls`; a missing file or bad TOML is a ConfigError."""
    path = Path(path)
    if not path.exists() and (RECIPES_DIR / path).exists():
        path = RECIPES_DIR / path
    if not path.exists() and (RECIPES_DIR / f"{path}.toml").exists():
        path = RECIPES_DIR / f"{path}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"recipe not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"recipe {path} is not valid TOML: {exc}") from exc
    return from_dict(cls, data)
