"""Recipes load into the documented dataclasses; unknown keys and wrong types are ConfigErrors naming the key.

Run: python -m pytest tests/test_train_config.py -q
"""

import pytest

from trainer.config import from_dict, to_dict
from trainer.run import RecipeConfig, load_recipe
from tutor.errors import ConfigError


def _write(tmp_path, text):
    path = tmp_path / "recipe.toml"
    path.write_text(text)
    return path


def test_unknown_top_level_key_is_named(tmp_path):
    with pytest.raises(ConfigError, match="'epochs'"):
        load_recipe(_write(tmp_path, 'name = "x"\nepochs = 3\n'))


def test_unknown_nested_key_is_named_with_its_table(tmp_path):
    with pytest.raises(ConfigError, match=r"'evaluator\.lamda'"):
        load_recipe(_write(tmp_path, "[evaluator]\nlamda = 2.0\n"))


def test_wrong_type_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"'ssft\.steps' must be int"):
        load_recipe(_write(tmp_path, '[ssft]\nsteps = "many"\n'))


def test_unknown_phase_and_bad_toml(tmp_path):
    with pytest.raises(ConfigError, match="unknown phase"):
        load_recipe(_write(tmp_path, 'phases = ["ssft", "pretrain"]\n'))
    with pytest.raises(ConfigError, match=r"\[eval\] verifier must be one of final, evaluator"):
        load_recipe(_write(tmp_path, '[eval]\nverifier = "ssft"\n'))
    with pytest.raises(ConfigError, match=r"\[eval\] step_penalty must be in \[0, 1\]"):
        load_recipe(_write(tmp_path, '[eval]\nstep_penalty = 2.0\n'))
    with pytest.raises(ConfigError, match=r"dtype must be one of float32, bfloat16"):
        load_recipe(_write(tmp_path, '[export]\ndtype = "float16"\n'))
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_recipe(_write(tmp_path, "[ssft\n"))
    with pytest.raises(ConfigError, match="not found"):
        load_recipe(tmp_path / "missing.toml")


def test_values_land_in_the_dataclasses_and_round_trip(tmp_path):
    recipe = load_recipe(_write(tmp_path, '[evaluator]\nloss = "xent"\nmargin = 2\n[multitask]\nfinal_loss = "ctr"\n'))
    assert recipe.evaluator.loss == "xent" and recipe.evaluator.margin == 2.0
    assert recipe.multitask.final_loss == "ctr" and recipe.multitask.alpha == 1.0
    assert from_dict(RecipeConfig, to_dict(recipe)) == recipe


@pytest.mark.parametrize("name", ["quick", "default", "default-gpu"])
def test_bundled_recipes_load_by_name(name):
    recipe = load_recipe(name)
    assert recipe.name == name and recipe.eval.n >= recipe.eval.k


def test_the_gpu_recipe_ships_what_the_repository_and_the_device_allow():
    """default-gpu.toml's model, in bfloat16 shards of <= 16 MiB plus its q8_0 GGUF, fits the 64 MB the
    repository allows for the model folder; the device returns it whole (at most 8 files)."""
    import torch

    from trainer.modeling import n_parameters, scratch_model

    def parameters(recipe) -> int:
        vocabulary = type("Vocabulary", (), {"__len__": lambda self: recipe.data.vocab_size,
                                             "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 0})()
        with torch.device("meta"):
            return n_parameters(scratch_model(recipe.model, vocabulary))

    recipe = load_recipe("default-gpu")
    params = parameters(recipe)
    assert params > 1.5 * parameters(load_recipe("default")), "larger than the CPU default"
    weights, gguf = 2 * params, 1.07 * params  # bfloat16; q8_0 is 34 bytes per 32 weights
    assert weights + gguf <= 64e6 and recipe.export.dtype == "bfloat16" and recipe.export.shard_mib <= 16
    assert weights / (recipe.export.shard_mib * 2**20) + 1 <= 8, "shards plus one archive"
    assert "eval" not in recipe.phases, "evaluated on the CPU afterwards, as the tutor runs it"


@pytest.mark.parametrize("held_out, with_phase1, expected", [
    (0, False, ["t0", "t1", "t2"]),
    (0, True, ["t0", "t1", "t2"]),
    (2, False, ["h0", "h1"]),
    (2, True, ["h0", "h1", "t0", "t1", "t2"]),
])
def test_candidate_problems_are_held_out_phase1_or_both(held_out, with_phase1, expected):
    from trainer.run import RunContext

    recipe = RecipeConfig()
    recipe.candidates.with_phase1_problems = with_phase1
    ctx = RunContext(recipe=recipe, run_dir=None, history=None,
                     train=["t0", "t1", "t2"], held_out=["h0", "h1"][:held_out])
    assert ctx.candidate_problems() == expected
