"""A small byte-level BPE tokenizer for the embedded model, trained with the `tokenizers` library.

Digits are split one per token before BPE (so `123` is always `1`,`2`,`3` and arithmetic is learnable), the
byte-level alphabet is always in the vocabulary (so any text, MATH500's included, encodes without unknowns
and decodes back exactly), and the result is saved in Hugging Face format: `tokenizer.json`,
`tokenizer_config.json` and `special_tokens_map.json`, which `transformers.AutoTokenizer.from_pretrained`
loads as a fast tokenizer. A `<|bos|>` is prepended to every encoding (as Llama does); nothing is appended,
so the trainer adds `<|eos|>` after each solution itself.

Train it on both prompt formats (`corpus_texts`), so the verifier's answer words are learned as whole
tokens: " correct" and " incorrect" must start with different tokens, which `train_tokenizer` checks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import chain, repeat
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

from trainer.data.problem import Problem
from tutor.errors import DataError
from tutor.prompts import CORRECT_WORD, INCORRECT_WORD, VERIFIER_ANSWER_PREFIX, solver_prompt, verifier_prompt

BOS, EOS, PAD, UNK = "<|bos|>", "<|eos|>", "<|pad|>", "<|unk|>"
SPECIAL_TOKENS = (BOS, EOS, PAD, UNK)
# The verifier's read-out phrases are fed this many extra times so even a tiny corpus merges them.
_ANCHOR_REPEATS = 64


def _empty_tokenizer() -> Tokenizer:
    tokenizer = Tokenizer(models.BPE(unk_token=UNK))
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False)]
    )
    tokenizer.decoder = decoders.ByteLevel()
    return tokenizer


def corpus_texts(problems: Iterable[Problem]) -> Iterator[str]:
    """The texts the model will see: each solver prompt + solution, and its verifier prompt + verdict word."""
    for i, item in enumerate(problems):
        yield solver_prompt(item.problem) + item.solution
        yield verifier_prompt(item.problem, item.solution) + (CORRECT_WORD if i % 2 == 0 else INCORRECT_WORD)


def train_tokenizer(
    texts: Iterable[str], out_dir: str | Path, vocab_size: int = 3072, min_frequency: int = 2
) -> Path:
    """Train byte-level BPE on `texts` and save it in Hugging Face format to `out_dir`; returns `out_dir`.

    `vocab_size` counts the 256 byte tokens and the 4 special tokens; 2k-4k suits the embedded model.
    """
    if vocab_size < 256 + len(SPECIAL_TOKENS):
        raise DataError(f"vocab_size must be at least {256 + len(SPECIAL_TOKENS)}, got {vocab_size}")
    tokenizer = _empty_tokenizer()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    anchors = repeat(f"{VERIFIER_ANSWER_PREFIX}{CORRECT_WORD}{VERIFIER_ANSWER_PREFIX}{INCORRECT_WORD}", _ANCHOR_REPEATS)
    tokenizer.train_from_iterator(chain(texts, anchors), trainer)
    bos_id = tokenizer.token_to_id(BOS)
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{BOS} $A", pair=f"{BOS} $A {BOS} $B", special_tokens=[(BOS, bos_id)]
    )
    correct = tokenizer.encode(CORRECT_WORD, add_special_tokens=False).tokens[0]
    incorrect = tokenizer.encode(INCORRECT_WORD, add_special_tokens=False).tokens[0]
    if correct == incorrect:
        raise DataError(f"tokenizer splits {CORRECT_WORD!r} and {INCORRECT_WORD!r} with the same first token "
                        f"{correct!r}; train it on verifier prompts (corpus_texts)")
    return save_tokenizer(tokenizer, out_dir)


def save_tokenizer(tokenizer: Tokenizer, out_dir: str | Path) -> Path:
    """Write the three Hugging Face tokenizer files."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(out / "tokenizer.json"))
    special = {"bos_token": BOS, "eos_token": EOS, "pad_token": PAD, "unk_token": UNK}
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        **special,
        "add_bos_token": True,
        "add_eos_token": False,
        # decode must give back the exact text (no " ." -> "." clean-up).
        "clean_up_tokenization_spaces": False,
        "model_max_length": 2048,
    }
    (out / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    (out / "special_tokens_map.json").write_text(json.dumps(special, indent=2) + "\n", encoding="utf-8")
    return out


def load_tokenizer(path: str | Path) -> Tokenizer:
    """The raw `tokenizers.Tokenizer` from a folder written by `train_tokenizer` (no transformers needed)."""
    file = Path(path) / "tokenizer.json"
    if not file.is_file():
        raise DataError(f"{file}: no tokenizer.json here")
    return Tokenizer.from_file(str(file))
