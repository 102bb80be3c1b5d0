"""`trainer eval`: the paper's metrics for a model on a held-out split, with the tutor's own strategies.

For each problem: one greedy solution (Pass@1) and N sampled ones, answers extracted and clustered by the
grader, every sample scored by the verifier (discounted per false arithmetic step, as the tutor does,
unless `step_check` is off), then each strategy of `tutor.solve.strategies` picks an answer
— the very functions the app runs, so a number here is the number a student gets.

Metrics (METHOD.md): Pass@1, Pass@N (oracle), Maj1@N, MajK@N (oracle over the top-K clusters), RR.All,
RR.Top-K, W.RR, W.RR.Top-K; the verifier's AUROC and ECE over all samples; the same broken down by subject
and level. The confidence calibration of `tutor.solve.calibration` is fitted on the RR.Top-K winners.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from trainer.candidates import make_grader
from tutor.prompts import SOLVER_STOP
from tutor.solve.calibration import (
    Calibration,
    confidence_features,
    expected_calibration_error,
    fit_calibration,
)
from tutor.solve.checked import DEFAULT_STEP_PENALTY, StepCheckedVerifier
from tutor.solve.strategies import rank, vote_order

log = logging.getLogger(__name__)

VERIFIER_SOURCES = ("final", "evaluator")  # EvalConfig.verifier
# metric name -> strategy of tutor.solve.strategies (the chosen answer's accuracy)
STRATEGY_METRICS = {"Maj1@N": "maj1", "RR.All": "rr_all", "RR.Top-K": "rr_topk", "W.RR": "wrr", "W.RR.Top-K": "wrr_topk"}
METRIC_ORDER = ("Pass@1", "Maj1@N", "RR.All", "RR.Top-K", "W.RR", "W.RR.Top-K", "MajK@N", "Pass@N")


@dataclass
class EvalConfig:
    """How `trainer eval` samples and scores (defaults match the tutor's SolveConfig where they overlap)."""

    n: int = 16
    """Samples per problem (the paper: 64)."""
    k: int = 8
    """Clusters kept by the *_topk strategies and MajK@N."""
    temperature: float = 0.7
    """Sampling temperature (the tutor's default, so the card reports what a student gets)."""
    top_p: float = 0.95
    """Nucleus sampling mass."""
    max_new_tokens: int = 256
    """Longest solution."""
    max_problems: int = 1000
    """Evaluate on the first this many problems of the split."""
    problems_per_call: int = 4
    """Problems per `Generator.sample` call (times n sequences decoded together)."""
    grading_timeout: float = 1.0
    """Seconds per answer comparison."""
    ece_bins: int = 10
    """Equal-width bins of the ECE."""
    backend: str = "auto"
    """How `trainer run` loads the model it evaluates: "auto" (llama.cpp over the GGUF the recipe exports,
    on a CPU with llama-cpp-python: what a student runs; else transformers), "llama.cpp" or "transformers"."""
    verifier: str = "final"
    """Which model of a `trainer run` scores the samples: "final" (the evaluated model's own verifier, so one
    model solves and judges) or "evaluator" (phase 2's evaluator, as the paper's SCR re-ranks with the
    evaluator fine-tuned in phase 2; the export then carries it in verifier/, where `tutor.models.load`
    finds it)."""
    step_check: bool = True
    """Discount each sample's verifier score per arithmetic step of it that does not hold, as the tutor does
    (`tutor.solve.checked`); False measures the verifier's S_cls alone, the paper's setup."""
    step_penalty: float = DEFAULT_STEP_PENALTY
    """The factor per false step (the tutor's SolveConfig.step_penalty)."""


@dataclass
class ProblemResult:
    """Everything measured on one problem."""

    subject: str
    level: int | None
    greedy_correct: bool
    sample_correct: list[bool]
    scores: list[float]
    strategy_correct: dict[str, bool]
    topk_oracle: bool
    calibration_features: dict[str, float] | None
    calibration_label: bool
    baseline_greedy_correct: bool | None = None
    """Pass@1 of a baseline model on the same problem (the SSFT model, for the multi-task comparison)."""
    answers: list[str | None] = field(default_factory=list)
    """The extracted answer of each sample (for accuracy vs N; empty in results written before it existed)."""
    wrong_steps: list[int] = field(default_factory=list)
    """Arithmetic steps of each sample that do not hold (`tutor.grading.steps`), step check on or off."""


@dataclass
class EvalReport:
    """The metrics (fractions in [0, 1]) overall and per subject / level, plus the fitted calibration."""

    n: int
    k: int
    problems: int
    metrics: dict[str, float]
    by_subject: dict[str, dict[str, float]] = field(default_factory=dict)
    by_level: dict[str, dict[str, float]] = field(default_factory=dict)
    calibration: Calibration | None = None

    def to_dict(self) -> dict:
        data = {"n": self.n, "k": self.k, "problems": self.problems, "metrics": self.metrics,
                "by_subject": self.by_subject, "by_level": self.by_level}
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


def score_problem(problem, greedy_text: str, texts: Sequence[str], scores: Sequence[float], config: EvalConfig,
                  grade) -> ProblemResult:
    """All metrics of one problem from its greedy solution, its N samples and their verifier scores."""
    from tutor.grading import cluster_answers, extract_answer
    from tutor.grading.steps import wrong_steps

    answers = [extract_answer(t) for t in texts]
    clusters = cluster_answers(answers, timeout=config.grading_timeout)
    correct_answer = {c.answer: grade(c.answer, problem.answer) for c in clusters}
    strategy_correct = {}
    for metric, strategy in STRATEGY_METRICS.items():
        ranked = rank(strategy, clusters, list(scores), config.k)
        strategy_correct[metric] = bool(ranked) and correct_answer[ranked[0].answer]
    scr = rank("rr_topk", clusters, list(scores), config.k)
    return ProblemResult(
        subject=getattr(problem, "subject", "") or "", level=getattr(problem, "level", None),
        greedy_correct=grade(extract_answer(greedy_text), problem.answer),
        sample_correct=[grade(a, problem.answer) for a in answers], scores=list(scores),
        strategy_correct=strategy_correct,
        topk_oracle=any(correct_answer[c.answer] for c in vote_order(clusters)[: config.k]),
        calibration_features=confidence_features(scr, len(texts)),
        calibration_label=bool(scr) and correct_answer[scr[0].answer],
        answers=answers,
        wrong_steps=[wrong_steps(t) for t in texts],
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
    metrics = {"Pass@1": sum(r.greedy_correct for r in results) / count,
               "Pass@N": sum(any(r.sample_correct) for r in results) / count,
               "MajK@N": sum(r.topk_oracle for r in results) / count}
    for metric in STRATEGY_METRICS:
        metrics[metric] = sum(r.strategy_correct[metric] for r in results) / count
    ordered = {name: metrics[name] for name in METRIC_ORDER}
    baseline = [r.baseline_greedy_correct for r in results if r.baseline_greedy_correct is not None]
    if baseline:
        ordered["baseline_Pass@1"] = sum(baseline) / len(baseline)
    return ordered


def summarize(results: Sequence[ProblemResult], config: EvalConfig) -> EvalReport:
    """Overall metrics, verifier AUROC/ECE, breakdowns, and the calibration fit."""
    metrics = aggregate(results)
    flat_scores = [s for r in results for s in r.scores]
    flat_labels = [y for r in results for y in r.sample_correct]
    metrics["sample_accuracy"] = sum(flat_labels) / max(1, len(flat_labels))
    metrics["verifier_auroc"] = auroc(flat_scores, flat_labels)
    metrics["verifier_ece"] = expected_calibration_error(flat_scores, flat_labels, config.ece_bins)
    groups_subject, groups_level = defaultdict(list), defaultdict(list)
    for r in results:
        groups_subject[r.subject].append(r)
        groups_level[str(r.level)].append(r)
    report = EvalReport(config.n, config.k, len(results), metrics,
                        {s: aggregate(rs) | {"problems": len(rs)} for s, rs in sorted(groups_subject.items())},
                        {lv: aggregate(rs) | {"problems": len(rs)} for lv, rs in sorted(groups_level.items())})
    rows = [(r.calibration_features, r.calibration_label) for r in results if r.calibration_features is not None]
    try:
        report.calibration = fit_calibration([f for f, _ in rows], [y for _, y in rows])
        report.calibration.step_check = config.step_check
        metrics["confidence_ece_before"] = report.calibration.ece_before
        metrics["confidence_ece_after"] = report.calibration.ece_after
    except ValueError as exc:  # all winners right (or all wrong): nothing to fit
        log.warning("no calibration fitted: %s", exc)
    return report


def unique_scores(verifier, problem: str, texts: Sequence[str]) -> list[float]:
    """S_cls of every text, scoring each distinct text once (a small model often repeats itself)."""
    distinct = list(dict.fromkeys(texts))
    by_text = dict(zip(distinct, verifier.p_correct([problem] * len(distinct), distinct)))
    return [by_text[t] for t in texts]


def load_results(path: Path | None) -> list[ProblemResult]:
    """Per-problem results written so far by `evaluate` (a resumed evaluation continues after them)."""
    if path is None or not path.exists():
        return []
    return [ProblemResult(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(generator, verifier, problems: Sequence, config: EvalConfig, seed: int = 0, progress: bool = True,
             results_path: Path | None = None, baseline=None) -> EvalReport:
    """Sample, cluster, score and rank every problem (the first config.max_problems of `problems`).

    With `results_path`, each problem's result is appended there as it is done and problems already in it
    are skipped, so an interrupted evaluation resumes (sampling seeds depend only on the problem's
    position). `baseline` (a Generator) adds its greedy Pass@1 on the same problems.
    """
    grade = make_grader(config.grading_timeout)
    if config.step_check:
        verifier = StepCheckedVerifier(verifier, config.step_penalty)
    chosen = list(problems[: config.max_problems])
    results = load_results(results_path)
    bar = tqdm(total=len(chosen), initial=len(results), desc="eval", disable=not progress, dynamic_ncols=True)
    common = {"max_new_tokens": config.max_new_tokens, "stop": SOLVER_STOP}
    for start in range(len(results), len(chosen), config.problems_per_call):
        chunk = chosen[start : start + config.problems_per_call]
        prompts = [generator.solver_prompt(p.problem) for p in chunk]
        greedy = generator.sample(prompts, n=1, temperature=0.0, **common)
        sampled = generator.sample(prompts, n=config.n, temperature=config.temperature, top_p=config.top_p,
                                   seed=seed + start, **common)
        base = (baseline.sample([baseline.solver_prompt(p.problem) for p in chunk], n=1, temperature=0.0, **common)
                if baseline is not None else [None] * len(chunk))
        done = []
        for problem, greedy_row, row, base_row in zip(chunk, greedy, sampled, base):
            texts = [s.text for s in row]
            scores = unique_scores(verifier, problem.problem, texts)
            result = score_problem(problem, greedy_row[0].text, texts, scores, config, grade)
            if base_row is not None:
                from tutor.grading import extract_answer

                result.baseline_greedy_correct = grade(extract_answer(base_row[0].text), problem.answer)
            done.append(result)
        results += done
        if results_path is not None:
            with results_path.open("a", encoding="utf-8") as handle:
                handle.write("".join(json.dumps(asdict(r)) + "\n" for r in done))
        bar.update(len(chunk))
        bar.set_postfix(pass1=f"{sum(r.greedy_correct for r in results) / len(results):.2f}")
    bar.close()
    return summarize(results, config)


def report_from_results(paths: Sequence[Path], config: EvalConfig) -> EvalReport:
    """One report over the per-problem results of several (sharded or partial) evaluations."""
    return summarize([r for path in paths for r in load_results(path)], config)


def format_table(report: EvalReport, title: str = "") -> str:
    """A Markdown table of the headline metrics (percentages), N and K substituted into the names."""
    def name(metric: str) -> str:
        return metric.replace("@N", f"@{report.n}").replace("Top-K", f"Top-{report.k}").replace("MajK", f"Maj{report.k}")

    lines = [f"{title}" if title else "", "| metric | value |", "| --- | --- |"]
    lines += [f"| {name(m)} | {100 * report.metrics[m]:.1f} % |" for m in METRIC_ORDER if m in report.metrics]
    for extra in ("verifier_auroc", "verifier_ece", "confidence_ece_before", "confidence_ece_after", "sample_accuracy"):
        if extra in report.metrics:
            lines.append(f"| {extra} | {report.metrics[extra]:.3f} |")
    lines.append(f"\n{report.problems} problems, N = {report.n}, K = {report.k}.")
    return "\n".join(line for line in lines if line != "" or False)
