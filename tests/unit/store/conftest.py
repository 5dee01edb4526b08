"""The store suite runs against every backend: each test that takes
``open_backend`` (or ``store``) runs once per backend, SQLite in a fresh
file and PostgreSQL in a fresh schema (tests/pg.py: a real server, or the
test fails saying how to provide one)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ssi.store import ObjectStore, PostgresStore, SQLiteStore
from tests.pg import Schema, pg_schema

__all__ = ["BACKENDS", "Opener", "open_backend", "pg_schema", "store"]

Opener = Callable[[], ObjectStore]

BACKENDS = ("postgres", "sqlite")


@pytest.fixture(params=BACKENDS)
def open_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens (again) one fresh store of the backend; every store opened is
    closed after the test."""
    make: Opener
    if request.param == "postgres":
        schema: Schema = request.getfixturevalue("pg_schema")
        make = lambda: PostgresStore(  # noqa: E731
            schema.url, schema=schema.schema, max_size=4
        )
    else:
        path = tmp_path / "store.sqlite"
        make = lambda: SQLiteStore(path)  # noqa: E731
    opened: list[ObjectStore] = []

    def opener() -> ObjectStore:
        store = make()
        opened.append(store)
        return store

    yield opener
    for store in opened:
        store.close()


@pytest.fixture
def store(open_backend: Opener) -> ObjectStore:
    return open_backend()
