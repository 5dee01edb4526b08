"""One listening connection per PostgreSQL store handle, shared by its waiters.

Every ``add`` that stores something ends its transaction with ``NOTIFY`` on
the store's channel, carrying the largest sequence number it stored.
:class:`Listener` keeps one connection (outside the pool) that ``LISTEN``s
on that channel, in a daemon thread, and remembers the largest number
heard; any number of threads wait on it (a hub's event streams) without
holding a pooled connection each. When the connection drops, the thread
reconnects after a pause and counts a new *generation*: notifications sent
in between are lost, so a waiter that sees the generation change looks at
the table again.

Spec: docs/store.md (Following a store)
"""

from __future__ import annotations

import threading
from typing import Final

__all__ = ["Listener"]

_TICK: Final = 0.1  # seconds between two looks at the stop flag
_RETRY: Final = 1.0  # seconds before reconnecting
_CONNECT_TIMEOUT: Final = 10


class Listener:
    """Listens on one channel in a daemon thread; threads wait on it.

    Args:
        url: the libpq connection URL.
        channel: the channel (quoted as an identifier in ``LISTEN``).

    Spec: docs/store.md (Following a store)
    """

    def __init__(self, url: str, channel: str) -> None:
        self._url = url
        self._channel = channel
        self._condition = threading.Condition()
        self._latest = 0
        self._generation = 0
        self._listening = False
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"agora-listen-{channel}", daemon=True
        )
        self._thread.start()

    def generation(self) -> int:
        """The number of the current listening connection; -1 when there is
        none (not yet connected, or reconnecting)."""
        with self._condition:
            return self._generation if self._listening else -1

    def wait_beyond(self, after_seq: int, generation: int, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for a notification of a sequence
        number above ``after_seq``; return whether one was heard. Returns
        early (False) when the generation is no longer ``generation`` or the
        listener stops."""

        def done() -> bool:
            current = self._generation if self._listening else -1
            return (
                self._latest > after_seq
                or current != generation
                or self._stopping.is_set()
            )

        with self._condition:
            self._condition.wait_for(done, timeout=timeout)
            return self._latest > after_seq

    def stop(self) -> None:
        """Stop listening, close the connection and wake every waiter."""
        self._stopping.set()
        with self._condition:
            self._condition.notify_all()
        if self._thread is not threading.current_thread():
            self._thread.join()

    def _run(self) -> None:
        import psycopg
        from psycopg import sql

        while not self._stopping.is_set():
            try:
                with psycopg.connect(
                    self._url, autocommit=True, connect_timeout=_CONNECT_TIMEOUT
                ) as connection:
                    connection.execute(
                        sql.SQL("LISTEN {}").format(sql.Identifier(self._channel))
                    )
                    with self._condition:
                        self._generation += 1
                        self._listening = True
                        self._condition.notify_all()
                    while not self._stopping.is_set():
                        for note in connection.notifies(timeout=_TICK):
                            self._heard(note.payload)
            except (psycopg.Error, OSError):
                pass  # reconnect below; waiters look at the table meanwhile
            with self._condition:
                self._listening = False
                self._condition.notify_all()
            self._stopping.wait(_RETRY)

    def _heard(self, payload: str) -> None:
        if not (payload.isascii() and payload.isdigit()):
            return
        with self._condition:
            self._latest = max(self._latest, int(payload))
            self._condition.notify_all()
