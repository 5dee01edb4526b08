"""Request limits: a cap on body size and a token bucket per client.

:class:`LimitsMiddleware` is plain ASGI (it must not buffer streamed
responses such as ``GET /stream``). It refuses a body over the cap with 413
(from ``Content-Length`` at once, else while reading it) and a client over
its rate with 429 and ``Retry-After``; it also counts every answer in the
Prometheus metrics. Buckets are per process: with ``--workers N`` a client
may reach N times the rate.

Spec: docs/hub.md (Limits)
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.operations import RATE_LIMITED, REQUEST_SECONDS, REQUESTS
from hub.problems import problem
from hub.settings import HubSettings

__all__ = ["EXEMPT_PATHS", "LimitsMiddleware", "TokenBuckets"]

EXEMPT_PATHS: Final = frozenset({"/healthz", "/metrics"})
"""Paths the rate limit does not count (probes and scrapers)."""

_MAX_CLIENTS: Final = 100_000
"""Buckets kept; the least recently used goes first past it."""


class TokenBuckets:
    """One token bucket per client: ``rate`` tokens a second, ``burst`` at most.

    Args:
        rate: tokens added per second.
        burst: the bucket's size (and a new client's tokens).
        clock: monotonic seconds (a test passes its own).
    """

    def __init__(
        self,
        rate: float,
        burst: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.burst = max(burst, 1.0)
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """Take a token for ``client``; return 0 when granted, else the
        seconds until one is available."""
        now = self._clock()
        with self._lock:
            tokens, then = self._buckets.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.rate)
            wait = 0.0
            if tokens >= 1:
                tokens -= 1
            else:
                wait = (1 - tokens) / self.rate
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > _MAX_CLIENTS:
                self._buckets.popitem(last=False)
        return wait


class _TooLargeError(Exception):
    pass


class LimitsMiddleware:
    """Body cap (413), per-client rate limit (429) and request metrics.

    Spec: docs/hub.md (Limits)
    """

    def __init__(self, app: ASGIApp, settings: HubSettings) -> None:
        self.app = app
        self.max_body = settings.max_body_bytes
        self.buckets = TokenBuckets(settings.rate, settings.burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Apply the limits to one HTTP request."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self._limited(scope, receive, counting_send)
        finally:
            route = scope.get("route")
            name = getattr(route, "path", None) or "unmatched"
            REQUESTS.labels(scope["method"], name, str(status[0])).inc()
            REQUEST_SECONDS.labels(name).observe(time.perf_counter() - started)

    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] not in EXEMPT_PATHS:
            client = scope.get("client")
            wait = self.buckets.take(client[0] if client else "unknown")
            if wait > 0:
                RATE_LIMITED.inc()
                retry = max(1, math.ceil(wait))
                response = problem(
                    429,
                    "tooManyRequests",
                    f"Too many requests from this client: retry in {retry} s.",
                    retryAfter=retry,
                )
                await response(scope, receive, send)
                return
        length = _content_length(scope)
        if length is not None and length > self.max_body:
            await self._too_large(scope, receive, send)
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS") and not length:
            await self.app(scope, receive, send)
            return
        try:
            body = await self._read(receive)
        except _TooLargeError:
            await self._too_large(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise _TooLargeError
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(
            413,
            "bodyTooLarge",
            f"A request body is at most {self.max_body:,} bytes.",
            maxBodyBytes=self.max_body,
        )
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
