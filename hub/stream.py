"""``GET /stream``: new objects as Server-Sent Events, resumable by cursor.

Each stored object is one event: ``id:`` its cursor (the one ``GET
/objects`` without filters would give after it), ``event: object``,
``data:`` the stored object as JSON on one line. A client that reconnects
with ``Last-Event-ID`` (or ``?since=CURSOR``) gets every object stored after
that one, in insertion order, then waits for new ones; without either it
gets every object from the first. Comments (``: heartbeat``) keep idle
connections open. When the hub stops, its streams end (the client reconnects
elsewhere or later with the last id it read).

The store is read in FastAPI's thread pool, one short call at a time; an
idle stream waits in the event loop for the process's
:class:`hub.watch.StoreWatcher`, holding no thread, so a client that goes
away frees everything at once.

Spec: docs/hub.md (GET /stream)
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Final

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from hub.schemas import problem_responses
from hub.state import hub_state
from hub.watch import StoreWatcher
from ssi.store import ObjectStore, StoredObject

__all__ = ["BATCH", "HEARTBEAT_SECONDS", "next_objects", "router"]

HEARTBEAT_SECONDS: Final = 15.0
"""Seconds between heartbeat comments on an idle stream."""

BATCH: Final = 100
"""Objects read from the store per call."""

router = APIRouter(tags=["objects"])


def next_objects(
    store: ObjectStore, cursor: str | None, limit: int = BATCH
) -> list[tuple[StoredObject, str]]:
    """The objects stored after ``cursor`` (at most ``limit``), each with the
    cursor that resumes after it.

    The store gives a cursor per page, so this reads pages of one object;
    a store with ``cursor_for_seq`` (docs/store.md) will give each object's
    cursor from one page.

    Raises:
        InvalidCursorError: the cursor is not one of this store's.
    """
    found: list[tuple[StoredObject, str]] = []
    while len(found) < limit:
        page = store.query(cursor=cursor, limit=1)
        if not page.items or page.cursor is None:
            break
        cursor = page.cursor
        found.append((page.items[0], cursor))
        if not page.more:
            break
    return found


def _event(item: StoredObject, cursor: str) -> bytes:
    data = json.dumps(item.to_json(), separators=(",", ":"), ensure_ascii=False)
    return f"id: {cursor}\nevent: object\ndata: {data}\n\n".encode()


async def _events(
    store: ObjectStore, watcher: StoreWatcher, cursor: str | None
) -> AsyncIterator[bytes]:
    yield b"retry: 2000\n\n"
    idle_since = time.monotonic()
    while not watcher.closing:
        ticket = watcher.ticket()
        batch = await run_in_threadpool(next_objects, store, cursor)
        for item, after in batch:
            cursor = after
            yield _event(item, after)
        if batch:
            idle_since = time.monotonic()
            continue
        idle = time.monotonic() - idle_since
        if idle >= HEARTBEAT_SECONDS:
            idle_since = time.monotonic()
            yield b": heartbeat\n\n"
            idle = 0.0
        await watcher.wait(ticket, HEARTBEAT_SECONDS - idle)


@router.get(
    "/stream",
    response_class=StreamingResponse,
    summary="Stored objects as Server-Sent Events, then new ones as they come.",
    responses={
        200: {
            "description": "An event stream: one `object` event per object.",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **problem_responses(400),
    },
)
async def stream(
    request: Request,
    since: Annotated[
        str | None,
        Query(description="Resume after the object with this cursor."),
    ] = None,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """Stream every object stored after the cursor, then new ones.

    Spec: docs/hub.md (GET /stream)

    Raises:
        InvalidCursorError: the cursor is not one of this hub's (400).
    """
    state = hub_state(request)
    store = state.store
    cursor = last_event_id or since
    if cursor is not None:
        # A bad cursor is refused with a problem before the stream starts.
        await run_in_threadpool(store.query, cursor=cursor, limit=1)
    return StreamingResponse(
        _events(store, state.watcher, cursor),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
