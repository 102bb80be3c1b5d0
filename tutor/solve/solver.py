"""The solving engine: sample N solutions, cluster their answers, re-rank, attach a calibrated confidence.

    from tutor.models import load
    from tutor.solve import Solver, SolveConfig
    generator, verifier = load(None)
    result = Solver(generator, verifier, SolveConfig(n=16, k=8)).solve("Solve 3x + 7 = 22")
    print(result.answer, result.confidence, result.reasons)

Works with any objects that implement the Generator/Verifier protocols of `tutor.models.base` (a test
double included); this module imports neither torch nor Qt.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tutor.errors import DataError, ModelLoadError
from tutor.grading import cluster_answers, extract_answer, is_equivalent, warm_up
from tutor.grading.steps import wrong_steps
from tutor.prompts import SOLVER_STOP
from tutor.solve import calibration as calib
from tutor.solve.checked import StepCheckedVerifier
from tutor.solve.config import SolveConfig
from tutor.solve.result import RankedCluster, SampleRecord, SolveResult
from tutor.solve.strategies import rank, samples_to_score, vote_order
from tutor.solve.symbolic import PendingComputation, cross_check

if TYPE_CHECKING:
    from tutor.models.base import Generator, Verifier

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SolveEvent:
    """Progress of one solve, for a progress bar or the GUI's "thinking" view."""

    stage: str
    """"sampling", "grading", "verifying" or "done"."""
    done: int = 0
    """Sampling: sequences finished; verifying: solutions scored."""
    total: int = 0
    tokens: int = 0
    """Tokens generated so far (sampling)."""
    preview: str = ""
    """Partial text of one in-flight solution (sampling)."""


EventCallback = Callable[[SolveEvent], None]


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


class Solver:
    """Solution-cluster re-ranking over a generator and a verifier (Liu et al. 2023, METHOD.md)."""

    def __init__(
        self,
        generator: "Generator",
        verifier: "Verifier",
        config: SolveConfig | None = None,
        calibration: calib.Calibration | None = None,
    ):
        """calibration: None loads `calibration.json` stored with the generator's model, if any."""
        self.generator = generator
        self.verifier = verifier
        self.config = config or SolveConfig()
        self._scorer = StepCheckedVerifier(verifier, self.config.step_penalty) if self.config.step_check else verifier
        self.calibration_note = ""
        if calibration is None:
            try:
                calibration = calib.load_calibration(getattr(generator, "path", None))
            except ModelLoadError as exc:  # a broken calibration must not stop the tutor from solving
                log.warning("%s", exc)
                self.calibration_note = "uncalibrated: calibration.json is unreadable"
            if calibration is not None and calibration.step_check not in (None, self.config.step_check):
                # fitted on the other kind of score, it would be confidently wrong
                fitted = "on" if calibration.step_check else "off"
                self.calibration_note = f"uncalibrated: calibration.json was fitted with the step check {fitted}"
                calibration = None
        self.calibration = calibration
        warm_up_grader_in_background()

    def solve(
        self, problem: str, on_event: EventCallback | None = None, cancel: threading.Event | None = None
    ) -> SolveResult:
        """Solve one problem. A set `cancel` stops sampling promptly and returns a partial result."""
        if not isinstance(problem, str) or not problem.strip():
            raise DataError("the problem is empty: type a math problem to solve")
        emit = on_event or (lambda event: None)
        cancel = cancel or threading.Event()
        config = self.config
        timings: dict[str, float] = {}
        started = time.perf_counter()
        # sympy works on the problem text while the model samples (torch releases the GIL)
        pending = PendingComputation(problem) if config.symbolic_check else None

        samples = self._sample(problem, emit, cancel)
        timings["sampling"] = time.perf_counter() - started

        mark = time.perf_counter()
        emit(SolveEvent("grading", len(samples), len(samples)))
        clusters = cluster_answers([sample.answer for sample in samples], timeout=config.grading_timeout)
        timings["grading"] = time.perf_counter() - mark

        mark = time.perf_counter()
        needed = samples_to_score(config.strategy, clusters, config.k)
        wanted = self._indices_to_score(samples, clusters, needed)
        self._score(problem, samples, wanted, emit, cancel)
        timings["verifying"] = time.perf_counter() - mark

        scores = [sample.score for sample in samples]
        cancelled = cancel.is_set()
        strategy = config.strategy
        if any(scores[i] is None for i in needed):
            strategy = "maj1"  # cancelled before the verifier finished: the vote is all we have
        ranked = rank(strategy, clusters, scores, config.k)
        answer = ranked[0].answer if ranked else None

        mark = time.perf_counter()
        symbolic = None
        if pending is not None and not cancelled:
            symbolic = cross_check(
                problem,
                answer,
                lambda a, b: is_equivalent(a, b, timeout=config.grading_timeout),
                timeout=config.grading_timeout,
                pending=pending,
            )
        timings["symbolic"] = time.perf_counter() - mark

        confidence, confidence_reason = self._confidence(ranked, len(samples))
        reasons = self._reasons(ranked, samples, strategy, cancelled, symbolic)
        reasons.append(confidence_reason)
        timings["total"] = time.perf_counter() - started
        result = SolveResult(
            problem=problem,
            samples=samples,
            clusters=ranked,
            answer=answer,
            confidence=confidence,
            reasons=reasons,
            symbolic=symbolic,
            cancelled=cancelled,
            timings=timings,
            strategy=strategy,
            config=config.to_dict(),
            model=getattr(self.generator, "name", ""),
        )
        emit(SolveEvent("done", len(samples), config.n))
        return result

    # ------------------------------------------------------------------ stages
    def _sample(self, problem: str, emit: EventCallback, cancel: threading.Event) -> list[SampleRecord]:
        config = self.config
        greedy = config.strategy == "greedy"
        n = 1 if greedy else config.n
        emit(SolveEvent("sampling", 0, n))
        prompt = self.generator.solver_prompt(problem)
        outputs = self.generator.sample(
            [prompt],
            n=n,
            temperature=0.0 if greedy else config.temperature,
            top_p=config.top_p,
            max_new_tokens=config.max_new_tokens,
            stop=SOLVER_STOP,
            seed=config.seed,
            on_progress=lambda p: emit(SolveEvent("sampling", p.done, p.total, p.tokens, p.preview)),
            cancel=cancel,
        )[0]
        records = []
        for index, sample in enumerate(outputs):
            # A solution cut off by a cancel has no trustworthy final answer; keep it visible, unanswered.
            answer = None if sample.finish_reason == "cancelled" else extract_answer(sample.text)
            records.append(SampleRecord(index, sample.text, answer, None, sample.n_tokens, sample.finish_reason))
        return records

    def _indices_to_score(self, samples: list[SampleRecord], clusters, needed: list[int]) -> list[int]:
        """What the strategy needs, plus the top-k clusters (their scores feed the table and confidence)."""
        wanted = set(needed)
        for cluster in vote_order(clusters)[: self.config.k]:
            wanted.update(cluster.members)
        if self.config.verify_all_for_display:
            wanted.update(sample.index for sample in samples if sample.answer is not None)
        return sorted(wanted)

    def _score(self, problem, samples, indices, emit: EventCallback, cancel: threading.Event) -> None:
        """Verifier scores for `indices`, in batches so a cancel lands between them.

        Identical texts are scored once: a small model at low temperature often repeats a solution verbatim.
        """
        by_text: dict[str, list[int]] = {}
        for i in indices:
            by_text.setdefault(samples[i].text, []).append(i)
        texts = list(by_text)
        batch_size = self.config.verify_batch_size
        emit(SolveEvent("verifying", 0, len(texts)))
        for start in range(0, len(texts), batch_size):
            if cancel.is_set():
                return
            batch = texts[start : start + batch_size]
            scores = self._scorer.p_correct([problem] * len(batch), batch)
            for text, score in zip(batch, scores):
                score = float(score)
                if not 0.0 <= score <= 1.0:  # NaN or out of range: a backend bug; never let it decide
                    log.warning("verifier returned %r for a solution; treating it as unscored", score)
                    continue
                for i in by_text[text]:
                    samples[i].score = score
            emit(SolveEvent("verifying", start + len(batch), len(texts)))

    def _confidence(self, ranked: list[RankedCluster], n_samples: int) -> tuple[float, str]:
        features = calib.confidence_features(ranked, n_samples)
        if features is None:
            return 0.0, "confidence 0: no answer to be confident in"
        if ranked[0].max_score is None:
            return calib.uncalibrated_confidence(features, False), "confidence: vote share only (no verifier scores)"
        if self.calibration is not None:
            return self.calibration.predict(features), f"confidence calibrated on {self.calibration.n_examples} solves"
        note = self.calibration_note or "uncalibrated: the model has no calibration.json"
        return calib.uncalibrated_confidence(features, True), f"confidence {note} (vote share and verifier averaged)"

    def _reasons(self, ranked, samples, strategy, cancelled, symbolic) -> list[str]:
        n = len(samples)
        reasons = []
        if cancelled:
            finished = sum(sample.finish_reason != "cancelled" for sample in samples)
            reasons.append(f"cancelled: {finished} of {self.config.n} solutions finished")
        if strategy != self.config.strategy:
            reasons.append(f"{self.config.strategy} needs verifier scores; fell back to majority vote")
        if not ranked:
            reasons.append("no solution gave a final answer")
        else:
            winner = ranked[0]
            reasons.append(f"{winner.votes} of {n} solutions give {winner.answer}")
            if winner.max_score is not None:
                reasons.append(f"verifier: best {winner.max_score:.2f}, mean {winner.mean_score:.2f} in the winning cluster")
            majority = vote_order(ranked)[0]
            if majority.answer != winner.answer:
                reasons.append(
                    f"re-ranking preferred it to the most common answer {majority.answer} ({majority.votes} votes)"
                )
            false_steps = wrong_steps(samples[winner.members[0]].text) if self.config.step_check else 0
            if false_steps:
                reasons.append(f"the shown solution has {false_steps} arithmetic step(s) that do not hold")
        unanswered = sum(sample.answer is None for sample in samples)
        if unanswered:
            reasons.append(f"{unanswered} solution(s) gave no final answer")
        if symbolic is not None and symbolic.status != "not_applicable":
            reasons.append(symbolic.detail)
        return reasons
