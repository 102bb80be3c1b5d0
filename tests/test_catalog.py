"""The shipped model catalog (tutor/hub/catalog.toml) and "recommended for this computer"; no network.

Run: python -m pytest tests/test_catalog.py -q
"""

from __future__ import annotations

import pytest

from tutor.errors import ConfigError
from tutor.hub.catalog import Hardware, _meminfo, find_entry, fits, load_catalog, parse_catalog, recommend

CATALOG = load_catalog()


def test_the_catalog_covers_what_the_issue_asks_for():
    gguf = [e for e in CATALOG if e.format == "gguf"]
    assert any(e.math_specialised and e.params_b == 1.5 for e in gguf), "a math-specialised 1.5B model"
    assert any(not e.math_specialised and 0.5 <= e.params_b <= 2 for e in gguf), "a general 0.5-2B model"
    assert any(e.math_specialised and e.params_b >= 7 for e in gguf), "a 7B math model for strong machines"
    assert any(e.ram_gb <= 2 for e in gguf), "a small model a 4 GB laptop can run"
    assert any(e.format == "hf" for e in CATALOG), "an HF folder for the transformers backend"


@pytest.mark.parametrize("entry", CATALOG, ids=lambda e: e.id)
def test_every_entry_is_complete_and_honest(entry):
    assert entry.repo_id.count("/") == 1 and entry.card_url.startswith("https://huggingface.co/")
    assert entry.license and entry.quantization and entry.size_bytes > 0 and entry.ram_gb > 0
    assert entry.ram_gb * 1e9 > entry.size_bytes, "loading needs at least the file's size in memory"
    if entry.format == "gguf":
        assert entry.filename.endswith(".gguf")
    assert not entry.trained_verifier and entry.needs_separate_verifier, "no general model has a trained verifier"
    for figure in (entry.math500, entry.math, entry.gsm8k):
        assert figure == "" or 0 < float(figure) < 100
    assert entry.figures_note, "say under which setting the card's figures were measured (or that there are none)"
    assert find_entry(entry.id.upper()) == entry


def test_figures_line():
    assert find_entry("qwen2.5-math-1.5b").figures() == "MATH 79.7"
    assert find_entry("qwen2.5-0.5b").figures() == "not reported"


# Table-driven: (total GB, free GB, cores, GPU GB) -> the recommended id.
@pytest.mark.parametrize("total, free, cores, gpu, expected", [
    (4, 1.6, 2, 0, "qwen2.5-0.5b"),           # a 4 GB laptop with a browser open
    (8, 5.2, 4, 0, "qwen2.5-math-1.5b"),      # a typical student laptop
    (16, 12.0, 4, 0, "qwen2.5-math-1.5b"),    # memory enough for 7B, but 4 cores would make it crawl
    (32, 20.0, 8, 0, "qwen2.5-math-7b"),      # a strong desktop
    (16, 10.0, 8, 8, "qwen2.5-math-7b"),      # GPU too: the 7B still ranks above the 1.5B folder
    (8, 5.0, 4, 8, "qwen2.5-math-1.5b-hf"),   # a GPU with 8 GB on a smaller machine: full precision 1.5B
])
def test_recommendation_follows_memory_cores_and_gpu(total, free, cores, gpu, expected):
    hw = Hardware(total, free, cores, "Test GPU" if gpu else "", gpu)
    pick = recommend(CATALOG, hw)
    assert pick.entry.id == expected and "Recommended" in pick.reason and f"{cores} cores" in pick.reason


def test_too_little_memory_says_so():
    pick = recommend(CATALOG, Hardware(2, 0.5, 2))
    assert pick.entry.id == "qwen2.5-0.5b" and "close other programs" in pick.reason
    assert not fits(pick.entry, Hardware(2, 0.5, 2))


def test_malformed_catalogs_are_config_errors():
    good = """[[model]]
id = "x"
name = "X"
summary = ""
repo_id = "a/b"
filename = "x.gguf"
format = "gguf"
quantization = "Q4_K_M"
size_bytes = 1
ram_gb = 1.0
min_cores = 1
params_b = 1.0
math_specialised = false
license = "MIT"
chat_template = true
math500 = ""
math = ""
gsm8k = ""
figures_note = ""
card_url = "https://huggingface.co/a/b"
trained_verifier = false
rank = 1
"""
    assert parse_catalog(good)[0].id == "x"
    with pytest.raises(ConfigError, match="unknown key"):
        parse_catalog(good + 'colour = "red"\n')
    with pytest.raises(ConfigError, match="duplicate id"):
        parse_catalog(good + good)
    with pytest.raises(ConfigError, match="format"):
        parse_catalog(good.replace('format = "gguf"', 'format = "onnx"'))
    with pytest.raises(ConfigError, match="owner/name"):
        parse_catalog(good.replace('"a/b"', '"ab"'))
    with pytest.raises(ConfigError, match="missing"):
        parse_catalog(good.replace('rank = 1\n', ''))
    with pytest.raises(ConfigError):
        parse_catalog("[[model]\n")


def test_meminfo_reads_proc_and_survives_its_absence(tmp_path):
    fake = tmp_path / "meminfo"
    fake.write_text("MemTotal:       8000000 kB\nMemFree:  100 kB\nMemAvailable:   5000000 kB\n")
    total, free = _meminfo(fake)
    assert round(total, 2) == 8.19 and round(free, 2) == 5.12
    total, free = _meminfo(tmp_path / "missing")
    assert total == free and total >= 0


def test_gpu_is_read_from_nvidia_smi_when_present(monkeypatch):
    import subprocess

    import tutor.hub.catalog as catalog

    monkeypatch.setattr(catalog.shutil, "which", lambda name: "/usr/bin/nvidia-smi")
    answer = subprocess.CompletedProcess([], 0, stdout="NVIDIA GeForce RTX 3060, 12288\n", stderr="")
    monkeypatch.setattr(catalog.subprocess, "run", lambda *a, **k: answer)
    assert catalog._nvidia_gpu() == ("NVIDIA GeForce RTX 3060", 12.0)
    hw = catalog.detect_hardware()
    assert hw.gpu == "NVIDIA GeForce RTX 3060" and "GPU NVIDIA GeForce RTX 3060 (12 GB)" in hw.describe()

    def broken(*a, **k):
        raise subprocess.CalledProcessError(9, "nvidia-smi")

    monkeypatch.setattr(catalog.subprocess, "run", broken)
    assert catalog._nvidia_gpu() == ("", 0.0)
    monkeypatch.setattr(catalog.shutil, "which", lambda name: None)
    assert catalog._nvidia_gpu() == ("", 0.0) and catalog.detect_hardware().gpu == ""
