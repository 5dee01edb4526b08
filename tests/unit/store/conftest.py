"""The store suite runs against every backend: each test that takes
``open_backend`` runs once per backend (today SQLite; PostgreSQL joins when
the hub brings it, with a fixture that opens a fresh database)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ssi.store import ObjectStore, SQLiteStore

Opener = Callable[[], ObjectStore]


def _sqlite(tmp_path: Path) -> Opener:
    path = tmp_path / "store.sqlite"
    return lambda: SQLiteStore(path)


BACKENDS = {"sqlite": _sqlite}


@pytest.fixture(params=sorted(BACKENDS))
def open_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens (again) one fresh store of the backend; every store opened is
    closed after the test."""
    make = BACKENDS[request.param](tmp_path)
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
