"""The local signer: a key pair in memory bound to a verification method URL."""

from __future__ import annotations

from ssi.errors import UnsupportedAlgorithmError
from ssi.keys.base import KeyPair

__all__ = ["LocalSigner"]


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
        """The JOSE algorithm name: ``EdDSA``, ``ES256`` or ``ES256K``."""
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
