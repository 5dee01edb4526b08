"""X25519 key-agreement keys (RFC 7748) over ``cryptography``.

X25519 keys cannot sign; they exist for key agreement (DIDComm, did:key).

Spec: https://www.rfc-editor.org/rfc/rfc7748, https://www.rfc-editor.org/rfc/rfc8037
"""

from __future__ import annotations

import functools
from typing import ClassVar

from cryptography.hazmat.primitives.asymmetric import x25519

from ssi.encoding import encode_base64url
from ssi.errors import (
    InvalidPublicKeyError,
    InvalidPublicKeyLengthError,
    InvalidSecretKeyError,
    UnsupportedAlgorithmError,
)
from ssi.keys.base import KeyPair, KeyType, PublicKey
from ssi.types import JsonObject

__all__ = ["X25519KeyPair", "X25519PublicKey"]

_KEY_LENGTH = 32


@functools.cache
def _probe() -> x25519.X25519PrivateKey:
    """A throwaway private key, used only to detect small-order public keys."""
    return x25519.X25519PrivateKey.generate()


class X25519PublicKey(PublicKey):
    """An X25519 public key (a Montgomery u-coordinate, 32 bytes).

    Keys of small order are refused: any exchange with them gives the all-zero
    shared secret (RFC 7748 section 6.1), so they can only be an attack.
    """

    key_type: ClassVar[KeyType] = KeyType.X25519
    multicodec_name: ClassVar[str] = "x25519-pub"
    algorithm: ClassVar[str | None] = None

    __slots__ = ("_key",)

    def __init__(self, raw: bytes) -> None:
        if len(raw) != _KEY_LENGTH:
            raise InvalidPublicKeyLengthError(
                f"X25519 public key has {len(raw)} bytes, expected {_KEY_LENGTH}."
            )
        super().__init__(raw)
        self._key = x25519.X25519PublicKey.from_public_bytes(bytes(raw))
        try:
            _probe().exchange(self._key)
        except ValueError as exc:
            raise InvalidPublicKeyError("X25519 public key is of small order.") from exc

    @classmethod
    def _mapped_from_ed25519(cls, raw: bytes) -> X25519PublicKey:
        """Wrap the X25519 image of a checked Ed25519 public key.

        The small-order probe is skipped: libsodium maps only keys in the
        prime-order subgroup, whose images are of prime order too.
        """
        return cls._unprobed(raw)

    @classmethod
    def for_exchange(cls, raw: bytes) -> X25519PublicKey:
        """Wrap a peer's key that is used only in exchanges (an ephemeral JWE
        ``epk``), without the small-order probe.

        The check is not dropped but moved: an exchange with a key of small
        order gives the all-zero secret, which :meth:`X25519KeyPair.exchange`
        refuses (RFC 7748 section 6.1). This saves the probe, a whole
        exchange; keys that are published or stored are decoded with the
        constructor, which refuses them at once.

        Spec: https://www.rfc-editor.org/rfc/rfc7748#section-6.1

        Raises:
            InvalidPublicKeyLengthError: ``raw`` does not have 32 bytes.
        """
        return cls._unprobed(raw)

    @classmethod
    def _unprobed(cls, raw: bytes) -> X25519PublicKey:
        """Wrap a key without the probe exchange: the caller knows it is of
        prime order, or leaves the check to the exchange (:meth:`for_exchange`)."""
        if len(raw) != _KEY_LENGTH:
            raise InvalidPublicKeyLengthError(
                f"X25519 public key has {len(raw)} bytes, expected {_KEY_LENGTH}."
            )
        return cls._wrap(x25519.X25519PublicKey.from_public_bytes(bytes(raw)))

    @classmethod
    def _wrap(cls, public: x25519.X25519PublicKey) -> X25519PublicKey:
        """Wrap a ``cryptography`` key, unprobed (as :meth:`_unprobed`)."""
        key = cls.__new__(cls)
        key._raw = public.public_bytes_raw()
        key._key = public
        return key

    def verify(self, data: bytes, signature: bytes) -> None:
        """Refuse: X25519 keys are for key agreement only.

        Raises:
            UnsupportedAlgorithmError: always.
        """
        raise UnsupportedAlgorithmError("X25519 keys cannot verify signatures.")

    def _jwk_members(self) -> JsonObject:
        return {"kty": "OKP", "crv": "X25519", "x": encode_base64url(self.raw)}


class X25519KeyPair(KeyPair):
    """An X25519 private key and its public key."""

    __slots__ = ("_private", "_public")

    def __init__(self, private_key: x25519.X25519PrivateKey) -> None:
        self._private = private_key
        # The public key is the clamped scalar (a multiple of 8, never a
        # multiple of the prime group order) times the base point, so it is
        # of prime order: the small-order probe, an exchange, is not needed.
        self._public = X25519PublicKey._wrap(private_key.public_key())

    @classmethod
    def generate(cls) -> X25519KeyPair:
        """Generate a new key pair from the operating system's randomness."""
        return cls(x25519.X25519PrivateKey.generate())

    @classmethod
    def from_private_bytes(cls, secret: bytes) -> X25519KeyPair:
        """Build the key pair from its 32-byte scalar.

        Raises:
            InvalidSecretKeyError: the secret does not have 32 bytes.
        """
        if len(secret) != _KEY_LENGTH:
            raise InvalidSecretKeyError(
                f"X25519 secret key has {len(secret)} bytes, expected {_KEY_LENGTH}."
            )
        return cls(x25519.X25519PrivateKey.from_private_bytes(bytes(secret)))

    @property
    def public_key(self) -> X25519PublicKey:
        """The public half."""
        return self._public

    @property
    def _secret_codec(self) -> str:
        return "x25519-priv"

    def _secret_bytes(self) -> bytes:
        return self._private.private_bytes_raw()

    def exchange(self, peer: X25519PublicKey) -> bytes:
        """Compute the X25519 shared secret with a peer's public key.

        Spec: https://www.rfc-editor.org/rfc/rfc7748#section-6.1

        Raises:
            InvalidPublicKeyError: the peer key is of small order (the shared
                secret would be all zeros).
        """
        try:
            return self._private.exchange(peer._key)
        except ValueError as exc:
            raise InvalidPublicKeyError("X25519 peer key is of small order.") from exc
