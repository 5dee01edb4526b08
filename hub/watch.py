"""One watcher per hub process wakes every open event stream when the store
grows.

One daemon thread waits on the store (``wait_for_new(after_seq, timeout)``
and ``latest_seq()``, docs/store.md, Following a store: PostgreSQL's
notifications, SQLite's polling); each time it reports new objects, every
stream waiting in the event loop is woken and reads them. So an idle stream
holds no thread. Before the watcher runs (an app whose lifespan did not
start), streams look at the store every :data:`POLL_SECONDS`.

Spec: docs/hub.md (GET /stream)
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Final

import anyio

from ssi.errors import SSIError
from ssi.store import ObjectStore

__all__ = ["POLL_SECONDS", "WAIT_SECONDS", "StoreWatcher"]

POLL_SECONDS: Final = 0.25
"""Seconds between looks at a store that cannot wait."""

WAIT_SECONDS: Final = 1.0
"""Seconds the watcher thread waits at a time (it checks for shutdown between)."""

_log = logging.getLogger("hub")


class StoreWatcher:
    """Wakes waiting streams when the store has objects they have not seen.

    Args:
        store: the hub's store.

    Spec: docs/hub.md (GET /stream)
    """

    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None
        self._stop = threading.Event()
        self._seen = 0
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """Whether the watcher thread runs (else streams poll)."""
        return self._thread is not None

    def start(self) -> None:
        """Start the watcher thread (in the event loop that serves streams).

        Raises:
            StoreError: the store cannot be read.
        """
        if self._thread is not None:
            return
        self._stop.clear()
        self._seen = self.store.latest_seq()
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()
        self._thread = threading.Thread(
            target=self._run, name="hub-store-watcher", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop the watcher thread (it ends within :data:`WAIT_SECONDS`)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2 * WAIT_SECONDS)
            self._thread = None

    def ticket(self) -> asyncio.Event | None:
        """Take this before reading the store; :meth:`wait` on it after
        reading nothing new, so an object stored in between is not missed."""
        return self._event

    async def wait(self, ticket: asyncio.Event | None, timeout: float) -> None:
        """Return when the store has grown since ``ticket`` was taken, or
        after ``timeout`` seconds (at most :data:`POLL_SECONDS` when the
        watcher is not running)."""
        if ticket is None:
            await anyio.sleep(min(timeout, POLL_SECONDS))
            return
        with anyio.move_on_after(timeout):
            await ticket.wait()

    def _run(self) -> None:
        seen = self._seen
        while not self._stop.is_set():
            try:
                if self.store.wait_for_new(seen, WAIT_SECONDS):
                    seen = self.store.latest_seq()
                    self._wake()
            except SSIError as error:  # a store that is down: try again soon
                _log.warning("the store watcher failed: %s", error)
                self._stop.wait(WAIT_SECONDS)
            except Exception:
                _log.exception("the store watcher failed")
                self._stop.wait(WAIT_SECONDS)

    def _wake(self) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._renew)
        except RuntimeError:  # the loop closed meanwhile
            return

    def _renew(self) -> None:
        old, self._event = self._event, asyncio.Event()
        if old is not None:
            old.set()
