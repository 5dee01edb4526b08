"""Processes sharing one store: concurrent writers lose nothing, and a writer
killed with SIGKILL in the middle of its batches loses nothing it had
acknowledged and leaves a consistent database (``PRAGMA integrity_check``).

Posts are signed once in this process (one did:key author, eddsa-jcs-2022,
distinct ids) and shipped to the children as JSON texts. The children are
started with ``spawn``, so they share nothing with this process but the file.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sqlite3
from functools import cache
from pathlib import Path

from ssi.cid import object_cid
from ssi.store import ObjectStore, SQLiteStore, open_store

from . import workers
from .objects import AUTHORS, many_posts, verifier

SPAWN = multiprocessing.get_context("spawn")


@cache
def posts(count: int) -> list[str]:
    return many_posts(count)


def _consistent(path: Path) -> None:
    """The file passes SQLite's own checks and the store's indexes agree."""
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
        objects = raw.execute("SELECT count(*) FROM objects").fetchone()[0]
        typed = raw.execute(
            "SELECT count(*) FROM object_types WHERE type = 'Post'"
        ).fetchone()[0]
        assert typed == objects
    finally:
        raw.close()


def _all_cids(store: ObjectStore) -> list[str]:
    cids: list[str] = []
    cursor = None
    while True:
        page = store.query(limit=1000, cursor=cursor)
        cids.extend(item.cid for item in page.items)
        cursor = page.cursor
        if not page.more:
            return cids


def _race(location: str, texts: list[str], batch: int) -> None:
    """Two spawned processes add half of ``texts`` each, at the same moment."""
    each = len(texts) // 2
    start = SPAWN.Barrier(2)
    children = [
        SPAWN.Process(
            target=workers.add_all,
            args=(location, texts[i * each : (i + 1) * each], batch, start),
        )
        for i in range(2)
    ]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=300)
    assert [child.exitcode for child in children] == [0, 0]


def _two_writers(tmp_path: Path, each: int) -> None:
    texts = posts(2 * each)
    path = tmp_path / "store.sqlite"
    SQLiteStore(path).close()  # created and migrated before the race
    _race(str(path), texts, 250)
    with SQLiteStore(path) as store:
        assert store.count() == 2 * each
        assert store.count(author=AUTHORS[0], type="Post") == 2 * each
        cids = _all_cids(store)
    assert len(cids) == len(set(cids)) == 2 * each
    assert set(cids) == {object_cid(json.loads(text)) for text in texts}
    _consistent(path)


def test_two_processes_adding_5000_each_end_with_10000(tmp_path):
    _two_writers(tmp_path, 5000)


def test_two_processes_adding_into_one_postgres_schema(pg_schema):
    """The same race on PostgreSQL (smaller: the contract is the same), the
    processes opening the new schema at once: every object ends there once,
    and paging by cursor finds each of them once."""
    texts = posts(600)
    _race(pg_schema.location, texts, 50)
    with open_store(pg_schema.location, create=False) as store:
        assert store.count() == store.count(type="Post") == 600
        cids = _all_cids(store)
    assert len(cids) == len(set(cids)) == 600
    assert set(cids) == {object_cid(json.loads(text)) for text in texts}


def _run_and_kill(path: Path, texts: list[str], ack: Path, lines: int) -> None:
    """Start a writer, let it acknowledge ``lines`` CIDs in all, SIGKILL it."""
    child = SPAWN.Process(
        target=workers.add_and_acknowledge, args=(str(path), texts, 40, str(ack))
    )
    child.start()
    try:
        while len(ack.read_text().splitlines()) < lines:
            assert child.is_alive(), "the writer stopped on its own"
            child.join(timeout=0.01)  # a short wait, ended early if it exits
    finally:
        if child.pid is not None and child.is_alive():
            os.kill(child.pid, signal.SIGKILL)
        child.join(timeout=60)
    assert child.exitcode == -signal.SIGKILL


def test_a_killed_writer_loses_nothing_it_acknowledged(tmp_path):
    """Three writers in turn are killed with SIGKILL while adding batches of
    40; after each kill, every acknowledged CID is in the store, the file
    passes integrity_check, and the next writer carries on from it."""
    texts = posts(10000)[:2000]  # signed once for both tests
    path = tmp_path / "store.sqlite"
    ack = tmp_path / "acknowledged.txt"
    ack.touch()
    for lines in (300, 900, 1500):
        _run_and_kill(path, texts, ack, lines)
        acknowledged = set(ack.read_text().split())
        _consistent(path)
        with SQLiteStore(path) as store:
            stored = set(_all_cids(store))
            assert acknowledged <= stored
            assert store.count() == len(stored)
    with SQLiteStore(path) as store:
        # The store takes the rest afterwards: nothing half-written blocks it.
        results = store.add(texts, verifier=verifier())
        assert {r.outcome for r in results} <= {"stored", "present"}
        assert sum(r.outcome == "stored" for r in results) == 2000 - len(stored)
        assert store.count() == 2000
    _consistent(path)
