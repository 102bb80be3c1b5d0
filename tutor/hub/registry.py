"""Downloaded models on this computer: where they live, which are complete, and what a `--model ID` means.

Layout, all inside the user data folder (`paths.data_dir()`, e.g. ~/.local/share/stepwise/models/):

    models/<id>/<file>.gguf               a verified model file (or the files of an HF folder)
    models/<id>/stepwise-model.json       the manifest, written last: repo, commit, files with sha256/size,
                                          source endpoint, date, catalog id, trained_verifier
    models/.downloads/<id>/               a download in progress: <file>.incomplete plus state.json

A folder counts as a model only once its manifest exists and every file in it has the recorded size, so a
partial, failed or corrupt download is never listed or offered. Nothing here touches the network or imports
huggingface_hub, so listing works offline (HF_HUB_OFFLINE=1) and `tutor.models.loader` can call
`resolve_model_reference` cheaply.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tutor import paths
from tutor.errors import ModelLoadError

MANIFEST = "stepwise-model.json"
DOWNLOADS = ".downloads"
_SAFE_ID = re.compile(r"[^a-z0-9._-]+")


def models_dir() -> Path:
    """Where downloaded models live (created on first use)."""
    path = paths.data_dir() / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def downloads_dir(model_id: str) -> Path:
    """Where the unfinished files of one model's download are kept between attempts (and app restarts)."""
    return models_dir() / DOWNLOADS / model_id


def local_id(repo_id: str, filename: str = "") -> str:
    """The id a repository (and file) from "Add from the Hub" is stored under: lower-case, path-safe."""
    stem = repo_id.replace("/", "--")
    if filename:
        stem += "--" + Path(filename).stem
    return _SAFE_ID.sub("-", stem.lower()).strip("-.")


@dataclass
class ModelFile:
    name: str
    size: int
    sha256: str = ""
    """The Hub's LFS sha256 (its ETag), checked before the file was kept."""
    git_sha1: str = ""
    """For small files kept in git: the git blob id (the Hub's ETag), checked instead."""


@dataclass
class InstalledModel:
    """A complete, verified download (the manifest, plus where it is)."""

    id: str
    repo_id: str
    revision: str
    """The commit the files were taken from."""
    format: str
    files: list[ModelFile]
    source: str
    """The Hub endpoint they came from."""
    downloaded_at: str
    catalog_id: str = ""
    trained_verifier: bool = False
    name: str = ""
    folder: Path = field(default=Path(), compare=False)

    @property
    def size_bytes(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def path(self) -> Path:
        """What `tutor.models.load` takes: the GGUF file, or the HF folder."""
        ggufs = [f for f in self.files if f.name.endswith(".gguf")]
        return self.folder / ggufs[0].name if self.format == "gguf" and ggufs else self.folder

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("folder")
        return data


def _read_manifest(folder: Path) -> InstalledModel | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        data["files"] = [ModelFile(**f) for f in data["files"]]
        model = InstalledModel(**data, folder=folder)
    except (OSError, ValueError, TypeError, KeyError):
        return None
    for f in model.files:  # a file removed or truncated behind our back makes the model unusable
        try:
            if (folder / f.name).stat().st_size != f.size:
                return None
        except OSError:
            return None
    return model


def write_manifest(model: InstalledModel) -> None:
    """Write the manifest atomically: the model appears in listings only once this succeeds."""
    tmp = model.folder / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(model.to_json(), indent=2), encoding="utf-8")
    os.replace(tmp, model.folder / MANIFEST)


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def list_installed() -> list[InstalledModel]:
    """Every complete download, newest first."""
    root = models_dir()
    found = [m for d in sorted(root.iterdir()) if d.is_dir() and d.name != DOWNLOADS
             and (m := _read_manifest(d)) is not None]
    return sorted(found, key=lambda m: m.downloaded_at, reverse=True)


def find_installed(reference: str) -> InstalledModel | None:
    """A download by its id, catalog id or repo id (case-insensitive); None when there is none."""
    wanted = reference.strip().lower()
    for model in list_installed():
        if wanted in {model.id.lower(), model.catalog_id.lower(), model.repo_id.lower()}:
            return model
    return None


def partial_bytes(model_id: str) -> int:
    """Bytes already on disk for an unfinished download of `model_id` (0 when none)."""
    folder = downloads_dir(model_id)
    if not folder.is_dir():
        return 0
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file() and p.name != "state.json")


def remove(reference: str) -> list[Path]:
    """Delete a downloaded model (and any unfinished download of it); returns the folders removed."""
    model = find_installed(reference)
    model_id = model.id if model is not None else reference.strip()
    removed = []
    for folder in ((model.folder,) if model else ()) + (downloads_dir(model_id),):
        if folder.is_dir():
            shutil.rmtree(folder)
            removed.append(folder)
    if not removed:
        raise ModelLoadError(f"no downloaded model called {reference!r}; `tutor models list` shows them")
    return removed


def _looks_like_reference(text: str) -> bool:
    """A bare id ("qwen2.5-math-1.5b") or a repo id ("owner/name"), not a path someone typed."""
    return (bool(text) and not text.startswith((".", "/", "~")) and text.count("/") <= 1 and "\\" not in text
            and not text.lower().endswith(".gguf"))


def resolve_model_reference(reference: str | Path | None) -> str | Path | None:
    """What `--model` means: an existing path stays as it is; a downloaded model's id, catalog id or repo
    id becomes its file (GGUF) or folder (HF); a catalog id not yet downloaded is a `ModelLoadError` that
    says how to get it. Anything else is returned unchanged (the loader then reports it missing)."""
    if reference is None or isinstance(reference, Path) or Path(reference).expanduser().exists():
        return reference
    text = str(reference).strip()
    if not _looks_like_reference(text):
        return reference
    installed = find_installed(text)
    if installed is not None:
        return installed.path
    from tutor.hub.catalog import find_entry

    entry = find_entry(text)
    if entry is not None:
        raise ModelLoadError(f"{entry.id} ({entry.name}) is not downloaded yet: run `tutor models pull {entry.id}` "
                             "or use Download on the app's Models tab")
    return reference


def has_trained_verifier(model_path: str | Path | None) -> bool | None:
    """Whether the model at `model_path` has a trained verifier: True/False for a download from the
    catalog or the Hub (from its manifest), None when we cannot tell (a local file or folder: the bundled
    model and the trainer's exports carry their own verifier, see `tutor.models.loader`)."""
    if model_path is None:
        return None
    path = Path(model_path).expanduser()
    folder = path.parent if path.is_file() else path
    model = _read_manifest(folder)
    return None if model is None else model.trained_verifier
