"""The generic index rules: what the store (and bundles) read from any object.

These rules know no social type: they read the VC data model and the CID
syntax only, so a new kind of object is indexed without code here.

- types: the ``type`` values other than VerifiableCredential and
  VerifiablePresentation, in document order;
- author: ``issuer`` (a string, or ``issuer.id``); for a presentation,
  ``holder`` (a string, or ``holder.id``);
- community: the (first) credentialSubject's ``community`` when a string;
- reply target: the (first) credentialSubject's ``inReplyTo`` when a string;
- referenced CIDs: every string anywhere inside ``credentialSubject`` that
  :func:`ssi.cid.is_cid` accepts, each once, in JCS order (object members
  sorted as RFC 8785 sorts them, arrays in order), at most
  :data:`MAX_REFERENCES`;
- time: ``validFrom`` (parsed, UTC), else the first proof's ``created``, else
  none.

Spec: docs/store.md (Indexes)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from ssi.cid import cid_codec
from ssi.datetimes import parse_date_time
from ssi.errors import MalformedValueError
from ssi.types import JsonObject, JsonValue

__all__ = [
    "MAX_REFERENCES",
    "ObjectIndex",
    "index_object",
]

MAX_REFERENCES: Final = 256
"""The most referenced CIDs indexed for one object."""

_BASE_TYPES: Final = frozenset({"VerifiableCredential", "VerifiablePresentation"})
_PRESENTATION: Final = "VerifiablePresentation"
_DIGEST_SIZE: Final = 32


@dataclass(frozen=True, slots=True)
class ObjectIndex:
    """What the index rules read from one object (see the module docstring).

    Spec: docs/store.md (Indexes)
    """

    types: tuple[str, ...]
    author: str | None
    community: str | None
    reply_to: str | None
    refers_to: tuple[str, ...]
    time: datetime | None


def index_object(document: JsonObject) -> ObjectIndex:
    """Read the index entries of an object by the generic rules.

    Values of the wrong JSON type are left out rather than refused: the
    object has already been verified, and an entry the rules cannot read is
    simply not indexed.

    Spec: docs/store.md (Indexes)
    """
    declared = document.get("type")
    all_types = [declared] if isinstance(declared, str) else declared
    types = tuple(
        dict.fromkeys(
            t
            for t in (all_types if isinstance(all_types, list) else ())
            if isinstance(t, str) and t not in _BASE_TYPES
        )
    )
    is_presentation = isinstance(all_types, list) and _PRESENTATION in all_types
    author = _id_of(document.get("holder" if is_presentation else "issuer"))
    subject = document.get("credentialSubject")
    first = subject[0] if isinstance(subject, list) and subject else subject
    community = reply_to = None
    if isinstance(first, dict):
        found = first.get("community")
        community = found if isinstance(found, str) else None
        found = first.get("inReplyTo")
        reply_to = found if isinstance(found, str) else None
    return ObjectIndex(
        types=types,
        author=author,
        community=community,
        reply_to=reply_to,
        refers_to=_references(subject) if subject is not None else (),
        time=_time_of(document),
    )


def _id_of(value: JsonValue) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def _time_of(document: JsonObject) -> datetime | None:
    valid_from = document.get("validFrom")
    if valid_from is not None:
        try:
            return parse_date_time(valid_from, require_timezone=False, path="validFrom")
        except MalformedValueError:
            pass
    proof = document.get("proof")
    first = proof[0] if isinstance(proof, list) and proof else proof
    if isinstance(first, dict) and first.get("created") is not None:
        try:
            return parse_date_time(
                first["created"], require_timezone=False, path="proof.created"
            )
        except MalformedValueError:
            return None
    return None


def _jcs_key(name: str) -> bytes:
    # RFC 8785 sorts member names by their UTF-16 code units.
    return name.encode("utf-16-be", "surrogatepass")


def _references(subject: JsonValue) -> tuple[str, ...]:
    """Every CID string inside ``subject``, once each, in JCS order, capped."""
    # Most objects refer to one CID or none, whose order needs no sorting:
    # a first walk in any order finds the same set.
    unordered = _any_order(subject)
    if unordered is not None:
        return unordered
    found: dict[str, None] = {}
    stack: list[JsonValue] = [subject]
    while stack and len(found) < MAX_REFERENCES:
        value = stack.pop()
        if isinstance(value, str):
            if value not in found and cid_codec(value) is not None:
                found[value] = None
        elif isinstance(value, dict):
            keys = sorted(value, key=_jcs_key)
            stack.extend(value[key] for key in reversed(keys))
        elif isinstance(value, list):
            stack.extend(reversed(value))
    return tuple(found)


def _any_order(subject: JsonValue) -> tuple[str, ...] | None:
    """The CID strings inside ``subject`` when there is at most one, else None."""
    found: str | None = None
    stack: list[JsonValue] = [subject]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if value != found and cid_codec(value) is not None:
                if found is not None:
                    return None
                found = value
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return () if found is None else (found,)
