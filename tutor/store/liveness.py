"""Which trainer process runs a run, what it plans and how far it got, and how a run whose process is gone ended.

The trainer (`trainer.history.RunHistory`) claims a run for its process when it starts or resumes it, plans
its phases, reports each phase's progress and beats a heartbeat while it lives; the app and `trainer runs`
read those instead of the trainer's console output:

    store.claim_run(run_id)                     # this process (pid, host) runs it now: status "running"
    store.plan_run(run_id, ["ssft", "eval"])    # the steps it will go through, in order
    store.set_phase_progress(run_id, "ssft", step=16, total=1600)
    store.heartbeat(run_id)                     # every HEARTBEAT_S seconds
    store.close_vanished_runs()                 # runs "running" whose process is gone -> "crashed"

A run is not running when its process is gone: on this host a pid that no longer exists (or is a zombie),
elsewhere — or with no pid recorded, as before migration 3 — no sign of life for `STALE_AFTER`.
`trainer run --resume ID` claims a crashed or cancelled run again.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from tutor.errors import StoreError
from tutor.store.base import StoreBase
from tutor.store.schema import Metric, Phase, Run, utc_now

HEARTBEAT_S = 30.0
"""How often a live trainer says so (trainer.history.RunHistory)."""
STALE_AFTER = timedelta(minutes=5)
"""A run with no sign of life for this long, and no process to look at on this host, is gone."""


def this_host() -> str:
    return socket.gethostname()


def pid_alive(pid: int) -> bool:
    """Whether process `pid` exists on this machine and is not a zombie (POSIX; elsewhere: assumed alive)."""
    if os.name != "posix":  # os.kill(pid, 0) would terminate the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True  # no /proc (macOS): kill(0) said it exists


def vanished_reason(run: Run, last_sign: datetime, now: datetime, host: str,
                    alive: Callable[[int], bool]) -> str | None:
    """Why a "running" run is not running any more, or None while it may be."""
    if run.pid is not None and run.host == host:
        if not alive(run.pid):
            return f"its trainer process ({run.pid}) is gone"
        if run.heartbeat_at is not None and now - run.heartbeat_at > STALE_AFTER:  # a reused pid, or hung
            return f"its trainer process ({run.pid}) gave no sign of life since {run.heartbeat_at:%Y-%m-%d %H:%M} UTC"
        return None
    if now - last_sign > STALE_AFTER:
        where = f" on {run.host}" if run.host else ""
        return f"its trainer{where} gave no sign of life since {last_sign:%Y-%m-%d %H:%M} UTC"
    return None


class RunLiveness(StoreBase):
    def claim_run(self, run_id: int, pid: int | None = None, host: str | None = None) -> None:
        """Record that process `pid` on `host` (default: this one) runs the run from now on: "running" again."""
        with self._writing() as session:
            run = self._get(session, Run, run_id, "run")
            run.pid = os.getpid() if pid is None else int(pid)
            run.host = this_host() if host is None else host
            run.status, run.message, run.finished_at, run.heartbeat_at = "running", None, None, utc_now()

    def heartbeat(self, run_id: int) -> None:
        """The run's process is alive; a run taken for crashed meanwhile (a long stall) is running again."""
        with self._writing() as session:
            run = self._get(session, Run, run_id, "run")
            run.heartbeat_at = utc_now()
            if run.status == "crashed" and run.pid == os.getpid() and run.host == this_host():
                run.status, run.message, run.finished_at = "running", None, None

    def plan_run(self, run_id: int, phases: Sequence[str]) -> None:
        """The steps the run goes through, in order (what the app's progress shows)."""
        with self._writing() as session:
            self._get(session, Run, run_id, "run").planned_phases = [str(phase) for phase in phases]

    def set_phase_progress(self, run_id: int, phase: str, step: int, total: int | None = None) -> None:
        """Phase `phase` is at `step` of `total` (training steps, problems sampled, ...); also a heartbeat."""
        with self._writing() as session:
            row = session.scalar(select(Phase).where(Phase.run_id == run_id, Phase.name == phase))
            if row is None:
                raise StoreError(f"Run {run_id} has no phase {phase!r} to report progress on; start_phase it first.")
            row.step = int(step)
            if total is not None:
                row.total = int(total)
            self._get(session, Run, run_id, "run").heartbeat_at = utc_now()

    def close_vanished_runs(self, alive: Callable[[int], bool] = pid_alive, host: str | None = None) -> list[int]:
        """Mark every "running" run whose trainer process is gone (see the module docstring) "crashed", with
        its running phases; returns their ids. Call before showing runs: a dead run is not running."""
        host = this_host() if host is None else host
        now = utc_now()
        closed = []
        with self._writing() as session:
            for run in session.scalars(select(Run).where(Run.status == "running")):
                last_metric = session.scalar(select(func.max(Metric.logged_at)).where(Metric.run_id == run.id))
                last_sign = max(t for t in (run.created_at, run.heartbeat_at, last_metric) if t is not None)
                reason = vanished_reason(run, last_sign, now, host, alive)
                if reason is None:
                    continue
                run.status, run.finished_at = "crashed", now
                run.message = (f"Crashed: {reason} without recording how the run ended. "
                               f"Resume with: trainer run --resume {run.id}")
                for phase in session.scalars(select(Phase).where(Phase.run_id == run.id, Phase.status == "running")):
                    phase.status, phase.finished_at = "crashed", now
                closed.append(run.id)
        return closed
