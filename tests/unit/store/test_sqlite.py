"""What only the SQLite backend has: its file, pragmas, migrations, errors,
and the locations ``open_store`` understands."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ssi.cid import object_cid
from ssi.errors import (
    StoreAccessError,
    StoreCorruptedError,
    StoreError,
    StoreVersionError,
)
from ssi.store import (
    SCHEMA_VERSION,
    SQLiteStore,
    default_store_path,
    index_object,
    open_store,
)
from ssi.store.cursor import Filters
from ssi.store.migrations import APPLICATION_ID, MIGRATIONS
from ssi.store.rows import check_filters, select_sql

from .objects import AUTHORS, COMMUNITY, post, reaction, retraction, verifier

P0 = post(0, 101, community=COMMUNITY)
REPLY = post(1, 102, reply_to=object_cid(P0))


def _raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def test_the_file_is_wal_with_foreign_keys_and_marked_as_ours(tmp_path):
    path = tmp_path / "s.sqlite"
    with SQLiteStore(path) as store:
        connection = store._connection  # the store's own settings
        assert connection is not None
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert connection.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert connection.execute("PRAGMA busy_timeout").fetchone()[0] == 30000
    raw = _raw(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert raw.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    raw.close()


def test_objects_are_stored_as_their_jcs_bytes(tmp_path):
    path = tmp_path / "s.sqlite"
    with SQLiteStore(path) as store:
        store.add([json.dumps(P0, indent=2)], verifier=verifier())
    raw = _raw(path)
    cid, data = raw.execute("SELECT cid, data FROM objects").fetchone()
    raw.close()
    from ssi.jsonld.canon import canonicalize_jcs

    assert data == canonicalize_jcs(P0)
    assert cid == object_cid(json.loads(data))


def test_a_tampered_row_is_detected_on_read(tmp_path):
    path = tmp_path / "s.sqlite"
    with SQLiteStore(path) as store:
        store.add([P0], verifier=verifier())
    raw = _raw(path)
    raw.execute("UPDATE objects SET data = replace(data, 'post', 'POST')")
    raw.close()
    with SQLiteStore(path) as store:
        with pytest.raises(StoreCorruptedError) as info:
            store.get(object_cid(P0))
        assert info.value.code == "storeCorrupted"
        with pytest.raises(StoreCorruptedError):
            store.query()


# --- Queries --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "filters",
    [
        {"type": "Post"},
        {"type": "Post", "author": AUTHORS[0]},
        {"refers_to": object_cid(P0)},
        {"type": "Reaction", "refers_to": object_cid(P0)},
        {"type": "Post", "since": datetime(2025, 1, 1, tzinfo=UTC)},
    ],
)
def test_a_filtered_page_walks_an_index_in_order_without_sorting(tmp_path, filters):
    # Sorting every match again for each page made paging quadratic.
    with SQLiteStore(tmp_path / "s.sqlite") as store:
        sql, parameters = select_sql(_filters(**filters), 7)
        plan = store._read(f"EXPLAIN QUERY PLAN {sql}", [*parameters, 10])
    assert not any("TEMP B-TREE" in str(row[-1]) for row in plan), plan


def _filters(**given: object) -> Filters:
    names = ("type", "author", "community", "reply_to", "refers_to", "since", "until")
    return check_filters(*(given.get(name) for name in names))


def test_each_object_of_a_page_keeps_its_own_types_and_references(tmp_path):
    target = object_cid(P0)
    documents = [
        P0,
        REPLY,
        reaction(2, 103, target),
        post(2, 104, reply_to=object_cid(REPLY)),
        retraction(0, 105, target),
        reaction(1, 106, object_cid(REPLY)),
    ]
    with SQLiteStore(tmp_path / "s.sqlite") as store:
        store.add(documents, verifier=verifier())
        for page in (store.query(), store.query(refers_to=target)):
            assert page.items
            for item in page.items:
                index = index_object(item.document)
                assert item.types == tuple(index.types)
                assert item.refers_to == tuple(index.refers_to)
        assert [i.document for i in store.query(type="Reaction").items] == [
            documents[2],
            documents[5],
        ]


# --- Migrations ---------------------------------------------------------------------


def _version_1_file(path: Path, documents: list[dict[str, object]]) -> None:
    """A store as version 1 left it, with objects written as version 1 did."""
    from ssi.jsonld.canon import canonicalize_jcs
    from ssi.store import index_object

    raw = _raw(path)
    raw.execute("BEGIN")
    MIGRATIONS[0](raw)
    for document in documents:
        index = index_object(document)
        seq = raw.execute(
            "INSERT INTO objects (cid, data, types, author, community, reply_to, time) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                object_cid(document),
                canonicalize_jcs(document),
                json.dumps(index.types),
                index.author,
                index.community,
                index.reply_to,
                None,
            ),
        ).lastrowid
        for name in index.types:
            raw.execute(
                "INSERT INTO object_types (type, seq) VALUES (?, ?)", (name, seq)
            )
    raw.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    raw.execute("PRAGMA user_version = 1")
    raw.execute("COMMIT")
    raw.close()


def test_a_version_1_store_is_migrated_and_indexed_again(tmp_path):
    path = tmp_path / "old.sqlite"
    _version_1_file(path, [P0, REPLY])
    with SQLiteStore(path) as store:
        assert store.count() == 2
        found = store.query(refers_to=object_cid(P0))
        assert [item.cid for item in found.items] == [object_cid(REPLY)]
        assert store.get(object_cid(REPLY)).refers_to == (object_cid(P0),)  # type: ignore[union-attr]
        # New objects go in with the new schema next to the migrated ones.
        results = store.add(
            [post(2, 103, reply_to=object_cid(P0))], verifier=verifier()
        )
        assert results[0].outcome == "stored"
        assert store.count(refers_to=object_cid(P0)) == 2
    raw = _raw(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    raw.close()


def test_a_failed_migration_leaves_the_old_version(tmp_path):
    path = tmp_path / "old.sqlite"
    _version_1_file(path, [P0])
    raw = _raw(path)
    raw.execute("UPDATE objects SET data = X'7b6e6f74'")  # '{not'
    raw.close()
    with pytest.raises(StoreCorruptedError):
        SQLiteStore(path)
    raw = _raw(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
    tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master")}
    assert "object_refs" not in tables
    raw.close()


def test_a_newer_store_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "new.sqlite"
    with SQLiteStore(path) as store:
        store.add([P0], verifier=verifier())
    raw = _raw(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    before = path.read_bytes()
    with pytest.raises(StoreVersionError) as info:
        SQLiteStore(path)
    assert info.value.code == "unsupportedStoreVersion"
    assert f"version {SCHEMA_VERSION + 1}" in info.value.detail
    assert path.read_bytes() == before


def test_two_handles_opening_a_new_file_migrate_it_once(tmp_path):
    path = tmp_path / "s.sqlite"
    with SQLiteStore(path) as first, SQLiteStore(path) as second:
        first.add([P0], verifier=verifier())
        assert second.count() == 1
        cursor = first.query(limit=1).cursor
        assert second.query(cursor=cursor).items == ()  # one cursor key


# --- Files that are not stores, places that cannot hold one ---------------------------


def test_a_file_that_is_not_sqlite_is_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("dear diary\n" * 20)
    with pytest.raises(StoreCorruptedError):
        SQLiteStore(path)
    assert path.read_text() == "dear diary\n" * 20


def test_another_applications_database_is_refused(tmp_path):
    path = tmp_path / "other.sqlite"
    raw = _raw(path)
    raw.execute("CREATE TABLE things (x)")
    raw.close()
    with pytest.raises(StoreCorruptedError):
        SQLiteStore(path)
    marked = tmp_path / "marked.sqlite"
    raw = _raw(marked)
    raw.execute("PRAGMA application_id = 7")
    raw.execute("PRAGMA user_version = 1")
    raw.close()
    with pytest.raises(StoreCorruptedError):
        SQLiteStore(marked)


def test_a_damaged_database_is_refused(tmp_path):
    path = tmp_path / "s.sqlite"
    with SQLiteStore(path) as store:
        store.add([P0, REPLY], verifier=verifier())
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xa5" * (4096 - 100)  # the schema page
    path.write_bytes(bytes(data))
    with pytest.raises(StoreCorruptedError):
        SQLiteStore(path)


def test_a_place_that_cannot_hold_a_store(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(StoreAccessError) as info:
        SQLiteStore(blocker / "store.sqlite")
    assert info.value.code == "storeAccess"


def test_a_writer_that_waits_too_long_fails_cleanly(tmp_path):
    path = tmp_path / "s.sqlite"
    with SQLiteStore(path, busy_timeout=0.05) as store:
        holder = _raw(path)
        holder.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StoreAccessError):
                store.add([P0], verifier=verifier())
            assert store.count() == 0  # readers are not blocked (WAL)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert store.add([P0], verifier=verifier())[0].outcome == "stored"


# --- Locations ------------------------------------------------------------------------


def test_the_default_store_is_in_the_agora_home(tmp_path, monkeypatch):
    monkeypatch.setenv("AGORA_HOME", str(tmp_path / "home"))
    assert default_store_path() == tmp_path / "home" / "store.sqlite"
    with open_store() as store:
        assert isinstance(store, SQLiteStore)
        assert store.path == tmp_path / "home" / "store.sqlite"
    assert (tmp_path / "home" / "store.sqlite").exists()


def test_locations_as_paths_and_urls(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cases = {
        "sqlite:///relative.sqlite": tmp_path / "relative.sqlite",
        f"sqlite:///{tmp_path}/absolute.sqlite": tmp_path / "absolute.sqlite",
        "plain.sqlite": tmp_path / "plain.sqlite",
    }
    for location, expected in cases.items():
        with open_store(location) as store:
            assert isinstance(store, SQLiteStore)
            assert store.path.resolve() == expected
    with open_store(tmp_path / "as-path.sqlite") as store:
        assert store.count() == 0


@pytest.mark.parametrize("location", ["mysql://hub/db", "sqlite:///", "mysql+x://h"])
def test_locations_without_a_backend(location):
    with pytest.raises(StoreError) as info:
        open_store(location)
    assert info.value.code == "storeError"


def test_bad_arguments_are_programming_errors(tmp_path):
    with pytest.raises(TypeError):
        open_store(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        SQLiteStore(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="busy_timeout"):
        SQLiteStore(tmp_path / "s.sqlite", busy_timeout=-1)


def test_without_create_a_missing_store_is_an_error(tmp_path):
    path = tmp_path / "sub" / "missing.sqlite"
    with pytest.raises(StoreAccessError) as info:
        SQLiteStore(path, create=False)
    assert "there is no store" in info.value.detail
    with pytest.raises(StoreAccessError):
        open_store(f"sqlite:///{path}", create=False)
    assert not path.parent.exists()
    SQLiteStore(path).close()
    with SQLiteStore(path, create=False) as store:
        assert store.count() == 0


# --- Derived records (version 3) ------------------------------------------------------


class _Author:
    name = "author/1"

    def __call__(self, document: dict[str, object]) -> object:
        return {"author": document["issuer"]}


def test_a_version_2_store_is_migrated_and_old_objects_have_no_record(tmp_path):
    path = tmp_path / "old.sqlite"
    with SQLiteStore(path) as store:
        store.add([P0], verifier=verifier())
    raw = _raw(path)  # as version 2 left it: no derived table
    raw.execute("DROP TABLE derived")
    raw.execute("PRAGMA user_version = 2")
    raw.close()
    with SQLiteStore(path) as store:
        store.add([REPLY], verifier=verifier(), derive=_Author())  # type: ignore[arg-type]
        assert list(store.derived("author/1", type="Post")) == [
            (object_cid(P0), None),
            (object_cid(REPLY), {"author": AUTHORS[1]}),
        ]
    raw = _raw(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    raw.close()


def test_records_are_read_without_the_documents(tmp_path):
    """derived() neither reads nor checks the objects' bytes."""
    path = tmp_path / "s.sqlite"
    with SQLiteStore(path) as store:
        store.add([P0, REPLY], verifier=verifier(), derive=_Author())  # type: ignore[arg-type]
    raw = _raw(path)
    raw.execute("UPDATE objects SET data = X'7b7d'")  # '{}': no longer the CIDs
    raw.close()
    with SQLiteStore(path) as store:
        with pytest.raises(StoreCorruptedError):
            store.get(object_cid(P0))
        assert [record for _, record in store.derived("author/1")] == [
            {"author": AUTHORS[0]},
            {"author": AUTHORS[1]},
        ]


@pytest.mark.parametrize("damage", ["{not json", "1,2", "]"])
def test_a_damaged_record_is_refused_with_its_object(tmp_path, damage):
    path = tmp_path / "s.sqlite"
    with SQLiteStore(path) as store:
        store.add([P0, REPLY], verifier=verifier(), derive=_Author())  # type: ignore[arg-type]
    raw = _raw(path)
    raw.execute(
        "UPDATE derived SET record = ? WHERE seq = "
        "(SELECT seq FROM objects WHERE cid = ?)",
        (damage, object_cid(REPLY)),
    )
    raw.close()
    with SQLiteStore(path) as store, pytest.raises(StoreCorruptedError) as info:
        list(store.derived("author/1"))
    assert object_cid(REPLY) in info.value.detail
