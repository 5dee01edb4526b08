"""Generate and import keys of every supported type.

Spec: https://www.w3.org/TR/cid-1.0/#Multikey, https://www.rfc-editor.org/rfc/rfc7517
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ssi.errors import InvalidPublicKeyError, UnsupportedPublicKeyTypeError
from ssi.keys.base import KeyPair, KeyType, PublicKey
from ssi.keys.ec import P256KeyPair, P384KeyPair, P521KeyPair, Secp256k1KeyPair
from ssi.keys.ed25519 import Ed25519KeyPair
from ssi.keys.jwk import decode_jwk
from ssi.keys.multikey import decode_multikey
from ssi.keys.x25519 import X25519KeyPair
from ssi.types import JsonValue

__all__ = ["generate_key", "import_key"]

_GENERATORS: dict[KeyType, Callable[[], KeyPair]] = {
    KeyType.ED25519: Ed25519KeyPair.generate,
    KeyType.X25519: X25519KeyPair.generate,
    KeyType.P256: P256KeyPair.generate,
    KeyType.P384: P384KeyPair.generate,
    KeyType.P521: P521KeyPair.generate,
    KeyType.SECP256K1: Secp256k1KeyPair.generate,
}


def generate_key(key_type: str | KeyType = KeyType.ED25519) -> KeyPair:
    """Generate a key pair of ``key_type`` from the operating system's randomness.

    Args:
        key_type: ``"Ed25519"``, ``"X25519"``, ``"P-256"``, ``"P-384"``,
            ``"P-521"`` or ``"secp256k1"``.

    Raises:
        UnsupportedPublicKeyTypeError: ``key_type`` is not one of those.
    """
    try:
        kind = KeyType(key_type)
    except ValueError as exc:
        names = ", ".join(t.value for t in KeyType)
        raise UnsupportedPublicKeyTypeError(
            f"key type {key_type!r} is not supported; use one of {names}."
        ) from exc
    return _GENERATORS[kind]()


def import_key(encoded: str | Mapping[str, JsonValue]) -> PublicKey | KeyPair:
    """Import a key from a Multikey string (public or secret) or a JWK object.

    Spec: https://www.w3.org/TR/cid-1.0/#Multikey,
    https://www.rfc-editor.org/rfc/rfc7517#section-4

    Raises:
        KeyMaterialError: the encoding is malformed, of an unsupported type,
            of the wrong length, or not a point on the curve.
    """
    if isinstance(encoded, str):
        return decode_multikey(encoded)
    if isinstance(encoded, Mapping):
        return decode_jwk(encoded)
    raise InvalidPublicKeyError(
        "a key must be a Multikey string or a JWK object, "
        f"not {type(encoded).__name__}."
    )
