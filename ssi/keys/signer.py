"""The local signer: a key pair in memory bound to a verification method URL."""

from __future__ import annotations

from ssi.errors import InvalidPublicKeyError, UnsupportedAlgorithmError
from ssi.keys.base import KeyPair, KeyType, PublicKey
from ssi.keys.ec import ECKeyPair
from ssi.keys.x25519 import X25519KeyPair, X25519PublicKey

__all__ = ["LocalKeyAgreer", "LocalSigner"]

_AGREEMENT_CURVES = frozenset({KeyType.P256, KeyType.P384, KeyType.P521})
"""The short-Weierstrass curves a :class:`LocalKeyAgreer` agrees keys on:
those DIDComm Messaging v2.1 names (P-521 optional there); not secp256k1."""


class LocalSigner:
    """Sign with a key pair held in memory, on behalf of one verification method.

    Args:
        key: the key pair; it must be able to sign.
        key_id: the verification method URL that verifiers will dereference.

    Raises:
        UnsupportedAlgorithmError: the key type cannot sign (X25519).
    """

    __slots__ = ("_algorithm", "_key", "_key_id")

    def __init__(self, key: KeyPair, key_id: str) -> None:
        algorithm = key.algorithm
        if algorithm is None:
            raise UnsupportedAlgorithmError(f"{key.key_type} keys cannot sign.")
        self._key = key
        self._key_id = key_id
        self._algorithm = algorithm

    @property
    def key_id(self) -> str:
        """The verification method URL."""
        return self._key_id

    @property
    def algorithm(self) -> str:
        """The JOSE algorithm name: ``EdDSA``, ``ES256``, ``ES256K``, ``ES384``
        or ``ES512``.
        """
        return self._algorithm

    @property
    def key(self) -> KeyPair:
        """The key pair that signs."""
        return self._key

    def sign(self, data: bytes) -> bytes:
        """Sign ``data`` and return the raw signature."""
        return self._key.sign(data)

    def __repr__(self) -> str:
        return f"LocalSigner(key_id={self._key_id!r}, algorithm={self._algorithm!r})"


class LocalKeyAgreer:
    """Compute key-agreement secrets with a key pair held in memory, on behalf
    of one ``keyAgreement`` verification method.

    Args:
        key: an X25519, P-256, P-384 or P-521 key pair (the curves DIDComm
            Messaging v2.1 names for key agreement).
        key_id: the verification method URL senders name (``kid``).

    Raises:
        UnsupportedAlgorithmError: the key type cannot agree keys.
    """

    __slots__ = ("_key", "_key_id")

    def __init__(self, key: X25519KeyPair | ECKeyPair, key_id: str) -> None:
        if not isinstance(key, X25519KeyPair) and not (
            isinstance(key, ECKeyPair) and key.key_type in _AGREEMENT_CURVES
        ):
            raise UnsupportedAlgorithmError(
                f"{key.key_type} keys cannot be used for key agreement."
            )
        self._key = key
        self._key_id = key_id

    @property
    def key_id(self) -> str:
        """The verification method URL."""
        return self._key_id

    @property
    def public_key(self) -> PublicKey:
        """The public half of the key pair."""
        return self._key.public_key

    def exchange(self, peer: PublicKey) -> bytes:
        """Return the raw shared secret with ``peer``.

        Raises:
            InvalidPublicKeyError: ``peer`` is of another key type, or of
                small order (X25519).
        """
        key = self._key
        if isinstance(key, X25519KeyPair):
            if not isinstance(peer, X25519PublicKey):
                raise InvalidPublicKeyError(
                    "X25519 key agreement needs an X25519 peer key, "
                    f"got {peer.key_type}."
                )
            return key.exchange(peer)
        if not isinstance(peer, key.public_class):
            raise InvalidPublicKeyError(
                f"{key.key_type} key agreement needs a {key.key_type} peer key, "
                f"got {peer.key_type}."
            )
        return key.exchange(peer)

    def __repr__(self) -> str:
        return (
            f"LocalKeyAgreer(key_id={self._key_id!r}, key_type={self._key.key_type!r})"
        )
