"""Tests of the byte-level BPE tokenizer (trainer.data.tokenizer): exact round trip over 10,000 synthetic
problems, MATH500 without unknown tokens, one digit per token, distinct first tokens for the verifier's
" correct" / " incorrect", and loading with transformers.AutoTokenizer.

Run: python -m pytest tests/test_tokenizer.py -q
"""

import json

import pytest
from conftest import MATH500

from trainer.cli import main as trainer_main
from trainer.data.synth import SynthConfig, generate, write_splits
from trainer.data.tokenizer import BOS, EOS, PAD, UNK, corpus_texts, load_tokenizer, train_tokenizer
from tutor.errors import DataError
from tutor.prompts import CORRECT_WORD, INCORRECT_WORD, solver_prompt, verifier_prompt

VOCAB = 3072


@pytest.fixture(scope="module")
def corpus():
    return list(generate(SynthConfig(n=10_000, seed=11, verify=False)))


@pytest.fixture(scope="module")
def tokenizer_dir(corpus, tmp_path_factory):
    return train_tokenizer(corpus_texts(corpus[:4000]), tmp_path_factory.mktemp("tok"), vocab_size=VOCAB)


def test_files_and_vocabulary(tokenizer_dir):
    assert {p.name for p in tokenizer_dir.iterdir()} == {"tokenizer.json", "tokenizer_config.json",
                                                          "special_tokens_map.json"}
    tok = load_tokenizer(tokenizer_dir)
    # The templated corpus runs out of pairs seen twice before 3072, so the vocabulary may stop short.
    assert 1000 <= tok.get_vocab_size() <= VOCAB
    assert [tok.token_to_id(t) for t in (BOS, EOS, PAD, UNK)] == [0, 1, 2, 3]
    config = json.loads((tokenizer_dir / "tokenizer_config.json").read_text())
    assert (config["bos_token"], config["eos_token"], config["pad_token"]) == (BOS, EOS, PAD)


def test_round_trip_over_10000_problems(corpus, tokenizer_dir):
    tok = load_tokenizer(tokenizer_dir)
    texts = [solver_prompt(p.problem) + p.solution for p in corpus]
    encodings = tok.encode_batch(texts)
    decoded = tok.decode_batch([e.ids for e in encodings], skip_special_tokens=True)
    mismatches = [t for t, d in zip(texts, decoded) if t != d]
    assert mismatches == []
    assert all(e.ids[0] == tok.token_to_id(BOS) for e in encodings), "every encoding starts with <|bos|>"


def test_digits_are_one_per_token(tokenizer_dir):
    tok = load_tokenizer(tokenizer_dir)
    assert tok.encode("12345 + 678", add_special_tokens=False).tokens[:5] == ["1", "2", "3", "4", "5"]
    with_digits = [t for t in tok.get_vocab() if any(c.isdigit() for c in t)]
    assert with_digits and all(len(t) == 1 for t in with_digits), [t for t in with_digits if len(t) > 1][:10]


def test_verifier_words_start_with_different_tokens(tokenizer_dir):
    tok = load_tokenizer(tokenizer_dir)
    prompt = verifier_prompt("What is $1+1$?", "$1+1=\\boxed{2}$")
    first = [tok.encode(prompt + w, add_special_tokens=False).tokens[len(tok.encode(prompt, add_special_tokens=False))]
             for w in (CORRECT_WORD, INCORRECT_WORD)]
    assert first[0] != first[1]


@pytest.mark.skipif(not MATH500.exists(), reason="shared data not present")
def test_math500_has_no_unknown_tokens_and_round_trips(tokenizer_dir):
    tok = load_tokenizer(tokenizer_dir)
    unk = tok.token_to_id(UNK)
    for line in MATH500.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for text in (record["problem"], record["solution"]):
            ids = tok.encode(text).ids
            assert unk not in ids
            assert tok.decode(ids, skip_special_tokens=True) == text


def test_auto_tokenizer_loads_it_as_a_fast_tokenizer(tokenizer_dir, corpus):
    transformers = pytest.importorskip("transformers")
    tok = transformers.AutoTokenizer.from_pretrained(tokenizer_dir)
    assert isinstance(tok, transformers.PreTrainedTokenizerFast)
    assert (tok.bos_token, tok.eos_token, tok.pad_token, tok.unk_token) == (BOS, EOS, PAD, UNK)
    text = solver_prompt(corpus[0].problem) + corpus[0].solution
    ids = tok(text)["input_ids"]
    assert ids[0] == tok.bos_token_id
    assert tok.decode(ids, skip_special_tokens=True) == text
    assert ids == load_tokenizer(tokenizer_dir).encode(text).ids


def test_too_small_vocab_is_an_error(tmp_path):
    with pytest.raises(DataError, match="vocab_size"):
        train_tokenizer(["a b c"], tmp_path, vocab_size=100)


def test_tiny_corpus_still_separates_the_verifier_words(tmp_path):
    out = train_tokenizer(["Problem: 1+1\nSolution:\n2"], tmp_path, vocab_size=300)
    tok = load_tokenizer(out)
    assert tok.encode(CORRECT_WORD, add_special_tokens=False).tokens[0] != \
        tok.encode(INCORRECT_WORD, add_special_tokens=False).tokens[0]


def test_cli_trains_on_jsonl_files(tmp_path, capsys):
    write_splits(SynthConfig(n=300, seed=2), tmp_path / "data")
    files = [str(tmp_path / "data" / f"{split}.jsonl") for split in ("train", "test")]
    assert trainer_main(["data", "tokenizer", *files, "--out", str(tmp_path / "tok"), "--vocab-size", "600"]) == 0
    assert "tokenizer ->" in capsys.readouterr().out
    tok = load_tokenizer(tmp_path / "tok")
    assert tok.get_vocab_size() <= 600
    assert tok.decode(tok.encode("Problem: 12 + 7\nSolution:\n").ids, skip_special_tokens=True) == \
        "Problem: 12 + 7\nSolution:\n"
