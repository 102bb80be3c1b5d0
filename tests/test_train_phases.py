"""Each training phase trains a tiny random Llama a few steps: the parameters move and the loss falls.

Run: python -m pytest tests/test_train_phases.py -q
"""

import pytest
from _train_fixtures import (
    addition_problems,
    labelled_candidates,
    moved,
    parameters_copy,
    tiny_model,
    tiny_tokenizer,
)

from trainer.evaluator import EvaluatorConfig, evaluator_batches, run_evaluator, select_examples
from trainer.history import NullHistory
from trainer.multitask import MultitaskConfig, run_multitask
from trainer.ssft import SSFTConfig, run_ssft
from tutor.errors import ConfigError

FAST = {"warmup_steps": 2, "tokens_per_batch": 1024, "max_seq_len": 256, "checkpoint_every": 100}


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory):
    return tiny_tokenizer(tmp_path_factory.mktemp("tok"))


@pytest.fixture(scope="module")
def problems():
    return addition_problems(40)


def test_ssft_lowers_the_solution_loss(tokenizer, problems, tmp_path):
    model = tiny_model(tokenizer)
    before = parameters_copy(model)
    result = run_ssft(model, tokenizer, problems, SSFTConfig(steps=20, learning_rate=5e-3, **FAST), tmp_path,
                      NullHistory())
    assert moved(before, model)
    assert result.last_loss < result.first_loss - 0.5
    assert result.tokens > 0 and result.tokens_per_second > 0


@pytest.mark.parametrize("loss", ["xent", "margin"])
def test_evaluator_learns_to_separate_correct_from_incorrect(tokenizer, problems, tmp_path, loss):
    model = tiny_model(tokenizer)
    before = parameters_copy(model)
    config = EvaluatorConfig(loss=loss, steps=15, learning_rate=5e-3, examples_per_problem=4, **FAST)
    result = run_evaluator(model, tokenizer, labelled_candidates(problems), config, tmp_path, NullHistory())
    assert moved(before, model)
    assert result.last_loss < result.first_loss


def test_evaluator_examples_are_balanced_pairs_of_one_problem(tokenizer, problems):
    candidates = labelled_candidates(problems[:3])
    pairs = select_examples(candidates, EvaluatorConfig(loss="margin", examples_per_problem=4), seed=0)
    assert len(pairs) == 3 * 2
    assert all(g.correct and not b.correct and g.problem == b.problem for g, b in pairs)
    singles = select_examples(candidates, EvaluatorConfig(loss="xent", examples_per_problem=2), seed=0)
    assert [c.correct for (c,) in singles].count(True) == 3  # one correct + one incorrect per problem
    with pytest.raises(ConfigError, match="evaluator.loss"):
        evaluator_batches(tokenizer, candidates, EvaluatorConfig(loss="hinge"), seed=0)


@pytest.mark.parametrize("final_loss", ["mle", "ctr"])
def test_multitask_final_generator_stage_trains(tokenizer, problems, tmp_path, final_loss):
    model = tiny_model(tokenizer)
    before = parameters_copy(model)
    config = MultitaskConfig(final_loss=final_loss, steps=15, learning_rate=5e-3, **FAST)
    result = run_multitask(model, tokenizer, problems, labelled_candidates(problems), config, tmp_path, NullHistory())
    assert moved(before, model)
    assert result.last_loss < result.first_loss


class RecordingHistory(NullHistory):
    def __init__(self):
        self.steps = []

    def log_step(self, phase, step, metrics):
        self.steps.append(metrics)


def test_evaluator_replay_mixes_verifier_steps_into_the_generator_stage(tokenizer, problems, tmp_path):
    """With evaluator_replay, about that share of the micro-batches trains the verdict readout with phase 2's
    loss (its metrics are logged as replay_*); without it, none does."""
    evaluator = EvaluatorConfig(loss="margin", examples_per_problem=4, **FAST)
    candidates = labelled_candidates(problems)
    mixed, plain = RecordingHistory(), RecordingHistory()
    config = MultitaskConfig(final_loss="mle", steps=24, learning_rate=5e-3, evaluator_replay=0.5, **FAST)
    run_multitask(tiny_model(tokenizer), tokenizer, problems, candidates, config, tmp_path / "a", mixed,
                  evaluator_config=evaluator)
    replayed = sum("replay_pair_accuracy" in m for m in mixed.steps)
    assert 4 <= replayed <= 20, f"{replayed} of 24 steps were evaluator steps"
    run_multitask(tiny_model(tokenizer), tokenizer, problems, candidates,
                  MultitaskConfig(final_loss="mle", steps=6, learning_rate=5e-3, **FAST), tmp_path / "b", plain)
    assert not any("replay_pair_accuracy" in m for m in plain.steps)
    with pytest.raises(ConfigError, match="evaluator's config"):
        run_multitask(tiny_model(tokenizer), tokenizer, problems, candidates, config, tmp_path / "c", plain)
    with pytest.raises(ConfigError, match="evaluator_replay"):
        run_multitask(tiny_model(tokenizer), tokenizer, problems, candidates,
                      MultitaskConfig(evaluator_replay=1.0, **FAST), tmp_path / "d", plain)


def test_lora_trains_only_adapters_and_merges_back(tokenizer, problems, tmp_path):
    from trainer.config import ModelConfig
    from trainer.modeling import merged, with_lora

    base = tiny_model(tokenizer)
    frozen = parameters_copy(base)
    wrapped = with_lora(base, ModelConfig(lora=True, lora_r=4, lora_alpha=8))
    run_ssft(wrapped, tokenizer, problems, SSFTConfig(steps=5, learning_rate=1e-2, **FAST), tmp_path, NullHistory())
    plain = merged(wrapped)
    assert not hasattr(plain, "peft_config")
    assert moved(frozen, plain)  # the merged weights carry the adapters' update


def test_reference_positives_give_pairs_when_no_sample_is_right(problems):
    from trainer.candidates import Candidate

    wrong = [Candidate(p.unique_id, i, p.problem, f"guess {i}", "0", p.answer, False) for p in problems[:2] for i in range(3)]
    config = EvaluatorConfig(loss="margin", examples_per_problem=4)
    assert select_examples(wrong, config, seed=0) == []
    config.reference_positives = True
    pairs = select_examples(wrong, config, seed=0, references={p.problem: p.solution for p in problems})
    assert len(pairs) == 4 and all(g.solution in {p.solution for p in problems} and not b.correct for g, b in pairs)


def test_a_gguf_file_is_a_fine_tuning_source():
    """The bundled q8_0 GGUF dequantizes into a Llama that predicts like the safetensors it came from."""
    import torch

    from trainer.modeling import load_saved, pretrained_model
    from tutor.paths import bundled_model_dir

    folder = bundled_model_dir()
    if not (folder / "model.gguf").exists():
        pytest.skip("no bundled model.gguf")
    model, tokenizer = pretrained_model(str(folder / "model.gguf"))
    reference = load_saved(folder)
    ids = torch.tensor([tokenizer("Problem: What is $2 + 3$?\nSolution:\n")["input_ids"]])
    with torch.no_grad():
        ours, theirs = model(input_ids=ids).logits, reference(input_ids=ids).logits
    assert (ours.argmax(-1) == theirs.argmax(-1)).float().mean() > 0.9
    assert (ours - theirs).abs().max() < 1.0  # q8_0 rounding only
