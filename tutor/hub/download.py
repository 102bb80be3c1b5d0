"""`pull(reference)`: download a catalog model or any Hub repo, resumably, and keep it only once verified.

    from tutor.hub.download import pull
    model = pull("qwen2.5-math-1.5b", report=print, cancel=threading.Event())   # -> InstalledModel
    model.path   # the .gguf file (or the HF folder) to give `tutor.models.load`

How a download goes (the transfer itself is `huggingface_hub.file_download.http_get`):
1. Plan: a catalog GGUF entry is one file; any other repo id is listed (`HfApi.model_info`) and its GGUF
   file (a 4-bit K-quant unless one is named) or its HF folder files are taken, all at one commit.
2. For each file, a HEAD (`get_hf_file_metadata`) gives its size, checksum (sha256 ETag) and location.
   Bytes go to `models/.downloads/<id>/<file>.incomplete`, which outlives a cut connection, a cancel and
   an app restart: the next attempt sends a Range request for the rest. A partial file is reused only if
   the Hub still has the same checksum for it (state.json records the one it was started with).
3. `http_get` already retries a dropped or timed-out stream 5 times from where it stopped (a stream silent
   for HF_HUB_DOWNLOAD_TIMEOUT seconds, 10 by default, counts as stalled). Around it, `pull` retries
   transient failures with exponential backoff (`DownloadPolicy`), re-asking the Hub for a fresh location.
4. Free disk space is checked before any byte is fetched; a full disk mid-way keeps what arrived.
5. The finished file is hashed (sha256, or the git blob sha1 for small files) and compared with the Hub's
   checksum; a mismatch deletes it and raises `ChecksumError`. Only then are the files moved into
   `models/<id>/` and the manifest written, so a partial, failed or corrupt file is never offered.
TLS verification is huggingface_hub's (httpx's) default and Stepwise never turns it off.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor.errors import ChecksumError, DiskFullError, DownloadCancelled, DownloadError, HubNotFoundError
from tutor.hub import registry, remote
from tutor.hub.catalog import CatalogEntry, find_entry

Report = Callable[[Any], None]
DISK_MARGIN_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class DownloadPolicy:
    """How hard a download tries before giving up (every field has a sensible default)."""

    attempts: int = 6
    """Attempts per file, each one resuming (huggingface_hub also retries 5 times inside each attempt)."""
    backoff_s: float = 2.0
    """Pause after the first failed attempt; doubled after each further one."""
    max_backoff_s: float = 60.0
    chunk_bytes: int = 1024 * 1024
    """Bytes per read: how often progress is reported and cancel is noticed."""
    report_every_s: float = 0.25


@dataclass(frozen=True)
class DownloadProgress:
    """What a download reports (to the app's progress bar or the CLI's)."""

    model_id: str
    stage: str
    """"planning", "downloading", "retrying", "verifying" or "done"."""
    done_bytes: int = 0
    total_bytes: int = 0
    speed_bps: float = 0.0
    file: str = ""
    message: str = ""

    @property
    def eta_s(self) -> float | None:
        if self.speed_bps <= 0 or self.total_bytes <= 0:
            return None
        return max(0.0, (self.total_bytes - self.done_bytes) / self.speed_bps)

    def describe(self) -> str:
        if self.stage != "downloading":
            return self.message or self.stage.capitalize()
        text = f"{human_bytes(self.done_bytes)} of {human_bytes(self.total_bytes)}"
        if self.speed_bps > 0:
            text += f" · {human_bytes(self.speed_bps)}/s"
        if self.eta_s is not None:
            text += f" · {human_duration(self.eta_s)} left"
        return text


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


def human_duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


# -- the plan --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    model_id: str
    repo_id: str
    revision: str
    format: str
    filenames: tuple[str, ...]
    name: str = ""
    catalog_id: str = ""
    trained_verifier: bool = False


def plan(reference: str, filename: str | None = None, token: str | None = None) -> Plan:
    """What `pull(reference)` fetches: a catalog id, or a Hub repo id ("owner/name", optionally a file)."""
    entry = find_entry(reference)
    if entry is not None:
        return _plan_catalog(entry, token)
    repo_id = reference.strip()
    if repo_id.count("/") != 1:
        raise HubNotFoundError(f"{reference!r} is neither a catalog model (see `tutor models list`) nor a Hub "
                               "repository id like owner/name")
    listing = _ask(lambda: remote.list_repo(repo_id, token), f"looking up {repo_id}")
    if filename:
        if filename not in {f.name for f in listing.files}:
            raise HubNotFoundError(f"{repo_id} has no file {filename}")
        files = (filename,)
        fmt = "gguf" if filename.lower().endswith(".gguf") else "hf"
    elif (gguf := listing.choose_gguf()) is not None:
        files, fmt = (gguf.name,), "gguf"
    elif listing.is_hf_folder:
        files, fmt = tuple(f.name for f in listing.hf_folder_files()), "hf"
    else:
        raise HubNotFoundError(f"{repo_id} holds neither a .gguf file nor a model folder with config.json and "
                               "safetensors weights, so Stepwise cannot run it")
    model_id = registry.local_id(repo_id, files[0] if fmt == "gguf" else "")
    return Plan(model_id, repo_id, listing.revision, fmt, files, name=repo_id)


def _plan_catalog(entry: CatalogEntry, token: str | None) -> Plan:
    if entry.format == "gguf":
        return Plan(entry.id, entry.repo_id, "main", "gguf", (entry.filename,), entry.name, entry.id,
                    entry.trained_verifier)
    listing = _ask(lambda: remote.list_repo(entry.repo_id, token), f"looking up {entry.repo_id}")
    files = tuple(f.name for f in listing.hf_folder_files())
    if "config.json" not in files:
        raise HubNotFoundError(f"{entry.repo_id} no longer has a config.json; the catalog entry is out of date")
    return Plan(entry.id, entry.repo_id, listing.revision, "hf", files, entry.name, entry.id, entry.trained_verifier)


def _ask(call: Callable[[], Any], what: str) -> Any:
    if remote.offline():
        raise remote.explain(_offline_error(), what)
    try:
        return call()
    except Exception as exc:
        if isinstance(exc, DownloadError):
            raise
        raise remote.explain(exc, what) from exc


def _offline_error() -> Exception:
    from huggingface_hub.errors import OfflineModeIsEnabled

    return OfflineModeIsEnabled("HF_HUB_OFFLINE is set")


# -- progress --------------------------------------------------------------------------------------------
class _Meter:
    """Counts bytes for one download and reports `DownloadProgress`; stops the transfer on cancel.

    huggingface_hub builds it as its progress bar (`tqdm_class=`): it is called with tqdm's keyword
    arguments, used as a context manager, and `update(n)` is called for each chunk written.
    """

    def __init__(self, model_id: str, total: int, done: int, report: Report, cancel: threading.Event,
                 policy: DownloadPolicy) -> None:
        self.model_id, self.total, self.done = model_id, total, done
        self.report, self.cancel, self.policy = report, cancel, policy
        self.file = ""
        self._window: list[tuple[float, int]] = [(time.monotonic(), done)]
        self._last_report = 0.0

    def bar(self, file: str) -> Callable[..., _Meter]:
        self.file = file
        return functools.partial(lambda meter, **_tqdm_kwargs: meter, self)

    def __enter__(self) -> _Meter:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int | float = 1) -> None:
        self.done += int(n)
        now = time.monotonic()
        self._window = [(t, b) for t, b in self._window if now - t < 5.0] + [(now, self.done)]
        if self.cancel.is_set():
            raise DownloadCancelled(f"download of {self.model_id} cancelled; the {human_bytes(self.done)} "
                                    "received are kept and the next download resumes from there")
        if now - self._last_report >= self.policy.report_every_s:
            self.emit("downloading")

    @property
    def speed(self) -> float:
        (t0, b0), (t1, b1) = self._window[0], self._window[-1]
        return (b1 - b0) / (t1 - t0) if t1 > t0 else 0.0

    def emit(self, stage: str, message: str = "") -> None:
        self._last_report = time.monotonic()
        self.report(DownloadProgress(self.model_id, stage, self.done, self.total, self.speed, self.file, message))


@contextmanager
def _chunk_size(nbytes: int):
    """huggingface_hub reads DOWNLOAD_CHUNK_SIZE (10 MB) per progress update; smaller chunks make progress
    and cancel prompt. Restored afterwards."""
    from huggingface_hub import constants

    before = constants.DOWNLOAD_CHUNK_SIZE
    constants.DOWNLOAD_CHUNK_SIZE = min(before, nbytes)
    try:
        yield
    finally:
        constants.DOWNLOAD_CHUNK_SIZE = before


# -- the download ----------------------------------------------------------------------------------------
def pull(reference: str, *, report: Report = lambda _p: None, cancel: threading.Event | None = None,
         filename: str | None = None, force: bool = False, policy: DownloadPolicy | None = None
         ) -> registry.InstalledModel:
    """Download `reference` (catalog id or Hub repo id) unless it is already here; returns the installed
    model. Raises a `DownloadError` subclass with one clear sentence; nothing already on disk is lost."""
    from filelock import FileLock, Timeout

    cancel = cancel or threading.Event()
    policy = policy or DownloadPolicy()
    token = remote.hub_token()
    entry = find_entry(reference)
    if entry is not None:
        existing = registry.find_installed(entry.id)
    else:
        existing = registry.find_installed(registry.local_id(reference, filename) if filename else reference)
    if existing is not None and not force:
        return existing
    report(DownloadProgress(reference, "planning", message=f"Asking the Hub about {reference}…"))
    the_plan = plan(reference, filename, token)
    staging = registry.downloads_dir(the_plan.model_id)
    staging.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(str(staging.parent / f"{the_plan.model_id}.lock"), timeout=0):
            return _pull_locked(the_plan, staging, token, report, cancel, policy)
    except Timeout:
        raise DownloadError(f"{the_plan.model_id} is already being downloaded by another Stepwise window or "
                            "command; wait for it to finish") from None


def _pull_locked(the_plan: Plan, staging: Path, token: str | None, report: Report, cancel: threading.Event,
                 policy: DownloadPolicy) -> registry.InstalledModel:
    headers = remote.request_headers(token)
    what = f"downloading {the_plan.model_id}"
    metas = [_ask(lambda f=f: remote.file_metadata(the_plan.repo_id, f, the_plan.revision, headers), what)
             for f in the_plan.filenames]
    commit = metas[0].commit
    _sync_state(staging, the_plan, metas)
    have = {m.name: _staged_size(staging, m.name) for m in metas}
    total = sum(m.size or 0 for m in metas)
    _check_disk(sum(max(0, (m.size or 0) - have[m.name]) for m in metas), what)
    meter = _Meter(the_plan.model_id, total, sum(have.values()), report, cancel, policy)
    with _chunk_size(policy.chunk_bytes):
        for meta in metas:
            _fetch(the_plan, meta, staging, headers, meter, cancel, policy)
    files = [registry.ModelFile(m.name, (staging / m.name).stat().st_size,
                                m.checksum if remote.SHA256.match(m.checksum) else "",
                                m.checksum if remote.GIT_SHA1.match(m.checksum) else "") for m in metas]
    installed = _install(the_plan, commit, files, staging)
    meter.emit("done", f"{the_plan.name or the_plan.model_id} is ready ({human_bytes(installed.size_bytes)}).")
    return installed


def _staged_size(staging: Path, name: str) -> int:
    for candidate in (staging / name, staging / (name + ".incomplete")):
        if candidate.is_file():
            return candidate.stat().st_size
    return 0


def _sync_state(staging: Path, the_plan: Plan, metas: list[remote.RemoteFile]) -> None:
    """Forget partial files whose checksum on the Hub changed since they were started (a new upload)."""
    path = staging / "state.json"
    try:
        old = json.loads(path.read_text(encoding="utf-8")).get("files", {})
    except (OSError, ValueError):
        old = {}
    for meta in metas:
        if old.get(meta.name, {}).get("checksum") not in (None, meta.checksum):
            for stale in (staging / meta.name, staging / (meta.name + ".incomplete")):
                stale.unlink(missing_ok=True)
    state = {"repo_id": the_plan.repo_id, "commit": metas[0].commit,
             "files": {m.name: {"checksum": m.checksum, "size": m.size} for m in metas}}
    path.write_text(json.dumps(state, indent=2), encoding="utf-8")


def _check_disk(needed: int, what: str) -> None:
    free = shutil.disk_usage(registry.models_dir()).free
    if needed + DISK_MARGIN_BYTES > free:
        raise DiskFullError(f"{what}: it needs {human_bytes(needed)} more but only {human_bytes(free)} is free in "
                            f"{registry.models_dir()}; free some space and try again")


def _fetch(the_plan: Plan, meta: remote.RemoteFile, staging: Path, headers: dict[str, str], meter: _Meter,
           cancel: threading.Event, policy: DownloadPolicy) -> None:
    """Bring one file to `staging/<name>` verified, resuming `<name>.incomplete` across attempts."""
    from huggingface_hub.file_download import http_get

    done, part = staging / meta.name, staging / (meta.name + ".incomplete")
    if done.is_file() and done.stat().st_size == meta.size:
        return  # verified in an earlier attempt
    what = f"downloading {meta.name} of {the_plan.repo_id}"
    url, wait = meta.url, policy.backoff_s
    for attempt in range(1, policy.attempts + 1):
        if cancel.is_set():
            raise DownloadCancelled(f"download of {the_plan.model_id} cancelled; what was received is kept")
        have = part.stat().st_size if part.is_file() else 0
        if meta.size is not None and have > meta.size:
            part.unlink()
            have = 0
        send = headers if remote.same_origin(url, remote.endpoint()) else \
            {k: v for k, v in headers.items() if k.lower() != "authorization"}  # never send a token to a CDN
        try:
            with open(part, "r+b" if part.exists() else "wb") as out:
                out.seek(have)
                out.truncate()
                http_get(url, out, resume_size=have, headers=send, expected_size=meta.size,
                         displayed_filename=meta.name, tqdm_class=meter.bar(meta.name))
            break
        except DownloadCancelled:
            raise
        except Exception as exc:
            meter.done = sum(_staged_size(staging, m) for m in the_plan.filenames)
            if not remote.is_transient(exc) or attempt == policy.attempts:
                raise remote.explain(exc, what) from exc
            meter.emit("retrying", f"Connection problem ({type(exc).__name__}); resuming in {wait:.0f} s "
                       f"(attempt {attempt + 1} of {policy.attempts})…")
            if cancel.wait(wait):
                raise DownloadCancelled(f"download of {the_plan.model_id} cancelled; what was received is kept") \
                    from None
            wait = min(wait * 2, policy.max_backoff_s)
            try:  # a signed CDN location expires: ask again where the file is
                url = remote.file_metadata(the_plan.repo_id, meta.name, meta.commit, headers).url
            except Exception as again:
                if not remote.is_transient(again):
                    raise remote.explain(again, what) from again
    meter.emit("verifying", f"Checking {meta.name} against the Hub's checksum…")
    _verify(part, meta, cancel)
    os.replace(part, done)


def file_checksum(path: Path, kind: str, cancel: threading.Event | None = None) -> str:
    """sha256 of the file, or for kind "git" the git blob id (sha1 of "blob <size>\\0" + content)."""
    digest = hashlib.sha256() if kind == "sha256" else hashlib.sha1(usedforsecurity=False)
    if kind == "git":
        digest.update(f"blob {path.stat().st_size}\0".encode())
    with open(path, "rb") as f:
        while block := f.read(8 * 1024 * 1024):
            if cancel is not None and cancel.is_set():
                raise DownloadCancelled("cancelled while checking the download; it is checked again next time")
            digest.update(block)
    return digest.hexdigest()


def _verify(part: Path, meta: remote.RemoteFile, cancel: threading.Event) -> None:
    if remote.SHA256.match(meta.checksum):
        kind = "sha256"
    elif remote.GIT_SHA1.match(meta.checksum):
        kind = "git"
    else:
        raise ChecksumError(f"the Hub gave no usable checksum for {meta.name} ({meta.checksum!r}), so it cannot "
                            "be verified and was not kept")
    actual = file_checksum(part, kind, cancel)
    if actual != meta.checksum:
        part.unlink(missing_ok=True)
        raise ChecksumError(f"{meta.name} arrived damaged (its checksum does not match the Hub's); the damaged "
                            "file was deleted, download it again")


def _install(the_plan: Plan, commit: str, files: list[registry.ModelFile], staging: Path) -> registry.InstalledModel:
    target = registry.models_dir() / the_plan.model_id
    if target.exists():
        shutil.rmtree(target)  # an older copy (force) or leftovers without a manifest
    target.mkdir(parents=True)
    for f in files:
        os.replace(staging / f.name, target / f.name)
    model = registry.InstalledModel(
        id=the_plan.model_id, repo_id=the_plan.repo_id, revision=commit, format=the_plan.format, files=files,
        source=remote.endpoint(), downloaded_at=registry.now(), catalog_id=the_plan.catalog_id,
        trained_verifier=the_plan.trained_verifier, name=the_plan.name, folder=target)
    registry.write_manifest(model)
    shutil.rmtree(staging, ignore_errors=True)
    return model
