"""`trainer eval`: the paper's metrics for a model on a held-out split, measured through the tutor's own core.

Every problem goes through `tutor.solve`: `pipeline.sample` draws one greedy solution (Pass@1) and N sampled
ones under the tutor's settings (`EvalConfig` is a `SolveConfig`: the same fields and defaults the app and
`tutor solve` use), and `Solver.judge` clusters, scores (S_cls, the step check) and ranks them and weighs the
direct computation, exactly as for a student. "Tutor" is the answer the app would show; each strategy of
`tutor.solve.strategies` is also ranked over the same scores, so a number here is the number a student gets.

Metrics (METHOD.md): Pass@1, Pass@N (oracle), Maj1@N, MajK@N (oracle over the top-K clusters), RR.All,
RR.Top-K, W.RR, W.RR.Top-K; the verifier's AUROC and ECE over all samples (with the step check's discount and
S_cls alone); the same broken down by subject and level. The confidence calibration of
`tutor.solve.calibration` is fitted on the tutor's answers, and records the settings it was measured under.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from tqdm.auto import tqdm

from trainer.candidates import make_grader
from tutor.errors import ModelLoadError
from tutor.models.loader import BACKENDS
from tutor.solve.calibration import (
    Calibration,
    expected_calibration_error,
    features_of,
    fit_calibration,
    load_calibration,
)
from tutor.solve.config import SolveConfig, calibration_settings
from tutor.solve.pipeline import sample
from tutor.solve.result import SampleRecord, SolveResult
from tutor.solve.solver import Solver
from tutor.solve.strategies import rank, vote_order

log = logging.getLogger(__name__)

VERIFIER_SOURCES = ("final", "evaluator")  # EvalConfig.verifier
# metric name -> strategy of tutor.solve.strategies (the chosen answer's accuracy)
STRATEGY_METRICS = {"Maj1@N": "maj1", "RR.All": "rr_all", "RR.Top-K": "rr_topk", "W.RR": "wrr", "W.RR.Top-K": "wrr_topk"}
SCLS_METRIC = "RR.Top-K (S_cls alone)"
ILL_POSED_CONFIDENCE = 0.5
"""An ill-posed problem answered with this confidence or more is a confident wrong answer (issue 24)."""
CONFIDENT = (0.6, 0.8)
"""Confidence levels at which the report counts wrong answers ("confidently wrong")."""
METRIC_ORDER = ("Tutor", "Pass@1", "Maj1@N", "RR.All", "RR.Top-K", SCLS_METRIC, "W.RR", "W.RR.Top-K", "MajK@N",
                "Pass@N")


@dataclass
class EvalConfig(SolveConfig):
    """How `trainer eval` measures a model: the tutor's own SolveConfig (so its defaults are what a student
    gets; a recipe may override them, and the report records them), plus what only an evaluation needs."""

    score_all: bool = True
    """Score every sample, not only what the strategy needs: the verifier's AUROC and ECE are over all."""
    max_problems: int = 1000
    """Evaluate on the first this many problems of the split."""
    problems_per_call: int = 4
    """Problems per `Generator.sample` call (times n sequences decoded together)."""
    ece_bins: int = 10
    """Equal-width bins of the ECE."""
    backend: str = "auto"
    """How the model is loaded: "auto" (what the tutor runs: llama.cpp over the GGUF on a CPU with
    llama-cpp-python, else transformers), "llama.cpp" or "transformers"."""
    verifier: str = "final"
    """Which model of a `trainer run` scores the samples: "final" (the evaluated model's own verifier, so one
    model solves and judges) or "evaluator" (phase 2's evaluator, as the paper's SCR re-ranks with the
    evaluator fine-tuned in phase 2; the export then carries it in verifier/, where `tutor.models.load`
    finds it)."""

    def config_errors(self) -> list[str]:
        problems = super().config_errors()
        if self.backend not in BACKENDS:
            problems.append(f"backend must be one of {', '.join(BACKENDS)} (got {self.backend!r})")
        if self.verifier not in VERIFIER_SOURCES:
            problems.append(f"verifier must be one of {', '.join(VERIFIER_SOURCES)} (got {self.verifier!r})")
        if self.max_problems < 1 or self.problems_per_call < 1 or self.ece_bins < 1:
            problems.append("max_problems, problems_per_call and ece_bins must be at least 1")
        return problems


@dataclass
class ProblemResult:
    """Everything measured on one problem."""

    subject: str
    level: int | None
    greedy_correct: bool
    sample_correct: list[bool]
    scores: list[float | None]
    """The score each sample was ranked by (S_cls, discounted per false step when the step check is on)."""
    strategy_correct: dict[str, bool]
    topk_oracle: bool
    calibration_features: dict[str, float] | None
    """Confidence features of the tutor's answer when its confidence comes from the calibration (None when
    the direct computation decided it, or there was no answer)."""
    calibration_label: bool
    baseline_greedy_correct: bool | None = None
    """Pass@1 of a baseline model on the same problem (the SSFT model, for the multi-task comparison)."""
    answers: list[str | None] = field(default_factory=list)
    """The extracted answer of each sample (for accuracy vs N; empty in results written before it existed)."""
    wrong_steps: list[int] = field(default_factory=list)
    """Arithmetic steps of each sample that do not hold (`tutor.grading.steps`), step check on or off."""
    verifier_scores: list[float | None] = field(default_factory=list)
    """S_cls of each sample before the step check's discount (the paper's RR, from the same run)."""
    tutor_correct: bool | None = None
    """Whether the answer the tutor shows is right (its strategy, fallbacks and the direct computation)."""
    confidence: float | None = None
    """The tutor's confidence in that answer."""
    source: str = "model"
    """Where the tutor's answer came from: "model", "computation" or "none"."""
    n_tokens: list[int] = field(default_factory=list)
    """Tokens of each sample."""
    computed_spans: list[int] = field(default_factory=list)
    """Values the calculator wrote into each sample."""
    ill_posed: bool = False
    """The problem has no answer (an evaluation set's `ill_posed` record): the tutor is right to give none, or
    to give one with confidence below ILL_POSED_CONFIDENCE; the other metrics leave it out."""


@dataclass
class EvalReport:
    """The metrics (fractions in [0, 1]) overall and per subject / level, plus the fitted calibration."""

    n: int
    k: int
    problems: int
    metrics: dict[str, float]
    by_subject: dict[str, dict[str, float]] = field(default_factory=dict)
    by_level: dict[str, dict[str, float]] = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    """The settings the solves ran under (`tutor.solve.config.calibration_settings`: strategy, N, temperature,
    tokens, calculator, step check, backend, quantization)."""
    calibration: Calibration | None = None

    def to_dict(self) -> dict:
        data = {"n": self.n, "k": self.k, "problems": self.problems, "metrics": self.metrics,
                "by_subject": self.by_subject, "by_level": self.by_level, "settings": self.settings}
        if self.calibration is not None:
            data["calibration"] = {"ece_before": self.calibration.ece_before, "ece_after": self.calibration.ece_after}
        return data


def auroc(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """Area under the ROC curve (Mann-Whitney U; ties count one half); NaN without both classes."""
    pos = [s for s, y in zip(scores, labels) if y]
    neg = [s for s, y in zip(scores, labels) if not y]
    if not pos or not neg:
        return float("nan")
    ordered = sorted((s, i) for i, s in enumerate(list(pos) + list(neg)))
    ranks = [0.0] * len(ordered)
    i = 0
    while i < len(ordered):  # average ranks over ties
        j = i
        while j + 1 < len(ordered) and ordered[j + 1][0] == ordered[i][0]:
            j += 1
        for m in range(i, j + 1):
            ranks[ordered[m][1]] = (i + j) / 2 + 1
        i = j + 1
    rank_sum = sum(ranks[: len(pos)])
    return (rank_sum - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


def score_problem(problem, greedy: SampleRecord, result: SolveResult, config: EvalConfig, grade) -> ProblemResult:
    """All metrics of one problem from its greedy solution and the tutor's judged result over its N samples."""
    if getattr(problem, "ill_posed", None):
        handled = result.answer is None or result.confidence < ILL_POSED_CONFIDENCE
        return ProblemResult(
            subject=getattr(problem, "subject", "") or "", level=getattr(problem, "level", None), greedy_correct=False,
            sample_correct=[False] * len(result.samples), scores=[s.score for s in result.samples],
            strategy_correct={}, topk_oracle=False, calibration_label=False,
            calibration_features=features_of(result, config.sampling().n) if result.source == "model" else None,
            answers=[s.answer for s in result.samples], tutor_correct=handled, confidence=result.confidence,
            source=result.source, ill_posed=True)
    samples = result.samples
    scores = [s.score for s in samples]
    correct_answer = {c.answer: grade(c.answer, problem.answer) for c in result.clusters}
    strategy_correct = {}
    for metric, strategy in STRATEGY_METRICS.items():
        ranked = rank(strategy, result.clusters, scores, config.k)
        strategy_correct[metric] = bool(ranked) and correct_answer[ranked[0].answer]
    if all(s.verifier_score is not None for s in samples):  # the paper's SCR: S_cls alone, no step check
        ranked = rank("rr_topk", result.clusters, [s.verifier_score for s in samples], config.k)
        strategy_correct[SCLS_METRIC] = bool(ranked) and correct_answer[ranked[0].answer]
    tutor_correct = result.answer is not None and grade(result.answer, problem.answer)
    calibrated = result.source == "model" and (result.symbolic is None or result.symbolic.status != "agree")
    return ProblemResult(
        subject=getattr(problem, "subject", "") or "", level=getattr(problem, "level", None),
        greedy_correct=grade(greedy.answer, problem.answer),
        sample_correct=[grade(s.answer, problem.answer) for s in samples], scores=scores,
        strategy_correct=strategy_correct,
        topk_oracle=any(correct_answer[c.answer] for c in vote_order(result.clusters)[: config.k]),
        calibration_features=features_of(result, config.sampling().n) if calibrated else None,
        calibration_label=tutor_correct,
        answers=[s.answer for s in samples],
        wrong_steps=[s.wrong_steps for s in samples],
        verifier_scores=[s.verifier_score for s in samples],
        tutor_correct=tutor_correct, confidence=result.confidence, source=result.source,
        n_tokens=[s.n_tokens for s in samples], computed_spans=[len(s.computed) for s in samples],
    )


def accuracy_by_n(results: Sequence[ProblemResult], k: int, grading_timeout: float = 1.0,
                  sizes: Sequence[int] | None = None) -> dict[str, dict[int, float]]:
    """Accuracy of every strategy and oracle when each problem keeps only its first n samples, for n in
    `sizes` (default 1, 2, 4, ... up to N): the paper's accuracy-vs-N curves, from stored results alone.

    A cluster is correct when its members are (they are equivalent answers), so nothing is re-graded.
    """
    from tutor.grading import cluster_answers

    usable = [r for r in results if r.answers and len(r.answers) == len(r.sample_correct)]
    if not usable:
        return {}
    most = min(len(r.answers) for r in usable)
    sizes = sizes or sorted({min(1 << i, most) for i in range(most.bit_length() + 1)})
    curves: dict[str, dict[int, float]] = defaultdict(dict)
    for n in sizes:
        hits: dict[str, int] = defaultdict(int)
        for r in usable:
            clusters = cluster_answers(r.answers[:n], timeout=grading_timeout)
            correct = {c.answer: r.sample_correct[c.members[0]] for c in clusters}
            for metric, strategy in STRATEGY_METRICS.items():
                ranked = rank(strategy, clusters, r.scores[:n], k)
                hits[metric] += bool(ranked) and correct[ranked[0].answer]
            hits["MajK@N"] += any(correct[c.answer] for c in vote_order(clusters)[:k])
            hits["Pass@N"] += any(r.sample_correct[:n])
        for metric, count in hits.items():
            curves[metric][n] = count / len(usable)
    return dict(curves)


def aggregate(results: Sequence[ProblemResult]) -> dict[str, float]:
    """Accuracy of every metric over a set of problems."""
    if not results:
        return {}
    count = len(results)
    tutor = [r.tutor_correct for r in results if r.tutor_correct is not None]
    metrics = {"Tutor": sum(tutor) / len(tutor) if tutor else float("nan"),
               "Pass@1": sum(r.greedy_correct for r in results) / count,
               "Pass@N": sum(any(r.sample_correct) for r in results) / count,
               "MajK@N": sum(r.topk_oracle for r in results) / count}
    for metric in STRATEGY_METRICS:
        metrics[metric] = sum(r.strategy_correct[metric] for r in results) / count
    scls = [r.strategy_correct[SCLS_METRIC] for r in results if SCLS_METRIC in r.strategy_correct]
    if scls:
        metrics[SCLS_METRIC] = sum(scls) / len(scls)
    ordered = {name: metrics[name] for name in METRIC_ORDER if name in metrics}
    baseline = [r.baseline_greedy_correct for r in results if r.baseline_greedy_correct is not None]
    if baseline:
        ordered["baseline_Pass@1"] = sum(baseline) / len(baseline)
    return ordered


def _scored(results: Sequence[ProblemResult], attribute: str) -> tuple[list[float], list[bool]]:
    pairs = [(score, label) for r in results for score, label in zip(getattr(r, attribute), r.sample_correct)
             if score is not None]
    return [score for score, _ in pairs], [label for _, label in pairs]


def honesty(results: Sequence[ProblemResult]) -> dict[str, float]:
    """How often the tutor is confidently wrong: the share of its wrong answers with confidence >= each level of
    CONFIDENT, the tutor's ECE, and for ill-posed problems the share it handled (no answer, or confidence below
    ILL_POSED_CONFIDENCE) and the count it answered confidently."""
    metrics: dict[str, float] = {}
    posed = [r for r in results if not r.ill_posed and r.tutor_correct is not None and r.confidence is not None]
    wrong = [r for r in posed if not r.tutor_correct]
    for level in CONFIDENT:
        metrics[f"wrong_with_confidence_>={level}"] = (sum(r.confidence >= level for r in wrong) / len(wrong)
                                                      if wrong else 0.0)
    if posed:
        metrics["tutor_confidence_ece"] = expected_calibration_error([r.confidence for r in posed],
                                                                     [bool(r.tutor_correct) for r in posed])
    ill = [r for r in results if r.ill_posed]
    if ill:
        metrics["ill_posed_handled"] = sum(bool(r.tutor_correct) for r in ill) / len(ill)
        metrics["ill_posed_answered_confidently"] = float(sum(not r.tutor_correct for r in ill))
    return metrics


def as_shipped(results: Sequence[ProblemResult], calibration: Calibration) -> list[ProblemResult]:
    """The results with the confidence the app shows under `calibration` (the model's calibration.json): the
    evaluation solves uncalibrated, to fit its own, and the same features give the shipped confidence."""
    shown = []
    for r in results:
        if r.calibration_features is not None:
            r = replace(r, confidence=calibration.predict(r.calibration_features))
            if r.ill_posed:
                r.tutor_correct = r.confidence < ILL_POSED_CONFIDENCE
        shown.append(r)
    return shown


def summarize(results: Sequence[ProblemResult], config: EvalConfig, settings: dict | None = None,
              shipped: Calibration | None = None) -> EvalReport:
    """Overall metrics, verifier AUROC/ECE, breakdowns, and the calibration fit (which records `settings`,
    the `calibration_settings` the solves ran under). Ill-posed problems count only in `honesty`. With the
    model's own calibration (`shipped`), the honesty metrics also as the app shows them (`shipped_...`)."""
    every = results
    results = [r for r in results if not r.ill_posed]
    metrics = aggregate(results) | honesty(every)
    if shipped is not None:
        metrics |= {f"shipped_{name}": value for name, value in honesty(as_shipped(every, shipped)).items()}
    flat_labels = [y for r in results for y in r.sample_correct]
    metrics["sample_accuracy"] = sum(flat_labels) / max(1, len(flat_labels))
    scores, labels = _scored(results, "scores")
    metrics["verifier_auroc"] = auroc(scores, labels)
    metrics["verifier_ece"] = expected_calibration_error(scores, labels, config.ece_bins)
    scls, labels = _scored(results, "verifier_scores")
    if scls:
        metrics["verifier_auroc_scls"] = auroc(scls, labels)
    steps = [w for r in results for w in r.wrong_steps]
    if steps:
        metrics["false_step_share"] = sum(w > 0 for w in steps) / len(steps)
    groups_subject, groups_level = defaultdict(list), defaultdict(list)
    for r in results:
        groups_subject[r.subject].append(r)
        groups_level[str(r.level)].append(r)
    report = EvalReport(config.n, config.k, len(results), metrics,
                        {s: aggregate(rs) | {"problems": len(rs)} for s, rs in sorted(groups_subject.items())},
                        {lv: aggregate(rs) | {"problems": len(rs)} for lv, rs in sorted(groups_level.items())},
                        settings=settings or calibration_settings(config))
    rows = [(r.calibration_features, r.calibration_label) for r in results if r.calibration_features is not None]
    try:
        report.calibration = fit_calibration([f for f, _ in rows], [y for _, y in rows])
        report.calibration.settings = report.settings
        metrics["confidence_ece_before"] = report.calibration.ece_before
        metrics["confidence_ece_after"] = report.calibration.ece_after
    except ValueError as exc:  # all winners right (or all wrong): nothing to fit
        log.warning("no calibration fitted: %s", exc)
    return report


def load_results(path: Path | None) -> list[ProblemResult]:
    """Per-problem results written so far by `evaluate` (a resumed evaluation continues after them)."""
    if path is None or not path.exists():
        return []
    return [ProblemResult(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(generator, verifier, problems: Sequence, config: EvalConfig, seed: int = 0, progress: bool = True,
             results_path: Path | None = None, baseline=None,
             on_progress: Callable[[int, int], None] | None = None) -> EvalReport:
    """Solve every problem (the first config.max_problems of `problems`) as the tutor does, and grade it.

    With `results_path`, each problem's result is appended there as it is done and problems already in it
    are skipped, so an interrupted evaluation resumes (sampling seeds depend only on the problem's
    position). `baseline` (a Generator) adds its greedy Pass@1 on the same problems. `on_progress(done, total)`
    follows the problems (the trainer writes it to the store, where the app's Retrain tab reads it).
    """
    grade = make_grader(config.grading_timeout)
    solver = Solver(generator, verifier, config, calibration=Solver.UNCALIBRATED)
    greedy_params = replace(config.sampling(), n=1, temperature=0.0, seed=None)
    chosen = list(problems[: config.max_problems])
    results = load_results(results_path)
    bar = tqdm(total=len(chosen), initial=len(results), desc="eval", disable=not progress, dynamic_ncols=True)
    for start in range(len(results), len(chosen), config.problems_per_call):
        chunk = chosen[start : start + config.problems_per_call]
        texts = [p.problem for p in chunk]
        greedy = sample(generator, texts, greedy_params)
        solved = solver.solve_batch(texts, seed=seed + start)
        base = sample(baseline, texts, greedy_params) if baseline is not None else [None] * len(chunk)
        done = []
        for problem, greedy_row, result, base_row in zip(chunk, greedy, solved, base):
            result = score_problem(problem, greedy_row[0], result, config, grade)
            if base_row is not None:
                result.baseline_greedy_correct = grade(base_row[0].answer, problem.answer)
            done.append(result)
        results += done
        if results_path is not None:
            with results_path.open("a", encoding="utf-8") as handle:
                handle.write("".join(json.dumps(asdict(r)) + "\n" for r in done))
        bar.update(len(chunk))
        if on_progress is not None:
            on_progress(len(results), len(chosen))
        bar.set_postfix(tutor=f"{sum(bool(r.tutor_correct) for r in results) / len(results):.2f}")
    bar.close()
    return summarize(results, config, solver.settings, shipped_calibration(generator, solver.settings))


def shipped_calibration(generator, settings: dict) -> Calibration | None:
    """The calibration the app would apply to this model under these settings, if it ships one that fits."""
    try:
        calibration = load_calibration(getattr(generator, "path", None))
    except ModelLoadError as exc:
        log.warning("%s", exc)
        return None
    return calibration if calibration is not None and not calibration.mismatch(settings) else None


def report_from_results(paths: Sequence[Path], config: EvalConfig, settings: dict | None = None) -> EvalReport:
    """One report over the per-problem results of several (sharded or partial) evaluations."""
    return summarize([r for path in paths for r in load_results(path)], config, settings)


def format_table(report: EvalReport, title: str = "") -> str:
    """A Markdown table of the headline metrics (percentages), N and K substituted into the names."""
    def name(metric: str) -> str:
        return metric.replace("@N", f"@{report.n}").replace("Top-K", f"Top-{report.k}").replace("MajK", f"Maj{report.k}")

    lines = [f"{title}" if title else "", "| metric | value |", "| --- | --- |"]
    lines += [f"| {name(m)} | {100 * report.metrics[m]:.1f} % |" for m in METRIC_ORDER if m in report.metrics]
    honest = ("tutor_confidence_ece", *(f"wrong_with_confidence_>={level}" for level in CONFIDENT),
              "ill_posed_handled", "ill_posed_answered_confidently")
    for extra in ("verifier_auroc", "verifier_auroc_scls", "verifier_ece", "confidence_ece_before",
                  "confidence_ece_after", "sample_accuracy", "false_step_share", *honest,
                  *(f"shipped_{name}" for name in honest)):
        if extra in report.metrics:
            lines.append(f"| {extra} | {report.metrics[extra]:.3f} |")
    lines.append(f"\n{report.problems} problems, N = {report.n}, K = {report.k}; settings: "
                 + ", ".join(f"{key} {value}" for key, value in report.settings.items()) + ".")
    return "\n".join(line for line in lines if line != "" or False)
