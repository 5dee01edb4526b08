"""Crash safety: a hub killed with SIGKILL while a client pushes loses no
object it acknowledged, leaves a sound database, and a client that then
pushes everything again ends with exactly every object, once.

A real ``agora hub serve`` process, on SQLite and on PostgreSQL (a schema
per test). The client pushes distinct signed posts in batches of
:data:`BATCH`; when half of the batches are acknowledged, the hub is killed
the moment the body of the next one has been sent (so one batch is in
flight: its objects may or may not be stored, and the client was not told).
The hub is started again on the same database.

Each run pushes :data:`COUNT` objects (the number the issue names) and
costs about 7 s of CPU on the test's side (the hub's included; PostgreSQL's
server not), so both run in ``make test``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.hub.bulk import (
    Batch,
    api_cids,
    batches,
    check_tables,
    read_postgres,
    read_sqlite,
    signed_posts,
)
from tests.hub.conftest import Hub
from tests.pg import Schema, fresh_schema

COUNT = 10_000
BATCH = 250
_ENV = {"AGORA_HUB_RATE": "1000"}  # the client is alone: no rate limit in play


@dataclass
class Pusher:
    """Pushes batches in order from a thread, noting what the hub acknowledged."""

    url: str
    batches: list[Batch]
    kill_after: int
    """Once this many batches are acknowledged, the next one is the last."""
    acknowledged: set[str] = field(default_factory=set)
    answered: int = 0
    in_flight: threading.Event = field(default_factory=threading.Event)
    failure: BaseException | None = None

    def run(self) -> None:
        with httpx.Client(timeout=120) as client:
            for number, batch in enumerate(self.batches):
                last = number == self.kill_after
                try:
                    response = client.post(
                        self.url + "/objects",
                        content=self._body(batch, last),
                        headers={
                            "Content-Type": "application/json",
                            "Content-Length": str(len(batch.body)),
                        },
                    )
                except httpx.TransportError as error:
                    self.failure = error
                    return
                assert response.status_code == 200, response.text
                answer = response.json()
                assert answer["rejected"] == 0
                self.acknowledged.update(
                    result["cid"]
                    for result in answer["results"]
                    if result["outcome"] in ("stored", "present")
                )
                self.answered += 1
                if last:
                    return

    def _body(self, batch: Batch, last: bool) -> Iterator[bytes]:
        yield batch.body
        if last:  # the whole body is on its way: the hub is busy with it
            self.in_flight.set()


def _push_all(url: str, cut: list[Batch]) -> dict[str, int]:
    counts = {"stored": 0, "present": 0, "rejected": 0}
    with httpx.Client(timeout=120) as client:
        for batch in cut:
            response = client.post(
                url + "/objects",
                content=batch.body,
                headers={"Content-Type": "application/json"},
            )
            assert response.status_code == 200, response.text
            for result in response.json()["results"]:
                counts[result["outcome"]] += 1
    return counts


def _crash_and_retry(
    hub_process: Callable[..., Hub],
    db: str,
    count: int,
    check: Callable[[], set[str]],
) -> None:
    documents = signed_posts(count)
    cut = batches(documents, BATCH)
    everything = {cid for batch in cut for cid in batch.cids}
    assert len(everything) == count
    hub = hub_process(db=db, env=_ENV)
    pusher = Pusher(hub.url, cut, kill_after=len(cut) // 2)
    thread = threading.Thread(target=pusher.run, daemon=True)
    thread.start()
    assert pusher.in_flight.wait(timeout=300)
    hub.process.kill()  # SIGKILL, while the hub works on the batch in flight
    hub.process.wait(timeout=30)
    thread.join(timeout=120)
    assert not thread.is_alive()
    # Half the batches were acknowledged; the one in flight never was.
    assert pusher.answered == len(cut) // 2
    assert isinstance(pusher.failure, httpx.TransportError)
    assert not isinstance(pusher.failure, httpx.ConnectError)  # it was sent
    assert len(pusher.acknowledged) == BATCH * (len(cut) // 2)

    # The database as the crash left it: sound, and holding every
    # acknowledged object (perhaps some of the batch in flight, no more).
    stored = check()
    assert pusher.acknowledged <= stored
    in_flight = set(cut[len(cut) // 2].cids)
    assert stored <= pusher.acknowledged | in_flight

    again = hub_process(db=db, env=_ENV)
    listed = api_cids(again.url)
    assert pusher.acknowledged <= set(listed)
    sample = sorted(pusher.acknowledged)[:: max(1, len(pusher.acknowledged) // 20)]
    for cid in sample:
        assert httpx.get(f"{again.url}/objects/{cid}", timeout=30).status_code == 200

    # A client that pushes everything again ends with every object, once.
    counts = _push_all(again.url, cut)
    assert counts == {
        "stored": count - len(stored),
        "present": len(stored),
        "rejected": 0,
    }
    listed = api_cids(again.url)
    assert len(listed) == count
    assert set(listed) == everything
    again.stop()
    assert check() == everything


def _sqlite_run(hub_process: Callable[..., Hub], tmp_path: Path, count: int) -> None:
    path = tmp_path / "hub.sqlite"
    _crash_and_retry(
        hub_process, f"sqlite:///{path}", count, lambda: check_tables(read_sqlite(path))
    )


def _postgres_run(hub_process: Callable[..., Hub], count: int) -> None:
    with fresh_schema() as schema:
        _crash_and_retry(hub_process, schema.location, count, lambda: _pg_check(schema))


def _pg_check(schema: Schema) -> set[str]:
    return check_tables(read_postgres(schema))


def test_sqlite_hub_killed_mid_push_keeps_what_it_acknowledged(
    hub_process: Callable[..., Hub], tmp_path: Path
) -> None:
    _sqlite_run(hub_process, tmp_path, COUNT)


def test_postgres_hub_killed_mid_push_keeps_what_it_acknowledged(
    hub_process: Callable[..., Hub],
) -> None:
    _postgres_run(hub_process, COUNT)
