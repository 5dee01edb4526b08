"""Small objects as QR codes: a did:agora log, a credential, a post (any bytes).

The payload is compressed (zlib) and split over as few QR codes as hold it;
each code carries a 22-byte header (magic, format version, compression,
part index, part count, and a digest of the whole payload), so that codes
can be read in any order and codes of different payloads never mix. The
framing (:func:`encode_parts`, :func:`decode_parts`) needs no image library;
drawing codes needs ``segno`` and reading them needs ``zxing-cpp`` and
Pillow, the ``qr`` extra (``pip install 'agora-ssi[qr]'``).

Example:
    >>> images = render_codes(b'{"hello": "world"}', kind="png")
    >>> decode_images(images)
    b'{"hello": "world"}'

Spec: docs/qr.md
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import warnings
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from ssi.errors import QRCodeError, QRCodeTooLargeError

__all__ = [
    "COMPRESSION_NONE",
    "COMPRESSION_ZLIB",
    "DIGEST_BYTES",
    "ERROR_CORRECTION",
    "FORMAT_VERSION",
    "HEADER_BYTES",
    "MAGIC",
    "MAX_CODES",
    "MAX_COMPRESSED_BYTES",
    "MAX_IMAGE_PIXELS",
    "MAX_PART_BYTES",
    "MAX_PAYLOAD_BYTES",
    "MAX_QR_VERSION",
    "QRPart",
    "decode_images",
    "decode_parts",
    "encode_parts",
    "missing_dependencies",
    "parse_part",
    "read_codes",
    "render_codes",
]

MAGIC: Final = b"AQ"
"""The first two bytes of every Agora QR code."""

FORMAT_VERSION: Final = 1
"""The version of the framing this module writes and reads."""

COMPRESSION_NONE: Final = 0
"""Compression byte: the parts hold the payload as it is."""

COMPRESSION_ZLIB: Final = 1
"""Compression byte: the parts hold a zlib stream (RFC 1950) of the payload."""

DIGEST_BYTES: Final = 16
"""The digest in each header: the first 16 bytes of SHA-256 of the payload."""

HEADER_BYTES: Final = len(MAGIC) + 4 + DIGEST_BYTES
"""Header size: magic (2), version, compression, index, count (1 each), digest."""

MAX_QR_VERSION: Final = 25
"""The largest QR version (117 x 117 modules) written; phones read it from a
screen or a printed page."""

ERROR_CORRECTION: Final = "M"
"""The QR error correction level written (about 15 % of the code can be lost)."""

_BYTES_AT_MAX_VERSION: Final = 997
"""Byte-mode capacity of a version 25 QR code at level M (ISO/IEC 18004 table 7)."""

MAX_PART_BYTES: Final = _BYTES_AT_MAX_VERSION - HEADER_BYTES
"""The most payload bytes (after compression) one code carries: 975."""

MAX_CODES: Final = 16
"""The most codes one payload is split over."""

MAX_COMPRESSED_BYTES: Final = MAX_CODES * MAX_PART_BYTES
"""The largest payload after compression: 15,600 bytes."""

MAX_PAYLOAD_BYTES: Final = 1024 * 1024
"""The largest payload before compression (also the most a decoder inflates)."""

MAX_IMAGE_PIXELS: Final = 40_000_000
"""The largest image (width x height) :func:`read_codes` decodes."""

_DEPENDENCIES: Final = {"segno": "segno", "zxingcpp": "zxing-cpp", "PIL": "pillow"}


@dataclass(frozen=True, slots=True)
class QRPart:
    """The content of one Agora QR code: its header fields and its data."""

    version: int
    compression: int
    index: int
    count: int
    digest: bytes
    data: bytes

    def to_bytes(self) -> bytes:
        """Return the code's content: header then data."""
        header = MAGIC + bytes((self.version, self.compression, self.index, self.count))
        return header + self.digest + self.data


def missing_dependencies() -> list[str]:
    """Return the PyPI names of the ``qr`` extra's packages that are not installed."""
    return [
        package
        for module, package in _DEPENDENCIES.items()
        if importlib.util.find_spec(module) is None
    ]


def _digest(payload: bytes) -> bytes:
    return hashlib.sha256(payload).digest()[:DIGEST_BYTES]


def encode_parts(payload: bytes) -> tuple[bytes, ...]:
    """Compress ``payload`` and split it into the contents of as few codes as
    hold it, parts of near-equal size.

    Spec: docs/qr.md (Encoding)

    Raises:
        QRCodeTooLargeError: the payload is over :data:`MAX_PAYLOAD_BYTES`, or
            over :data:`MAX_COMPRESSED_BYTES` once compressed.
    """
    if not isinstance(payload, bytes | bytearray | memoryview):
        raise TypeError("the payload must be bytes")
    payload = bytes(payload)
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise QRCodeTooLargeError(
            f"the payload is {len(payload)} bytes; QR codes carry at most "
            f"{MAX_PAYLOAD_BYTES} bytes before compression."
        )
    stream, compression = zlib.compress(payload, 9), COMPRESSION_ZLIB
    if len(stream) >= len(payload) and payload:
        stream, compression = payload, COMPRESSION_NONE
    if len(stream) > MAX_COMPRESSED_BYTES:
        raise QRCodeTooLargeError(
            f"the payload is {len(stream)} bytes once compressed; {MAX_CODES} QR "
            f"codes carry at most {MAX_COMPRESSED_BYTES} (send it as a file)."
        )
    count = max(1, -(-len(stream) // MAX_PART_BYTES))
    # The first len % count parts hold one byte more than the others.
    size, longer = divmod(len(stream), count)
    digest = _digest(payload)
    parts: list[bytes] = []
    start = 0
    for index in range(count):
        end = start + size + (1 if index < longer else 0)
        part = QRPart(
            FORMAT_VERSION, compression, index, count, digest, stream[start:end]
        )
        parts.append(part.to_bytes())
        start = end
    return tuple(parts)


def parse_part(content: bytes, *, source: str = "a QR code") -> QRPart:
    """Read the header of one code's content.

    Spec: docs/qr.md (Header)

    Raises:
        QRCodeError: not an Agora code (``qrNotAgora``), a newer format
            (``qrUnsupportedVersion``), or impossible header values
            (``qrInvalidPart``).
    """
    if len(content) < HEADER_BYTES or content[: len(MAGIC)] != MAGIC:
        raise QRCodeError(f"{source} is not an Agora QR code.", code="qrNotAgora")
    version, compression, index, count = content[2:6]
    if version != FORMAT_VERSION:
        raise QRCodeError(
            f"{source} uses Agora QR format version {version}; this version reads "
            f"{FORMAT_VERSION}.",
            code="qrUnsupportedVersion",
        )
    data = content[HEADER_BYTES:]
    if compression not in (COMPRESSION_NONE, COMPRESSION_ZLIB):
        problem = f"an unknown compression ({compression})"
    elif not 1 <= count <= MAX_CODES:
        problem = f"a part count of {count} (1 to {MAX_CODES} allowed)"
    elif index >= count:
        problem = f"part index {index} of {count}"
    elif len(data) > MAX_PART_BYTES:
        problem = f"{len(data)} data bytes (at most {MAX_PART_BYTES})"
    else:
        return QRPart(version, compression, index, count, content[6:HEADER_BYTES], data)
    raise QRCodeError(f"{source} has {problem}.", code="qrInvalidPart")


def decode_parts(contents: Iterable[bytes]) -> bytes:
    """Join the contents of the codes of one payload, in any order, and return
    the payload after checking its digest.

    Spec: docs/qr.md (Decoding)

    Raises:
        QRCodeError: no codes, a code that is not a valid Agora code, a part
            of another payload (``qrPartForeign``), a part given twice
            (``qrPartDuplicated``), a part missing (``qrPartMissing``), or a
            payload that does not match its digest (``qrDigestMismatch``).
        QRCodeTooLargeError: the payload inflates past :data:`MAX_PAYLOAD_BYTES`.
    """
    parts = [
        parse_part(content, source=f"code {number}")
        for number, content in enumerate(contents, start=1)
    ]
    if not parts:
        raise QRCodeError("no QR codes were given.", code="qrUnreadable")
    first = parts[0]
    payloads = {part.digest for part in parts}
    if len(payloads) > 1:
        raise QRCodeError(
            f"the codes belong to {len(payloads)} different payloads; give the "
            "codes of one payload only.",
            code="qrPartForeign",
        )
    if any((p.count, p.compression) != (first.count, first.compression) for p in parts):
        raise QRCodeError(
            "the codes disagree on the part count or the compression.",
            code="qrInvalidPart",
        )
    by_index: dict[int, QRPart] = {}
    for part in parts:
        if part.index in by_index:
            raise QRCodeError(
                f"part {part.index + 1} of {first.count} was given twice.",
                code="qrPartDuplicated",
            )
        by_index[part.index] = part
    missing = [str(i + 1) for i in range(first.count) if i not in by_index]
    if missing:
        raise QRCodeError(
            f"part{'s' if len(missing) > 1 else ''} {', '.join(missing)} of "
            f"{first.count} {'are' if len(missing) > 1 else 'is'} missing.",
            code="qrPartMissing",
        )
    stream = b"".join(by_index[i].data for i in range(first.count))
    payload = _inflate(stream) if first.compression == COMPRESSION_ZLIB else stream
    if _digest(payload) != first.digest:
        raise QRCodeError(
            "the codes do not give back the payload their digest names.",
            code="qrDigestMismatch",
        )
    return payload


def _inflate(stream: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        payload = inflater.decompress(stream, MAX_PAYLOAD_BYTES + 1)
    except zlib.error as exc:
        raise QRCodeError(
            "the codes do not hold a valid zlib stream.", code="qrDigestMismatch"
        ) from exc
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise QRCodeTooLargeError(
            f"the codes inflate to more than {MAX_PAYLOAD_BYTES} bytes."
        )
    if not inflater.eof or inflater.unused_data:
        raise QRCodeError(
            "the codes do not hold exactly one complete zlib stream.",
            code="qrDigestMismatch",
        )
    return payload


# --- Images -------------------------------------------------------------------


def render_codes(
    payload: bytes,
    *,
    kind: Literal["png", "svg"] = "png",
    scale: int = 4,
    border: int = 4,
) -> list[bytes]:
    """Return one image (PNG or SVG bytes) per code of ``payload``.

    Each code is a QR code in byte mode at error correction level
    :data:`ERROR_CORRECTION`, of the smallest version that holds its part (at
    most :data:`MAX_QR_VERSION`), with ``border`` modules of quiet zone and
    ``scale`` pixels per module.

    Spec: docs/qr.md (Encoding)

    Raises:
        QRCodeTooLargeError: as :func:`encode_parts`.
        ModuleNotFoundError: ``segno`` is not installed (the ``qr`` extra).
        ValueError: an unknown ``kind``, or ``scale`` below 1 or ``border``
            below 0.
    """
    if kind not in ("png", "svg"):
        raise ValueError(f"unknown image kind {kind!r}; use png or svg")
    if scale < 1 or border < 0:
        raise ValueError("scale must be at least 1 and border at least 0")
    import segno

    images: list[bytes] = []
    for content in encode_parts(payload):
        code = segno.make_qr(
            content,
            mode="byte",
            error=ERROR_CORRECTION.lower(),
            boost_error=False,
            eci=False,
        )
        if code.version is None or int(code.version) > MAX_QR_VERSION:
            raise QRCodeTooLargeError(  # pragma: no cover - MAX_PART_BYTES fits
                f"a part needs QR version {code.version}, over {MAX_QR_VERSION}."
            )
        buffer = io.BytesIO()
        code.save(buffer, kind=kind, scale=scale, border=border)
        images.append(buffer.getvalue())
    return images


def read_codes(image: bytes, *, source: str = "the image") -> list[bytes]:
    """Return the raw contents of every QR code found in an image (PNG, JPEG,
    or anything else Pillow reads; not SVG).

    Spec: docs/qr.md (Decoding)

    Raises:
        QRCodeError: the image cannot be read, is over
            :data:`MAX_IMAGE_PIXELS`, or holds no QR code (``qrUnreadable``).
        ModuleNotFoundError: ``zxing-cpp`` or Pillow is not installed.
    """
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(image))
        with opened:
            width, height = opened.size
            if width * height > MAX_IMAGE_PIXELS:
                raise QRCodeError(
                    f"{source} is {width} x {height} pixels; at most "
                    f"{MAX_IMAGE_PIXELS} pixels are read.",
                    code="qrUnreadable",
                )
            gray = opened.convert("L")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise QRCodeError(
            f"{source} is not an image that can be read (PNG, JPEG; not SVG).",
            code="qrUnreadable",
        ) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise QRCodeError(
            f"{source} is too large an image to read.", code="qrUnreadable"
        ) from exc
    formats = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    found = zxingcpp.read_barcodes(gray, formats=formats)
    if not found:
        raise QRCodeError(f"no QR code was found in {source}.", code="qrUnreadable")
    return [barcode.bytes for barcode in found]


def decode_images(images: Sequence[bytes], *, names: Sequence[str] = ()) -> bytes:
    """Read every QR code in ``images`` and return the payload they carry.

    ``names`` (one per image, such as file names) are used in messages.

    Spec: docs/qr.md (Decoding)

    Raises:
        QRCodeError: as :func:`read_codes`, :func:`parse_part` and
            :func:`decode_parts`; a message names the image at fault.
        QRCodeTooLargeError: as :func:`decode_parts`.
        ModuleNotFoundError: as :func:`read_codes`.
    """
    contents: list[bytes] = []
    for number, image in enumerate(images):
        name = names[number] if number < len(names) else f"image {number + 1}"
        for content in read_codes(image, source=name):
            parse_part(content, source=f"a QR code in {name}")
            contents.append(content)
    return decode_parts(contents)
