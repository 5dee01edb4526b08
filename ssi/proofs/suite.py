"""The cryptosuite seam: a small object per suite, and the registry of suites.

A suite declares the proof ``type`` (and ``cryptosuite`` name) it handles, the
signing algorithm its keys must use, and how a document and a proof
configuration become the bytes that are hashed and signed. The proof engine
(:mod:`ssi.proofs.data_integrity`) does the rest the same way for every suite.

Spec: https://www.w3.org/TR/vc-data-integrity/#cryptographic-suites
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import ClassVar, Protocol

from ssi.encoding import decode_multibase, encode_multibase
from ssi.errors import (
    CanonicalizationError,
    DocumentLoadError,
    EncodingError,
    ProofTransformationError,
    ProofVerificationError,
    UnsupportedCryptosuiteError,
)
from ssi.jsonld.canon import canonicalize_jcs, canonicalize_rdfc
from ssi.jsonld.loader import DocumentLoader
from ssi.keys import KeyType
from ssi.types import JsonObject

__all__ = [
    "Cryptosuite",
    "JCSSuite",
    "RDFCSuite",
    "SuiteRegistry",
]


class Cryptosuite(Protocol):
    """What the proof engine needs from a cryptosuite.

    ``name`` is the ``cryptosuite`` value for ``DataIntegrityProof`` suites and
    the proof ``type`` for legacy suites (``Ed25519Signature2020``).
    """

    @property
    def name(self) -> str: ...

    @property
    def proof_type(self) -> str: ...

    @property
    def cryptosuite(self) -> str | None: ...

    @property
    def required_algorithm(self) -> str: ...

    @property
    def key_types(self) -> frozenset[KeyType]: ...

    @property
    def jcs(self) -> bool: ...

    def canonicalize(
        self, value: JsonObject, *, loader: DocumentLoader | None
    ) -> bytes:
        """Return the canonical bytes of a document or a proof configuration."""
        ...

    def hash(self, data: bytes) -> bytes:
        """Hash canonical bytes."""
        ...

    def encode_proof_value(self, signature: bytes) -> str:
        """Serialize signature bytes as the ``proofValue``."""
        ...

    def decode_proof_value(self, value: str) -> bytes:
        """Read signature bytes from a ``proofValue``."""
        ...


class _BaseSuite:
    """Shared behaviour: SHA-256, base58btc ``z`` proof values."""

    name: ClassVar[str]
    proof_type: ClassVar[str] = "DataIntegrityProof"
    required_algorithm: ClassVar[str]
    key_types: ClassVar[frozenset[KeyType]]
    jcs: ClassVar[bool]

    @property
    def cryptosuite(self) -> str | None:
        """The ``cryptosuite`` value, or None for a legacy proof type."""
        return self.name if self.proof_type == "DataIntegrityProof" else None

    def hash(self, data: bytes) -> bytes:
        """Return SHA-256 of ``data``."""
        return hashlib.sha256(data).digest()

    def encode_proof_value(self, signature: bytes) -> str:
        """Return ``signature`` as a base58btc multibase string."""
        return encode_multibase(signature)

    def decode_proof_value(self, value: str) -> bytes:
        """Read a base58btc multibase ``proofValue``.

        Raises:
            ProofVerificationError: the value is not base58btc multibase.
        """
        try:
            return decode_multibase(value)
        except EncodingError as exc:
            raise ProofVerificationError(
                f"proofValue is not base58btc multibase: {exc.detail}"
            ) from exc

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class JCSSuite(_BaseSuite):
    """A suite whose transformation is the JSON Canonicalization Scheme."""

    jcs: ClassVar[bool] = True

    def canonicalize(
        self, value: JsonObject, *, loader: DocumentLoader | None
    ) -> bytes:
        """Return the RFC 8785 canonical bytes of ``value``.

        Raises:
            ProofTransformationError: the value cannot be canonicalized.
        """
        try:
            return canonicalize_jcs(value)
        except CanonicalizationError as exc:
            raise ProofTransformationError(exc.detail) from exc


class RDFCSuite(_BaseSuite):
    """A suite whose transformation is RDFC-1.0 over the JSON-LD document."""

    jcs: ClassVar[bool] = False

    def canonicalize(
        self, value: JsonObject, *, loader: DocumentLoader | None
    ) -> bytes:
        """Return the RDFC-1.0 canonical N-Quads of ``value`` as UTF-8.

        Raises:
            ProofTransformationError: the document cannot be canonicalized,
                or one of its terms does not expand (safe mode).
            DocumentLoadError: a context is not bundled.
        """
        try:
            return canonicalize_rdfc(value, loader=loader).encode("utf-8")
        except DocumentLoadError:
            raise
        except CanonicalizationError as exc:
            raise ProofTransformationError(exc.detail) from exc


class SuiteRegistry:
    """Suites by name; verifiers accept only the suites registered here.

    Args:
        suites: the suites to register.
    """

    def __init__(self, suites: Iterable[Cryptosuite] = ()) -> None:
        self._suites: dict[str, Cryptosuite] = {}
        for suite in suites:
            self.register(suite)

    @classmethod
    def default(cls) -> SuiteRegistry:
        """Return a registry of every suite the library ships."""
        from ssi.proofs.suites import default_suites

        return cls(default_suites())

    def register(self, suite: Cryptosuite) -> None:
        """Add ``suite``; its algorithm and name must be declared.

        Raises:
            ValueError: a suite of that name is already registered, or the
                suite does not declare what the engine needs.
        """
        for attribute in ("name", "proof_type", "required_algorithm", "key_types"):
            if not getattr(suite, attribute, None):
                raise ValueError(f"cryptosuite {suite!r} does not declare {attribute}")
        if suite.name in self._suites:
            raise ValueError(f"cryptosuite {suite.name!r} is already registered")
        self._suites[suite.name] = suite

    def get(self, name: str) -> Cryptosuite:
        """Return the suite called ``name``.

        Raises:
            UnsupportedCryptosuiteError: no suite has that name.
        """
        try:
            return self._suites[name]
        except (KeyError, TypeError):
            raise UnsupportedCryptosuiteError(
                f"cryptosuite {str(name)[:60]!r} is not supported."
            ) from None

    def for_proof(self, proof: JsonObject) -> Cryptosuite:
        """Return the suite for a proof's ``type`` and ``cryptosuite``.

        Raises:
            UnsupportedCryptosuiteError: the pair names no registered suite.
        """
        proof_type = proof.get("type")
        if proof_type == "DataIntegrityProof":
            name = proof.get("cryptosuite")
            if not isinstance(name, str):
                raise UnsupportedCryptosuiteError(
                    "a DataIntegrityProof must name its cryptosuite."
                )
            suite = self.get(name)
        elif isinstance(proof_type, str):
            suite = self.get(proof_type)
        else:
            raise UnsupportedCryptosuiteError("the proof has no usable type.")
        if suite.proof_type != proof_type:
            raise UnsupportedCryptosuiteError(
                f"cryptosuite {suite.name!r} is not used with proof type "
                f"{str(proof_type)[:60]!r}."
            )
        return suite

    @property
    def names(self) -> tuple[str, ...]:
        """The registered suite names, sorted."""
        return tuple(sorted(self._suites))

    def __contains__(self, name: object) -> bool:
        return name in self._suites
