"""Operations: ``GET /healthz``, the Prometheus metrics of ``GET /metrics``,
and the ``Agora-Hub-Worker`` header.

Counters and histograms live in one registry per process (:data:`REGISTRY`);
with ``--workers N`` each worker counts its own requests. Every response
names the worker process that made it (:class:`WorkerHeader`): an opaque
id, drawn once per process and written to the hub's log with the
process id, so an operator can tell workers apart without the hub telling
anyone its process ids.

Spec: docs/hub.md (GET /metrics)
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.schemas import problem_responses
from hub.state import hub_state

__all__ = [
    "OBJECTS",
    "RATE_LIMITED",
    "REGISTRY",
    "REQUESTS",
    "REQUEST_SECONDS",
    "WORKER_HEADER",
    "WorkerHeader",
    "count_outcomes",
    "router",
]

WORKER_HEADER: Final = "Agora-Hub-Worker"
"""The response header naming the worker process that answered."""

_log = logging.getLogger("hub")

REGISTRY: Final = CollectorRegistry(auto_describe=True)
"""The registry ``GET /metrics`` exposes."""

REQUESTS: Final = Counter(
    "agora_hub_requests",
    "HTTP requests answered, by method, route and status.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
REQUEST_SECONDS: Final = Histogram(
    "agora_hub_request_seconds",
    "Time to answer a request, by route.",
    ["route"],
    registry=REGISTRY,
)
OBJECTS: Final = Counter(
    "agora_hub_objects",
    "Objects received by POST /objects, by outcome.",
    ["outcome"],
    registry=REGISTRY,
)
RATE_LIMITED: Final = Counter(
    "agora_hub_rate_limited",
    "Requests refused with 429.",
    registry=REGISTRY,
)

router = APIRouter(tags=["operations"])


class WorkerHeader:
    """ASGI middleware: add ``Agora-Hub-Worker: <id>`` to every response.

    The id is 12 hex digits drawn when the middleware is built (when the
    app answers its first request; once per worker process) and logged
    with the process id.

    Args:
        app: the application it wraps.

    Spec: docs/hub.md (Workers)
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.worker = secrets.token_hex(6)
        self._header = (WORKER_HEADER.lower().encode(), self.worker.encode())
        _log.info("hub worker %s is process %d", self.worker, os.getpid())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer through the wrapped app, adding the header."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def named(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append(self._header)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, named)


def count_outcomes(counts: Mapping[str, int]) -> None:
    """Add the outcomes of one ``POST /objects`` to :data:`OBJECTS`."""
    for outcome, number in counts.items():
        OBJECTS.labels(outcome=outcome).inc(number)


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    summary="Prometheus metrics of this hub process.",
    responses={
        200: {
            "description": "Metrics in the Prometheus text format.",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }
    },
)
def metrics() -> Response:
    """Return the metrics in the Prometheus text exposition format.

    Spec: docs/hub.md (GET /metrics)
    """
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


@router.get(
    "/healthz",
    summary="Whether the hub answers and its store is reachable.",
    responses={
        **problem_responses(503),
        200: {
            "description": "The hub is up.",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["status"],
                        "properties": {"status": {"const": "ok"}},
                    }
                }
            },
        },
    },
)
def healthz(request: Request) -> JSONResponse:
    """Answer ``{"status": "ok"}`` once the store answers a query.

    Spec: docs/hub.md (GET /healthz)

    Raises:
        StoreError: the store cannot be read (503 or 500).
    """
    hub_state(request).store.query(limit=1)
    return JSONResponse({"status": "ok"})
