"""Tests of the transformers backend on a tiny random Llama built in the test (no downloads).

Run: python -m pytest tests/test_models_hf.py -x -q
"""

import threading

import pytest
import torch
import torch.nn.functional as F
from tiny_llama import build_model

from tutor import prompts
from tutor.errors import ConfigError, ModelLoadError
from tutor.models import Generator, Sample, SampleProgress, Verifier, load
from tutor.models.hf import pick_tokens

PROBLEM = "What is 12 + 30?"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return build_model(tmp_path_factory.mktemp("tiny") / "model")


@pytest.fixture(scope="module")
def model(model_dir):
    generator, verifier = load(model_dir, device="cpu")
    assert generator is verifier
    return generator


def test_model_satisfies_the_protocols(model, model_dir):
    assert isinstance(model, Generator) and isinstance(model, Verifier)
    assert model.path == model_dir and model.name == "model"


def test_plain_solver_prompt_without_chat_template(model):
    assert model.solver_prompt(PROBLEM) == prompts.solver_prompt(PROBLEM)
    ids = model.encode_prompt(model.solver_prompt(PROBLEM))
    assert ids[0] == model.tokenizer.bos_token_id and ids.count(model.tokenizer.bos_token_id) == 1


def test_sampling_is_reproducible_with_a_seed(model):
    prompt = model.solver_prompt(PROBLEM)
    args = dict(n=4, temperature=1.0, top_p=0.9, max_new_tokens=24, seed=123)
    first = model.sample([prompt, "Problem: 1+1"], **args)
    assert first == model.sample([prompt, "Problem: 1+1"], **args)
    assert [len(row) for row in first] == [4, 4]
    assert all(isinstance(s, Sample) for row in first for s in row)
    # Different seeds give different samples (random tiny model: high-entropy next-token distributions).
    assert first != model.sample([prompt, "Problem: 1+1"], **{**args, "seed": 124})
    # Different samples of one prompt differ from each other.
    assert len({s.text for s in first[0]}) > 1


def test_greedy_matches_manual_argmax_decoding(model):
    prompt = model.solver_prompt(PROBLEM)
    [[sample]] = model.sample([prompt], n=1, temperature=0, max_new_tokens=12)
    ids = torch.tensor([model.encode_prompt(prompt)])
    expected = []
    with torch.no_grad():
        for _ in range(12):
            token = model.model(input_ids=ids).logits[0, -1].argmax().item()
            if token in model.eos_ids:
                break
            expected.append(token)
            ids = torch.cat([ids, torch.tensor([[token]])], dim=1)
    assert sample.text == model.tokenizer.decode(expected, skip_special_tokens=True)
    assert sample.n_tokens == len(expected) + (sample.finish_reason == "stop")


def test_batched_greedy_equals_one_at_a_time(model):
    """Left padding and dropping finished rows must not change any sequence."""
    texts = [model.solver_prompt(PROBLEM), "Problem: Simplify 3x + 4x.", "x"]
    batched = model.sample(texts, n=2, temperature=0, max_new_tokens=16)
    for text, row in zip(texts, batched):
        [[alone]] = model.sample([text], n=1, temperature=0, max_new_tokens=16)
        assert row[0] == alone and row[1] == alone


def test_stop_strings_are_honoured(model):
    prompt = model.solver_prompt(PROBLEM)
    [free] = model.sample([prompt], n=6, temperature=1.0, max_new_tokens=40, seed=5)
    # Pick a two-character string that appears mid-way in a free sample, then stop on it.
    text = next(s.text for s in free if len(s.text) > 12)
    stop = text[6:8]
    [stopped] = model.sample([prompt], n=6, temperature=1.0, max_new_tokens=40, seed=5, stop=[stop])
    hits = [s for s in stopped if s.finish_reason == "stop"]
    assert hits, "the stop string seen in a free sample must stop the same seeded sample"
    for s in stopped:
        assert stop not in s.text
    assert stopped[free.index(next(s for s in free if len(s.text) > 12))].text == text[: text.find(stop)]


def test_cancellation_between_steps_and_progress(model):
    cancel = threading.Event()
    events: list[SampleProgress] = []

    def on_progress(progress):
        events.append(progress)
        if progress.tokens >= 3 * 8:  # after three decode steps of 8 sequences
            cancel.set()

    rows = model.sample(
        [model.solver_prompt(PROBLEM)], n=8, temperature=1.0, max_new_tokens=200, seed=0,
        on_progress=on_progress, cancel=cancel,
    )
    finished = [s.finish_reason for s in rows[0]]
    assert "cancelled" in finished and "length" not in finished
    assert all(s.n_tokens <= 4 for s in rows[0])
    assert events and events[-1].total == 8 and events[-1].tokens >= 24
    assert all(isinstance(e.preview, str) for e in events)


def test_logprobs_equal_a_manual_forward_pass(model):
    prompt = model.solver_prompt(PROBLEM)
    continuations = ["12 + 30 = 42.", "The answer is \\boxed{7x}.", "a"]
    results = model.logprobs(prompt, continuations)
    prompt_ids = model.encode_prompt(prompt)
    for cont, result in zip(continuations, results):
        cont_ids = model.tokenizer(cont, add_special_tokens=False)["input_ids"]
        with torch.no_grad():
            logits = model.model(input_ids=torch.tensor([prompt_ids + cont_ids])).logits[0]
        logp = F.log_softmax(logits.float(), -1)
        manual = sum(logp[len(prompt_ids) - 1 + i, t].item() for i, t in enumerate(cont_ids))
        assert result.n_tokens == len(cont_ids)
        assert result.total == pytest.approx(manual, abs=1e-4)
        assert result.mean == pytest.approx(manual / len(cont_ids), abs=1e-5)
    assert model.logprobs(prompt, [""])[0].n_tokens == 0


def test_p_correct_is_the_two_word_softmax(model):
    problems, solutions = ["2 + 2", "2 + 3", "Simplify 3x + 4x."], ["4", "6", "7x\nso \\boxed{7x}"]
    scores = model.p_correct(problems, solutions)
    assert all(0.0 <= s <= 1.0 for s in scores)
    for p, x, score in zip(problems, solutions, scores):
        ids = torch.tensor([model.encode_prompt(prompts.verifier_prompt(p, x))])
        with torch.no_grad():
            probs = torch.softmax(model.model(input_ids=ids).logits[0, -1].float(), -1)
        pc, pi = probs[model.correct_id].item(), probs[model.incorrect_id].item()
        assert score == pytest.approx(pc / (pc + pi), abs=1e-5)
    assert model.p_correct([], []) == []


def test_verdict_tokens_are_the_words_first_tokens(model):
    tok = model.tokenizer
    assert model.correct_id != model.incorrect_id
    assert tok.decode([model.correct_id]).strip() and prompts.CORRECT_WORD.startswith(tok.decode([model.correct_id]))


def test_top_p_keeps_only_the_nucleus():
    logits = torch.tensor([[5.0, 4.0, 0.0, -1.0]]).repeat(200, 1)
    gen = torch.Generator().manual_seed(0)
    picks = pick_tokens(logits, 1.0, 0.5, gen)
    assert set(picks.tolist()) == {0}  # the top token alone holds > 50 % of the mass
    picks = pick_tokens(logits, 1.0, 0.9, gen)
    assert set(picks.tolist()) == {0, 1}
    assert set(pick_tokens(logits, 0, 0.5, gen).tolist()) == {0}


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


def test_invalid_sampling_arguments(model):
    with pytest.raises(ValueError, match="top_p"):
        model.sample(["x"], top_p=0)
    with pytest.raises(ValueError, match="n must"):
        model.sample(["x"], n=0)
