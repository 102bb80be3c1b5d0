"""Exporting a run's final model: the HF folder the tutor loads, its calibration, a GGUF file and a model
card (README.md) with the evaluation table and the exact command that reproduces it.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

from trainer.data.real import mix_summary
from trainer.eval import METRIC_ORDER
from tutor.errors import ModelLoadError
from tutor.models.loader import VERIFIER_DIR

log = logging.getLogger(__name__)

MODEL_FILES = ("config.json", "generation_config.json", "model.safetensors", "tokenizer.json",
               "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja")


def _metric_name(metric: str, n: int, k: int) -> str:
    return metric.replace("@N", f"@{n}").replace("Top-K", f"Top-{k}").replace("MajK", f"Maj{k}")


def eval_table(report: dict) -> str:
    """Markdown table of a stored evaluation report (report.json of `trainer eval`)."""
    n, k, m = report["n"], report["k"], report["metrics"]
    rows = ["| metric | value |", "| --- | --- |"]
    rows += [f"| {_metric_name(name, n, k)} | {100 * m[name]:.1f} % |" for name in METRIC_ORDER if name in m]
    if "ssft_pass@1" in report:
        rows.append(f"| Pass@1 of the SSFT model (phase 1 only) | {100 * report['ssft_pass@1']:.1f} % |")
    for name in ("verifier_auroc", "verifier_auroc_scls", "verifier_ece", "confidence_ece_before",
                 "confidence_ece_after", "tutor_confidence_ece", "wrong_with_confidence_>=0.6",
                 "wrong_with_confidence_>=0.8", "ill_posed_handled", "sample_accuracy", "false_step_share"):
        if name in m and m[name] == m[name]:
            rows.append(f"| {name} | {m[name]:.3f} |")
    return "\n".join(rows)


def settings_line(report: dict) -> str:
    """The settings an evaluation ran under, as one sentence (the tutor's own unless the recipe changed them)."""
    settings = report.get("settings") or {}
    if not settings:
        return "Settings: not recorded."
    return "Settings: " + ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in settings.items()) + "."


def breakdown_table(groups: dict[str, dict], label: str) -> str:
    head = f"| {label} | problems | Pass@1 | Maj1 | RR.Top-K | Pass@N |\n| --- | --- | --- | --- | --- | --- |"
    rows = [f"| {g} | {v['problems']} | {100 * v['Pass@1']:.1f} | {100 * v['Maj1@N']:.1f} | "
            f"{100 * v['RR.Top-K']:.1f} | {100 * v['Pass@N']:.1f} |" for g, v in groups.items()]
    return "\n".join([head, *rows])


def phase_summaries(store, run_id: int) -> dict[str, dict[str, float]]:
    """Per training phase, from the whole step history in the store (so it spans resumes): steps, mean loss
    over the first and the last tenth of the steps, mean tokens/s."""
    out = {}
    for phase in ("ssft", "evaluator", "multitask"):
        losses = [m.value for m in store.metrics(run_id, name="loss", phase=phase)]
        if not losses:
            continue
        tenth = max(1, len(losses) // 10)
        speeds = [m.value for m in store.metrics(run_id, name="tokens_per_s", phase=phase)]
        out[phase] = {"steps": len(losses), "first_loss": sum(losses[:tenth]) / tenth,
                      "last_loss": sum(losses[-tenth:]) / tenth, "tokens_per_second": sum(speeds) / max(1, len(speeds))}
    return out


def phase_minutes(store, run_id: int) -> dict[str, float]:
    """Wall-clock minutes of each finished phase of a run (a resumed phase counts from its last start)."""
    return {p.name: (p.finished_at - p.started_at).total_seconds() / 60
            for p in store.phases(run_id) if p.finished_at is not None and p.started_at is not None}


def model_card(recipe, run_dir: Path, run_id: int, n_params: int, report: dict | None, store=None) -> str:
    """README.md of an exported model."""
    from trainer.config import to_dict
    from trainer.history import open_store

    recipe_name = recipe.name + ".toml"
    shape = recipe.model
    store = store or open_store()
    results = phase_summaries(store, run_id)
    minutes = phase_minutes(store, run_id)
    lines = [
        f"# {recipe.name}: the Stepwise default model",
        "",
        f"A {n_params / 1e6:.2f}M-parameter LlamaForCausalLM (hidden {shape.hidden_size}, {shape.num_layers} layers, "
        f"{shape.num_heads} heads, tied embeddings: {shape.tie_embeddings}) trained from scratch on step-by-step "
        "problems by `trainer run` (Liu et al. 2023: SSFT → evaluator → multi-task). "
        + ("The final model solves (solver prompt); the phase-2 evaluator in `verifier/` judges (verifier "
         "prompt T(P, X)), as the paper's solution-cluster re-ranking does." if recipe.eval.verifier == "evaluator"
         else "One model both solves (solver prompt) and judges (verifier prompt T(P, X))."),
        "",
        mix_summary(run_dir) or "Training data: synthetic problems only.",
        "",
        "Reproduce (from the repository root):",
        "",
        "```bash",
        f"trainer run trainer/recipes/{recipe_name}",
        "```",
        "",
        f"Run {run_id}, folder `{run_dir.name}`.",
        "",
        "## Training",
        "",
        "| phase | steps | loss (first 10 % of steps) | loss (last 10 %) | tokens/s (mean of steps) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for phase, r in results.items():
        lines.append(f"| {phase} | {r['steps']} | {r['first_loss']:.4f} | {r['last_loss']:.4f} | "
                     f"{r['tokens_per_second']:.0f} |")
    if minutes:
        lines += ["", f"Wall clock ({recipe.threads or 'all'} CPU thread{'s' * (recipe.threads != 1)}): "
                  + ", ".join(f"{name} {value:.1f} min" for name, value in minutes.items())
                  + f"; {sum(minutes.values()):.1f} min in all before export."]
    if report is not None:
        lines += ["", f"## Evaluation ({report['problems']} held-out synthetic problems, as the tutor solves them)",
                  "", settings_line(report), "", eval_table(report), "",
                  "Tutor is the answer the app shows (its strategy, the direct computation where it reads the "
                  "problem, the fallbacks).",
                  "Pass@1 is the greedy solution; MajK and Pass@N are oracle bounds. confidence_ece_after is "
                  "cross-fitted (5 folds), so the calibration is not scored on the problems it was fitted to.", ""]
        if report.get("by_subject"):
            lines += ["### By subject", "", breakdown_table(report["by_subject"], "subject"), ""]
        if report.get("by_level"):
            lines += ["### By level", "", breakdown_table(report["by_level"], "level"), ""]
    lines += ["## Recipe", "", "```json", json.dumps(to_dict(recipe), indent=1), "```", ""]
    return "\n".join(lines)


def _copy_model(model_dir: Path, out: Path, recipe) -> None:
    """The HF files of `model_dir` into `out` (the weights re-saved in `export.dtype`, in files of at most
    `export.shard_mib` when set), and model.gguf when configured."""
    out.mkdir(parents=True, exist_ok=True)
    for stale in [*out.glob("*.safetensors"), out / "model.safetensors.index.json"]:
        stale.unlink(missing_ok=True)  # an earlier export's weights would be read beside the new ones
    for name in MODEL_FILES:
        if (model_dir / name).exists():
            shutil.copy2(model_dir / name, out / name)
    export = recipe.export
    if export.dtype != "float32" or export.shard_mib:
        _resave_weights(model_dir, out, export.dtype, export.shard_mib)
    if recipe.export.gguf:
        try:
            from trainer.export_gguf import export_gguf

            export_gguf(out, out / "model.gguf", recipe.export.gguf_type)
        except ModelLoadError as exc:  # q8_0 needs llama-cpp-python: keep the HF folder, say why
            log.warning("no GGUF written: %s", exc)


def _resave_weights(model_dir: Path, out: Path, dtype: str, shard_mib: float) -> None:
    import torch

    from trainer.modeling import load_saved

    (out / "model.safetensors").unlink(missing_ok=True)
    model = load_saved(model_dir).to(getattr(torch, dtype))  # a name of EXPORT_DTYPES (ExportConfig checks it)
    model.save_pretrained(str(out), safe_serialization=True, max_shard_size=int((shard_mib or 10_000) * 2**20))


def export_model(model_dir: Path, out: Path, recipe, run_dir: Path, run_id: int, store=None,
                 verifier_dir: Path | None = None) -> Path:
    """Copy the model files, calibration and card into `out`; add model.gguf when configured, and the
    separate verifier (`verifier_dir`) into out/verifier (an older one there is removed when there is none)."""
    from trainer.modeling import load_saved, n_parameters

    _copy_model(model_dir, out, recipe)
    shutil.rmtree(out / VERIFIER_DIR, ignore_errors=True)
    if verifier_dir is not None:
        _copy_model(verifier_dir, out / VERIFIER_DIR, recipe)
    calibration = run_dir / "eval" / "calibration.json"
    if calibration.exists():
        shutil.copy2(calibration, out / "calibration.json")
    report_file = run_dir / "eval" / "report.json"
    report = json.loads(report_file.read_text()) if report_file.exists() else None
    n_params = n_parameters(load_saved(model_dir))
    (out / "README.md").write_text(model_card(recipe, run_dir, run_id, n_params, report, store), encoding="utf-8")
    return out
