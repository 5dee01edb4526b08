"""The PostgreSQL store's schema and its migrations, by a version table.

A store lives in one PostgreSQL schema (``agora`` unless told otherwise), so
several stores (a hub's, a test's) can share a database. The schema holds a
one-row table ``store_version``; ``MIGRATIONS[n]`` takes a store from version
``n`` to ``n + 1``. :func:`migrate` runs the missing steps in one transaction
under a transaction-level advisory lock named after the schema, so two
processes opening a new or old store at once migrate it once; a failed step
rolls everything back (PostgreSQL's DDL is transactional). A store of a
newer version is refused, and so is a schema that holds tables of
something else.

The tables are those of the SQLite store at its version 3 (docs/store.md,
Schema), in PostgreSQL's types: ``bytea`` for the JCS bytes, ``bigint`` for
sequence numbers and times, an identity column for ``seq``.

Spec: docs/store.md (Schema (PostgreSQL), Migrations)
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Final

from ssi.errors import StoreAccessError, StoreCorruptedError, StoreVersionError
from ssi.store.cursor import CURSOR_KEY_BYTES
from ssi.store.migrations import CURSOR_KEY

if TYPE_CHECKING:
    import psycopg

__all__ = [
    "MAX_SCHEMA_NAME",
    "PG_MIGRATIONS",
    "PG_SCHEMA_VERSION",
    "check_schema_name",
    "migrate_schema",
]

MAX_SCHEMA_NAME: Final = 48
"""The longest schema name: the notification channel ``<schema>.agora_objects``
must fit PostgreSQL's 63-byte identifiers."""

_SCHEMA_NAME: Final = re.compile(r"[a-z_][a-z0-9_]*\Z")

_SCHEMA_1: Final = (
    "CREATE TABLE store_version (version integer NOT NULL)",
    "INSERT INTO store_version (version) VALUES (0)",
    "CREATE TABLE store_meta (name text PRIMARY KEY, value bytea NOT NULL)",
    """
    CREATE TABLE objects (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        cid text NOT NULL UNIQUE,
        data bytea NOT NULL,
        types text NOT NULL,
        author text,
        community text,
        reply_to text,
        time bigint,
        refers_to text NOT NULL DEFAULT '[]'
    )
    """,
    """
    CREATE TABLE object_types (
        type text NOT NULL,
        seq bigint NOT NULL REFERENCES objects (seq) ON DELETE CASCADE,
        PRIMARY KEY (type, seq)
    )
    """,
    """
    CREATE TABLE object_refs (
        cid text NOT NULL,
        seq bigint NOT NULL REFERENCES objects (seq) ON DELETE CASCADE,
        PRIMARY KEY (cid, seq)
    )
    """,
    """
    CREATE TABLE derived (
        seq bigint NOT NULL REFERENCES objects (seq) ON DELETE CASCADE,
        name text NOT NULL,
        cid text NOT NULL,
        record text NOT NULL,
        PRIMARY KEY (seq, name)
    )
    """,
    "CREATE INDEX object_types_seq ON object_types (seq)",
    "CREATE INDEX object_refs_seq ON object_refs (seq)",
    "CREATE INDEX objects_author ON objects (author, seq)",
    "CREATE INDEX objects_community ON objects (community, seq)",
    "CREATE INDEX objects_reply_to ON objects (reply_to, seq)",
    "CREATE INDEX objects_time ON objects (time, seq)",
)


def _migrate_to_1(connection: psycopg.Connection[tuple[object, ...]]) -> None:
    """Version 1: everything the SQLite store has at its version 3."""
    for statement in _SCHEMA_1:
        connection.execute(statement)
    connection.execute(
        "INSERT INTO store_meta (name, value) VALUES (%s, %s)",
        (CURSOR_KEY, secrets.token_bytes(CURSOR_KEY_BYTES)),
    )


PG_MIGRATIONS: Final[
    Sequence[Callable[[psycopg.Connection[tuple[object, ...]]], None]]
] = (_migrate_to_1,)
"""``PG_MIGRATIONS[n]`` takes a PostgreSQL store of version ``n`` to ``n + 1``."""

PG_SCHEMA_VERSION: Final = len(PG_MIGRATIONS)
"""The PostgreSQL schema version this code writes (table ``store_version``)."""


def check_schema_name(schema: object) -> str:
    """Return ``schema`` if it is a usable schema name.

    A name is lower-case ASCII letters, digits and ``_``, not starting with a
    digit, at most :data:`MAX_SCHEMA_NAME` characters (so it never needs
    quoting, and the notification channel fits).

    Raises:
        TypeError: it is not a string.
        ValueError: it is not such a name.
    """
    if not isinstance(schema, str):
        raise TypeError("schema must be a string")
    if len(schema) > MAX_SCHEMA_NAME or not _SCHEMA_NAME.match(schema):
        raise ValueError(
            "schema must be 1 to 48 characters: a-z, 0-9 and _, not starting "
            "with a digit"
        )
    return schema


def migrate_schema(
    connection: psycopg.Connection[tuple[object, ...]],
    schema: str,
    location: str,
    *,
    create: bool,
) -> None:
    """Create or bring the store in ``schema`` to :data:`PG_SCHEMA_VERSION`.

    ``connection`` is in autocommit mode; this runs one transaction (with
    ``search_path`` at ``schema`` inside it).

    Spec: docs/store.md (Migrations)

    Raises:
        StoreAccessError: there is no store there and ``create`` is False.
        StoreCorruptedError: the schema holds tables of something else.
        StoreVersionError: the store's version is newer than this code's.
    """
    from psycopg import sql

    with connection.transaction():
        connection.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", ("agora store " + schema,)
        )
        exists = connection.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname = %s", (schema,)
        ).fetchone()
        if not exists or not exists[0]:
            if not create:
                raise StoreAccessError(f"there is no store at {location}.")
            connection.execute(
                sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema))
            )
        connection.execute(
            sql.SQL("SET LOCAL search_path TO {}").format(sql.Identifier(schema))
        )
        version = _version(connection, schema, location)
        if version == 0 and not create:
            raise StoreAccessError(f"there is no store at {location}.")
        if version == PG_SCHEMA_VERSION:
            return
        for step in PG_MIGRATIONS[version:]:
            step(connection)
        connection.execute(
            "UPDATE store_version SET version = %s", (PG_SCHEMA_VERSION,)
        )


def _version(
    connection: psycopg.Connection[tuple[object, ...]], schema: str, location: str
) -> int:
    """The store's version: 0 for an empty schema.

    Raises:
        StoreCorruptedError: the schema holds tables of something else.
        StoreVersionError: the version is newer than this code's.
    """
    tables = connection.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname = %s "
        "AND c.relkind IN ('r', 'p', 'v', 'm', 'f')",
        (schema,),
    ).fetchall()
    names = {str(row[0]) for row in tables}
    if not names:
        return 0
    if "store_version" not in names:
        raise StoreCorruptedError(
            f"{location} holds tables of something else, not an object store."
        )
    rows = connection.execute("SELECT version FROM store_version").fetchall()
    if len(rows) != 1 or not isinstance(rows[0][0], int):
        raise StoreCorruptedError(f"{location} has a damaged store_version table.")
    version = rows[0][0]
    if version > PG_SCHEMA_VERSION:
        raise StoreVersionError(
            f"{location} has store schema version {version}; this version of "
            f"Agora knows versions up to {PG_SCHEMA_VERSION}: upgrade Agora to "
            "open it."
        )
    return version
