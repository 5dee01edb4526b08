"""The hub's ASGI application: :func:`create_app` builds it from settings.

``uvicorn --factory hub.app:app_from_env`` builds it from environment
variables (what ``agora hub serve --workers N`` starts in each worker).

Spec: docs/hub.md
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Final

from fastapi import FastAPI

from hub import inbox, objects, operations, stream, vcapi, views
from hub.limits import LimitsMiddleware
from hub.problems import install_problem_handlers
from hub.schemas import add_problem_responses
from hub.settings import HubSettings
from hub.state import HubState, open_state
from hub.watch import closing_on_signals
from resolver import service
from ssi.did.resolution import Resolver
from ssi.methods import default_methods

__all__ = ["TITLE", "app_from_env", "create_app"]

TITLE: Final = "Agora hub"


def create_app(settings: HubSettings, *, state: HubState | None = None) -> FastAPI:
    """Build the hub app: the store and verifier open now, close at shutdown.

    Args:
        settings: the store location, limits and trusted logs.
        state: an already open state (tests); it is not closed by the app.

    Spec: docs/hub.md

    Raises:
        StoreError: the store cannot be opened.
    """
    owned = state is None
    hub = open_state(settings) if state is None else state

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        hub.watcher.start()
        try:
            # SIGTERM ends the event streams first: shutdown need not wait
            # for clients that would listen forever.
            with closing_on_signals(hub.watcher):
                yield
        finally:
            hub.watcher.stop()
            if owned:
                hub.close()

    app = FastAPI(
        title=TITLE,
        version="1",
        summary="Verifies, stores and serves signed Agora objects.",
        lifespan=lifespan,
    )
    app.state.hub = hub
    install_problem_handlers(app)
    app.add_middleware(LimitsMiddleware, settings=settings)
    app.add_middleware(operations.WorkerHeader)
    app.include_router(objects.router)
    app.include_router(stream.router)
    app.include_router(operations.router)
    app.include_router(views.router())
    app.include_router(vcapi.router())
    app.include_router(inbox.router())
    # The DID Resolution HTTP binding, over the resolver the hub verifies with.
    app.include_router(service.router(_resolver(hub)))
    _document_problems(app)
    return app


def _document_problems(app: FastAPI) -> None:
    """Make the app's OpenAPI document list the problems every route may
    answer (the limits, the handlers of hub.problems), whoever wrote it."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_problem_responses(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _resolver(hub: HubState) -> Resolver:
    """The resolver of ``GET /1.0/identifiers/{did}``: the verifier's own (the
    DID methods and trusted did:agora logs the hub verifies with)."""
    resolver = hub.verifier.resolver
    return resolver if resolver is not None else Resolver(default_methods())


def app_from_env() -> FastAPI:
    """Build the hub app from ``AGORA_HUB_*`` environment variables.

    Spec: docs/hub.md (Running a hub)

    Raises:
        ValueError: a variable holds no valid value.
        StoreError: the store cannot be opened.
    """
    return create_app(HubSettings.from_env())
