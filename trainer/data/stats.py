"""Counts of a problem set per subject and level, as a plain-text table (`trainer data stats FILE...`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from trainer.data.problem import Problem


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
