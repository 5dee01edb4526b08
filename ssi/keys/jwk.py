"""Read JSON Web Keys (RFC 7517; RFC 8037 for OKP) into keys.

Writing lives on the key objects (``export_jwk``); this module checks untrusted
JWKs strictly: ``kty`` and ``crv`` must agree, coordinates must have the
curve's length, and a private ``d`` must match the public part.

Spec: https://www.rfc-editor.org/rfc/rfc7517, https://www.rfc-editor.org/rfc/rfc7518#section-6.2,
https://www.rfc-editor.org/rfc/rfc8037#section-2
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping

from ssi.encoding import decode_base64url
from ssi.errors import (
    EncodingError,
    InvalidPublicKeyError,
    InvalidSecretKeyError,
    UnsupportedPublicKeyTypeError,
)
from ssi.keys.base import KeyPair, PublicKey
from ssi.keys.ec import (
    ECKeyPair,
    ECPublicKey,
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
from ssi.types import JsonValue

__all__ = ["MAX_JWK_LENGTH", "decode_jwk", "decode_public_jwk"]

MAX_JWK_LENGTH = 4096
"""Largest serialized JWK accepted, in characters."""

_EC: dict[str, tuple[type[ECPublicKey], type[ECKeyPair]]] = {
    "P-256": (P256PublicKey, P256KeyPair),
    "P-384": (P384PublicKey, P384KeyPair),
    "P-521": (P521PublicKey, P521KeyPair),
    "secp256k1": (Secp256k1PublicKey, Secp256k1KeyPair),
}


def _member(jwk: Mapping[str, JsonValue], name: str) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise InvalidPublicKeyError(f"JWK member {name!r} is missing or not a string.")
    try:
        return decode_base64url(value)
    except EncodingError as exc:
        raise InvalidPublicKeyError(f"JWK member {name!r} is not base64url.") from exc


def _check_size(jwk: Mapping[str, JsonValue]) -> None:
    try:
        size = len(json.dumps(jwk))
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvalidPublicKeyError("JWK is not a JSON object.") from exc
    if size > MAX_JWK_LENGTH:
        raise InvalidPublicKeyError(f"JWK is larger than {MAX_JWK_LENGTH} characters.")


def _okp(jwk: Mapping[str, JsonValue], crv: JsonValue) -> PublicKey | KeyPair:
    x = _member(jwk, "x")
    if crv == "Ed25519":
        public: PublicKey = Ed25519PublicKey(x)
        if "d" not in jwk:
            return public
        pair: KeyPair = Ed25519KeyPair.from_seed(_secret(jwk))
    elif crv == "X25519":
        public = X25519PublicKey(x)
        if "d" not in jwk:
            return public
        pair = X25519KeyPair.from_private_bytes(_secret(jwk))
    else:
        raise UnsupportedPublicKeyTypeError(f"OKP curve {crv!r} is not supported.")
    return _matching(pair, public)


def _ec(jwk: Mapping[str, JsonValue], crv: JsonValue) -> PublicKey | KeyPair:
    if not isinstance(crv, str) or crv not in _EC:
        raise UnsupportedPublicKeyTypeError(f"EC curve {crv!r} is not supported.")
    public_class, pair_class = _EC[crv]
    public = public_class.from_coordinates(_member(jwk, "x"), _member(jwk, "y"))
    if "d" not in jwk:
        return public
    return _matching(pair_class.from_private_bytes(_secret(jwk)), public)


def _secret(jwk: Mapping[str, JsonValue]) -> bytes:
    try:
        return _member(jwk, "d")
    except InvalidPublicKeyError as exc:
        raise InvalidSecretKeyError("JWK member 'd' is not base64url.") from exc


def _matching(pair: KeyPair, public: PublicKey) -> KeyPair:
    if not hmac.compare_digest(pair.public_key.raw, public.raw):
        raise InvalidSecretKeyError("JWK private key does not match its public key.")
    return pair


def decode_jwk(jwk: Mapping[str, JsonValue]) -> PublicKey | KeyPair:
    """Decode a JWK into a public key, or a key pair when it carries ``d``.

    Spec: https://www.rfc-editor.org/rfc/rfc7517#section-4

    Raises:
        InvalidPublicKeyError: not an object, members missing or malformed.
        UnsupportedPublicKeyTypeError: a ``kty``/``crv`` we do not support.
        InvalidPublicKeyLengthError: coordinates of the wrong length.
        InvalidSecretKeyError: ``d`` malformed or not matching the public key.
    """
    if not isinstance(jwk, Mapping):
        raise InvalidPublicKeyError(f"JWK must be an object, not {type(jwk).__name__}.")
    _check_size(jwk)
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty == "OKP":
        return _okp(jwk, crv)
    if kty == "EC":
        return _ec(jwk, crv)
    raise UnsupportedPublicKeyTypeError(f"JWK key type {kty!r} is not supported.")


def decode_public_jwk(jwk: Mapping[str, JsonValue]) -> PublicKey:
    """Decode a ``publicKeyJwk`` value; a JWK carrying ``d`` is refused.

    A verification method must never publish a private key.

    Raises:
        KeyMaterialError: as :func:`decode_jwk`, or the JWK holds a private key.
    """
    if isinstance(jwk, Mapping) and "d" in jwk:
        raise InvalidPublicKeyError("expected a public JWK, found private member 'd'.")
    key = decode_jwk(jwk)
    if isinstance(key, KeyPair):
        raise InvalidPublicKeyError("expected a public JWK, found a private key.")
    return key
