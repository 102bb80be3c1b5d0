"""Grouping token rows that share a prefix, so a backend prefills the shared part once.

Scoring re-reads the same problem over and over: the verifier prompt T(P, X) of every candidate X of one
problem starts with the same tokens (on MATH500 with the bundled model, 122 of a prompt's 163 tokens), and
`logprobs` scores many continuations of one prompt. Rows are compared as token ids, never as text, so a
shared prefix is exact whatever the tokenizer merges across the boundary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class PrefixGroup:
    """Rows (indices into the caller's list) whose first `shared` tokens are the same."""

    rows: tuple[int, ...]
    shared: int


def common_prefix_length(a: Sequence[int], b: Sequence[int]) -> int:
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


def prefix_groups(rows: Sequence[Sequence[int]], first_output: Sequence[int]) -> list[PrefixGroup]:
    """Partition rows into groups that share a prefix, each row in exactly one group (a row that shares
    nothing worth sharing is a group of its own, with shared = 0).

    `shared` never reaches a row's first output position (the backend reads logits only from the part it
    decodes per row) nor its last token. Rows are taken in sorted order, so rows with long common
    prefixes sit side by side; a row joins the current group while what it saves (the prefix it need not
    prefill) is at least what the group's members lose when the shared part gets shorter for them.
    """
    order = sorted(range(len(rows)), key=lambda r: tuple(rows[r]))
    groups: list[PrefixGroup] = []
    members: list[int] = []
    shared = 0
    for r in order:
        cap = min(first_output[r], len(rows[r]) - 1)
        if not members:
            members, shared = [r], cap
            continue
        joined = min(shared, cap, common_prefix_length(rows[members[0]], rows[r]))
        if joined >= len(members) * (shared - joined):
            members.append(r)
            shared = joined
        else:
            groups.append(_group(members, shared))
            members, shared = [r], cap
    if members:
        groups.append(_group(members, shared))
    return groups


def _group(members: list[int], shared: int) -> PrefixGroup:
    # A lone row has nothing to share: prefilling its start apart would only cost an extra decode call.
    return PrefixGroup(tuple(members), max(0, shared) if len(members) > 1 else 0)
