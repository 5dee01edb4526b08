"""The hub's inbox storage: opaque encrypted messages per DID, with quotas,
and the challenges and tokens of DID authentication.

The hub never decrypts a message: a mailbox keeps the bytes it was given
(an id, the recipient DID, the time received, the size and the bytes) and
hands them back to the DID that proves it holds it. Each DID's inbox has a
quota (messages and bytes), checked and counted in the same transaction
that stores the message, so concurrent deliveries never overfill it.

Tables (their own, beside the store's and the log book's):

- ``inbox_messages``: ``seq`` (order), ``id`` (random, given to clients),
  ``did``, ``received`` (Unix seconds), ``size``, ``body``;
- ``inbox_boxes``: ``did``, ``count``, ``bytes`` (what the quota counts);
- ``inbox_challenges``: ``challenge``, ``did``, ``expires``, ``used``;
- ``inbox_tokens``: ``digest`` (SHA-256 of a bearer token, never the token),
  ``did``, ``expires``.

Backends: :class:`SQLiteMailbox` (a file of its own beside an SQLite store,
``<store file>-inbox``, or memory for a store with no file) and
:class:`PostgresMailbox` (tables in a PostgreSQL store's schema, shared by
every worker). :func:`open_mailbox` picks one for a store location. Both
run the same statements through :class:`_SQLMailbox`.

Spec: docs/hub.md (Inbox)
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

from hub.logbook import LOGS_SUFFIX, logs_location
from hub.state import HubState
from ssi.errors import InboxError, StoreAccessError, StoreError

__all__ = [
    "FORGET_AFTER",
    "INBOX_SUFFIX",
    "AnyMailbox",
    "Challenge",
    "MessageInfo",
    "PostgresMailbox",
    "SQLiteMailbox",
    "hub_mailbox",
    "mailbox_location",
    "new_message_id",
    "open_mailbox",
]

INBOX_SUFFIX: Final = "-inbox"
"""Appended to an SQLite store's file name to name its mailbox's file."""

FORGET_AFTER: Final = 3600.0
"""Seconds after its expiry a challenge is kept (to be refused as expired,
not unknown), before it is deleted."""

_MEMORY: Final = ":memory:"


@dataclass(frozen=True, slots=True)
class MessageInfo:
    """One stored message, without its bytes.

    Attributes:
        id: the message's id in its inbox.
        received: when the hub received it (Unix seconds).
        size: its length in bytes.
        seq: its place in the hub's order of arrival (for paging).
    """

    id: str
    received: float
    size: int
    seq: int


@dataclass(frozen=True, slots=True)
class Challenge:
    """A challenge the hub issued for one DID's inbox.

    Attributes:
        did: the DID whose inbox it was issued for.
        expires: when it stops being accepted (Unix seconds).
        used: whether a presentation has answered it already.
    """

    did: str
    expires: float
    used: bool


def new_message_id() -> str:
    """Return a fresh random message id (128 bits, base64url)."""
    return secrets.token_urlsafe(16)


class _Rows(Protocol):
    """What a transaction gives its statements: run one, get its rows."""

    def __call__(self, statement: str, *params: object) -> list[tuple[Any, ...]]: ...


_TABLES: Final = ("inbox_messages", "inbox_boxes", "inbox_challenges", "inbox_tokens")


class _SQLMailbox(ABC):
    """The statements both backends run (``?`` placeholders, ``{t}`` for the
    table prefix); a backend gives :meth:`_transaction`."""

    _prefix: str = ""

    def _sql(self, statement: str) -> str:
        return statement.format(t=self._prefix)

    @abstractmethod
    def _transaction(self) -> AbstractContextManager[_Rows]:
        """One transaction of the backend, committed when the block ends
        without an exception and rolled back otherwise."""

    def deliver(
        self,
        did: str,
        body: bytes,
        *,
        now: float,
        max_messages: int,
        max_bytes: int,
    ) -> MessageInfo:
        """Store ``body`` in ``did``'s inbox if its quota allows.

        Raises:
            InboxError: ``inboxFull``: the inbox holds ``max_messages``
                messages, or would hold more than ``max_bytes`` bytes.
            StoreAccessError: the database cannot be written.
        """
        size = len(body)
        message_id = new_message_id()
        with self._transaction() as run:
            run(
                self._sql(
                    "INSERT INTO {t}inbox_boxes (did, count, bytes) VALUES (?, 0, 0) "
                    "ON CONFLICT (did) DO NOTHING"
                ),
                did,
            )
            counted = run(
                self._sql(
                    "UPDATE {t}inbox_boxes SET count = count + 1, bytes = bytes + ? "
                    "WHERE did = ? AND count + 1 <= ? AND bytes + ? <= ? "
                    "RETURNING count"
                ),
                size,
                did,
                max_messages,
                size,
                max_bytes,
            )
            if not counted:
                raise InboxError(
                    f"the inbox of {did[:120]} is full (at most {max_messages:,} "
                    f"messages and {max_bytes:,} bytes).",
                    code="inboxFull",
                    status=507,
                )
            rows = run(
                self._sql(
                    "INSERT INTO {t}inbox_messages (id, did, received, size, body) "
                    "VALUES (?, ?, ?, ?, ?) RETURNING seq"
                ),
                message_id,
                did,
                now,
                size,
                body,
            )
        return MessageInfo(message_id, now, size, int(rows[0][0]))

    def messages(
        self, did: str, *, after: int = 0, limit: int = 100
    ) -> tuple[list[MessageInfo], bool]:
        """Return up to ``limit`` messages of ``did`` after ``seq`` ``after``,
        oldest first, and whether more follow.

        Raises:
            StoreAccessError: the database cannot be read.
        """
        with self._transaction() as run:
            rows = run(
                self._sql(
                    "SELECT id, received, size, seq FROM {t}inbox_messages "
                    "WHERE did = ? AND seq > ? ORDER BY seq LIMIT ?"
                ),
                did,
                after,
                limit + 1,
            )
        found = [MessageInfo(str(a), float(b), int(c), int(d)) for a, b, c, d in rows]
        return found[:limit], len(found) > limit

    def read(self, did: str, message_id: str) -> bytes | None:
        """Return the bytes of message ``message_id`` of ``did``, or None.

        Raises:
            StoreAccessError: the database cannot be read.
        """
        with self._transaction() as run:
            rows = run(
                self._sql(
                    "SELECT body FROM {t}inbox_messages WHERE did = ? AND id = ?"
                ),
                did,
                message_id,
            )
        return bytes(rows[0][0]) if rows else None

    def delete(self, did: str, message_id: str) -> bool:
        """Delete message ``message_id`` of ``did``; False when there is none.

        Raises:
            StoreAccessError: the database cannot be written.
        """
        with self._transaction() as run:
            rows = run(
                self._sql(
                    "DELETE FROM {t}inbox_messages WHERE did = ? AND id = ? "
                    "RETURNING size"
                ),
                did,
                message_id,
            )
            if not rows:
                return False
            run(
                self._sql(
                    "UPDATE {t}inbox_boxes SET count = count - 1, bytes = bytes - ? "
                    "WHERE did = ?"
                ),
                int(rows[0][0]),
                did,
            )
        return True

    def usage(self, did: str) -> tuple[int, int]:
        """Return how many messages and bytes ``did``'s inbox holds.

        Raises:
            StoreAccessError: the database cannot be read.
        """
        with self._transaction() as run:
            rows = run(
                self._sql("SELECT count, bytes FROM {t}inbox_boxes WHERE did = ?"),
                did,
            )
        return (int(rows[0][0]), int(rows[0][1])) if rows else (0, 0)

    def add_challenge(
        self, challenge: str, did: str, *, expires: float, now: float
    ) -> None:
        """Keep a new challenge for ``did``'s inbox; forget the challenges that
        expired more than :data:`FORGET_AFTER` seconds ago and expired tokens.

        Raises:
            StoreAccessError: the database cannot be written.
        """
        with self._transaction() as run:
            run(
                self._sql("DELETE FROM {t}inbox_challenges WHERE expires < ?"),
                now - FORGET_AFTER,
            )
            run(self._sql("DELETE FROM {t}inbox_tokens WHERE expires < ?"), now)
            run(
                self._sql(
                    "INSERT INTO {t}inbox_challenges (challenge, did, expires, used) "
                    "VALUES (?, ?, ?, 0)"
                ),
                challenge,
                did,
                expires,
            )

    def challenge(self, challenge: str) -> Challenge | None:
        """Return what the hub knows of ``challenge`` (None: never issued, or
        forgotten after it expired).

        Raises:
            StoreAccessError: the database cannot be read.
        """
        with self._transaction() as run:
            rows = run(
                self._sql(
                    "SELECT did, expires, used FROM {t}inbox_challenges "
                    "WHERE challenge = ?"
                ),
                challenge,
            )
        if not rows:
            return None
        did, expires, used = rows[0]
        return Challenge(str(did), float(expires), bool(used))

    def use_challenge(self, challenge: str, did: str, *, now: float) -> bool:
        """Mark ``challenge`` used, atomically: True for the one caller that
        uses it while it is unused, unexpired and ``did``'s.

        Raises:
            StoreAccessError: the database cannot be written.
        """
        with self._transaction() as run:
            rows = run(
                self._sql(
                    "UPDATE {t}inbox_challenges SET used = 1 WHERE challenge = ? "
                    "AND did = ? AND used = 0 AND expires >= ? RETURNING did"
                ),
                challenge,
                did,
                now,
            )
        return bool(rows)

    def add_token(self, digest: str, did: str, *, expires: float) -> None:
        """Keep a bearer token's digest, bound to ``did`` until ``expires``.

        Raises:
            StoreAccessError: the database cannot be written.
        """
        with self._transaction() as run:
            run(
                self._sql(
                    "INSERT INTO {t}inbox_tokens (digest, did, expires) "
                    "VALUES (?, ?, ?)"
                ),
                digest,
                did,
                expires,
            )

    def token_did(self, digest: str, *, now: float) -> str | None:
        """Return the DID a live token (by digest) is bound to, or None.

        Raises:
            StoreAccessError: the database cannot be read.
        """
        with self._transaction() as run:
            rows = run(
                self._sql(
                    "SELECT did FROM {t}inbox_tokens WHERE digest = ? AND expires >= ?"
                ),
                digest,
                now,
            )
        return str(rows[0][0]) if rows else None


_SQLITE_TABLES: Final = (
    "CREATE TABLE IF NOT EXISTS inbox_messages (seq INTEGER PRIMARY KEY "
    "AUTOINCREMENT, id TEXT NOT NULL UNIQUE, did TEXT NOT NULL, received REAL "
    "NOT NULL, size INTEGER NOT NULL, body BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS inbox_messages_did ON inbox_messages (did, seq)",
    "CREATE TABLE IF NOT EXISTS inbox_boxes (did TEXT PRIMARY KEY, count INTEGER "
    "NOT NULL, bytes INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS inbox_challenges (challenge TEXT PRIMARY KEY, "
    "did TEXT NOT NULL, expires REAL NOT NULL, used INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS inbox_challenges_expires ON inbox_challenges (expires)",
    "CREATE TABLE IF NOT EXISTS inbox_tokens (digest TEXT PRIMARY KEY, did TEXT "
    "NOT NULL, expires REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS inbox_tokens_expires ON inbox_tokens (expires)",
)


class SQLiteMailbox(_SQLMailbox):
    """Inboxes kept in an SQLite file (or in memory with ``":memory:"``).

    Each operation is one ``BEGIN IMMEDIATE`` transaction; the connection is
    shared by the server's threads behind a lock, and processes share the
    file in WAL mode.

    Args:
        path: the file (created when missing), or ``":memory:"``.

    Spec: docs/hub.md (Inbox)

    Raises:
        StoreAccessError: the file cannot be opened.
    """

    def __init__(self, path: Path | str) -> None:
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(
                str(path), timeout=30.0, check_same_thread=False, isolation_level=None
            )
            if str(path) != _MEMORY:
                self._db.execute("PRAGMA journal_mode=WAL")
            for statement in _SQLITE_TABLES:
                self._db.execute(statement)
        except sqlite3.Error as exc:
            raise StoreAccessError(f"cannot open the mailbox {path}: {exc}") from exc

    @contextmanager
    def _transaction(self) -> Iterator[_Rows]:
        def run(statement: str, *params: object) -> list[tuple[Any, ...]]:
            return list(self._db.execute(statement, params).fetchall())

        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreAccessError(f"cannot use the mailbox: {exc}") from exc
            try:
                yield run
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._db.execute("ROLLBACK")
                raise StoreAccessError(f"cannot write the mailbox: {exc}") from exc

    def close(self) -> None:
        """Close the file."""
        self._db.close()


class PostgresMailbox(_SQLMailbox):
    """Inboxes kept in tables of a PostgreSQL store's schema (the same
    columns as :class:`SQLiteMailbox`), shared by every worker process.

    Args:
        url: the server's URL (libpq).
        schema: the store's schema (created when missing).

    Spec: docs/hub.md (Inbox)

    Raises:
        StoreAccessError: the server cannot be reached or written.
        StoreError: psycopg is not installed.
    """

    def __init__(self, url: str, *, schema: str) -> None:
        from ssi.store.pg_schema import check_schema_name

        try:
            import psycopg
        except ImportError as exc:
            raise StoreError("psycopg is needed for a PostgreSQL mailbox.") from exc
        # A checked schema name is letters, digits and _ only: it needs no quoting.
        self._prefix = check_schema_name(schema) + "."
        self._error: type[Exception] = psycopg.Error
        self._lock = threading.Lock()
        try:
            self._db = psycopg.connect(url, autocommit=True)
            self._db.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            for statement in _postgres_tables(self._prefix):
                self._db.execute(statement)
        except psycopg.Error as exc:
            raise StoreAccessError(f"cannot open the mailbox: {exc}") from exc

    @contextmanager
    def _transaction(self) -> Iterator[_Rows]:
        def run(statement: str, *params: object) -> list[tuple[Any, ...]]:
            cursor = self._db.execute(
                statement.replace("?", "%s"),
                params,
            )
            return list(cursor.fetchall()) if cursor.description else []

        with self._lock:
            try:
                with self._db.transaction():
                    yield run
            except self._error as exc:
                raise StoreAccessError(f"cannot use the mailbox: {exc}") from exc

    def close(self) -> None:
        """Close the connection."""
        self._db.close()


def _postgres_tables(prefix: str) -> Sequence[str]:
    t = prefix
    return (
        f"CREATE TABLE IF NOT EXISTS {t}inbox_messages (seq BIGSERIAL PRIMARY KEY, "
        "id TEXT NOT NULL UNIQUE, did TEXT NOT NULL, received DOUBLE PRECISION "
        "NOT NULL, size INTEGER NOT NULL, body BYTEA NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS inbox_messages_did ON {t}inbox_messages "
        "(did, seq)",
        f"CREATE TABLE IF NOT EXISTS {t}inbox_boxes (did TEXT PRIMARY KEY, "
        "count INTEGER NOT NULL, bytes BIGINT NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {t}inbox_challenges (challenge TEXT PRIMARY "
        "KEY, did TEXT NOT NULL, expires DOUBLE PRECISION NOT NULL, used INTEGER "
        "NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS inbox_challenges_expires ON "
        f"{t}inbox_challenges (expires)",
        f"CREATE TABLE IF NOT EXISTS {t}inbox_tokens (digest TEXT PRIMARY KEY, "
        "did TEXT NOT NULL, expires DOUBLE PRECISION NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS inbox_tokens_expires ON {t}inbox_tokens (expires)",
    )


AnyMailbox = SQLiteMailbox | PostgresMailbox
"""The mailboxes :func:`open_mailbox` opens."""


def mailbox_location(store_location: str) -> Path | None:
    """Return the mailbox's file for an SQLite store location; None for a
    store with no file (``:memory:``) or a PostgreSQL URL.

    Spec: docs/hub.md (Inbox)
    """
    logs = logs_location(store_location)
    if logs is None:
        return None
    return logs.with_name(logs.name.removesuffix(LOGS_SUFFIX) + INBOX_SUFFIX)


def open_mailbox(store_location: str) -> AnyMailbox:
    """Open the mailbox that goes with a store location.

    An SQLite store's inboxes go to ``<file>-inbox`` beside it, a PostgreSQL
    store's to tables ``inbox_*`` of its schema; a store with no file gets a
    mailbox in memory.

    Spec: docs/hub.md (Inbox)

    Raises:
        StoreAccessError: the file or the server cannot be opened.
    """
    if store_location.startswith(("postgresql://", "postgres://")):
        from ssi.store.opening import split_schema
        from ssi.store.postgres import DEFAULT_SCHEMA

        url, schema = split_schema(store_location)
        return PostgresMailbox(url, schema=schema or DEFAULT_SCHEMA)
    if store_location.startswith("sqlite:///") or "://" not in store_location:
        path = mailbox_location(store_location)
        return SQLiteMailbox(_MEMORY if path is None else path)
    raise StoreError("the mailbox needs an SQLite or PostgreSQL store location.")


_OPENING: Final = threading.Lock()


def hub_mailbox(state: HubState) -> AnyMailbox:
    """Return the hub's mailbox, opening it (for the store its settings
    name) on first use; the state closes it.

    Spec: docs/hub.md (Inbox)

    Raises:
        StoreAccessError: the mailbox cannot be opened.
    """
    if state.mailbox is None:
        with _OPENING:
            if state.mailbox is None:
                state.mailbox = open_mailbox(state.settings.db)
    return state.mailbox
