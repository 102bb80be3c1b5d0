"""A thin, typed wrapper over llama-cpp-python's low-level C API: one model, one context, one batch.

The high-level `llama_cpp.Llama` decodes one sequence at a time; sampling N solutions needs many
sequences in one `llama_decode` call (one token per sequence per step, each with its own seq_id and
position), which only the batch API offers. This module owns the ctypes details (buffers, NULL checks,
freeing) so `tutor.models.llama` reads as plain Python.
"""

from __future__ import annotations

import ctypes
import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path

import llama_cpp
import numpy as np

from tutor.errors import ModelLoadError

_backend_ready = False


def quiet_llama_cpp() -> None:
    """llama-cpp-python routes llama.cpp's log through this logger; left at NOTSET it prints every load
    line to stderr. Silence it unless someone configured the logger on purpose: llama.cpp logs some
    harmless load notes at its level-less "none" level (which maps to CRITICAL), and every load failure
    is explained by `_explain_load_failure` as a ModelLoadError anyway."""
    llama_logger = logging.getLogger("llama-cpp-python")
    if llama_logger.level == logging.NOTSET:
        llama_logger.setLevel(logging.CRITICAL + 1)


quiet_llama_cpp()


def _init_backend() -> None:
    global _backend_ready
    if not _backend_ready:
        llama_cpp.llama_backend_init()
        _backend_ready = True


def _check_file(path: Path) -> None:
    if not path.is_file():
        raise ModelLoadError(f"model not found: {path}")
    with path.open("rb") as handle:
        if handle.read(4) != b"GGUF":
            raise ModelLoadError(f"{path} is not a GGUF file (wrong magic bytes)")


def _explain_load_failure(path: Path) -> str:
    """Why llama.cpp refused a file: parse it with the `gguf` reader for a message a user can act on."""
    try:
        import gguf

        reader = gguf.GGUFReader(str(path))
        field = reader.get_field("general.architecture")
        arch = bytes(field.parts[field.data[0]]).decode() if field else "unknown"
    except Exception as exc:  # any parse failure means the file itself is damaged
        return f"{path} is corrupt or truncated ({type(exc).__name__}: {exc})"
    return f"llama.cpp could not load {path} (architecture {arch!r}: unsupported by this llama.cpp build, or damaged)"


@dataclass(frozen=True)
class ContextShape:
    """How one llama.cpp context is sized."""

    n_parallel: int  # sequences decoded together, each with its own KV cache stream
    ctx_per_sequence: int  # tokens of KV cache per sequence (prompt + generated)
    n_batch: int  # most tokens in one llama_decode call
    n_threads: int
    cpu_repack: bool = False  # llama.cpp's repacked CPU weight layouts ("extra buffer types")
    f32_attention: bool = False  # flash attention off (its CPU kernel rounds Q to f16); used with kv_cache="f32"
    kv_cache: str = "f16"  # KV cache element type: "f16", "bf16" or "f32"
    kv_unified: bool = False  # one KV buffer whose cells sequences share (scoring), else a stream each
    n_cells: int = 0  # KV cells in all; 0 = n_parallel * ctx_per_sequence


KV_CACHE_TYPES = {"f16": llama_cpp.GGML_TYPE_F16, "bf16": 30, "f32": llama_cpp.GGML_TYPE_F32}  # 30: GGML_TYPE_BF16


def cpu_has_native_bf16() -> bool:
    """Whether this llama.cpp build runs bf16 dot products in hardware (x86 AVX512-BF16)."""
    return "AVX512_BF16 = 1" in llama_cpp.llama_print_system_info().decode(errors="replace")


class LlamaRuntime:
    """A loaded GGUF model with a non-unified KV cache for `n_parallel` independent sequences.

    `weights_of` gives this context the model (weights) of another runtime instead of loading the file
    again: a second context shaped for another job (scoring) at no extra weight memory. The owner must be
    closed after its sharers (LlamaCppModel.close does).
    """

    def __init__(self, path: Path, shape: ContextShape, gpu_layers: int, weights_of: LlamaRuntime | None = None):
        _init_backend()
        self._owner = weights_of
        if weights_of is not None:
            self.model = weights_of.model
        else:
            _check_file(path)
            model_params = llama_cpp.llama_model_default_params()
            model_params.n_gpu_layers = gpu_layers
            # Off by default: on CPUs with AMX the extra buffer types put Q8_0/k-quant matmuls on llama.cpp's
            # AMX kernel, whose tile config this llama-cpp-python 0.3.36 build never fully writes, so
            # ldtilecfg segfaults (llama.cpp issue #20824, fix proposed in PR #26954) whatever the model's size.
            model_params.use_extra_bufts = shape.cpu_repack
            self.model = llama_cpp.llama_model_load_from_file(str(path).encode(), model_params)
            if not self.model:
                raise ModelLoadError(_explain_load_failure(path))
        self.vocab = llama_cpp.llama_model_get_vocab(self.model)
        self.n_vocab = llama_cpp.llama_vocab_n_tokens(self.vocab)
        self.n_ctx_train = llama_cpp.llama_model_n_ctx_train(self.model)
        if 0 < self.n_ctx_train < shape.ctx_per_sequence:  # positions past training length are garbage
            shape = dataclasses.replace(shape, ctx_per_sequence=self.n_ctx_train)
        self.shape = shape
        ctx_params = llama_cpp.llama_context_default_params()
        ctx_params.n_seq_max = shape.n_parallel
        ctx_params.n_ctx = shape.n_cells or shape.n_parallel * shape.ctx_per_sequence
        ctx_params.n_batch = ctx_params.n_ubatch = shape.n_batch
        ctx_params.n_threads = ctx_params.n_threads_batch = shape.n_threads
        # Sampling: one KV stream per sequence, because with a unified cache every step attends over all
        # sequences' cells and throughput falls as the batch grows. Scoring: unified, because there a cell
        # of a shared prefix can belong to many sequences at no copy, and sequences of any lengths share
        # one ubatch (separate streams split a batch into equal-length pieces).
        ctx_params.kv_unified = shape.kv_unified
        ctx_params.no_perf = True
        ctx_params.type_k = ctx_params.type_v = KV_CACHE_TYPES[shape.kv_cache]
        if shape.f32_attention:
            ctx_params.flash_attn_type = llama_cpp.LLAMA_FLASH_ATTN_TYPE_DISABLED
        self.ctx = llama_cpp.llama_init_from_model(self.model, ctx_params)
        if not self.ctx:
            if weights_of is None:
                llama_cpp.llama_model_free(self.model)
            raise ModelLoadError(f"llama.cpp could not create a context for {path} (out of memory?)")
        self.memory = llama_cpp.llama_get_memory(self.ctx)
        self.batch = llama_cpp.llama_batch_init(shape.n_batch, 0, 1)
        self.n_in_batch = 0

    def close(self) -> None:
        if getattr(self, "ctx", None):
            llama_cpp.llama_batch_free(self.batch)
            llama_cpp.llama_free(self.ctx)
            if self._owner is None:
                llama_cpp.llama_model_free(self.model)
            self.ctx = None

    def __del__(self) -> None:
        self.close()

    # ---- vocabulary ---------------------------------------------------------------------------------
    def metadata(self, key: str) -> str | None:
        size = 1 << 16
        buf = ctypes.create_string_buffer(size)
        n = llama_cpp.llama_model_meta_val_str(self.model, key.encode(), buf, size)
        if n < 0:
            return None
        if n >= size:  # long chat templates: retry with the exact size
            buf = ctypes.create_string_buffer(n + 1)
            llama_cpp.llama_model_meta_val_str(self.model, key.encode(), buf, n + 1)
        return buf.value.decode("utf-8", errors="replace")

    def tokenize(self, text: str, add_bos: bool) -> list[int]:
        """Token ids; special-token texts in `text` (chat markers) become their control tokens."""
        data = text.encode("utf-8")
        capacity = len(data) + 8
        buf = (llama_cpp.llama_token * capacity)()
        n = llama_cpp.llama_tokenize(self.vocab, data, len(data), buf, capacity, add_bos, True)
        if n < 0:
            buf = (llama_cpp.llama_token * -n)()
            n = llama_cpp.llama_tokenize(self.vocab, data, len(data), buf, -n, add_bos, True)
        return list(buf[:n])

    def piece(self, token: int, special: bool = False) -> bytes:
        """The bytes a token stands for (control tokens render empty unless `special`)."""
        buf = ctypes.create_string_buffer(64)
        n = llama_cpp.llama_token_to_piece(self.vocab, token, buf, 64, 0, special)
        if n < 0:
            buf = ctypes.create_string_buffer(-n)
            n = llama_cpp.llama_token_to_piece(self.vocab, token, buf, -n, 0, special)
        return buf.raw[:n]

    def token_text(self, token: int | None) -> str:
        return "" if token is None or token < 0 else self.piece(token, special=True).decode("utf-8", "replace")

    def is_eog(self, token: int) -> bool:
        return bool(llama_cpp.llama_vocab_is_eog(self.vocab, token))

    @property
    def bos(self) -> int | None:
        token = llama_cpp.llama_vocab_bos(self.vocab)
        return token if token >= 0 else None

    @property
    def eos(self) -> int | None:
        token = llama_cpp.llama_vocab_eos(self.vocab)
        return token if token >= 0 else None

    @property
    def adds_bos(self) -> bool:
        return bool(llama_cpp.llama_vocab_get_add_bos(self.vocab))

    # ---- decoding -------------------------------------------------------------------------------------
    def forget(self, seq: int) -> None:
        """Drop a sequence's KV cache so its slot can start a new sequence at position 0."""
        llama_cpp.llama_memory_seq_rm(self.memory, seq, -1, -1)

    def clear(self) -> None:
        """Drop every sequence's KV cache."""
        llama_cpp.llama_memory_clear(self.memory, True)

    def share_prefix(self, source: int, target: int, length: int) -> None:
        """Give `target` the KV cache of `source`'s first `length` positions (a shared prompt's prefill).

        In a unified cache the cells just gain `target` as a second owner. With one KV stream per sequence
        llama.cpp copies only whole streams (a partial range aborts), so the whole stream is copied (at the
        next decode) and the target's positions from `length` on dropped.
        """
        if self.shape.kv_unified:
            llama_cpp.llama_memory_seq_cp(self.memory, source, target, 0, length)
            return
        llama_cpp.llama_memory_seq_cp(self.memory, source, target, -1, -1)
        llama_cpp.llama_memory_seq_rm(self.memory, target, length, -1)

    def add(self, token: int, pos: int, seq: int, logits: bool) -> None:
        b, i = self.batch, self.n_in_batch
        assert i < self.shape.n_batch, "batch overflow: the caller must respect n_batch"
        b.token[i], b.pos[i], b.n_seq_id[i], b.logits[i] = token, pos, 1, logits
        b.seq_id[i][0] = seq
        self.n_in_batch += 1

    @property
    def room(self) -> int:
        return self.shape.n_batch - self.n_in_batch

    def decode(self, n_outputs: int) -> np.ndarray:
        """Run the queued batch; returns a copy of the logits of the tokens flagged for output, in order."""
        self.batch.n_tokens = self.n_in_batch
        status = llama_cpp.llama_decode(self.ctx, self.batch)
        self.n_in_batch = 0
        if status != 0:
            raise RuntimeError(f"llama_decode failed with status {status} (KV cache full?)")
        if n_outputs == 0:
            return np.empty((0, self.n_vocab), dtype=np.float32)
        pointer = llama_cpp.llama_get_logits(self.ctx)
        return np.ctypeslib.as_array(pointer, shape=(n_outputs, self.n_vocab)).copy()
