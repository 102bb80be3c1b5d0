"""Counts of a problem set as plain-text tables (`trainer data stats FILE...`): per subject and level, per
curriculum topic (with how many of the topic's templates appear), per wording and per source, and
optionally per template.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from trainer.data.problem import Problem
from trainer.data.synth.topics import TOPICS, topic_of


def subject_level_table(problems: Iterable[Problem]) -> str:
    """One row per subject, one column per level (`L?` for problems without one), with totals."""
    cells: Counter[tuple[str, int | None]] = Counter((p.subject, p.level) for p in problems)
    subjects = sorted({subject for subject, _ in cells})
    levels = sorted({level for _, level in cells}, key=lambda level: (level is None, level or 0))
    width = max([len("subject"), *map(len, subjects)])
    names = [f"L{level}" if level is not None else "L?" for level in levels]
    lines = [f"{'subject':{width}s}" + "".join(f"{name:>7s}" for name in names) + f"{'total':>8s}"]
    for subject in subjects:
        row = [cells[(subject, level)] for level in levels]
        lines.append(f"{subject:{width}s}" + "".join(f"{count:7d}" for count in row) + f"{sum(row):8d}")
    totals = [sum(cells[(subject, level)] for subject in subjects) for level in levels]
    lines.append(f"{'total':{width}s}" + "".join(f"{count:7d}" for count in totals) + f"{sum(totals):8d}")
    return "\n".join(lines)


def _count_table(title: str, counts: Counter[str], order: Sequence[str] | None = None,
                 extra: dict[str, str] | None = None) -> str:
    """`title | records | share` rows (in `order`, then the rest by count), an optional extra column."""
    total = sum(counts.values()) or 1
    keys = [k for k in (order or []) if k in counts or extra] + sorted(
        (k for k in counts if k not in (order or [])), key=lambda k: (-counts[k], k))
    width = max([len(title), *map(len, keys)])
    header = f"{title:{width}s}{'records':>9s}{'share':>8s}" + (f"  {'templates seen':s}" if extra else "")
    lines = [header]
    for key in keys:
        line = f"{key:{width}s}{counts[key]:9d}{counts[key] / total:8.1%}"
        lines.append(line + (f"  {extra.get(key, '')}" if extra else ""))
    return "\n".join(lines)


def _topic(problem: Problem) -> str:
    return topic_of(problem.template) if problem.source == "synthetic" else f"(real: {problem.source})"


def topic_table(problems: Iterable[Problem]) -> str:
    """Records per curriculum topic (`trainer.data.synth.topics`), with how many of its templates appear;
    real problems are counted per source. A topic with no record shows 0: a gap in the coverage."""
    problems = list(problems)
    counts = Counter(_topic(p) for p in problems)
    seen = {p.template for p in problems if p.template}
    extra = {topic: f"{sum(name in seen for name in names)}/{len(names)}" for topic, names in TOPICS.items()}
    return _count_table("topic", counts, order=list(TOPICS), extra=extra)


def wording_table(problems: Iterable[Problem]) -> str:
    """Records per wording of the problem text (real problems: `(as written)`)."""
    counts = Counter(p.wording or ("latex" if p.source == "synthetic" else "(as written)") for p in problems)
    return _count_table("wording", counts, order=["latex", "plain", "casual", "word"])


def source_table(problems: Iterable[Problem]) -> str:
    """Records per source (synthetic, gsm8k, math, ...)."""
    return _count_table("source", Counter(p.source for p in problems))


def template_table(problems: Iterable[Problem]) -> str:
    """Records per template (synthetic records only)."""
    return _count_table("template", Counter(p.template for p in problems if p.template))


def coverage_report(problems: Iterable[Problem], templates: bool = False) -> str:
    """Every table above, separated by blank lines (what `trainer data stats` prints)."""
    problems = list(problems)
    tables = [subject_level_table(problems), topic_table(problems), wording_table(problems), source_table(problems)]
    if templates:
        tables.append(template_table(problems))
    return "\n\n".join(tables)
