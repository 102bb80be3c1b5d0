"""`load(path)`: pick the backend from what the user points at and return (Generator, Verifier).

A folder with config.json is a transformers model; a `.gguf` file (or a folder holding exactly one, and no
config.json) is a llama.cpp model; None is the bundled default in `paths.bundled_model_dir()`, run through
llama.cpp from its `model.gguf` when llama-cpp-python is installed (several times faster on a CPU) and
through transformers otherwise. A model folder with a `verifier/` subfolder (a trainer export whose samples
are scored by a separate phase-2 evaluator) gets its Verifier from there, through the same backend choice.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from tutor import paths
from tutor.errors import ConfigError, ModelLoadError
from tutor.models.base import Generator, Verifier

BACKENDS = ("auto", "transformers", "llama.cpp")
VERIFIER_DIR = "verifier"


def _llama_cpp_installed() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


def downloaded_model(path: str | Path | None) -> str | Path | None:
    """A model id from `tutor models list` (catalog or Hub download) becomes its file or folder; any path
    that exists, and None, stay as they are (`tutor.hub.registry.resolve_model_reference`)."""
    if path is None or Path(path).expanduser().exists():
        return path
    from tutor.hub.registry import resolve_model_reference

    return resolve_model_reference(path)


def resolve(path: str | Path | None, backend: str = "auto") -> tuple[Path, str]:
    """The model file or folder to open and the backend ("transformers" or "llama.cpp") to open it with."""
    path = downloaded_model(path)
    if backend not in BACKENDS:
        raise ModelLoadError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    bundled = path is None
    target = paths.bundled_model_dir() if bundled else Path(path).expanduser()
    if not target.exists():
        hint = " (the bundled model is missing: reinstall Stepwise or set $STEPWISE_MODEL)" if bundled else ""
        raise ModelLoadError(f"model not found: {target}{hint}")
    if target.is_file():
        if target.suffix.lower() != ".gguf":
            raise ModelLoadError(f"{target} is not a model: give a .gguf file or a folder with config.json")
        if backend == "transformers":
            raise ModelLoadError(f"{target} is a GGUF file; the transformers backend needs a model folder")
        return target, "llama.cpp"
    ggufs = sorted(target.glob("*.gguf"))
    has_hf = (target / "config.json").is_file()
    wants_llama = backend == "llama.cpp" or (backend == "auto" and ggufs and (not has_hf or _llama_cpp_installed()))
    if wants_llama:
        preferred = target / "model.gguf"
        if preferred.is_file():
            return preferred, "llama.cpp"
        if len(ggufs) == 1:
            return ggufs[0], "llama.cpp"
        if not ggufs:
            raise ModelLoadError(f"{target} holds no .gguf file for the llama.cpp backend")
        raise ModelLoadError(f"{target} holds several .gguf files ({', '.join(g.name for g in ggufs)}); name one")
    if not has_hf:
        raise ModelLoadError(f"{target} is not a model folder: it has neither config.json nor a .gguf file")
    return target, "transformers"


def load(
    path: str | Path | None = None, device: str = "auto", backend: str = "auto", threads: int = 0, **options
) -> tuple[Generator, Verifier]:
    """Load a model; one object serves as both Generator and Verifier (the weights load once), unless the
    model folder carries a separate verifier in `verifier/`.

    `threads` (0 = the backend's default) is the CPU thread count whichever backend the path picks:
    llama.cpp's n_threads, or torch's intra-op threads. `options` go to the backend's config dataclass
    (`HFBackendConfig` or `LlamaCppConfig`); an unknown one is a `ConfigError`. Raises `ModelLoadError`
    with a plain message for anything wrong with the files.
    """
    path = downloaded_model(path)
    target, chosen = resolve(path, backend)
    if threads < 0:
        raise ConfigError(f"threads must be >= 0 (0 = the backend's default), got {threads}")
    if threads and chosen == "llama.cpp":
        options.setdefault("n_threads", threads)
    elif threads:
        import torch

        torch.set_num_threads(threads)
    if chosen == "llama.cpp":
        if not _llama_cpp_installed():
            raise ModelLoadError(
                f"{target} needs llama-cpp-python: install the gguf extra (pip install 'stepwise-tutor[gguf]')"
            )
        from tutor.models.llama import LlamaCppModel

        model = LlamaCppModel(target, device=device, **options)
    else:
        from tutor.models.hf import HFModel

        model = HFModel(target, device=device, **options)
    folder = paths.bundled_model_dir() if path is None else Path(path).expanduser()
    if (folder / VERIFIER_DIR).is_dir():
        _, verifier = load(folder / VERIFIER_DIR, device, backend, threads, **options)
        verifier.trained = True
        return model, verifier
    model.trained = trained_verifier(target)
    return model, model


def trained_verifier(target: Path) -> bool:
    """Whether the model at `target` was fine-tuned as a verifier, so its P(correct) can re-rank: a download's
    manifest says (`tutor.hub`); a model this project's trainer exported carries a calibration.json or a
    verifier/ folder beside its weights. A general model's zero-shot P(correct) is weak: the Solver then ranks
    by votes (`SolveConfig.strategy` is used only with a trained verifier)."""
    from tutor.hub.registry import has_trained_verifier

    known = has_trained_verifier(target)
    if known is not None:
        return known
    folder = target.parent if target.is_file() else target
    return (folder / "calibration.json").is_file() or (folder / VERIFIER_DIR).is_dir()
