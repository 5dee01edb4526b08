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

import contextlib
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor
from pathlib import Path
from types import TracebackType
from typing import Final, Self

from ssi.credentials import Verifier
from ssi.errors import (
    StoreAccessError,
    StoreCorruptedError,
    StoreError,
)
from ssi.store.base import (
    AddResult,
    Deriver,
)
from ssi.store.cursor import CursorCodec
from ssi.store.intake import VerifiedObject, add_objects
from ssi.store.migrations import CURSOR_KEY, SCHEMA_VERSION, migrate
from ssi.store.reading import StoreReads
from ssi.store.rows import json_list, micros
from ssi.types import JsonValue

__all__ = ["DEFAULT_BUSY_TIMEOUT", "SCHEMA_VERSION", "SQLiteStore"]

DEFAULT_BUSY_TIMEOUT: Final = 30.0
"""Seconds a writer waits for another to finish before giving up."""

_LOOKUP_CHUNK: Final = 500  # below SQLite's limit of bound parameters

# SQLite's primary result codes (https://www.sqlite.org/rescode.html).
_CORRUPT_CODES: Final = frozenset({11, 26})  # SQLITE_CORRUPT, SQLITE_NOTADB
_NOT_A_DATABASE: Final = 26  # SQLITE_NOTADB
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


class SQLiteStore(StoreReads):
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
        self._location = str(self._path)
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

    # --- Backend operations -------------------------------------------------------

    def _check_open(self) -> None:
        self._open_connection()

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
                            json_list(index.types),
                            index.author,
                            index.community,
                            index.reply_to,
                            None if index.time is None else micros(index.time),
                            json_list(index.refers_to),
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
    """Refuse, before SQLite writes to it, a file that is not an SQLite
    database.

    The header is read by SQLite itself (a connection that only reads it),
    never through a descriptor of our own: closing any descriptor of a
    database file drops the POSIX locks every connection of this process
    holds on it, and another process could then take the WAL for abandoned
    and delete it, losing what this process writes next
    (https://www.sqlite.org/howtocorrupt.html, section 2.2).
    """
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return
    except OSError as exc:
        raise StoreAccessError(
            f"cannot read the store {path}: {exc.strerror or exc}."
        ) from exc
    probe: sqlite3.Connection | None = None
    try:
        probe = sqlite3.connect(path.absolute().as_uri() + "?mode=rw", uri=True)
        probe.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError as exc:
        code = getattr(exc, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF == _NOT_A_DATABASE:
            raise StoreCorruptedError(f"{path} is not an SQLite database.") from exc
        # Anything else (a lock, a damaged page) is for the real opening to say.
    finally:
        if probe is not None:
            probe.close()
