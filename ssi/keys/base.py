"""Key types, the public-key and key-pair bases, and the Signer/SignatureVerifier seams.

Each key type lives in its own module (``ed25519``, ``x25519``, ``ec``) and
subclasses :class:`PublicKey` and :class:`KeyPair` here. Secret bytes never
appear in ``repr``, ``str`` or exceptions.

Spec: https://www.w3.org/TR/cid-1.0/#Multikey,
https://www.rfc-editor.org/rfc/rfc7517, https://www.rfc-editor.org/rfc/rfc7638
"""

from __future__ import annotations

import hashlib
import hmac
import json
from abc import ABC, abstractmethod
from enum import StrEnum
from typing import ClassVar, Protocol, runtime_checkable

from ssi.encoding import encode_base64url, encode_multibase
from ssi.errors import UnsupportedAlgorithmError
from ssi.multicodec import wrap
from ssi.types import JsonObject

__all__ = [
    "KeyPair",
    "KeyType",
    "PublicKey",
    "SignatureVerifier",
    "Signer",
    "Verifier",
]


class KeyType(StrEnum):
    """The key types the library supports, named as users write them."""

    ED25519 = "Ed25519"
    X25519 = "X25519"
    P256 = "P-256"
    P384 = "P-384"
    P521 = "P-521"
    SECP256K1 = "secp256k1"


@runtime_checkable
class Signer(Protocol):
    """Anything that signs bytes for one verification method.

    ``algorithm`` is the JOSE algorithm name (``EdDSA``, ``ES256``, ``ES256K``,
    ``ES384``, ``ES512``)
    and ``key_id`` the verification method URL that verifiers dereference.
    """

    @property
    def key_id(self) -> str: ...

    @property
    def algorithm(self) -> str: ...

    def sign(self, data: bytes) -> bytes: ...


@runtime_checkable
class KeyAgreer(Protocol):
    """Anything that computes key-agreement secrets for one verification
    method, so that a private key never has to leave where it is kept (the
    wallet, memory, a KMS later): the key-agreement twin of :class:`Signer`.

    ``key_id`` is the verification method URL (a ``keyAgreement`` entry of a
    DID document), ``public_key`` its public key (X25519, P-256, P-384 or
    P-521), and
    ``exchange`` returns the raw shared secret (ECDH ``Z``) with a peer's
    public key of the same type.
    """

    @property
    def key_id(self) -> str: ...

    @property
    def public_key(self) -> PublicKey: ...

    def exchange(self, peer: PublicKey) -> bytes: ...


@runtime_checkable
class SignatureVerifier(Protocol):
    """Anything that checks a signature over bytes and raises when it does not
    verify: the key-level seam a cryptosuite builds for a verification method
    (``Cryptosuite.create_verifier``); credential verification is elsewhere.
    """

    @property
    def algorithm(self) -> str: ...

    def verify(self, data: bytes, signature: bytes) -> None: ...


Verifier = SignatureVerifier
"""Deprecated alias of :class:`SignatureVerifier`, kept until every caller moves."""


class PublicKey(ABC):
    """A public key of one of the supported types.

    Two public keys are equal when their type and encoded bytes are equal.
    """

    key_type: ClassVar[KeyType]
    multicodec_name: ClassVar[str]
    algorithm: ClassVar[str | None]
    """JOSE signature algorithm, or None for key-agreement-only keys."""

    __slots__ = ("_raw",)

    def __init__(self, raw: bytes) -> None:
        self._raw = bytes(raw)

    @property
    def raw(self) -> bytes:
        """The key bytes as Multikey carries them (compressed for curves)."""
        return self._raw

    @abstractmethod
    def verify(self, data: bytes, signature: bytes) -> None:
        """Check ``signature`` over ``data``; return None or raise.

        Raises:
            InvalidSignatureError: the signature does not verify.
            UnsupportedAlgorithmError: the key type cannot verify signatures.
        """

    @abstractmethod
    def _jwk_members(self) -> JsonObject:
        """Return the JWK members that identify the key, without ``d``."""

    def export_multikey(self, private: bool = False) -> str:
        """Return the ``publicKeyMultibase`` value (base58btc, multicodec-prefixed).

        Spec: https://www.w3.org/TR/cid-1.0/#Multikey
        """
        if private:
            raise ValueError("a public key has no private part to export")
        return encode_multibase(wrap(self.multicodec_name, self._raw))

    def export_jwk(self, private: bool = False) -> JsonObject:
        """Return the key as a JWK (RFC 7517; RFC 8037 for OKP keys).

        Spec: https://www.rfc-editor.org/rfc/rfc7517#section-4
        """
        if private:
            raise ValueError("a public key has no private part to export")
        return self._jwk_members()

    def jwk_thumbprint(self) -> str:
        """Return the RFC 7638 SHA-256 JWK thumbprint, base64url-encoded.

        Spec: https://www.rfc-editor.org/rfc/rfc7638#section-3
        """
        members = self._jwk_members()
        required = {k: members[k] for k in sorted(members) if k in _THUMBPRINT_KEYS}
        canonical = json.dumps(required, separators=(",", ":"), sort_keys=True)
        return encode_base64url(hashlib.sha256(canonical.encode("utf-8")).digest())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PublicKey):
            return NotImplemented
        return self.key_type == other.key_type and self._raw == other._raw

    def __hash__(self) -> int:
        return hash((self.key_type, self._raw))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.export_multikey()!r})"


_THUMBPRINT_KEYS = frozenset({"crv", "kty", "x", "y"})


class KeyPair(ABC):
    """A private key together with its public key.

    ``repr`` shows the public key only; the secret never leaves the object
    except through an explicit ``export_*(private=True)``.
    """

    __slots__ = ()

    @property
    @abstractmethod
    def public_key(self) -> PublicKey:
        """The public half."""

    @property
    def key_type(self) -> KeyType:
        """The key's type."""
        return self.public_key.key_type

    @property
    def algorithm(self) -> str | None:
        """JOSE signature algorithm, or None for key-agreement-only keys."""
        return self.public_key.algorithm

    @abstractmethod
    def _secret_bytes(self) -> bytes:
        """Return the secret as secret-key Multikey and JWK ``d`` carry it."""

    @property
    @abstractmethod
    def _secret_codec(self) -> str:
        """The multicodec name for the secret key."""

    def sign(self, data: bytes) -> bytes:
        """Sign ``data`` and return the raw signature bytes.

        Raises:
            UnsupportedAlgorithmError: the key type cannot sign.
        """
        raise UnsupportedAlgorithmError(f"{self.key_type} keys cannot sign.")

    def verify(self, data: bytes, signature: bytes) -> None:
        """Check a signature with the public half; see :meth:`PublicKey.verify`."""
        self.public_key.verify(data, signature)

    def export_multikey(self, private: bool = False) -> str:
        """Return the public Multikey, or with ``private=True`` the secret one.

        Spec: https://www.w3.org/TR/cid-1.0/#Multikey
        """
        if not private:
            return self.public_key.export_multikey()
        return encode_multibase(wrap(self._secret_codec, self._secret_bytes()))

    def export_jwk(self, private: bool = False) -> JsonObject:
        """Return the public JWK, or with ``private=True`` one that includes ``d``.

        Spec: https://www.rfc-editor.org/rfc/rfc7517#section-4
        """
        jwk = self.public_key.export_jwk()
        if private:
            jwk["d"] = encode_base64url(self._secret_bytes())
        return jwk

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, KeyPair):
            return NotImplemented
        return self.public_key == other.public_key and hmac.compare_digest(
            self._secret_bytes(), other._secret_bytes()
        )

    def __hash__(self) -> int:
        return hash(self.public_key)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(public_key={self.public_key.export_multikey()!r})"
        )
