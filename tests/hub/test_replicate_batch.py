"""A follower stores the events of a source's stream in batches: one
transaction for the events already received (up to ``batch``, gathered for
at most ``window`` seconds), refusing a tampered one among them, and
resuming from the cursor of the last object it stored.

The source here is an ``httpx.MockTransport`` serving ``GET /stream`` from a
generator, so a test decides which events are available when.
"""

from __future__ import annotations

import copy
import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import ssi
from hub.intake import PullReport
from hub.replicate import follow
from hub.settings import HubSettings
from ssi.cid import object_cid
from ssi.credentials import Verifier
from ssi.datetimes import format_date_time
from ssi.social import AGORA_CONTEXT
from ssi.status import StatusList, build_status_entry, build_status_list_credential
from ssi.store import SQLiteStore
from ssi.store.base import AddResult
from ssi.types import JsonValue
from tests.unit.bundle.corpus import VC_CONTEXT, did_key_identity, when
from tests.unit.store.objects import COMMUNITY, post

SOURCE = "http://source.test"


class CountingStore(SQLiteStore):
    """A SQLite store that counts its ``add`` transactions."""

    transactions = 0

    def add(
        self, documents: Iterable[JsonValue | str | bytes], **options: Any
    ) -> list[AddResult]:  # type: ignore[override]
        self.transactions += 1
        return super().add(documents, **options)


def _event(index: int, document: dict[str, Any]) -> bytes:
    data = json.dumps({"cid": object_cid(document), "document": document})
    return f"id: c{index:04d}\nevent: object\ndata: {data}\n\n".encode()


def _source(
    documents: list[dict[str, Any]],
    between: Callable[[], object] | None = None,
    split: int = 1,
) -> httpx.Client:
    """A source whose stream sends ``documents`` from the event after
    ``since`` at once (with ``between``: the first ``split`` events, then
    the others once ``between()`` returned)."""

    def handler(request: httpx.Request) -> httpx.Response:
        since = request.url.params.get("since")
        start = 0 if since in (None, "start") else int(since.removeprefix("c")) + 1
        chunks = [_event(n, documents[n]) for n in range(start, len(documents))]

        def body() -> Iterator[bytes]:
            if between is None:
                yield b"".join(chunks)
                return
            yield b"".join(chunks[:split])
            between()
            yield b"".join(chunks[split:])

        return httpx.Response(200, content=body())

    return httpx.Client(transport=httpx.MockTransport(handler))


def _follow(
    store: SQLiteStore,
    client: httpx.Client,
    stop: threading.Event,
    until: int,
    **options: Any,
) -> PullReport:
    """Follow from the start until ``until`` objects were seen."""

    def seen(report: PullReport) -> None:
        if report.seen >= until:
            stop.set()

    return follow(
        SOURCE,
        store,
        Verifier(),
        since="start",
        stop_event=stop,
        client=client,
        on_object=seen,
        **options,
    )


def _cids(store: SQLiteStore) -> set[str]:
    return {item.cid for item in store.query(limit=1000).items}


POSTS = [post(n % 3, 700 + n, community=COMMUNITY) for n in range(40)]


def test_a_burst_of_events_is_stored_in_fewer_transactions(tmp_path: Path) -> None:
    with CountingStore(tmp_path / "b.sqlite") as store:
        report = _follow(
            store, _source(POSTS), threading.Event(), len(POSTS), batch=10, window=5
        )
        assert report.stored == len(POSTS)
        assert _cids(store) == {object_cid(p) for p in POSTS}
        assert store.transactions == 4  # 40 events, 10 a batch
        assert report.cursor == f"c{len(POSTS) - 1:04d}"


def test_a_lone_event_is_stored_within_the_window(tmp_path: Path) -> None:
    """The first event is stored while the stream holds back the others:
    the batch ends when the window does, not when 200 events came."""
    released = threading.Event()
    stop = threading.Event()
    first = object_cid(POSTS[0])
    stored_alone: list[bool] = []
    with CountingStore(tmp_path / "b.sqlite") as store:

        def seen(report: PullReport) -> None:
            if not stored_alone:
                stored_alone.append(_cids(store) == {first})
                released.set()
            if report.seen >= 3:
                stop.set()

        report = follow(
            SOURCE,
            store,
            Verifier(),
            since="start",
            stop_event=stop,
            client=_source(POSTS[:3], lambda: released.wait(30)),
            on_object=seen,
            batch=200,
            window=0.05,
        )
        assert stored_alone == [True]
        assert report.stored == 3
        assert store.transactions == 2  # the lone one, then the other two


def test_a_tampered_object_in_a_batch_is_refused_and_the_others_stored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    tampered = copy.deepcopy(POSTS[5])
    tampered["credentialSubject"]["content"] = "post number 705, now selling engines"
    documents = [*POSTS[:5], tampered, *POSTS[6:10]]
    with CountingStore(tmp_path / "b.sqlite") as store:
        report = _follow(store, _source(documents), threading.Event(), 10, window=5)
        assert store.transactions == 1
        assert report.stored == 9
        assert report.rejected == 1
        assert [r.cid for r in report.refused] == [object_cid(tampered)]
        good = {object_cid(p) for p in documents if p is not tampered}
        assert _cids(store) == good
        assert f"refused object {object_cid(tampered)}" in caplog.text
        assert report.cursor == "c0009"


def test_stopped_mid_batch_a_follower_resumes_with_the_exact_cids(
    tmp_path: Path,
) -> None:
    """Stopped while a batch is gathered (the source sends 7 events, the
    stop comes, then 5 more), the follower drops what it has not stored and
    reports the cursor of the last object it stored, with nothing stored
    past it; resuming from there ends with every object, none skipped."""
    stop = threading.Event()
    with CountingStore(tmp_path / "b.sqlite") as store:
        first = follow(
            SOURCE,
            store,
            Verifier(),
            since="start",
            stop_event=stop,
            client=_source(POSTS[:12], stop.set, split=7),
            batch=5,
            window=5,
        )
        assert first.cursor is not None  # "start" when nothing was stored
        done = 0 if first.cursor == "start" else int(first.cursor[1:]) + 1
        assert done in (0, 5)  # the first batch, if it was stored before the stop
        assert first.stored == done
        assert _cids(store) == {object_cid(p) for p in POSTS[:done]}
        again = threading.Event()
        second = follow(
            SOURCE,
            store,
            Verifier(),
            since=first.cursor,
            stop_event=again,
            client=_source(POSTS[:12]),
            on_object=lambda r: again.set() if r.seen >= 12 - done else None,
        )
        assert (second.stored, second.present) == (12 - done, 0)
        assert _cids(store) == {object_cid(p) for p in POSTS[:12]}
        assert second.cursor == "c0011"


def test_the_batch_settings_are_read_and_checked() -> None:
    settings = HubSettings()
    assert (settings.follow_batch, settings.follow_window) == (200, 0.05)
    read = HubSettings.from_env(
        {"AGORA_HUB_FOLLOW_BATCH": "50", "AGORA_HUB_FOLLOW_WINDOW": "0"}
    )
    assert (read.follow_batch, read.follow_window) == (50, 0.0)
    with pytest.raises(ValueError, match="follow_batch"):
        HubSettings(follow_batch=0)
    with pytest.raises(ValueError, match="follow_window"):
        HubSettings(follow_window=-1)


def _listed_credentials() -> tuple[dict[str, Any], dict[str, Any]]:
    """A status list credential and a post whose ``credentialStatus`` points
    into it (not revoked), both signed by one did:key author."""
    author = did_key_identity(41)
    moment = when(1)
    stamp = format_date_time(moment)
    url = "https://source.test/status/7"
    status_list = ssi.issue(
        build_status_list_credential(url, author.did, StatusList(), valid_from=moment),
        author.signer_at(moment),
        created=stamp,
    )
    unsigned: dict[str, Any] = {
        "@context": [VC_CONTEXT, AGORA_CONTEXT],
        "type": ["VerifiableCredential", "Post"],
        "issuer": author.did,
        "validFrom": stamp,
        "credentialSubject": {
            "content": "a post with a status",
            "community": COMMUNITY,
        },
        "credentialStatus": build_status_entry(url, 3),
    }
    listed = ssi.issue(
        unsigned, author.signer_at(moment), suite="eddsa-jcs-2022", created=stamp
    )
    return status_list, listed


def test_objects_after_a_status_list_in_a_batch_are_checked_against_it(
    tmp_path: Path,
) -> None:
    """A batch is cut after a status list credential: the post after it in
    the same batch verifies (alone, with its list unknown, it is refused)."""
    status_list, listed = _listed_credentials()
    with CountingStore(tmp_path / "alone.sqlite") as store:
        alone = _follow(store, _source([listed]), threading.Event(), 1)
        assert alone.rejected == 1
    with CountingStore(tmp_path / "b.sqlite") as store:
        documents = [POSTS[0], status_list, listed, POSTS[1]]
        report = _follow(store, _source(documents), threading.Event(), 4, window=5)
        assert (report.stored, report.rejected) == (4, 0)
        assert _cids(store) == {object_cid(d) for d in documents}
        assert store.transactions == 2  # up to the list, then the rest
