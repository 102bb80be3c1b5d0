"""Transformers-backend specifics on a tiny random Llama built in the test (no downloads): padding and
batch compaction, chat templates, tokenizer variants, broken model folders. Behaviour shared with the
llama.cpp backend is in tests/test_models_backends.py.

Run: python -m pytest tests/test_models_hf.py -x -q
"""


import pytest
import torch
from tiny_llama import build_model

from tutor import prompts
from tutor.errors import ConfigError, ModelLoadError
from tutor.models import load

PROBLEM = "What is 12 + 30?"


@pytest.fixture(scope="module")
def model(model_dir):
    generator, verifier = load(model_dir, device="cpu")
    assert generator is verifier
    return generator




def test_plain_solver_prompt_without_chat_template(model):
    assert model.solver_prompt(PROBLEM) == prompts.solver_prompt(PROBLEM)
    ids = model.encode_prompt(model.solver_prompt(PROBLEM))
    assert ids[0] == model.tokenizer.bos_token_id and ids.count(model.tokenizer.bos_token_id) == 1






@pytest.mark.parametrize("compact_fraction", [0.01, 0.25, 1.0], ids=["compact-each-finish", "default", "never"])
def test_batched_greedy_equals_one_at_a_time(model, compact_fraction):
    """Left padding, finished rows left in the batch, and dropping them (KV cache compaction) must not
    change any sequence; stop strings make rows finish at different steps."""
    texts = [model.solver_prompt(PROBLEM), "Problem: Simplify 3x + 4x.", "x", "Émilie paid 3.50 €", "a b c d e f"]
    args = dict(temperature=0, max_new_tokens=30, stop=["e", "a"])
    model.config.compact_fraction = compact_fraction
    try:
        batched = model.sample(texts, n=2, **args)
    finally:
        model.config.compact_fraction = 0.25
    alone = [model.sample([text], n=1, **args)[0][0] for text in texts]
    assert [row[0] for row in batched] == alone and [row[1] for row in batched] == alone
    assert len({s.n_tokens for s in alone}) > 1, "rows must finish at different steps"


def test_verdict_tokens_are_the_words_first_tokens(model):
    tok = model.tokenizer
    assert model.correct_id != model.incorrect_id
    assert tok.decode([model.correct_id]).strip() and prompts.CORRECT_WORD.startswith(tok.decode([model.correct_id]))




def test_chat_template_is_applied_when_the_model_has_one(tmp_path):
    template = (
        "{{ bos_token }}{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}{{ eos_token }}{% endfor %}"
        "{% if add_generation_prompt %}<|assistant|>{% endif %}"
    )
    folder = build_model(tmp_path / "chat", chat_template=template)
    generator, verifier = load(folder, device="cpu")
    prompt = generator.solver_prompt(PROBLEM)
    assert prompt.startswith("<|bos|><|user|>" + PROBLEM) and prompt.endswith("<|assistant|>")
    assert prompts.SOLVER_INSTRUCTION in prompt
    ids = generator.encode_prompt(prompt)
    assert ids.count(generator.tokenizer.bos_token_id) == 1, "a rendered BOS must not be doubled"
    assert generator.tokenizer.eos_token_id in ids  # special tokens in the rendered text are parsed
    [score] = verifier.p_correct(["2 + 2"], ["4"])
    assert 0.0 <= score <= 1.0


def test_untied_embeddings_and_no_bos_tokenizer(tmp_path):
    folder = build_model(tmp_path / "untied", tie_embeddings=False, add_bos=False)
    generator, _ = load(folder, device="cpu")
    assert generator.encode_prompt("Problem: x")[0] != generator.tokenizer.bos_token_id
    assert len(generator.sample(["Problem: x"], n=2, max_new_tokens=4, seed=0)[0]) == 2


@pytest.mark.parametrize(
    "damage, message",
    [
        ("truncate", "corrupt or truncated"),
        ("no_weights", "no .safetensors"),
        ("no_config", "neither config.json"),
        ("garbage_config", "config.json"),
    ],
)
def test_broken_model_folders_raise_model_load_error(model_dir, tmp_path, damage, message):
    import shutil

    folder = tmp_path / "broken"
    shutil.copytree(model_dir, folder)
    weights = folder / "model.safetensors"
    if damage == "truncate":
        data = weights.read_bytes()
        weights.write_bytes(data[: len(data) // 2])
    elif damage == "no_weights":
        weights.unlink()
    elif damage == "no_config":
        (folder / "config.json").unlink()
    elif damage == "garbage_config":
        (folder / "config.json").write_text("{not json")
    with pytest.raises(ModelLoadError, match=message):
        load(folder, backend="transformers")


def test_wrong_architecture_and_missing_paths(model_dir, tmp_path):
    import json
    import shutil

    folder = tmp_path / "cls"
    shutil.copytree(model_dir, folder)
    config = json.loads((folder / "config.json").read_text())
    config["architectures"] = ["LlamaForSequenceClassification"]
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelLoadError, match="causal language model"):
        load(folder)
    with pytest.raises(ModelLoadError, match="not found"):
        load(tmp_path / "nowhere")
    (tmp_path / "weights.bin").write_bytes(b"\0" * 10)
    with pytest.raises(ModelLoadError, match="not a model"):
        load(tmp_path / "weights.bin")


def test_unknown_backend_option_is_a_config_error(model_dir):
    with pytest.raises(ConfigError, match="max_batch"):
        load(model_dir, backend="transformers", max_batchsize=4)


def test_cuda_out_of_memory_halves_the_batch_then_falls_back_to_cpu(model, monkeypatch):
    """Simulated OOM: batches above 2 rows fail, so the batch halves 8 -> 4 -> 2; then one more OOM at
    batch size 1 moves the model to the CPU. Samples still come back complete, with a warning each time."""
    real = type(model)._decode_batch
    failures = {"big": 0, "single": 0}

    def flaky(self, rows, run, generator, **kwargs):
        if len(rows) > 2:
            failures["big"] += 1
            raise torch.cuda.OutOfMemoryError("simulated")
        if self.config.max_batch_size == 1 and failures["single"] == 0:
            failures["single"] += 1
            raise torch.cuda.OutOfMemoryError("simulated")
        return real(self, rows, run, generator, **kwargs)

    monkeypatch.setattr(type(model), "_decode_batch", flaky)
    monkeypatch.setattr(model.config, "max_batch_size", 8)
    with pytest.warns(UserWarning, match="retrying with batches of"):
        rows = model.sample(["Problem: x"], n=6, max_new_tokens=4, seed=0)
    assert len(rows[0]) == 6 and all(s.n_tokens == 4 or s.finish_reason == "stop" for s in rows[0])
    assert model.config.max_batch_size == 2 and failures["big"] == 2
    model.config.max_batch_size = 1
    with pytest.warns(UserWarning, match="moving the model to the CPU"):
        rows = model.sample(["Problem: x"], n=2, max_new_tokens=3, seed=0)
    assert model.device.type == "cpu" and len(rows[0]) == 2


def test_cuda_requested_without_a_gpu(model_dir, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ModelLoadError, match="no CUDA GPU"):
        load(model_dir, backend="transformers", device="cuda")
