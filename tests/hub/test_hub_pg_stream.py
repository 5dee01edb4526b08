"""Hub processes sharing one PostgreSQL database all stream an object pushed
to any of them (PostgreSQL's ``LISTEN/NOTIFY`` wakes every process's
streams): two ``agora hub serve`` processes on one schema, and one
``agora hub serve --workers 2`` whose streams are told apart by the
``Agora-Hub-Worker`` header."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from hub.operations import WORKER_HEADER
from ssi.cid import object_cid
from tests.hub.conftest import Hub
from tests.pg import Schema, fresh_schema
from tests.unit.store.objects import COMMUNITY, post

_WAIT = 60.0  # seconds an event may take to come (a guard against hanging)


@pytest.fixture
def schema() -> Iterator[Schema]:
    """A fresh schema; listed before ``hub_process`` in a test's arguments,
    so that it is dropped after the hubs stop."""
    with fresh_schema() as fresh:
        yield fresh


class Stream:
    """One open ``GET /stream``, read in a thread: the CIDs of its events
    arrive in :attr:`cids`."""

    def __init__(self, url: str) -> None:
        self.client = httpx.Client(timeout=httpx.Timeout(10.0, read=None))
        request = self.client.build_request("GET", url + "/stream")
        self.response = self.client.send(request, stream=True)
        assert self.response.status_code == 200
        self.worker = self.response.headers[WORKER_HEADER]
        self.cids: queue.Queue[str] = queue.Queue()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            for line in self.response.iter_lines():
                if line.startswith("data: "):
                    self.cids.put(json.loads(line.removeprefix("data: "))["cid"])
        except (httpx.HTTPError, httpx.StreamError, OSError):
            return  # closed by the test or by the hub stopping

    def next_cid(self) -> str:
        """The CID of the next event (fails after :data:`_WAIT` seconds)."""
        return self.cids.get(timeout=_WAIT)

    def close(self) -> None:
        """Close the connection; the hub's stopping ends the reader."""
        self.response.close()
        self.client.close()


@pytest.fixture
def streams() -> Iterator[list[Stream]]:
    """The streams a test opens (it appends them); closed after the test."""
    opened: list[Stream] = []
    yield opened
    for stream in opened:
        stream.close()


def _push(hub: Hub, document: dict[str, object]) -> str:
    answer = httpx.post(hub.url + "/objects", json=document, timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.json()["stored"] == 1
    return object_cid(document)


def test_two_hub_processes_on_one_schema_both_stream_an_object_pushed_to_either(
    schema: Schema,
    hub_process: Callable[..., Hub],
    streams: list[Stream],
) -> None:
    a = hub_process(db=schema.location)
    b = hub_process(db=schema.location)
    on_a, on_b = Stream(a.url), Stream(b.url)
    streams.extend([on_a, on_b])
    assert on_a.worker != on_b.worker
    first = _push(a, post(0, 2_000_001, community=COMMUNITY))
    assert (on_a.next_cid(), on_b.next_cid()) == (first, first)
    second = _push(b, post(1, 2_000_002, community=COMMUNITY))
    assert (on_a.next_cid(), on_b.next_cid()) == (second, second)
    assert on_a.cids.empty()
    assert on_b.cids.empty()


def test_every_stream_of_two_workers_delivers_one_push(
    schema: Schema,
    hub_process: Callable[..., Hub],
    streams: list[Stream],
) -> None:
    hub = hub_process(db=schema.location, extra_args=["--workers", "2"])
    streams.append(Stream(hub.url))
    # The second worker may still be starting: keep trying (up to three
    # streams of the first worker stay open, the others are closed at once).
    deadline = time.monotonic() + _WAIT
    while len({stream.worker for stream in streams}) < 2:
        if time.monotonic() >= deadline:  # a guard against a hang, not a speed check
            pytest.fail("every stream went to one worker")
        stream = Stream(hub.url)
        if stream.worker not in {s.worker for s in streams} or len(streams) < 3:
            streams.append(stream)
        else:
            stream.close()
            time.sleep(0.05)
    pushed = _push(hub, post(2, 2_000_003, community=COMMUNITY))
    assert [stream.next_cid() for stream in streams] == [pushed] * len(streams)
