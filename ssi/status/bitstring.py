"""The bitstring of a Bitstring Status List: entries, bit order, encoding.

A status list holds ``length`` entries of ``status_size`` bits each. Index 0
is the left-most bit of the first byte (its most significant bit); an entry
of several bits is read left to right, so its left-most bit is the most
significant bit of its value. The list travels as ``encodedList``: the
bitstring GZIP-compressed, then multibase-encoded as base64url without padding
(prefix ``u``).

Decoding takes untrusted text. It refuses anything that is not multibase
base64url, not a complete single-member GZIP stream, or that decompresses to
more than :data:`MAX_DECOMPRESSED_BYTES` (read incrementally, so a
decompression bomb costs at most that much memory), and a list with fewer
entries than the minimum for herd privacy.

Spec: https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistcredential,
https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-generation-algorithm,
https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-expansion-algorithm,
https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-encoding
"""

from __future__ import annotations

import gzip
import zlib
from typing import Final

from ssi.encoding import decode_multibase, encode_multibase
from ssi.errors import (
    EncodingError,
    MalformedValueError,
    StatusListLengthError,
    StatusRangeError,
)
from ssi.types import JsonValue

__all__ = [
    "MAX_DECOMPRESSED_BYTES",
    "MAX_STATUS_SIZE",
    "MIN_ENTRIES",
    "StatusList",
]

MIN_ENTRIES: Final = 131_072
"""The fewest entries a status list may have (16 KiB of 1-bit entries)."""

MAX_DECOMPRESSED_BYTES: Final = 16 * 1024 * 1024
"""The largest decompressed bitstring accepted (16 MiB)."""

MAX_STATUS_SIZE: Final = 8
"""The widest entry supported, in bits (256 possible values)."""

_CHUNK: Final = 64 * 1024


class StatusList:
    """A mutable bitstring of ``length`` entries of ``status_size`` bits.

    Create an empty list with ``StatusList()`` (131,072 one-bit entries), or
    read one with :meth:`decode`. Every entry starts at 0.

    Spec: https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-encoding
    """

    __slots__ = ("_bits", "_mask", "length", "status_size")

    def __init__(self, length: int = MIN_ENTRIES, status_size: int = 1) -> None:
        """Make a list of ``length`` zero entries of ``status_size`` bits.

        Raises:
            ValueError: ``length`` is below :data:`MIN_ENTRIES` or not a
                multiple of 8, ``status_size`` is not 1 to
                :data:`MAX_STATUS_SIZE`, or the list would decompress to more
                than the decoding cap.
        """
        _check_size(status_size)
        if type(length) is not int or length < MIN_ENTRIES or length % 8:
            raise ValueError(
                f"a status list needs at least {MIN_ENTRIES} entries, a multiple of 8."
            )
        if length * status_size > 8 * MAX_DECOMPRESSED_BYTES:
            raise ValueError("the status list would be larger than 16 MiB.")
        self.length = length
        self.status_size = status_size
        self._mask = (1 << status_size) - 1
        self._bits = bytearray((length * status_size + 7) // 8)

    @classmethod
    def decode(
        cls,
        encoded: JsonValue,
        *,
        status_size: int = 1,
        min_entries: int = MIN_ENTRIES,
    ) -> StatusList:
        """Read an ``encodedList`` value (untrusted) as a list of entries.

        Args:
            encoded: the ``encodedList`` string.
            status_size: the width of an entry in bits (``statusSize``).
            min_entries: the fewest entries accepted; 131,072 unless an
                ecosystem specification sets another lower bound.

        Spec: https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-expansion-algorithm,
        https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm

        Raises:
            MalformedValueError: not a string, not multibase base64url (``u``),
                or not a complete GZIP stream.
            StatusListLengthError: fewer than ``min_entries`` entries, more
                than :data:`MAX_DECOMPRESSED_BYTES` bytes, or a bit length that
                is not a whole number of entries.
        """
        _check_size(status_size)
        if not isinstance(encoded, str):
            raise MalformedValueError("encodedList must be a string.")
        try:
            compressed = decode_multibase(encoded, allowed=("base64url",))
        except EncodingError as exc:
            raise MalformedValueError(
                "encodedList is not multibase base64url (prefix 'u', no padding)."
            ) from exc
        bits = _gunzip(compressed)
        return cls._from_bytes(bits, status_size, min_entries)

    @classmethod
    def _from_bytes(
        cls, bits: bytes | bytearray, status_size: int, min_entries: int
    ) -> StatusList:
        bit_length = 8 * len(bits)
        if bit_length % status_size:
            raise StatusListLengthError(
                f"the status list has {bit_length} bits, not a whole number of "
                f"{status_size}-bit entries."
            )
        length = bit_length // status_size
        if length < min_entries:
            raise StatusListLengthError(
                f"the status list has {length} entries; at least {min_entries} "
                "are required for herd privacy."
            )
        instance = cls.__new__(cls)
        instance.length = length
        instance.status_size = status_size
        instance._mask = (1 << status_size) - 1
        instance._bits = bytearray(bits)
        return instance

    def encode(self) -> str:
        """Return the ``encodedList`` value: GZIP, then multibase base64url.

        The GZIP header carries no time stamp, so equal lists encode equally.
        Compression is zlib's default level 6: on sparse lists level 9 is some
        twenty times slower for a few percent fewer bytes.

        Spec: https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-generation-algorithm
        """
        compressed = gzip.compress(bytes(self._bits), compresslevel=6, mtime=0)
        return encode_multibase(compressed, "base64url")

    def get(self, index: int) -> int:
        """Return the value of entry ``index``.

        Spec: https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm

        Raises:
            StatusRangeError: ``index`` is outside the list.
        """
        self._check_index(index)
        if self.status_size == 1:
            return (self._bits[index >> 3] >> (7 - (index & 7))) & 1
        start, end, shift = self._span(index)
        chunk = int.from_bytes(self._bits[start:end], "big")
        return (chunk >> shift) & self._mask

    def set(self, index: int, value: int) -> None:
        """Set entry ``index`` to ``value`` (0 to 2**status_size - 1).

        Raises:
            StatusRangeError: ``index`` is outside the list.
            ValueError: ``value`` does not fit in ``status_size`` bits.
        """
        self._check_index(index)
        if type(value) is not int or not 0 <= value <= self._mask:
            raise ValueError(
                f"a status value must be an integer from 0 to {self._mask}."
            )
        start, end, shift = self._span(index)
        chunk = int.from_bytes(self._bits[start:end], "big")
        chunk = (chunk & ~(self._mask << shift)) | (value << shift)
        self._bits[start:end] = chunk.to_bytes(end - start, "big")

    def to_bytes(self) -> bytes:
        """Return the uncompressed bitstring."""
        return bytes(self._bits)

    def count(self) -> int:
        """Return how many entries have a value other than 0."""
        if self.status_size == 1:
            return sum(bin(byte).count("1") for byte in self._bits if byte)
        return sum(1 for index in range(self.length) if self.get(index))

    def copy(self) -> StatusList:
        """Return an independent copy."""
        return StatusList._from_bytes(self._bits, self.status_size, 0)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StatusList):
            return NotImplemented
        return (self.status_size, self._bits) == (other.status_size, other._bits)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"StatusList(length={self.length}, status_size={self.status_size})"

    def _check_index(self, index: int) -> None:
        if type(index) is not int or not 0 <= index < self.length:
            raise StatusRangeError(
                f"status list index {index!r} is outside the list of "
                f"{self.length} entries."
            )

    def _span(self, index: int) -> tuple[int, int, int]:
        """Return the bytes [start, end) holding the entry and its right shift."""
        first = index * self.status_size
        last = first + self.status_size - 1
        start, end = first >> 3, (last >> 3) + 1
        return start, end, 8 * end - 1 - last


def _check_size(status_size: int) -> None:
    if type(status_size) is not int or not 1 <= status_size <= MAX_STATUS_SIZE:
        raise ValueError(f"status_size must be an integer from 1 to {MAX_STATUS_SIZE}.")


def _gunzip(compressed: bytes) -> bytes:
    """Decompress one GZIP member, refusing more than the cap or trailing data."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    output = bytearray()
    pending = compressed
    try:
        while not inflater.eof:
            room = MAX_DECOMPRESSED_BYTES + 1 - len(output)
            chunk = inflater.decompress(pending, min(room, _CHUNK))
            output += chunk
            if len(output) > MAX_DECOMPRESSED_BYTES:
                raise StatusListLengthError(
                    "encodedList decompresses to more than "
                    f"{MAX_DECOMPRESSED_BYTES} bytes, the most accepted."
                )
            pending = inflater.unconsumed_tail
            if not chunk and not pending:
                break  # No input left and no progress: the stream is cut short.
    except zlib.error as exc:
        raise MalformedValueError("encodedList is not valid GZIP data.") from exc
    if not inflater.eof:
        raise MalformedValueError("encodedList holds an incomplete GZIP stream.")
    if inflater.unused_data:
        raise MalformedValueError("encodedList has data after its GZIP stream.")
    return bytes(output)
