"""The Solver: sample N solutions, judge them (cluster, score, rank, check), attach a calibrated confidence.

    from tutor.models import load
    from tutor.solve import Solver, SolveConfig
    generator, verifier = load(None)
    result = Solver(generator, verifier, SolveConfig(n=16, k=8)).solve("Solve 3x + 7 = 22")
    print(result.answer, result.confidence, result.reasons)

`solve` is `pipeline.sample` then `judge`; `trainer eval` samples a batch of problems with `pipeline.sample`
and calls `judge` per problem, so the evaluation's answer is the answer the app shows. Works with any
objects that implement the Generator/Verifier protocols of `tutor.models.base` (a test double included);
this module imports neither torch nor Qt.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from tutor.errors import DataError, ModelLoadError
from tutor.grading import cluster_answers, is_equivalent, warm_up
from tutor.solve import calibration as calib
from tutor.solve import reasons as say
from tutor.solve.adaptive import PENDING
from tutor.solve.config import SolveConfig, calibration_settings
from tutor.solve.pipeline import EventCallback, SolveEvent, sample, score
from tutor.solve.result import SampleRecord, SolveResult, SymbolicCheck
from tutor.solve.strategies import rank, samples_to_score, vote_order
from tutor.solve.symbolic import PendingComputation, cross_check

if TYPE_CHECKING:
    from tutor.models.base import Generator, Verifier

log = logging.getLogger(__name__)

__all__ = ["Solver", "SolveEvent"]

COMPUTED_CONFIDENCE = 0.99
"""Confidence in an answer the direct computation gives: certain up to a bug in reading the problem."""
MIN_VERIFIER_SIGNAL = 0.02
"""Below this best score in the re-ranked clusters (every candidate discounted to ~0 by the step check, or a
verifier that says "incorrect" to everything) the scores order noise: the ranking falls back to votes."""
_NO_CALIBRATION = object()
_ASSIGNMENT = re.compile(r"^\s*[A-Za-z]\s*=\s*")

_warm_up_threads: list[threading.Thread] = []


def _warm_up_quietly() -> None:
    try:
        warm_up()
    except Exception:  # grading still works without the head start; it pays the start-up on first use
        log.debug("grader warm-up failed", exc_info=True)


def warm_up_grader_in_background() -> None:
    """Start the grader's worker process (seconds on a busy machine) in the background, once per process,
    so it overlaps model loading and sampling instead of delaying the first solve's clustering."""
    if _warm_up_threads:
        return
    thread = threading.Thread(target=_warm_up_quietly, name="stepwise-grader-warm-up", daemon=True)
    _warm_up_threads.append(thread)
    thread.start()


def wait_for_grader_warm_up(timeout: float = 10.0) -> None:
    """Before a short-lived process exits: let a worker that is still starting finish (a worker whose
    parent exits mid-start reports a broken pipe on stderr)."""
    for thread in _warm_up_threads:
        thread.join(timeout)


def _peek(pending) -> Callable[[], object]:
    """A non-blocking look at a started direct computation: its answer once ready, None when it has none,
    `adaptive.PENDING` while it runs."""
    def look() -> object:
        if pending is None:
            return None
        if not pending.done():
            return PENDING
        analysis = pending.result(0)
        return analysis.answer if analysis.status == "computed" else None

    return look


class Solver:
    """Solution-cluster re-ranking over a generator and a verifier (Liu et al. 2023, METHOD.md)."""

    def __init__(
        self,
        generator: Generator,
        verifier: Verifier,
        config: SolveConfig | None = None,
        calibration: calib.Calibration | None | object = None,
    ):
        """calibration: None loads `calibration.json` stored with the generator's model, when it was fitted
        under these settings; `Solver.UNCALIBRATED` uses none (the trainer's evaluation, which fits one)."""
        self.generator = generator
        self.verifier = verifier
        self.config = config or SolveConfig()
        self.settings = calibration_settings(
            self.config, getattr(generator, "backend", ""), getattr(generator, "quantization", ""))
        self.calibration_note = ""
        if calibration is _NO_CALIBRATION:
            calibration = None
            self.calibration_note = "uncalibrated"
        elif calibration is None:
            calibration = self._stored_calibration()
        self.calibration = calibration
        warm_up_grader_in_background()

    UNCALIBRATED = _NO_CALIBRATION

    def _stored_calibration(self) -> calib.Calibration | None:
        try:
            calibration = calib.load_calibration(getattr(self.generator, "path", None))
        except ModelLoadError as exc:  # a broken calibration must not stop the tutor from solving
            log.warning("%s", exc)
            self.calibration_note = "uncalibrated: calibration.json is unreadable"
            return None
        if calibration is None:
            self.calibration_note = "uncalibrated: the model has no calibration.json"
            return None
        mismatch = calibration.mismatch(self.settings)
        if mismatch:  # fitted under other settings, it would be confidently wrong
            self.calibration_note = f"uncalibrated: calibration.json was fitted {mismatch}"
            return None
        return calibration

    # ------------------------------------------------------------------ entry points
    def solve(self, problem: str, on_event: EventCallback | None = None,
              cancel: threading.Event | None = None) -> SolveResult:
        """Solve one problem. A set `cancel` stops sampling promptly and returns a partial result. A problem the
        model cannot read whole is a DataError that states the limit."""
        if not isinstance(problem, str) or not problem.strip():
            raise DataError("the problem is empty: type a math problem to solve")
        if refusal := self._too_long(problem):
            raise DataError(refusal)
        return self.solve_batch([problem], on_event, cancel)[0]

    def solve_batch(self, problems: list[str], on_event: EventCallback | None = None,
                    cancel: threading.Event | None = None, seed: int | None = None) -> list[SolveResult]:
        """Solve several problems with their samples decoded together (the trainer's evaluation): each problem's
        direct computation starts before sampling, gates its adaptive stopping and is weighed by `judge`, as in
        `solve`. A problem the model cannot read whole gets no samples and says so (`notice`)."""
        emit = on_event or (lambda event: None)
        cancel = cancel or threading.Event()
        started = time.perf_counter()
        refusals = [self._too_long(problem) for problem in problems]
        readable = [problem for problem, refusal in zip(problems, refusals) if not refusal]
        # sympy works on the problem text while the model samples
        pending = [PendingComputation(p) if self.config.symbolic_check else None for p in readable]
        params = self.config.sampling() if seed is None else replace(self.config.sampling(), seed=seed)
        rows = sample(self.generator, readable, params, emit, cancel, [_peek(p) for p in pending],
                      self.config.grading_timeout) if readable else []
        sampling = time.perf_counter() - started
        judged = iter(self.judge(p, row, emit, cancel, computation) for p, row, computation in zip(readable, rows, pending))
        results = []
        for problem, refusal in zip(problems, refusals):
            if refusal:
                results.append(SolveResult(problem, [], [], None, 0.0, [refusal], source="none", notice=refusal,
                                           config=self.config.solve_config().to_dict(),
                                           model=getattr(self.generator, "name", "")))
                continue
            result = next(judged)
            result.timings = {"sampling": sampling, **result.timings, "total": time.perf_counter() - started}
            results.append(result)
        return results

    def judge(self, problem: str, samples: list[SampleRecord], on_event: EventCallback | None = None,
              cancel: threading.Event | None = None, pending: PendingComputation | None = None) -> SolveResult:
        """Cluster, score and rank sampled solutions; weigh the direct computation; say how sure and why."""
        emit = on_event or (lambda event: None)
        cancel = cancel or threading.Event()
        config = self.config
        timings: dict[str, float] = {}
        mark = time.perf_counter()
        emit(SolveEvent("grading", len(samples), len(samples)))
        clusters = cluster_answers([s.answer for s in samples], timeout=config.grading_timeout)
        timings["grading"] = time.perf_counter() - mark

        mark = time.perf_counter()
        trained = getattr(self.verifier, "trained", True) is not False
        # a general model's zero-shot P(correct) is no basis for re-ranking: its votes decide
        chosen = config.strategy if trained or config.strategy in ("maj1", "greedy") else "maj1"
        needed = samples_to_score(chosen, clusters, config.k)
        wanted = self._indices_to_score(samples, clusters, needed) if trained or config.score_all else []
        decided = self._decided_by_computation(pending, clusters, cancel)
        if decided is not None and not config.score_all:
            # The computation settles the winner, so no score can change the answer: score only the winning
            # cluster's solutions (to show the best of them), and let the votes order the rest.
            chosen, needed, wanted = "maj1", [], list(decided.members) if trained else []
        score(self.verifier, problem, samples, wanted, config, emit, cancel)
        timings["verifying"] = time.perf_counter() - mark

        scores = [s.score for s in samples]
        strategy, fallback = chosen, "" if chosen == config.strategy or decided is not None else say.untrained_verifier()
        if any(scores[i] is None for i in needed):
            strategy, fallback = "maj1", say.fallback_cancelled(config.strategy)
        elif needed and max(scores[i] for i in needed) < MIN_VERIFIER_SIGNAL:
            strategy, fallback = "maj1", say.fallback_no_signal(MIN_VERIFIER_SIGNAL)
        ranked = rank(strategy, clusters, scores, config.k)

        mark = time.perf_counter()
        symbolic = None
        if config.symbolic_check and not cancel.is_set():
            symbolic = cross_check(problem, ranked[0].answer if ranked else None, self._equivalent,
                                   timeout=config.grading_timeout, pending=pending or PendingComputation(problem))
        timings["symbolic"] = time.perf_counter() - mark

        result = SolveResult(problem=problem, samples=samples, clusters=ranked,
                             answer=ranked[0].answer if ranked else None, confidence=0.0, symbolic=symbolic,
                             cancelled=cancel.is_set(), timings=timings, strategy=strategy,
                             config=config.solve_config().to_dict(), model=getattr(self.generator, "name", ""),
                             source="model" if ranked else "none")
        self._weigh_computation(result, decided)
        result.reasons = self._reasons(result, fallback)
        emit(SolveEvent("done", len(samples), len(samples)))
        return result

    # ------------------------------------------------------------------ stages
    def _too_long(self, problem: str) -> str:
        """Why the model cannot read `problem` whole ("" when it can): a cut problem gets a confident answer to
        another one, so it is refused with the limit stated."""
        count = getattr(self.generator, "prompt_tokens", None)
        context = getattr(self.generator, "context_length", None)
        if count is None or not context:
            return ""
        from tutor.models.base import prompt_limit

        used, limit = count(self.generator.solver_prompt(problem)), prompt_limit(context, self.config.max_new_tokens)
        return say.too_long(used, limit, len(problem)) if used > limit else ""

    def _equivalent(self, a: str | None, b: str | None) -> bool:
        return is_equivalent(a, b, timeout=self.config.grading_timeout)

    def _indices_to_score(self, samples: list[SampleRecord], clusters, needed: list[int]) -> list[int]:
        """What the strategy needs, plus the top-k clusters (their scores feed the table and confidence)."""
        wanted = set(needed)
        for cluster in vote_order(clusters)[: self.config.k]:
            wanted.update(cluster.members)
        if self.config.score_all:
            wanted.update(s.index for s in samples)
        return sorted(wanted)

    def _weigh_computation(self, result: SolveResult, decided=None) -> None:
        """The direct computation is evidence, not a footnote: the cluster that agrees with it wins whatever
        the votes; where none does, the computed answer is shown, marked as computed. `decided`: the cluster
        `_decided_by_computation` already matched to it, if any."""
        symbolic = result.symbolic
        if symbolic is not None and symbolic.status == "ill_posed":  # no answer exists: say so, plainly
            result.answer, result.source, result.confidence = None, "none", 0.0
            result.notice = symbolic.detail or say.ill_posed()
            return
        if symbolic is None or symbolic.answer is None or symbolic.status not in ("agree", "disagree"):
            result.confidence = self._confidence(result)
            return
        if decided is not None:  # already matched to the computation before scoring
            agreeing = next(c for c in result.clusters if c.answer == decided.answer)
        else:
            agreeing = next((c for c in result.clusters if self._agrees(symbolic, c.answer)), None)
        if agreeing is not None:
            result.clusters = [agreeing] + [c for c in result.clusters if c is not agreeing]
            result.answer, result.source = agreeing.answer, "model"
            result.symbolic = replace(symbolic, status="agree")
        else:
            result.answer, result.source = symbolic.answer, "computation"
            result.symbolic = replace(symbolic, status="disagree")
        result.confidence = COMPUTED_CONFIDENCE

    def _decided_by_computation(self, pending, clusters, cancel: threading.Event) -> object | None:
        """The cluster that agrees with the direct computation, or None. Waited for (it was started before
        sampling, and the symbolic step waits for it anyway), so that which solutions get scored does not
        depend on whether the computation happened to finish first."""
        if pending is None or cancel.is_set():
            return None
        analysis = pending.result(wait=self.config.grading_timeout + 10.0)
        if analysis.status != "computed":
            return None
        check = SymbolicCheck("agree", analysis.answer)
        return next((c for c in clusters if self._agrees(check, c.answer)), None)

    def _agrees(self, symbolic: SymbolicCheck, answer: str) -> bool:
        """Whether a cluster's answer is the computed one (`x = 5` counts as `5`; every root must be there)."""
        return self._equivalent(symbolic.answer, answer) or self._equivalent(symbolic.answer, _ASSIGNMENT.sub("", answer))

    def _confidence(self, result: SolveResult) -> float:
        features = calib.features_of(result, self.config.sampling().n)
        if features is None:
            return 0.0
        if result.clusters[0].max_score is None:
            return calib.uncalibrated_confidence(features, False)
        if self.calibration is not None:
            return self.calibration.predict(features)
        return calib.uncalibrated_confidence(features, True)

    def _reasons(self, result: SolveResult, fallback: str) -> list[str]:
        n = len(result.samples)
        reasons = []
        if result.cancelled:
            finished = sum(s.finish_reason != "cancelled" for s in result.samples)
            reasons.append(say.cancelled(finished, self.config.n))
        symbolic = result.symbolic
        if result.notice:
            reasons.append(result.notice)
            reasons.append(say.not_answered(n))
        if not result.cancelled and self.config.adaptive and n < self.config.sampling().n:
            reasons.append(say.stopped_early(n, self.config.n, symbolic is not None and symbolic.status == "agree"))
        if result.source == "computation":
            reasons.append(say.computed_alone(symbolic.answer, n, result.worked_by_computation))
        elif symbolic is not None and symbolic.status == "agree":
            reasons.append(say.computed_agrees(symbolic.answer))
            if result.worked_by_computation:
                best = result.best_solution
                reasons.append(say.computed_steps_shown(best.wrong_steps, best.verifier_score))
        if fallback:
            reasons.append(fallback)
        if result.notice:
            pass  # an ill-posed problem: what the samples say about it does not matter
        elif not result.clusters:
            reasons.append(say.no_answer(n))
        else:
            winner = result.clusters[0]
            reasons.append(say.votes(winner.votes, n, winner.answer))
            if winner.max_score is not None:
                reasons.append(say.verifier(winner.max_score))
            majority = vote_order(result.clusters)[0]
            if majority.answer != winner.answer:
                by_verifier = result.source == "model" and (symbolic is None or symbolic.status != "agree")
                reason = say.over_majority if by_verifier else say.majority_differs
                reasons.append(reason(majority.answer, majority.votes, n))
            best = result.samples_by_index[winner.members[0]]
            if best.wrong_steps and not result.worked_by_computation:
                reasons.append(say.false_steps(best.wrong_steps))
        unanswered = sum(s.answer is None for s in result.samples)
        if unanswered:
            reasons.append(say.unanswered(unanswered))
        if symbolic is not None and symbolic.status == "unknown":
            reasons.append(say.computation_timed_out())
        if result.source == "model" and result.clusters and (symbolic is None or symbolic.status != "agree"):
            reasons.append(say.confidence_basis(self.calibration, self.calibration_note,
                                                result.clusters[0].max_score is not None))
        return reasons
