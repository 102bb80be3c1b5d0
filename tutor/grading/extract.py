"""Final-answer extraction from a step-by-step solution.

The answer is, in order of preference: the last `\\boxed{...}` / `\\fbox{...}` (nested braces, escaped braces
and the brace-less `\\boxed 5` form), GSM8K's `#### 42` line, or the last "The answer is ..." /
"Answer: ..." sentence. No answer gives `None`, never an exception.
"""

from __future__ import annotations

import re

_BOX_RE = re.compile(r"\\(?:boxed|fbox)(?![a-zA-Z])")
_GSM8K_RE = re.compile(r"^[ \t]*####[ \t]*(.*?)[ \t]*$", re.MULTILINE)
_SENTENCE_RE = re.compile(
    r"(?:final answer|the answer|answer)\s*(?:is|:|=)\s*:?\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE
)
# Math delimiters and markdown emphasis around an answer written in a sentence.
_WRAPPERS = (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]"), ("**", "**"), ("`", "`"))


def _braced(text: str, start: int, stop: int | None = None) -> tuple[str, int] | None:
    """The contents of the `{...}` group opening at text[start], honouring nesting and `\\{`, `\\}`.

    None when it never closes, or is still open at `stop` (a position from which a group is known to
    stay open to the end of the text, so this one would too).
    """
    depth = 0
    i = start
    end = len(text) if stop is None else stop
    while i < end:
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1 : i], i + 1
        i += 1
    return None


def _last_boxed(text: str) -> str | None:
    """The content of the last well-formed box; linear time even for thousands of unclosed boxes."""
    never_closes: int | None = None  # the earliest brace known to stay open to the end of the text
    for match in reversed(list(_BOX_RE.finditer(text))):
        i = match.end()
        while i < len(text) and text[i] in " \t":
            i += 1
        if i < len(text) and text[i] == "{":
            group = _braced(text, i, stop=never_closes)
            if group is None:
                never_closes = i
                continue
            content = group[0]
        else:  # `\boxed 5`: the brace-less form takes one token
            token = re.match(r"[^\s$]+", text[i:])
            content = token.group(0) if token else ""
        if content.strip():
            return content.strip()
    return None


def strip_wrappers(answer: str) -> str:
    """Remove math delimiters, markdown emphasis and a closing full stop around an answer."""
    answer = answer.strip()
    changed = True
    while changed and answer:
        changed = False
        if answer[-1] in ".;" and not answer.endswith("\\."):
            answer, changed = answer[:-1].rstrip(), True
        for left, right in _WRAPPERS:
            if len(answer) >= len(left) + len(right) and answer.startswith(left) and answer.endswith(right):
                answer, changed = answer[len(left) : len(answer) - len(right)].strip(), True
                break
    return answer


def extract_answer(text: str) -> str | None:
    """The final answer of a solution, or None when it states none."""
    if not isinstance(text, str) or not text.strip():
        return None
    boxed = _last_boxed(text)
    if boxed is not None:
        return boxed
    hashes = _GSM8K_RE.findall(text)
    if hashes and hashes[-1].strip():
        return hashes[-1].strip()
    sentences = _SENTENCE_RE.findall(text)
    if sentences:
        answer = strip_wrappers(sentences[-1])
        return answer or None
    return None
