"""Everything that asks the Hugging Face Hub something, through `huggingface_hub` (never hand-written HTTP).

- `endpoint()`, `offline()`: `HF_ENDPOINT` and `HF_HUB_OFFLINE`, read when called (huggingface_hub reads
  them once, at import), so a test or a user who sets them later is obeyed.
- `hub_token()` / `save_token()`: a token for gated or private repos comes from the system keyring (the
  optional `keyring` package) or else from the user's Hub login (`hf auth login`, `HF_TOKEN`), which
  huggingface_hub reads itself. Stepwise's settings file never holds one.
- `list_repo()`: the repository's files with sizes and LFS sha256 (`HfApi.model_info(files_metadata=True)`).
- `file_metadata()`: one file's size, checksum and download location (`get_hf_file_metadata`: a HEAD on
  `/resolve/`, whose `X-Linked-Etag` / `ETag` is the sha256 of an LFS file or the git blob id of a small
  one, and `X-Repo-Commit` the commit it resolved to).
- `explain()`: huggingface_hub's and httpx's exceptions as one `DownloadError` sentence each.
"""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass
from fnmatch import fnmatch
from urllib.parse import urlsplit

from tutor.errors import DiskFullError, DownloadError, HubNotFoundError, HubOfflineError

KEYRING_SERVICE = "stepwise"
KEYRING_USER = "huggingface-token"
DEFAULT_ENDPOINT = "https://huggingface.co"
SHA256 = re.compile(r"^[0-9a-f]{64}$")
GIT_SHA1 = re.compile(r"^[0-9a-f]{40}$")
# What the transformers backend needs from an HF model folder (safetensors only: no pickled weights).
HF_FOLDER_PATTERNS = ("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
                      "tokenizer.model", "special_tokens_map.json", "added_tokens.json", "vocab.json",
                      "merges.txt", "chat_template.jinja", "chat_template.json", "*.safetensors",
                      "model.safetensors.index.json")
GGUF_PREFERENCE = ("q4_k_m", "q4_k_s", "q5_k_m", "q8_0")


def endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def offline() -> bool:
    """HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE) set to a true value, now or when huggingface_hub loaded."""
    from huggingface_hub import constants

    flag = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
    return flag.strip().upper() in {"1", "ON", "YES", "TRUE"} or constants.is_offline_mode()


def _keyring():
    try:
        import keyring
    except ImportError:
        return None
    return keyring


def hub_token() -> str | None:
    """The token saved in the system keyring, or None to let huggingface_hub use the user's Hub login."""
    keyring = _keyring()
    if keyring is None:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, KEYRING_USER) or None
    except Exception:  # no usable keyring backend (a headless Linux session): fall back to the Hub login
        return None


def save_token(token: str) -> str:
    """Keep a Hub token for gated/private repos; returns where it went (for the user to read)."""
    token = token.strip()
    if not token:
        raise DownloadError("the token is empty: paste the token from huggingface.co/settings/tokens")
    keyring = _keyring()
    if keyring is not None:
        try:
            keyring.set_password(KEYRING_SERVICE, KEYRING_USER, token)
            return "the system keyring"
        except Exception:  # noqa: S110 - no keyring backend; the Hub login below is the fallback
            pass
    from huggingface_hub import login

    try:
        login(token=token, add_to_git_credential=False)
    except Exception as exc:
        raise explain(exc, "saving the token") from None
    return "your Hugging Face login (as `hf auth login` would)"


def request_headers(token: str | None) -> dict[str, str]:
    from huggingface_hub.utils import build_hf_headers

    from tutor import __version__

    return build_hf_headers(token=token, library_name="stepwise", library_version=__version__)


def same_origin(url: str, other: str) -> bool:
    a, b = urlsplit(url), urlsplit(other)
    return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)


# -- listing a repository -------------------------------------------------------------------------------
@dataclass(frozen=True)
class RepoFile:
    name: str
    size: int
    sha256: str = ""


@dataclass(frozen=True)
class RepoListing:
    repo_id: str
    revision: str
    """The commit the listing describes (downloads pin to it, so every file comes from one commit)."""
    files: tuple[RepoFile, ...]

    @property
    def ggufs(self) -> list[RepoFile]:
        return [f for f in self.files if f.name.lower().endswith(".gguf")]

    @property
    def is_hf_folder(self) -> bool:
        names = {f.name for f in self.files}
        return "config.json" in names and any(n.endswith(".safetensors") for n in names)

    def hf_folder_files(self) -> list[RepoFile]:
        return [f for f in self.files if "/" not in f.name and any(fnmatch(f.name, p) for p in HF_FOLDER_PATTERNS)]

    def choose_gguf(self) -> RepoFile | None:
        """The GGUF file to take when the user named none: a 4-bit K-quant if there is one, else the smallest
        single-file model (split `-00001-of-0000N` files are not supported by the loader)."""
        single = [f for f in self.ggufs if not re.search(r"-\d{5}-of-\d{5}\.gguf$", f.name)]
        for quant in GGUF_PREFERENCE:
            for f in sorted(single, key=lambda f: f.size):
                if quant in f.name.lower():
                    return f
        return min(single, key=lambda f: f.size, default=None)


def list_repo(repo_id: str, token: str | None, revision: str | None = None) -> RepoListing:
    """The repository's files (with sizes and LFS sha256) at `revision` (default: main)."""
    from huggingface_hub.hf_api import HfApi  # submodules named outright, so a frozen bundle finds them

    info = HfApi(endpoint=endpoint()).model_info(repo_id, revision=revision, files_metadata=True, token=token)
    files = tuple(RepoFile(s.rfilename, s.lfs.size if s.lfs else (s.size or 0), s.lfs.sha256 if s.lfs else "")
                  for s in info.siblings or ())
    return RepoListing(repo_id, info.sha or revision or "main", files)


# -- one file's metadata ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class RemoteFile:
    name: str
    size: int | None
    checksum: str
    """The Hub's ETag: a sha256 for LFS files, a git blob sha1 for small files."""
    url: str
    """Where to GET it (the Hub's /resolve/ URL, or the CDN it redirects to)."""
    commit: str


def file_metadata(repo_id: str, filename: str, revision: str, headers: dict[str, str]) -> RemoteFile:
    from huggingface_hub.file_download import get_hf_file_metadata, hf_hub_url

    url = hf_hub_url(repo_id, filename, revision=revision, endpoint=endpoint())
    # No retries here: offline, the user hears so at once; `download` retries transient failures itself.
    meta = get_hf_file_metadata(url, headers=headers, endpoint=endpoint(), retry_on_errors=False)
    if not meta.commit_hash or not meta.etag:
        raise DownloadError(f"{endpoint()} did not answer like the Hugging Face Hub (no commit or checksum for "
                            f"{filename}); check HF_ENDPOINT, a proxy or a firewall")
    return RemoteFile(filename, meta.size, meta.etag.lower(), meta.location, meta.commit_hash)


# -- errors ----------------------------------------------------------------------------------------------
def is_transient(exc: BaseException) -> bool:
    """Worth another attempt after a pause: the network dropped, timed out, or the Hub had a bad moment."""
    import httpx2
    from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled

    if isinstance(exc, OfflineModeIsEnabled):
        return False
    if isinstance(exc, httpx2.TransportError):
        return True
    if isinstance(exc, HfHubHTTPError):
        status = getattr(getattr(exc, "response", None), "status_code", 0)
        return status in (408, 429) or status >= 500
    return isinstance(exc, OSError) and "Consistency check failed" in str(exc)  # stream ended early


def explain(exc: BaseException, what: str) -> DownloadError:
    """One sentence for the user about `exc`, raised while `what` (e.g. "downloading X")."""
    import httpx2
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        OfflineModeIsEnabled,
        RemoteEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    if isinstance(exc, DownloadError):
        return exc
    if isinstance(exc, OfflineModeIsEnabled):
        return HubOfflineError(f"Stepwise is offline (HF_HUB_OFFLINE is set), so {what} is not possible; "
                               "downloaded models still work")
    if isinstance(exc, GatedRepoError):
        return DownloadError(f"{what}: the repository is gated; accept its licence on huggingface.co, then add "
                             "your access token (Models tab → Hub token, or `hf auth login`)")
    if isinstance(exc, RepositoryNotFoundError):
        return HubNotFoundError(f"{what}: no such model repository on {endpoint()} (or it is private: add a "
                                "token that can read it)")
    if isinstance(exc, RevisionNotFoundError):
        return HubNotFoundError(f"{what}: that revision does not exist on the Hub")
    if isinstance(exc, RemoteEntryNotFoundError):
        return HubNotFoundError(f"{what}: the repository has no such file")
    if isinstance(exc, HfHubHTTPError):
        status = getattr(getattr(exc, "response", None), "status_code", "?")
        if status in (401, 403):
            return DownloadError(f"{what}: the Hub refused access (HTTP {status}); check your access token")
        return DownloadError(f"{what}: the Hub answered HTTP {status}; try again later")
    if isinstance(exc, httpx2.TransportError):
        return HubOfflineError(f"{what}: cannot reach {endpoint()} ({type(exc).__name__}); check the internet "
                               "connection and try again: what was downloaded is kept and the download resumes")
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return DiskFullError(f"{what}: the disk is full; free some space and try again (the download resumes)")
    if isinstance(exc, OSError) and "Consistency check failed" in str(exc):
        return DownloadError(f"{what}: the connection kept ending early; try again later (the download resumes)")
    return DownloadError(f"{what}: {type(exc).__name__}: {exc}")
