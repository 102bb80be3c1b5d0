"""Behaviour every model backend must share, run against both: transformers and llama.cpp (GGUF).

The same tiny random Llama is loaded from its HF folder and from an f32 GGUF export (llama.cpp in its
f32-attention mode, so results match transformers to ~1e-5 and greedy text must be identical). The
llama.cpp cases are marked `gguf` and skip when llama-cpp-python is not installed.
Run: python -m pytest tests/test_models_backends.py -x -q
"""

import threading

import pytest
import torch
import torch.nn.functional as F

from tutor import prompts
from tutor.models import Generator, Sample, SampleProgress, Verifier, load

PROBLEM = "What is 12 + 30?"
BACKENDS = ["transformers", pytest.param("llama.cpp", marks=pytest.mark.gguf)]


@pytest.fixture(scope="module", params=BACKENDS)
def model(request, model_dir, reference, tmp_path_factory):
    if request.param == "transformers":
        return reference
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (pip install '.[gguf]')")
    from trainer.export_gguf import export_gguf

    gguf_file = export_gguf(model_dir, tmp_path_factory.mktemp("gguf") / "model.gguf", "f32")
    # n_parallel below the 16 sequences of some tests, so continuous batching reuses slots.
    generator, _ = load(gguf_file, n_threads=1, n_parallel=6, f32_attention=True)
    return generator


def _manual_greedy(reference, prompt: str, steps: int) -> tuple[str, int]:
    ids = torch.tensor([reference.encode_prompt(prompt)])
    tokens = []
    with torch.no_grad():
        for _ in range(steps):
            token = reference.model(input_ids=ids).logits[0, -1].argmax().item()
            tokens.append(token)
            if token in reference.eos_ids:
                break
            ids = torch.cat([ids, torch.tensor([[token]])], dim=1)
    body = tokens[:-1] if tokens and tokens[-1] in reference.eos_ids else tokens
    return reference.tokenizer.decode(body, skip_special_tokens=True), len(tokens)


def test_model_satisfies_the_protocols(model):
    assert isinstance(model, Generator) and isinstance(model, Verifier)
    assert model.name and model.path.exists()


def test_plain_prompt_and_tokenization_match_the_reference(model, reference):
    prompt = model.solver_prompt(PROBLEM)
    assert prompt == prompts.solver_prompt(PROBLEM)
    assert model.encode_prompt(prompt) == reference.encode_prompt(prompt)
    assert (model.correct_id, model.incorrect_id) == (reference.correct_id, reference.incorrect_id)


def test_sampling_is_reproducible_with_a_seed(model):
    texts = [model.solver_prompt(PROBLEM), "Problem: 1+1"]
    args = dict(n=8, temperature=1.0, top_p=0.9, max_new_tokens=24, seed=123)
    first = model.sample(texts, **args)
    assert first == model.sample(texts, **args)
    assert [len(row) for row in first] == [8, 8]
    assert all(isinstance(s, Sample) and s.finish_reason in ("stop", "length") for row in first for s in row)
    assert first != model.sample(texts, **{**args, "seed": 124})
    assert len({s.text for s in first[0]}) > 1, "samples of one prompt must differ"


def test_greedy_equals_manual_argmax_decoding(model, reference):
    for text in [model.solver_prompt(PROBLEM), "Problem: Simplify 3x + 4x.\nSolution:\n"]:
        expected_text, expected_tokens = _manual_greedy(reference, text, 30)
        [[a, b]] = model.sample([text], n=2, temperature=0, max_new_tokens=30)
        assert a == b
        assert a.text == expected_text and a.n_tokens == expected_tokens


def _ascii_pair(text: str) -> str:
    for i in range(3, len(text) - 1):
        pair = text[i : i + 2]
        if pair.isascii() and pair.isprintable() and pair.strip():
            return pair
    raise AssertionError(f"no printable ASCII pair in {text!r}")


def test_stop_strings_are_honoured(model):
    prompt = model.solver_prompt(PROBLEM)
    args = dict(n=6, temperature=1.0, max_new_tokens=40, seed=5)
    [free] = model.sample([prompt], **args)
    index, text = next((i, s.text) for i, s in enumerate(free) if len(s.text) > 12)
    stop = _ascii_pair(text)
    [stopped] = model.sample([prompt], **args, stop=[stop, "never-generated-stop"])
    assert stopped[index] == Sample(stopped[index].text, stopped[index].n_tokens, "stop")
    assert stopped[index].text == text[: text.find(stop)]
    assert all(stop not in s.text for s in stopped)


def test_cancellation_between_steps_and_progress(model):
    cancel = threading.Event()
    events: list[SampleProgress] = []

    def on_progress(progress):
        events.append(progress)
        if progress.tokens >= 3 * 6:
            cancel.set()

    [row] = model.sample(
        [model.solver_prompt(PROBLEM)], n=12, temperature=1.0, max_new_tokens=300, seed=0,
        on_progress=on_progress, cancel=cancel,
    )
    assert len(row) == 12
    reasons = [s.finish_reason for s in row]
    assert "cancelled" in reasons and "length" not in reasons
    assert all(s.n_tokens <= 4 for s in row)
    assert events[-1].total == 12 and events[-1].tokens >= 18 and events[-1].done == 12
    assert any(e.preview for e in events)


def test_progress_counts_every_token(model):
    events: list[SampleProgress] = []
    rows = model.sample(["Problem: x", "Problem: y"], n=3, max_new_tokens=10, seed=1, on_progress=events.append)
    assert events[-1].done == events[-1].total == 6
    assert events[-1].tokens == sum(s.n_tokens for row in rows for s in row)
    assert [e.tokens for e in events] == sorted(e.tokens for e in events)


def test_logprobs_equal_a_manual_forward_pass(model, reference):
    prompt = model.solver_prompt(PROBLEM)
    continuations = ["12 + 30 = 42.", "The answer is \\boxed{7x}.", "a", ""]
    results = model.logprobs(prompt, continuations)
    prompt_ids = reference.encode_prompt(prompt)
    for cont, result in zip(continuations, results):
        cont_ids = reference.tokenizer(cont, add_special_tokens=False)["input_ids"]
        assert result.n_tokens == len(cont_ids)
        if not cont_ids:
            assert result.total == result.mean == 0.0
            continue
        with torch.no_grad():
            logits = reference.model(input_ids=torch.tensor([prompt_ids + cont_ids])).logits[0]
        logp = F.log_softmax(logits.float(), -1)
        manual = sum(logp[len(prompt_ids) - 1 + i, t].item() for i, t in enumerate(cont_ids))
        assert result.total == pytest.approx(manual, abs=1e-3)
        assert result.mean == pytest.approx(manual / len(cont_ids), abs=1e-3)


def test_p_correct_is_the_two_word_softmax(model, reference):
    problems, solutions = ["2 + 2", "2 + 3", "Simplify 3x + 4x."], ["4", "6", "7x\nso \\boxed{7x}"]
    scores = model.p_correct(problems, solutions)
    assert all(0.0 <= s <= 1.0 for s in scores)
    for p, x, score in zip(problems, solutions, scores):
        ids = torch.tensor([reference.encode_prompt(prompts.verifier_prompt(p, x))])
        with torch.no_grad():
            probs = torch.softmax(reference.model(input_ids=ids).logits[0, -1].float(), -1)
        pc, pi = probs[reference.correct_id].item(), probs[reference.incorrect_id].item()
        assert score == pytest.approx(pc / (pc + pi), abs=1e-4)
    assert len(set(scores)) == 3, "different pairs must get different scores"
    assert model.p_correct([], []) == []
    with pytest.raises(ValueError, match="solutions"):
        model.p_correct(["a"], [])


def test_p_correct_of_many_candidates_of_one_problem_equals_scoring_each_alone(model, reference):
    """The solver's case: all candidates of a problem share the verifier prompt's start (llama.cpp prefills
    it once); more candidates than the backend scores at a time, mixed with another problem's."""
    problem, other = "Simplify 3x + 4x + 12 - 5.", "What is 2 + 2?"
    solutions = [f"{k}x + 7\nso \\boxed{{{k}x + 7}}" for k in range(20)]
    problems = [problem] * 20 + [other, problem, other]
    solutions = solutions + ["4", solutions[3], "5"]
    scores = model.p_correct(problems, solutions)
    for p, x, score in zip(problems, solutions, scores):
        ids = torch.tensor([reference.encode_prompt(prompts.verifier_prompt(p, x))])
        with torch.no_grad():
            last = reference.model(input_ids=ids).logits[0, -1].float()
        assert score == pytest.approx(torch.sigmoid(last[reference.correct_id] - last[reference.incorrect_id]).item(),
                                      abs=1e-4)
    assert scores[21] == pytest.approx(scores[3], abs=1e-6)


def test_invalid_sampling_arguments(model):
    with pytest.raises(ValueError, match="top_p"):
        model.sample(["x"], top_p=0)
    with pytest.raises(ValueError, match="n must"):
        model.sample(["x"], n=0)
    assert model.sample([], n=3) == []
