"""What is particular to the PostgreSQL backend: locations and schemas,
migrations under concurrency, refusing what is not a store, errors that
never show a password, the notification that wakes another handle, and a
library that imports without psycopg.

The contract itself (adding, indexes, cursors...) runs on PostgreSQL in the
shared suite (conftest.py); these tests use a fresh schema each
(tests/pg.py).
"""

from __future__ import annotations

import sys
import threading

import psycopg
import pytest
from psycopg import sql

from ssi.cid import object_cid
from ssi.errors import (
    StoreAccessError,
    StoreCorruptedError,
    StoreError,
    StoreVersionError,
)
from ssi.store import (
    PG_SCHEMA_VERSION,
    ObjectStore,
    PostgresStore,
    open_store,
)
from ssi.store.opening import split_schema

from .objects import many_posts, post, verifier

P0 = post(0, 501)


def _run(url: str, statement: sql.Composable | str, *parameters: object) -> list:
    with psycopg.connect(url, autocommit=True) as connection:
        cursor = connection.execute(statement, parameters or None)
        return cursor.fetchall() if cursor.description else []


def test_open_store_takes_postgresql_urls_with_a_schema(pg_schema):
    with open_store(pg_schema.location) as store:
        assert isinstance(store, PostgresStore)
        assert isinstance(store, ObjectStore)
        assert store.schema == pg_schema.schema
        store.add([P0], verifier=verifier())
    other = pg_schema.location.replace("postgresql://", "postgres://", 1)
    with open_store(other, create=False) as again:
        assert again.get(object_cid(P0)) is not None
    assert repr(again).startswith("PostgresStore(")
    tables = _run(
        pg_schema.url,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
        pg_schema.schema,
    )
    assert {"objects", "store_version", "store_meta", "derived"} <= {
        row[0] for row in tables
    }


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://h/db", ("postgresql://h/db", None)),
        ("postgresql://h/db?schema=hub", ("postgresql://h/db", "hub")),
        (
            "postgresql://u@h:5/db?sslmode=require&schema=s1&application_name=x",
            ("postgresql://u@h:5/db?sslmode=require&application_name=x", "s1"),
        ),
        ("postgres:///db?schema=", ("postgres:///db", "")),
    ],
)
def test_the_schema_parameter_is_taken_out_of_the_url(url, expected):
    assert split_schema(url) == expected


def test_bad_schemas_are_programming_errors(pg_schema):
    with pytest.raises(ValueError, match="schema"):
        split_schema("postgresql://h/db?schema=a&schema=b")
    for bad in ["", "Agora", "1st", "a-b", "a.b", 'a"b', "x" * 49]:
        with pytest.raises(ValueError, match="schema"):
            PostgresStore(pg_schema.url, schema=bad)
    with pytest.raises(ValueError, match="schema"):
        open_store(f"{pg_schema.url}?schema=Bad")
    with pytest.raises(TypeError):
        PostgresStore(pg_schema.url, schema=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="min_size"):
        PostgresStore(pg_schema.url, schema=pg_schema.schema, min_size=3, max_size=2)


def test_without_create_a_missing_store_is_an_access_error(pg_schema):
    with pytest.raises(StoreAccessError) as info:
        PostgresStore(pg_schema.url, schema=pg_schema.schema, create=False)
    assert info.value.code == "storeAccess"
    assert pg_schema.schema in str(info.value)
    assert (
        _run(
            pg_schema.url,
            "SELECT 1 FROM pg_namespace WHERE nspname = %s",
            pg_schema.schema,
        )
        == []
    )
    # An empty schema is not a store either.
    _run(
        pg_schema.url,
        sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(pg_schema.schema)),
    )
    with pytest.raises(StoreAccessError):
        PostgresStore(pg_schema.url, schema=pg_schema.schema, create=False)


def test_a_schema_of_something_else_is_refused_and_left_alone(pg_schema):
    name = sql.Identifier(pg_schema.schema)
    _run(pg_schema.url, sql.SQL("CREATE SCHEMA {}").format(name))
    _run(pg_schema.url, sql.SQL("CREATE TABLE {}.accounts (id int)").format(name))
    with pytest.raises(StoreCorruptedError) as info:
        PostgresStore(pg_schema.url, schema=pg_schema.schema)
    assert info.value.code == "storeCorrupted"
    tables = _run(
        pg_schema.url,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
        pg_schema.schema,
    )
    assert tables == [("accounts",)]


def test_a_newer_store_is_refused(pg_schema):
    PostgresStore(pg_schema.url, schema=pg_schema.schema).close()
    table = sql.Identifier(pg_schema.schema, "store_version")
    _run(
        pg_schema.url,
        sql.SQL("UPDATE {} SET version = %s").format(table),
        PG_SCHEMA_VERSION + 1,
    )
    with pytest.raises(StoreVersionError) as info:
        PostgresStore(pg_schema.url, schema=pg_schema.schema)
    assert info.value.code == "unsupportedStoreVersion"


def test_handles_opening_a_new_schema_at_once_create_it_once(pg_schema):
    """Four threads open the same new schema at the same moment: the
    migration runs once (one cursor key), so every handle reads the cursors
    of every other."""
    start = threading.Barrier(4)
    stores: list[PostgresStore] = []
    failures: list[BaseException] = []

    def open_one() -> None:
        try:
            start.wait(10)
            stores.append(PostgresStore(pg_schema.url, schema=pg_schema.schema))
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert failures == []
        stores[0].add(many_posts(3, offset=600), verifier=verifier())
        cursor = stores[0].query(limit=1).cursor
        for store in stores:
            assert len(store.query(limit=5, cursor=cursor).items) == 2
    finally:
        for store in stores:
            store.close()


def test_a_changed_row_fails_its_cid_check(pg_schema):
    with PostgresStore(pg_schema.url, schema=pg_schema.schema) as store:
        store.add([P0], verifier=verifier())
        table = sql.Identifier(pg_schema.schema, "objects")
        _run(
            pg_schema.url,
            sql.SQL("UPDATE {} SET data = %s").format(table),
            b'{"changed":true}',
        )
        with pytest.raises(StoreCorruptedError):
            store.get(object_cid(P0))


def test_an_unreachable_server_is_an_access_error_without_the_password():
    with socket_closed_port() as port:
        url = f"postgresql://someone:s3cret-word@127.0.0.1:{port}/db"
        with pytest.raises(StoreAccessError) as info:
            open_store(url)
    assert "s3cret-word" not in str(info.value)
    assert f"127.0.0.1:{port}/db" in str(info.value)
    with pytest.raises(StoreError):
        PostgresStore("postgresql://h/db?no_such_option=1&&=")


def socket_closed_port():
    """A context giving a loopback port nothing listens on."""
    import contextlib
    import socket

    @contextlib.contextmanager
    def closed():
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        yield port

    return closed()


def test_a_notification_wakes_the_other_handle(pg_schema):
    """Two stores (two pools, as two hub workers) on one schema: an add on
    one wakes wait_for_new on the other through the notification, without
    the waiter looking at the table again."""
    waiter = PostgresStore(pg_schema.url, schema=pg_schema.schema, max_size=2)
    writer = PostgresStore(pg_schema.url, schema=pg_schema.schema, max_size=2)
    try:
        assert waiter.wait_for_new(0, 0) is False  # starts its listener
        listener = waiter._started_listener()
        while listener.generation() < 0:
            listener.wait_beyond(0, -1, 1.0)
        looks: list[int] = []
        original = waiter.latest_seq

        def counted() -> int:
            looks.append(1)
            return original()

        waiter.latest_seq = counted  # type: ignore[method-assign]
        woken: list[bool] = []
        started = threading.Event()

        def wait() -> None:
            started.set()
            woken.append(waiter.wait_for_new(0, 60))

        thread = threading.Thread(target=wait)
        thread.start()
        started.wait(10)
        while not looks:  # the waiter has looked once, and now waits
            thread.join(0.01)
        writer.add([P0], verifier=verifier())
        thread.join(90)
        assert woken == [True]
        assert len(looks) == 1
    finally:
        waiter.close()
        writer.close()


def test_the_library_imports_and_says_what_is_missing_without_psycopg(
    pg_schema, monkeypatch
):
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(StoreError, match=r"agora\[hub\]"):
        open_store(pg_schema.location)
