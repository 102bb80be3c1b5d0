"""GGUF export (trainer/export_gguf.py) and parity of the llama.cpp backend with transformers.

A tiny random Llama is built in the test (no downloads), exported, and loaded by llama.cpp: token ids
must equal the HF tokenizer's for 20 prompts (both byte-level pre-tokenizers we support), last-position
logits must match, greedy text must agree, and damaged inputs must raise ModelLoadError. Tests that need
llama-cpp-python are marked `gguf` and skip when it is not installed. The 40-token greedy agreement of
f16 / Q8_0 exports needs a model with confident predictions; that one is trained for a few seconds and
marked slow.
Run: python -m pytest tests/test_gguf_export.py -x -q   (slow ones: -m slow)
"""

import json
import shutil

import gguf
import numpy as np
import pytest
import torch
from tiny_llama import CORPUS, build_model

from trainer.cli import main as trainer_main
from trainer.export_gguf import export_gguf, rope_permute, write_gguf
from tutor.errors import ModelLoadError
from tutor.models import load

PROMPTS = [
    "Problem: What is 12 + 30?\nSolution:\n",
    "Problem: Simplify 3x + 4x.",
    "Compute (5 - 2) * 7 / 3 = 7",
    "x^2 - 9 = 0 so x = 3 or x = -3.",
    "\\frac{1}{2} + \\frac{3}{4} = \\frac{5}{4}",
    "Émilie paid 3.50 € for 2 apples.",
    "  leading spaces and   runs   of spaces  ",
    "tabs\tand\nnewlines\n\n\nend",
    "1234567890 0.001 -42 3,000,000",
    "naïve café — déjà vu",
    "Here is a math problem: 2 + 2. The above candidate solution is correct",
    "<|eos|> special text inside <|bos|> a prompt",
    "don't won't it's we're they've I'm you'll he'd",
    "UPPER lower MiXeD 123abc abc123",
    "∑_{i=1}^{n} i = n(n+1)/2 ≤ ∞",
    "日本語のテキスト 123",
    "emoji 🙂 and symbols #$%&*()[]{}",
    "a",
    "\n",
    "The answer is \\boxed{42}.",
]


def _hf_last_logits(reference, ids: list[int]) -> np.ndarray:
    with torch.no_grad():
        return reference.model(input_ids=torch.tensor([ids])).logits[0, -1].float().numpy()


def _gguf_last_logits(model, ids: list[int]) -> np.ndarray:
    rows = []
    model._forward([ids], [len(ids) - 1], lambda _r, _pos, logits: rows.append(logits.copy()))
    return rows[0]


@pytest.fixture(scope="module")
def llama_cpp():
    return pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (pip install '.[gguf]')")


# ---- the converter itself (no llama.cpp needed) ------------------------------------------------------
def test_rope_permute_interleaves_the_two_halves_of_each_head():
    heads, head_dim = 2, 6
    rows = np.arange(heads * head_dim, dtype=np.float32)[:, None]
    permuted = rope_permute(rows, heads)[:, 0].astype(int).tolist()
    # head 0 rows 0..5: halves (0,1,2) and (3,4,5) become pairs (0,3) (1,4) (2,5); head 1 likewise.
    assert permuted == [0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11]


def test_written_file_has_llama_metadata_tensors_and_vocab(model_dir, tmp_path, reference):
    out = write_gguf(model_dir, tmp_path / "m.gguf", "f16")
    reader = gguf.GGUFReader(str(out))

    def value(key):
        field = reader.get_field(key)
        return field.contents()

    assert value("general.architecture") == "llama"
    assert value("llama.block_count") == 2 and value("llama.embedding_length") == 64
    assert value("llama.attention.head_count_kv") == 2
    assert value("tokenizer.ggml.model") == "gpt2" and value("tokenizer.ggml.pre") == "smollm"
    assert value("tokenizer.ggml.add_bos_token") is True
    assert value("tokenizer.ggml.eos_token_id") == reference.tokenizer.eos_token_id
    tokens = value("tokenizer.ggml.tokens")
    assert len(tokens) == len(reference.tokenizer) and tokens[reference.tokenizer.eos_token_id] == "<|eos|>"
    types = value("tokenizer.ggml.token_type")
    assert types[reference.tokenizer.eos_token_id] == gguf.TokenType.CONTROL
    names = {t.name: t for t in reader.tensors}
    assert "output.weight" not in names, "tied embeddings must not write output.weight"
    assert names["blk.0.attn_q.weight"].tensor_type == gguf.GGMLQuantizationType.F16
    assert names["blk.0.attn_norm.weight"].tensor_type == gguf.GGMLQuantizationType.F32
    assert len(names) == 2 + 9 * 2


def test_untied_model_writes_output_weight_and_no_bos(tmp_path):
    folder = build_model(tmp_path / "untied", tie_embeddings=False, add_bos=False, digits=False)
    reader = gguf.GGUFReader(str(write_gguf(folder, tmp_path / "u.gguf", "f32")))
    assert "output.weight" in {t.name for t in reader.tensors}
    assert reader.get_field("tokenizer.ggml.add_bos_token").contents() is False
    assert reader.get_field("tokenizer.ggml.pre").contents() == "gpt-2"


@pytest.mark.parametrize(
    "damage, message",
    [
        ("arch", "can be exported"),
        ("rope", "rope scaling"),
        ("pre_tokenizer", "pre-tokenizer"),
        ("truncate", "corrupt or truncated"),
        ("no_tokenizer", "tokenizer.json is missing"),
    ],
)
def test_unsupported_or_damaged_models_raise_model_load_error(model_dir, tmp_path, damage, message):
    folder = tmp_path / "m"
    shutil.copytree(model_dir, folder)
    config = json.loads((folder / "config.json").read_text())
    if damage == "arch":
        config.update(model_type="mistral", architectures=["MistralForCausalLM"])
    elif damage == "rope":
        config["rope_parameters"] = {"rope_type": "yarn", "factor": 4.0, "rope_theta": 10000.0}
    elif damage == "pre_tokenizer":
        spec = json.loads((folder / "tokenizer.json").read_text())
        spec["pre_tokenizer"] = {"type": "Whitespace"}
        (folder / "tokenizer.json").write_text(json.dumps(spec))
    elif damage == "truncate":
        data = (folder / "model.safetensors").read_bytes()
        (folder / "model.safetensors").write_bytes(data[: len(data) // 3])
    elif damage == "no_tokenizer":
        (folder / "tokenizer.json").unlink()
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelLoadError, match=message):
        export_gguf(folder, tmp_path / "out.gguf", "f16")


def test_unknown_quantization_is_refused(model_dir, tmp_path):
    with pytest.raises(ModelLoadError, match="unknown quantization"):
        export_gguf(model_dir, tmp_path / "x.gguf", "q3_k")


# ---- parity with transformers through llama.cpp -------------------------------------------------------
@pytest.mark.gguf
@pytest.mark.parametrize("digits", [True, False], ids=["digits+bytelevel", "gpt2-bytelevel"])
def test_token_ids_match_the_hf_tokenizer(llama_cpp, tmp_path, digits):
    folder = build_model(tmp_path / "m", digits=digits)
    reference, _ = load(folder, backend="transformers")
    model, _ = load(export_gguf(folder, tmp_path / "m.gguf", "f16"), n_threads=1, n_parallel=2)
    for text in PROMPTS:
        assert model.encode_prompt(text) == reference.encode_prompt(text), text
        plain = reference.tokenizer(text, add_special_tokens=False)["input_ids"]
        assert model.runtime.tokenize(text, add_bos=False) == plain, text


@pytest.mark.gguf
def test_real_tokenizer_parity_on_math500_and_gsm8k(llama_cpp, tmp_path):
    """The bundled model's tokenizer (trainer.data.tokenizer: digits split, byte-level BPE, 4 specials)
    tokenizes every MATH500 problem and solution and 200 GSM8K items identically after export."""
    from conftest import GSM8K, MATH500
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from trainer.data.tokenizer import train_tokenizer

    if not MATH500.exists():
        pytest.skip(f"{MATH500} is not here")
    records = [json.loads(line) for line in MATH500.read_text().splitlines()]
    texts = [r["problem"] for r in records] + [r["solution"] for r in records]
    if GSM8K.exists():
        texts += [json.loads(line)["question"] for line in GSM8K.read_text().splitlines()[:200]]
    folder = train_tokenizer(texts[:300], tmp_path / "model", vocab_size=1024)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=2, tie_word_embeddings=True,
                         eos_token_id=tokenizer.eos_token_id, bos_token_id=tokenizer.bos_token_id)
    LlamaForCausalLM(config).save_pretrained(folder)
    model, _ = load(export_gguf(folder, tmp_path / "m.gguf", "f16"), n_threads=1, n_parallel=1)
    mismatches = [t for t in texts if model.runtime.tokenize(t, add_bos=False) != tokenizer(t, add_special_tokens=False)["input_ids"]]
    assert not mismatches, f"{len(mismatches)} of {len(texts)} texts tokenize differently, e.g. {mismatches[0][:80]!r}"
    assert model.encode_prompt("Problem: 1") == tokenizer("Problem: 1")["input_ids"]  # BOS as the HF tokenizer adds it


@pytest.mark.gguf
def test_f32_export_matches_exactly_and_greedy_agrees_for_40_tokens(llama_cpp, model_dir, reference, tmp_path):
    model, _ = load(export_gguf(model_dir, tmp_path / "m.gguf", "f32"), n_threads=1, f32_attention=True)
    for text in PROMPTS:
        ids = reference.encode_prompt(text)
        np.testing.assert_allclose(_gguf_last_logits(model, ids), _hf_last_logits(reference, ids), atol=1e-4)
    ours = model.sample(PROMPTS, n=1, temperature=0, max_new_tokens=40)
    theirs = reference.sample(PROMPTS, n=1, temperature=0, max_new_tokens=40)
    assert ours == theirs


@pytest.mark.gguf
def test_f16_export_last_logits_within_1e_2(llama_cpp, model_dir, reference, tmp_path):
    model, _ = load(export_gguf(model_dir, tmp_path / "m.gguf", "f16"), n_threads=1, f32_attention=True)
    worst = max(
        np.abs(_gguf_last_logits(model, ids) - _hf_last_logits(reference, ids)).max()
        for ids in (reference.encode_prompt(t) for t in PROMPTS)
    )
    assert worst < 1e-2


@pytest.mark.gguf
@pytest.mark.parametrize("quant, atol, min_corr, weight_type", [
    ("q8_0", 0.5, 0.99, gguf.GGMLQuantizationType.Q8_0),
    # A 64-wide model has no row divisible by 256, so llama.cpp falls back from Q4_K to Q5_0 / Q8_0.
    ("q4_k_m", 1.5, 0.9, gguf.GGMLQuantizationType.Q5_0),
])
def test_quantized_exports_load_and_stay_close(llama_cpp, model_dir, reference, tmp_path, quant, atol, min_corr,
                                               weight_type):
    out = export_gguf(model_dir, tmp_path / f"m-{quant}.gguf", quant)
    full = write_gguf(model_dir, tmp_path / "f32.gguf", "f32")
    assert out.stat().st_size < full.stat().st_size / 2
    assert weight_type in {t.tensor_type for t in gguf.GGUFReader(str(out)).tensors}
    model, _ = load(out, n_threads=1)
    for text in PROMPTS[:5]:
        ids = reference.encode_prompt(text)
        ours, theirs = _gguf_last_logits(model, ids), _hf_last_logits(reference, ids)
        assert np.abs(ours - theirs).max() < atol
        assert np.corrcoef(ours, theirs)[0, 1] > min_corr
    [[sample]] = model.sample(["Problem: x"], n=1, max_new_tokens=5, seed=0)
    assert sample.n_tokens == 5 or sample.finish_reason == "stop"


@pytest.mark.gguf
def test_chat_template_travels_into_the_gguf(llama_cpp, tmp_path):
    template = (
        "{{ bos_token }}{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}{{ eos_token }}{% endfor %}"
        "{% if add_generation_prompt %}<|assistant|>{% endif %}"
    )
    folder = build_model(tmp_path / "chat", chat_template=template)
    reference, _ = load(folder, backend="transformers")
    model, verifier = load(export_gguf(folder, tmp_path / "chat.gguf", "f32"), n_threads=1, f32_attention=True)
    prompt = model.solver_prompt("What is 2 + 2?")
    assert prompt == reference.solver_prompt("What is 2 + 2?") and prompt.startswith("<|bos|><|user|>")
    assert model.encode_prompt(prompt) == reference.encode_prompt(prompt)
    assert verifier.p_correct(["2 + 2"], ["4"]) == pytest.approx(reference.p_correct(["2 + 2"], ["4"]), abs=1e-4)


@pytest.mark.gguf
def test_damaged_gguf_files_raise_model_load_error(llama_cpp, model_dir, tmp_path):
    good = export_gguf(model_dir, tmp_path / "good.gguf", "f16")
    data = good.read_bytes()
    (tmp_path / "truncated.gguf").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelLoadError, match="corrupt or truncated"):
        load(tmp_path / "truncated.gguf")
    (tmp_path / "header-only.gguf").write_bytes(data[:100])
    with pytest.raises(ModelLoadError):
        load(tmp_path / "header-only.gguf")
    (tmp_path / "notes.gguf").write_text("not a model")
    with pytest.raises(ModelLoadError, match="not a GGUF file"):
        load(tmp_path / "notes.gguf")


@pytest.mark.gguf
def test_cli_exports_and_reports(llama_cpp, model_dir, tmp_path, capsys):
    assert trainer_main(["export-gguf", str(model_dir), "--out", str(tmp_path / "m.gguf"), "--quant", "q8_0"]) == 0
    assert "q8_0 ->" in capsys.readouterr().out and (tmp_path / "m.gguf").stat().st_size > 0
    assert trainer_main(["export-gguf", str(tmp_path / "missing"), "--out", str(tmp_path / "x.gguf")]) == 2
    assert "not a model folder" in capsys.readouterr().err


# ---- greedy agreement of reduced-precision exports (needs a confident model: slow) ---------------------
@pytest.mark.gguf
@pytest.mark.slow
def test_f16_and_q8_0_keep_the_greedy_continuation(llama_cpp, tmp_path):
    folder = build_model(tmp_path / "trained", train_steps=150)
    reference, _ = load(folder, backend="transformers")
    prompts = [text[:cut] for text in CORPUS for cut in (12, 30, 45)][:20]
    theirs = reference.sample(prompts, n=1, temperature=0, max_new_tokens=40)
    for quant, needed in (("f16", 20), ("q8_0", 18)):
        model, _ = load(export_gguf(folder, tmp_path / f"{quant}.gguf", quant), n_threads=1)
        ours = model.sample(prompts, n=1, temperature=0, max_new_tokens=40)
        agree = sum(a[0].text == b[0].text for a, b in zip(ours, theirs))
        assert agree >= needed, f"{quant}: greedy text agrees on {agree}/20 prompts"


# ---- an instruct-model shape: Qwen2 architecture, ChatML template, end-of-turn token as EOS ------------
@pytest.mark.gguf
def test_qwen2_chatml_model_matches_across_backends(llama_cpp, tmp_path):
    """What a downloaded instruct model looks like: both backends render the solver and verifier prompts
    through its ChatML template, tokenize the chat markers as special tokens, stop at <|im_end|>, and
    agree on logits, greedy text and P(correct)."""
    from tiny_llama import build_qwen2_chat_model

    folder = build_qwen2_chat_model(tmp_path / "qwen2")
    reference, _ = load(folder, backend="transformers")
    out = export_gguf(folder, tmp_path / "qwen2.gguf", "f32")
    reader = gguf.GGUFReader(str(out))
    assert reader.get_field("general.architecture").contents() == "qwen2"
    assert reader.get_field("tokenizer.ggml.pre").contents() == "qwen2"
    assert "<|im_start|>" in reader.get_field("tokenizer.chat_template").contents()
    model, verifier = load(out, n_threads=1, f32_attention=True)

    prompt = model.solver_prompt("What is 12 + 30?")
    assert prompt == reference.solver_prompt("What is 12 + 30?")
    assert prompt.startswith("<|im_start|>user\n") and prompt.endswith("<|im_start|>assistant\n")
    ids = model.encode_prompt(prompt)
    assert ids == reference.encode_prompt(prompt)
    assert ids[0] == reference.tokenizer.convert_tokens_to_ids("<|im_start|>")  # a control token, not text
    for text in PROMPTS:
        assert model.runtime.tokenize(text, add_bos=False) == reference.tokenizer(text, add_special_tokens=False)["input_ids"]
        ids = reference.encode_prompt(text)
        np.testing.assert_allclose(_gguf_last_logits(model, ids), _hf_last_logits(reference, ids), atol=1e-4)
    im_end = reference.tokenizer.convert_tokens_to_ids("<|im_end|>")
    assert model.runtime.is_eog(im_end) and im_end in reference.eos_ids
    chat_prompts = [model.solver_prompt(p) for p in ("What is 2 + 2?", "Simplify 3x + 4x.", "Émilie paid 3.50 €")]
    assert model.sample(chat_prompts, n=1, temperature=0, max_new_tokens=40) == reference.sample(
        chat_prompts, n=1, temperature=0, max_new_tokens=40
    )
    problems, solutions = ["2 + 2", "2 + 3"], ["4", "6"]
    assert verifier.p_correct(problems, solutions) == pytest.approx(reference.p_correct(problems, solutions), abs=1e-4)
    assert verifier.prompt_format.verifier_prompt("2 + 2", "4").endswith("assistant\nThe above candidate solution is")
