"""Each download failure as one sentence (`tutor.hub.remote.explain`), what counts as worth retrying, the
progress line, and that Stepwise leaves huggingface_hub's TLS-verifying client alone. No network.

Run: python -m pytest tests/test_download_errors.py -q
"""

from __future__ import annotations

import errno

import httpx2
import pytest
from huggingface_hub.errors import OfflineModeIsEnabled
from huggingface_hub.utils import hf_raise_for_status

from tutor.errors import DiskFullError, DownloadError, HubNotFoundError, HubOfflineError
from tutor.hub import remote
from tutor.hub.download import DownloadProgress, human_bytes, human_duration


def http_error(status: int, code: str | None = None, url: str = "https://hub.test/a/b/resolve/main/f.gguf"):
    """The exception huggingface_hub raises for this response (hf_raise_for_status picks the class)."""
    headers = {"X-Error-Code": code} if code else {}
    response = httpx2.Response(status, headers=headers, request=httpx2.Request("GET", url))
    with pytest.raises(Exception) as caught:
        hf_raise_for_status(response)
    return caught.value


# One row per failure: the exception, the DownloadError class, a phrase the sentence must hold, retryable?
CASES = [
    # offline and network
    (OfflineModeIsEnabled("off"), HubOfflineError, "offline", False),
    (httpx2.ConnectError("refused"), HubOfflineError, "cannot reach", True),
    (httpx2.ReadTimeout("slow"), HubOfflineError, "cannot reach", True),
    (httpx2.RemoteProtocolError("peer closed"), HubOfflineError, "resumes", True),
    # the Hub says no
    (http_error(404, "RepoNotFound"), HubNotFoundError, "no such model repository", False),
    (http_error(404, "EntryNotFound"), HubNotFoundError, "no such file", False),
    (http_error(404, "RevisionNotFound"), HubNotFoundError, "revision", False),
    (http_error(403, "GatedRepo"), DownloadError, "gated", False),
    (http_error(403), DownloadError, "refused access", False),
    # the Hub has a bad moment
    (http_error(503), DownloadError, "HTTP 503", True),
    (http_error(429), DownloadError, "HTTP 429", True),
    # the local side
    (OSError(errno.ENOSPC, "No space left on device"), DiskFullError, "disk is full", False),
    (OSError("Consistency check failed: file should be of size 10 but has size 5"), DownloadError, "ending early",
     True),
]


@pytest.mark.parametrize("exc, kind, phrase, retry", CASES, ids=lambda v: type(v).__name__ if isinstance(v, Exception) else None)
def test_each_failure_is_one_sentence(exc, kind, phrase, retry):
    error = remote.explain(exc, "downloading x")
    assert type(error) is kind and phrase in str(error) and "\n" not in str(error)
    assert str(error).startswith(("downloading x", "Stepwise is offline"))
    assert remote.is_transient(exc) is retry


def test_progress_line():
    p = DownloadProgress("m", "downloading", done_bytes=412_000_000, total_bytes=986_000_000, speed_bps=5_200_000)
    assert p.describe() == "412.0 MB of 986.0 MB · 5.2 MB/s · 1 min 50 s left"
    assert DownloadProgress("m", "verifying", message="Checking…").describe() == "Checking…"
    assert DownloadProgress("m", "downloading", 1, 0).eta_s is None
    assert (human_bytes(999), human_bytes(4_680_000_000), human_duration(3725)) == ("999 B", "4.7 GB", "1 h 02 min")


def test_stepwise_keeps_the_verifying_client():
    """TLS verification is huggingface_hub's (httpx's) default: Stepwise never installs its own client."""
    from huggingface_hub.utils import _http

    import tutor.hub.download  # noqa: F401 - importing the downloader must not change the client factory

    assert _http._GLOBAL_CLIENT_FACTORY is _http.default_client_factory
    client = _http.default_client_factory()
    try:
        ssl_context = client._transport._pool._ssl_context
        import ssl

        assert ssl_context.verify_mode == ssl.CERT_REQUIRED and ssl_context.check_hostname
    finally:
        client.close()


def test_token_stays_on_the_hub_origin():
    assert remote.same_origin("https://huggingface.co/a/resolve/main/f", "https://huggingface.co")
    assert not remote.same_origin("https://cas-bridge.xethub.hf.co/x", "https://huggingface.co")
    assert not remote.same_origin("http://127.0.0.1:1/x", "http://127.0.0.1:2")
