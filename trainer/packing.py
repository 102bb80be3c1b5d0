"""Packing prompt-masked examples into fixed-length rows, so a batch carries no padding waste.

Each `Example` is a token sequence with a mask saying which tokens are training targets (the solution, not
the prompt). Examples are laid end to end in rows of `max_seq_len` tokens; `position_ids` restart at 0 for
every example, which makes transformers build a block-diagonal causal mask (see
`transformers.masking_utils.find_packed_sequence_indices`): no example attends to its neighbour, exactly as
if each had its own padded row. A *group* of examples (the correct and incorrect solution of one margin pair)
always lands in the same batch.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

IGNORE_INDEX = -100


@dataclass
class Example:
    """One training sequence: tokens, which of them are targets, and per-example values for the loss."""

    input_ids: list[int]
    target_mask: list[bool]
    """True where the token is predicted by the loss (the solution); False for the prompt."""
    meta: dict[str, float] = field(default_factory=dict)
    """Per-example numbers the loss reads (e.g. `label` 1/0, `pair` index); same keys within a dataset."""

    def truncated(self, max_len: int) -> Example:
        """Cut to max_len tokens from the end of the solution, keeping the prompt."""
        if len(self.input_ids) <= max_len:
            return self
        return Example(self.input_ids[:max_len], self.target_mask[:max_len], self.meta)


@dataclass
class PackedBatch:
    """Tensors of one micro-batch; `segments` index examples in packing order."""

    input_ids: torch.Tensor  # [rows, L]
    position_ids: torch.Tensor  # [rows, L], restarting at 0 for every example
    labels: torch.Tensor  # [rows, L], the token each position predicts, IGNORE_INDEX where none
    segment_ids: torch.Tensor  # [rows, L], example index of each label, -1 where none
    last_positions: torch.Tensor  # [examples, 2], (row, column) of each example's last token
    meta: dict[str, torch.Tensor]  # [examples] each
    n_tokens: int  # real (non-padding) tokens

    @property
    def n_examples(self) -> int:
        return int(self.last_positions.shape[0])

    def to(self, device: torch.device | str) -> PackedBatch:
        move = {k: v.to(device) for k, v in self.meta.items()}
        return PackedBatch(
            self.input_ids.to(device), self.position_ids.to(device), self.labels.to(device),
            self.segment_ids.to(device), self.last_positions.to(device), move, self.n_tokens,
        )


def _place(group: Sequence[Example], used: list[int], max_seq_len: int) -> tuple[list[int], list[int]]:
    """First-fit slots of a group's examples given row usage; returns (new usage, slot per example)."""
    used = list(used)
    slots = []
    for example in group:
        n = len(example.input_ids)
        slot = next((i for i, u in enumerate(used) if u + n <= max_seq_len), None)
        if slot is None:
            used.append(0)
            slot = len(used) - 1
        used[slot] += n
        slots.append(slot)
    return used, slots


def _plan_rows(groups: Sequence[Sequence[Example]], max_seq_len: int, rows_per_batch: int) -> list[list[list[Example]]]:
    """First-fit groups into rows; a batch closes when the next group would need more than rows_per_batch."""
    batches: list[list[list[Example]]] = []
    used: list[int] = []
    rows: list[list[Example]] = []
    for group in groups:
        new_used, slots = _place(group, used, max_seq_len)
        if len(new_used) > rows_per_batch and rows:
            batches.append(rows)
            new_used, slots = _place(group, [], max_seq_len)
            rows = []
        used = new_used
        rows.extend([] for _ in range(len(used) - len(rows)))
        for example, slot in zip(group, slots):
            rows[slot].append(example)
    if rows:
        batches.append(rows)
    return batches


def _to_tensors(rows: list[list[Example]], max_seq_len: int, pad_id: int) -> PackedBatch:
    width = max(sum(len(e.input_ids) for e in row) for row in rows)
    width = min(width, max_seq_len)
    shape = (len(rows), width)
    input_ids = torch.full(shape, pad_id, dtype=torch.long)
    position_ids = torch.zeros(shape, dtype=torch.long)
    labels = torch.full(shape, IGNORE_INDEX, dtype=torch.long)
    segment_ids = torch.full(shape, -1, dtype=torch.long)
    last_positions: list[tuple[int, int]] = []
    meta: dict[str, list[float]] = {}
    n_tokens = 0
    for r, row in enumerate(rows):
        col = 0
        for example in row:
            n = len(example.input_ids)
            ids = torch.tensor(example.input_ids, dtype=torch.long)
            input_ids[r, col : col + n] = ids
            position_ids[r, col : col + n] = torch.arange(n)
            # position t predicts token t+1 when token t+1 is a target
            target = torch.tensor(example.target_mask[1:], dtype=torch.bool)
            shifted = torch.where(target, ids[1:], torch.full_like(ids[1:], IGNORE_INDEX))
            labels[r, col : col + n - 1] = shifted
            segment_ids[r, col : col + n - 1] = torch.where(target, len(last_positions), -1)
            last_positions.append((r, col + n - 1))
            for key, value in example.meta.items():
                meta.setdefault(key, []).append(float(value))
            col += n
            n_tokens += n
        # padding continues as its own "sequence" (positions restart) so it never joins the last example
        position_ids[r, col:] = torch.arange(width - col)
    return PackedBatch(
        input_ids, position_ids, labels, segment_ids,
        torch.tensor(last_positions, dtype=torch.long).reshape(-1, 2),
        {k: torch.tensor(v) for k, v in meta.items()}, n_tokens,
    )


def pack(
    groups: Sequence[Sequence[Example]], max_seq_len: int, tokens_per_batch: int, pad_id: int = 0,
    seed: int | None = None,
) -> list[PackedBatch]:
    """Pack groups of examples into micro-batches of about `tokens_per_batch` tokens.

    `seed` shuffles the groups first (None keeps their order). Examples longer than max_seq_len are cut.
    """
    assert max_seq_len > 1, "max_seq_len must leave room for at least one target"
    order = list(range(len(groups)))
    if seed is not None:
        random.Random(seed).shuffle(order)
    prepared = [[e.truncated(max_seq_len) for e in groups[i]] for i in order]
    rows_per_batch = max(1, tokens_per_batch // max_seq_len)
    return [_to_tensors(rows, max_seq_len, pad_id) for rows in _plan_rows(prepared, max_seq_len, rows_per_batch)]


def solver_example(prompt_ids: Sequence[int], solution_ids: Sequence[int], **meta: float) -> Example:
    """prompt + solution (+EOS, already in solution_ids): loss on the solution tokens only."""
    ids = list(prompt_ids) + list(solution_ids)
    return Example(ids, [False] * len(prompt_ids) + [True] * len(solution_ids), dict(meta))


def readout_example(prompt_ids: Sequence[int], **meta: float) -> Example:
    """A prompt read off at its last position (the evaluator's next-token judgement); no token targets."""
    return Example(list(prompt_ids), [False] * len(prompt_ids), dict(meta))
