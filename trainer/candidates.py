"""Sampling and labelling candidate solutions for the evaluator (phase 2) and the contrastive stage.

For each training problem we sample N solutions from the phase-1 model with the tutor's own fast backend
(`trainer.inference`: the code the app runs), extract each final answer and label it with the grader:
correct iff g(extracted answer, reference answer). The candidates go to the store with the run.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from functools import lru_cache

from tqdm.auto import tqdm

from tutor.prompts import SOLVER_STOP
from tutor.solve.config import SamplingParams
from tutor.solve.pipeline import sample

log = logging.getLogger(__name__)


@dataclass
class CandidatesConfig(SamplingParams):
    """How many candidates to sample per training problem, and how: the tutor's `SamplingParams` (so the
    calculator and every other sampling setting is the tutor's), with the paper's candidate temperature."""

    temperature: float = 0.9
    """Sampling temperature (0.9 / top-p 0.95, as a secondary source reports for the paper)."""
    max_new_tokens: int = 256
    """Longest candidate; a truncated one usually has no answer and is labelled incorrect."""
    max_problems: int = 1000
    """Training problems to sample for (the first ones of the training split)."""
    with_phase1_problems: bool = False
    """With data.candidate_problems: sample phase 1's own problems too, after the held-out ones (max_problems
    in all). Measured on the default recipe's model (within-problem pair accuracy of the trained verifier on
    1,000 test problems): 600 held-out + 1,000 phase-1 problems 0.60-0.64 over three seeds, vs 0.50 with
    phase-1 problems only and 0.54 with 3,000 held-out ones only. Not reproduced by the full recipe: its
    phase-2 evaluator scored 0.49 on the SSFT model's samples of 300 test problems (see the model card)."""
    problems_per_call: int = 8
    """Problems per `Generator.sample` call (times n sequences decoded together)."""
    grading_timeout: float = 1.0
    """Seconds allowed per answer comparison."""
    prefix_cuts: int = 0
    """Reference-prefix rollouts (our addition, not the paper's): per problem, this many cut points of the
    reference solution (after an "=" or a line break, before the final-answer line); the model continues
    each cut prefix `samples_per_cut` times. The candidate is prefix + continuation, so a correct and an
    incorrect rollout of one cut differ only where the model's own continuation goes wrong, and problems
    the model rarely solves from scratch still get correct candidates (pairs for the margin loss).
    Measured on the default recipe's SSFT model (1,600 problems x 16, plus 4 cuts x 4): 11.6 % of rollouts
    correct vs 5.9 % of plain samples, problems with both labels 431 -> 743, distinct correct candidates
    1,044 -> 2,264; yet a 600-step evaluator trained on both ranked the multi-task model's test samples
    (1,000 problems) at within-problem pair accuracy 0.533, vs 0.527 without them (see the model card)."""
    samples_per_cut: int = 4
    """Continuations sampled per cut prefix."""
    backend: str = "auto"
    """"auto" (llama.cpp over a q8_0 export on a CPU with llama-cpp-python, else transformers),
    "llama.cpp" or "transformers" (see trainer.inference)."""


@dataclass
class Candidate:
    """One sampled solution with its label."""

    problem_id: str
    sample_index: int
    problem: str
    solution: str
    answer: str | None
    reference: str
    correct: bool

    def to_dict(self) -> dict:
        return asdict(self)


def make_grader(timeout: float) -> Callable[[str | None, str], bool]:
    """g(answer, reference) with a cache: many samples repeat the same answer."""

    from tutor.grading import is_equivalent

    @lru_cache(maxsize=200_000)
    def grade(answer: str | None, reference: str) -> bool:
        return answer is not None and is_equivalent(answer, reference, timeout=timeout)

    return grade


def label_samples(problem, texts: Sequence[str], grade: Callable[[str | None, str], bool], start: int = 0) -> list[Candidate]:
    """Candidates of one problem (an object with .problem, .answer, .unique_id) from sampled texts."""
    from tutor.grading import extract_answer

    out = []
    for index, text in enumerate(texts, start=start):
        answer = extract_answer(text)
        out.append(Candidate(problem.unique_id, index, problem.problem, text, answer, problem.answer,
                             grade(answer, problem.answer)))
    return out


_CUT_AFTER = re.compile(r"= |\n")


def reference_prefixes(solution: str, count: int, rng: random.Random) -> list[str]:
    """Up to `count` distinct prefixes of a reference solution, each ending right after an "= " or a line
    break that comes before the final-answer line (a cut inside that line leaves nothing to get wrong)."""
    body_end = solution.rstrip().rfind("\n")
    if body_end > 0:
        cuts = [m.end() for m in _CUT_AFTER.finditer(solution) if m.end() <= body_end]
    else:  # no final-answer line of its own: cut inside the equalities, before the last one
        cuts = [m.end() for m in re.finditer("= ", solution)][:-1]
    chosen = rng.sample(cuts, min(count, len(cuts)))
    return [solution[:cut] for cut in sorted(chosen)]


def _prefix_rollouts(generator, chunk: Sequence, config: CandidatesConfig, seed: int, grade) -> list[Candidate]:
    """config.samples_per_cut continuations of config.prefix_cuts reference prefixes per problem, labelled."""
    jobs = [(p, prefix) for p in chunk
            for prefix in reference_prefixes(p.solution, config.prefix_cuts, random.Random(f"{seed}:{p.unique_id}"))]
    if not jobs:
        return []
    rows = generator.sample([generator.solver_prompt(p.problem) + prefix for p, prefix in jobs],
                            n=config.samples_per_cut, temperature=config.temperature, top_p=config.top_p,
                            max_new_tokens=config.max_new_tokens, stop=SOLVER_STOP, seed=seed,
                            calculator=config.calculator)
    out: list[Candidate] = []
    next_index = dict.fromkeys((p.unique_id for p in chunk), config.n)
    for (problem, prefix), row in zip(jobs, rows):
        out += label_samples(problem, [prefix + s.text for s in row], grade, start=next_index[problem.unique_id])
        next_index[problem.unique_id] += len(row)
    return out


def sample_candidates(
    generator, problems: Sequence, config: CandidatesConfig, seed: int = 0,
    on_batch: Callable[[list[Candidate]], None] | None = None, done_ids: Iterable[str] = (),
) -> list[Candidate]:
    """Sample config.n solutions per problem through the tutor's pipeline and label them; `on_batch`
    receives each labelled batch. Problems whose id is in `done_ids` are skipped (a resumed run already
    stored their candidates)."""
    grade = make_grader(config.grading_timeout)
    skip = set(done_ids)
    todo = [p for p in problems[: config.max_problems] if p.unique_id not in skip]
    labelled: list[Candidate] = []
    bar = tqdm(total=len(todo), desc="candidates", dynamic_ncols=True)
    for start in range(0, len(todo), config.problems_per_call):
        chunk = todo[start : start + config.problems_per_call]
        rows = sample(generator, [p.problem for p in chunk], replace(config, seed=seed + start))
        batch = [c for p, row in zip(chunk, rows) for c in label_samples(p, [s.text for s in row], grade)]
        if config.prefix_cuts:
            batch += _prefix_rollouts(generator, chunk, config, seed + start, grade)
        labelled += batch
        if on_batch is not None:
            on_batch(batch)
        bar.update(len(chunk))
        bar.set_postfix(correct=f"{sum(c.correct for c in labelled) / max(1, len(labelled)):.2f}")
    bar.close()
    return labelled
