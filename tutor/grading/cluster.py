"""Clustering N final answers into classes of mathematically equal answers (majority voting's input).

Each answer is first looked up by its cheap canonical key (normal form, or the exact value of a plain
number), so repeated answers cost a dictionary lookup; only an unseen key is compared, and only against
one representative per existing cluster. A comparison the fast path cannot decide uses the answers'
signatures (values at shared sample points; sympy computes one per answer, not one per pair) and only
then a full pairwise sympy comparison. Everything symbolic is cached in `compare.py`.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from tutor.grading.compare import answer_signature, is_equivalent, signatures_equal
from tutor.grading.fast import fast_compare, parse_number
from tutor.grading.normalize import normalize_answer

log = logging.getLogger(__name__)


@dataclass
class Cluster:
    """One equivalence class: its display answer and the indices of the answers in it (ascending)."""

    answer: str
    members: list[int] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.members)


def canonical_key(answer: str) -> str:
    """A string that is equal for answers known to be equal without any symbolic work."""
    normal = normalize_answer(answer)
    number = parse_number(normal)
    if number is not None and number.exact:
        return f"#{number.value}"
    return normal


def _display(answers: Sequence[str | None], members: list[int]) -> str:
    """The most frequent spelling among the members; ties go to the earliest one."""
    spellings = [answers[i].strip() for i in members]
    counts = Counter(spellings)
    return max(spellings, key=lambda s: (counts[s], -spellings.index(s)))


def _same_answer(answer: str, representative: str, timeout: float) -> bool:
    """`is_equivalent`, with a signature comparison before any pairwise sympy work."""
    try:
        normal, rep_normal = normalize_answer(answer), normalize_answer(representative)
        if normal == rep_normal:
            return True
        verdict = fast_compare(normal, rep_normal)
        if verdict is not None:
            return verdict
        signature, rep_signature = answer_signature(answer, timeout), answer_signature(representative, timeout)
        if signature is not None and rep_signature is not None:
            verdict = signatures_equal(signature, rep_signature)
            if verdict is not None:
                return verdict
    except Exception:  # noqa: BLE001 - a shortcut failed on odd input: the careful path decides
        log.debug("clustering shortcut failed for %.80r vs %.80r", answer, representative, exc_info=True)
    return is_equivalent(answer, representative, timeout=timeout)


def cluster_answers(answers: Sequence[str | None], timeout: float = 1.0) -> list[Cluster]:
    """Equivalence classes of `answers`, largest first, ties by lowest first member.

    `None` (and empty) answers belong to no cluster. `timeout` bounds each symbolic comparison.
    """
    groups: list[list[int]] = []
    representative: list[str] = []
    group_of_key: dict[str, int] = {}
    for index, answer in enumerate(answers):
        if not isinstance(answer, str) or not normalize_answer(answer):
            continue
        key = canonical_key(answer)
        group = group_of_key.get(key)
        if group is None:
            group = next(
                (g for g, rep in enumerate(representative) if _same_answer(answer, rep, timeout)), None
            )
            if group is None:
                groups.append([])
                representative.append(answer)
                group = len(groups) - 1
            group_of_key[key] = group
        groups[group].append(index)
    clusters = [Cluster(answer=_display(answers, members), members=members) for members in groups]
    clusters.sort(key=lambda c: (-len(c.members), c.members[0]))
    return clusters
