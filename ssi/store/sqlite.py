"""The embedded object store: one SQLite file, standard library ``sqlite3``.

The file is opened in WAL mode (readers never wait for the writer), with
foreign keys on, ``synchronous=FULL`` (a commit is on disk before ``add``
returns) and a busy timeout, so several processes can add and read at once:
each ``add`` is one ``BEGIN IMMEDIATE`` transaction, and writers take turns.
The schema carries its version in ``PRAGMA user_version`` and the file is
marked as ours by ``PRAGMA application_id``; opening applies the migrations
it lacks, in one transaction, and refuses a file of a newer version.

Spec: docs/store.md
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Final, Self

from ssi.cid import JSON_CODEC, cid_codec
from ssi.credentials import Verifier
from ssi.errors import (
    InvalidCIDError,
    StoreAccessError,
    StoreCorruptedError,
    StoreError,
)
from ssi.store.base import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    AddResult,
    Deriver,
    Page,
    StoredObject,
)
from ssi.store.cursor import CursorCodec, Filters
from ssi.store.intake import VerifiedObject, add_objects
from ssi.store.migrations import CURSOR_KEY, SCHEMA_VERSION, migrate
from ssi.types import JsonValue

__all__ = ["DEFAULT_BUSY_TIMEOUT", "SCHEMA_VERSION", "SQLiteStore"]

DEFAULT_BUSY_TIMEOUT: Final = 30.0
"""Seconds a writer waits for another to finish before giving up."""

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_LOOKUP_CHUNK: Final = 500  # below SQLite's limit of bound parameters
_HEADER: Final = b"SQLite format 3\x00"
_DERIVED_PAGE: Final = 2000  # rows per statement of derived()

# SQLite's primary result codes (https://www.sqlite.org/rescode.html).
_CORRUPT_CODES: Final = frozenset({11, 26})  # SQLITE_CORRUPT, SQLITE_NOTADB
_ACCESS_CODES: Final = frozenset(
    {3, 5, 6, 8, 10, 13, 14, 23}  # PERM BUSY LOCKED READONLY IOERR FULL CANTOPEN AUTH
)


# --- Errors ---------------------------------------------------------------------


@contextlib.contextmanager
def _sqlite_errors(path: Path) -> Iterator[None]:
    """Turn sqlite3's exceptions into the store's errors, naming the file."""
    try:
        yield
    except sqlite3.Error as exc:
        code = getattr(exc, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        reason = str(exc).rstrip(".") or type(exc).__name__
        if primary in _CORRUPT_CODES:
            raise StoreCorruptedError(
                f"{path} is damaged or is not an object store ({reason})."
            ) from exc
        if primary in _ACCESS_CODES or isinstance(exc, sqlite3.OperationalError):
            raise StoreAccessError(f"cannot use the store {path}: {reason}.") from exc
        raise StoreError(f"the store {path} failed: {reason}.") from exc


# --- The store --------------------------------------------------------------------


class SQLiteStore:
    """The embedded :class:`~ssi.store.ObjectStore`: one SQLite file.

    Open it with :func:`ssi.store.open_store` or directly; it is a context
    manager, and one instance may be shared by threads (calls take turns).
    Several instances, in several processes, may use one file at once.

    Args:
        path: the store's file; created with its folders when missing.
        busy_timeout: seconds to wait for another writer before failing
            with ``StoreAccessError``.
        create: create the file (and its folders) when it is missing; with
            False, a missing file is a ``StoreAccessError``.

    Spec: docs/store.md

    Raises:
        StoreAccessError: the file cannot be created, opened or written, or
            is missing and ``create`` is False.
        StoreCorruptedError: the file is not an SQLite database, is damaged,
            or is a database of something else.
        StoreVersionError: the file's schema is newer than this code knows.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        create: bool = True,
    ) -> None:
        if not isinstance(path, str | Path):
            raise TypeError("path must be a str or a Path")
        if not isinstance(busy_timeout, int | float) or busy_timeout < 0:
            raise ValueError("busy_timeout must be a number of seconds, at least 0")
        self._path = Path(path)
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        _refuse_foreign_file(self._path)
        if create:
            try:
                self._path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreAccessError(
                    f"cannot create the folder of the store {self._path}: "
                    f"{exc.strerror or exc}."
                ) from exc
        elif not self._path.is_file():
            raise StoreAccessError(f"there is no store at {self._path}.")
        # mode=rw: without ``create``, a file removed meanwhile is not made anew.
        target = self._path.absolute().as_uri() + ("" if create else "?mode=rw")
        with _sqlite_errors(self._path):
            connection = sqlite3.connect(
                target,
                timeout=busy_timeout,
                isolation_level=None,
                check_same_thread=False,
                uri=True,
            )
        try:
            with _sqlite_errors(self._path):
                self._configure(connection, busy_timeout)
                migrate(connection, self._path)
                key = connection.execute(
                    "SELECT value FROM store_meta WHERE name = ?", (CURSOR_KEY,)
                ).fetchone()
        except BaseException:
            connection.close()
            raise
        if key is None or not isinstance(key[0], bytes):
            connection.close()
            raise StoreCorruptedError(f"{self._path} has lost its cursor key.")
        self._cursors = CursorCodec(key[0])
        self._connection = connection

    @staticmethod
    def _configure(connection: sqlite3.Connection, busy_timeout: float) -> None:
        connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()
        if mode is None or str(mode[0]).lower() != "wal":
            raise sqlite3.OperationalError("the file does not allow WAL mode")
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA synchronous = FULL")

    @property
    def path(self) -> Path:
        """The store's file."""
        return self._path

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self._path)!r})"

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

        Each input (a parsed object, or JSON text or bytes) gets one result,
        in input order: ``stored``, ``present`` (stored before, or earlier in
        this batch) or ``rejected`` with the problems found. Bad input is
        rejected, never raised. Verification runs before the write lock is
        taken; the verified objects are inserted in one ``BEGIN IMMEDIATE``
        transaction, committed to disk before this returns. With ``derive``,
        the record it derives from each object stored now is inserted in the
        same transaction (see :meth:`derived`).

        Spec: docs/store.md (Adding objects, Derived records)

        Raises:
            TypeError: ``verifier`` is not an ``ssi.Verifier``; ``derive``
                is not a deriver, or returned what JSON cannot write.
            ValueError: the deriver's name is empty or too long.
            StoreAccessError: the store cannot be written (a lock held
                longer than the busy timeout, a full disk).
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
        self._open_connection()
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
            rows = self._read(sql, [*fixed, after, _DERIVED_PAGE])
            yield from zip(
                (str(row[1]) for row in rows), self._records(rows, name), strict=True
            )
            if len(rows) < _DERIVED_PAGE:
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
            raise InvalidCIDError(f"{_shown(cid)} is not the CID of an object.")
        # Only fixed column lists and "?" placeholders are ever put into the SQL.
        sql = f"SELECT {_COLUMNS} FROM objects o WHERE o.cid = ?"  # noqa: S608
        rows = self._read(sql, [cid])
        return _stored(rows[0], self._path, {}) if rows else None

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
        filters = _filters(type, author, community, reply_to, refers_to, since, until)
        after = 0 if cursor is None else self._cursors.decode(cursor, filters)
        sql, parameters = _select(filters, after)
        rows = self._read(sql, [*parameters, limit + 1])
        lists: dict[str, tuple[str, ...]] = {}
        items = tuple(_stored(row, self._path, lists) for row in rows[:limit])
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
        filters = _filters(type, author, community, reply_to, refers_to, since, until)
        where, parameters = _where(filters, 0)
        sql = f"SELECT count(*) FROM objects o {where}"  # noqa: S608
        rows = self._read(sql, parameters)
        total = rows[0][0]
        if not isinstance(total, int):
            raise StoreCorruptedError(f"{self._path} answered a count with no number.")
        return total

    def close(self) -> None:
        """Close the file; later calls raise ``StoreError``. Closing twice is fine."""
        with self._lock:
            connection, self._connection = self._connection, None
        if connection is not None:
            with _sqlite_errors(self._path):
                connection.close()

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

    def _records(
        self, rows: list[tuple[object, ...]], name: str
    ) -> list[JsonValue | None]:
        """The records of a page of ``(seq, cid, record)`` rows, parsed.

        One JSON array is parsed for the whole page (a record is one JSON
        value, as ``add`` wrote it; a missing one is ``null``), which costs
        far less than a parse per record; if that fails, or does not give
        one value per row, each record is parsed alone to name the bad one.
        """
        texts = ["null" if row[2] is None else str(row[2]) for row in rows]
        try:
            values = json.loads("[" + ",".join(texts) + "]")
        except ValueError:
            values = None
        if isinstance(values, list) and len(values) == len(rows):
            return values
        parsed: list[JsonValue | None] = []
        for (_, cid, _), text in zip(rows, texts, strict=True):
            try:
                parsed.append(json.loads(text))
            except ValueError as exc:
                raise StoreCorruptedError(
                    f"the {name} record of {cid} in {self._path} cannot be read."
                ) from exc
        return parsed

    # --- Backend operations -------------------------------------------------------

    def _open_connection(self) -> sqlite3.Connection:
        if self._connection is None:
            raise StoreError(f"the store {self._path} is closed.")
        return self._connection

    def _read(self, sql: str, parameters: Sequence[object]) -> list[tuple[object, ...]]:
        with self._lock, _sqlite_errors(self._path):
            return self._open_connection().execute(sql, parameters).fetchall()

    def _present(self, cids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        with self._lock, _sqlite_errors(self._path):
            connection = self._open_connection()
            for start in range(0, len(cids), _LOOKUP_CHUNK):
                chunk = cids[start : start + _LOOKUP_CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = connection.execute(
                    f"SELECT cid FROM objects WHERE cid IN ({marks})",  # noqa: S608
                    chunk,
                )
                found.update(row[0] for row in rows)
        return found

    def _insert(self, objects: Sequence[VerifiedObject]) -> set[str]:
        """Insert in one transaction; return the CIDs that were not there yet."""
        stored: set[str] = set()
        with self._lock, _sqlite_errors(self._path):
            connection = self._open_connection()
            connection.execute("BEGIN IMMEDIATE")
            try:
                types: list[tuple[str, int]] = []
                refs: list[tuple[str, int]] = []
                records: list[tuple[int, str, str, str]] = []
                for item in objects:
                    index = item.index
                    cursor = connection.execute(
                        "INSERT INTO objects (cid, data, types, author, community, "
                        "reply_to, time, refers_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT (cid) DO NOTHING",
                        (
                            item.cid,
                            item.data,
                            json.dumps(index.types),
                            index.author,
                            index.community,
                            index.reply_to,
                            None if index.time is None else _micros(index.time),
                            json.dumps(index.refers_to),
                        ),
                    )
                    if cursor.rowcount != 1 or cursor.lastrowid is None:
                        continue
                    seq = cursor.lastrowid
                    stored.add(item.cid)
                    types.extend((name, seq) for name in index.types)
                    refs.extend((ref, seq) for ref in index.refers_to)
                    records.extend(
                        (seq, name, item.cid, text) for name, text in item.records
                    )
                connection.executemany(
                    "INSERT INTO object_types (type, seq) VALUES (?, ?)", types
                )
                connection.executemany(
                    "INSERT INTO object_refs (cid, seq) VALUES (?, ?)", refs
                )
                connection.executemany(
                    "INSERT INTO derived (seq, name, cid, record) VALUES (?, ?, ?, ?)",
                    records,
                )
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
        return stored


# --- Opening ----------------------------------------------------------------------


def _refuse_foreign_file(path: Path) -> None:
    """Refuse, before SQLite touches it, a file that is not an SQLite database."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(_HEADER))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreAccessError(
            f"cannot read the store {path}: {exc.strerror or exc}."
        ) from exc
    if header and header != _HEADER:
        raise StoreCorruptedError(f"{path} is not an SQLite database.")


# --- Queries ------------------------------------------------------------------------

_COLUMNS: Final = (
    "o.seq, o.cid, o.data, o.types, o.author, o.community, o.reply_to, o.time, "
    "o.refers_to"
)


def _filters(
    type_: str | None,
    author: str | None,
    community: str | None,
    reply_to: str | None,
    refers_to: str | None,
    since: datetime | None,
    until: datetime | None,
) -> Filters:
    for name, value in (
        ("type", type_),
        ("author", author),
        ("community", community),
        ("reply_to", reply_to),
        ("refers_to", refers_to),
    ):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{name} must be a string")
    for name, moment in (("since", since), ("until", until)):
        if moment is not None:
            if not isinstance(moment, datetime):
                raise TypeError(f"{name} must be a datetime")
            if moment.tzinfo is None:
                raise ValueError(f"{name} must have a timezone")
    for cid in (reply_to, refers_to):
        if cid is not None and cid_codec(cid) is None:
            raise InvalidCIDError(f"{_shown(cid)} is not a CID (b..., base32).")
    return Filters(
        type=type_,
        author=author,
        community=community,
        reply_to=reply_to,
        refers_to=refers_to,
        since=None if since is None else since.astimezone(UTC),
        until=None if until is None else until.astimezone(UTC),
    )


def _where(filters: Filters, after: int) -> tuple[str, list[object]]:
    """The joins and conditions of a query (every filter given must hold)."""
    joins: list[str] = []
    conditions: list[str] = []
    parameters: list[object] = []
    if filters.type is not None:
        joins.append("JOIN object_types t ON t.seq = o.seq AND t.type = ?")
        parameters.append(filters.type)
    if filters.refers_to is not None:
        joins.append("JOIN object_refs r ON r.seq = o.seq AND r.cid = ?")
        parameters.append(filters.refers_to)
    for column, value in (
        ("o.author", filters.author),
        ("o.community", filters.community),
        ("o.reply_to", filters.reply_to),
    ):
        if value is not None:
            conditions.append(f"{column} = ?")
            parameters.append(value)
    if filters.since is not None:
        conditions.append("o.time >= ?")
        parameters.append(_micros(filters.since))
    if filters.until is not None:
        conditions.append("o.time < ?")
        parameters.append(_micros(filters.until))
    if after:
        conditions.append("o.seq > ?")
        parameters.append(after)
    where = " ".join(joins)
    if conditions:
        where += " WHERE " + " AND ".join(conditions)
    return where, parameters


def _select(filters: Filters, after: int) -> tuple[str, list[object]]:
    """The SQL of a query's page (its limit is the last parameter, to add)."""
    where, parameters = _where(filters, after)
    # Only fixed column lists and "?" placeholders are ever put into the SQL.
    sql = (
        f"SELECT {_COLUMNS} FROM objects o {where} "  # noqa: S608
        f"ORDER BY {_order(filters)} LIMIT ?"
    )
    return sql, parameters


def _order(filters: Filters) -> str:
    """The column to order a query by: the insertion number, taken from the
    index a type or reference filter searches (equal to ``o.seq`` by the
    join), so that SQLite walks that index in order instead of sorting every
    match for each page."""
    if filters.type is not None:
        return "t.seq"
    if filters.refers_to is not None:
        return "r.seq"
    return "o.seq"


def _shown(text: object) -> str:
    """Quote untrusted text for a message: ASCII-escaped, cut short."""
    if not isinstance(text, str):
        return f"a {type(text).__name__}"
    return ascii(text if len(text) <= 24 else text[:21] + "...")


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _stored(
    row: tuple[object, ...], path: Path, lists: dict[str, tuple[str, ...]]
) -> StoredObject:
    """Build a result row's object, checking its bytes against its CID.

    ``lists`` remembers, for one query, the JSON lists of types and
    references already parsed (a page repeats a few type lists many times).
    """
    seq, cid, data, types, author, community, reply_to, time, refers_to = row
    if not isinstance(cid, str) or not isinstance(data, bytes):
        raise StoreCorruptedError(f"{path} holds a row that is not an object.")
    if hashlib.sha256(data).digest() != _digest_of(cid, path):
        raise StoreCorruptedError(
            f"the object {cid} in {path} no longer matches its CID."
        )
    try:
        document = json.loads(data)
        type_list = _string_list(str(types), lists)
        ref_list = _string_list(str(refers_to), lists)
    except (ValueError, UnicodeDecodeError) as exc:
        raise StoreCorruptedError(
            f"the object {cid} in {path} cannot be read."
        ) from exc
    return StoredObject(
        cid=cid,
        document=document,
        types=type_list,
        author=author if isinstance(author, str) else None,
        community=community if isinstance(community, str) else None,
        reply_to=reply_to if isinstance(reply_to, str) else None,
        refers_to=ref_list,
        time=_EPOCH + timedelta(microseconds=time) if isinstance(time, int) else None,
        seq=int(str(seq)),
    )


def _string_list(text: str, lists: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The tuple of a stored JSON list (of types or CIDs), parsed once per query.

    Raises:
        ValueError: the text is not JSON.
    """
    found = lists.get(text)
    if found is None:
        found = lists[text] = tuple(json.loads(text))
    return found


def _digest_of(cid: str, path: Path) -> bytes:
    """The sha2-256 digest at the end of a stored CID (``b`` + base32 lower)."""
    text = cid[1:].upper()
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError) as exc:
        raise StoreCorruptedError(f"{path} holds a key that is not a CID.") from exc
    return raw[-32:]
