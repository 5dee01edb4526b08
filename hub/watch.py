"""One watcher per hub process wakes every open event stream when the store
grows.

One daemon thread waits on the store (``wait_for_new(after_seq, timeout)``
and ``latest_seq()``, docs/store.md, Following a store: PostgreSQL's
notifications, SQLite's polling); each time it reports new objects, every
stream waiting in the event loop is woken and reads them. So an idle stream
holds no thread. Before the watcher runs (an app whose lifespan did not
start), streams look at the store every :data:`POLL_SECONDS`.

When the server is told to stop (SIGTERM or SIGINT, seen by
:func:`closing_on_signals`), :meth:`StoreWatcher.close_streams` ends every
open stream at once, so the server's graceful shutdown waits only for the
requests that end by themselves (a ``POST /objects`` in progress), not for
clients that would listen forever.

Spec: docs/hub.md (GET /stream)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Final

import anyio

from ssi.errors import SSIError
from ssi.store import ObjectStore

__all__ = ["POLL_SECONDS", "WAIT_SECONDS", "StoreWatcher", "closing_on_signals"]

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
        self._closing = False
        self._seen = 0
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """Whether the watcher thread runs and was not told to stop (else
        streams poll)."""
        return self._thread is not None and not self._stop.is_set()

    @property
    def closing(self) -> bool:
        """Whether open streams were told to end (the server is stopping)."""
        return self._closing

    def start(self) -> None:
        """Start the watcher thread (in the event loop that serves streams).

        Raises:
            StoreError: the store cannot be read.
        """
        if self.running:
            return
        # A new flag: a thread stopped before and still ending keeps its own.
        self._stop = threading.Event()
        self._closing = False
        self._seen = self.store.latest_seq()
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()
        self._thread = threading.Thread(
            target=self._run, args=(self._stop,), name="hub-store-watcher", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Tell the watcher thread to stop, without waiting for it: it ends
        at its next look at the store (within :data:`WAIT_SECONDS`, at once
        when the store is closed); :meth:`join` waits for it."""
        self._stop.set()

    def join(self, timeout: float = 2 * WAIT_SECONDS) -> None:
        """Wait (at most ``timeout`` seconds) for a stopped watcher thread to
        end; close the store first to have it end at once."""
        thread = self._thread
        if thread is not None and self._stop.is_set():
            thread.join(timeout=timeout)
            if not thread.is_alive():
                self._thread = None

    def close_streams(self) -> None:
        """End every open stream at its next wake-up, and wake them all now
        (safe from any thread and from a signal handler)."""
        self._closing = True
        self._wake()

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

    def _run(self, stop: threading.Event) -> None:
        seen = self._seen
        while not stop.is_set():
            try:
                if self.store.wait_for_new(seen, WAIT_SECONDS):
                    seen = self.store.latest_seq()
                    self._wake()
            except SSIError as error:  # a store that is down: try again soon
                if stop.is_set():
                    return  # the store was closed after stop(): nothing failed
                _log.warning("the store watcher failed: %s", error)
                stop.wait(WAIT_SECONDS)
            except Exception:
                if stop.is_set():
                    return
                _log.exception("the store watcher failed")
                stop.wait(WAIT_SECONDS)

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


_STOP_SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def closing_on_signals(watcher: StoreWatcher) -> Iterator[None]:
    """While inside, SIGINT and SIGTERM first end the open streams
    (:meth:`StoreWatcher.close_streams`), then reach the handler that was
    there before (uvicorn's, which starts the graceful shutdown).

    Does nothing outside the main thread (where signals cannot be handled:
    an app run by a test client). The handlers that were there are put back
    on the way out.

    Spec: docs/hub.md (Running a hub)
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.getsignal(number) for number in _STOP_SIGNALS}

    def handler(number: int, frame: FrameType | None) -> None:
        watcher.close_streams()
        chained = previous.get(signal.Signals(number))
        if callable(chained):
            chained(number, frame)
        elif chained == signal.SIG_DFL:
            signal.signal(number, signal.SIG_DFL)
            signal.raise_signal(number)

    for number in _STOP_SIGNALS:
        signal.signal(number, handler)
    try:
        yield
    finally:
        for number, before in previous.items():
            if signal.getsignal(number) is handler and before is not None:
                signal.signal(number, before)
