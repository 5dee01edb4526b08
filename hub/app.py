"""The hub's ASGI application: :func:`create_app` builds it from settings.

``uvicorn --factory hub.app:app_from_env`` builds it from environment
variables (what ``agora hub serve --workers N`` starts in each worker).

Spec: docs/hub.md
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

from fastapi import FastAPI

from hub import objects, operations, stream, views
from hub.limits import LimitsMiddleware
from hub.problems import install_problem_handlers
from hub.settings import HubSettings
from hub.state import HubState, open_state

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
        try:
            yield
        finally:
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
    app.include_router(objects.router)
    app.include_router(stream.router)
    app.include_router(operations.router)
    # --- Other helpers' routers (issue 14) --------------------------------------
    # H7: app.include_router(resolver.service.router(resolver)) and
    #     app.include_router(hub.vcapi.router()) once they are in main.
    app.include_router(views.router())  # H8
    return app


def app_from_env() -> FastAPI:
    """Build the hub app from ``AGORA_HUB_*`` environment variables.

    Spec: docs/hub.md (Running a hub)

    Raises:
        ValueError: a variable holds no valid value.
        StoreError: the store cannot be opened.
    """
    return create_app(HubSettings.from_env())
