"""The event stream in process: events and their ids, resuming, heartbeats."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import pytest

from hub import stream
from hub.watch import StoreWatcher
from ssi.store import SQLiteStore
from tests.unit.store.objects import post, verifier


async def _take(store: SQLiteStore, cursor: str | None, count: int) -> list[bytes]:
    events = stream._events(store, StoreWatcher(store), cursor)
    taken: list[bytes] = []
    try:
        async for chunk in events:
            taken.append(chunk)
            if len(taken) == count:
                break
    finally:
        await events.aclose()
    return taken


def _fields(chunk: bytes) -> dict[str, str]:
    lines = chunk.decode().strip().split("\n")
    return dict(line.split(": ", 1) for line in lines)


def test_events_carry_each_object_with_its_cursor(tmp_path: Path) -> None:
    documents = [post(0, 90 + n) for n in range(3)]
    with SQLiteStore(tmp_path / "hub.sqlite") as store:
        store.add(documents, verifier=verifier())
        chunks = anyio.run(_take, store, None, 4)
        assert chunks[0] == b"retry: 2000\n\n"
        events = [_fields(chunk) for chunk in chunks[1:]]
        assert [e["event"] for e in events] == ["object"] * 3
        assert [json.loads(e["data"])["document"] for e in events] == documents
        # Each id resumes after its object, as a cursor of GET /objects.
        resumed = anyio.run(_take, store, events[0]["id"], 3)
        assert [_fields(c)["id"] for c in resumed[1:]] == [e["id"] for e in events[1:]]
        page = store.query(cursor=events[1]["id"])
        assert [item.document for item in page.items] == documents[2:]


def test_next_objects_reads_in_batches(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "hub.sqlite") as store:
        store.add([post(1, 100 + n) for n in range(5)], verifier=verifier())
        first = stream.next_objects(store, None, limit=2)
        assert [item.seq for item, _ in first] == [1, 2]
        rest = stream.next_objects(store, first[-1][1], limit=10)
        assert [item.seq for item, _ in rest] == [3, 4, 5]
        assert stream.next_objects(store, rest[-1][1]) == []


def test_an_idle_stream_sends_heartbeats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "HEARTBEAT_SECONDS", 0.0)
    with SQLiteStore(tmp_path / "hub.sqlite") as store:
        chunks = anyio.run(_take, store, None, 3)
        assert chunks[1:] == [b": heartbeat\n\n", b": heartbeat\n\n"]
