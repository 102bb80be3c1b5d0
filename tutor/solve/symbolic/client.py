"""The direct computation under a hard time limit: run in the grading worker pool, started early, collected late.

    pending = start(problem)            # before sampling: the worker computes while the model samples
    ...
    analysis = pending.result()         # after sampling: an Analysis, "unknown" if it ran past its limit

The computation runs as a worker op (`engine.analyse_op`) in the same killable worker processes as the
grader's symbolic comparisons (`tutor.grading.timeout`): a computation that overruns is killed, not
abandoned, and the limit holds from any thread. `cross_check` compares a chosen answer with the computed one
(the Solver's use until the pipeline reads `Analysis` itself).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from tutor.grading.timeout import GradingTimeout, WorkerError, preload, run_with_limit
from tutor.solve.result import SymbolicCheck
from tutor.solve.symbolic.analysis import Analysis

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 1.0
WORKER_WAIT = 30.0
"""Seconds a computation waits for a free worker before its own limit starts."""


# `op_name(engine.analyse_op)`, written out so that this process need not import sympy (a test checks it).
_OP = "tutor.solve.symbolic.engine:analyse_op"
preload(_OP)  # its readers take about half a second to compile: not on the first problem's clock


def analyse(problem: str, timeout: float = DEFAULT_TIMEOUT, wait: float = WORKER_WAIT) -> Analysis:
    """What the direct computation says about `problem`, computed in a worker within `timeout` seconds.

    `wait`: seconds to wait for a free worker first (at startup the grader's workers are still starting,
    a second or more on a busy machine); the limit then covers the computation alone. Never raises."""
    try:
        return Analysis.from_dict(run_with_limit(_OP, problem, timeout=timeout, wait=wait))
    except GradingTimeout:
        return Analysis("unknown", detail=f"The direct computation took longer than {timeout:g} s, so it was stopped.")
    except WorkerError as exc:
        log.warning("the direct computation failed in its worker: %s", exc)
        return Analysis("unknown", detail="The direct computation failed on this problem.")


class PendingAnalysis:
    """`analyse(problem, timeout)` started now on a thread that waits for the worker; `result()` collects it.
    The worker's limit bounds the wait, so the thread always ends; nothing is left running."""

    def __init__(self, problem: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.problem = problem
        self.timeout = timeout
        self._analysis: Analysis | None = None
        self._done = threading.Event()
        threading.Thread(target=self._run, name="stepwise-direct-computation", daemon=True).start()

    def _run(self) -> None:
        try:
            self._analysis = analyse(self.problem, self.timeout)
        except BaseException:  # noqa: BLE001 - e.g. the worker could not start: "unknown", never a crash
            log.debug("direct computation failed for %r", self.problem[:80], exc_info=True)
        finally:
            self._done.set()

    def done(self) -> bool:
        return self._done.is_set()

    def result(self, wait: float | None = None) -> Analysis:
        """The analysis, waiting at most `wait` more seconds (None: until the worker answers)."""
        if not self._done.wait(wait) or self._analysis is None:
            return Analysis("unknown", detail="The direct computation did not finish in time.")
        return self._analysis


def start(problem: str, timeout: float = DEFAULT_TIMEOUT) -> PendingAnalysis:
    """Start the direct computation of `problem` now; collect it with `.result()`."""
    return PendingAnalysis(problem, timeout)


PendingComputation = PendingAnalysis
"""The name the Solver knew; the same thing."""


def cross_check(
    problem: str,
    answer: str | None,
    equivalent: Callable[[str | None, str | None], bool],
    timeout: float = DEFAULT_TIMEOUT,
    pending: PendingAnalysis | None = None,
) -> SymbolicCheck:
    """Compare the chosen answer with the directly computed one.

    status: "agree", "disagree", "not_applicable", "ill_posed" (the problem has no answer: the detail says
    why) or "unknown". pending: the computation already started for this problem (else one starts now).
    """
    analysis = (pending or PendingAnalysis(problem, timeout)).result(wait=timeout + 10.0)
    if analysis.status != "computed":
        return SymbolicCheck(analysis.status, None, analysis.kind, analysis.detail)
    computed, steps = analysis.answer, list(analysis.steps)
    if answer is None:
        return SymbolicCheck("disagree", computed, analysis.kind, f"{analysis.detail} The model gave no answer.", steps)
    bare = answer.split("=", 1)[1] if answer.count("=") == 1 and len(answer.split("=")[0].strip()) == 1 else answer
    candidates = [computed, *(analysis.values if len(analysis.values) > 1 and analysis.kind == "equation" else ())]
    if any(equivalent(value, bare) or equivalent(value, answer) for value in candidates):
        return SymbolicCheck("agree", computed, analysis.kind, analysis.detail, steps)
    return SymbolicCheck("disagree", computed, analysis.kind, analysis.detail, steps)
