"""The bundle format: JSON Lines of self-contained items, read within limits.

A bundle is UTF-8 text, one JSON object per line (lines end at ``\\n``; a
``\\r`` before it and blank lines are allowed). The first line is the header;
every other line is one item, named by its ``kind``:

- ``{"kind":"header","mediaType":MEDIA_TYPE,"version":1}``
- ``{"kind":"didLog","did":DID,"entries":[entry, ...]}``: a whole did:agora log;
- ``{"kind":"statusList","credential":{...}}``: a status list credential;
- ``{"kind":"membership","credential":{...}}``: a ``MembershipCredential``;
- ``{"kind":"blob","cid":RAW_CID,"mediaType":TYPE,"data":BASE64}``;
- ``{"kind":"credential","credential":{...}}`` and
  ``{"kind":"presentation","presentation":{...}}``: the objects.

The first four kinds after the header are *dependencies*: what verifies the
objects. Readers keep them in memory; objects and blobs are streamed.

Spec: docs/bundles.md
"""

from __future__ import annotations

import base64
import binascii
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

from ssi.agora import did_for_inception
from ssi.cid import RAW_CODEC, blob_cid, is_cid
from ssi.credentials import load_json
from ssi.credentials.json_input import MAX_DEPTH
from ssi.errors import (
    BlobMismatchError,
    BlobTooLargeError,
    BundleError,
    BundleHeaderError,
    BundleItemError,
    BundleLineError,
    BundleLineTooLongError,
    ParsingError,
    SSIError,
    UnknownBundleItemError,
    UnsupportedBundleVersionError,
)
from ssi.jsonld.canon import canonicalize_jcs
from ssi.types import JsonObject, JsonValue

__all__ = [
    "DEPENDENCY_KINDS",
    "FORMAT_VERSION",
    "ITEM_KINDS",
    "MAX_BLOB_BYTES",
    "MAX_DEPENDENCY_BYTES",
    "MAX_DEPENDENCY_ITEMS",
    "MAX_LINE_BYTES",
    "MEDIA_TYPE",
    "OBJECT_KINDS",
    "BundleSource",
    "Line",
    "blob_line",
    "check_blob",
    "check_item",
    "encode_line",
    "header_line",
    "object_line",
    "open_bundle",
    "parse_line",
    "quick_kind",
    "read_header",
    "read_lines",
]

MEDIA_TYPE: Final = "application/vnd.agora.bundle+jsonl"
"""The media type of a bundle (and the header's ``mediaType``)."""

FORMAT_VERSION: Final = 1
"""The format version this library writes and reads."""

MAX_LINE_BYTES: Final = 8 * 1024 * 1024
"""The longest line, in bytes of UTF-8 without its line break (8 MiB)."""

MAX_BLOB_BYTES: Final = 4 * 1024 * 1024
"""The largest blob, in bytes before base64 (4 MiB)."""

MAX_DEPENDENCY_ITEMS: Final = 100_000
"""The most dependency lines (logs, status lists, memberships) a reader keeps."""

MAX_DEPENDENCY_BYTES: Final = 256 * 1024 * 1024
"""The most bytes of dependency lines a reader keeps (256 MiB)."""

OBJECT_KINDS: Final = frozenset({"credential", "presentation"})
"""Kinds whose items are verified and reported one by one."""

DEPENDENCY_KINDS: Final = frozenset({"didLog", "statusList", "membership"})
"""Kinds whose items verify the objects."""

ITEM_KINDS: Final = OBJECT_KINDS | DEPENDENCY_KINDS | {"blob"}
"""Every kind of item line (the header is not an item)."""

_MEMBERS: Final[dict[str, frozenset[str]]] = {
    "header": frozenset({"kind", "mediaType", "version"}),
    "didLog": frozenset({"kind", "did", "entries"}),
    "statusList": frozenset({"kind", "credential"}),
    "membership": frozenset({"kind", "credential"}),
    "blob": frozenset({"kind", "cid", "mediaType", "data"}),
    "credential": frozenset({"kind", "credential"}),
    "presentation": frozenset({"kind", "presentation"}),
}
_OPTIONAL: Final = frozenset({"mediaType"})
"""Members a blob may leave out."""

_BLANK: Final = b" \t\r\n"
_CHUNK: Final = 1024 * 1024
_SHOWN: Final = 40

BundleSource = str | os.PathLike[str] | IO[bytes]
"""Where a bundle is read from: a path, or a binary stream (spooled to a
temporary file when it cannot seek, such as standard input)."""


@dataclass(frozen=True, slots=True)
class Line:
    """One physical line of a bundle that is not blank.

    Attributes:
        number: the line number, from 1 (blank lines counted).
        data: the line's bytes without the line break; empty when too long.
        too_long: the line is longer than :data:`MAX_LINE_BYTES` (its bytes
            were skipped, not read into memory).
    """

    number: int
    data: bytes
    too_long: bool = False


def _show(value: object) -> str:
    text = str(value)
    shown = text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."
    return ascii(shown)


def open_bundle(source: BundleSource) -> tuple[IO[bytes], bool]:
    """Return a seekable binary file for ``source`` and whether to close it.

    A path is opened; a stream that can seek is used as it is (from where it
    stands); any other stream is copied to a temporary file first.

    Raises:
        BundleError: the file cannot be opened or read.
    """
    if isinstance(source, str | os.PathLike):
        try:
            return Path(source).open("rb"), True
        except OSError as exc:
            raise BundleError(
                f"cannot read the bundle {_show(source)}: "
                f"{(exc.strerror or type(exc).__name__).lower()}."
            ) from exc
    try:
        seekable = source.seekable()
    except (OSError, ValueError):
        seekable = False
    if seekable:
        return source, False
    spool = tempfile.TemporaryFile()
    try:
        shutil.copyfileobj(source, spool, _CHUNK)
        spool.seek(0)
    except OSError as exc:
        spool.close()
        raise BundleError(f"cannot read the bundle: {exc.strerror or exc}.") from exc
    return spool, True


def read_lines(handle: IO[bytes], *, max_line: int = MAX_LINE_BYTES) -> Iterator[Line]:
    """Yield the lines of a bundle that are not blank, never reading more
    than ``max_line + 1`` bytes of one line into memory.

    Spec: docs/bundles.md (Lines)
    """
    number = 0
    while True:
        data = handle.readline(max_line + 2)
        if not data:
            return
        number += 1
        if len(data) > max_line + 1 or (
            len(data) == max_line + 1 and not data.endswith(b"\n")
        ):
            ended = data.endswith(b"\n")
            while not ended:
                rest = handle.readline(_CHUNK)
                ended = not rest or rest.endswith(b"\n")
            yield Line(number, b"", too_long=True)
            continue
        data = data.rstrip(b"\n")
        if data.endswith(b"\r"):
            data = data[:-1]
        if data.strip(_BLANK):
            yield Line(number, data)


def quick_kind(data: bytes) -> str | None:
    """The kind of a line written with ``kind`` first, without parsing it.

    Writers put ``kind`` first (``{"kind":"credential",...``), so a reader can
    pass over lines it does not need yet; None when the line is not written
    that way (it is then parsed).
    """
    if not data.startswith(b'{"kind":"'):
        return None
    end = data.find(b'"', 9)
    if end < 0 or end > 9 + 16 or data[end + 1 : end + 2] != b",":
        return None
    kind = data[9:end].decode("ascii", "replace")
    return kind if kind in ITEM_KINDS else None


def parse_line(line: Line) -> JsonObject:
    """Parse one line strictly and check its kind and members.

    Returns the line's object, whose ``kind`` is a known kind (or
    ``header``) and whose members are those the kind requires.

    Spec: docs/bundles.md (Lines)

    Raises:
        BundleLineTooLongError: the line is longer than :data:`MAX_LINE_BYTES`.
        BundleLineError: not UTF-8, not strict JSON, or not a JSON object.
        UnknownBundleItemError: its ``kind`` is not one the format defines.
        BundleItemError: the members do not fit the kind.
    """
    if line.too_long:
        raise BundleLineTooLongError(
            f"line {line.number} is longer than {MAX_LINE_BYTES} bytes.",
            line=line.number,
        )
    try:
        value = load_json(line.data, max_bytes=MAX_LINE_BYTES, max_depth=MAX_DEPTH + 2)
    except ParsingError as exc:
        raise BundleLineError(
            f"line {line.number} is not strict JSON: {exc.detail}", line=line.number
        ) from exc
    if not isinstance(value, dict):
        raise BundleLineError(
            f"line {line.number} is not a JSON object.", line=line.number
        )
    kind = value.get("kind")
    if not isinstance(kind, str) or (kind not in ITEM_KINDS and kind != "header"):
        raise UnknownBundleItemError(
            f"line {line.number} has the unknown kind {_show(kind)}.",
            line=line.number,
        )
    expected = _MEMBERS[kind]
    members = set(value)
    missing = expected - members - (_OPTIONAL if kind == "blob" else frozenset())
    extra = members - expected
    if missing or extra:
        what = (
            f"lacks {min(missing)!r}"
            if missing
            else f"has the member {_show(min(extra))}"
        )
        raise BundleItemError(f"line {line.number} ({kind}) {what}.", line=line.number)
    return value


def check_item(kind: str, item: JsonObject, number: int) -> None:
    """Check the members of a dependency or object line beyond their names.

    Raises:
        BundleItemError: a member has the wrong type, or a log's ``did`` is
            not the DID its first entry creates.
    """
    if kind in ("statusList", "membership", "credential"):
        if not isinstance(item.get("credential"), dict):
            raise BundleItemError(
                f"line {number} ({kind}): credential must be a JSON object.",
                line=number,
            )
        if kind == "statusList" and not isinstance(item["credential"].get("id"), str):
            raise BundleItemError(
                f"line {number} (statusList): the credential has no id (its URL).",
                line=number,
            )
    elif kind == "presentation":
        if not isinstance(item.get("presentation"), dict):
            raise BundleItemError(
                f"line {number} (presentation): presentation must be a JSON object.",
                line=number,
            )
    elif kind == "didLog":
        did, entries = item.get("did"), item.get("entries")
        if not isinstance(did, str) or not isinstance(entries, list) or not entries:
            raise BundleItemError(
                f"line {number} (didLog): did must be a string and entries a "
                "non-empty array.",
                line=number,
            )
        first = entries[0]
        try:
            created = did_for_inception(first) if isinstance(first, dict) else None
        except SSIError:
            created = None
        if created != did:
            raise BundleItemError(
                f"line {number} (didLog): the first entry does not create "
                f"{_show(did)}.",
                line=number,
            )


def check_blob(item: JsonObject, number: int) -> tuple[str, bytes]:
    """Decode a blob line and check its CID; return the CID and the bytes.

    Spec: docs/bundles.md (Blobs)

    Raises:
        BundleItemError: ``cid`` is not a raw CID, ``data`` is not base64, or
            ``mediaType`` is not a string.
        BlobTooLargeError: more than :data:`MAX_BLOB_BYTES` bytes.
        BlobMismatchError: the bytes have another CID.
    """
    cid, data, media = item.get("cid"), item.get("data"), item.get("mediaType")
    if not is_cid(cid, codec=RAW_CODEC):
        raise BundleItemError(
            f"line {number} (blob): cid is not a raw CID.", line=number
        )
    if media is not None and not isinstance(media, str):
        raise BundleItemError(
            f"line {number} (blob): mediaType must be a string.", line=number
        )
    if not isinstance(data, str):
        raise BundleItemError(
            f"line {number} (blob): data must be a base64 string.", line=number
        )
    if len(data) > (MAX_BLOB_BYTES + 2) // 3 * 4:
        raise BlobTooLargeError(
            f"line {number}: the blob is larger than {MAX_BLOB_BYTES} bytes.",
            line=number,
        )
    try:
        raw = base64.b64decode(data.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise BundleItemError(
            f"line {number} (blob): data is not base64.", line=number
        ) from exc
    if len(raw) > MAX_BLOB_BYTES:
        raise BlobTooLargeError(
            f"line {number}: the blob is larger than {MAX_BLOB_BYTES} bytes.",
            line=number,
        )
    if blob_cid(raw) != cid:
        raise BlobMismatchError(
            f"line {number}: the blob's bytes do not have the CID {cid}.",
            line=number,
        )
    return str(cid), raw


def read_header(lines: Iterator[Line]) -> JsonObject:
    """Read and check the header, the first line that is not blank.

    Spec: docs/bundles.md (Header)

    Raises:
        BundleHeaderError: no header, or a header that is not one.
        UnsupportedBundleVersionError: a version other than
            :data:`FORMAT_VERSION`.
    """
    first = next(lines, None)
    if first is None:
        raise BundleHeaderError("the bundle is empty: it has no header line.")
    try:
        value = parse_line(first)
    except BundleError as exc:
        raise BundleHeaderError(
            f"the bundle does not start with a header: {exc.detail}", line=first.number
        ) from exc
    if value.get("kind") != "header" or value.get("mediaType") != MEDIA_TYPE:
        raise BundleHeaderError(
            f"line {first.number} is not a bundle header (kind header, "
            f"mediaType {MEDIA_TYPE}).",
            line=first.number,
        )
    version = value.get("version")
    if type(version) is not int:
        raise BundleHeaderError(
            f"line {first.number}: the header's version must be an integer.",
            line=first.number,
        )
    if version != FORMAT_VERSION:
        raise UnsupportedBundleVersionError(
            f"the bundle is in format version {version}; this reader knows "
            f"version {FORMAT_VERSION}.",
            line=first.number,
        )
    return value


# --- Writing ------------------------------------------------------------------------


def encode_line(kind: str, members: JsonObject) -> bytes:
    """Return one line (with its ``\\n``): ``kind`` first, then ``members``,
    each written in JCS (so objects keep the bytes their CID is computed over).

    Raises:
        CanonicalizationError: a member is not JSON that JCS can write.
        BundleLineTooLongError: the line is longer than :data:`MAX_LINE_BYTES`.
    """
    parts = [b'{"kind":' + canonicalize_jcs(kind)]
    for name, value in members.items():
        parts.append(canonicalize_jcs(name) + b":" + canonicalize_jcs(value))
    data = b",".join(parts) + b"}"
    if len(data) > MAX_LINE_BYTES:
        raise BundleLineTooLongError(
            f"a {kind} line would be longer than {MAX_LINE_BYTES} bytes."
        )
    return data + b"\n"


def header_line() -> bytes:
    """Return the header line of a bundle this library writes."""
    return encode_line("header", {"mediaType": MEDIA_TYPE, "version": FORMAT_VERSION})


def object_line(document: JsonObject) -> bytes:
    """Return the line of a credential or a presentation (by its ``type``).

    Raises:
        CanonicalizationError, BundleLineTooLongError: as :func:`encode_line`.
    """
    types = document.get("type")
    is_presentation = types == "VerifiablePresentation" or (
        isinstance(types, list) and "VerifiablePresentation" in types
    )
    kind = "presentation" if is_presentation else "credential"
    return encode_line(kind, {kind: document})


def blob_line(data: bytes, media_type: str | None = None) -> bytes:
    """Return the line of a blob: its raw CID, media type and base64 bytes.

    Raises:
        BlobTooLargeError: more than :data:`MAX_BLOB_BYTES` bytes.
    """
    if len(data) > MAX_BLOB_BYTES:
        raise BlobTooLargeError(f"the blob is larger than {MAX_BLOB_BYTES} bytes.")
    members: dict[str, JsonValue] = {"cid": blob_cid(data)}
    if media_type is not None:
        members["mediaType"] = media_type
    members["data"] = base64.b64encode(data).decode("ascii")
    return encode_line("blob", members)
