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
