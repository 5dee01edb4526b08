"""Replication: copy another hub's objects, trusting it for nothing.

:func:`pull` pages through a source hub's ``GET /objects`` and offers every
object to the local store's ``add`` with the local verifier, so each one is
verified here as if a client had pushed it: what verifies is stored, what
does not is refused and logged with its CID and codes (a hub that serves a
forged or tampered object gains nothing). Status list credentials go first:
those that verify feed the status checker the other objects are verified
with (when the verifier has none of its own). :func:`follow` pulls, then
reads the source's ``GET /stream`` from the last cursor, reconnecting with
back-off until told to stop; the events already received are verified and
stored in batches, one transaction each. Told to stop, a follower stops at
once: between two pages of a pull, and in the middle of a stream read (the
connection is shut down under the reader), keeping the cursor of the last
object it stored, so a later ``follow(since=report.cursor)`` goes on from
there.
Objects are keyed by CID, so a loop of hubs following each other only finds
objects already present.

Spec: docs/hub.md (Replication)
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import httpx

from hub.intake import Intake, PullReport, Refusal, listed_document
from hub.logbook import LogBook
from ssi.agora import AgoraMethod, LogSource
from ssi.cid import object_cid
from ssi.credentials import Verifier, system_clock
from ssi.did.methods import JWKMethod, KeyMethod
from ssi.did.resolution import MethodRegistry, Resolver
from ssi.errors import SSIError, TransportError
from ssi.http_client import make_client
from ssi.status.credential import LIST_CREDENTIAL_TYPE
from ssi.store import ObjectStore
from ssi.types import JsonObject, JsonValue

__all__ = [
    "FOLLOW_BATCH",
    "FOLLOW_WINDOW",
    "PULL_PAGE",
    "PullReport",
    "Refusal",
    "follow",
    "pull",
    "pull_related",
    "replication_client",
    "verifier_with",
]

PULL_PAGE: Final = 500
"""Objects asked for per page of the source's ``GET /objects``."""

FOLLOW_BATCH: Final = 200
"""The most stream events a follower verifies and stores in one transaction."""

FOLLOW_WINDOW: Final = 0.05
"""Seconds a follower waits for more events after the first of a batch."""

_MAX_BACKOFF: Final = 30.0
_STOP_LOOK: Final = 0.1
"""Seconds between two looks at the stop event while a stream is read."""
_log = logging.getLogger("hub.replicate")


def replication_client() -> httpx.Client:
    """Return the client replication uses by default (``ssi.http_client``'s
    limits; plain http to the loopback interface allowed, for local hubs).

    Spec: docs/hub.md (Replication)
    """
    return make_client(
        timeout=60.0, max_bytes=256 * 1024 * 1024, allow_loopback_http=True
    )


def _get_json(client: httpx.Client, url: str, params: dict[str, str]) -> JsonObject:
    try:
        response = client.get(url, params=params)
    except httpx.HTTPError as exc:
        raise TransportError(f"cannot read {url}: {exc}") from exc
    if response.status_code != 200:
        raise TransportError(f"{url} answered {response.status_code}.")
    try:
        body = response.json()
    except ValueError as exc:
        raise TransportError(f"{url} answered with something not JSON.") from exc
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise TransportError(f"{url} answered with no page of items.")
    return body


def _pages(
    client: httpx.Client, base: str, filters: dict[str, str]
) -> Iterator[tuple[list[JsonValue], str | None]]:
    cursor: str | None = None
    while True:
        params = {**filters, "limit": str(PULL_PAGE)}
        if cursor is not None:
            params["cursor"] = cursor
        body = _get_json(client, base + "/objects", params)
        items: list[JsonValue] = list(body["items"])
        next_cursor = body.get("cursor")
        cursor = next_cursor if isinstance(next_cursor, str) else cursor
        yield items, cursor
        if body.get("more") is not True or not items:
            return


def verifier_with(
    sources: Sequence[LogSource], *, clock: Callable[[], datetime] = system_clock
) -> Verifier:
    """Return a verifier for did:key, did:jwk and did:agora (from ``sources``,
    such as the hub's log book and trusted log files), with no status checker
    (a pull brings the status lists), checking validity against ``clock``.

    Spec: docs/hub.md (Replication)
    """
    methods = MethodRegistry([KeyMethod(), JWKMethod(), AgoraMethod(list(sources))])
    return Verifier(resolver=Resolver(methods), clock=clock)


def pull(
    source_url: str,
    store: ObjectStore,
    verifier: Verifier,
    *,
    community: str | None = None,
    client: httpx.Client | None = None,
    progress: Callable[[PullReport], None] | None = None,
    logbook: LogBook | None = None,
) -> PullReport:
    """Copy every object of a source hub (of ``community``, if given) that
    verifies here into ``store``.

    Status list credentials are read first: those that verify are used to
    check the others' ``credentialStatus`` (unless ``verifier`` has a status
    checker). With ``logbook``, the did:agora log of each signer is asked of
    the source (``GET /dids/{did}/log``) once and kept when it validates;
    ``verifier`` should then resolve did:agora through the log book
    (:func:`verifier_with`). ``progress`` is called after each page.

    Spec: docs/hub.md (Replication)

    Raises:
        TransportError: the source cannot be reached or answers badly.
        StoreError: the store cannot be written.
    """
    with _intake(source_url, store, verifier, client, logbook) as (http, intake):
        _pull(http, intake, community, progress)
    return intake.report


@contextlib.contextmanager
def _intake(
    source_url: str,
    store: ObjectStore,
    verifier: Verifier,
    client: httpx.Client | None,
    logbook: LogBook | None,
) -> Iterator[tuple[httpx.Client, Intake]]:
    """The HTTP client (``client``, or one of our own closed at the end) and
    the intake of one copy from ``source_url``."""
    http = client if client is not None else replication_client()
    try:
        base = source_url.rstrip("/")
        yield (
            http,
            Intake(store, verifier, PullReport(base), http=http, logbook=logbook),
        )
    finally:
        if client is None:
            http.close()


def _pull(
    http: httpx.Client,
    intake: Intake,
    community: str | None,
    progress: Callable[[PullReport], None] | None,
    stop_event: threading.Event | None = None,
) -> bool:
    """Pull every page (stopping between two when ``stop_event`` is set);
    return whether the pull read every page."""
    report = intake.report
    lists: dict[str, str] = {"type": LIST_CREDENTIAL_TYPE}
    if community is not None:
        lists["author"] = community
    first: set[str] = set()
    for items, _ in _pages(http, report.source, lists):
        first.update(str(result.cid) for result in intake.add(items))
        if stop_event is not None and stop_event.is_set():
            return False
    filters = {} if community is None else {"community": community}
    for items, cursor in _pages(http, report.source, filters):
        intake.add([item for item in items if _listed_cid(item) not in first])
        report.pages += 1
        if community is None:
            report.cursor = cursor
        if progress is not None:
            progress(report)
        if stop_event is not None and stop_event.is_set():
            return False
    return True


def pull_related(
    source_url: str,
    store: ObjectStore,
    verifier: Verifier,
    cids: Sequence[str],
    *,
    client: httpx.Client | None = None,
    logbook: LogBook | None = None,
) -> PullReport:
    """Copy the objects of a source hub that refer to any of ``cids``
    (``GET /objects?refers_to=CID``: reactions, retractions, replies, edits,
    ballots...), each verified here as by :func:`pull`.

    Spec: docs/hub.md (Replication)

    Raises:
        TransportError: the source cannot be reached or answers badly.
        StoreError: the store cannot be written.
    """
    with _intake(source_url, store, verifier, client, logbook) as (http, intake):
        for cid in cids:
            for items, _ in _pages(http, intake.report.source, {"refers_to": cid}):
                intake.add(items)
                intake.report.pages += 1
    return intake.report


def _listed_cid(item: JsonValue) -> str | None:
    document, _ = listed_document(item)
    try:
        return object_cid(document)
    except SSIError:
        return None


def _events(response: httpx.Response) -> Iterator[tuple[str | None, str]]:
    """Server-sent ``object`` events as ``(id, data)``."""
    event_id: str | None = None
    kind = "message"
    data: list[str] = []
    for line in response.iter_lines():
        if not line:
            if data and kind == "object":
                yield event_id, "\n".join(data)
            kind, data = "message", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "id":
            event_id = value
        elif name == "event":
            kind = value
        elif name == "data":
            data.append(value)


def follow(
    source_url: str,
    store: ObjectStore,
    verifier: Verifier,
    *,
    since: str | None = None,
    stop_event: threading.Event,
    community: str | None = None,
    client: httpx.Client | None = None,
    read_timeout: float = 30.0,
    on_object: Callable[[PullReport], None] | None = None,
    logbook: LogBook | None = None,
    batch: int = FOLLOW_BATCH,
    window: float = FOLLOW_WINDOW,
) -> PullReport:
    """Pull from a source hub, then follow its stream until ``stop_event``.

    Without ``since`` a :func:`pull` comes first and the stream resumes from
    its cursor (with ``community``, the stream is read from the start and
    other communities' objects are skipped). A dropped connection, an
    unreachable source or a silent one (no byte for ``read_timeout``
    seconds; hubs send heartbeats) is retried with back-off (1 s doubling to
    30 s). ``logbook`` as for :func:`pull`. Stream events are verified and
    stored in batches, one transaction each: the events already received,
    up to ``batch`` of them, gathered for at most ``window`` seconds after
    the first (so a lone event waits no longer than that); ``on_object`` is
    called after each batch. Setting ``stop_event`` stops the follower at
    once, even in the middle of a stream read (events gathered but not yet
    stored are dropped, to be read again on resuming). Returns the counts
    when stopped, with ``cursor`` the source's cursor after the last object
    stored (None with ``community``, or when none was), from which
    ``since`` resumes.

    Spec: docs/hub.md (Replication)

    Raises:
        StoreError: the store cannot be written.
    """
    base = source_url.rstrip("/")
    owned = client is None
    http = client if client is not None else replication_client()
    intake = Intake(store, verifier, PullReport(base), http=http, logbook=logbook)
    try:
        position = _Position(since)
        pulled = since is not None
        while not pulled and not stop_event.is_set():
            try:
                pulled = _pull(http, intake, community, on_object, stop_event)
            except TransportError as exc:
                _log.warning("cannot pull from %s: %s", base, exc)
                stop_event.wait(_MAX_BACKOFF / 6)
        if since is None and community is None:
            position.cursor = intake.report.cursor  # None: the source was empty
        delay = 1.0
        while pulled and not stop_event.is_set():
            try:
                _read_stream(
                    http,
                    base,
                    position,
                    intake,
                    community,
                    stop_event,
                    read_timeout,
                    on_object,
                    _Batching(batch, window),
                )
                delay = 1.0
            except (httpx.HTTPError, TransportError) as exc:
                if stop_event.is_set():
                    break  # the stream was cut to stop: nothing went wrong
                _log.info("stream from %s interrupted: %s", base, exc)
            if stop_event.wait(delay):
                break
            delay = min(delay * 2, _MAX_BACKOFF)
        if pulled and community is None:
            intake.report.cursor = position.cursor
    finally:
        if owned:
            http.close()
    return intake.report


@dataclass
class _Position:
    """The source's cursor after the last object stored."""

    cursor: str | None


@dataclass(frozen=True)
class _Batching:
    """How many stream events make a batch, and how long one is gathered."""

    size: int
    window: float


def _stream_socket(reply: httpx.Response) -> socket.socket | None:
    """The socket under a streamed response (None for a transport without
    one, such as a mock)."""
    stream = reply.extensions.get("network_stream")
    get_info = getattr(stream, "get_extra_info", None)
    found = get_info("socket") if callable(get_info) else None
    return found if isinstance(found, socket.socket) else None


@contextlib.contextmanager
def _cut_when(stop_event: threading.Event, reply: httpx.Response) -> Iterator[None]:
    """While inside, a set ``stop_event`` shuts the reply's socket down, so
    a read waiting for the next event returns at once."""
    connection = _stream_socket(reply)
    if connection is None:
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if stop_event.wait(_STOP_LOOK):
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
                return

    watcher = threading.Thread(target=watch, name="follow-stop", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()


def _read_stream(
    http: httpx.Client,
    base: str,
    position: _Position,
    intake: Intake,
    community: str | None,
    stop_event: threading.Event,
    read_timeout: float,
    on_object: Callable[[PullReport], None] | None,
    batching: _Batching,
) -> None:
    """Read the stream until it ends or ``stop_event``, storing its events a
    batch at a time and moving ``position`` past each batch stored (so it
    holds even when the read or a later batch fails)."""
    cursor = position.cursor
    params = {} if cursor is None else {"since": cursor}
    timeout = httpx.Timeout(10.0, read=read_timeout)
    with http.stream("GET", base + "/stream", params=params, timeout=timeout) as reply:
        if reply.status_code != 200:
            raise TransportError(f"{base}/stream answered {reply.status_code}.")
        with _cut_when(stop_event, reply), _Reader(reply, batching.size) as reader:
            for events in reader.batches(batching.window):
                if stop_event.is_set():
                    break  # gathered, not stored: read again on resuming
                _store_batch(base, events, position, intake, community)
                if on_object is not None:
                    on_object(intake.report)
                if stop_event.is_set():
                    break


def _store_batch(
    base: str,
    events: list[tuple[str | None, str]],
    position: _Position,
    intake: Intake,
    community: str | None,
) -> None:
    """Verify and store the objects of a batch of events, then move
    ``position`` to the batch's last event id."""
    items: list[JsonValue] = []
    last = position.cursor
    for event_id, data in events:
        try:
            item: JsonValue = json.loads(data)
        except ValueError:
            _log.warning("%s sent an event that is not JSON", base)
        else:
            if community is None or _community(item) == community:
                items.append(item)
        if event_id:
            last = event_id
    for part in _parts(items):
        intake.add(part)
    position.cursor = last


def _parts(items: list[JsonValue]) -> Iterator[list[JsonValue]]:
    """Split a batch after each status list credential, so that the objects
    after one are checked against it, as when stored one by one."""
    part: list[JsonValue] = []
    for item in items:
        part.append(item)
        if _is_status_list(item):
            yield part
            part = []
    if part:
        yield part


def _is_status_list(item: JsonValue) -> bool:
    document, _ = listed_document(item)
    if not isinstance(document, dict):
        return False
    types = document.get("type")
    return isinstance(types, list) and LIST_CREDENTIAL_TYPE in types


_JOIN_READER: Final = 5.0
"""Seconds to wait for the reading thread to end once its socket is cut."""

_END: Final = object()
"""What the reader queues when the stream has ended."""


class _Reader:
    """Reads a stream's events on a thread of its own, so that a batch can
    take those already received without waiting for the next one."""

    def __init__(self, reply: httpx.Response, size: int) -> None:
        self._reply = reply
        self._size = size
        self._queue: queue.Queue[object] = queue.Queue(maxsize=2 * size)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="follow-read")

    def __enter__(self) -> _Reader:
        self._thread.daemon = True
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._done.set()
        connection = _stream_socket(self._reply)
        if connection is not None and self._thread.is_alive():
            with contextlib.suppress(OSError):  # a read waiting for more ends
                connection.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=_JOIN_READER)

    def _put(self, entry: object) -> None:
        while not self._done.is_set():
            try:
                self._queue.put(entry, timeout=_STOP_LOOK)
            except queue.Full:
                continue
            return

    def _run(self) -> None:
        try:
            for event in _events(self._reply):
                if self._done.is_set():
                    return
                self._put(event)
        except Exception as exc:  # handed to the reader of the batches
            self._put(exc)
        else:
            self._put(_END)

    def batches(self, window: float) -> Iterator[list[tuple[str | None, str]]]:
        """Yield the events in batches: each one the events received within
        ``window`` seconds of its first, at most ``size`` of them.

        Raises:
            httpx.HTTPError: reading the stream failed (after the events
                read before it were yielded).
            TransportError: likewise.
        """
        while True:
            entry = self._queue.get()
            events: list[tuple[str | None, str]] = []
            deadline = time.monotonic() + window
            while isinstance(entry, tuple):
                events.append(entry)
                if len(events) >= self._size:
                    entry = None
                    break
                try:
                    entry = self._queue.get(
                        timeout=max(0.0, deadline - time.monotonic())
                    )
                except queue.Empty:
                    entry = None
                    break
            if events:
                yield events
            if isinstance(entry, BaseException):
                raise entry
            if entry is _END:
                return


def _community(item: JsonValue) -> object:
    if isinstance(item, dict):
        return item.get("community")
    return None
