"""`tutor models`: list the catalog and the downloaded models, pull one with a progress bar, remove one.

    tutor models list [--json]        # catalog + downloads, the pick for this computer, where files live
    tutor models pull qwen2.5-math-1.5b
    tutor models pull owner/repo [--file X.gguf]   # any Hub repo: its GGUF file or its HF folder
    tutor models rm qwen2.5-math-1.5b

`tutor/cli.py` only parses arguments; the logic lives here (as `tutor solve`'s lives in tutor.solve.command).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from tutor.hub import registry
from tutor.hub.catalog import load_catalog
from tutor.hub.overview import overview


def listing() -> dict[str, Any]:
    """Everything `tutor models list` shows, as plain data (also its --json output)."""
    view = overview()
    catalog = []
    for row in view.rows:
        if row.entry is None:
            continue
        data = {field: getattr(row.entry, field) for field in row.entry.__dataclass_fields__}
        data.update(needs_separate_verifier=row.entry.needs_separate_verifier, status=row.status,
                    partial_bytes=row.partial_bytes, path=str(row.path) if row.path else None)
        catalog.append(data)
    downloaded = [{**m.to_json(), "path": str(m.path), "size_bytes": m.size_bytes}
                  for m in registry.list_installed()]
    return {"models_dir": str(view.models_dir), "hardware": view.hardware.describe(),
            "recommended": view.recommended_id, "recommendation": view.recommendation,
            "catalog": catalog, "downloaded": downloaded}


def cmd_list(as_json: bool = False) -> int:
    data = listing()
    if as_json:
        print(json.dumps(data, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    from tutor.hub.download import human_bytes

    console = Console()
    table = Table(title="Model catalog", title_justify="left")
    for header in ("id", "size", "memory", "licence"):
        table.add_column(header, no_wrap=True)
    table.add_column("card reports")
    table.add_column("status", no_wrap=True)
    for row, entry in zip(data["catalog"], load_catalog()):
        star = " ★" if row["id"] == data["recommended"] else ""
        status = row["status"] + (f" ({human_bytes(row['partial_bytes'])}; pull resumes)" if row["partial_bytes"]
                                  and row["status"] != "downloaded" else "")
        table.add_row(row["id"] + star, human_bytes(row["size_bytes"]), f"{row['ram_gb']:g} GB", row["license"],
                      entry.figures(), status)
    console.print(table)
    console.print(f"★ {data['recommendation']}")
    others = [m for m in data["downloaded"] if not m["catalog_id"]]
    if others:
        extra = Table(title="Added from the Hub", title_justify="left")
        for header in ("id", "repo", "size", "downloaded"):
            extra.add_column(header)
        for m in others:
            extra.add_row(m["id"], m["repo_id"], human_bytes(m["size_bytes"]), m["downloaded_at"])
        console.print(extra)
    console.print("Use one with `tutor solve --model ID` or the app's Models tab. Files live in:")
    console.print(data["models_dir"], soft_wrap=True)
    return 0


def cmd_pull(reference: str, filename: str | None = None, force: bool = False) -> int:
    import threading

    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    from tutor.hub.download import DownloadProgress, pull

    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
               TimeRemainingColumn())
    with Progress(*columns, transient=False) as bar:
        task = bar.add_task(f"{reference}", total=None)

        def show(p: DownloadProgress) -> None:
            if p.stage == "downloading":
                bar.update(task, total=p.total_bytes or None, completed=p.done_bytes,
                           description=p.file or reference)
            elif p.message:
                bar.console.print(p.message)

        try:
            model = pull(reference, report=show, cancel=threading.Event(), filename=filename, force=force)
        except KeyboardInterrupt:
            bar.console.print("Stopped; what was downloaded is kept: run the same command again to resume.")
            raise
    print(f"{model.id}: {model.path}")
    print(f"Use it: tutor solve --model {model.id} \"...\"   (or pick it on the app's Models tab)")
    return 0


def cmd_rm(reference: str) -> int:
    for folder in registry.remove(reference):
        print(f"removed {folder}")
    return 0


def run(args: Any) -> int:
    """Entry point for `tutor models ...` (args from tutor.cli's parser)."""
    action = getattr(args, "models_command", None)
    if action == "pull":
        return cmd_pull(args.id, args.file, args.force)
    if action == "rm":
        return cmd_rm(args.id)
    if action == "list" or action is None:
        return cmd_list(getattr(args, "json", False))
    print(f"unknown models command {action!r}", file=sys.stderr)
    return 2
