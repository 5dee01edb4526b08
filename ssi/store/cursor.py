"""Opaque paging cursors: a sequence number, bound to a store and a query.

A cursor is ``c1.`` followed by base64url (no padding) of 24 bytes: the
sequence number of the last object of a page (8 bytes, big-endian) and a
16-byte tag, the first half of HMAC-SHA256 under the store's own cursor key
over a label, that number and the query's filters. So a cursor resumes only
the query it came from, in the store that issued it: an altered, cut or
foreign cursor, or one given with other filters, is refused with
:class:`~ssi.errors.InvalidCursorError` instead of silently paging from
somewhere else. The key is made once per store (32 random bytes) and kept in
it; cursors carry no secret and grant nothing (they only say where to
resume).

Spec: docs/store.md (Cursors)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from ssi.errors import InvalidCursorError

__all__ = [
    "CURSOR_KEY_BYTES",
    "CursorCodec",
    "Filters",
    "cursor_for_seq",
    "seq_of_cursor",
]

CURSOR_KEY_BYTES: Final = 32
"""The size of a store's cursor key."""

_PREFIX: Final = "c1."
_LABEL: Final = b"agora store cursor v1\x00"
_SEQ_BYTES: Final = 8
_TAG_BYTES: Final = 16
_TEXT_LENGTH: Final = len(_PREFIX) + 32  # 24 bytes are 32 base64 characters
_STREAM_PREFIX: Final = "s1."
_STREAM_LENGTH: Final = len(_STREAM_PREFIX) + 11  # 8 bytes, base64url, no padding


@dataclass(frozen=True, slots=True)
class Filters:
    """The filters of a query, as a cursor is bound to them.

    Spec: docs/store.md (Cursors)
    """

    type: str | None = None
    author: str | None = None
    community: str | None = None
    reply_to: str | None = None
    refers_to: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def to_bytes(self) -> bytes:
        """Return the filters as unambiguous bytes (JSON, ASCII)."""
        values = [
            self.type,
            self.author,
            self.community,
            self.reply_to,
            self.refers_to,
            None if self.since is None else self.since.isoformat(),
            None if self.until is None else self.until.isoformat(),
        ]
        return json.dumps(values, separators=(",", ":")).encode("ascii")


@dataclass(frozen=True, slots=True)
class CursorCodec:
    """Issues and reads the cursors of one store.

    Args:
        key: the store's cursor key (:data:`CURSOR_KEY_BYTES` bytes).

    Spec: docs/store.md (Cursors)

    Raises:
        ValueError: the key is not 32 bytes.
    """

    key: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.key, bytes) or len(self.key) != CURSOR_KEY_BYTES:
            raise ValueError(f"a cursor key is {CURSOR_KEY_BYTES} bytes")

    def __repr__(self) -> str:
        return "CursorCodec(key=...)"

    def encode(self, seq: int, filters: Filters) -> str:
        """Return the cursor that resumes ``filters`` after ``seq``."""
        number = seq.to_bytes(_SEQ_BYTES, "big")
        raw = number + self._tag(number, filters)
        return _PREFIX + base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    def decode(self, cursor: object, filters: Filters) -> int:
        """Return the sequence number a cursor resumes after.

        Spec: docs/store.md (Cursors)

        Raises:
            InvalidCursorError: not a cursor of this store for these filters.
        """
        if not isinstance(cursor, str):
            raise InvalidCursorError(
                f"A cursor is a string, not {type(cursor).__name__}."
            )
        if len(cursor) != _TEXT_LENGTH or not cursor.startswith(_PREFIX):
            raise InvalidCursorError("The cursor is not one this store issued.")
        try:
            raw = base64.urlsafe_b64decode(cursor[len(_PREFIX) :].encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
            raise InvalidCursorError(
                "The cursor is not one this store issued."
            ) from exc
        number, tag = raw[:_SEQ_BYTES], raw[_SEQ_BYTES:]
        if len(tag) != _TAG_BYTES or not hmac.compare_digest(
            tag, self._tag(number, filters)
        ):
            raise InvalidCursorError(
                "The cursor was altered, comes from another store, or was issued "
                "for other filters."
            )
        return int.from_bytes(number, "big")

    def _tag(self, number: bytes, filters: Filters) -> bytes:
        message = _LABEL + number + filters.to_bytes()
        return hmac.new(self.key, message, hashlib.sha256).digest()[:_TAG_BYTES]


def cursor_for_seq(seq: int) -> str:
    """Return the stream position after sequence number ``seq``.

    A stream position is ``s1.`` and the base64url form (no padding) of the
    number as 8 bytes, big-endian. It names a place in a store's sequence
    (all objects, no filters): a follower resumes after it, as with an
    event stream's ``id``. Unlike a page's cursor it is not bound to one
    store: it carries no secret and grants nothing.

    Spec: docs/store.md (Following a store)

    Raises:
        TypeError: ``seq`` is not an int.
        ValueError: ``seq`` is negative or does not fit 8 bytes.
    """
    if not isinstance(seq, int) or isinstance(seq, bool):
        raise TypeError("seq must be an int")
    if not 0 <= seq < 1 << (8 * _SEQ_BYTES):
        raise ValueError("seq must be between 0 and 2**64 - 1")
    number = seq.to_bytes(_SEQ_BYTES, "big")
    return _STREAM_PREFIX + base64.urlsafe_b64encode(number).decode("ascii").rstrip("=")


def seq_of_cursor(cursor: object) -> int:
    """Return the sequence number of a stream position (:func:`cursor_for_seq`).

    Spec: docs/store.md (Following a store)

    Raises:
        InvalidCursorError: ``cursor`` is not a stream position.
    """
    if (
        not isinstance(cursor, str)
        or len(cursor) != _STREAM_LENGTH
        or not cursor.startswith(_STREAM_PREFIX)
        or not cursor.isascii()
    ):
        raise InvalidCursorError("The cursor is not a stream position.")
    text = cursor[len(_STREAM_PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(text + "=")
    except (binascii.Error, ValueError) as exc:
        raise InvalidCursorError("The cursor is not a stream position.") from exc
    if len(raw) != _SEQ_BYTES or cursor_for_seq(int.from_bytes(raw, "big")) != cursor:
        raise InvalidCursorError("The cursor is not a stream position.")
    return int.from_bytes(raw, "big")
