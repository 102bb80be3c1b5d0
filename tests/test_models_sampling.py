"""The token pickers of both backends: greedy, nucleus (top-p) membership and sampling frequencies.

Run: python -m pytest tests/test_models_sampling.py -x -q
"""

import numpy as np
import pytest
import torch

from tutor.models.hf import pick_tokens
from tutor.models.prompting import StopStrings
from tutor.models.sampling import pick_tokens_np

PEAKED = [5.0, 4.0, 0.0, -1.0]  # softmax: 0.7255, 0.2669, 0.0049, 0.0018


def _nucleus_distribution(logits: np.ndarray, temperature: float, top_p: float) -> np.ndarray:
    """The exact distribution nucleus sampling draws from, computed the slow obvious way."""
    p = np.exp((logits - logits.max()) / temperature)
    p /= p.sum()
    order = np.argsort(-p)
    kept = order[: np.searchsorted(np.cumsum(p[order]), top_p) + 1]
    q = np.zeros_like(p)
    q[kept] = p[kept]
    return q / q.sum()


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_top_p_keeps_only_the_nucleus(backend):
    def pick(temperature, top_p):
        if backend == "numpy":
            logits = np.tile(np.array(PEAKED, dtype=np.float32), (400, 1))
            return set(pick_tokens_np(logits, temperature, top_p, np.random.default_rng(0).random(400)).tolist())
        logits = torch.tensor([PEAKED]).repeat(400, 1)
        return set(pick_tokens(logits, temperature, top_p, torch.Generator().manual_seed(0)).tolist())

    assert pick(1.0, 0.5) == {0}  # the top token alone holds > 50 % of the mass
    assert pick(1.0, 0.9) == {0, 1}
    assert pick(0, 0.5) == {0}
    assert pick(5.0, 1.0) == {0, 1, 2, 3}  # a hot temperature reaches the tail


@pytest.mark.parametrize("vocab, top_p", [(50, 0.8), (1000, 0.9), (1000, 0.3)])
def test_numpy_sampler_frequencies_match_the_nucleus_distribution(vocab, top_p):
    rng = np.random.default_rng(vocab)
    logits = (rng.normal(size=vocab) * 3).astype(np.float32)
    expected = _nucleus_distribution(logits.astype(np.float64), 0.7, top_p)
    draws = pick_tokens_np(np.tile(logits, (40_000, 1)), 0.7, top_p, rng.random(40_000))
    observed = np.bincount(draws, minlength=vocab) / len(draws)
    assert observed[expected == 0].sum() == 0, "a token outside the nucleus was drawn"
    assert np.abs(observed - expected).max() < 0.01


def test_flat_distribution_falls_back_to_the_whole_vocabulary():
    """Near-uniform rows need more than the pre-sorted candidates to reach top_p."""
    logits = np.zeros((2000, 1000), dtype=np.float32)
    draws = pick_tokens_np(logits, 1.0, 0.95, np.random.default_rng(1).random(2000))
    assert len(set(draws.tolist())) > 600


def test_stop_strings_cut_at_the_earliest():
    stops = StopStrings(["\nProblem:", "##", ""])
    assert stops.cut("a ## b\nProblem: c") == ("a ", True)
    assert stops.cut("no stop") == ("no stop", False)
    assert stops.longest == len("\nProblem:") and stops.in_tail("x\nProblem:")
    assert not StopStrings([""])


def test_verdict_tokens_must_differ():
    from tutor.errors import ModelLoadError
    from tutor.models.prompting import verdict_token_ids

    def char_level(text):  # both words start with the same token: " "
        return [ord(c) for c in text]

    with pytest.raises(ModelLoadError, match="same token"):
        verdict_token_ids(char_level)

    def word_level(text):  # " correct" and " incorrect" are whole tokens after the prefix
        return [hash(w) % 10_000 for w in text.split(" ")]

    correct, incorrect = verdict_token_ids(word_level)
    assert correct != incorrect


def test_chat_templates_render_in_a_sandbox_and_fail_clearly():
    from tutor.errors import ModelLoadError
    from tutor.models.prompting import PromptFormat

    with pytest.raises(ModelLoadError, match="does not parse"):
        PromptFormat("{% for m in messages %}")
    with pytest.raises(ModelLoadError, match="failed to render"):
        PromptFormat("{{ raise_exception('only system and user roles') }}").solver_prompt("1+1")
    with pytest.raises(ModelLoadError, match="failed to render"):  # the sandbox refuses unsafe calls
        PromptFormat("{{ messages.__class__.__mro__[1].__subclasses__() }}").solver_prompt("1+1")
    fmt = PromptFormat("{{ bos_token }}{{ messages[0]['content'] | tojson }}", bos_token="<s>")
    assert fmt.solver_prompt("1+1").startswith('<s>"1+1')
    assert fmt.adds_bos("<s>x", tokenizer_adds_bos=True) is False
    assert PromptFormat(None).adds_bos("<s>x", tokenizer_adds_bos=True) is True


def test_fit_prompt_keeps_the_end_and_at_most_half_for_generation():
    from tutor.models.sampling import fit_prompt

    ids = list(range(100))
    assert fit_prompt(ids, context=200, reserve=50) == ids
    assert fit_prompt(ids, context=120, reserve=50) == ids[-70:]
    assert fit_prompt(ids, context=120, reserve=10_000) == ids[-60:]  # the reserve is capped at half
    assert fit_prompt(ids, context=80) == ids[-80:]
