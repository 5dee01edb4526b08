"""What a running hub holds: its settings, its object store and its verifier.

:func:`open_state` opens them from settings; the app keeps the result in
``app.state.hub`` and endpoints reach it with :func:`hub_state`.

The store is shared by the threads of FastAPI's pool (endpoints are
synchronous): ``ssi.store.SQLiteStore`` serialises its connection with a
lock and ``PostgresStore`` draws connections from a pool, so one store per
process is safe.

Spec: docs/hub.md (Running a hub)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi import Request

from hub.settings import HubSettings
from hub.viewcache import ViewCache
from hub.watch import StoreWatcher
from ssi.agora import AgoraMethod, FileLogSource, LogSource
from ssi.credentials import Verifier
from ssi.did.methods import JWKMethod, KeyMethod
from ssi.did.resolution import MethodRegistry, Resolver
from ssi.store import ObjectStore, open_store

if TYPE_CHECKING:
    from hub.logbook import AnyLogBook
    from hub.mailbox import AnyMailbox

__all__ = ["HubState", "hub_state", "log_sources", "open_state"]


@dataclass
class HubState:
    """The hub's settings, store and verifier (one per process), the
    watcher that wakes event streams when the store grows, and the cache of
    built views.

    Spec: docs/hub.md
    """

    settings: HubSettings
    store: ObjectStore
    verifier: Verifier
    logbook: AnyLogBook | None = None
    """The did:agora logs the hub has been given (docs/hub.md, Views), which
    its verifier resolves signers from; None for a state built by hand."""
    mailbox: AnyMailbox | None = None
    """The inboxes (docs/hub.md, Inbox); opened by ``hub.inbox`` on first use."""
    watcher: StoreWatcher = field(init=False)
    views: ViewCache = field(init=False)
    """The built views this process keeps (docs/hub.md, Views: caching)."""

    def __post_init__(self) -> None:
        self.watcher = StoreWatcher(self.store)
        self.views = ViewCache(
            self.store,
            size=self.settings.view_cache,
            refresh=self.settings.view_refresh,
        )

    def close(self) -> None:
        """Stop the store watcher; close the store, the log book and the mailbox."""
        self.watcher.stop()
        self.store.close()
        self.watcher.join()  # the closed store ends its wait at once
        if self.logbook is not None:
            self.logbook.close()
        if self.mailbox is not None:
            self.mailbox.close()


def log_sources(settings: HubSettings) -> list[LogSource]:
    """The did:agora log files the settings trust, as log sources."""
    return [FileLogSource(path) for path in settings.logs]


def open_state(settings: HubSettings) -> HubState:
    """Open the store the settings name and build the hub's verifier.

    The verifier resolves did:key, did:jwk and did:agora (from the settings'
    log files and the hub's log book, where the logs pushed in bundles and
    fetched by replication are kept), as of the settings' ``at`` if given;
    it has no status checker, so a credential with
    ``credentialStatus`` verifies only when its request brings the status
    list (a bundle).

    Spec: docs/hub.md (Verification)

    Raises:
        StoreError: the store cannot be opened.
    """
    from hub.logbook import open_logbook  # the log book reads this module

    store = open_store(settings.db)
    logbook = open_logbook(settings.db)
    sources: list[LogSource] = [*log_sources(settings), logbook]
    methods = MethodRegistry([KeyMethod(), JWKMethod(), AgoraMethod(sources)])
    verifier = Verifier(resolver=Resolver(methods), clock=settings.clock)
    return HubState(settings, store, verifier, logbook)


def hub_state(request: Request) -> HubState:
    """Return the state of the hub serving ``request``.

    Raises:
        RuntimeError: the app was not made by ``hub.app.create_app``.
    """
    state = getattr(request.app.state, "hub", None)
    if not isinstance(state, HubState):
        raise RuntimeError("this app has no hub state")
    return state
