"""The multicodec prefixes this library reads and writes, over ``multiformats``.

Only the codecs named in :data:`KEY_CODECS` are accepted; any other prefix is
an unsupported key type, however well-formed.

Spec: https://github.com/multiformats/multicodec/blob/master/table.csv,
https://www.w3.org/TR/cid-1.0/#Multikey
"""

from __future__ import annotations

from multiformats import multicodec

from ssi.errors import EncodingError, UnsupportedPublicKeyTypeError

__all__ = ["KEY_CODECS", "unwrap_key", "wrap"]

KEY_CODECS: dict[str, int] = {
    "ed25519-pub": 0xED,
    "x25519-pub": 0xEC,
    "p256-pub": 0x1200,
    "p384-pub": 0x1201,
    "p521-pub": 0x1202,
    "secp256k1-pub": 0xE7,
    "ed25519-priv": 0x1300,
    "x25519-priv": 0x1302,
    "p256-priv": 0x1306,
    "p384-priv": 0x1307,
    "p521-priv": 0x1308,
    "secp256k1-priv": 0x1301,
}
"""Key codecs by multicodec name, with their table codes."""

_PREFIX: dict[str, bytes] = {
    name: bytes(multicodec.wrap(name, b"")) for name in KEY_CODECS
}
# Every key codec's varint is two bytes, the second below 0x80 (the varint
# ends there), so the first two bytes of a value name its codec exactly.
_BY_PREFIX: dict[bytes, str] = {prefix: name for name, prefix in _PREFIX.items()}
if not all(len(prefix) == 2 and prefix[1] < 0x80 for prefix in _BY_PREFIX):
    raise RuntimeError("a key codec's varint is not two bytes long")  # pragma: no cover


def wrap(codec: str, data: bytes) -> bytes:
    """Prefix ``data`` with the varint code of ``codec`` (one of KEY_CODECS)."""
    prefix = _PREFIX.get(codec)
    if prefix is None:
        raise ValueError(f"codec {codec!r} is not one this library writes")
    return prefix + bytes(data)


def unwrap_key(data: bytes) -> tuple[str, bytes]:
    """Split multicodec-prefixed key bytes into the codec name and the key bytes.

    Raises:
        EncodingError: the varint prefix is malformed.
        UnsupportedPublicKeyTypeError: the codec is not a key codec we support.
    """
    name = _BY_PREFIX.get(bytes(data[:2]))
    if name is not None:
        return name, bytes(data[2:])
    try:
        codec, payload = multicodec.unwrap(data)
    except KeyError as exc:
        raise UnsupportedPublicKeyTypeError(
            "multicodec prefix is not a supported key type."
        ) from exc
    except ValueError as exc:
        raise EncodingError("multicodec prefix is malformed.") from exc
    if codec.name not in KEY_CODECS or KEY_CODECS[codec.name] != codec.code:
        raise UnsupportedPublicKeyTypeError(
            f"multicodec {codec.name!r} is not a supported key type."
        )
    return codec.name, bytes(payload)
