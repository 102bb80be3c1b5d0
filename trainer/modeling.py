"""Where a run's model comes from and how it is saved: a fresh LlamaForCausalLM built from `ModelConfig`,
a local Hugging Face folder, or a GGUF file (transformers dequantizes it); optional LoRA adapters (peft),
merged back into the weights at the end of every phase, so each phase hands the next a plain model.
"""

from __future__ import annotations

import logging
from pathlib import Path

import torch
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    LlamaConfig,
    LlamaForCausalLM,
    PreTrainedTokenizerFast,
)

from trainer.config import ModelConfig
from tutor.errors import ModelLoadError

log = logging.getLogger(__name__)


def load_tokenizer(path: str | Path) -> PreTrainedTokenizerFast:
    """A tokenizer folder (or a model folder holding one)."""
    try:
        return AutoTokenizer.from_pretrained(str(path), trust_remote_code=False)
    except Exception as exc:  # tokenizers raises its own exception types
        raise ModelLoadError(f"cannot load a tokenizer from {path}: {exc}") from exc


def scratch_model(config: ModelConfig, tokenizer) -> LlamaForCausalLM:
    """A randomly initialised Llama of the configured shape with the tokenizer's vocabulary."""
    assert config.hidden_size % config.num_heads == 0, "hidden_size must be a multiple of num_heads"
    llama = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=config.hidden_size,
        intermediate_size=config.intermediate_size,
        num_hidden_layers=config.num_layers,
        num_attention_heads=config.num_heads,
        num_key_value_heads=config.num_kv_heads,
        max_position_embeddings=config.max_position_embeddings,
        rope_theta=config.rope_theta,
        tie_word_embeddings=config.tie_embeddings,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    return LlamaForCausalLM(llama)


def pretrained_model(source: str) -> tuple[torch.nn.Module, PreTrainedTokenizerFast]:
    """A local HF causal-LM folder, or a .gguf file (dequantized to float32 by transformers)."""
    path = Path(source).expanduser()
    if not path.exists():
        raise ModelLoadError(f"model source not found: {path}")
    try:
        if path.suffix.lower() == ".gguf":
            kwargs = {"gguf_file": path.name, "trust_remote_code": False}
            tokenizer = AutoTokenizer.from_pretrained(str(path.parent), **kwargs)
            model = AutoModelForCausalLM.from_pretrained(str(path.parent), dtype=torch.float32, **kwargs)
        else:
            tokenizer = load_tokenizer(path)
            model = AutoModelForCausalLM.from_pretrained(str(path), dtype=torch.float32, trust_remote_code=False,
                                                         use_safetensors=True)
    except ModelLoadError:
        raise
    except Exception as exc:
        raise ModelLoadError(f"cannot load a causal LM from {path}: {exc}") from exc
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer


def with_lora(model: torch.nn.Module, config: ModelConfig) -> torch.nn.Module:
    """Wrap in LoRA adapters when config.lora (only the adapters train); otherwise the model itself."""
    if not config.lora:
        return model
    from peft import LoraConfig, get_peft_model

    lora = LoraConfig(r=config.lora_r, lora_alpha=config.lora_alpha, lora_dropout=config.lora_dropout,
                      target_modules=list(config.lora_target_modules), task_type="CAUSAL_LM")
    return get_peft_model(model, lora)


def merged(model: torch.nn.Module) -> torch.nn.Module:
    """Fold LoRA adapters into the base weights (no-op for a plain model)."""
    return model.merge_and_unload() if hasattr(model, "merge_and_unload") else model


def save_model(model: torch.nn.Module, tokenizer, out_dir: Path) -> Path:
    """config.json + model.safetensors + tokenizer files, loadable by `tutor.models.load`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    model = merged(model)
    model.save_pretrained(str(out_dir), safe_serialization=True)
    tokenizer.save_pretrained(str(out_dir))
    return out_dir


def load_saved(path: Path) -> torch.nn.Module:
    """A model folder written by save_model, in float32 for training."""
    return AutoModelForCausalLM.from_pretrained(str(path), dtype=torch.float32, use_safetensors=True,
                                                trust_remote_code=False)


def n_parameters(model: torch.nn.Module) -> int:
    """Distinct parameters (tied embeddings counted once)."""
    return sum(p.numel() for p in {id(p): p for p in model.parameters()}.values())
