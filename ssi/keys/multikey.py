"""Read Multikey strings: ``publicKeyMultibase`` and ``secretKeyMultibase``.

Writing lives on the key objects (``export_multikey``); this module turns
untrusted text back into keys.

Spec: https://www.w3.org/TR/cid-1.0/#Multikey
"""

from __future__ import annotations

import functools

from ssi.encoding import decode_multibase
from ssi.errors import (
    EncodingError,
    InvalidPublicKeyError,
    InvalidPublicKeyLengthError,
    InvalidSecretKeyError,
    KeyMaterialError,
)
from ssi.keys.base import KeyPair, PublicKey
from ssi.keys.ec import (
    ECKeyPair,
    P256KeyPair,
    P256PublicKey,
    P384KeyPair,
    P384PublicKey,
    P521KeyPair,
    P521PublicKey,
    Secp256k1KeyPair,
    Secp256k1PublicKey,
)
from ssi.keys.ed25519 import Ed25519KeyPair, Ed25519PublicKey
from ssi.keys.x25519 import X25519KeyPair, X25519PublicKey
from ssi.multicodec import unwrap_key

__all__ = [
    "MAX_MULTIKEY_LENGTH",
    "PUBLIC_KEY_CACHE_SIZE",
    "decode_multikey",
    "decode_public_multikey",
]

MAX_MULTIKEY_LENGTH = 256
"""Longest Multikey string accepted; every supported key encodes in far fewer."""

PUBLIC_KEY_CACHE_SIZE = 4096
"""How many decoded public keys :func:`decode_public_multikey` remembers."""

_PUBLIC: dict[str, type[PublicKey]] = {
    "ed25519-pub": Ed25519PublicKey,
    "x25519-pub": X25519PublicKey,
    "p256-pub": P256PublicKey,
    "p384-pub": P384PublicKey,
    "p521-pub": P521PublicKey,
    "secp256k1-pub": Secp256k1PublicKey,
}

# Multikey carries curve points compressed only (1 + the coordinate length),
# so that one key has exactly one Multikey string.
_COMPRESSED_POINT = {
    "p256-pub": 33,
    "p384-pub": 49,
    "p521-pub": 67,
    "secp256k1-pub": 33,
}

_EC_SECRET: dict[str, type[ECKeyPair]] = {
    "p256-priv": P256KeyPair,
    "p384-priv": P384KeyPair,
    "p521-priv": P521KeyPair,
    "secp256k1-priv": Secp256k1KeyPair,
}


def _secret(codec: str, secret: bytes) -> KeyPair:
    if codec == "ed25519-priv":
        return Ed25519KeyPair.from_seed(secret)
    if codec == "x25519-priv":
        return X25519KeyPair.from_private_bytes(secret)
    return _EC_SECRET[codec].from_private_bytes(secret)


def decode_multikey(text: str) -> PublicKey | KeyPair:
    """Decode a public or secret Multikey string into a key.

    Spec: https://www.w3.org/TR/cid-1.0/#Multikey

    Raises:
        InvalidPublicKeyError: not a string, too long, not base58btc multibase,
            or a malformed multicodec prefix.
        UnsupportedPublicKeyTypeError: a codec that is not a supported key.
        InvalidPublicKeyLengthError: the key bytes have the wrong length (curve
            points must be compressed: 33, 49 or 67 bytes).
        InvalidSecretKeyError: the secret key is malformed.
    """
    if not isinstance(text, str):
        raise InvalidPublicKeyError(
            f"Multikey must be a string, not {type(text).__name__}."
        )
    if len(text) > MAX_MULTIKEY_LENGTH:
        raise InvalidPublicKeyError(
            f"Multikey is longer than {MAX_MULTIKEY_LENGTH} characters."
        )
    try:
        codec, payload = unwrap_key(decode_multibase(text))
    except EncodingError as exc:
        # The text is not echoed: it may be a secret key with a typo in it.
        raise InvalidPublicKeyError(f"Multikey is malformed: {exc}") from exc
    if codec in _PUBLIC:
        expected = _COMPRESSED_POINT.get(codec)
        if expected is not None and len(payload) != expected:
            raise InvalidPublicKeyLengthError(
                f"{codec} Multikey has {len(payload)} key bytes, expected "
                f"{expected} (a compressed point)."
            )
        return _PUBLIC[codec](payload)
    try:
        return _secret(codec, payload)
    except KeyMaterialError as exc:
        raise InvalidSecretKeyError(f"secret Multikey is malformed: {exc}") from exc


def decode_public_multikey(text: str) -> PublicKey:
    """Decode a ``publicKeyMultibase`` value; a secret key is refused.

    Results are remembered (the last :data:`PUBLIC_KEY_CACHE_SIZE` keys), so
    a key met again, as a did:key DID and then as its verification method,
    is decoded and its point checked once. Public keys are immutable; refused
    values, and so secret keys, are never remembered.

    Spec: https://www.w3.org/TR/cid-1.0/#Multikey

    Raises:
        KeyMaterialError: as :func:`decode_multikey`, or the value is a secret key.
    """
    if not isinstance(text, str):
        raise InvalidPublicKeyError(
            f"Multikey must be a string, not {type(text).__name__}."
        )
    return _decode_public(text)


@functools.lru_cache(maxsize=PUBLIC_KEY_CACHE_SIZE)
def _decode_public(text: str) -> PublicKey:
    key = decode_multikey(text)
    if isinstance(key, KeyPair):
        raise InvalidPublicKeyError("expected a public key, found a secret key.")
    return key
