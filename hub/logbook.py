"""The hub's did:agora logs: one validated history per DID, kept beside the store.

A did:agora log is not a credential, so the object store (which keeps only
objects that verify as credentials or presentations) cannot hold it. The
hub keeps logs in a log book instead: :meth:`LogBook.record` validates a log
(``ssi.agora.resolve_log``, together with the history already kept, so a
fork is refused as duplicity) and keeps the longer history; a log book is
also a ``LogSource``, so the hub's verifier resolves did:agora signers from
it. ``GET /dids/{did}/log`` serves the kept history as JSON Lines.

Backends: :class:`SQLiteLogBook` (a table in a file of its own beside an
SQLite store, ``<store file>-logs``), :class:`PostgresLogBook` (a table
``did_logs`` in a PostgreSQL store's schema, shared by every worker) and
:class:`MemoryLogBook`. :func:`open_logbook` picks one for a store location.

Spec: docs/hub.md (Views: did:agora logs)
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Final, Protocol

from fastapi import Request

from hub.state import hub_state
from ssi.agora import did_for_inception, resolve_log
from ssi.errors import InvalidDIDLogError, StoreAccessError, StoreError
from ssi.types import JsonObject, JsonValue

__all__ = [
    "LOGS_SUFFIX",
    "AnyLogBook",
    "LogBook",
    "MemoryLogBook",
    "PostgresLogBook",
    "SQLiteLogBook",
    "hub_logbook",
    "logs_location",
    "open_logbook",
]

LOGS_SUFFIX: Final = "-logs"
"""Appended to an SQLite store's file name to name its log book's file."""

_SQLITE_URL: Final = "sqlite:///"


class LogBook(Protocol):
    """Where a hub keeps did:agora logs (one validated history per DID).

    Spec: docs/hub.md (Views: did:agora logs)
    """

    def record(self, entries: Sequence[JsonValue]) -> str:
        """Validate a log and keep it when it extends the history kept.

        Returns ``"stored"`` (new or longer), or ``"present"`` (nothing new).

        Raises:
            InvalidDIDLogError: the log is broken, or forks from the kept one
                (``DuplicityError``).
            LogTooLargeError: the log is over the limits.
        """
        ...

    def entries(self, did: str) -> list[JsonObject] | None:
        """Return the kept history of ``did``, or None when none is kept."""
        ...

    def logs_for(self, did: str) -> list[list[JsonValue]]:
        """Return the kept log of ``did`` as a ``LogSource`` does (maybe none)."""
        ...


def _merged(
    entries: Sequence[JsonValue], kept: list[JsonObject] | None
) -> tuple[str, list[JsonObject] | None]:
    """The DID of ``entries`` and the history to keep (None: keep ``kept``).

    Raises:
        InvalidDIDLogError: as :meth:`LogBook.record`.
    """
    first = entries[0] if entries else None
    if not isinstance(first, dict):
        raise InvalidDIDLogError("the log has no first entry to create a DID.")
    did = did_for_inception(first)
    logs: list[Sequence[JsonValue]] = [entries]
    if kept is not None:
        logs.append(list(kept))
    best = resolve_log(did, logs).entries()
    if kept is not None and len(best) <= len(kept):
        return did, None
    return did, best


class MemoryLogBook:
    """Logs kept in this process only (tests, and stores with no file).

    Spec: docs/hub.md (Views: did:agora logs)
    """

    def __init__(self) -> None:
        self._logs: dict[str, list[JsonObject]] = {}
        self._lock = threading.Lock()

    def record(self, entries: Sequence[JsonValue]) -> str:
        """Validate a log and keep it when it extends the history kept.

        Raises:
            InvalidDIDLogError: as :meth:`LogBook.record`.
        """
        with self._lock:
            first = entries[0] if entries else None
            did = did_for_inception(first) if isinstance(first, dict) else ""
            did, best = _merged(entries, self._logs.get(did))
            if best is None:
                return "present"
            self._logs[did] = best
            return "stored"

    def entries(self, did: str) -> list[JsonObject] | None:
        """Return the kept history of ``did``, or None."""
        with self._lock:
            found = self._logs.get(did)
            return None if found is None else list(found)

    def logs_for(self, did: str) -> list[list[JsonValue]]:
        """Return the kept log of ``did`` (maybe none)."""
        found = self.entries(did)
        return [] if found is None else [list(found)]

    def close(self) -> None:
        """Nothing to release (for symmetry with :class:`SQLiteLogBook`)."""


class SQLiteLogBook:
    """Logs kept in an SQLite file (table ``did_logs``: DID, entries as JSON).

    Args:
        path: the file (created when missing).

    Spec: docs/hub.md (Views: did:agora logs)

    Raises:
        StoreAccessError: the file cannot be opened.
    """

    def __init__(self, path: Path | str) -> None:
        try:
            self._db = sqlite3.connect(
                str(path), timeout=30.0, check_same_thread=False, isolation_level=None
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS did_logs ("
                "did TEXT PRIMARY KEY, length INTEGER NOT NULL, entries TEXT NOT NULL)"
            )
        except sqlite3.Error as exc:
            raise StoreAccessError(f"cannot open the log book {path}: {exc}") from exc
        self._lock = threading.Lock()

    def record(self, entries: Sequence[JsonValue]) -> str:
        """Validate a log and keep it when it extends the history kept.

        Raises:
            InvalidDIDLogError: as :meth:`LogBook.record`.
            StoreAccessError: the file cannot be written.
        """
        first = entries[0] if entries else None
        did = did_for_inception(first) if isinstance(first, dict) else ""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    did, best = _merged(entries, self._read(did))
                    if best is not None:
                        self._db.execute(
                            "INSERT OR REPLACE INTO did_logs VALUES (?, ?, ?)",
                            (did, len(best), json.dumps(best, separators=(",", ":"))),
                        )
                finally:
                    self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise StoreAccessError(f"cannot write the log book: {exc}") from exc
        return "present" if best is None else "stored"

    def _read(self, did: str) -> list[JsonObject] | None:
        row = self._db.execute(
            "SELECT entries FROM did_logs WHERE did = ?", (did,)
        ).fetchone()
        if row is None:
            return None
        value = json.loads(row[0])
        return [entry for entry in value if isinstance(entry, dict)]

    def entries(self, did: str) -> list[JsonObject] | None:
        """Return the kept history of ``did``, or None.

        Raises:
            StoreAccessError: the file cannot be read.
        """
        with self._lock:
            try:
                return self._read(did)
            except sqlite3.Error as exc:
                raise StoreAccessError(f"cannot read the log book: {exc}") from exc

    def logs_for(self, did: str) -> list[list[JsonValue]]:
        """Return the kept log of ``did`` (maybe none)."""
        found = self.entries(did)
        return [] if found is None else [list(found)]

    def close(self) -> None:
        """Close the file."""
        self._db.close()


class PostgresLogBook:
    """Logs kept in a table ``did_logs`` of a PostgreSQL store's schema (the
    same columns as :class:`SQLiteLogBook`); a record locks the DID's row,
    so workers extending one log in turn never lose an entry.

    Args:
        url: the server's URL (libpq).
        schema: the store's schema (created when missing).

    Spec: docs/hub.md (Views: did:agora logs)

    Raises:
        StoreAccessError: the server cannot be reached or written.
        StoreError: psycopg is not installed.
    """

    def __init__(self, url: str, *, schema: str) -> None:
        from ssi.store.pg_schema import check_schema_name

        try:
            import psycopg
            from psycopg import sql
        except ImportError as exc:
            raise StoreError("psycopg is needed for a PostgreSQL log book.") from exc
        self._error = psycopg.Error
        self._table = sql.Identifier(check_schema_name(schema), "did_logs")
        self._lock = threading.Lock()
        try:
            self._db = psycopg.connect(url, autocommit=True)
            self._db.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema))
            )
            self._db.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (did TEXT PRIMARY KEY, "
                    "length INTEGER NOT NULL, entries TEXT NOT NULL)"
                ).format(self._table)
            )
        except psycopg.Error as exc:
            raise StoreAccessError(f"cannot open the log book: {exc}") from exc

    def _read(self, did: str, *, lock: bool = False) -> list[JsonObject] | None:
        from psycopg import sql

        query = sql.SQL("SELECT entries FROM {} WHERE did = %s").format(self._table)
        if lock:
            query = query + sql.SQL(" FOR UPDATE")
        row = self._db.execute(query, (did,)).fetchone()
        if row is None:
            return None
        value = json.loads(str(row[0]))
        return [entry for entry in value if isinstance(entry, dict)]

    def record(self, entries: Sequence[JsonValue]) -> str:
        """Validate a log and keep it when it extends the history kept.

        Raises:
            InvalidDIDLogError: as :meth:`LogBook.record`.
            StoreAccessError: the server cannot be written.
        """
        from psycopg import sql

        first = entries[0] if entries else None
        did = did_for_inception(first) if isinstance(first, dict) else ""
        with self._lock:
            try:
                with self._db.transaction():
                    # Lock the row (or, for a new DID, insert it first).
                    self._db.execute(
                        sql.SQL(
                            "INSERT INTO {} VALUES (%s, 0, '[]') "
                            "ON CONFLICT (did) DO NOTHING"
                        ).format(self._table),
                        (did,),
                    )
                    kept = self._read(did, lock=True) or None
                    did, best = _merged(entries, kept)
                    if best is not None:
                        self._db.execute(
                            sql.SQL(
                                "UPDATE {} SET length = %s, entries = %s WHERE did = %s"
                            ).format(self._table),
                            (len(best), json.dumps(best, separators=(",", ":")), did),
                        )
            except self._error as exc:
                raise StoreAccessError(f"cannot write the log book: {exc}") from exc
        return "present" if best is None else "stored"

    def entries(self, did: str) -> list[JsonObject] | None:
        """Return the kept history of ``did``, or None.

        Raises:
            StoreAccessError: the server cannot be read.
        """
        with self._lock:
            try:
                return self._read(did) or None
            except self._error as exc:
                raise StoreAccessError(f"cannot read the log book: {exc}") from exc

    def logs_for(self, did: str) -> list[list[JsonValue]]:
        """Return the kept log of ``did`` (maybe none)."""
        found = self.entries(did)
        return [] if found is None else [list(found)]

    def close(self) -> None:
        """Close the connection."""
        self._db.close()


AnyLogBook = SQLiteLogBook | PostgresLogBook | MemoryLogBook
"""The log books :func:`open_logbook` opens."""


def logs_location(store_location: str) -> Path | None:
    """Return the log book's file for an SQLite store location (a path or a
    ``sqlite:///`` URL); None for other locations (a PostgreSQL URL).

    Spec: docs/hub.md (Views: did:agora logs)
    """
    if store_location.startswith(_SQLITE_URL):
        store_location = store_location[len(_SQLITE_URL) :]
    elif "://" in store_location:
        return None
    if not store_location or store_location == ":memory:":
        return None
    path = Path(store_location)
    return path.with_name(path.name + LOGS_SUFFIX)


def open_logbook(store_location: str) -> AnyLogBook:
    """Open the log book that goes with a store location.

    An SQLite store's logs go to ``<file>-logs`` beside it, a PostgreSQL
    store's to the table ``did_logs`` of its schema; a store with no file
    (``:memory:``) gets a log book in memory.

    Spec: docs/hub.md (Views: did:agora logs)

    Raises:
        StoreAccessError: the file cannot be opened.
    """
    if store_location.startswith(("postgresql://", "postgres://")):
        from ssi.store.opening import split_schema
        from ssi.store.postgres import DEFAULT_SCHEMA

        url, schema = split_schema(store_location)
        return PostgresLogBook(url, schema=schema or DEFAULT_SCHEMA)
    path = logs_location(store_location)
    return MemoryLogBook() if path is None else SQLiteLogBook(path)


def hub_logbook(request: Request) -> AnyLogBook:
    """Return the log book of the hub serving ``request``, opening it (for
    the store its settings name) on first use and keeping it in
    ``app.state.hub_logs``.

    Spec: docs/hub.md (Views: did:agora logs)

    Raises:
        StoreAccessError: the file cannot be opened.
        RuntimeError: the app has no hub state.
    """
    kept = hub_state(request).logbook
    if kept is not None:
        return kept
    found = getattr(request.app.state, "hub_logs", None)
    if isinstance(found, _BOOKS):
        return found
    with _OPENING:
        found = getattr(request.app.state, "hub_logs", None)
        if not isinstance(found, _BOOKS):
            found = open_logbook(hub_state(request).settings.db)
            request.app.state.hub_logs = found
        return found


_OPENING: Final = threading.Lock()
_BOOKS: Final = (SQLiteLogBook, PostgresLogBook, MemoryLogBook)
