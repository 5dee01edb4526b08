"""The hub's object store: one PostgreSQL schema, through psycopg 3 and its pool.

:class:`PostgresStore` implements :class:`~ssi.store.ObjectStore` with the
same semantics as :class:`~ssi.store.SQLiteStore` (the same intake, SQL,
rows and cursors; the same test suite). Each ``add`` inserts in one
transaction that first takes ``LOCK TABLE objects IN EXCLUSIVE MODE``:
writers take turns (readers never wait), so sequence numbers, drawn under
that lock, grow in commit order and a cursor never skips an object. The
transaction ends with a ``NOTIFY`` on the channel ``<schema>.agora_objects``
carrying the largest sequence number it stored; :meth:`wait_for_new` is
woken by it, through one listening connection per store handle.

psycopg is imported when a store is opened, not with this module: the
library works without it (``pip install agora[hub]`` brings it).

Spec: docs/store.md (Locations, Schema (PostgreSQL), Following a store)
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor
from types import TracebackType
from typing import TYPE_CHECKING, Final, Self

from ssi.credentials import Verifier
from ssi.errors import (
    StoreAccessError,
    StoreCorruptedError,
    StoreError,
)
from ssi.store.base import AddResult, Deriver
from ssi.store.cursor import CursorCodec
from ssi.store.intake import VerifiedObject, add_objects
from ssi.store.migrations import CURSOR_KEY
from ssi.store.pg_listen import Listener
from ssi.store.pg_schema import check_schema_name, migrate_schema
from ssi.store.reading import StoreReads, check_wait
from ssi.store.rows import json_list, micros
from ssi.types import JsonValue

if TYPE_CHECKING:
    import psycopg
    from psycopg_pool import ConnectionPool

__all__ = ["CHANNEL", "DEFAULT_SCHEMA", "PostgresStore"]

DEFAULT_SCHEMA: Final = "agora"
"""The schema a store lives in unless told otherwise."""

CHANNEL: Final = "agora_objects"
"""The notification channel's name, after the schema's: ``<schema>.agora_objects``."""

_CONNECT_TIMEOUT: Final = 10  # seconds to reach the server when opening


@contextlib.contextmanager
def pg_errors(location: str) -> Iterator[None]:
    """Turn psycopg's and the pool's exceptions into the store's errors."""
    import psycopg
    import psycopg_pool

    try:
        yield
    except psycopg_pool.PoolClosed as exc:
        raise StoreError(f"the store {location} is closed.") from exc
    except psycopg_pool.PoolTimeout as exc:
        raise StoreAccessError(
            f"cannot use the store {location}: no connection to the server."
        ) from exc
    except psycopg.Error as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        reason = reason.rstrip(".")
        if isinstance(
            exc, psycopg.errors.DataCorrupted | psycopg.errors.IndexCorrupted
        ):
            raise StoreCorruptedError(f"{location} is damaged ({reason}).") from exc
        if isinstance(
            exc, psycopg.OperationalError | psycopg.errors.InsufficientPrivilege
        ):
            raise StoreAccessError(
                f"cannot use the store {location}: {reason}."
            ) from exc
        raise StoreError(f"the store {location} failed: {reason}.") from exc


def describe(url: str, schema: str) -> str:
    """Name a store for messages: server, database and schema, never the
    user's password.

    Raises:
        StoreError: ``url`` is not a PostgreSQL connection string.
    """
    from psycopg import ProgrammingError
    from psycopg.conninfo import conninfo_to_dict

    try:
        params = conninfo_to_dict(url)
    except ProgrammingError as exc:
        raise StoreError("the PostgreSQL location is not a valid URL.") from exc
    host = str(params.get("host") or "localhost")
    port = params.get("port")
    database = str(params.get("dbname") or "")
    server = host if port is None else f"{host}:{port}"
    return f"postgresql://{server}/{database} schema {schema}"


class PostgresStore(StoreReads):
    """The hub's :class:`~ssi.store.ObjectStore`: one schema of a PostgreSQL
    database, used through a connection pool (so threads use it at once).

    Open it with :func:`ssi.store.open_store` (``postgresql://...?schema=NAME``)
    or directly. Several handles, in several processes, may use one schema:
    writers take turns, readers never wait, and an ``add`` on one wakes
    :meth:`wait_for_new` on every other.

    Args:
        url: a libpq connection URL (``postgresql://user@host:5432/db``) or
            connection string.
        schema: the schema the store lives in (lower-case letters, digits,
            ``_``; at most 48 characters); created when missing.
        min_size: connections the pool keeps open.
        max_size: the most connections the pool opens.
        create: create the schema and its tables when missing; with False,
            a missing store is a ``StoreAccessError``.

    Spec: docs/store.md

    Raises:
        TypeError, ValueError: a bad schema name or pool size.
        StoreError: psycopg is not installed; ``url`` is not a PostgreSQL URL.
        StoreAccessError: the server cannot be reached or refuses the user;
            the store is missing and ``create`` is False.
        StoreCorruptedError: the schema holds tables of something else.
        StoreVersionError: the store's schema is newer than this code knows.
    """

    def __init__(
        self,
        url: str,
        *,
        schema: str = DEFAULT_SCHEMA,
        min_size: int = 1,
        max_size: int = 8,
        create: bool = True,
    ) -> None:
        if not isinstance(url, str):
            raise TypeError("url must be a string")
        self._schema = check_schema_name(schema)
        if not (isinstance(min_size, int) and isinstance(max_size, int)):
            raise TypeError("min_size and max_size must be ints")
        if not 0 <= min_size <= max_size or max_size < 1:
            raise ValueError("the pool needs 0 <= min_size <= max_size, max_size >= 1")
        self._pool: ConnectionPool[psycopg.Connection[tuple[object, ...]]] | None = None
        self._listener: Listener | None = None
        self._lock = threading.Lock()
        try:
            import psycopg
            import psycopg_pool
        except ImportError as exc:
            raise StoreError(
                "the PostgreSQL store needs psycopg 3 and psycopg_pool "
                "(pip install 'agora[hub]')."
            ) from exc
        self._url = url
        self._location = describe(url, self._schema)
        self._channel = f"{self._schema}.{CHANNEL}"
        with pg_errors(self._location):
            with psycopg.connect(
                url, autocommit=True, connect_timeout=_CONNECT_TIMEOUT
            ) as connection:
                migrate_schema(connection, self._schema, self._location, create=create)
                connection.execute(self._set_path())
                row = connection.execute(
                    "SELECT value FROM store_meta WHERE name = %s", (CURSOR_KEY,)
                ).fetchone()
            if row is None or not isinstance(row[0], bytes):
                raise StoreCorruptedError(f"{self._location} has lost its cursor key.")
            self._cursors = CursorCodec(row[0])
            pool = psycopg_pool.ConnectionPool(
                url,
                min_size=min_size,
                max_size=max_size,
                kwargs={"autocommit": True, "connect_timeout": _CONNECT_TIMEOUT},
                configure=self._configure,
                open=False,
                name=f"agora-store-{self._schema}",
            )
            pool.open(wait=False)
        self._pool = pool

    def _set_path(self) -> psycopg.sql.Composed:
        from psycopg import sql

        return sql.SQL("SET search_path TO {}").format(sql.Identifier(self._schema))

    def _configure(self, connection: psycopg.Connection[tuple[object, ...]]) -> None:
        connection.execute(self._set_path())

    @property
    def schema(self) -> str:
        """The schema the store lives in."""
        return self._schema

    def __repr__(self) -> str:
        return f"PostgresStore({self._location!r})"

    # --- ObjectStore ------------------------------------------------------------

    def add(
        self,
        documents: Iterable[JsonValue | str | bytes],
        *,
        verifier: Verifier,
        executor: Executor | None = None,
        derive: Deriver | None = None,
    ) -> list[AddResult]:
        """Verify objects and store those that verified, in one transaction.

        As :meth:`ssi.store.SQLiteStore.add`: one result per input, in order;
        bad input is rejected, never raised; verification runs before the
        table lock is taken; the transaction (objects, index rows, derived
        records and the notification) commits before this returns.

        Spec: docs/store.md (Adding objects, Derived records)

        Raises:
            TypeError: ``verifier`` is not an ``ssi.Verifier``; ``derive``
                is not a deriver, or returned what JSON cannot write.
            ValueError: the deriver's name is empty or too long.
            StoreAccessError: the server cannot be reached or written.
            StoreError: the store is closed.
        """
        return add_objects(
            documents,
            verifier=verifier,
            executor=executor,
            present=self._present,
            insert=self._insert,
            derive=derive,
        )

    def wait_for_new(self, after_seq: int, timeout: float) -> bool:
        """Wait until an object with a sequence number above ``after_seq`` is
        stored (by any handle or process); return True as soon as one is,
        False when ``timeout`` seconds pass first.

        Woken by the notification each ``add`` sends; while the listening
        connection is down (it reconnects), this looks at :meth:`latest_seq`
        every second instead.

        Spec: docs/store.md (Following a store)

        Raises:
            TypeError: ``after_seq`` is not an int or ``timeout`` not a number.
            ValueError: ``timeout`` is negative.
            StoreError: the store is closed.
            StoreAccessError: the server cannot be reached.
        """
        deadline = check_wait(after_seq, timeout)
        listener = self._started_listener()
        seen: int | None = None
        while True:
            generation = listener.generation()
            if generation != seen or generation < 0:
                # Listening since before this look: a later commit notifies.
                if self.latest_seq() > after_seq:
                    return True
                seen = generation
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            wait = left if generation >= 0 else min(left, 1.0)
            if listener.wait_beyond(after_seq, generation, wait):
                return True

    def close(self) -> None:
        """Close the pool and the listening connection; later calls raise
        ``StoreError``. Closing twice is fine."""
        with self._lock:
            pool, self._pool = self._pool, None
            listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()
        if pool is not None:
            pool.close()

    def __enter__(self) -> Self:
        """Return the store itself."""
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        """Close the store."""
        self.close()

    # --- Backend operations -------------------------------------------------------

    def _open_pool(self) -> ConnectionPool[psycopg.Connection[tuple[object, ...]]]:
        pool = self._pool
        if pool is None:
            raise StoreError(f"the store {self._location} is closed.")
        return pool

    def _check_open(self) -> None:
        self._open_pool()

    def _started_listener(self) -> Listener:
        with self._lock:
            if self._pool is None:
                raise StoreError(f"the store {self._location} is closed.")
            if self._listener is None:
                self._listener = Listener(self._url, self._channel)
            return self._listener

    def _read(self, sql: str, parameters: Sequence[object]) -> list[tuple[object, ...]]:
        pool = self._open_pool()
        with pg_errors(self._location), pool.connection() as connection:
            return connection.execute(sql.replace("?", "%s"), parameters).fetchall()

    def _present(self, cids: Sequence[str]) -> set[str]:
        rows = self._read("SELECT cid FROM objects WHERE cid = ANY(?)", [list(cids)])
        return {str(row[0]) for row in rows}

    def _insert(self, objects: Sequence[VerifiedObject]) -> set[str]:
        """Insert in one transaction; return the CIDs that were not there yet.

        Each table takes one statement over arrays (``unnest``), whatever
        the number of objects; objects are inserted in the given order, so
        their sequence numbers grow in it."""
        stored: set[str] = set()
        types: list[tuple[str, int]] = []
        refs: list[tuple[str, int]] = []
        records: list[tuple[int, str, str, str]] = []
        if not objects:
            return stored
        pool = self._open_pool()
        with pg_errors(self._location), pool.connection() as connection:
            with connection.transaction(), connection.cursor() as cursor:
                # Writers take turns from here to the commit, so sequence
                # numbers grow in commit order; readers are not blocked.
                cursor.execute("LOCK TABLE objects IN EXCLUSIVE MODE")
                columns = list(zip(*(_row(item) for item in objects), strict=True))
                cursor.execute(_INSERT_OBJECTS, [list(column) for column in columns])
                seqs = {str(cid): int(str(seq)) for seq, cid in cursor.fetchall()}
                for item in objects:
                    seq = seqs.get(item.cid)
                    if seq is None:
                        continue
                    stored.add(item.cid)
                    types.extend((name, seq) for name in item.index.types)
                    refs.extend((ref, seq) for ref in item.index.refers_to)
                    records.extend(
                        (seq, name, item.cid, text) for name, text in item.records
                    )
                if not stored:
                    return stored
                _insert_many(
                    cursor,
                    "INSERT INTO object_types (type, seq) "
                    "SELECT * FROM unnest(%b::text[], %b::bigint[])",
                    types,
                )
                _insert_many(
                    cursor,
                    "INSERT INTO object_refs (cid, seq) "
                    "SELECT * FROM unnest(%b::text[], %b::bigint[])",
                    refs,
                )
                _insert_many(
                    cursor,
                    "INSERT INTO derived (seq, name, cid, record) SELECT * FROM "
                    "unnest(%b::bigint[], %b::text[], %b::text[], %b::text[])",
                    records,
                )
                cursor.execute(
                    "SELECT pg_notify(%s, %s)", (self._channel, str(max(seqs.values())))
                )
        return stored


_INSERT_OBJECTS: Final = (
    "INSERT INTO objects (cid, data, types, author, community, reply_to, time, "
    "refers_to) SELECT cid, data, types, author, community, reply_to, time, "
    "refers_to FROM unnest(%b::text[], %b::bytea[], %b::text[], %b::text[], "
    "%b::text[], %b::text[], %b::bigint[], %b::text[]) WITH ORDINALITY AS given "
    "(cid, data, types, author, community, reply_to, time, refers_to, position) "
    "ORDER BY position ON CONFLICT (cid) DO NOTHING RETURNING seq, cid"
)
"""Inserts a batch of objects, one array per column, in the arrays' order;
returns the sequence number and CID of each object stored now."""


def _row(item: VerifiedObject) -> tuple[object, ...]:
    index = item.index
    return (
        item.cid,
        item.data,
        json_list(index.types),
        index.author,
        index.community,
        index.reply_to,
        None if index.time is None else micros(index.time),
        json_list(index.refers_to),
    )


def _insert_many(
    cursor: psycopg.Cursor[tuple[object, ...]],
    sql: str,
    rows: Sequence[tuple[object, ...]],
) -> None:
    """Insert ``rows`` with ``sql``, which takes one array per column."""
    if rows:
        cursor.execute(sql, [list(column) for column in zip(*rows, strict=True)])
