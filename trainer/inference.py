"""The tutor backend the trainer samples candidates and evaluates with.

Candidates (phase 2's data) and the evaluation are sampling and scoring, which the tutor's llama.cpp backend
does several times faster than transformers on a CPU (bench/sampling.py); an evaluation through it also runs
the very quantized file a student gets. So "auto" exports the model folder to GGUF and loads that on a CPU
with llama-cpp-python installed, and loads the folder with transformers on CUDA (bf16, batched) or when the
folder cannot be exported (an architecture the converter does not write).
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

from tutor.errors import ConfigError, ModelLoadError
from tutor.models.loader import BACKENDS

log = logging.getLogger(__name__)



def gguf_beside(model_dir: Path, gguf_type: str) -> Path:
    """Where the GGUF export of a phase's model folder is kept: next to it (inside, `tutor.models.load` would
    take the folder for a llama.cpp model)."""
    return model_dir.parent / f"{model_dir.name}-{gguf_type}.gguf"


def _exported(model_dir: Path, gguf_type: str) -> Path:
    from trainer.export_gguf import export_gguf

    out = gguf_beside(model_dir, gguf_type)
    weights = model_dir / "model.safetensors"
    if out.exists() and (not weights.exists() or out.stat().st_mtime >= weights.stat().st_mtime):
        return out
    tmp = out.with_name(out.name + ".tmp")
    export_gguf(model_dir, tmp, gguf_type)
    tmp.replace(out)
    return out


def pick_backend(backend: str) -> str:
    if backend not in BACKENDS:
        raise ConfigError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if backend != "auto":
        return backend
    import torch

    if torch.cuda.is_available() or importlib.util.find_spec("llama_cpp") is None:
        return "transformers"
    return "llama.cpp"


def load_for_inference(model_dir: Path, backend: str = "auto", gguf_type: str = "q8_0", threads: int = 0):
    """(generator, verifier) over a trained model folder, through the backend `backend` resolves to."""
    from tutor.models import load

    chosen = pick_backend(backend)
    if chosen == "llama.cpp":
        try:
            gguf = _exported(Path(model_dir), gguf_type)
        except ModelLoadError as exc:
            if backend == "llama.cpp":
                raise
            log.info("sampling %s with transformers: no GGUF export (%s)", model_dir, exc)
        else:
            return load(gguf, threads=threads)
    return load(model_dir, backend="transformers", threads=threads)
