"""Backend-independent prompt handling: chat templates, BOS de-duplication, the verdict tokens, stops.

Both backends build their prompts here so a model answers the same text whichever runtime loads it. The
formats themselves (solver prompt, verifier template T(P, X)) live in `tutor.prompts`, shared with the
trainer. A chat template is Jinja source from the model's own files (HF `tokenizer_config.json` or GGUF
`tokenizer.chat_template`); it is rendered in Jinja's immutable sandbox, as transformers does, so a
downloaded model's template cannot reach Python objects.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from tutor import prompts
from tutor.errors import ModelLoadError


def _raise_exception(message: str) -> None:
    raise TemplateError(message)


def _compile_template(source: str):
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
    # The helpers HF chat templates commonly call (transformers provides the same ones).
    env.filters["tojson"] = lambda value, indent=None, **_: json.dumps(value, indent=indent, ensure_ascii=False)
    env.globals["raise_exception"] = _raise_exception
    env.globals["strftime_now"] = lambda fmt: datetime.now().strftime(fmt)
    try:
        return env.from_string(source)
    except TemplateError as exc:
        raise ModelLoadError(f"the model's chat template does not parse: {exc}") from exc


@dataclass
class PromptFormat:
    """How one model is prompted: through its chat template when it has one, else the plain formats.

    `bos_token` / `eos_token` are token texts handed to the template (many templates print them).
    """

    chat_template: str | None = None
    bos_token: str = ""
    eos_token: str = ""

    def __post_init__(self) -> None:
        self._template = _compile_template(self.chat_template) if self.chat_template else None

    @property
    def uses_chat(self) -> bool:
        return self._template is not None

    def render(self, messages: list[dict[str, str]]) -> str:
        """The chat template applied to `messages` with the assistant turn opened."""
        assert self._template is not None, "render() needs a chat template"
        try:
            return self._template.render(
                messages=messages, add_generation_prompt=True, bos_token=self.bos_token, eos_token=self.eos_token
            )
        except TemplateError as exc:
            raise ModelLoadError(f"the model's chat template failed to render a prompt: {exc}") from exc

    def solver_prompt(self, problem: str) -> str:
        if self._template is None:
            return prompts.solver_prompt(problem)
        return self.render(prompts.solver_messages(problem))

    def verifier_prompt(self, problem: str, solution: str) -> str:
        if self._template is None:
            return prompts.verifier_prompt(problem, solution)
        messages, answer_prefix = prompts.verifier_messages(problem, solution)
        return self.render(messages) + answer_prefix

    def adds_bos(self, text: str, tokenizer_adds_bos: bool) -> bool:
        """Whether to let the tokenizer prepend BOS: not when a rendered chat prompt already starts with it."""
        return tokenizer_adds_bos and not (self.bos_token and text.startswith(self.bos_token))


def verdict_token_ids(encode: Callable[[str], list[int]]) -> tuple[int, int]:
    """First token of " correct" and of " incorrect" as they follow the verifier prompt's last word.

    Tokenizing the words after the answer prefix (not alone) gets the token the model really sees, for
    byte-level BPE and SentencePiece vocabularies alike. `encode` must not add special tokens.
    """
    prefix = encode(prompts.VERIFIER_ANSWER_PREFIX)

    def first_new_token(word: str) -> int:
        ids = encode(prompts.VERIFIER_ANSWER_PREFIX + word)
        common = 0
        while common < min(len(ids), len(prefix)) and ids[common] == prefix[common]:
            common += 1
        if common >= len(ids):
            raise ModelLoadError(f"the tokenizer produces no token for {word!r}; it cannot be used as a verifier")
        return ids[common]

    correct, incorrect = first_new_token(prompts.CORRECT_WORD), first_new_token(prompts.INCORRECT_WORD)
    if correct == incorrect:
        raise ModelLoadError(
            f"the tokenizer starts {prompts.CORRECT_WORD!r} and {prompts.INCORRECT_WORD!r} with the same token "
            f"(id {correct}), so P(correct) cannot be read off the next token; retrain the tokenizer so the "
            "two words begin differently"
        )
    return correct, incorrect


class StopStrings:
    """Finds the earliest stop string in generated text, checking only what each new token could complete."""

    def __init__(self, stops: Sequence[str]):
        self.stops = tuple(s for s in stops if s)
        self.longest = max((len(s) for s in self.stops), default=0)

    def __bool__(self) -> bool:
        return bool(self.stops)

    def in_tail(self, tail: str) -> bool:
        return any(s in tail for s in self.stops)

    def cut(self, text: str) -> tuple[str, bool]:
        """`text` up to the earliest stop string, and whether one was found."""
        positions = [i for i in (text.find(s) for s in self.stops) if i >= 0]
        if not positions:
            return text, False
        return text[: min(positions)], True
