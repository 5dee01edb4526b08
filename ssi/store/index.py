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

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from ssi.cid import JSON_CODEC, RAW_CODEC, blob_cid, object_cid
from ssi.datetimes import parse_date_time
from ssi.errors import MalformedValueError
from ssi.types import JsonObject, JsonValue

__all__ = [
    "MAX_REFERENCES",
    "ObjectIndex",
    "cid_codec",
    "cid_of_canonical",
    "index_object",
]

MAX_REFERENCES: Final = 256
"""The most referenced CIDs indexed for one object."""

_BASE_TYPES: Final = frozenset({"VerifiableCredential", "VerifiablePresentation"})
_PRESENTATION: Final = "VerifiablePresentation"
_DIGEST_SIZE: Final = 32


def _binary_prefix(cid: str) -> bytes:
    text = cid[1:].upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))[:-_DIGEST_SIZE]


# The two kinds of CID Agora writes (ssi.cid), learnt from ssi.cid itself: the
# length of their text and the bytes before the digest.
_SAMPLES: Final = {JSON_CODEC: object_cid({}), RAW_CODEC: blob_cid(b"")}
_CODEC_OF_PREFIX: Final = {
    _binary_prefix(sample): codec for codec, sample in _SAMPLES.items()
}
_PREFIX_OF_CODEC: Final = {codec: prefix for prefix, codec in _CODEC_OF_PREFIX.items()}
_CID_LENGTHS: Final = frozenset(len(sample) for sample in _SAMPLES.values())
_BASE32: Final = frozenset("abcdefghijklmnopqrstuvwxyz234567")


def cid_of_canonical(data: bytes) -> str:
    """Return the CID of an object from its JCS bytes: the same text as
    :func:`ssi.cid.object_cid` of the object, without serializing it again.

    Spec: docs/objects.md (Content identifiers)
    """
    raw = _PREFIX_OF_CODEC[JSON_CODEC] + hashlib.sha256(data).digest()
    return "b" + base64.b32encode(raw).decode("ascii").rstrip("=").lower()


def cid_codec(text: object) -> int | None:
    """Return the codec (``JSON_CODEC`` or ``RAW_CODEC``) of a CID as Agora
    writes them, or None when ``text`` is not one.

    It accepts exactly what :func:`ssi.cid.parse_cid` accepts (CIDv1,
    sha2-256, codec json or raw, canonical base32 lower), without the
    general multiformats parser, which costs milliseconds per call: the
    store checks every string of every subject it indexes. A test compares
    the two.

    Spec: docs/objects.md (Content identifiers)
    """
    if (
        not isinstance(text, str)
        or len(text) not in _CID_LENGTHS
        or text[0] != "b"
        or not _BASE32.issuperset(text[1:])
    ):
        return None
    body = text[1:].upper()
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except (binascii.Error, ValueError):
        return None
    codec = _CODEC_OF_PREFIX.get(raw[:-_DIGEST_SIZE])
    if codec is None:
        return None
    # Only the canonical text: no stray bits in the last character.
    canonical = base64.b32encode(raw).decode("ascii").rstrip("=").lower()
    return codec if canonical == text[1:] else None


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
