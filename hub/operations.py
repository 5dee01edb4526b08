"""Operations: ``GET /healthz`` and the Prometheus metrics of ``GET /metrics``.

Counters and histograms live in one registry per process (:data:`REGISTRY`);
with ``--workers N`` each worker counts its own requests.

Spec: docs/hub.md (GET /metrics)
"""

from __future__ import annotations

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

from hub.schemas import problem_responses
from hub.state import hub_state

__all__ = [
    "OBJECTS",
    "RATE_LIMITED",
    "REGISTRY",
    "REQUESTS",
    "REQUEST_SECONDS",
    "count_outcomes",
    "router",
]

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
