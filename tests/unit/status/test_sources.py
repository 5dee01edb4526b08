"""Status sources: memory, folder, chain, cache, HTTP (off unless built, allow-listed).

Spec: https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm,
https://www.w3.org/TR/vc-bitstring-status-list/#ttl
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import httpx
import pytest

import ssi
from ssi.errors import StatusRetrievalError, TransportError
from ssi.status import (
    BitstringStatusChecker,
    CachingStatusSource,
    ChainStatusSource,
    FolderStatusSource,
    HttpStatusSource,
    MemoryStatusSource,
    StatusList,
)
from tests.unit.status.conftest import reply
from tests.unit.status.helpers import LIST_URL, NOW, credential_with, signed_list

ENTRY = {
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "7",
    "statusListCredential": LIST_URL,
}


def _list(url: str = LIST_URL, **subject: object) -> dict:
    document = {"id": url, "type": ["VerifiableCredential"], "credentialSubject": {}}
    document["credentialSubject"].update(subject)
    return document


# --- Memory and folder ----------------------------------------------------------------


def test_memory_source_serves_by_url_and_by_id():
    first = _list()
    second = _list("https://status.example/lists/2")
    source = MemoryStatusSource({LIST_URL: first})
    source.add(second)

    assert source.get(LIST_URL) is first
    assert source.get("https://status.example/lists/2") is second
    with pytest.raises(StatusRetrievalError, match="no status list"):
        source.get("https://status.example/lists/3")
    with pytest.raises(ValueError, match="URL"):
        source.add({"type": "x"})


def test_folder_source_finds_lists_by_id_and_sees_rewrites(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(_list(ttl=1)))
    (tmp_path / "b.json").write_text(json.dumps(_list("https://status.example/2")))
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "array.json").write_text("[]")
    (tmp_path / "notes.txt").write_text(json.dumps(_list("https://status.example/3")))
    source = FolderStatusSource(tmp_path)

    assert source.get(LIST_URL)["credentialSubject"] == {"ttl": 1}
    assert source.get("https://status.example/2")["id"] == "https://status.example/2"
    (tmp_path / "a.json").write_text(json.dumps(_list(ttl=2)))
    assert source.get(LIST_URL)["credentialSubject"] == {"ttl": 2}
    (tmp_path / "a.json").write_text(json.dumps(_list("https://status.example/4")))
    with pytest.raises(StatusRetrievalError, match="no file"):
        source.get(LIST_URL)
    with pytest.raises(StatusRetrievalError):
        source.get("https://status.example/3")  # only *.json files count
    (tmp_path / "c.json").write_text(json.dumps(_list(ttl=3)))
    assert source.get(LIST_URL)["credentialSubject"] == {"ttl": 3}


def test_folder_source_refuses_oversized_files(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(_list(padding="x" * 5000)))

    with pytest.raises(StatusRetrievalError):
        FolderStatusSource(tmp_path, max_bytes=1000).get(LIST_URL)


def test_folder_source_on_a_missing_folder(tmp_path):
    with pytest.raises(StatusRetrievalError):
        FolderStatusSource(tmp_path / "absent").get(LIST_URL)


# --- Chain ----------------------------------------------------------------------------


def test_chain_asks_sources_in_order():
    early = MemoryStatusSource({"https://a.example/1": _list("https://a.example/1")})
    late = MemoryStatusSource({LIST_URL: _list(), "https://a.example/1": {"x": 1}})
    chain = ChainStatusSource([early, late])

    assert chain.get("https://a.example/1")["id"] == "https://a.example/1"
    assert chain.get(LIST_URL)["id"] == LIST_URL
    with pytest.raises(StatusRetrievalError, match="no status source") as caught:
        chain.get("https://b.example/")
    assert isinstance(caught.value.__cause__, StatusRetrievalError)
    with pytest.raises(StatusRetrievalError):
        ChainStatusSource([]).get(LIST_URL)


# --- Cache ----------------------------------------------------------------------------


class CountingSource:
    def __init__(self, document: dict) -> None:
        self.document = document
        self.calls = 0

    def get(self, url: str) -> dict:
        self.calls += 1
        if self.document is None:
            raise StatusRetrievalError("gone.")
        return self.document


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2024, 6, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_cache_honours_the_lists_ttl_in_milliseconds():
    inner, clock = CountingSource(_list(ttl=1500)), Clock()
    cache = CachingStatusSource(inner, clock=clock)

    cache.get(LIST_URL)
    clock.now += timedelta(milliseconds=1499)
    cache.get(LIST_URL)
    assert inner.calls == 1
    clock.now += timedelta(milliseconds=1)
    cache.get(LIST_URL)
    assert inner.calls == 2


def test_cache_uses_its_default_without_a_ttl_and_caps_long_ones():
    inner, clock = CountingSource(_list()), Clock()
    cache = CachingStatusSource(inner, ttl=timedelta(minutes=5), clock=clock)
    cache.get(LIST_URL)
    clock.now += timedelta(minutes=4)
    cache.get(LIST_URL)
    assert inner.calls == 1
    clock.now += timedelta(minutes=1)
    cache.get(LIST_URL)
    assert inner.calls == 2

    long_lived = CountingSource(_list(ttl=10**15))
    capped = CachingStatusSource(long_lived, max_ttl=timedelta(hours=1), clock=clock)
    capped.get(LIST_URL)
    clock.now += timedelta(hours=1)
    capped.get(LIST_URL)
    assert long_lived.calls == 2


@pytest.mark.parametrize("ttl", [0, -1, "60000", 1.5])
def test_cache_does_not_keep_ttl_zero_and_ignores_bad_ttls(ttl):
    inner, clock = CountingSource(_list(ttl=ttl)), Clock()
    cache = CachingStatusSource(inner, ttl=timedelta(0), clock=clock)

    cache.get(LIST_URL)
    cache.get(LIST_URL)

    assert inner.calls == 2


def test_cache_refetches_when_the_clock_goes_back_and_can_be_cleared():
    inner, clock = CountingSource(_list()), Clock()
    cache = CachingStatusSource(inner, clock=clock)
    cache.get(LIST_URL)
    clock.now -= timedelta(seconds=1)
    cache.get(LIST_URL)
    assert inner.calls == 2
    cache.invalidate(LIST_URL)
    cache.get(LIST_URL)
    cache.invalidate()
    cache.get(LIST_URL)
    assert inner.calls == 4


def test_cache_does_not_keep_failures_and_evicts_the_oldest():
    inner, clock = CountingSource(None), Clock()
    cache = CachingStatusSource(inner, clock=clock, max_entries=2)
    with pytest.raises(StatusRetrievalError):
        cache.get(LIST_URL)
    inner.document = _list()
    cache.get(LIST_URL)
    assert inner.calls == 2

    for name in ("a", "b"):
        cache.get(f"https://status.example/{name}")
    cache.get(LIST_URL)  # evicted by the two newer ones
    assert inner.calls == 5


# --- HTTP: off unless constructed, allow-listed, bounded ------------------------------


def test_http_is_off_by_default(local_server):
    """Without an HttpStatusSource nothing is fetched, whatever the URL."""
    secured = credential_with({**ENTRY, "statusListCredential": local_server.base})
    checker = BitstringStatusChecker(MemoryStatusSource())

    for status in (None, checker):
        report = ssi.verify(secured, now=NOW, status=status)
        assert not report.verified
        assert report.problems[0].error.code == "STATUS_RETRIEVAL_ERROR"
    assert local_server.requests == []


def test_http_source_needs_an_allow_list():
    with pytest.raises(ValueError, match="allow-list"):
        HttpStatusSource(allow=[])


def test_http_fetches_an_allow_listed_list_from_a_local_server(local_server):
    document = signed_list(StatusList(), url=f"{local_server.base}/lists/1")
    local_server.routes["/lists/1"] = reply(200, json.dumps(document).encode())

    with HttpStatusSource(
        allow=[f"{local_server.base}/lists/"], allow_loopback_http=True
    ) as source:
        assert source.get(f"{local_server.base}/lists/1") == document
        assert source.get(f"{local_server.base}/lists/1#fragment") == document
    assert local_server.requests == ["/lists/1", "/lists/1"]


def test_http_source_by_host_name(local_server):
    local_server.routes["/any/path"] = reply(200, b'{"id": "x"}')

    with HttpStatusSource(allow=["127.0.0.1"], allow_loopback_http=True) as source:
        assert source.get(f"{local_server.base}/any/path") == {"id": "x"}


NOT_ALLOWED = [
    "{base}/other/1",  # outside the prefix
    "{base}/lists",  # the prefix minus its slash is not inside it
    "{base}/lists-evil/1",
    "http://localhost:1/lists/1",  # another host
]


@pytest.mark.parametrize("template", NOT_ALLOWED)
def test_http_refuses_urls_not_on_the_allow_list(local_server, template):
    url = template.format(base=local_server.base)

    with (
        HttpStatusSource(
            allow=[f"{local_server.base}/lists/"], allow_loopback_http=True
        ) as source,
        pytest.raises(StatusRetrievalError, match="allow-list"),
    ):
        source.get(url)
    assert local_server.requests == []


def test_http_prefix_matches_at_a_path_boundary(local_server):
    local_server.routes["/lists/1"] = reply(200, b"{}")
    local_server.routes["/lists/1?v=2"] = reply(200, b"{}")
    with HttpStatusSource(
        allow=[f"{local_server.base}/lists/1"], allow_loopback_http=True
    ) as source:
        source.get(f"{local_server.base}/lists/1")
        with pytest.raises(StatusRetrievalError, match="allow-list"):
            source.get(f"{local_server.base}/lists/10")


@pytest.mark.parametrize(
    "url",
    [
        "http://status.example/lists/1",  # plain http to a real host
        "ftp://status.example/lists/1",
        "https://user:pw@status.example/lists/1",
        "status.example/lists/1",
        "https:///nohost",
    ],
)
def test_http_refuses_anything_but_https(url):
    with (
        HttpStatusSource(allow=["status.example"], allow_loopback_http=True) as source,
        pytest.raises(StatusRetrievalError),
    ):
        source.get(url)


def test_plain_http_to_loopback_needs_the_explicit_flag(local_server):
    local_server.routes["/lists/1"] = reply(200, b"{}")

    with (
        HttpStatusSource(allow=["127.0.0.1"]) as source,
        pytest.raises(StatusRetrievalError, match="not an https URL"),
    ):
        source.get(f"{local_server.base}/lists/1")
    assert local_server.requests == []


def test_http_body_over_the_size_cap_is_refused(local_server):
    local_server.routes["/big"] = reply(200, b'{"x": "' + b"a" * 50_000 + b'"}')

    with (
        HttpStatusSource(
            allow=["127.0.0.1"], allow_loopback_http=True, max_bytes=10_000
        ) as source,
        pytest.raises(StatusRetrievalError, match="larger than 10000"),
    ):
        source.get(f"{local_server.base}/big")


def test_http_body_over_the_cap_without_content_length_is_cut_off(local_server):
    def endless(handler, stop: threading.Event) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.end_headers()
        chunk = b"a" * 4096
        for _ in range(1000):  # 4 MB at most; the client stops after 10 kB
            if stop.is_set():
                return
            handler.wfile.write(chunk)

    local_server.routes["/endless"] = endless

    with (
        HttpStatusSource(
            allow=["127.0.0.1"], allow_loopback_http=True, max_bytes=10_000
        ) as source,
        pytest.raises(StatusRetrievalError, match="larger than"),
    ):
        source.get(f"{local_server.base}/endless")


def test_http_timeout_is_a_retrieval_error(local_server):
    answered = threading.Event()

    def slow(handler, stop: threading.Event) -> None:
        stop.wait(5)  # released when the test ends
        answered.set()

    local_server.routes["/slow"] = slow

    with (
        HttpStatusSource(
            allow=["127.0.0.1"], allow_loopback_http=True, timeout=0.3
        ) as source,
        pytest.raises(StatusRetrievalError, match="timed out") as caught,
    ):
        source.get(f"{local_server.base}/slow")
    # The client gave up while the server still held the request: no clock.
    assert not answered.is_set()
    assert isinstance(caught.value.__cause__, TransportError)


@pytest.mark.parametrize(
    ("status", "body", "match"),
    [
        (404, b"{}", "HTTP 404"),
        (500, b"{}", "HTTP 500"),
        (200, b"not json", "did not return JSON"),
        (200, b"[1, 2]", "not return a JSON object"),
        (200, b'{"a": 1, "a": 2}', "did not return JSON"),
    ],
)
def test_http_errors_and_bad_bodies(local_server, status, body, match):
    local_server.routes["/x"] = reply(status, body)

    with (
        HttpStatusSource(allow=["127.0.0.1"], allow_loopback_http=True) as source,
        pytest.raises(StatusRetrievalError, match=match),
    ):
        source.get(f"{local_server.base}/x")


def test_http_redirects_are_not_followed(local_server):
    def redirect(handler, stop: threading.Event) -> None:
        handler.send_response(302)
        handler.send_header("Location", "https://elsewhere.example/list")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    local_server.routes["/moved"] = redirect

    with (
        HttpStatusSource(allow=["127.0.0.1"], allow_loopback_http=True) as source,
        pytest.raises(StatusRetrievalError, match="HTTP 302"),
    ):
        source.get(f"{local_server.base}/moved")


def test_http_connection_refused_is_a_retrieval_error(local_server):
    url = local_server.base.rsplit(":", 1)[0] + ":1/lists/1"

    with (
        HttpStatusSource(allow=["127.0.0.1"], allow_loopback_http=True) as source,
        pytest.raises(StatusRetrievalError, match="failed"),
    ):
        source.get(url)


def test_http_source_with_a_caller_client_keeps_the_limits():
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, content=b'{"x": "' + b"a" * 5000 + b'"}')

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        source = HttpStatusSource(client, allow=["status.example"], max_bytes=1000)
        with pytest.raises(StatusRetrievalError, match="larger than 1000"):
            source.get("https://status.example/lists/1")
        with pytest.raises(StatusRetrievalError, match="https"):
            source.get("http://status.example/lists/1")
        source.close()  # not owned: the caller's client stays open
        assert not client.is_closed
    assert seen == ["https://status.example/lists/1"]
