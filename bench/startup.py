"""Start-up benchmark: time to first window, to the loaded model and to the first answer, bundle vs source.

Run from the repository root after `packaging/build.sh`:
    python bench/startup.py                     # 3 launches of each, default bundle dist/stepwise
    python bench/startup.py --rounds 5 --bundle path/to/stepwise

Each launch is the real app in smoke mode (offscreen, a fresh data folder, the bundled default model,
"What is 2 + 3?" solved through the window; see tutor/app/first_run.py). "cold bundle" launches run
after the bundle's files were dropped from the page cache (as after a download or a reboot); the other
launches find them cached. The baseline is the source checkout started as `python -m tutor.cli` in this
same process, its launches alternating with the bundle's; the ratio columns divide by it (below 1: faster
than the source). Medians over the rounds; times are wall seconds from the launch.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packaging"))
from smoke import run_smoke  # noqa: E402 - packaging/ is not a package

MILESTONES = ("window", "model", "answer")


def evict(folder: Path) -> None:
    """Drop `folder`'s files from the OS page cache (posix_fadvise DONTNEED; no root needed), so the next
    launch reads them from disk as a first launch after download or reboot would."""
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def launch_once(command: list[str]) -> dict[str, float]:
    """Wall seconds to each milestone of one launch with a fresh data folder."""
    with tempfile.TemporaryDirectory(prefix="stepwise-bench-") as home:
        events, stderr, code = run_smoke(command, Path(home))
    seen = {event["smoke"]: event["wall_s"] for event in events}
    if code != 0 or set(seen) != set(MILESTONES):
        raise SystemExit(f"{' '.join(command)} failed (exit {code}):\n{stderr[-2000:]}")
    return seen


def measure(variants: dict[str, tuple[list[str], Callable[[], None] | None]], rounds: int) -> dict[str, dict[str, float]]:
    """Median seconds per milestone for each (command, prepare) variant; launches alternate between the
    variants, so load drift on a shared machine hits all of them alike."""
    times = {label: {name: [] for name in MILESTONES} for label in variants}
    for _ in range(rounds):
        for label, (command, prepare) in variants.items():
            if prepare is not None:
                prepare()
            for name, seconds in launch_once(command).items():
                times[label][name].append(seconds)
    return {label: {name: statistics.median(v) for name, v in per.items()} for label, per in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "stepwise")
    args = parser.parse_args()
    program = args.bundle / "stepwise"
    if not program.is_file():
        raise SystemExit(f"no bundle at {args.bundle}: run packaging/build.sh first")

    medians = measure({
        "source": ([sys.executable, "-m", "tutor.cli"], None),
        "bundle": ([str(program)], None),
        "bundle, cold disk": ([str(program)], lambda: evict(args.bundle)),
    }, args.rounds)
    source, bundle, cold = medians["source"], medians["bundle"], medians["bundle, cold disk"]
    size = sum(p.stat().st_size for p in args.bundle.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"Start-up, median of {args.rounds} launches each (bundle {size / 2**30:.2f} GiB at {args.bundle})")
    header = ("milestone".ljust(12), "source (s)", "bundle (s)", "bundle/source", "cold bundle (s)", "cold/source")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("-" * (len(title) + 2) for title in header) + "|")
    for name in MILESTONES:
        cells = (f"first {name}".ljust(12), f"{source[name]:.2f}", f"{bundle[name]:.2f}",
                 f"{bundle[name] / source[name]:.2f}", f"{cold[name]:.2f}", f"{cold[name] / source[name]:.2f}")
        print("| " + " | ".join(cell.rjust(len(title)) for cell, title in zip(cells, header, strict=True)) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
