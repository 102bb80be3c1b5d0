"""Which tutor backend the trainer samples candidates and evaluates with (trainer.inference).

Run: python -m pytest tests/test_train_inference.py -q
"""

import importlib.util
import os
import shutil

import pytest

from trainer import inference
from trainer.inference import gguf_beside, load_for_inference, pick_backend
from tutor.errors import ConfigError, ModelLoadError
from tutor.models.hf import HFModel

HAS_LLAMA_CPP = importlib.util.find_spec("llama_cpp") is not None


def test_auto_is_llama_cpp_on_a_cpu_with_the_gguf_extra_and_transformers_otherwise(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert pick_backend("auto") == ("llama.cpp" if HAS_LLAMA_CPP else "transformers")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert pick_backend("auto") == "transformers"  # CUDA: batched bf16 transformers
    assert pick_backend("llama.cpp") == "llama.cpp" and pick_backend("transformers") == "transformers"
    with pytest.raises(ConfigError, match="backend"):
        pick_backend("onnx")


def test_transformers_on_request(model_dir):
    generator, verifier = load_for_inference(model_dir, "transformers")
    assert isinstance(generator, HFModel) and generator is verifier
    assert not gguf_beside(model_dir, "q8_0").exists()


@pytest.mark.gguf
def test_llama_cpp_runs_a_gguf_export_kept_beside_the_folder(model_dir, tmp_path):
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (pip install '.[gguf]')")
    folder = tmp_path / "ssft" / "final"
    shutil.copytree(model_dir, folder)
    generator, _ = load_for_inference(folder, "llama.cpp", "f16", threads=1)
    exported = gguf_beside(folder, "f16")
    assert generator.path == exported and exported.parent == folder.parent
    assert not list(folder.glob("*.gguf")), "a .gguf inside the folder would make tutor.models.load pick it"
    assert generator.sample([generator.solver_prompt("What is 2 + 2?")], n=2, max_new_tokens=4, seed=0)[0]
    generator.close()
    written = exported.stat().st_mtime_ns
    load_for_inference(folder, "llama.cpp", "f16", threads=1)[0].close()
    assert exported.stat().st_mtime_ns == written, "an up-to-date export is reused"
    weights = folder / "model.safetensors"
    os.utime(weights, ns=(written + 10**9, written + 10**9))  # the folder was trained further
    load_for_inference(folder, "llama.cpp", "f16", threads=1)[0].close()
    assert exported.stat().st_mtime_ns > written


def test_auto_falls_back_to_transformers_when_the_folder_cannot_be_exported(model_dir, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise ModelLoadError("architecture GPT2LMHeadModel is not supported")

    monkeypatch.setattr(inference, "pick_backend", lambda backend: "llama.cpp")
    monkeypatch.setattr("trainer.export_gguf.export_gguf", refuse)
    generator, _ = load_for_inference(model_dir, "auto")
    assert isinstance(generator, HFModel)
    with pytest.raises(ModelLoadError, match="GPT2"):
        load_for_inference(model_dir, "llama.cpp")
