"""Shared pytest fixtures: every test gets its own Stepwise home folder and an offscreen Qt platform.

Run the suite with `python -m pytest` (slow end-to-end runs: `-m slow`).
"""

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
MATH500 = SHARED_DATA / "math500_test.jsonl"
GSM8K = SHARED_DATA / "gsm8k_test.jsonl"


@pytest.fixture(autouse=True)
def stepwise_home(tmp_path, monkeypatch):
    """Point the user data dir at a temporary folder so no test touches real history."""
    home = tmp_path / "stepwise-home"
    monkeypatch.setenv("STEPWISE_HOME", str(home))
    return home


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    """A tiny random Llama with its tokenizer, built in the test (no downloads); one per test module."""
    from tiny_llama import build_model

    return build_model(tmp_path_factory.mktemp("tiny") / "model")


@pytest.fixture(scope="module")
def reference(model_dir):
    """The transformers backend on `model_dir`: the ground truth for manual forward passes and parity."""
    from tutor.models import load

    generator, _ = load(model_dir, backend="transformers", device="cpu")
    return generator
