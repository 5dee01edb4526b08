"""Pages over lists a view computes (feed threads, a post's labels).

The store pages its own queries with its cursors; a view that builds a list
(the threads of a feed, the labels of a post's cases) pages it here with a
key cursor: ``k1.`` and base64url of the last key of the page. The next page
starts after that key, so items added to the end of the list later are
found by resuming; a key no longer in the list is refused as
``invalidCursor``.

Spec: docs/hub.md (Views: paging)
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from ssi.errors import InvalidCursorError

__all__ = ["KeyPage", "page_keys"]

_PREFIX: Final = "k1."
_MAX_CURSOR: Final = 512


@dataclass(frozen=True, slots=True)
class KeyPage:
    """One page of keys.

    Attributes:
        keys: the keys of the page, in list order.
        cursor: resumes after the last key (None when the page is empty and
            no cursor was given).
        more: whether keys follow the page.
    """

    keys: tuple[str, ...]
    cursor: str | None
    more: bool


def _encode(key: str) -> str:
    data = base64.urlsafe_b64encode(key.encode()).rstrip(b"=")
    return _PREFIX + data.decode("ascii")


def _decode(cursor: str) -> str:
    if not cursor.startswith(_PREFIX) or len(cursor) > _MAX_CURSOR:
        raise InvalidCursorError("the cursor was not issued by this view.")
    text = cursor[len(_PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return raw.decode()
    except (binascii.Error, ValueError) as exc:
        raise InvalidCursorError("the cursor was not issued by this view.") from exc


def page_keys(keys: Sequence[str], *, limit: int, cursor: str | None) -> KeyPage:
    """Return the page of ``keys`` after ``cursor`` (from the start without).

    Spec: docs/hub.md (Views: paging)

    Raises:
        InvalidCursorError: the cursor is not one, or its key is not in
            ``keys`` any more.
        ValueError: ``limit`` is below 1 (the caller's mistake).
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    start = 0
    if cursor is not None:
        key = _decode(cursor)
        try:
            start = list(keys).index(key) + 1
        except ValueError:
            raise InvalidCursorError(
                "the cursor names an item this view does not list."
            ) from None
    chosen = tuple(keys[start : start + limit])
    if chosen:
        next_cursor: str | None = _encode(chosen[-1])
    else:
        next_cursor = cursor
    return KeyPage(chosen, next_cursor, start + limit < len(keys))
