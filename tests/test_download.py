"""Downloads from the Hub (`tutor.hub.download.pull`) against a local fake Hub: no test touches the internet.

The fake (tests/fake_hub.py) answers the endpoints huggingface_hub calls; HF_ENDPOINT points at it and it
serves a tiny GGUF model built in the test. Covered: a full download, verified, loaded and solved; resume
after the connection is cut half way, after a stall, after a cancel and after the downloading process is
killed; a damaged file refused; 404s, offline, no network, a full disk, a gated repo and its token; server
errors retried; an HF folder repo; listing, removing, and `--model ID` resolution.

Run: python -m pytest tests/test_download.py -q
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fake_hub import FakeHub, point_client_at

from tutor.errors import (
    ChecksumError,
    DiskFullError,
    DownloadCancelled,
    DownloadError,
    HubNotFoundError,
    HubOfflineError,
    ModelLoadError,
)
from tutor.hub import registry
from tutor.hub.catalog import find_entry, load_catalog
from tutor.hub.download import DownloadPolicy, DownloadProgress, pull

CATALOG_ID = "qwen2.5-math-1.5b"
ENTRY = find_entry(CATALOG_ID)
FAST = DownloadPolicy(attempts=3, backoff_s=0.05, chunk_bytes=16 * 1024, report_every_s=0)


@pytest.fixture(scope="module")
def tiny_gguf(model_dir, tmp_path_factory) -> bytes:
    """A tiny random Llama exported to GGUF (f32) by the trainer's exporter: a real, loadable model file."""
    from trainer.export_gguf import write_gguf

    return write_gguf(model_dir, tmp_path_factory.mktemp("gguf") / "tiny.gguf", "f32").read_bytes()


@pytest.fixture
def hub(monkeypatch, tmp_path, tiny_gguf):
    """The fake Hub, serving the tiny GGUF under the catalog's repo and file names, with HF_ENDPOINT on it."""
    with FakeHub() as fake:
        point_client_at(fake, monkeypatch, tmp_path)
        fake.add_repo(ENTRY.repo_id, {ENTRY.filename: tiny_gguf, "README.md": b"# tiny\n"})
        yield fake


def cdn_gets(hub: FakeHub) -> list[dict]:
    return [headers for method, path, headers in hub.requests("GET", "/blobs/")]


def test_catalog_model_is_downloaded_verified_and_listed(hub, tiny_gguf):
    events: list[DownloadProgress] = []
    model = pull(CATALOG_ID, report=events.append, policy=FAST)

    assert model.path.read_bytes() == tiny_gguf
    assert model.path.parent == registry.models_dir() / CATALOG_ID
    assert model.catalog_id == CATALOG_ID and model.repo_id == ENTRY.repo_id and model.format == "gguf"
    assert model.revision == hub.repos[ENTRY.repo_id].commit, "the files are pinned to the commit the Hub named"
    assert model.files[0].sha256 and model.source == hub.url and not model.trained_verifier
    downloading = [e for e in events if e.stage == "downloading"]
    assert len(downloading) >= 3 and downloading[-1].done_bytes == downloading[-1].total_bytes == len(tiny_gguf)
    assert all(a.done_bytes <= b.done_bytes for a, b in zip(downloading, downloading[1:]))
    assert any(e.speed_bps > 0 for e in downloading) and "of" in downloading[-1].describe()
    assert [e.stage for e in events][-2:] == ["verifying", "done"]
    assert registry.list_installed() == [model]
    assert not registry.downloads_dir(CATALOG_ID).exists(), "nothing half-finished is left behind"
    # the HEAD went to the Hub and the bytes came from the CDN it redirected to
    assert hub.requests("HEAD", f"/{ENTRY.repo_id}/resolve/") and len(cdn_gets(hub)) == 1
    # a second pull finds it and fetches nothing
    assert pull(CATALOG_ID, policy=FAST) == model and len(cdn_gets(hub)) == 1


@pytest.mark.gguf
def test_downloaded_catalog_model_loads_and_solves_from_the_cli(hub, capsys):
    pytest.importorskip("llama_cpp")
    from tutor.cli import main

    assert main(["models", "pull", CATALOG_ID]) == 0
    assert CATALOG_ID in capsys.readouterr().out
    code = main(["solve", "What is 2 + 3?", "--model", CATALOG_ID, "--n", "2", "--max-new-tokens", "8",
                 "--strategy", "maj1", "--threads", "1", "--json"])
    assert code in (0, 1), "0 with an answer, 1 without (a random tiny model rarely boxes one)"
    result = json.loads(capsys.readouterr().out)
    assert result["problem"] == "What is 2 + 3?" and len(result["samples"]) == 2


def test_resume_after_the_connection_is_cut_half_way(hub, tiny_gguf):
    hub.fault(ENTRY.filename, cut_after=len(tiny_gguf) // 2)
    model = pull(CATALOG_ID, policy=FAST)
    assert model.path.read_bytes() == tiny_gguf
    ranges = [h.get("Range") for h in cdn_gets(hub)]
    assert ranges[0] is None and ranges[-1] and ranges[-1].startswith("bytes=") and ranges[-1] != "bytes=0-"
    assert hub.served_bytes < 1.5 * len(tiny_gguf), "the second request asked only for the rest"


def test_a_stalled_transfer_is_noticed_and_resumed(hub, tiny_gguf, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_DOWNLOAD_TIMEOUT", 1)  # a read silent for 1 s is a stall
    hub.fault(ENTRY.filename, stall_after=len(tiny_gguf) // 3, stall_s=10)
    start = time.monotonic()
    model = pull(CATALOG_ID, policy=FAST)
    assert model.path.read_bytes() == tiny_gguf
    assert time.monotonic() - start < 8, "the stall was cut short, not waited out"
    assert any(h.get("Range") for h in cdn_gets(hub))


def test_cancel_keeps_the_partial_file_and_the_next_pull_resumes(hub, tiny_gguf):
    hub.fault(ENTRY.filename, throttle_bps=400_000)
    cancel = threading.Event()

    def cancel_after_a_third(progress: DownloadProgress) -> None:
        if progress.stage == "downloading" and progress.done_bytes >= len(tiny_gguf) // 3:
            cancel.set()

    with pytest.raises(DownloadCancelled, match="kept"):
        pull(CATALOG_ID, report=cancel_after_a_third, cancel=cancel, policy=FAST)
    partial = registry.partial_bytes(CATALOG_ID)
    assert 0 < partial < len(tiny_gguf)
    assert registry.list_installed() == [], "a partial download is never offered"
    with pytest.raises(ModelLoadError, match="not downloaded yet"):
        registry.resolve_model_reference(CATALOG_ID)

    hub.faults.clear()  # "the app restarts": a fresh pull in the same data folder
    model = pull(CATALOG_ID, policy=FAST)
    assert model.path.read_bytes() == tiny_gguf
    assert cdn_gets(hub)[-1].get("Range") == f"bytes={partial}-"


def test_a_killed_download_resumes(hub, tiny_gguf, stepwise_home):
    hub.fault(ENTRY.filename, throttle_bps=150_000)
    env = {**os.environ, "STEPWISE_HOME": str(stepwise_home), "HF_HUB_DISABLE_TELEMETRY": "1"}
    script = f"from tutor.hub.download import pull, DownloadPolicy; pull({CATALOG_ID!r}, policy=DownloadPolicy(chunk_bytes=16384))"
    child = subprocess.Popen([sys.executable, "-c", script], env=env, cwd=Path(__file__).parents[1])
    try:
        deadline = time.monotonic() + 60
        while registry.partial_bytes(CATALOG_ID) < 32 * 1024:
            assert child.poll() is None and time.monotonic() < deadline, "the child never started downloading"
            time.sleep(0.05)
    finally:
        child.kill()
        child.wait()
    partial = registry.partial_bytes(CATALOG_ID)
    assert 0 < partial < len(tiny_gguf) and registry.list_installed() == []
    hub.faults.clear()
    model = pull(CATALOG_ID, policy=FAST)
    assert model.path.read_bytes() == tiny_gguf
    assert cdn_gets(hub)[-1].get("Range", "").startswith("bytes="), "the download resumed"


def test_a_damaged_download_is_refused_and_not_kept(hub):
    hub.fault(ENTRY.filename, corrupt=True)
    with pytest.raises(ChecksumError, match="damaged"):
        pull(CATALOG_ID, policy=FAST)
    assert registry.list_installed() == [] and registry.partial_bytes(CATALOG_ID) == 0


def test_missing_repo_file_and_unknown_id_each_say_so(hub):
    with pytest.raises(HubNotFoundError, match="no such model repository"):
        pull("nobody/nothing-here", policy=FAST)
    hub.add_repo("someone/models", {"a-Q4_K_M.gguf": b"GGUF" + b"\0" * 100})
    with pytest.raises(HubNotFoundError, match="no file missing.gguf"):
        pull("someone/models", filename="missing.gguf", policy=FAST)
    hub.repos[ENTRY.repo_id].files.pop(ENTRY.filename)  # the catalog's file was renamed upstream
    with pytest.raises(HubNotFoundError, match="no such file"):
        pull(CATALOG_ID, policy=FAST)
    with pytest.raises(HubNotFoundError, match="neither a catalog model"):
        pull("not-a-model", policy=FAST)


def test_offline_mode_refuses_downloads_but_lists_what_is_here(hub, monkeypatch, capsys):
    pull(CATALOG_ID, policy=FAST)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(HubOfflineError, match="offline"):
        pull("someone/else", policy=FAST)
    from tutor.cli import main

    assert main(["models", "list", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert [m["id"] for m in listing["downloaded"]] == [CATALOG_ID]
    assert next(row for row in listing["catalog"] if row["id"] == CATALOG_ID)["status"] == "downloaded"
    assert registry.resolve_model_reference(CATALOG_ID) == registry.find_installed(CATALOG_ID).path


def test_no_network_is_one_sentence(monkeypatch, tmp_path):
    with FakeHub() as dead:
        point_client_at(dead, monkeypatch, tmp_path)
        url = dead.url
    monkeypatch.setenv("HF_ENDPOINT", url)  # the server is gone: connection refused
    with pytest.raises(HubOfflineError, match="cannot reach") as caught:
        pull(CATALOG_ID, policy=FAST)
    assert "\n" not in str(caught.value)


def test_a_full_disk_is_refused_before_any_byte(hub, monkeypatch):
    import tutor.hub.download as download

    monkeypatch.setattr(download.shutil, "disk_usage", lambda _p: type("U", (), {"free": 10_000})())
    with pytest.raises(DiskFullError, match="free"):
        pull(CATALOG_ID, policy=FAST)
    assert cdn_gets(hub) == []


def test_server_errors_are_retried_with_backoff(hub, tiny_gguf):
    hub.fault(ENTRY.filename, status=503, status_times=2)
    events: list[DownloadProgress] = []
    model = pull(CATALOG_ID, report=events.append, policy=FAST)
    assert model.path.read_bytes() == tiny_gguf
    assert [e.stage for e in events].count("retrying") == 2
    assert "attempt 3 of 3" in [e.message for e in events if e.stage == "retrying"][-1]


def test_a_partial_file_of_an_older_upload_is_not_resumed(hub, tiny_gguf):
    staging = registry.downloads_dir(CATALOG_ID)
    staging.mkdir(parents=True)
    (staging / (ENTRY.filename + ".incomplete")).write_bytes(b"x" * 1000)
    (staging / "state.json").write_text(json.dumps({"files": {ENTRY.filename: {"checksum": "0" * 64}}}))
    model = pull(CATALOG_ID, policy=FAST)
    assert model.path.read_bytes() == tiny_gguf and cdn_gets(hub)[0].get("Range") is None


def test_gated_repo_asks_for_a_token_then_uses_it_on_the_hub_only(hub, tiny_gguf, monkeypatch):
    import tutor.hub.remote as remote

    hub.add_repo("meta/gated-GGUF", {"g-Q4_K_M.gguf": tiny_gguf}, gated=True)
    with pytest.raises(DownloadError, match="gated"):
        pull("meta/gated-GGUF", policy=FAST)
    saved = {}
    fake_keyring = type("K", (), {"get_password": staticmethod(lambda s, u: saved.get((s, u))),
                                  "set_password": staticmethod(lambda s, u, p: saved.__setitem__((s, u), p))})
    monkeypatch.setattr(remote, "_keyring", lambda: fake_keyring)
    assert remote.save_token(hub.token) == "the system keyring"
    model = pull("meta/gated-GGUF", policy=FAST)
    assert model.path.read_bytes() == tiny_gguf
    assert hub.requests("HEAD", "/meta/gated-GGUF/")[-1][2].get("Authorization") == f"Bearer {hub.token}"
    assert "Authorization" not in cdn_gets(hub)[-1], "the token never goes to the CDN"
    assert not any(hub.token in p.read_text(errors="ignore") for p in registry.models_dir().rglob("*.json"))


def test_token_without_keyring_goes_to_the_hub_login(hub, monkeypatch):
    import huggingface_hub
    from huggingface_hub import constants, hf_api

    import tutor.hub.remote as remote

    monkeypatch.setattr(hf_api.api, "endpoint", hub.url)
    assert "Hugging Face login" in remote.save_token(hub.token)
    assert Path(constants.HF_TOKEN_PATH).read_text().strip() == hub.token
    assert huggingface_hub.get_token() == hub.token
    with pytest.raises(DownloadError, match="empty"):
        remote.save_token("  ")


def test_any_repo_takes_its_4bit_gguf(hub, tiny_gguf):
    hub.add_repo("someone/Math-GGUF", {"m-Q8_0.gguf": tiny_gguf + b"8", "m-Q4_K_M.gguf": tiny_gguf,
                                        "m-f16.gguf": tiny_gguf + b"16", "README.md": b"hi"})
    model = pull("someone/Math-GGUF", policy=FAST)
    assert model.id == "someone--math-gguf--m-q4_k_m" and [f.name for f in model.files] == ["m-Q4_K_M.gguf"]
    assert registry.resolve_model_reference("someone/Math-GGUF") == model.path
    chosen = pull("someone/Math-GGUF", filename="m-Q8_0.gguf", policy=FAST)
    assert chosen.path.name == "m-Q8_0.gguf" and len(registry.list_installed()) == 2


def test_an_hf_folder_repo_is_downloaded_whole_and_loads(hub, model_dir):
    files = {p.name: p.read_bytes() for p in Path(model_dir).iterdir() if p.is_file()}
    files["pytorch_model.bin"] = b"pickles are never fetched"
    hub.add_repo("someone/tiny-llama", files)
    model = pull("someone/tiny-llama", policy=FAST)
    assert model.format == "hf" and model.path == model.folder and (model.path / "config.json").is_file()
    assert not (model.path / "pytorch_model.bin").exists()
    small = next(f for f in model.files if f.name == "config.json")
    assert small.git_sha1 and not small.sha256, "small git files are checked by their git blob id"
    from tutor.models.loader import resolve

    assert resolve(model.path) == (model.path, "transformers")
    hf_entry = next(e for e in load_catalog() if e.format == "hf")  # the catalog's HF folder, same route
    hub.add_repo(hf_entry.repo_id, files)
    folder = pull(hf_entry.id, policy=FAST)
    assert folder.catalog_id == hf_entry.id and folder.path == registry.models_dir() / hf_entry.id
    assert resolve(hf_entry.id) == (folder.path, "transformers")


def test_remove_deletes_the_model_and_any_partial_download(hub):
    model = pull(CATALOG_ID, policy=FAST)
    registry.downloads_dir(CATALOG_ID).mkdir(parents=True)
    (registry.downloads_dir(CATALOG_ID) / "x.incomplete").write_bytes(b"123")
    removed = registry.remove(CATALOG_ID)
    assert model.folder in removed and not model.folder.exists() and registry.partial_bytes(CATALOG_ID) == 0
    with pytest.raises(ModelLoadError, match="no downloaded model"):
        registry.remove(CATALOG_ID)


def test_a_truncated_file_makes_the_model_disappear_from_the_list(hub):
    model = pull(CATALOG_ID, policy=FAST)
    with open(model.path, "r+b") as f:
        f.truncate(100)
    assert registry.list_installed() == []


def test_references_and_trained_verifier(hub, tmp_path):
    assert registry.resolve_model_reference(None) is None
    local = tmp_path / "mine.gguf"
    local.write_bytes(b"GGUF")
    assert registry.resolve_model_reference(str(local)) == str(local), "an existing path is left alone"
    assert registry.resolve_model_reference("./nowhere.gguf") == "./nowhere.gguf"
    assert registry.has_trained_verifier(local) is None, "a local file: the solver cannot know"
    model = pull(CATALOG_ID, policy=FAST)
    assert registry.resolve_model_reference(CATALOG_ID.upper()) == model.path
    assert registry.has_trained_verifier(model.path) is False
    from tutor.models.loader import resolve

    assert resolve(CATALOG_ID) == (model.path, "llama.cpp"), "tutor.models.load takes the id too"
    with pytest.raises(ModelLoadError, match="model not found"):
        resolve("no-such-model-id")


def test_cli_pull_and_rm(hub, capsys):
    from tutor.cli import main

    assert main(["models", "pull", CATALOG_ID]) == 0
    assert "tutor solve --model" in capsys.readouterr().out
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert "downloaded" in out and str(registry.models_dir()) in out.replace("\n", "")
    assert main(["models", "rm", CATALOG_ID]) == 0 and "removed" in capsys.readouterr().out
    assert main(["models", "pull", "nobody/nothing-here"]) == 2
    assert "no such model repository" in capsys.readouterr().err
