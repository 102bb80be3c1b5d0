"""The calculator inside decoding, shared by both backends through `SamplingRun`.

When a sequence's newest token holds an `=` and the solution so far ends with a computable `... =` in a math
span (`tutor.grading.calculator.completion`), the value is tokenized with the model's own tokenizer and fed
to that sequence as its next tokens, as if it had sampled them: each forced token is one more decode step
for that sequence, so a batch stays a batch. The token after the value may not extend the number (no digit
or decimal point), so `84` cannot become `845`. Per sequence, the character spans the calculator wrote are
recorded (`Sample.computed`), for the app to show and the step check to know.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from tutor.grading.calculator import completion


@dataclass
class CalculatorState:
    """One sequence's calculator book-keeping."""

    forced: deque[int] = field(default_factory=deque)
    """Tokens still to feed instead of sampling."""
    ban_number: bool = False
    """The next sampled token must not continue the number just written."""
    spans: list[tuple[int, int]] = field(default_factory=list)
    """[start, end) characters of the sample's text the calculator wrote."""


class DecodingCalculator:
    """Computes and tokenizes the values a sample's `=` calls for, for one model's vocabulary."""

    def __init__(self, encode: Callable[[str], list[int]], decode: Callable[[list[int]], str], pieces: Sequence[str]):
        """encode: text -> ids without special tokens; decode: ids -> text; pieces: each token id's text."""
        self.encode, self.decode = encode, decode
        self.has_equals = np.fromiter(("=" in piece for piece in pieces), dtype=bool, count=len(pieces))
        self.extends_number = np.fromiter((piece[:1].isdigit() or piece[:1] == "." for piece in pieces),
                                          dtype=bool, count=len(pieces))

    def value_tokens(self, text: str) -> tuple[list[int], str] | None:
        """(token ids, text) of the value to write after `text`, or None when there is nothing to compute or
        the model's tokenizer cannot write it back exactly."""
        value = completion(text)
        if value is None:
            return None
        anchor = text[-2:] if text.endswith(" ") else text[-1:]
        before, after = self.encode(anchor), self.encode(anchor + value)
        shared = 0
        while shared < min(len(before), len(after)) and before[shared] == after[shared]:
            shared += 1
        # Tokenized after the `=` the tokenizer may merge across the boundary; then the value alone.
        ids = after[shared:] if shared == len(before) else self.encode(value)
        if not ids or self.decode(ids) != value:
            return None
        return ids, value


class CalculatorRun:
    """The calculator's part of one `sample` call: a state per job."""

    def __init__(self, calculator: DecodingCalculator):
        self.calculator = calculator
        self.states: dict[int, CalculatorState] = {}

    def state(self, job: int) -> CalculatorState:
        return self.states.setdefault(job, CalculatorState())

    def banned(self, jobs: Sequence[int]) -> list[int]:
        """Rows (positions in `jobs`) whose next token may not extend a number."""
        return [row for row, job in enumerate(jobs) if self.states.get(job) is not None and self.states[job].ban_number]

    def mask(self, logits, rows: Sequence[int]) -> None:
        """Forbid number-continuing tokens in `rows` of `logits` (a numpy array or a torch tensor)."""
        if not rows:
            return
        vocab = logits.shape[-1]
        banned = self.calculator.extends_number[:vocab]
        if hasattr(logits, "new_tensor"):  # a torch tensor: index it with tensors on its own device
            index = logits.new_tensor(list(rows)).long()
            columns = logits.new_tensor(np.flatnonzero(banned).tolist()).long()
            logits[index[:, None], columns[None, :]] = float("-inf")
        else:
            logits[np.ix_(np.asarray(rows), np.flatnonzero(banned))] = -np.inf

    def next_token(self, job: int, sampled: int) -> int:
        """The token the sequence takes: the next forced one when the calculator is writing, else `sampled`."""
        state = self.states.get(job)
        if state is None:
            return sampled
        state.ban_number = False
        if state.forced:
            token = state.forced.popleft()
            state.ban_number = not state.forced
            return token
        return sampled

    def observe(self, job: int, token: int, text: Callable[[], str]) -> None:
        """After `token` joined the sequence: when it holds an `=`, compute what follows `text()`."""
        if token >= len(self.calculator.has_equals) or not self.calculator.has_equals[token]:
            return
        state = self.state(job)
        if state.forced:
            return
        so_far = text()
        found = self.calculator.value_tokens(so_far)
        if found is not None:
            ids, value = found
            state.forced.extend(ids)
            state.spans.append((len(so_far), len(so_far) + len(value)))

    def spans(self, job: int, text_length: int) -> tuple[tuple[int, int], ...]:
        """The calculator's spans of a finished sequence that lie within its (stop-cut) text."""
        state = self.states.pop(job, None)
        if state is None:
            return ()
        return tuple(span for span in state.spans if span[1] <= text_length)
