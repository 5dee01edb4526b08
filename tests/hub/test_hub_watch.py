"""The store watcher: one thread waits on the store and wakes the streams
waiting in the event loop; before it runs, streams poll."""

from __future__ import annotations

import threading
from pathlib import Path

import anyio

from hub.watch import StoreWatcher
from ssi.store import SQLiteStore
from tests.unit.store.objects import post, verifier


def test_a_new_object_wakes_the_waiting_stream(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "hub.sqlite") as store:
        store.add([post(0, 79)], verifier=verifier())
        watcher = StoreWatcher(store)

        async def scenario() -> bool:
            watcher.start()
            assert watcher.running
            try:
                ticket = watcher.ticket()
                assert ticket is not None
                assert not ticket.is_set()
                adding = threading.Thread(
                    target=store.add,
                    args=([post(0, 80)],),
                    kwargs={"verifier": verifier()},
                )
                adding.start()
                await watcher.wait(ticket, 60)
                adding.join()
                return ticket.is_set()
            finally:
                watcher.stop()

        assert anyio.run(scenario)
        assert not watcher.running
        assert store.latest_seq() == 2


def test_before_it_runs_streams_poll(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "hub.sqlite") as store:
        watcher = StoreWatcher(store)

        async def scenario() -> None:
            assert watcher.ticket() is None
            await watcher.wait(None, 60)  # returns after one poll interval

        anyio.run(scenario)
        assert not watcher.running
