"""The reading half of a SQL store, shared by the SQLite and PostgreSQL backends.

:class:`StoreReads` implements ``get``, ``query``, ``count``, ``derived``,
``latest_seq`` and a polling ``wait_for_new`` over one backend operation,
``_read(sql, parameters)``, with ``?`` placeholders (a backend whose driver
writes them otherwise translates them). The SQL and the rows are those of
:mod:`ssi.store.rows`, so both backends answer every query alike.

Spec: docs/store.md
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import ClassVar, Final

from ssi.cid import JSON_CODEC, cid_codec
from ssi.errors import InvalidCIDError, StoreCorruptedError
from ssi.store.base import DEFAULT_LIMIT, MAX_LIMIT, Page, StoredObject
from ssi.store.cursor import CursorCodec
from ssi.store.rows import (
    COLUMNS,
    check_filters,
    parse_records,
    select_sql,
    shown,
    stored_object,
    where_sql,
)
from ssi.types import JsonValue

__all__ = ["POLL_INTERVAL", "StoreReads", "check_wait"]

POLL_INTERVAL: Final = 0.05
"""Seconds between two looks at the latest sequence number while waiting."""


class StoreReads(ABC):
    """Reads for a SQL backend (a mixin): the backend gives ``_read``,
    ``_check_open``, ``_cursors`` (its cursor codec) and ``_location`` (how
    messages name the store).

    Spec: docs/store.md
    """

    _derived_page: ClassVar[int] = 2000  # rows per statement of derived()
    _cursors: CursorCodec
    _location: str

    @abstractmethod
    def _read(self, sql: str, parameters: Sequence[object]) -> list[tuple[object, ...]]:
        """Run one read statement in a consistent snapshot; return its rows."""

    @abstractmethod
    def _check_open(self) -> None:
        """Raise ``StoreError`` when the store was closed."""

    def derived(
        self, name: str, *, type: str | None = None
    ) -> Iterator[tuple[str, JsonValue | None]]:
        """Yield ``(cid, record)`` for every object (of ``type``, if given),
        in insertion order: the record derived under ``name``, or None.

        The documents are neither read nor checked against their CIDs: this
        is the cheap way to read what a deriver kept of each object. Rows
        are read a page at a time (one consistent snapshot per page); objects
        committed while the iterator runs may appear at its end.

        Spec: docs/store.md (Derived records)

        Raises:
            TypeError: ``name`` or ``type`` is not a string.
            StoreCorruptedError: a stored record is not JSON.
            StoreError: the store is closed.
        """
        if not isinstance(name, str) or not (type is None or isinstance(type, str)):
            raise TypeError("name and type must be strings")
        self._check_open()
        return self._derived_rows(name, type)

    def _derived_rows(
        self, name: str, type_: str | None
    ) -> Iterator[tuple[str, JsonValue | None]]:
        if type_ is None:
            sql = (
                "SELECT o.seq, o.cid, d.record FROM objects o LEFT JOIN derived d "
                "ON d.seq = o.seq AND d.name = ? WHERE o.seq > ? ORDER BY o.seq "
                "LIMIT ?"
            )
            fixed: list[object] = [name]
        else:
            sql = (
                # The CID comes with the record (objects' rows, which hold the
                # documents, are read only for objects without one).
                "SELECT t.seq, coalesce(d.cid, "
                "(SELECT o.cid FROM objects o WHERE o.seq = t.seq)), d.record "
                "FROM object_types t "
                "LEFT JOIN derived d ON d.seq = t.seq AND d.name = ? "
                "WHERE t.type = ? AND t.seq > ? ORDER BY t.seq LIMIT ?"
            )
            fixed = [name, type_]
        after = 0
        while True:
            rows = self._read(sql, [*fixed, after, self._derived_page])
            yield from zip(
                (str(row[1]) for row in rows),
                parse_records(rows, name, self._location),
                strict=True,
            )
            if len(rows) < self._derived_page:
                return
            after = int(str(rows[-1][0]))

    def get(self, cid: str) -> StoredObject | None:
        """Return the object with this CID, or None when it is not stored.

        Spec: docs/store.md

        Raises:
            InvalidCIDError: ``cid`` is not a CID of an object (json codec).
            StoreCorruptedError: the stored bytes no longer match the CID.
            StoreError: the store is closed.
        """
        if cid_codec(cid) != JSON_CODEC:
            raise InvalidCIDError(f"{shown(cid)} is not the CID of an object.")
        # Only fixed column lists and "?" placeholders are ever put into the SQL.
        sql = f"SELECT {COLUMNS} FROM objects o WHERE o.cid = ?"  # noqa: S608
        rows = self._read(sql, [cid])
        return stored_object(rows[0], self._location, {}) if rows else None

    def query(
        self,
        *,
        type: str | None = None,
        author: str | None = None,
        community: str | None = None,
        reply_to: str | None = None,
        refers_to: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> Page:
        """Return objects matching every filter given, in insertion order.

        ``since`` is inclusive and ``until`` exclusive; with either, objects
        without a time are left out. ``cursor`` (from an earlier page of the
        same query) resumes after that page's last object.

        Spec: docs/store.md (Queries, Cursors)

        Raises:
            TypeError: a filter has the wrong type; ``limit`` is not an int.
            ValueError: ``limit`` is not between 1 and ``MAX_LIMIT``; a time
                has no timezone.
            InvalidCIDError: ``reply_to`` or ``refers_to`` is not a CID.
            InvalidCursorError: the cursor was not issued by this store for
                these filters.
            StoreCorruptedError: a stored object no longer matches its CID.
            StoreError: the store is closed.
        """
        if not isinstance(limit, int) or isinstance(limit, bool):
            raise TypeError("limit must be an int")
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
        filters = check_filters(
            type, author, community, reply_to, refers_to, since, until
        )
        after = 0 if cursor is None else self._cursors.decode(cursor, filters)
        sql, parameters = select_sql(filters, after)
        rows = self._read(sql, [*parameters, limit + 1])
        lists: dict[str, tuple[str, ...]] = {}
        items = tuple(stored_object(row, self._location, lists) for row in rows[:limit])
        if items:
            cursor = self._cursors.encode(items[-1].seq, filters)
        return Page(items=items, cursor=cursor, more=len(rows) > limit)

    def count(
        self,
        *,
        type: str | None = None,
        author: str | None = None,
        community: str | None = None,
        reply_to: str | None = None,
        refers_to: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> int:
        """Return how many objects match every filter given.

        Spec: docs/store.md (Queries)

        Raises:
            TypeError, ValueError, InvalidCIDError: as :meth:`query`.
            StoreError: the store is closed.
        """
        filters = check_filters(
            type, author, community, reply_to, refers_to, since, until
        )
        where, parameters = where_sql(filters, 0)
        sql = f"SELECT count(*) FROM objects o {where}"  # noqa: S608
        rows = self._read(sql, parameters)
        total = rows[0][0]
        if not isinstance(total, int):
            raise StoreCorruptedError(
                f"{self._location} answered a count with no number."
            )
        return total

    def latest_seq(self) -> int:
        """Return the largest sequence number stored, 0 when the store is empty.

        Spec: docs/store.md (Following a store)

        Raises:
            StoreError: the store is closed.
        """
        rows = self._read("SELECT coalesce(max(seq), 0) FROM objects", [])
        latest = rows[0][0]
        if not isinstance(latest, int):
            raise StoreCorruptedError(
                f"{self._location} answered a sequence number with no number."
            )
        return latest

    def wait_for_new(self, after_seq: int, timeout: float) -> bool:
        """Wait until an object with a sequence number above ``after_seq`` is
        stored (by any handle or process); return True as soon as one is,
        False when ``timeout`` seconds pass first.

        This default looks at :meth:`latest_seq` every
        :data:`POLL_INTERVAL` seconds.

        Spec: docs/store.md (Following a store)

        Raises:
            TypeError: ``after_seq`` is not an int or ``timeout`` not a number.
            ValueError: ``timeout`` is negative.
            StoreError: the store is closed.
        """
        deadline = check_wait(after_seq, timeout)
        while True:
            if self.latest_seq() > after_seq:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(POLL_INTERVAL, left))


def check_wait(after_seq: int, timeout: float) -> float:
    """Check ``wait_for_new``'s arguments; return its deadline (monotonic).

    Raises:
        TypeError: ``after_seq`` is not an int or ``timeout`` not a number.
        ValueError: ``timeout`` is negative.
    """
    if not isinstance(after_seq, int) or isinstance(after_seq, bool):
        raise TypeError("after_seq must be an int")
    if not isinstance(timeout, int | float) or isinstance(timeout, bool):
        raise TypeError("timeout must be a number of seconds")
    if not timeout >= 0:
        raise ValueError("timeout must be at least 0")
    return time.monotonic() + timeout
