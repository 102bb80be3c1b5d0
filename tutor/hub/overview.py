"""One row per model for the app's Models tab and `tutor models list`: catalog entries and downloads together.

    from tutor.hub.overview import overview
    view = overview()            # Overview(rows, recommended_id, recommendation, models_dir, hardware)

No network: it reads the catalog, the downloads in the data folder and the hardware, so it works offline.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tutor.hub import registry
from tutor.hub.catalog import CatalogEntry, Hardware, detect_hardware, load_catalog, recommend


@dataclass(frozen=True)
class ModelRow:
    """A catalog entry (downloaded or not), or a model added from the Hub."""

    id: str
    entry: CatalogEntry | None
    installed: registry.InstalledModel | None
    partial_bytes: int = 0
    recommended: bool = False

    @property
    def name(self) -> str:
        if self.entry is not None:
            return self.entry.name
        return self.installed.name or self.installed.repo_id if self.installed else self.id

    @property
    def size_bytes(self) -> int:
        return self.installed.size_bytes if self.installed else (self.entry.size_bytes if self.entry else 0)

    @property
    def repo_id(self) -> str:
        return self.entry.repo_id if self.entry else (self.installed.repo_id if self.installed else "")

    @property
    def figures(self) -> str:
        return self.entry.figures() if self.entry else "—"

    @property
    def status(self) -> str:
        if self.installed is not None:
            return "downloaded"
        if self.partial_bytes:
            return "partly downloaded"
        return "not downloaded"

    @property
    def path(self) -> Path | None:
        return self.installed.path if self.installed else None


@dataclass(frozen=True)
class Overview:
    rows: list[ModelRow]
    recommended_id: str | None
    recommendation: str
    models_dir: Path
    hardware: Hardware


def overview(hw: Hardware | None = None) -> Overview:
    hw = hw or detect_hardware()
    catalog = load_catalog()
    pick = recommend(catalog, hw)
    installed = {m.catalog_id or m.id: m for m in registry.list_installed()}
    rows = [ModelRow(e.id, e, installed.pop(e.id, None), registry.partial_bytes(e.id),
                     pick.entry is not None and pick.entry.id == e.id) for e in catalog]
    rows += [ModelRow(m.id, None, m) for m in installed.values()]
    return Overview(rows, pick.entry.id if pick.entry else None, pick.reason, registry.models_dir(), hw)
