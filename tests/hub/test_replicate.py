"""Replication between real hub processes (``agora hub serve``) on loopback:
a pull copies every object, a follower picks up what is pushed later, and a
malicious source's tampered object is refused and logged."""

from __future__ import annotations

import copy
import json
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from typer.testing import CliRunner

import hub.replicate
from hub.logbook import MemoryLogBook
from hub.replicate import follow, pull, verifier_with
from ssi.cid import object_cid
from ssi.credentials import Verifier
from ssi.store import SQLiteStore
from tests.hub.conftest import Hub, eventually
from tests.unit.bundle.corpus import Corpus
from tests.unit.store.objects import COMMUNITY, OTHER_COMMUNITY, post
from wallet_cli.app import app

runner = CliRunner()


def _push(hub: Hub, documents: list[dict[str, Any]]) -> None:
    answer = httpx.post(hub.url + "/objects", json=documents, timeout=60)
    answer.raise_for_status()
    assert answer.json()["rejected"] == 0


def _cids(url: str) -> set[str]:
    found: set[str] = set()
    cursor: str | None = None
    while True:
        params = {"limit": "100", **({"cursor": cursor} if cursor else {})}
        page = httpx.get(url + "/objects", params=params, timeout=30).json()
        found.update(item["cid"] for item in page["items"])
        cursor = page["cursor"]
        if not page["more"]:
            return found


def _store_cids(store: SQLiteStore) -> set[str]:
    return {item.cid for item in store.query(limit=1000).items}


def _eventually(check: Callable[[], bool], seconds: float = 60.0) -> None:
    eventually(check, "the condition did not hold", seconds)


POSTS = [post(n % 3, 100 + n, community=COMMUNITY) for n in range(20)] + [
    post(0, 200 + n, community=OTHER_COMMUNITY) for n in range(5)
]


def test_a_pull_pages_through_the_source_and_ends_with_the_same_cids(
    hub_process: Callable[..., Hub], tmp_path: Path, monkeypatch
) -> None:
    source = hub_process()
    _push(source, POSTS)
    monkeypatch.setattr(hub.replicate, "PULL_PAGE", 7)
    seen: list[int] = []
    with SQLiteStore(tmp_path / "b.sqlite") as store:
        report = pull(
            source.url, store, Verifier(), progress=lambda r: seen.append(r.pages)
        )
        assert report.stored == len(POSTS)
        assert report.rejected == 0
        assert report.pages == 4  # 25 objects, 7 a page
        assert seen == [1, 2, 3, 4]
        assert _store_cids(store) == _cids(source.url)
        again = pull(source.url, store, Verifier())
        assert (again.stored, again.present) == (0, len(POSTS))
        only = pull(source.url, store, Verifier(), community=OTHER_COMMUNITY)
        assert only.present == 5
        assert only.cursor is None  # a filtered cursor does not resume /stream


def test_a_following_hub_copies_then_streams_new_objects(
    hub_process: Callable[..., Hub], tmp_path: Path
) -> None:
    a_db = f"sqlite:///{tmp_path / 'a.sqlite'}"
    first = hub_process(db=a_db)
    _push(first, POSTS[:10])
    second = hub_process(
        db=f"sqlite:///{tmp_path / 'b.sqlite'}", extra_args=["--follow", first.url]
    )
    _eventually(lambda: _cids(second.url) == _cids(first.url))
    assert len(_cids(second.url)) == 10
    later = post(2, 300, community=COMMUNITY)
    _push(first, [later])
    _eventually(lambda: object_cid(later) in _cids(second.url))
    # Copying back is harmless: every object is already there, by CID.
    result = runner.invoke(
        app,
        ["hub", "pull", "--from", second.url, "--db", a_db, "--json"],
        env={"AGORA_HOME": str(tmp_path)},
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["stored"] == 0
    assert json.loads(result.stdout)["present"] == 11
    assert _cids(second.url) == _cids(first.url)
    # The follower's views show what it copied.
    feed = httpx.get(f"{second.url}/communities/{COMMUNITY}/feed", timeout=30).json()
    assert len(feed["threads"]) == 11


def test_follow_stops_when_told_and_resumes_from_its_cursor(
    hub_process: Callable[..., Hub], tmp_path: Path
) -> None:
    source = hub_process()
    _push(source, POSTS[:3])
    stop = threading.Event()
    with SQLiteStore(tmp_path / "b.sqlite") as store:
        reports: list[Any] = []
        worker = threading.Thread(
            target=lambda: reports.append(
                follow(source.url, store, Verifier(), stop_event=stop, read_timeout=2)
            )
        )
        worker.start()
        try:
            _eventually(lambda: len(_store_cids(store)) == 3)
            extra = post(1, 400, community=COMMUNITY)
            _push(source, [extra])
            _eventually(lambda: object_cid(extra) in _store_cids(store))
        finally:
            stop.set()
            worker.join(timeout=30)
        assert not worker.is_alive()
        assert reports[0].stored == 4


# --- A malicious source ----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listed(document: dict[str, Any], cid: str | None = None) -> dict[str, Any]:
    return {"cid": cid or object_cid(document), "document": document}


@pytest.fixture
def malicious() -> Iterator[dict[str, Any]]:
    """A server that answers GET /objects with one good post and one whose
    content was changed after signing (listed under its original CID)."""
    good = post(0, 500, community=COMMUNITY)
    original = post(1, 501, community=COMMUNITY)
    tampered = copy.deepcopy(original)
    tampered["credentialSubject"]["content"] = "post number 501, now selling engines"
    page = {
        "items": [_listed(good), _listed(tampered, object_cid(original))],
        "cursor": None,
        "more": False,
    }
    api = FastAPI()

    @api.get("/objects")
    def objects(type: str | None = None) -> dict[str, Any]:
        return {"items": [], "cursor": None, "more": False} if type else page

    server = uvicorn.Server(
        uvicorn.Config(api, host="127.0.0.1", port=_free_port(), log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    _eventually(lambda: server.started, 30)
    url = f"http://127.0.0.1:{server.config.port}"
    try:
        yield {"url": url, "good": good, "tampered": tampered, "original": original}
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def test_a_tampered_object_is_refused_and_logged(
    malicious: dict[str, Any], tmp_path: Path, caplog
) -> None:
    caplog.set_level(logging.WARNING, logger="hub.replicate")
    with SQLiteStore(tmp_path / "b.sqlite") as store:
        report = pull(malicious["url"], store, Verifier())
        assert (report.stored, report.rejected) == (1, 1)
        assert _store_cids(store) == {object_cid(malicious["good"])}
    [refusal] = report.refused
    assert refusal.cid == object_cid(malicious["tampered"])
    assert refusal.claimed == object_cid(malicious["original"])
    assert refusal.codes
    assert refusal.cid in caplog.text


def test_agora_hub_pull_lists_the_refused_object_and_exits_1(
    malicious: dict[str, Any], tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'b.sqlite'}"
    result = runner.invoke(
        app,
        ["hub", "pull", "--from", malicious["url"], "--db", db, "--json"],
        env={"AGORA_HOME": str(tmp_path)},
    )
    assert result.exit_code == 1, result.output
    answer = json.loads(result.stdout)
    assert answer["stored"] == 1
    assert [r["cid"] for r in answer["refused"]] == [object_cid(malicious["tampered"])]


def test_agora_hub_pull_into_the_wallet_store(
    hub_process: Callable[..., Hub], tmp_path: Path
) -> None:
    source = hub_process()
    _push(source, POSTS[:4])
    result = runner.invoke(
        app,
        [
            "hub",
            "pull",
            "--from",
            source.url,
            "--into-store",
            "--community",
            COMMUNITY,
        ],
        env={"AGORA_HOME": str(tmp_path), "COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "4 stored, 0 already present, 0 refused" in result.stdout
    with SQLiteStore(tmp_path / "store.sqlite") as store:
        assert _store_cids(store) == {object_cid(p) for p in POSTS[:4]}


# --- did:agora signers: their logs come from the source, validated here ------------


def test_the_logs_of_did_agora_signers_are_fetched_and_validated(
    hub_process: Callable[..., Hub], corpus: Corpus, tmp_path: Path
) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    for number, author in enumerate(corpus.authors):
        if author.log:
            lines = "".join(json.dumps(entry) + "\n" for entry in author.log)
            (folder / f"{number}.jsonl").write_text(lines, encoding="utf-8")
    source = hub_process(extra_args=["--did-log", str(folder)])
    signed = [
        p
        for p in corpus.posts[:40]
        if str(p["issuer"]).startswith("did:agora")
        and "community" not in p["credentialSubject"]
    ]
    assert signed
    _push(source, signed)
    with SQLiteStore(tmp_path / "plain.sqlite") as store:
        blind = pull(source.url, store, Verifier())
    assert blind.rejected == len(signed)  # no log, no key: refused
    book = MemoryLogBook()
    with SQLiteStore(tmp_path / "b.sqlite") as store:
        report = pull(source.url, store, verifier_with([book]), logbook=book)
        assert (report.stored, report.rejected) == (len(signed), 0)
    signers = {str(p["issuer"]) for p in signed}
    assert all(book.entries(did) for did in signers)


def test_a_follower_that_was_down_catches_up(
    hub_process: Callable[..., Hub], tmp_path: Path
) -> None:
    first = hub_process(db=f"sqlite:///{tmp_path / 'a.sqlite'}")
    b_db = f"sqlite:///{tmp_path / 'b.sqlite'}"
    options = {"db": b_db, "extra_args": ["--follow", first.url]}
    batch = [post(n % 3, 600 + n, community=COMMUNITY) for n in range(60)]
    _push(first, batch[:20])
    second = hub_process(**options)
    _eventually(lambda: len(_cids(second.url)) == 20)
    second.stop()
    _push(first, batch[20:50])  # while the follower is down
    again = hub_process(**options)
    _push(first, batch[50:])  # after it is back
    _eventually(lambda: _cids(again.url) == _cids(first.url))
    assert len(_cids(again.url)) == 60


def test_a_follower_that_fails_starts_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever stops a follower of `agora hub serve --follow` (here: its
    first run raises), it starts again after a pause instead of dying."""
    from hub.settings import HubSettings
    from wallet_cli.commands.hub_replicate import start_followers

    calls: list[str] = []

    def flaky(url: str, store: Any, verifier: Any, **kwargs: Any) -> None:
        calls.append(url)
        if len(calls) == 1:
            raise RuntimeError("the store is busy")
        kwargs["stop_event"].wait(30)

    monkeypatch.setattr(hub.replicate, "follow", flaky)
    settings = HubSettings(db=f"sqlite:///{tmp_path / 'hub.sqlite'}")
    stop, threads = start_followers(settings, ["http://127.0.0.1:9"])
    try:
        _eventually(lambda: len(calls) == 2, seconds=20)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    assert calls == ["http://127.0.0.1:9"] * 2
    assert not any(thread.is_alive() for thread in threads)


def test_a_bundle_pushed_to_the_source_replicates_with_its_logs(
    hub_process: Callable[..., Hub], corpus: Corpus, tmp_path: Path
) -> None:
    """A source started with no log files keeps the logs and status lists a
    pushed bundle carries, so a hub copying from it verifies every object."""
    source = hub_process()
    posts = corpus.posts[:20]
    assert any(str(p["issuer"]).startswith("did:agora") for p in posts)
    answer = httpx.post(
        source.url + "/objects",
        content=corpus.bundle(posts),
        headers={"Content-Type": "application/vnd.agora.bundle+jsonl"},
        timeout=60,
    ).json()
    assert (answer["stored"], answer["rejected"]) == (20, 0)
    book = MemoryLogBook()
    with SQLiteStore(tmp_path / "b.sqlite") as store:
        report = pull(source.url, store, verifier_with([book]), logbook=book)
        assert report.rejected == 0
        assert _store_cids(store) == _cids(source.url)
