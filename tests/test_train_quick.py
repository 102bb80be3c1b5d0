"""`trainer run quick.toml` end to end (synthetic data → tokenizer → SSFT → candidates → evaluator →
multi-task → eval → export): the losses fall, every store table is written, the export loads in the tutor.

Run: python -m pytest tests/test_train_quick.py -q      (about 1-3 minutes on 2 cores)
"""

import json
import re

import pytest

from trainer.commands import add_training_commands  # noqa: F401  (the CLI wiring imports cleanly)
from trainer.run import execute, start_run
from tutor.store import Store

METRICS = ("Pass@1", "Pass@N", "Maj1@N", "MajK@N", "RR.All", "RR.Top-K", "W.RR", "W.RR.Top-K", "verifier_auroc",
           "verifier_ece")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    mp = pytest.MonkeyPatch()
    mp.setenv("STEPWISE_HOME", str(home))
    try:
        ctx = execute(start_run("quick"))
        yield ctx, Store()
    finally:
        mp.undo()


def test_every_phase_finished_and_training_losses_fell(quick_run):
    ctx, store = quick_run
    run = store.run(ctx.history.run_id)
    assert run.status == "finished"
    assert {p.name: p.status for p in store.phases(run.id)} == {
        name: "finished" for name in ("ssft", "candidates", "evaluator", "multitask", "eval", "export")}
    for phase in ("ssft", "evaluator", "multitask"):
        result = json.loads((ctx.run_dir / phase / "result.json").read_text())
        assert result["last_loss"] < result["first_loss"], phase
        steps = [m.step for m in store.metrics(run.id, name="loss", phase=phase)]
        assert steps == list(range(1, getattr(ctx.recipe, phase).steps + 1)), phase
    assert {c.phase for c in store.checkpoints(run.id)} == {"ssft", "evaluator", "multitask"}


def test_candidates_and_evaluation_are_stored(quick_run):
    ctx, store = quick_run
    candidates = store.candidates(ctx.history.run_id)
    assert len(candidates) == ctx.recipe.candidates.n * ctx.recipe.candidates.max_problems
    assert all(c.reference for c in candidates)
    # candidates come from the problems held out of phase 1, never from the ones SSFT trained on
    held_out = {p.unique_id for p in ctx.held_out}
    assert len(ctx.train) == ctx.recipe.data.train_problems and len(held_out) == ctx.recipe.data.candidate_problems
    assert {c.problem_id for c in candidates} == held_out
    assert not held_out & {p.unique_id for p in ctx.train}
    (evaluation,) = store.evaluations(ctx.history.run_id)
    assert evaluation.metrics["problems"] == ctx.recipe.eval.max_problems
    for name in METRICS:
        assert name in evaluation.metrics["metrics"], name
    assert evaluation.metrics["by_subject"] and evaluation.metrics["by_level"]


def test_export_is_a_model_the_tutor_loads(quick_run):
    ctx, _ = quick_run
    from tutor.models import load

    out = ctx.run_dir / "export"
    card = (out / "README.md").read_text()
    assert "| Pass@1 |" in card and "trainer run trainer/recipes/quick.toml" in card
    assert "| Tutor |" in card and "Settings: strategy rr_topk" in card and "calculator True" in card, \
        "the card is measured as the tutor solves, and says under which settings"
    assert re.search(r"Wall clock \(1 CPU thread\): ssft [\d.]+ min, candidates [\d.]+ min, .*eval [\d.]+ min", card)
    generator, verifier = load(out, backend="transformers")
    (samples,) = generator.sample([generator.solver_prompt("What is $2 + 3$?")], n=2, max_new_tokens=8, seed=0)
    assert len(samples) == 2
    (score,) = verifier.p_correct(["What is $2 + 3$?"], ["$2 + 3 = 5$."])
    assert 0.0 <= score <= 1.0


def _eval_scores(ctx, tmp_path, name, *extra) -> list[list[float]]:
    from trainer.cli import main
    from trainer.eval import load_results

    results = tmp_path / f"{name}.jsonl"
    argv = ["eval", str(ctx.final_dir("multitask")), "--data", str(ctx.run_dir / "data" / "test.jsonl"),
            "--n", "2", "--max-problems", "2", "--max-new-tokens", "24", "--results", str(results), *extra]
    assert main(argv) == 0
    return [r.scores for r in load_results(results)]


def test_eval_scores_with_the_verifier_it_is_given(quick_run, tmp_path):
    ctx, _ = quick_run
    own = _eval_scores(ctx, tmp_path, "own")
    assert _eval_scores(ctx, tmp_path, "same", "--verifier", str(ctx.final_dir("multitask"))) == own
    assert _eval_scores(ctx, tmp_path, "ssft", "--verifier", str(ctx.final_dir("ssft"))) != own


def test_export_carries_the_phase2_evaluator_when_it_is_the_verifier(quick_run, tmp_path):
    import dataclasses

    from trainer import export
    from trainer.run import verifier_dir
    from tutor.models import load

    ctx, store = quick_run
    assert verifier_dir(ctx) is None  # quick.toml: the final model judges its own samples
    recipe = dataclasses.replace(ctx.recipe, eval=dataclasses.replace(ctx.recipe.eval, verifier="evaluator"))
    as_evaluator = dataclasses.replace(ctx, recipe=recipe)
    assert verifier_dir(as_evaluator) == ctx.final_dir("evaluator")
    out = tmp_path / "export"
    export.export_model(ctx.final_dir("multitask"), out, recipe, ctx.run_dir, ctx.history.run_id, store,
                        verifier_dir=verifier_dir(as_evaluator))
    assert (out / "verifier" / "model.safetensors").is_file() and "`verifier/` judges" in (out / "README.md").read_text()
    generator, verifier = load(out, backend="transformers")
    assert generator.path == out and verifier.path == out / "verifier"
    export.export_model(ctx.final_dir("multitask"), out, ctx.recipe, ctx.run_dir, ctx.history.run_id, store)
    assert not (out / "verifier").exists()  # a stale verifier would silently judge for the new model


def test_export_in_bfloat16_shards_loads_in_both_backends_with_the_same_answers(quick_run, tmp_path):
    """The GPU recipe's export (default-gpu.toml): bfloat16 weights in files of at most `shard_mib`, so each
    comes back whole from a lent device; the tutor loads the folder, and the GGUF is made from the shards."""
    import dataclasses

    from trainer import export
    from tutor.models import load

    ctx, store = quick_run
    shard_mib = 0.05  # the quick model is ~0.2 MB: several shards, as the GPU model at 16 MiB
    recipe = dataclasses.replace(ctx.recipe, export=dataclasses.replace(
        ctx.recipe.export, dtype="bfloat16", shard_mib=shard_mib, gguf=True, gguf_type="f32"))
    out = tmp_path / "export"
    (out).mkdir()
    (out / "model.safetensors").write_bytes(b"an older export's weights")
    export.export_model(ctx.final_dir("multitask"), out, recipe, ctx.run_dir, ctx.history.run_id, store)
    shards = sorted(out.glob("*.safetensors"))
    assert len(shards) > 1 and (out / "model.safetensors.index.json").is_file(), "sharded, the stale file gone"
    assert all(path.stat().st_size <= shard_mib * 2**20 + 4096 for path in shards)  # + the header
    assert json.loads((out / "config.json").read_text())["dtype"] == "bfloat16"
    import torch

    from trainer.modeling import load_saved
    original = load_saved(ctx.final_dir("multitask")).state_dict()
    generator, _ = load(out, backend="transformers")
    assert all(torch.equal(tensor.float(), original[name].to(torch.bfloat16).float())
               for name, tensor in generator.model.state_dict().items()), "the same weights, rounded to bf16"
    generator, _ = load(out / "model.gguf", backend="llama.cpp")  # made from the shards
    (samples,) = generator.sample([generator.solver_prompt("What is $2 + 3$?")], n=2, max_new_tokens=8, seed=0)
    assert len(samples) == 2
    full = tmp_path / "full"
    export.export_model(ctx.final_dir("multitask"), full, ctx.recipe, ctx.run_dir, ctx.history.run_id, store)
    assert [p.name for p in full.glob("*.safetensors")] == ["model.safetensors"], "the default: one file"
