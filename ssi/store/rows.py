"""What every SQL backend of the store shares: filters, the SQL of a query,
and reading rows back into objects (checked against their CIDs).

The SQL is written with ``?`` placeholders (SQLite's); a backend with
another style replaces them (no ``?`` appears in the SQL otherwise: every
value is a parameter). Both backends keep the same columns: the JCS bytes,
the JSON lists of types and references, the time in microseconds.

Spec: docs/store.md (Indexes, Schema)
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Final

from ssi.cid import cid_codec
from ssi.errors import InvalidCIDError, StoreCorruptedError
from ssi.store.base import StoredObject
from ssi.store.cursor import Filters
from ssi.types import JsonValue

__all__ = [
    "COLUMNS",
    "EPOCH",
    "check_filters",
    "json_list",
    "micros",
    "order_column",
    "parse_records",
    "select_sql",
    "shown",
    "stored_object",
    "where_sql",
]

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
"""Times are kept as microseconds since this instant."""

COLUMNS: Final = (
    "o.seq, o.cid, o.data, o.types, o.author, o.community, o.reply_to, o.time, "
    "o.refers_to"
)


def check_filters(
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
            raise InvalidCIDError(f"{shown(cid)} is not a CID (b..., base32).")
    return Filters(
        type=type_,
        author=author,
        community=community,
        reply_to=reply_to,
        refers_to=refers_to,
        since=None if since is None else since.astimezone(UTC),
        until=None if until is None else until.astimezone(UTC),
    )


def where_sql(filters: Filters, after: int) -> tuple[str, list[object]]:
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
        parameters.append(micros(filters.since))
    if filters.until is not None:
        conditions.append("o.time < ?")
        parameters.append(micros(filters.until))
    if after:
        conditions.append("o.seq > ?")
        parameters.append(after)
    where = " ".join(joins)
    if conditions:
        where += " WHERE " + " AND ".join(conditions)
    return where, parameters


def select_sql(filters: Filters, after: int) -> tuple[str, list[object]]:
    """The SQL of a query's page (its limit is the last parameter, to add)."""
    where, parameters = where_sql(filters, after)
    # Only fixed column lists and "?" placeholders are ever put into the SQL.
    sql = (
        f"SELECT {COLUMNS} FROM objects o {where} "  # noqa: S608
        f"ORDER BY {order_column(filters)} LIMIT ?"
    )
    return sql, parameters


def order_column(filters: Filters) -> str:
    """The column to order a query by: the insertion number, taken from the
    index a type or reference filter searches (equal to ``o.seq`` by the
    join), so that SQLite walks that index in order instead of sorting every
    match for each page."""
    if filters.type is not None:
        return "t.seq"
    if filters.refers_to is not None:
        return "r.seq"
    return "o.seq"


def shown(text: object) -> str:
    """Quote untrusted text for a message: ASCII-escaped, cut short."""
    if not isinstance(text, str):
        return f"a {type(text).__name__}"
    return ascii(text if len(text) <= 24 else text[:21] + "...")


@functools.lru_cache(maxsize=256)
def json_list(values: tuple[str, ...]) -> str:
    """Return a column's JSON list of strings (the types, the references).

    The last lists written are remembered: the few lists of types that
    recur, and the empty list of references, are written once.
    """
    return json.dumps(list(values))


def micros(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def stored_object(
    row: Sequence[object], location: str, lists: dict[str, tuple[str, ...]]
) -> StoredObject:
    """Build a result row's object, checking its bytes against its CID.

    ``lists`` remembers, for one query, the JSON lists of types and
    references already parsed (a page repeats a few type lists many times).
    """
    seq, cid, data, types, author, community, reply_to, time, refers_to = row
    if not isinstance(cid, str) or not isinstance(data, bytes):
        raise StoreCorruptedError(f"{location} holds a row that is not an object.")
    if hashlib.sha256(data).digest() != _digest_of(cid, location):
        raise StoreCorruptedError(
            f"the object {cid} in {location} no longer matches its CID."
        )
    try:
        document = json.loads(data)
        type_list = _string_list(str(types), lists)
        ref_list = _string_list(str(refers_to), lists)
    except (ValueError, UnicodeDecodeError) as exc:
        raise StoreCorruptedError(
            f"the object {cid} in {location} cannot be read."
        ) from exc
    return StoredObject(
        cid=cid,
        document=document,
        types=type_list,
        author=author if isinstance(author, str) else None,
        community=community if isinstance(community, str) else None,
        reply_to=reply_to if isinstance(reply_to, str) else None,
        refers_to=ref_list,
        time=EPOCH + timedelta(microseconds=time) if isinstance(time, int) else None,
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


def _digest_of(cid: str, location: str) -> bytes:
    """The sha2-256 digest at the end of a stored CID (``b`` + base32 lower)."""
    text = cid[1:].upper()
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError) as exc:
        raise StoreCorruptedError(f"{location} holds a key that is not a CID.") from exc
    return raw[-32:]


def parse_records(
    rows: Sequence[tuple[object, ...]], name: str, location: str
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
                f"the {name} record of {cid} in {location} cannot be read."
            ) from exc
    return parsed
