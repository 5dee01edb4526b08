"""``agora feed --hub URL``: a feed read from a hub, verified here.

The hub's objects (of the community asked for, or all of them) are copied
into a temporary store by ``hub.replicate.pull``, then the objects that
refer to its posts (reactions, retractions, replies and edits from outside
the community index) by ``hub.replicate.pull_related``; every object is
verified on this side with did:key, did:jwk and did:agora (the signers'
logs asked of the hub and validated here, and the ``--log`` files). The
hub is trusted for nothing: what does not verify is left out and counted.

Spec: docs/hub.md (Replication), docs/cli.md (agora feed)
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from datetime import datetime
from pathlib import Path

from ssi.agora import FileLogSource
from ssi.credentials import FixedClock, system_clock
from ssi.store import SQLiteStore, StoredObject
from wallet_cli.output import Output

__all__ = ["fetch"]


def fetch(
    out: Output,
    hub_url: str,
    community: str | None,
    logs: list[Path],
    stack: contextlib.ExitStack,
    *,
    at: datetime | None = None,
) -> str:
    """Copy what the hub holds for the feed into a temporary store (removed
    when ``stack`` closes); return the store's location. Objects are verified
    as of ``at`` (default: now).

    Raises:
        TransportError: the hub cannot be reached or answers badly.
    """
    from hub.logbook import MemoryLogBook
    from hub.replicate import pull, pull_related, replication_client, verifier_with

    logging.getLogger("httpx").setLevel(logging.WARNING)
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
    location = folder / "feed.sqlite"
    book = MemoryLogBook()
    verifier = verifier_with(
        [book, *(FileLogSource(path) for path in logs)],
        clock=system_clock if at is None else FixedClock(at),
    )
    with (
        SQLiteStore(location) as store,
        replication_client() as client,
    ):
        first = pull(
            hub_url, store, verifier, community=community, client=client, logbook=book
        )
        posts = [item.cid for item in _posts(store)]
        more = pull_related(
            hub_url, store, verifier, posts, client=client, logbook=book
        )
    refused = first.rejected + more.rejected
    if refused:
        out.notice(f"{refused} objects from the hub did not verify; they are left out")
    return str(location)


def _posts(store: SQLiteStore) -> list[StoredObject]:
    found: list[StoredObject] = []
    cursor: str | None = None
    while True:
        page = store.query(type="Post", limit=1000, cursor=cursor)
        found.extend(page.items)
        if not page.more or page.cursor is None:
            return found
        cursor = page.cursor
