"""Getting a capable model: the curated catalog, downloads from the Hugging Face Hub, and the models on disk.

    from tutor.hub import load_catalog, pull, list_installed, resolve_model_reference
    model = pull("qwen2.5-math-1.5b")       # resumable, verified; see tutor.hub.download
    generator, verifier = tutor.models.load(model.path)

Modules: `catalog` (the shipped catalog.toml, "recommended for this computer"), `registry` (the downloaded
models in the user data folder; no network), `remote` (every call into huggingface_hub), `download`
(`pull`), `command` (the `tutor models` subcommand). Importing this package imports no huggingface_hub.
"""

from tutor.hub.catalog import CatalogEntry, Hardware, detect_hardware, find_entry, load_catalog, recommend
from tutor.hub.registry import (
    InstalledModel,
    find_installed,
    has_trained_verifier,
    list_installed,
    models_dir,
    remove,
    resolve_model_reference,
)


def pull(*args, **kwargs):
    """`tutor.hub.download.pull` (imported on first use: it brings in huggingface_hub)."""
    from tutor.hub.download import pull as _pull

    return _pull(*args, **kwargs)


__all__ = [
    "CatalogEntry", "Hardware", "InstalledModel", "detect_hardware", "find_entry", "find_installed",
    "has_trained_verifier", "list_installed", "load_catalog", "models_dir", "pull", "recommend", "remove",
    "resolve_model_reference",
]
