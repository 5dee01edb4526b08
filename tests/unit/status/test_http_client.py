"""``ssi.http_client``: https only, no redirects, capped bodies, deadlines, errors."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from ssi.errors import TransportError
from ssi.http_client import check_url, fetch, make_client


@pytest.mark.parametrize(
    ("url", "loopback", "ok"),
    [
        ("https://status.example/a", False, True),
        ("http://status.example/a", True, False),
        ("http://127.0.0.1:8000/a", False, False),
        ("http://127.0.0.1:8000/a", True, True),
        ("http://[::1]:8000/a", True, True),
        ("http://localhost/a", True, True),
        ("https://u:p@status.example/a", False, False),
        ("file:///etc/passwd", True, False),
        ("https://", False, False),
        ("not a url at all", False, False),
        ("https://exa mple.com/", False, False),
    ],
)
def test_check_url(url, loopback, ok):
    if ok:
        assert check_url(url, allow_loopback_http=loopback).host
    else:
        with pytest.raises(TransportError):
            check_url(url, allow_loopback_http=loopback)


def _client(handler, **options) -> httpx.Client:
    return make_client(transport=httpx.MockTransport(handler), **options)


def test_made_client_refuses_plain_http_before_sending():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"{}")

    with _client(handler) as client:
        with pytest.raises(TransportError, match="https"):
            client.get("http://status.example/a")
        assert client.get("https://status.example/a").content == b"{}"
    with _client(handler, allow_loopback_http=True) as client:
        assert client.get("http://127.0.0.1/a").status_code == 200
    assert [str(r.url) for r in seen] == [
        "https://status.example/a",
        "http://127.0.0.1/a",
    ]
    assert seen[0].headers["Accept-Encoding"] == "identity"


def test_made_client_caps_declared_and_streamed_bodies():
    def declared(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"a" * 2000)

    def streamed(request: httpx.Request) -> httpx.Response:
        def chunks() -> Iterator[bytes]:
            for _ in range(10):
                yield b"a" * 500

        return httpx.Response(200, stream=_Stream(chunks()))

    with (
        _client(declared, max_bytes=1000) as client,
        pytest.raises(TransportError, match="larger than 1000"),
    ):
        client.get("https://status.example/a")
    with (
        _client(streamed, max_bytes=1000) as client,
        pytest.raises(TransportError, match="larger than 1000"),
    ):
        client.get("https://status.example/a")


class _Stream(httpx.SyncByteStream):
    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks


def test_made_client_does_not_follow_redirects():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "https://elsewhere.example/"})

    with _client(handler) as client:
        with pytest.raises(TransportError, match="HTTP 302"):
            fetch(client, "https://status.example/a")
        assert client.get("https://status.example/a").status_code == 302


def test_fetch_returns_the_body_and_sends_accept():
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["Accept"] == "application/vc"
        return httpx.Response(200, content=b'{"ok": true}')

    with _client(handler) as client:
        assert fetch(client, "https://status.example/a", accept="application/vc") == (
            b'{"ok": true}'
        )


def test_fetch_has_a_deadline_for_the_whole_body():
    def slow_chunks() -> Iterator[bytes]:
        for _ in range(20):
            time.sleep(0.02)
            yield b"a"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=_Stream(slow_chunks()))

    with (
        httpx.Client(transport=httpx.MockTransport(handler)) as client,
        pytest.raises(TransportError, match="too long"),
    ):
        fetch(client, "https://status.example/a", timeout=0.1)


def test_fetch_maps_httpx_errors_to_transport_errors():
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with _client(timeout) as client, pytest.raises(TransportError, match="timed out"):
        fetch(client, "https://status.example/a")
    with (
        _client(broken) as client,
        pytest.raises(TransportError, match="ConnectError") as caught,
    ):
        fetch(client, "https://status.example/a")
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


@pytest.mark.parametrize("options", [{"timeout": 0}, {"max_bytes": 0}])
def test_make_client_refuses_non_positive_limits(options):
    with pytest.raises(ValueError, match="positive"):
        make_client(**options)


def test_made_client_without_a_transport_closes_cleanly():
    client = make_client()
    client.close()
    assert client.is_closed
