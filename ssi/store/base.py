"""What every object store offers: the protocol and the values it returns.

An object store keeps verified public objects (credentials and presentations:
posts, reactions, retractions, votes, labels...) under their CID, with the
indexes of docs/store.md. :class:`ObjectStore` is the contract; the embedded
backend is :class:`ssi.store.SQLiteStore`, and a hub's PostgreSQL backend
implements the same protocol and passes the same test suite. Nothing here
names a database: filters are keyword arguments, positions are opaque
cursors.

Spec: docs/store.md
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Final, Literal, Protocol, Self, runtime_checkable

from ssi.credentials import Problem, Verifier
from ssi.credentials.model import Credential
from ssi.datetimes import format_date_time
from ssi.types import JsonObject, JsonValue

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "AddResult",
    "Deriver",
    "ObjectStore",
    "Outcome",
    "Page",
    "ParsedDeriver",
    "StoredObject",
]

DEFAULT_LIMIT: Final = 100
"""Objects per page when the caller does not say."""

MAX_LIMIT: Final = 1000
"""The most objects one page holds."""

Outcome = Literal["stored", "present", "rejected"]
"""What :meth:`ObjectStore.add` did with one input: stored it now, found it
already stored (or earlier in the same batch), or refused it."""


@dataclass(frozen=True, slots=True)
class StoredObject:
    """An object in the store, with what its indexes say about it.

    Attributes:
        cid: the object's CID (``ssi.cid.object_cid`` of ``document``).
        document: the object, parsed from the stored JCS bytes.
        types: its ``type`` values other than VerifiableCredential and
            VerifiablePresentation, in document order.
        author: the issuer (a credential) or holder (a presentation).
        community: the first credentialSubject's ``community``, if a string.
        reply_to: the first credentialSubject's ``inReplyTo``, if a string.
        refers_to: the CIDs found anywhere inside credentialSubject.
        time: ``validFrom``, else the first proof's ``created``, in UTC.
        seq: the store's insertion number: later insertions have larger ones.

    Spec: docs/store.md (Indexes)
    """

    cid: str
    document: JsonObject
    types: tuple[str, ...]
    author: str | None
    community: str | None
    reply_to: str | None
    refers_to: tuple[str, ...]
    time: datetime | None
    seq: int

    def to_json(self) -> JsonObject:
        """Return the object and its index entries as JSON."""
        return {
            "cid": self.cid,
            "seq": self.seq,
            "types": list(self.types),
            "author": self.author,
            "community": self.community,
            "replyTo": self.reply_to,
            "refersTo": list(self.refers_to),
            "time": None if self.time is None else _format_time(self.time),
            "document": self.document,
        }


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a query.

    Attributes:
        items: the objects, in insertion order (ascending ``seq``).
        cursor: give it back as ``cursor=`` to resume after the last item
            (with the same filters); ``None`` when the page is empty and no
            cursor was given. A cursor stays valid: objects stored later are
            found by resuming from it.
        more: whether more objects matched when the page was read.

    Spec: docs/store.md (Cursors)
    """

    items: tuple[StoredObject, ...]
    cursor: str | None
    more: bool = False


@dataclass(frozen=True, slots=True)
class AddResult:
    """What :meth:`ObjectStore.add` did with one input.

    Attributes:
        cid: the input's CID; ``None`` when it is not a JSON object (no CID).
        outcome: ``"stored"``, ``"present"`` or ``"rejected"``.
        problems: why it was rejected, as in a verification report
            (``Problem.check`` names the check, ``Problem.error`` the error
            with its code); empty otherwise.

    Spec: docs/store.md (Adding objects)
    """

    cid: str | None
    outcome: Outcome
    problems: tuple[Problem, ...] = ()

    def to_json(self) -> JsonObject:
        """Return the result as JSON (problems as in a verification report)."""
        return {
            "cid": self.cid,
            "outcome": self.outcome,
            "problems": [problem.to_json() for problem in self.problems],
        }


@runtime_checkable
class Deriver(Protocol):
    """Derives a record from each object a store stores (docs/store.md,
    Derived records).

    The store calls it once per object, after the object verified and before
    it is inserted, and keeps the result (a JSON value, written compactly)
    under ``(object, name)`` in the same transaction; ``None`` keeps no
    record. The store knows nothing of what records mean: a layer above hands
    its deriver down (``ssi.social.FEED_RECORDS``) and reads the records back
    with :meth:`ObjectStore.derived`. A deriver must not raise: an exception
    propagates from ``add`` and nothing of that batch is stored.

    Spec: docs/store.md (Derived records)
    """

    @property
    def name(self) -> str:
        """The records' name, with a version (``feed/1``); a new meaning takes
        a new name."""
        ...

    def __call__(self, document: JsonObject) -> JsonValue | None:
        """Return the record of one verified object, or None for none."""
        ...


@runtime_checkable
class ParsedDeriver(Deriver, Protocol):
    """A deriver that can also read an object from the data model summary
    its verification parsed, so that the store does not have it parsed
    twice (docs/store.md, Derived records).

    When a store verifies a credential in its own process, it hands the
    summary (``Verifier.verify_read``'s) to :meth:`derive_parsed` instead of
    calling the deriver; the record must be the one ``__call__`` would give.

    Spec: docs/store.md (Derived records)
    """

    def derive_parsed(
        self, document: JsonObject, parsed: Credential
    ) -> JsonValue | None:
        """Return the record of one verified object, given ``parsed``, the
        summary ``parse_credential`` gives of ``document`` itself."""
        ...


@runtime_checkable
class ObjectStore(Protocol):
    """A content-addressed store of verified public objects, with indexes.

    Implementations: :class:`ssi.store.SQLiteStore` (embedded) and
    :class:`ssi.store.PostgresStore` (a hub's). Every one passes the suite
    in ``tests/unit/store/``.

    Guarantees (docs/store.md): only objects that verified are stored; an
    object is stored once (its CID is its key); :meth:`add` is one
    transaction; sequence numbers grow with insertion and a cursor resumes
    after one, so paging while others write neither repeats nor skips an
    object committed before the page was read.

    Spec: docs/store.md
    """

    def add(
        self,
        documents: Iterable[JsonValue | str | bytes],
        *,
        verifier: Verifier,
        executor: Executor | None = None,
        derive: Deriver | None = None,
    ) -> list[AddResult]:
        """Verify objects and store those that verified, in one transaction.

        Inputs are parsed objects or JSON text/bytes; each gets one result,
        in input order. Bad input is rejected with its problem, never raised.
        With ``derive``, each object stored now gets its derived record, in
        the same transaction.

        Spec: docs/store.md (Adding objects)

        Raises:
            StoreAccessError: the store cannot be written.
            StoreError: the store was closed.
        """
        ...

    def get(self, cid: str) -> StoredObject | None:
        """Return the object with this CID, or None when it is not stored.

        Spec: docs/store.md (The protocol)

        Raises:
            InvalidCIDError: ``cid`` is not a CID.
            StoreCorruptedError: the stored bytes no longer match the CID.
        """
        ...

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
        without a time are left out.

        Spec: docs/store.md (Indexes, Cursors)

        Raises:
            InvalidCIDError: ``reply_to`` or ``refers_to`` is not a CID.
            InvalidCursorError: the cursor was not issued by this store for
                these filters.
        """
        ...

    def derived(
        self, name: str, *, type: str | None = None
    ) -> Iterator[tuple[str, JsonValue | None]]:
        """Yield ``(cid, record)`` for every object (of ``type``, if given),
        in insertion order: its record derived under ``name``, or None when
        none was (stored before, or without that deriver). The documents are
        not read.

        Spec: docs/store.md (Derived records)

        Raises:
            TypeError: ``name`` or ``type`` is not a string.
            StoreCorruptedError: a stored record is not JSON.
            StoreError: the store is closed.
        """
        ...

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

        Spec: docs/store.md (Indexes)

        Raises:
            InvalidCIDError: ``reply_to`` or ``refers_to`` is not a CID.
        """
        ...

    def latest_seq(self) -> int:
        """Return the largest sequence number stored, 0 when the store is empty.

        Spec: docs/store.md (Following a store)

        Raises:
            StoreError: the store is closed.
        """
        ...

    def wait_for_new(self, after_seq: int, timeout: float) -> bool:
        """Return True as soon as an object with a sequence number above
        ``after_seq`` is stored (by any handle or process), False when
        ``timeout`` seconds pass first.

        Spec: docs/store.md (Following a store)

        Raises:
            TypeError: ``after_seq`` is not an int or ``timeout`` not a number.
            ValueError: ``timeout`` is negative.
            StoreError: the store is closed.
        """
        ...

    def close(self) -> None:
        """Release the store; later calls raise StoreError."""
        ...

    def __enter__(self) -> Self:
        """Return the store itself."""
        ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        """Close the store."""
        ...


def _format_time(moment: datetime) -> str:
    return format_date_time(moment, milliseconds=moment.microsecond != 0)
