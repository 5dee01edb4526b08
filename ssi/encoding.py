"""Pure encoding helpers: base58btc, base64url and multibase.

Decoders take untrusted text and raise :class:`~ssi.errors.EncodingError`;
nothing foreign escapes.

Spec: https://www.w3.org/TR/cid-1.0/#multibase-0,
https://www.rfc-editor.org/rfc/rfc7515#appendix-C
"""

from __future__ import annotations

import base64
import binascii
import re
import sys
from typing import Literal

from ssi.errors import EncodingError

__all__ = [
    "MAX_BASE58_LENGTH",
    "MAX_ENCODED_LENGTH",
    "decode_base58btc",
    "decode_base64url",
    "decode_multibase",
    "encode_base58btc",
    "encode_base64url",
    "encode_multibase",
]

MAX_ENCODED_LENGTH = 1 << 20
"""Longest encoded string a decoder accepts (1 MiB), so huge input fails fast."""

MAX_BASE58_LENGTH = 1 << 14
"""Longest base58btc text a decoder accepts (16 KiB characters).

Base58 decoding takes time quadratic in the length (a 1 MiB string would take
minutes), and base58btc carries only short values (keys, signatures); large
values such as status lists travel as base64url.
"""

Base = Literal["base58btc", "base64url"]

_PREFIX: dict[str, Base] = {"z": "base58btc", "u": "base64url"}
_NAME_TO_PREFIX = {name: prefix for prefix, name in _PREFIX.items()}
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_BASE58 = re.compile(r"[1-9A-HJ-NP-Za-km-z]*")
_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_DIGIT = {char: value for value, char in enumerate(_ALPHABET)}


def _pair_table() -> list[int]:
    """Map two ASCII characters, read as one native 16-bit integer, to the
    value of the base58 digit pair they spell (58 * first + second)."""
    table = [0] * 65536
    for first, high in enumerate(_ALPHABET):
        for second, low in enumerate(_ALPHABET):
            pair = (high + low).encode("ascii")
            table[int.from_bytes(pair, sys.byteorder)] = first * 58 + second
    return table


_PAIRS = _pair_table()
_PAIR_TEXT = [high + low for high in _ALPHABET for low in _ALPHABET]


def _check_text(value: object, what: str, limit: int = MAX_ENCODED_LENGTH) -> str:
    if not isinstance(value, str):
        raise EncodingError(f"{what} must be a string, not {type(value).__name__}.")
    if len(value) > limit:
        raise EncodingError(f"{what} is longer than {limit} characters.")
    return value


def encode_base58btc(data: bytes) -> str:
    """Encode bytes as base58btc (Bitcoin alphabet), without a multibase prefix.

    Leading zero bytes become leading ``1`` characters; the rest is the
    big-endian number in base 58, two digits per division (base 58**2).
    """
    stripped = bytes(data).lstrip(b"\0")
    zeros = len(data) - len(stripped)
    number = int.from_bytes(stripped, "big")
    pairs = _PAIR_TEXT
    out = []
    while number:
        number, pair = divmod(number, 3364)
        out.append(pairs[pair])
    text = "".join(reversed(out))
    if text.startswith("1"):  # the top pair had one digit only
        text = text[1:]
    return "1" * zeros + text


def decode_base58btc(text: str) -> bytes:
    """Decode base58btc text without a multibase prefix.

    Raises:
        EncodingError: the text is not base58btc, or longer than
            :data:`MAX_BASE58_LENGTH`.
    """
    _check_text(text, "base58btc value", MAX_BASE58_LENGTH)
    return _decode("z" + text, "base58btc value")


def encode_base64url(data: bytes) -> str:
    """Encode bytes as base64url without padding (RFC 7515 appendix C)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode_base64url(text: str) -> bytes:
    """Decode unpadded base64url text strictly (RFC 7515 appendix C).

    Padding, other alphabets, whitespace and non-canonical trailing bits are
    refused, so one byte string has exactly one encoding.

    Raises:
        EncodingError: the text is not canonical unpadded base64url.
    """
    _check_text(text, "base64url value")
    if _BASE64URL.fullmatch(text) is None or len(text) % 4 == 1:
        raise EncodingError("value is not unpadded base64url.")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise EncodingError("value is not unpadded base64url.") from exc
    if encode_base64url(data) != text:
        raise EncodingError("value is not canonical base64url.")
    return data


def encode_multibase(data: bytes, base: Base = "base58btc") -> str:
    """Encode bytes as a multibase string (``z`` base58btc or ``u`` base64url).

    Spec: https://www.w3.org/TR/cid-1.0/#multibase-0
    """
    if base == "base64url":
        return "u" + encode_base64url(data)
    return "z" + encode_base58btc(data)


def decode_multibase(text: str, *, allowed: tuple[Base, ...] = ("base58btc",)) -> bytes:
    """Decode a multibase string whose base is one of ``allowed``.

    Spec: https://www.w3.org/TR/cid-1.0/#multibase-0

    Raises:
        EncodingError: empty text, a base not allowed, characters outside
            the base's alphabet, or base58btc text longer than
            :data:`MAX_BASE58_LENGTH`.
    """
    _check_text(text, "multibase value")
    if not text:
        raise EncodingError("multibase value is empty.")
    base = _PREFIX.get(text[0])
    if base is None or base not in allowed:
        names = ", ".join(f"'{_NAME_TO_PREFIX[b]}' ({b})" for b in allowed)
        raise EncodingError(f"multibase prefix {text[0]!r} is not one of {names}.")
    if base == "base64url":
        return decode_base64url(text[1:])
    _check_text(text[1:], "base58btc value", MAX_BASE58_LENGTH)
    return _decode(text, "multibase value")


def _decode(text: str, what: str) -> bytes:
    """Decode ``z``-prefixed base58btc text, refusing non-canonical forms."""
    if _BASE58.fullmatch(text, 1) is None:
        raise EncodingError(f"{what} is not valid base58btc.")
    # Base58btc is a bijection between strings over its alphabet and byte
    # strings (leading '1's are leading zero bytes), so no canonical check.
    digits = text[1:]
    zeros = len(digits) - len(digits.lstrip("1"))
    number = _base58_int(digits) if zeros < len(digits) else 0
    return b"\0" * zeros + (
        number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    )


def _base58_int(digits: str) -> int:
    """The integer that base58 ``digits`` spell (already checked against the
    alphabet), two digits per step: Horner's rule in base 58**2."""
    data = digits.encode("ascii")
    number = 0
    if len(data) & 1:
        number = _DIGIT[digits[0]]
        data = data[1:]
    pairs = _PAIRS
    for pair in memoryview(data).cast("H"):
        number = number * 3364 + pairs[pair]
    return number
