"""Launch Stepwise headless in smoke mode and collect its milestones (window, model, answer) with wall times.

    python packaging/smoke.py dist/stepwise/stepwise            # the bundle
    python packaging/smoke.py .venv/bin/python -m tutor.cli     # the source checkout

Used by tests/test_packaging.py and bench/startup.py. Each event is the app's own JSON line (see
tutor/app/first_run.py) plus `wall_s`: seconds from the launch as this process saw it, which includes any
bootloader work before Python starts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_PROBLEM = "What is 2 + 3?"


def run_smoke(command: list[str], home: Path, problem: str = DEFAULT_PROBLEM, screenshot: Path | None = None,
              timeout: float = 600) -> tuple[list[dict], str, int | None]:
    """Run `command` offscreen with STEPWISE_SMOKE=problem and a fresh data folder `home`.

    Returns (events, stderr, exit code); the exit code is None when the process had to be killed.
    """
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "STEPWISE_SMOKE": problem, "STEPWISE_HOME": str(home)}
    env.pop("STEPWISE_MODEL", None)  # the app must find its own bundled model
    if screenshot is not None:
        env["STEPWISE_SMOKE_SCREENSHOT"] = str(screenshot)
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    events = []
    try:
        for line in process.stdout:
            if line.startswith('{"smoke"'):
                events.append({**json.loads(line), "wall_s": round(time.monotonic() - started, 3)})
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        code = None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return events, process.stderr.read(), code


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="stepwise-smoke-") as home:
        events, stderr, code = run_smoke(argv, Path(home))
    for event in events:
        print(json.dumps(event))
    if code != 0:
        print(stderr[-3000:], file=sys.stderr)
    return 0 if code == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
