"""Deterministic generation of unique synthetic problems and the train/validation/test JSONL split.

Every problem has its own 63-bit seed drawn from the run's master seed; that seed alone picks the subject
(uniformly), the template (uniformly within the subject), the level (uniformly 1-5) and the numbers, so
`make_problem(seed)` regenerates any record. Problems are unique by exact text across all three splits, so
no test problem can appear in train.
"""

from __future__ import annotations

import functools
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from trainer.data.problem import Problem
from trainer.data.synth import verify
from trainer.data.synth.base import LEVELS, REGISTRY, SUBJECTS, Draft, Template

SPLITS = ("train", "validation", "test")


@dataclass
class SynthConfig:
    """How `trainer data synth` makes a dataset."""

    # Number of unique problems over all splits.
    n: int = 50_000
    # Master seed; the same seed gives byte-identical files.
    seed: int = 0
    # Share of problems written to validation.jsonl and test.jsonl (the rest go to train.jsonl).
    validation_fraction: float = 0.02
    test_fraction: float = 0.02
    # Re-check every record's boxed answer against sympy with the grader (a mismatch raises SynthesisBug).
    verify: bool = True
    # Give up (a template space is too small) after this many draws per requested problem.
    max_draws_per_problem: int = 20
    # Show a progress bar on stderr.
    progress: bool = False

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError(f"n must be >= 1, got {self.n}")
        if not 0 <= self.validation_fraction + self.test_fraction < 1:
            raise ValueError("validation_fraction + test_fraction must be in [0, 1)")


@functools.cache
def templates_by_subject() -> dict[str, tuple[Template, ...]]:
    """Registered templates grouped by subject, in registration order (stable across runs)."""
    groups = {subject: tuple(t for t in REGISTRY.values() if t.subject == subject) for subject in SUBJECTS}
    return {subject: group for subject, group in groups.items() if group}


def draft_for(seed: int) -> tuple[Template, int, Draft]:
    """The template, level and draft (with its sympy ground truth) that one per-problem seed picks."""
    rng = random.Random(seed)
    catalog = templates_by_subject()
    subject = rng.choice(list(catalog))
    tmpl = rng.choice(catalog[subject])
    level = rng.choice(LEVELS)
    return tmpl, level, tmpl.make(rng, level)


def make_problem(seed: int, verify_answer: bool = True, unique_id: str = "") -> Problem:
    """The synthetic problem for one per-problem seed (re-verified unless `verify_answer` is False)."""
    tmpl, level, draft = draft_for(seed)
    subject = tmpl.subject
    solution = draft.solution
    if verify_answer:
        verify.check(solution, draft.truth, where=f"template {tmpl.name} seed {seed} level {level}")
    return Problem(
        problem=draft.problem,
        solution=solution,
        answer=draft.answer,
        subject=subject,
        level=level,
        unique_id=unique_id,
        source="synthetic",
        template=tmpl.name,
        seed=seed,
    )


def generate(config: SynthConfig) -> Iterator[Problem]:
    """`config.n` problems with distinct texts, in generation order (unique_id left empty)."""
    master = random.Random(config.seed)
    seen: set[str] = set()
    draws = 0
    with tqdm(total=config.n, disable=not config.progress, unit="problem", desc="synth") as bar:
        while len(seen) < config.n:
            draws += 1
            if draws > config.max_draws_per_problem * config.n:
                raise RuntimeError(f"only {len(seen)} unique problems after {draws - 1} draws")
            problem = make_problem(master.getrandbits(63), verify_answer=config.verify)
            if problem.problem in seen:
                continue
            seen.add(problem.problem)
            bar.update()
            yield problem


def split_sizes(config: SynthConfig) -> dict[str, int]:
    n_test = round(config.n * config.test_fraction)
    n_validation = round(config.n * config.validation_fraction)
    return {"test": n_test, "validation": n_validation, "train": config.n - n_test - n_validation}


def _slug(subject: str) -> str:
    return subject.lower().replace(" & ", "_").replace(" ", "_")


def write_splits(config: SynthConfig, out_dir: str | Path) -> dict[str, int]:
    """Write train/validation/test JSONL (MATH500 schema + source/template/seed); returns the counts.

    The first problems generated go to test, then validation, then train: generation order is already
    random, and a smaller run with the same seed keeps the same test set.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sizes = split_sizes(config)
    order = ["test", "validation", "train"]
    files = {name: (out / f"{name}.jsonl").open("w", encoding="utf-8", newline="\n") for name in SPLITS}
    try:
        split_index, written = 0, 0
        for problem in generate(config):
            while written >= sizes[order[split_index]]:
                split_index, written = split_index + 1, 0
            split = order[split_index]
            uid = f"synth/{split}/{_slug(problem.subject)}/{written}.json"
            record = problem.to_dict() | {"unique_id": uid}
            files[split].write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
    finally:
        for handle in files.values():
            handle.close()
    return sizes
