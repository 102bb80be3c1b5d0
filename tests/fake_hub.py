"""A small local stand-in for the Hugging Face Hub, for download tests that must never touch the internet.

It answers the endpoints huggingface_hub 2.x calls, as read in its source (file_download.py,
utils/_http.py, hf_api.py):
- `GET /api/models/{repo}[/revision/{rev}]` (`HfApi.model_info`, `?blobs=true` adds sizes and LFS sha256);
- `HEAD /{repo}/resolve/{rev}/{file}` (`get_hf_file_metadata`): a small file answers 200 with its git blob
  id as `ETag`; an LFS file answers 302 to the CDN with `X-Linked-Etag` (its sha256) and
  `X-Linked-Size`; both carry `X-Repo-Commit`. Errors carry `X-Error-Code` (RepoNotFound, EntryNotFound,
  RevisionNotFound, GatedRepo), which `hf_raise_for_status` turns into its exception classes;
- `GET /{repo}/resolve/{rev}/{file}`: a small file's bytes, or the same 302 to the CDN;
- the CDN (a second server, so a second origin, as the real CDN is: huggingface_hub then stops following
  the HEAD's redirect and drops the token): `GET /blobs/{sha256}` with `Range: bytes=N-` answered 206;
- `GET /api/whoami-v2` for `huggingface_hub.login`.

Faults a test can switch on per file: cut the connection after N bytes, stall (send part, then go silent),
serve damaged bytes, throttle, or answer an HTTP status a number of times. Every request is logged.
Imported by tests/test_download*.py and tests/test_catalog*.py; not a test module itself.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

LFS_SUFFIXES = (".gguf", ".safetensors", ".bin")


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class Faults:
    cut_after: int | None = None
    """Close the connection after sending this many body bytes."""
    cuts: int = 1
    """How many GETs are cut before the file is served whole."""
    stall_after: int | None = None
    stall_s: float = 3.0
    stalls: int = 1
    corrupt: bool = False
    """Serve the file with one byte flipped (the HEAD still advertises the true checksum)."""
    throttle_bps: int = 0
    status: int = 0
    """Answer the CDN GET with this HTTP status ..."""
    status_times: int = 0
    """... this many times."""


@dataclass
class FakeRepo:
    repo_id: str
    files: dict[str, bytes]
    commit: str = field(default_factory=lambda: secrets.token_hex(20))
    gated: bool = False

    def is_lfs(self, name: str) -> bool:
        return name.endswith(LFS_SUFFIXES)


class FakeHub:
    """Two threaded HTTP servers (hub + CDN) on 127.0.0.1; use as a context manager or start()/stop()."""

    def __init__(self, token: str = "hf_test_token") -> None:
        self.repos: dict[str, FakeRepo] = {}
        self.faults: dict[str, Faults] = {}
        self.token = token
        self.log: list[tuple[str, str, dict[str, str]]] = []
        self.served_bytes = 0
        self._lock = threading.Lock()
        self._servers: list[ThreadingHTTPServer] = []

    # -- set-up ----------------------------------------------------------------------------------------
    def add_repo(self, repo_id: str, files: dict[str, bytes], gated: bool = False) -> FakeRepo:
        repo = FakeRepo(repo_id, dict(files), gated=gated)
        self.repos[repo_id] = repo
        return repo

    def fault(self, filename: str, **kwargs) -> Faults:
        self.faults[filename] = Faults(**kwargs)
        return self.faults[filename]

    def requests(self, method: str | None = None, path_contains: str = "") -> list[tuple[str, str, dict]]:
        return [r for r in self.log if (method is None or r[0] == method) and path_contains in r[1]]

    # -- servers ---------------------------------------------------------------------------------------
    def start(self) -> FakeHub:
        for handler in (_HubHandler, _CdnHandler):
            server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
            server.daemon_threads = True
            server.hub = self  # type: ignore[attr-defined]
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self._servers.append(server)
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._servers[0].server_address[1]}"

    @property
    def cdn_url(self) -> str:
        return f"http://127.0.0.1:{self._servers[1].server_address[1]}"

    def blob(self, sha256: str) -> tuple[str, bytes] | None:
        for repo in self.repos.values():
            for name, data in repo.files.items():
                if hashlib.sha256(data).hexdigest() == sha256:
                    return name, data
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    @property
    def hub(self) -> FakeHub:
        return self.server.hub  # type: ignore[attr-defined]

    def log_message(self, *args) -> None:  # quiet
        return None

    def _record(self) -> None:
        with self.hub._lock:
            self.hub.log.append((self.command, self.path, self.headers))  # a Message: keys case-insensitive

    def _send(self, status: int, headers: dict[str, str] | None = None, body: bytes = b"") -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def _error(self, status: int, code: str, extra: dict[str, str] | None = None) -> None:
        body = json.dumps({"error": code}).encode()
        self._send(status, {"X-Error-Code": code, "Content-Type": "application/json", **(extra or {})}, body)


class _HubHandler(_Handler):
    def do_HEAD(self) -> None:
        self._record()
        self._resolve()

    def do_GET(self) -> None:
        self._record()
        path = urlsplit(self.path).path
        if path.startswith("/api/models/"):
            self._model_info(path[len("/api/models/"):], parse_qs(urlsplit(self.path).query))
        elif path == "/api/whoami-v2":
            if self.headers.get("Authorization") == f"Bearer {self.hub.token}":
                body = {"name": "student", "auth": {"accessToken": {"displayName": "stepwise-test", "role": "read"}}}
                self._send(200, {"Content-Type": "application/json"}, json.dumps(body).encode())
            else:
                self._error(401, "Unauthorized", {"X-Error-Message": "Invalid credentials in Authorization header"})
        else:
            self._resolve()

    def _repo(self, repo_id: str) -> FakeRepo | None:
        return self.hub.repos.get(repo_id)

    def _model_info(self, rest: str, query: dict) -> None:
        repo_id, _, revision = rest.partition("/revision/")
        repo = self._repo(unquote(repo_id))
        if repo is None:
            self._error(404, "RepoNotFound")
            return
        if revision and unquote(revision) not in ("main", repo.commit):
            self._error(404, "RevisionNotFound")
            return
        blobs = "blobs" in query
        siblings = []
        for name, data in repo.files.items():
            sibling: dict = {"rfilename": name}
            if blobs:
                sibling.update(size=len(data), blobId=git_blob_id(data))
                if repo.is_lfs(name):
                    sibling["lfs"] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                                      "pointerSize": 134}
            siblings.append(sibling)
        body = {"id": repo.repo_id, "modelId": repo.repo_id, "sha": repo.commit, "private": False,
                "gated": "auto" if repo.gated else False, "disabled": False, "tags": ["gguf"], "siblings": siblings}
        self._send(200, {"Content-Type": "application/json"}, json.dumps(body).encode())

    def _resolve(self) -> None:
        parts = unquote(urlsplit(self.path).path).lstrip("/").split("/")
        if len(parts) < 5 or parts[2] != "resolve":
            self._error(404, "EntryNotFound")
            return
        repo = self._repo("/".join(parts[:2]))
        revision, filename = parts[3], "/".join(parts[4:])
        if repo is None:
            self._error(404, "RepoNotFound")
            return
        if revision not in ("main", repo.commit):
            self._error(404, "RevisionNotFound")
            return
        if repo.gated and self.headers.get("Authorization") != f"Bearer {self.hub.token}":
            self._error(403, "GatedRepo", {"X-Repo-Commit": repo.commit})
            return
        data = repo.files.get(filename)
        if data is None:
            self._error(404, "EntryNotFound", {"X-Repo-Commit": repo.commit})
            return
        common = {"X-Repo-Commit": repo.commit, "Accept-Ranges": "bytes"}
        if repo.is_lfs(filename):
            sha = hashlib.sha256(data).hexdigest()
            location = f"{self.hub.cdn_url}/blobs/{sha}?file={filename}"
            self._send(302, {**common, "Location": location, "X-Linked-Etag": f'"{sha}"',
                             "X-Linked-Size": str(len(data)), "ETag": f'"{git_blob_id(b"pointer " + data[:16])}"'})
            return
        etag = {"ETag": f'"{git_blob_id(data)}"'}
        if self.command == "HEAD":
            self.send_response(200)
            for key, value in {**common, **etag}.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
        else:
            self._send(200, {**common, **etag}, data)


class _CdnHandler(_Handler):
    def do_HEAD(self) -> None:
        self._record()
        self._blob(head=True)

    def do_GET(self) -> None:
        self._record()
        self._blob(head=False)

    def _blob(self, head: bool) -> None:
        path = urlsplit(self.path).path
        found = self.hub.blob(path.rsplit("/", 1)[-1]) if path.startswith("/blobs/") else None
        if found is None:
            self._send(404)
            return
        name, data = found
        faults = self.hub.faults.get(name, Faults())
        if not head and faults.status_times > 0:
            faults.status_times -= 1
            self._send(faults.status)
            return
        if faults.corrupt:
            data = data[:-1] + bytes([data[-1] ^ 0xFF])
        start = 0
        range_header = self.headers.get("Range", "")
        if range_header.startswith("bytes="):
            start = int(range_header[6:].split("-")[0] or 0)
        if start >= len(data) and data:
            self._send(416, {"Content-Range": f"bytes */{len(data)}"})
            return
        body = data[start:]
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if head:
            return
        self._stream(body, faults)

    def _stream(self, body: bytes, faults: Faults) -> None:
        cut = faults.cut_after if faults.cuts > 0 else None
        stall = faults.stall_after if faults.stalls > 0 else None
        sent, step = 0, 8192
        try:
            while sent < len(body):
                if cut is not None and sent >= cut:
                    faults.cuts -= 1
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                if stall is not None and sent >= stall:
                    faults.stalls -= 1
                    stall = None
                    time.sleep(faults.stall_s)
                    self.close_connection = True
                    return
                piece = body[sent:sent + step]
                if cut is not None:
                    piece = piece[: max(1, cut - sent)]
                self.wfile.write(piece)
                self.wfile.flush()
                sent += len(piece)
                with self.hub._lock:
                    self.hub.served_bytes += len(piece)
                if faults.throttle_bps:
                    time.sleep(len(piece) / faults.throttle_bps)
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True


def point_client_at(hub: FakeHub, monkeypatch, tmp_path) -> None:
    """Point huggingface_hub (and tutor.hub) at `hub` for one test, isolated from the user's own Hub set-up.

    huggingface_hub reads its environment once, at import; what it reads later from `constants` is patched
    here: offline off, telemetry off (its user-agent would otherwise fetch an agent registry from the real
    Hub), the token files in `tmp_path`, a short read timeout. No keyring: the Hub login is the fallback.
    """
    from huggingface_hub import constants

    import tutor.hub.remote as remote

    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", True)
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "hf-home" / "token"))
    monkeypatch.setattr(constants, "HF_STORED_TOKENS_PATH", str(tmp_path / "hf-home" / "stored_tokens"))
    monkeypatch.setattr(constants, "HF_HUB_DOWNLOAD_TIMEOUT", 5)
    monkeypatch.setattr(remote, "_keyring", lambda: None)
