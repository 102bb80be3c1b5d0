"""Convert a transformers Llama (or Qwen2) folder (safetensors + byte-level BPE tokenizer) into one GGUF file.

    trainer export-gguf MODEL_DIR --out model.gguf [--quant f16|f32|q8_0|q4_k_m]

Our own converter on the `gguf` package, written after studying llama.cpp's convert_hf_to_gguf.py for the
Llama architecture (Qwen2 differs only by q/k/v biases and NEOX rope, so it rides along). What it must get right (each mistake loads fine and silently gives wrong output):
- Llama's Q and K projection rows are permuted within each head: HF rotates the two halves of a head
  (rotate_half) while llama.cpp's "normal" rope rotates adjacent pairs; K uses the KV head count.
- `tokenizer.ggml.pre` names the pre-tokenizer the HF tokenizer really runs (see PRE_TOKENIZERS);
  "default" would tokenize digits and spaces differently.
- `add_bos_token` is what the HF tokenizer really does; special tokens get the CONTROL type.
- `output.weight` is written only when the embeddings are not tied.
Quantized outputs (q8_0, q4_k_m) are written as f32 first and re-encoded by llama.cpp's own quantizer
(`llama_model_quantize`), so they need the `gguf` extra (llama-cpp-python).
"""

from __future__ import annotations

import ctypes
import json
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

import gguf
import numpy as np

from tutor.errors import ModelLoadError

log = logging.getLogger(__name__)

QUANT_TYPES = ("f32", "f16", "q8_0", "q4_k_m")
_GPT2_REGEX_SPLIT = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)"
_LLAMA3_REGEX = (
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
    "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
)
_QWEN2_REGEX = _LLAMA3_REGEX.replace("\\p{N}{1,3}", "\\p{N}")


def _pre_tokenizer_kind(spec: dict | None) -> str | None:
    """A canonical description of an HF byte-level pre-tokenizer, matched against PRE_TOKENIZERS."""
    if spec is None:
        return None
    kind = spec.get("type")
    if kind == "ByteLevel":
        if spec.get("add_prefix_space"):
            return "bytelevel+prefix-space"
        return "bytelevel" if spec.get("use_regex", True) else "bytelevel-noregex"
    if kind == "Digits":
        return "digits" if spec.get("individual_digits") else "digit-runs"
    if kind == "Split":
        pattern = spec.get("pattern", {})
        regex = pattern.get("Regex") or pattern.get("String")
        name = {_LLAMA3_REGEX: "llama3-regex", _QWEN2_REGEX: "qwen2-regex", _GPT2_REGEX_SPLIT: "gpt2-regex"}
        return name.get(regex, f"split:{regex}")
    if kind == "Sequence":
        return "+".join(str(_pre_tokenizer_kind(p)) for p in spec.get("pretokenizers", []))
    return f"unknown:{kind}"


# HF pre-tokenizer -> llama.cpp pre-tokenizer whose regex sequence splits text identically.
PRE_TOKENIZERS = {
    "bytelevel": "gpt-2",  # GPT-2's regex inside ByteLevel
    # Digits one per piece, then GPT-2's regex: llama.cpp runs the regexes "\p{N}" then GPT-2's for
    # "smollm" (a Llama-architecture family; "refact" and "starcoder" share the same split).
    "digits+bytelevel": "smollm",
    "llama3-regex+bytelevel-noregex": "llama-bpe",
    "qwen2-regex+bytelevel-noregex": "qwen2",
}


@dataclass(frozen=True)
class ArchSpec:
    """How one HF architecture maps onto a llama.cpp architecture."""

    hf_class: str
    gguf_arch: gguf.MODEL_ARCH
    permute_qk: bool  # llama.cpp's "normal" rope (Llama) pairs adjacent rows; NEOX rope (Qwen2) keeps HF's halves
    tensors_per_block: int


ARCHITECTURES = {
    "llama": ArchSpec("LlamaForCausalLM", gguf.MODEL_ARCH.LLAMA, permute_qk=True, tensors_per_block=9),
    # Qwen2 is a Llama with q/k/v biases and NEOX-style rope.
    "qwen2": ArchSpec("Qwen2ForCausalLM", gguf.MODEL_ARCH.QWEN2, permute_qk=False, tensors_per_block=12),
}


@dataclass
class LlamaHParams:
    """The hyperparameters a GGUF file needs, read from an HF config.json of a Llama-family model."""

    arch: ArchSpec
    n_layers: int
    hidden: int
    ffn: int
    n_heads: int
    n_kv_heads: int
    head_dim: int
    context: int
    rms_eps: float
    rope_theta: float
    vocab_size: int
    tied: bool

    @classmethod
    def from_config(cls, config: dict) -> LlamaHParams:
        architectures = config.get("architectures") or []
        arch = ARCHITECTURES.get(config.get("model_type"))
        if arch is None or arch.hf_class not in architectures:
            supported = ", ".join(a.hf_class for a in ARCHITECTURES.values())
            raise ModelLoadError(
                f"only {supported} models can be exported, this one is {architectures or config.get('model_type')}"
            )
        rope = config.get("rope_parameters") or config.get("rope_scaling") or {}
        rope_type = rope.get("rope_type", rope.get("type", "default"))
        if rope_type not in ("default", None):
            raise ModelLoadError(f"rope scaling {rope_type!r} is not supported by this exporter")
        if config.get("attention_bias") or config.get("mlp_bias"):
            raise ModelLoadError("Llama variants with attention or MLP biases are not supported by this exporter")
        if config.get("use_sliding_window"):
            raise ModelLoadError("sliding-window attention is not supported by this exporter")
        heads = config["num_attention_heads"]
        return cls(
            arch=arch,
            n_layers=config["num_hidden_layers"],
            hidden=config["hidden_size"],
            ffn=config["intermediate_size"],
            n_heads=heads,
            n_kv_heads=config.get("num_key_value_heads") or heads,
            head_dim=config.get("head_dim") or config["hidden_size"] // heads,
            context=config.get("max_position_embeddings", 2048),
            rms_eps=config.get("rms_norm_eps", 1e-6),
            rope_theta=config.get("rope_theta") or rope.get("rope_theta", 10000.0),
            vocab_size=config["vocab_size"],
            tied=bool(config.get("tie_word_embeddings", False)),
        )


def rope_permute(weight: np.ndarray, n_heads: int) -> np.ndarray:
    """Reorder a Q or K projection's output rows from HF's half-split rotary layout to llama.cpp's
    interleaved one: within each head, rows [0..d/2) and [d/2..d) become pairs (0, d/2), (1, d/2+1), ..."""
    rows = weight.shape[0]
    return weight.reshape(n_heads, 2, rows // n_heads // 2, *weight.shape[1:]).swapaxes(1, 2).reshape(weight.shape)


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelLoadError(f"{path} is missing") from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelLoadError(f"{path} is not valid JSON: {exc}") from exc


def _load_weights(model_dir: Path) -> dict[str, np.ndarray]:
    from safetensors import SafetensorError, safe_open

    files = sorted(model_dir.glob("*.safetensors"))
    if not files:
        raise ModelLoadError(f"{model_dir} has no .safetensors weights")
    weights = {}
    try:
        for file in files:
            with safe_open(file, framework="pt") as handle:  # "pt": numpy cannot hold bf16
                for name in handle.keys():
                    weights[name] = handle.get_tensor(name).float().numpy()
    except (SafetensorError, OSError) as exc:
        raise ModelLoadError(f"cannot read the weights in {model_dir} (corrupt or truncated file?): {exc}") from exc
    return weights


def _tensor_plan(weights: dict[str, np.ndarray], hp: LlamaHParams) -> list[tuple[str, np.ndarray]]:
    """(GGUF name, array) for every tensor, Q/K permuted where needed; raises on a missing or unexpected one."""
    names = gguf.get_tensor_name_map(hp.arch.gguf_arch, hp.n_layers)
    wanted = dict(weights)
    if hp.tied:
        wanted.pop("lm_head.weight", None)  # some savers still store the shared matrix twice
    elif "lm_head.weight" not in wanted:
        raise ModelLoadError("the config says the embeddings are not tied, but there is no lm_head.weight")
    plan = []
    for hf_name, array in wanted.items():
        if hf_name.endswith("rotary_emb.inv_freq"):
            continue  # recomputed by llama.cpp from rope_theta
        gguf_name = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        if gguf_name is None:
            raise ModelLoadError(f"unexpected tensor {hf_name!r}: not part of a plain {hp.arch.hf_class}")
        if hp.arch.permute_qk and hf_name.endswith(("self_attn.q_proj.weight", "self_attn.q_proj.bias")):
            array = rope_permute(array, hp.n_heads)
        elif hp.arch.permute_qk and hf_name.endswith(("self_attn.k_proj.weight", "self_attn.k_proj.bias")):
            array = rope_permute(array, hp.n_kv_heads)
        plan.append((gguf_name, array))
    expected = 2 + hp.arch.tensors_per_block * hp.n_layers + (0 if hp.tied else 1)  # + embeddings, norm, output
    if len(plan) != expected:
        raise ModelLoadError(
            f"expected {expected} tensors for a {hp.n_layers}-layer {hp.arch.hf_class}, found {len(plan)}"
        )
    return plan


def _write_tokenizer(writer: gguf.GGUFWriter, model_dir: Path, vocab_size: int) -> None:
    from transformers import AutoTokenizer

    spec = _read_json(model_dir / "tokenizer.json")
    model = spec.get("model", {})
    if model.get("type") != "BPE":
        raise ModelLoadError(f"only byte-level BPE tokenizers can be exported, this one is {model.get('type')}")
    if spec.get("normalizer") is not None:
        raise ModelLoadError("tokenizers with a normalizer are not supported by this exporter")
    kind = _pre_tokenizer_kind(spec.get("pre_tokenizer"))
    if kind not in PRE_TOKENIZERS:
        raise ModelLoadError(
            f"the tokenizer's pre-tokenizer ({kind}) has no llama.cpp equivalent here; supported: {sorted(PRE_TOKENIZERS)}"
        )
    tokenizer = AutoTokenizer.from_pretrained(model_dir, trust_remote_code=False)
    by_id = {i: t for t, i in tokenizer.get_vocab().items()}
    if len(by_id) > vocab_size:
        raise ModelLoadError(f"the tokenizer has {len(by_id)} tokens but the model only {vocab_size} embeddings")
    added = tokenizer.added_tokens_decoder
    tokens, types = [], []
    for i in range(vocab_size):
        if i not in by_id:  # embedding rows beyond the tokenizer (padding to a round size)
            tokens.append(f"[PAD{i}]")
            types.append(gguf.TokenType.UNUSED)
        elif i in added:
            tokens.append(added[i].content)
            types.append(gguf.TokenType.CONTROL if added[i].special else gguf.TokenType.USER_DEFINED)
        else:
            tokens.append(by_id[i])
            types.append(gguf.TokenType.NORMAL)
    merges = [m if isinstance(m, str) else " ".join(m) for m in model.get("merges", [])]
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(PRE_TOKENIZERS[kind])
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    if tokenizer.eos_token_id is None:
        raise ModelLoadError("the tokenizer has no EOS token; a generator exported without one could never stop")
    writer.add_eos_token_id(tokenizer.eos_token_id)
    if not tokenizer.chat_template:
        # A plain model's turn ends at EOS; saying so puts EOS among llama.cpp's end-of-generation tokens
        # explicitly (otherwise it only guesses EOG tokens from their text and warns).
        writer.add_eot_token_id(tokenizer.eos_token_id)
    for token_id, add in (
        (tokenizer.bos_token_id, writer.add_bos_token_id),
        (tokenizer.pad_token_id, writer.add_pad_token_id),
        (tokenizer.unk_token_id, writer.add_unk_token_id),
    ):
        if token_id is not None:
            add(token_id)
    # What the HF tokenizer really does, whatever its config files claim.
    encoded = tokenizer("x")["input_ids"]
    writer.add_add_bos_token(tokenizer.bos_token_id is not None and encoded[:1] == [tokenizer.bos_token_id])
    writer.add_add_eos_token(tokenizer.eos_token_id is not None and encoded[-1:] == [tokenizer.eos_token_id])
    template = tokenizer.chat_template
    if isinstance(template, dict):
        template = template.get("default")
    if template:
        writer.add_chat_template(template)


def write_gguf(model_dir: str | Path, out: str | Path, dtype: str = "f16") -> Path:
    """Write an unquantized GGUF (`dtype` f32 or f16 for the matrices; norms always stay f32)."""
    assert dtype in ("f32", "f16"), f"write_gguf writes f32 or f16, not {dtype!r}"
    model_dir, out = Path(model_dir), Path(out)
    hp = LlamaHParams.from_config(_read_json(model_dir / "config.json"))
    plan = _tensor_plan(_load_weights(model_dir), hp)
    writer = gguf.GGUFWriter(str(out), gguf.MODEL_ARCH_NAMES[hp.arch.gguf_arch])
    writer.add_name(model_dir.name)
    writer.add_context_length(hp.context)
    writer.add_embedding_length(hp.hidden)
    writer.add_block_count(hp.n_layers)
    writer.add_feed_forward_length(hp.ffn)
    writer.add_head_count(hp.n_heads)
    writer.add_head_count_kv(hp.n_kv_heads)
    writer.add_key_length(hp.head_dim)
    writer.add_value_length(hp.head_dim)
    writer.add_rope_dimension_count(hp.head_dim)
    writer.add_rope_freq_base(hp.rope_theta)
    writer.add_layer_norm_rms_eps(hp.rms_eps)
    writer.add_vocab_size(hp.vocab_size)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16 if dtype == "f16" else gguf.LlamaFileType.ALL_F32)
    _write_tokenizer(writer, model_dir, hp.vocab_size)
    for name, array in plan:
        # 1-D tensors (norms) stay f32 as llama.cpp expects; matrices take the requested type.
        writer.add_tensor(name, array.astype(np.float16 if dtype == "f16" and array.ndim > 1 else np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out


def quantize(source: Path, out: Path, quant: str, n_threads: int = 0) -> Path:
    """Re-encode an f32/f16 GGUF with llama.cpp's quantizer (q8_0 or q4_k_m)."""
    try:
        import llama_cpp
    except ImportError as exc:
        raise ModelLoadError(f"--quant {quant} needs llama-cpp-python: pip install 'stepwise-tutor[gguf]'") from exc
    from tutor.models.llama_runtime import quiet_llama_cpp

    quiet_llama_cpp()
    ftypes = {"q8_0": llama_cpp.LLAMA_FTYPE_MOSTLY_Q8_0, "q4_k_m": llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_K_M}
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = ftypes[quant]
    params.nthread = n_threads
    status = llama_cpp.llama_model_quantize(str(source).encode(), str(out).encode(), ctypes.byref(params))
    if status != 0:
        raise ModelLoadError(f"llama.cpp could not quantize {source} to {quant} (status {status})")
    return out


def export_gguf(model_dir: str | Path, out: str | Path, quant: str = "f16") -> Path:
    """Export `model_dir` to `out` as f32, f16, q8_0 or q4_k_m; returns the path written."""
    if quant not in QUANT_TYPES:
        raise ModelLoadError(f"unknown quantization {quant!r}; choose one of {', '.join(QUANT_TYPES)}")
    model_dir, out = Path(model_dir), Path(out)
    if not model_dir.is_dir():
        raise ModelLoadError(f"{model_dir} is not a model folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    if quant in ("f32", "f16"):
        return write_gguf(model_dir, out, quant)
    with tempfile.TemporaryDirectory(dir=out.parent) as scratch:
        full = write_gguf(model_dir, Path(scratch) / "f32.gguf", "f32")
        return quantize(full, out, quant)
