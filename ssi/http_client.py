"""The one place an ``httpx.Client`` is configured for fetching from the network.

:func:`make_client` returns a client that refuses anything but ``https`` (plain
``http`` only to the loopback interface, and only when asked, for tests),
never follows redirects (a redirect could leave an allow-list), asks for
uncompressed bodies, has timeouts on every phase, and caps every response
body: a body larger than the cap fails while it is being read, before it is
held in memory. :func:`fetch` reads one resource through any client with a
size cap and an overall deadline of its own, so a client supplied by a caller
(an ``httpx.MockTransport`` in a test, say) gets the same limits.

Nothing foreign escapes: httpx errors become :class:`~ssi.errors.TransportError`.

Spec: https://www.rfc-editor.org/rfc/rfc9110
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Final

import httpx

from ssi.errors import TransportError

__all__ = [
    "DEFAULT_TIMEOUT",
    "LOOPBACK_HOSTS",
    "MAX_BODY_BYTES",
    "check_url",
    "fetch",
    "make_client",
]

DEFAULT_TIMEOUT: Final = 10.0
"""Seconds allowed for each phase (connect, read, write, pool) and for a whole fetch."""

MAX_BODY_BYTES: Final = 4 * 1024 * 1024
"""The largest response body read, in bytes (4 MiB)."""

LOOPBACK_HOSTS: Final = frozenset({"127.0.0.1", "::1", "localhost"})
"""Hosts to which plain ``http`` may be allowed, for local tests."""


def check_url(url: str, *, allow_loopback_http: bool = False) -> httpx.URL:
    """Return ``url`` parsed, or raise if this library would not fetch it.

    Only absolute ``https`` URLs with a host, no user information and no
    whitespace or control characters pass;
    ``http`` passes only for a loopback host and only with
    ``allow_loopback_http``.

    Raises:
        TransportError: the URL is malformed or its scheme is refused.
    """
    if not isinstance(url, str) or any(c <= " " or c == "\x7f" for c in url):
        raise TransportError(f"{_show(str(url))} is not a URL.")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise TransportError(f"{_show(url)} is not a URL.") from exc
    if not parsed.host:
        raise TransportError(f"{_show(url)} has no host.")
    if parsed.userinfo:
        raise TransportError(f"{_show(url)} carries user information; refused.")
    if parsed.scheme == "https":
        return parsed
    if (
        parsed.scheme == "http"
        and allow_loopback_http
        and parsed.host.lower() in LOOPBACK_HOSTS
    ):
        return parsed
    raise TransportError(f"{_show(url)} is not an https URL; refused.")


def make_client(
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = MAX_BODY_BYTES,
    allow_loopback_http: bool = False,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """Return an ``httpx.Client`` with this library's limits.

    Args:
        timeout: seconds for each phase of a request.
        max_bytes: the largest response body the client reads.
        allow_loopback_http: let plain ``http`` reach 127.0.0.1, ::1 and
            localhost (for tests against a local server).
        transport: the transport to wrap (default: httpx's own); tests pass
            an ``httpx.MockTransport``.

    The caller owns the client and closes it (``with make_client() as client``).
    Environment proxies and certificate settings are not read: configuration
    is explicit.
    """
    if timeout <= 0 or max_bytes <= 0:
        raise ValueError("timeout and max_bytes must be positive.")
    inner = transport if transport is not None else httpx.HTTPTransport(retries=0)
    return httpx.Client(
        transport=_GuardedTransport(
            inner, max_bytes=max_bytes, allow_loopback_http=allow_loopback_http
        ),
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        trust_env=False,
        headers={"Accept-Encoding": "identity"},
    )


def fetch(
    client: httpx.Client,
    url: str,
    *,
    accept: str = "application/json",
    max_bytes: int = MAX_BODY_BYTES,
    timeout: float = DEFAULT_TIMEOUT,
    allow_loopback_http: bool = False,
) -> bytes:
    """GET ``url`` and return the body of a ``200 OK`` answer.

    The body is read in chunks and abandoned as soon as it passes
    ``max_bytes``; the whole fetch, including reading, must finish within
    ``timeout`` seconds (checked between chunks; each read has the client's
    own read timeout). Redirects are not followed.

    Raises:
        TransportError: refused URL, connection failure, timeout, a status
            other than 200, or a body over the cap.
    """
    check_url(url, allow_loopback_http=allow_loopback_http)
    deadline = time.monotonic() + timeout
    shown = _show(url)
    try:
        with client.stream(
            "GET",
            url,
            headers={"Accept": accept, "Accept-Encoding": "identity"},
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
        ) as response:
            if response.status_code != httpx.codes.OK:
                raise TransportError(
                    f"{shown} answered with HTTP {response.status_code}."
                )
            _check_declared_length(response.headers, max_bytes, shown)
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    raise TransportError(
                        f"the body of {shown} is larger than {max_bytes} bytes."
                    )
                if time.monotonic() > deadline:
                    raise TransportError(f"fetching {shown} took too long.")
            return bytes(body)
    except httpx.TimeoutException as exc:
        raise TransportError(f"fetching {shown} timed out.") from exc
    except httpx.HTTPError as exc:
        raise TransportError(
            f"fetching {shown} failed ({type(exc).__name__})."
        ) from exc


class _GuardedTransport(httpx.BaseTransport):
    """Wraps a transport: checks the scheme, caps the body it hands back."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        *,
        max_bytes: int,
        allow_loopback_http: bool,
    ) -> None:
        self._inner = inner
        self._max_bytes = max_bytes
        self._allow_loopback_http = allow_loopback_http

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        check_url(str(request.url), allow_loopback_http=self._allow_loopback_http)
        response = self._inner.handle_request(request)
        shown = _show(str(request.url))
        try:
            _check_declared_length(response.headers, self._max_bytes, shown)
        except TransportError:
            response.close()
            raise
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_LimitedStream(response, self._max_bytes, shown),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._inner.close()


class _LimitedStream(httpx.SyncByteStream):
    """A response body that fails once it passes the cap."""

    def __init__(self, response: httpx.Response, limit: int, shown: str) -> None:
        self._response = response
        self._limit = limit
        self._shown = shown

    def __iter__(self) -> Iterator[bytes]:
        total = 0
        for chunk in self._response.stream:  # type: ignore[union-attr]
            total += len(chunk)
            if total > self._limit:
                raise TransportError(
                    f"the body of {self._shown} is larger than {self._limit} bytes."
                )
            yield chunk

    def close(self) -> None:
        self._response.close()


def _check_declared_length(headers: httpx.Headers, limit: int, shown: str) -> None:
    declared = headers.get("Content-Length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TransportError(f"the body of {shown} is larger than {limit} bytes.")


def _show(url: str) -> str:
    """Quote an untrusted URL for a message: ASCII-escaped, cut short."""
    text = url if len(url) <= 120 else url[:117] + "..."
    return ascii(text)
