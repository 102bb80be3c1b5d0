"""Start-up benchmark: time to first window, to the loaded model and to the first answer, bundle vs source.

Run from the repository root after `packaging/build.sh`:
    python bench/startup.py                     # 3 launches of each, default bundle dist/stepwise
    python bench/startup.py --rounds 5 --bundle path/to/stepwise

Each launch is the real app in smoke mode (offscreen, a fresh data folder, the bundled default model,
"What is 2 + 3?" solved through the window; see tutor/app/first_run.py). The baseline is the source
checkout started as `python -m tutor.cli` in this same process, launches alternating with the bundle's;
the ratio column is bundle / source (below 1: the bundle is faster). Medians over the rounds; times are
wall seconds from the launch.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packaging"))
from smoke import run_smoke  # noqa: E402 - packaging/ is not a package

MILESTONES = ("window", "model", "answer")


def launch_once(command: list[str]) -> dict[str, float]:
    """Wall seconds to each milestone of one launch with a fresh data folder."""
    with tempfile.TemporaryDirectory(prefix="stepwise-bench-") as home:
        events, stderr, code = run_smoke(command, Path(home))
    seen = {event["smoke"]: event["wall_s"] for event in events}
    if code != 0 or set(seen) != set(MILESTONES):
        raise SystemExit(f"{' '.join(command)} failed (exit {code}):\n{stderr[-2000:]}")
    return seen


def measure(commands: dict[str, list[str]], rounds: int) -> dict[str, dict[str, float]]:
    """Median seconds per milestone for each command; launches alternate, so load drift hits both alike."""
    times = {label: {name: [] for name in MILESTONES} for label in commands}
    for _ in range(rounds):
        for label, command in commands.items():
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

    medians = measure({"source": [sys.executable, "-m", "tutor.cli"], "bundle": [str(program)]}, args.rounds)
    source, bundle = medians["source"], medians["bundle"]
    size = sum(p.stat().st_size for p in args.bundle.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"Start-up, median of {args.rounds} launches each (bundle {size / 2**30:.2f} GiB at {args.bundle})")
    print(f"| {'milestone':<14} | {'source (s)':>10} | {'bundle (s)':>10} | {'bundle/source':>13} |")
    print(f"|{'-' * 16}|{'-' * 12}|{'-' * 12}|{'-' * 15}|")
    for name in MILESTONES:
        print(f"| {'first ' + name:<14} | {source[name]:>10.2f} | {bundle[name]:>10.2f} | {bundle[name] / source[name]:>13.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
