"""The hub's log book (hub.logbook): one validated did:agora history per DID,
extended by longer logs, forks refused, kept in a file beside an SQLite
store."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.logbook import (
    LOGS_SUFFIX,
    MemoryLogBook,
    PostgresLogBook,
    SQLiteLogBook,
    logs_location,
    open_logbook,
)
from ssi.agora import threshold_update_entry
from ssi.errors import DuplicityError, InvalidDIDLogError
from tests.pg import fresh_schema
from tests.unit.agora.builders import at
from tests.unit.agora.test_threshold import (
    DID,
    DOCUMENT,
    FIRST,
    LOG,
    UPDATED,
    signed,
)

SECOND = signed(UPDATED, 32, 33)
FORK = signed(threshold_update_entry(LOG, DOCUMENT, when=at(1.5)), 31, 32)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def book(request, tmp_path):
    if request.param == "memory":
        yield MemoryLogBook()
        return
    if request.param == "postgres":
        with fresh_schema() as schema:
            opened = open_logbook(schema.location)
            assert isinstance(opened, PostgresLogBook)
            yield opened
            opened.close()
        return
    opened = SQLiteLogBook(tmp_path / "logs.sqlite")
    yield opened
    opened.close()


def test_a_longer_log_extends_the_history_and_a_shorter_one_adds_nothing(book):
    assert book.entries(DID) is None
    assert book.record([FIRST]) == "stored"
    assert book.record([FIRST, SECOND]) == "stored"
    assert book.record([FIRST]) == "present"
    assert book.entries(DID) == [FIRST, SECOND]
    assert book.logs_for(DID) == [[FIRST, SECOND]]
    assert book.logs_for("did:agora:zNothing") == []


def test_a_fork_is_refused_as_duplicity_and_the_history_kept(book):
    book.record([FIRST, SECOND])
    with pytest.raises(DuplicityError):
        book.record([FIRST, FORK])
    assert book.entries(DID) == [FIRST, SECOND]


@pytest.mark.parametrize("entries", [[], ["not an entry"], [{"nothing": 1}]])
def test_a_broken_log_is_refused(book, entries):
    with pytest.raises(InvalidDIDLogError):
        book.record(entries)


def test_the_sqlite_book_keeps_logs_across_openings(tmp_path):
    first = SQLiteLogBook(tmp_path / "logs.sqlite")
    first.record([FIRST, SECOND])
    first.close()
    again = SQLiteLogBook(tmp_path / "logs.sqlite")
    assert again.entries(DID) == [FIRST, SECOND]
    again.close()


def test_an_sqlite_store_gets_a_log_file_beside_it_and_others_memory(tmp_path):
    store = tmp_path / "hub.sqlite"
    assert logs_location(str(store)) == tmp_path / ("hub.sqlite" + LOGS_SUFFIX)
    assert logs_location(f"sqlite:///{store}") == Path(f"{store}{LOGS_SUFFIX}")
    assert logs_location("postgresql://127.0.0.1/test") is None
    assert isinstance(open_logbook(":memory:"), MemoryLogBook)
    opened = open_logbook(f"sqlite:///{store}")
    assert isinstance(opened, SQLiteLogBook)
    opened.close()


def test_two_postgres_books_on_one_schema_share_the_logs():
    with fresh_schema() as schema:
        first, second = open_logbook(schema.location), open_logbook(schema.location)
        try:
            first.record([FIRST])
            assert second.record([FIRST, SECOND]) == "stored"
            assert first.entries(DID) == [FIRST, SECOND]
            with pytest.raises(DuplicityError):
                first.record([FIRST, FORK])
        finally:
            first.close()
            second.close()
