"""How `tutor.models.load` picks a backend, and llama.cpp-backend specifics (continuous batching, options).

Run: python -m pytest tests/test_models_loader.py -x -q
"""

import shutil

import numpy as np
import pytest

from tutor.errors import ConfigError, ModelLoadError
from tutor.models import load
from tutor.models.loader import resolve
from tutor.models.prefix import prefix_groups


@pytest.fixture(scope="module")
def gguf_file(model_dir, tmp_path_factory):
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (pip install '.[gguf]')")
    from trainer.export_gguf import export_gguf

    return export_gguf(model_dir, tmp_path_factory.mktemp("gguf") / "model.gguf", "f32")


def test_folder_without_gguf_is_transformers(model_dir):
    assert resolve(model_dir) == (model_dir, "transformers")
    with pytest.raises(ModelLoadError, match="no .gguf"):
        resolve(model_dir, backend="llama.cpp")
    with pytest.raises(ModelLoadError, match="unknown backend"):
        resolve(model_dir, backend="onnx")


def test_gguf_choice_rules(tmp_path):
    (tmp_path / "a.gguf").write_bytes(b"GGUF")
    assert resolve(tmp_path / "a.gguf") == (tmp_path / "a.gguf", "llama.cpp")
    assert resolve(tmp_path) == (tmp_path / "a.gguf", "llama.cpp")  # one .gguf, no config.json
    (tmp_path / "b.gguf").write_bytes(b"GGUF")
    with pytest.raises(ModelLoadError, match="several .gguf"):
        resolve(tmp_path)
    (tmp_path / "model.gguf").write_bytes(b"GGUF")
    assert resolve(tmp_path) == (tmp_path / "model.gguf", "llama.cpp")  # the bundled layout's name wins
    with pytest.raises(ModelLoadError, match="transformers backend needs a model folder"):
        resolve(tmp_path / "a.gguf", backend="transformers")


def test_bundled_default_follows_stepwise_model(monkeypatch, model_dir, tmp_path):
    monkeypatch.setenv("STEPWISE_MODEL", str(model_dir))
    assert resolve(None) == (model_dir, "transformers")
    monkeypatch.setenv("STEPWISE_MODEL", str(tmp_path / "gone"))
    with pytest.raises(ModelLoadError, match="bundled model is missing"):
        load()


def test_a_verifier_subfolder_is_the_verifier(model_dir, tmp_path):
    from tiny_llama import build_model

    folder = tmp_path / "export"
    shutil.copytree(model_dir, folder)
    build_model(folder / "verifier", seed=1)
    own_generator, own_verifier = load(model_dir, backend="transformers")
    generator, verifier = load(folder, backend="transformers")
    assert verifier is not generator and verifier.path == folder / "verifier"
    problem, solution = ["What is $2 + 3$?"], ["$2 + 3 = 5$. The answer is $\\boxed{5}$."]
    assert generator.logprobs(problem[0], solution) == own_generator.logprobs(problem[0], solution)
    assert verifier.p_correct(problem, solution) != own_verifier.p_correct(problem, solution)


@pytest.mark.gguf
def test_folder_with_model_gguf_prefers_llama_cpp_unless_told(model_dir, gguf_file, tmp_path):
    folder = tmp_path / "both"
    shutil.copytree(model_dir, folder)
    shutil.copy(gguf_file, folder / "model.gguf")
    generator, _ = load(folder, n_threads=1, n_parallel=2)
    assert type(generator).__name__ == "LlamaCppModel" and generator.path == folder / "model.gguf"
    generator, _ = load(folder, backend="transformers")
    assert type(generator).__name__ == "HFModel"


@pytest.mark.gguf
def test_samples_do_not_depend_on_how_many_sequences_share_a_batch(gguf_file):
    """Per-sequence generators: a seed gives the same samples with 2 or 16 parallel slots."""
    prompts = ["Problem: What is 2 + 2?\nSolution:\n", "Problem: x"]
    args = dict(n=5, temperature=1.0, top_p=0.9, max_new_tokens=20, seed=7, stop=["e"])
    narrow, _ = load(gguf_file, n_threads=1, n_parallel=2, f32_attention=True)
    wide, _ = load(gguf_file, n_threads=1, n_parallel=16, f32_attention=True)
    assert narrow.sample(prompts, **args) == wide.sample(prompts, **args)


@pytest.mark.gguf
def test_samples_of_one_prompt_share_its_prefill(gguf_file):
    """One prefill per prompt: the other samples copy its KV cache and re-feed only the prompt's last token,
    and the samples equal those of a one-slot model, where every sample prefills on its own."""
    prompts = ["Problem: " + "Compute 12 + 30. " * 4, "Problem: x"]
    args = dict(n=6, temperature=1.0, max_new_tokens=8, seed=0)
    shared, _ = load(gguf_file, n_threads=1, n_parallel=4, f32_attention=True)
    alone, _ = load(gguf_file, n_threads=1, n_parallel=1, f32_attention=True)
    fed = []
    add = shared.runtime.add
    shared.runtime.add = lambda token, pos, seq, logits: (fed.append(token), add(token, pos, seq, logits))[1]
    rows = shared.sample(prompts, **args)
    assert rows == alone.sample(prompts, **args)
    prompt_tokens = sum(len(shared.encode_prompt(p)) for p in prompts)
    fed_back = sum(s.n_tokens - 1 for row in rows for s in row)  # a sample's last token is never fed
    assert len(fed) == prompt_tokens + 2 * (args["n"] - 1) + fed_back


@pytest.mark.gguf
def test_kv_cache_type_is_checked_and_auto_picks_one(gguf_file):
    with pytest.raises(ConfigError, match="kv_cache"):
        load(gguf_file, kv_cache="q4")
    model, _ = load(gguf_file, n_threads=1, n_parallel=2)
    assert model.runtime.shape.kv_cache in ("bf16", "f16")
    bf16, _ = load(gguf_file, n_threads=1, n_parallel=2, kv_cache="bf16")
    f16, _ = load(gguf_file, n_threads=1, n_parallel=2, kv_cache="f16")
    assert (bf16.runtime.shape.kv_cache, f16.runtime.shape.kv_cache) == ("bf16", "f16")
    # scoring is prefill, faster with f16: it runs in its own unified f16 context over the same weights
    for model in (bf16, f16):
        assert model.scorer is not model.runtime and model.scorer.model == model.runtime.model
        assert model.scorer.shape.kv_cache == "f16" and model.scorer.shape.kv_unified
    problems, solutions = ["What is 2 + 2?", "What is 3 + 5?"], ["2 + 2 = 4.", "3 + 5 = 9."]
    np.testing.assert_allclose(bf16.p_correct(problems, solutions), f16.p_correct(problems, solutions), atol=1e-5)
    bf16.close()
    bf16.close()  # closing twice frees nothing twice


@pytest.mark.gguf
def test_long_prefill_is_chunked_to_n_batch(gguf_file):
    model, _ = load(gguf_file, n_threads=1, n_parallel=4, n_batch=16, f32_attention=True)
    reference, _ = load(gguf_file, n_threads=1, n_parallel=4, f32_attention=True)
    long_prompt = "Problem: " + "Compute 12 + 30 and simplify 3x + 4x. " * 6
    args = dict(n=3, temperature=0.8, max_new_tokens=12, seed=3)
    assert model.sample([long_prompt, "x"], **args) == reference.sample([long_prompt, "x"], **args)
    assert model.p_correct([long_prompt], ["4"]) == pytest.approx(reference.p_correct([long_prompt], ["4"]), abs=1e-5)


@pytest.mark.gguf
def test_scoring_waves_fit_the_scoring_cache(gguf_file):
    """Candidates of one problem that do not all fit the scoring KV cache (or exceed score_parallel) are
    scored in waves over the one shared prefill, with the same results."""
    roomy, _ = load(gguf_file, n_threads=1, n_parallel=2, f32_attention=True)
    cramped, _ = load(gguf_file, n_threads=1, n_parallel=2, f32_attention=True, score_parallel=3, score_cells=16,
                      ctx_per_sequence=96)
    problem = "Simplify 3x + 4x + 12 - 5 and explain each step."
    solutions = [f"{k}x + 7. " * (1 + k % 4) for k in range(9)]
    assert cramped.scorer.shape.n_cells == 96  # never below one sequence's context
    rows = [cramped.encode_prompt(cramped.prompt_format.verifier_prompt(problem, s)) for s in solutions]
    [group] = prefix_groups(rows, [len(r) - 1 for r in rows])
    assert group.shared > 10 and max(map(len, rows)) <= 96
    assert group.shared + sum(len(r) - group.shared for r in rows[:3]) > 96  # three rows overflow the cache
    expected = roomy.p_correct([problem] * 9, solutions)
    assert cramped.p_correct([problem] * 9, solutions) == pytest.approx(expected, abs=1e-5)


@pytest.mark.gguf
def test_unknown_llama_option_is_a_config_error(gguf_file):
    with pytest.raises(ConfigError, match="n_thread"):
        load(gguf_file, n_thread=2)


@pytest.mark.gguf
def test_logprobs_past_the_context_keep_the_continuation_whole(gguf_file):
    """With a 64-token context, a 150-token prompt loses its beginning; the score equals scoring the kept
    end of the prompt plus the whole continuation in a roomy context."""
    short, _ = load(gguf_file, n_threads=1, n_parallel=2, ctx_per_sequence=64, f32_attention=True)
    roomy, _ = load(gguf_file, n_threads=1, n_parallel=2, f32_attention=True)
    prompt = "Compute 12 + 30. " * 30
    cont = roomy.runtime.tokenize("x = 42", add_bos=False)
    tail = short.encode_prompt(prompt)[-(64 - len(cont)) :]
    [result] = short.logprobs(prompt, ["x = 42"])
    row = tail + cont
    manual = []

    def consume(_r, pos, logits):
        if pos + 1 < len(row):
            z = logits.astype(np.float64)
            manual.append(z[row[pos + 1]] - z.max() - np.log(np.exp(z - z.max()).sum()))

    roomy._forward([row], [len(tail) - 1], consume)
    assert result.n_tokens == len(cont) and result.total == pytest.approx(sum(manual), abs=1e-4)
    with pytest.raises(ValueError, match="context"):
        short.logprobs("x", ["y " * 80])


@pytest.mark.gguf
def test_generation_stops_at_the_end_of_the_context(gguf_file):
    model, _ = load(gguf_file, n_threads=1, n_parallel=2, ctx_per_sequence=48)
    prompt = "Compute 12 + 30. " * 10  # about 50 tokens: cut to the last 24, leaving 24 to generate
    [[sample]] = model.sample([prompt], n=1, max_new_tokens=1000, seed=0)
    assert sample.finish_reason in ("length", "stop") and sample.n_tokens <= 24


@pytest.mark.gguf
def test_threads_reach_llama_cpp_whatever_the_path_looks_like(gguf_file, tmp_path):
    folder = tmp_path / "bundled-layout"
    folder.mkdir()
    shutil.copy(gguf_file, folder / "model.gguf")  # a folder path, as the bundled default is given
    for path in (gguf_file, folder):
        generator, _ = load(path, threads=1)
        assert generator.runtime.shape.n_threads == 1
        generator.close()


def test_threads_set_torch_threads_for_the_transformers_backend(model_dir):
    import torch

    before = torch.get_num_threads()
    try:
        load(model_dir, threads=1)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
    with pytest.raises(ConfigError, match="threads"):
        load(model_dir, threads=-1)
