"""Ed25519 keys (RFC 8032): signing with ``cryptography``, verifying and the
X25519 map with libsodium (PyNaCl).

libsodium's verification is about twice as fast as OpenSSL's here, and
stricter: it refuses non-canonical encodings of ``R``, ``S`` and the public
key, and small-order ``R`` and keys (RFC 8032 section 5.1.7 allows either).

Spec: https://www.rfc-editor.org/rfc/rfc8032, https://www.rfc-editor.org/rfc/rfc8037
"""

from __future__ import annotations

from typing import ClassVar

import nacl.bindings
import nacl.exceptions
from cryptography.hazmat.primitives.asymmetric import ed25519

from ssi.encoding import encode_base64url
from ssi.errors import (
    InvalidPublicKeyError,
    InvalidPublicKeyLengthError,
    InvalidSecretKeyError,
    InvalidSignatureError,
)
from ssi.keys.base import KeyPair, KeyType, PublicKey
from ssi.keys.x25519 import X25519KeyPair, X25519PublicKey
from ssi.types import JsonObject

__all__ = ["Ed25519KeyPair", "Ed25519PublicKey"]

_KEY_LENGTH = 32
_SIGNATURE_LENGTH = 64


class Ed25519PublicKey(PublicKey):
    """An Ed25519 public key; construction checks that it is a usable point.

    The 32 bytes must be the canonical encoding of a point on the curve that
    is not of small order and lies in the prime-order subgroup
    (libsodium's ``crypto_core_ed25519_is_valid_point``). The check stays on
    the verification path: ``crypto_sign_open`` refuses small-order and
    non-canonical keys, but accepts some signatures under a key of mixed
    order (a prime-order point plus a small-order one). The X25519 image is
    computed when :meth:`to_x25519` first asks for it.
    """

    key_type: ClassVar[KeyType] = KeyType.ED25519
    multicodec_name: ClassVar[str] = "ed25519-pub"
    algorithm: ClassVar[str | None] = "EdDSA"

    __slots__ = ("_montgomery",)

    def __init__(self, raw: bytes) -> None:
        if len(raw) != _KEY_LENGTH:
            raise InvalidPublicKeyLengthError(
                f"Ed25519 public key has {len(raw)} bytes, expected {_KEY_LENGTH}."
            )
        raw = bytes(raw)
        if not nacl.bindings.crypto_core_ed25519_is_valid_point(raw):
            raise InvalidPublicKeyError(
                "Ed25519 public key is not a valid curve point."
            )
        super().__init__(raw)
        self._montgomery: bytes | None = None

    @classmethod
    def _derived(cls, raw: bytes) -> Ed25519PublicKey:
        """The public key of a private key, unchecked: ``[s]B`` for a scalar
        ``s`` is canonical and in the prime-order subgroup by construction
        (RFC 8032 section 5.1.5), so the check, which costs about as much as a
        verification, is left out; the X25519 image is computed when asked."""
        key = cls.__new__(cls)
        key._raw = bytes(raw)
        key._montgomery = None
        return key

    def verify(self, data: bytes, signature: bytes) -> None:
        """Check an Ed25519 signature (RFC 8032 section 5.1.7) with libsodium.

        Raises:
            InvalidSignatureError: the signature does not verify.
        """
        if len(signature) != _SIGNATURE_LENGTH:
            raise InvalidSignatureError("signature does not verify.")
        try:
            nacl.bindings.crypto_sign_open(bytes(signature) + bytes(data), self._raw)
        except nacl.exceptions.CryptoError as exc:
            raise InvalidSignatureError("signature does not verify.") from exc

    def to_x25519(self) -> X25519PublicKey:
        """Map the key to its X25519 key-agreement key (birational map).

        Spec: https://www.rfc-editor.org/rfc/rfc7748#section-4.1
        """
        montgomery = self._montgomery
        if montgomery is None:  # a checked or derived key: the map cannot fail
            montgomery = nacl.bindings.crypto_sign_ed25519_pk_to_curve25519(self._raw)
            self._montgomery = montgomery
        return X25519PublicKey._mapped_from_ed25519(montgomery)

    def _jwk_members(self) -> JsonObject:
        return {"kty": "OKP", "crv": "Ed25519", "x": encode_base64url(self.raw)}


class Ed25519KeyPair(KeyPair):
    """An Ed25519 private key (its 32-byte seed) and its public key."""

    __slots__ = ("_private", "_public")

    def __init__(self, private_key: ed25519.Ed25519PrivateKey) -> None:
        self._private = private_key
        self._public = Ed25519PublicKey._derived(
            private_key.public_key().public_bytes_raw()
        )

    @classmethod
    def generate(cls) -> Ed25519KeyPair:
        """Generate a new key pair from the operating system's randomness."""
        return cls(ed25519.Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> Ed25519KeyPair:
        """Build the key pair from its 32-byte seed (RFC 8032 private key).

        Raises:
            InvalidSecretKeyError: the seed does not have 32 bytes.
        """
        if len(seed) != _KEY_LENGTH:
            raise InvalidSecretKeyError(
                f"Ed25519 secret key has {len(seed)} bytes, expected {_KEY_LENGTH}."
            )
        return cls(ed25519.Ed25519PrivateKey.from_private_bytes(bytes(seed)))

    @property
    def public_key(self) -> Ed25519PublicKey:
        """The public half."""
        return self._public

    @property
    def _secret_codec(self) -> str:
        return "ed25519-priv"

    def _secret_bytes(self) -> bytes:
        return self._private.private_bytes_raw()

    def sign(self, data: bytes) -> bytes:
        """Sign ``data`` with Ed25519 (RFC 8032 section 5.1.6); 64 bytes."""
        return self._private.sign(bytes(data))

    def to_x25519(self) -> X25519KeyPair:
        """Map the key pair to its X25519 key-agreement key pair.

        Spec: https://www.rfc-editor.org/rfc/rfc7748#section-4.1
        """
        secret = self._secret_bytes() + self._public.raw
        return X25519KeyPair.from_private_bytes(
            nacl.bindings.crypto_sign_ed25519_sk_to_curve25519(secret)
        )
