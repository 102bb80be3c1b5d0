"""Deterministic generation of unique synthetic problems and the train/validation/test JSONL split.

The run's master seed picks, for each problem, a subject (uniformly), a template of it (uniformly), a level
(uniformly 1-5), a 63-bit seed for the numbers and a wording (`SynthConfig.wordings`); a record's (template,
level, seed, wording) regenerate it with `make_problem`. Problems are unique across all three splits both by
exact text and by their formal LaTeX text, so no test problem can appear in train, not even in another
wording.
"""

from __future__ import annotations

import functools
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from trainer.data.problem import Problem
from trainer.data.synth import verify
from trainer.data.synth.base import LEVELS, REGISTRY, SUBJECTS, Draft, Template
from trainer.data.synth.wording import WORDINGS, render
from tutor.errors import ConfigError

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
    # Seeds tried per (template, level) slot for a problem text not generated yet.
    attempts_per_slot: int = 16
    # Give up (the template spaces are too small for n) after this many slots per requested problem.
    max_slots_per_problem: int = 5
    # Show a progress bar on stderr.
    progress: bool = False
    # Share of each wording of the problem text (weights, normalised): "latex" (the template's formal LaTeX),
    # "plain" (ASCII math: 3*x, x^2, sqrt(50), a/b), "casual" (lower case, little punctuation, "whats", small
    # typos) and "word" (a short word problem with names and units; plain text where a template has none).
    # The answer and solution never change with the wording. {"latex": 1} writes the formal text only.
    wordings: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WORDINGS))

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ConfigError(f"n must be >= 1, got {self.n}")
        if min(self.validation_fraction, self.test_fraction) < 0 or self.validation_fraction + self.test_fraction >= 1:
            raise ConfigError("validation_fraction and test_fraction must be >= 0 and add up to less than 1, got "
                              f"{self.validation_fraction} and {self.test_fraction}")
        if self.attempts_per_slot < 1 or self.max_slots_per_problem < 1:
            raise ConfigError("attempts_per_slot and max_slots_per_problem must be >= 1")
        unknown = sorted(set(self.wordings) - set(WORDINGS))
        if unknown or any(w < 0 for w in self.wordings.values()) or sum(self.wordings.values()) <= 0:
            raise ConfigError(f"wordings must map some of {', '.join(WORDINGS)} to weights >= 0 with a positive "
                              f"sum, got {self.wordings}")

    def pick_wording(self, rng: random.Random) -> str:
        """One wording, drawn with the configured weights (in WORDINGS order, so the draw is stable)."""
        names = [w for w in WORDINGS if self.wordings.get(w, 0) > 0]
        return rng.choices(names, weights=[self.wordings[w] for w in names])[0]


DEFAULT_WORDINGS = {"latex": 0.4, "plain": 0.25, "casual": 0.2, "word": 0.15}


@functools.cache
def templates_by_subject() -> dict[str, tuple[Template, ...]]:
    """Registered templates grouped by subject, in registration order (stable across runs)."""
    groups = {subject: tuple(t for t in REGISTRY.values() if t.subject == subject) for subject in SUBJECTS}
    return {subject: group for subject, group in groups.items() if group}


def draft_for(template_name: str, level: int, seed: int) -> Draft:
    """The draft (with its sympy ground truth) of one template at one level; `seed` picks the numbers."""
    return REGISTRY[template_name].make(random.Random(seed), level)


def worded(draft: Draft, template_name: str, seed: int, wording: str) -> tuple[str, str]:
    """(text, wording actually used): the draft's problem in `wording`, or the formal LaTeX when the template
    has no such form. The wording's own choices (names, typos) come from the record's seed."""
    if wording == "latex":
        return draft.problem, "latex"
    if wording == "word" and draft.word is None:
        wording = "plain"  # a template without a word problem: the plain text
    text = render(draft.problem, draft.word, wording, random.Random(f"{template_name}:{seed}:{wording}"))
    return (draft.problem, "latex") if text is None else (text, wording)


def make_problem(template_name: str, level: int, seed: int, verify_answer: bool = True,
                 wording: str = "latex", draft: Draft | None = None) -> Problem:
    """One synthetic problem, re-verified unless `verify_answer` is False; a record's (template, level,
    seed, wording) regenerate it exactly (`draft`: the template's draft for them, when already made)."""
    draft = draft or draft_for(template_name, level, seed)
    solution = draft.solution
    if verify_answer:
        verify.check(solution, draft.truth, where=f"template {template_name} level {level} seed {seed}")
    text, used = worded(draft, template_name, seed, wording)
    return Problem(
        problem=text,
        solution=solution,
        answer=draft.answer,
        subject=REGISTRY[template_name].subject,
        level=level,
        unique_id="",
        source="synthetic",
        template=template_name,
        seed=seed,
        wording=used,
    )


def generate(config: SynthConfig) -> Iterator[Problem]:
    """`config.n` problems with distinct texts, in generation order (unique_id left empty).

    Each slot draws a subject, a template of it and a level, then tries up to `attempts_per_slot` seeds for
    a text not seen yet, so small template spaces (level-1 trigonometry has a few dozen problems) don't
    tilt the subject and level mix; a (template, level) whose attempts all repeat is not drawn again.
    """
    master = random.Random(config.seed)
    catalog = templates_by_subject()
    subjects = list(catalog)
    seen: set[str] = set()  # problem texts written, in any wording, and their formal LaTeX texts
    written = 0
    exhausted: set[tuple[str, int]] = set()
    slots = 0
    with tqdm(total=config.n, disable=not config.progress, unit="problem", desc="synth") as bar:
        while written < config.n:
            slots += 1
            if slots > config.max_slots_per_problem * config.n:
                raise ConfigError(f"the templates ran out of new problems after {written} unique ones; ask for "
                                  f"fewer than n={config.n}")
            tmpl = master.choice(catalog[master.choice(subjects)])
            level = master.choice(LEVELS)
            if (tmpl.name, level) in exhausted:
                continue
            for _ in range(config.attempts_per_slot):
                seed, wording = master.getrandbits(63), config.pick_wording(master)
                draft = draft_for(tmpl.name, level, seed)
                formal = draft.problem
                if formal in seen:
                    continue
                problem = make_problem(tmpl.name, level, seed, config.verify, wording, draft)
                if problem.problem not in seen:
                    seen.update((formal, problem.problem))
                    written += 1
                    bar.update()
                    yield problem
                    break
            else:  # every attempt was a repeat: this template has (nearly) run out of problems at this level
                exhausted.add((tmpl.name, level))


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
