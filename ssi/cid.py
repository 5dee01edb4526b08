"""Content identifiers: the names by which objects refer to each other.

A signed object (a credential, a presentation, a DID log entry) is named by a
CIDv1 over its RFC 8785 (JCS) canonical bytes, with the multicodec ``json``
(0x0200) and a sha2-256 multihash, written in multibase base32 lower: a
``b`` followed by 60 letters and digits (58 for a blob). Two JSON texts of
one object (other whitespace, other key order) have one CID; any change to
the object gives another. A blob (an image, a file) is named by a CIDv1
with the ``raw`` codec (0x55) over its bytes.

The binary form is ``0x01 || varint(codec) || 0x12 0x20 || sha256(bytes)``;
docs/objects.md works an example through by hand. Making a CID writes those
few bytes directly, and parsing one in exactly that form reads them back
directly (the same bytes, proven equal by the tests), since both sit on the
hot path of every stored, bundled and threaded object; any other text goes
through the ``multiformats`` library, which says what is wrong with it.

Spec: https://github.com/multiformats/cid (CIDv1),
https://www.rfc-editor.org/rfc/rfc8785, docs/objects.md
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final

from ssi.errors import InvalidCIDError, SSIError
from ssi.jsonld.canon import canonicalize_jcs
from ssi.types import JsonObject, JsonValue

__all__ = [
    "JSON_CODEC",
    "RAW_CODEC",
    "ContentID",
    "blob_cid",
    "canonical_object_cid",
    "cid_codec",
    "is_cid",
    "named_objects",
    "object_cid",
    "parse_cid",
]

JSON_CODEC: Final = 0x0200
"""Multicodec ``json``: the codec of a signed object's CID."""
RAW_CODEC: Final = 0x55
"""Multicodec ``raw``: the codec of a blob's CID."""

_SHA2_256: Final = 0x12
_DIGEST_SIZE: Final = 32
# CIDv1 prefixes: version 1, the codec as an unsigned varint, then the
# multihash code and digest length.
_PREFIX: Final = {
    JSON_CODEC: bytes([0x01, 0x80, 0x04, _SHA2_256, _DIGEST_SIZE]),
    RAW_CODEC: bytes([0x01, RAW_CODEC, _SHA2_256, _DIGEST_SIZE]),
}
_CODEC_NAMES: Final = {JSON_CODEC: "json", RAW_CODEC: "raw"}
_MAX_TEXT: Final = 128
# The text lengths of the CIDs _encode writes: "b" and the unpadded base32
# of the prefix and digest.
_TEXT_LENGTHS: Final = frozenset(
    1 + (8 * (len(prefix) + _DIGEST_SIZE) + 4) // 5 for prefix in _PREFIX.values()
)


@dataclass(frozen=True, slots=True)
class ContentID:
    """A parsed CID: its codec (``json`` or ``raw``) and sha2-256 digest."""

    codec: int
    digest: bytes

    @property
    def codec_name(self) -> str:
        """The multicodec name: ``json`` or ``raw``."""
        return _CODEC_NAMES[self.codec]

    def __str__(self) -> str:
        return _encode(self.codec, self.digest)


def object_cid(value: JsonValue) -> str:
    """Return the CID of a JSON value: sha2-256 over its JCS bytes, codec json.

    Spec: docs/objects.md (Content identifiers)

    Raises:
        CanonicalizationError: the value is not JSON that JCS can serialize
            (a non-string key, a lone surrogate, NaN, too deep).
    """
    data = canonicalize_jcs(value)
    return _encode(JSON_CODEC, hashlib.sha256(data).digest())


def named_objects(documents: Iterable[JsonValue]) -> Iterator[tuple[str, JsonObject]]:
    """Yield ``(CID, document)`` for each JSON object of ``documents`` whose
    CID can be computed, in order; anything else names nothing and is
    skipped (repeats are yielded again: the caller decides what a repeat
    means).

    Spec: docs/objects.md (Content identifiers)
    """
    for document in documents:
        if not isinstance(document, dict):
            continue
        try:
            cid = object_cid(document)
        except SSIError:
            continue
        yield cid, document


def blob_cid(data: bytes) -> str:
    """Return the CID of a blob: sha2-256 over its bytes, codec raw.

    Spec: docs/objects.md (Blobs)
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("blob_cid takes bytes")
    return _encode(RAW_CODEC, hashlib.sha256(data).digest())


def parse_cid(text: object, *, codec: int | None = None) -> ContentID:
    """Parse a CID as Agora writes them: v1, base32 lower, sha2-256.

    ``codec`` (``JSON_CODEC`` or ``RAW_CODEC``) requires that codec.

    Spec: https://github.com/multiformats/cid#decoding-algorithm

    Raises:
        InvalidCIDError: not a string, not base32 lower (``b...``), not CIDv1,
            another hash than sha2-256, another codec than json or raw (or
            than ``codec``), or bytes left over.
    """
    if not isinstance(text, str):
        raise InvalidCIDError(f"A CID must be a string, not {type(text).__name__}.")
    shown = text if len(text) <= 24 else text[:21] + "..."
    if len(text) > _MAX_TEXT or not text.startswith("b") or not text.isascii():
        raise InvalidCIDError(f"{shown!r} is not a base32 CIDv1 (b...).")
    fast = _parse_own(text)
    if fast is not None:
        if codec is not None and fast.codec != codec:
            raise InvalidCIDError(
                f"{shown!r} has codec {fast.codec_name}, not {_CODEC_NAMES[codec]}."
            )
        return fast
    from multiformats import CID  # Imported when first needed.

    try:
        parsed = CID.decode(text)
        # The digest is unwrapped lazily: a multihash whose length disagrees
        # with its function fails here, not in decode.
        digest_size = len(parsed.raw_digest)
        canonical = str(parsed)
        hash_code, codec_code = parsed.hashfun.code, parsed.codec.code
    except (ValueError, KeyError, TypeError, IndexError, ImportError) as exc:
        # ImportError: multiformats loads a hash function's implementation
        # (blake3, keccak) lazily, from packages we do not install.
        # multiformats reads the first byte of ``b`` alone without a check.
        raise InvalidCIDError(f"{shown!r} is not a valid CID.") from exc
    if parsed.base.name != "base32" or text != canonical:
        raise InvalidCIDError(f"{shown!r} is not written in canonical base32 lower.")
    if parsed.version != 1:
        raise InvalidCIDError(f"{shown!r} is not a CIDv1.")
    if hash_code != _SHA2_256 or digest_size != _DIGEST_SIZE:
        raise InvalidCIDError(f"{shown!r} does not use a sha2-256 digest.")
    if codec_code not in _PREFIX:
        raise InvalidCIDError(f"{shown!r} has codec {parsed.codec.name}, not json/raw.")
    # Every canonical base32 CIDv1 of codec json or raw over a sha2-256 digest
    # was read by _parse_own above; multiformats only says what else is wrong.
    raise InvalidCIDError(f"{shown!r} is not a valid CID.")


def is_cid(text: object, *, codec: int | None = None) -> bool:
    """True when ``text`` parses with :func:`parse_cid` (and has ``codec``).

    It never reaches the general ``multiformats`` parser (which costs
    milliseconds), so it suits checking every string of a document.
    """
    found = cid_codec(text)
    return found is not None and (codec is None or found == codec)


def cid_codec(text: object) -> int | None:
    """Return the codec (``JSON_CODEC`` or ``RAW_CODEC``) of a CID that
    :func:`parse_cid` accepts, or None for anything else; never raises.

    Spec: docs/objects.md (Content identifiers)
    """
    if not isinstance(text, str) or not text.startswith("b") or not text.isascii():
        return None
    parsed = _parse_own(text)
    return None if parsed is None else parsed.codec


def canonical_object_cid(data: bytes) -> str:
    """Return the CID of an object from its JCS bytes (as :func:`object_cid`
    of the object, without serializing it again).

    Spec: docs/objects.md (Content identifiers)
    """
    return _encode(JSON_CODEC, hashlib.sha256(data).digest())


def _parse_own(text: str) -> ContentID | None:
    """Read a CID exactly as :func:`_encode` writes it, else return None.

    Most CIDs met are of this form; reading them takes a base32 decode and a
    prefix comparison. Anything else goes through ``multiformats``, which
    says what is wrong with it.
    """
    if len(text) not in _TEXT_LENGTHS:
        return None
    body = text[1:].upper()
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except ValueError:
        return None
    for found, prefix in _PREFIX.items():
        if len(raw) == len(prefix) + _DIGEST_SIZE and raw.startswith(prefix):
            digest = raw[len(prefix) :]
            # The text must be the canonical one: no stray bits in the last letter.
            if _encode(found, digest) == text:
                return ContentID(codec=found, digest=digest)
    return None


# Base32 lower (RFC 4648 alphabet) two letters at a time: the text of a CID
# is read as one integer, cut into 10-bit pieces from the top.
_BASE32: Final = "abcdefghijklmnopqrstuvwxyz234567"
_PAIRS: Final = tuple(a + b for a in _BASE32 for b in _BASE32)


def _encode(codec: int, digest: bytes) -> str:
    raw = _PREFIX[codec] + digest
    letters = -(-8 * len(raw) // 5)
    if letters % 2:
        text = base64.b32encode(raw).decode("ascii")
        return "b" + text.rstrip("=").lower()
    # Pad the bits on the right to whole letters, as base32 does.
    number = int.from_bytes(raw, "big") << (5 * letters - 8 * len(raw))
    pairs = _PAIRS
    return "b" + "".join(
        [pairs[(number >> shift) & 1023] for shift in range(5 * letters - 10, -1, -10)]
    )
