"""The SQLite store's schema and its migrations, by ``PRAGMA user_version``.

``MIGRATIONS[n]`` takes a store from version ``n`` to ``n + 1``. Opening a
store runs :func:`migrate`: the missing steps in one ``BEGIN IMMEDIATE``
transaction (the version is read again inside it, so two processes opening
an old file migrate it once), then ``application_id`` and ``user_version``
are set. A failed step rolls everything back; a newer file is refused.

Spec: docs/store.md (Schema, Migrations)
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Final

from ssi.errors import StoreCorruptedError, StoreVersionError
from ssi.store.cursor import CURSOR_KEY_BYTES
from ssi.store.index import index_object

__all__ = ["APPLICATION_ID", "CURSOR_KEY", "MIGRATIONS", "SCHEMA_VERSION", "migrate"]

APPLICATION_ID: Final = 0x41474F52
"""``PRAGMA application_id`` of an Agora store file (``AGOR`` in ASCII)."""

CURSOR_KEY: Final = "cursorKey"
"""The ``store_meta`` row that holds the store's cursor key."""

_SCHEMA_1: Final = (
    """
    CREATE TABLE store_meta (
        name TEXT PRIMARY KEY,
        value BLOB NOT NULL
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE objects (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        cid TEXT NOT NULL UNIQUE,
        data BLOB NOT NULL,
        types TEXT NOT NULL,
        author TEXT,
        community TEXT,
        reply_to TEXT,
        time INTEGER
    )
    """,
    """
    CREATE TABLE object_types (
        type TEXT NOT NULL,
        seq INTEGER NOT NULL REFERENCES objects (seq) ON DELETE CASCADE,
        PRIMARY KEY (type, seq)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX object_types_seq ON object_types (seq)",
    "CREATE INDEX objects_author ON objects (author, seq)",
    "CREATE INDEX objects_community ON objects (community, seq)",
    "CREATE INDEX objects_reply_to ON objects (reply_to, seq)",
    "CREATE INDEX objects_time ON objects (time, seq)",
)

_SCHEMA_2: Final = (
    "ALTER TABLE objects ADD COLUMN refers_to TEXT NOT NULL DEFAULT '[]'",
    """
    CREATE TABLE object_refs (
        cid TEXT NOT NULL,
        seq INTEGER NOT NULL REFERENCES objects (seq) ON DELETE CASCADE,
        PRIMARY KEY (cid, seq)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX object_refs_seq ON object_refs (seq)",
)


_SCHEMA_3: Final = (
    """
    CREATE TABLE derived (
        seq INTEGER NOT NULL REFERENCES objects (seq) ON DELETE CASCADE,
        name TEXT NOT NULL,
        cid TEXT NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (seq, name)
    ) WITHOUT ROWID
    """,
)


def _migrate_to_1(connection: sqlite3.Connection) -> None:
    """Version 1: objects, their types, author, community, reply, time."""
    for statement in _SCHEMA_1:
        connection.execute(statement)
    connection.execute(
        "INSERT INTO store_meta (name, value) VALUES (?, ?)",
        (CURSOR_KEY, secrets.token_bytes(CURSOR_KEY_BYTES)),
    )


def _migrate_to_2(connection: sqlite3.Connection) -> None:
    """Version 2: referenced CIDs, read again from every stored object."""
    for statement in _SCHEMA_2:
        connection.execute(statement)
    rows = connection.execute("SELECT seq, data FROM objects ORDER BY seq").fetchall()
    for seq, data in rows:
        try:
            document = json.loads(data)
        except (ValueError, TypeError) as exc:
            raise StoreCorruptedError(
                f"the object number {seq} cannot be read to index it again."
            ) from exc
        refs = index_object(document).refers_to if isinstance(document, dict) else ()
        connection.execute(
            "UPDATE objects SET refers_to = ? WHERE seq = ?", (json.dumps(refs), seq)
        )
        connection.executemany(
            "INSERT INTO object_refs (cid, seq) VALUES (?, ?)",
            [(ref, seq) for ref in refs],
        )


def _migrate_to_3(connection: sqlite3.Connection) -> None:
    """Version 3: derived records (none for the objects already stored: the
    store cannot derive them; a reader falls back to the documents)."""
    for statement in _SCHEMA_3:
        connection.execute(statement)


MIGRATIONS: Final[tuple[Callable[[sqlite3.Connection], None], ...]] = (
    _migrate_to_1,
    _migrate_to_2,
    _migrate_to_3,
)
"""``MIGRATIONS[n]`` takes a store of version ``n`` to version ``n + 1``."""

SCHEMA_VERSION: Final = len(MIGRATIONS)
"""The schema version this code writes (``PRAGMA user_version``)."""


def migrate(connection: sqlite3.Connection, path: Path) -> None:
    """Bring the schema to :data:`SCHEMA_VERSION` in one transaction.

    Spec: docs/store.md (Migrations)

    Raises:
        StoreVersionError: the file's version is newer than this code's.
        StoreCorruptedError: the file is a database of something else.
    """
    if _check_version(connection, path) == SCHEMA_VERSION:
        return
    connection.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have migrated while this one waited for the lock.
        version = _check_version(connection, path)
        if version == 0:
            tables = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
            if tables is not None and tables[0]:
                raise StoreCorruptedError(
                    f"{path} is an SQLite database of something else, not an "
                    "object store."
                )
        for step in MIGRATIONS[version:]:
            step(connection)
        connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise


def _check_version(connection: sqlite3.Connection, path: Path) -> int:
    version = int(connection.execute("PRAGMA user_version").fetchone()[0])
    application = int(connection.execute("PRAGMA application_id").fetchone()[0])
    if application not in (0, APPLICATION_ID) or (application == 0 and version):
        raise StoreCorruptedError(
            f"{path} is an SQLite database of something else, not an object store."
        )
    if version > SCHEMA_VERSION:
        raise StoreVersionError(
            f"{path} has store schema version {version}; this version of Agora "
            f"knows versions up to {SCHEMA_VERSION}: upgrade Agora to open it."
        )
    return version
