"""The store watcher: one thread waits on a store that can wait and wakes
the streams waiting in the event loop; a store that cannot wait is polled."""

from __future__ import annotations

import threading
from pathlib import Path

import anyio

from hub.watch import StoreWatcher
from ssi.store import SQLiteStore
from tests.unit.store.objects import post, verifier


class WaitingStore(SQLiteStore):
    """An SQLite store with ``latest_seq`` and ``wait_for_new`` (docs/store.md,
    Following a store), by counting: objects are never removed here."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.grown = threading.Condition()

    def latest_seq(self) -> int:
        return self.count()

    def wait_for_new(self, after_seq: int, timeout: float) -> bool:
        with self.grown:
            return self.grown.wait_for(lambda: self.count() > after_seq, timeout)

    def add_and_tell(self, document: object) -> None:
        self.add([document], verifier=verifier())  # type: ignore[list-item]
        with self.grown:
            self.grown.notify_all()


def test_a_new_object_wakes_the_waiting_stream(tmp_path: Path) -> None:
    store = WaitingStore(tmp_path / "hub.sqlite")
    watcher = StoreWatcher(store)
    assert watcher.waits

    async def scenario() -> bool:
        watcher.start()
        try:
            ticket = watcher.ticket()
            assert ticket is not None
            threading.Thread(target=store.add_and_tell, args=(post(0, 80),)).start()
            await watcher.wait(ticket, 60)
            return ticket.is_set()
        finally:
            watcher.stop()

    try:
        assert anyio.run(scenario)
        assert store.latest_seq() == 1
    finally:
        store.close()


def test_a_store_that_cannot_wait_is_polled(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "hub.sqlite") as store:
        watcher = StoreWatcher(store)
        assert not watcher.waits

        async def scenario() -> None:
            watcher.start()
            assert watcher.ticket() is None
            await watcher.wait(None, 60)  # returns after one poll interval

        anyio.run(scenario)
        watcher.stop()
