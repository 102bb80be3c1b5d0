"""The curated model catalog (`catalog.toml`, shipped in the package) and "recommended for this computer".

    from tutor.hub.catalog import load_catalog, detect_hardware, recommend
    entries = load_catalog()
    pick = recommend(entries, detect_hardware())   # Recommendation(entry, reason)

No network and no heavy imports here: the hardware probe reads /proc and `os`, and asks `nvidia-smi` (when
present) for a GPU instead of importing torch.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from pathlib import Path

from tutor.errors import ConfigError

FORMATS = ("gguf", "hf")


@dataclass(frozen=True)
class CatalogEntry:
    """One model of the catalog; every field is documented in catalog.toml's header."""

    id: str
    """Short name used by `tutor models pull ID`, `tutor solve --model ID` and the app."""
    name: str
    summary: str
    repo_id: str
    """The Hub repository ("owner/name")."""
    filename: str
    """The GGUF file in the repository ("" for an HF folder: every file the transformers backend needs)."""
    format: str
    """"gguf" (llama.cpp, CPU) or "hf" (a transformers folder, for a GPU)."""
    quantization: str
    size_bytes: int
    """Size on disk as the Hub listed it when the entry was written (the download uses the live figure)."""
    ram_gb: float
    """Memory needed to load the model and sample 16 solutions."""
    min_cores: int
    params_b: float
    math_specialised: bool
    license: str
    chat_template: bool
    math500: str
    """MATH500 accuracy the model's own card reports ("" = not reported)."""
    math: str
    """MATH (full test set) accuracy the card reports, with its setting ("" = not reported)."""
    gsm8k: str
    """GSM8K accuracy the card reports ("" = not reported)."""
    figures_note: str
    """Under which setting the card measured them (Stepwise samples chain-of-thought, with no tools)."""
    card_url: str
    trained_verifier: bool
    """Whether P(correct) was trained (SCR re-ranking helps); False = use majority vote."""
    rank: int
    """Preference among entries that fit a computer (higher = more capable)."""
    needs_gpu: bool = False

    @property
    def needs_separate_verifier(self) -> bool:
        return not self.trained_verifier

    def figures(self) -> str:
        """The reported benchmark figures in one line, for tables."""
        parts = [f"MATH500 {self.math500}" if self.math500 else "", f"MATH {self.math}" if self.math else "",
                 f"GSM8K {self.gsm8k}" if self.gsm8k else ""]
        return ", ".join(p for p in parts if p) or "not reported"


def _entry(table: dict, where: str) -> CatalogEntry:
    known = {f.name for f in fields(CatalogEntry)}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
    try:
        entry = CatalogEntry(**table)
    except TypeError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    if entry.format not in FORMATS:
        raise ConfigError(f"{where}: format must be one of {', '.join(FORMATS)}, not {entry.format!r}")
    if entry.format == "gguf" and not entry.filename.endswith(".gguf"):
        raise ConfigError(f"{where}: a gguf entry names its .gguf file")
    if "/" not in entry.repo_id:
        raise ConfigError(f"{where}: repo_id must be owner/name, not {entry.repo_id!r}")
    return entry


def parse_catalog(text: str, source: str = "catalog.toml") -> list[CatalogEntry]:
    """Entries of a catalog file's text; a malformed entry is a `ConfigError` naming it."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    entries = [_entry(table, f"{source} [[model]] #{i + 1}") for i, table in enumerate(data.get("model", []))]
    ids = [e.id for e in entries]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ConfigError(f"{source}: duplicate id(s) {', '.join(duplicates)}")
    return entries


@cache
def load_catalog() -> tuple[CatalogEntry, ...]:
    """The catalog shipped with Stepwise (package data `tutor/hub/catalog.toml`)."""
    text = resources.files("tutor.hub").joinpath("catalog.toml").read_text(encoding="utf-8")
    return tuple(parse_catalog(text))


def find_entry(model_id: str) -> CatalogEntry | None:
    """The catalog entry with this id (case-insensitive), or None."""
    wanted = model_id.strip().lower()
    return next((e for e in load_catalog() if e.id.lower() == wanted), None)


# -- "recommended for this computer" -------------------------------------------------------------------
@dataclass(frozen=True)
class Hardware:
    """What the recommendation looks at."""

    total_ram_gb: float
    available_ram_gb: float
    cores: int
    gpu: str = ""
    """The NVIDIA GPU's name ("" = none found)."""
    gpu_memory_gb: float = 0.0

    def describe(self) -> str:
        gpu = f", GPU {self.gpu} ({self.gpu_memory_gb:.0f} GB)" if self.gpu else ", no GPU"
        return f"{self.available_ram_gb:.1f} of {self.total_ram_gb:.1f} GB memory free, {self.cores} cores{gpu}"


def _meminfo(path: Path = Path("/proc/meminfo")) -> tuple[float, float]:
    """(total, available) memory in GB; from sysconf where /proc is missing (available = total then)."""
    try:
        values = {}
        for line in path.read_text().splitlines():
            key, _, rest = line.partition(":")
            values[key] = int(rest.split()[0]) * 1024
        return values["MemTotal"] / 1e9, values.get("MemAvailable", values["MemTotal"]) / 1e9
    except (OSError, KeyError, ValueError, IndexError):
        try:
            total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
        except (ValueError, OSError, AttributeError):
            total = 0.0
        return total, total


def _nvidia_gpu() -> tuple[str, float]:
    """(name, memory in GB) of the first NVIDIA GPU, asked of nvidia-smi; ("", 0) without one."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return "", 0.0
    try:
        out = subprocess.run([exe, "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=5, check=True).stdout
        name, memory = out.splitlines()[0].rsplit(",", 1)
        return name.strip(), float(memory) / 1024
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return "", 0.0


def detect_hardware() -> Hardware:
    total, available = _meminfo()
    gpu, gpu_memory = _nvidia_gpu()
    return Hardware(round(total, 1), round(available, 1), os.cpu_count() or 1, gpu, round(gpu_memory, 1))


@dataclass(frozen=True)
class Recommendation:
    entry: CatalogEntry | None
    reason: str


def fits(entry: CatalogEntry, hw: Hardware) -> bool:
    """Whether the model runs acceptably here: enough free memory (or GPU memory) and cores."""
    if entry.needs_gpu:
        return hw.gpu_memory_gb >= entry.ram_gb
    return hw.available_ram_gb >= entry.ram_gb and hw.cores >= entry.min_cores


def recommend(entries: tuple[CatalogEntry, ...] | list[CatalogEntry], hw: Hardware) -> Recommendation:
    """The most capable GGUF entry that fits in free memory and cores (HF entries only with a big GPU)."""
    candidates = [e for e in entries if fits(e, hw) and (e.format == "gguf" or hw.gpu)]
    if not candidates:
        smallest = min(entries, key=lambda e: e.ram_gb, default=None)
        if smallest is None:
            return Recommendation(None, "The catalog is empty.")
        return Recommendation(smallest, f"Only {hw.available_ram_gb:.1f} GB memory is free: close other programs "
                              f"first; {smallest.name} needs about {smallest.ram_gb:g} GB.")
    best = max(candidates, key=lambda e: e.rank)
    return Recommendation(best, f"Recommended for this computer ({hw.describe()}): {best.name} needs about "
                          f"{best.ram_gb:g} GB memory and {best.min_cores}+ cores.")
