"""Stopping promptly: a hub told to stop (SIGTERM) ends its open event
streams cleanly instead of waiting for them; a follower told to stop stops
in the middle of a stream read or between two pages of a pull, and resumes
from the cursor it stopped at; the store watcher stops without waiting out
its look at the store; every response names its worker."""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import httpx
import pytest
from fastapi.testclient import TestClient

import hub.replicate
from hub import stream
from hub.app import create_app
from hub.operations import WORKER_HEADER
from hub.replicate import PullReport, follow
from hub.settings import HubSettings
from hub.watch import StoreWatcher, closing_on_signals
from ssi.credentials import Verifier
from ssi.store import SQLiteStore
from tests.hub.conftest import Hub
from tests.unit.store.objects import COMMUNITY, post

_GUARD = 60.0  # seconds before a test gives up waiting (a hang, not a timing)


def _push(hub: Hub, documents: list[dict[str, Any]]) -> None:
    answer = httpx.post(hub.url + "/objects", json=documents, timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.json()["stored"] == len(documents)


def test_sigterm_ends_open_streams_cleanly(
    hub_process: Callable[..., Hub], tmp_path: Path
) -> None:
    """The stream ends with its last chunk (no error on the client's side),
    and the server does not have to cancel it after its grace period."""
    source = hub_process()
    _push(source, [post(0, 3_000_001, community=COMMUNITY)])
    lines: list[str] = []
    ended: list[BaseException | None] = []

    def read() -> None:
        try:
            with httpx.stream(
                "GET", source.url + "/stream", timeout=httpx.Timeout(10, read=None)
            ) as reply:
                for line in reply.iter_lines():
                    lines.append(line)
            ended.append(None)
        except httpx.HTTPError as error:
            ended.append(error)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    _wait(lambda: any(line.startswith("data: ") for line in lines))
    source.stop()
    reader.join(timeout=_GUARD)
    assert ended == [None]
    log = source.log.read_text(errors="replace")
    assert "Application shutdown complete" in log
    assert "timeout graceful shutdown exceeded" not in log


def _follow_in_thread(url: str, store: SQLiteStore, stop: threading.Event, **options):
    reports: list[PullReport] = []
    worker = threading.Thread(
        target=lambda: reports.append(
            follow(url, store, Verifier(), stop_event=stop, **options)
        ),
        daemon=True,
    )
    worker.start()
    return worker, reports


def _wait(check: Callable[[], bool]) -> None:
    pause = threading.Event()
    for _ in range(int(_GUARD / 0.05)):
        if check():
            return
        pause.wait(0.05)
    raise AssertionError("the condition did not hold in time")


def test_a_follower_stops_while_it_waits_on_the_stream_and_resumes(
    hub_process: Callable[..., Hub], tmp_path: Path
) -> None:
    """The source is idle (a heartbeat every 15 s, and the follower would
    wait an hour for a byte): only cutting the connection stops it."""
    source = hub_process()
    _push(source, [post(n % 3, 3_000_100 + n, community=COMMUNITY) for n in range(3)])
    with SQLiteStore(tmp_path / "b.sqlite") as store:
        stop = threading.Event()
        worker, reports = _follow_in_thread(source.url, store, stop, read_timeout=3600)
        _wait(lambda: store.latest_seq() == 3)
        later = post(0, 3_000_200, community=COMMUNITY)
        _push(source, [later])  # read from the stream, not by the pull
        _wait(lambda: store.latest_seq() == 4)
        stop.set()
        worker.join(timeout=_GUARD)
        assert not worker.is_alive()
        [first] = reports
        assert (first.stored, first.present, first.rejected) == (4, 0, 0)
        assert first.cursor is not None

        # Resumed from its cursor: the two new objects only, no pull again.
        _push(source, [post(1, 3_000_300 + n, community=COMMUNITY) for n in range(2)])
        again = threading.Event()
        worker, reports = _follow_in_thread(
            source.url, store, again, since=first.cursor, read_timeout=3600
        )
        _wait(lambda: store.latest_seq() == 6)
        again.set()
        worker.join(timeout=_GUARD)
        assert not worker.is_alive()
        [second] = reports
        assert (second.stored, second.present, second.pages) == (2, 0, 0)


def test_a_follower_stops_between_two_pages_of_its_pull(
    hub_process: Callable[..., Hub], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = hub_process()
    _push(source, [post(n % 3, 3_000_400 + n, community=COMMUNITY) for n in range(9)])
    monkeypatch.setattr(hub.replicate, "PULL_PAGE", 2)
    stop = threading.Event()
    with SQLiteStore(tmp_path / "b.sqlite") as store:
        report = follow(
            source.url,
            store,
            Verifier(),
            stop_event=stop,
            on_object=lambda _: stop.set(),  # stop after the first page
        )
        assert (report.pages, report.stored) == (1, 2)
        assert store.latest_seq() == 2
        # Its cursor resumes after the two objects it has: the stream gives
        # the seven others, and nothing is read twice.
        again = threading.Event()
        rest = follow(
            source.url,
            store,
            Verifier(),
            since=report.cursor,
            stop_event=again,
            on_object=lambda r: again.set() if r.seen == 7 else None,
        )
        assert (rest.stored, rest.present, rest.pages) == (7, 0, 0)
        assert store.latest_seq() == 9


def test_every_response_names_its_worker(tmp_path: Path) -> None:
    settings = HubSettings(db=f"sqlite:///{tmp_path / 'hub.sqlite'}")
    with (
        TestClient(create_app(settings)) as one,
        TestClient(create_app(settings)) as two,
    ):
        first = one.get("/healthz").headers[WORKER_HEADER]
        assert re.fullmatch(r"[0-9a-f]{12}", first)
        assert one.get("/objects/nothing").headers[WORKER_HEADER] == first
        assert two.get("/healthz").headers[WORKER_HEADER] != first


# --- In process: the watcher, the streams, the signals -----------------------------


class _NotedWatcher(StoreWatcher):
    """A watcher that notes when a stream starts waiting on it."""

    waiting: anyio.Event | None = None

    async def wait(self, ticket: Any, timeout: float) -> None:
        if self.waiting is not None:
            self.waiting.set()
        await super().wait(ticket, timeout)


def test_close_streams_wakes_a_waiting_stream_and_ends_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stream waiting for objects (its heartbeat an hour away) ends at
    once when told."""
    monkeypatch.setattr(stream, "HEARTBEAT_SECONDS", 3600.0)
    with SQLiteStore(tmp_path / "hub.sqlite") as store:
        watcher = _NotedWatcher(store)

        async def scenario() -> list[bytes]:
            watcher.start()
            watcher.waiting = anyio.Event()
            events = stream._events(store, watcher, None)
            taken = [await events.__anext__()]
            try:
                with anyio.fail_after(_GUARD):  # a hang, not a timing
                    async with anyio.create_task_group() as group:

                        async def take_rest() -> None:
                            taken.extend([chunk async for chunk in events])

                        group.start_soon(take_rest)
                        await watcher.waiting.wait()  # the stream waits now
                        await anyio.to_thread.run_sync(watcher.close_streams)
            finally:
                await events.aclose()
                watcher.stop()
            return taken

        assert anyio.run(scenario) == [b"retry: 2000\n\n"]
        assert watcher.closing
        watcher.join()
        assert not watcher.running


def test_a_stopped_watcher_ends_quietly_when_its_store_closes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = SQLiteStore(tmp_path / "hub.sqlite")
    watcher = StoreWatcher(store)

    async def scenario() -> None:
        watcher.start()
        watcher.stop()

    anyio.run(scenario)
    store.close()  # the thread's next look at the store fails: it was told
    watcher.join(timeout=_GUARD)
    assert watcher._thread is None
    assert "store watcher failed" not in caplog.text


def test_sigterm_closes_the_streams_then_reaches_the_previous_handler(
    tmp_path: Path,
) -> None:
    heard: list[int] = []

    def previous(number: int, frame: object) -> None:
        heard.append(number)

    original = signal.signal(signal.SIGTERM, previous)
    try:
        with SQLiteStore(tmp_path / "hub.sqlite") as store:
            watcher = StoreWatcher(store)
            with closing_on_signals(watcher):
                assert not watcher.closing
                signal.raise_signal(signal.SIGTERM)
                assert watcher.closing
            assert heard == [signal.SIGTERM]
            assert signal.getsignal(signal.SIGTERM) is previous
    finally:
        signal.signal(signal.SIGTERM, original)
