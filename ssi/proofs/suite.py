"""The cryptosuite seam: a small object per suite, and the registry of suites.

A suite declares the proof ``type`` (and ``cryptosuite`` name) it handles, the
signing algorithm its keys must use, and how a document and a proof
configuration become the bytes that are hashed and signed. The proof engine
(:mod:`ssi.proofs.data_integrity`) does the rest the same way for every suite.

Spec: https://www.w3.org/TR/vc-data-integrity/#cryptographic-suites
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from ssi.did.document import VerificationMethod
from ssi.errors import UnsupportedCryptosuiteError
from ssi.jsonld.loader import DocumentLoader
from ssi.keys import KeyType, PublicKey, SignatureVerifier
from ssi.proofs.suites import JCSSuite, RDFCSuite, default_suites
from ssi.types import JsonObject, JsonValue

__all__ = [
    "DEFAULT_SUITE",
    "Cryptosuite",
    "JCSSuite",
    "RDFCSuite",
    "SuiteRegistry",
]

DEFAULT_SUITE = "eddsa-jcs-2022"
"""The suite :func:`~ssi.proofs.add_proof` uses unless told otherwise."""


class Cryptosuite(Protocol):
    """What the proof engine needs from a cryptosuite.

    ``name`` is the ``cryptosuite`` value for ``DataIntegrityProof`` suites and
    the proof ``type`` for legacy suites (``Ed25519Signature2020``). Every
    step that differs between suites is a method here, so a new suite plugs
    in without touching the engine; :class:`~ssi.proofs.suites.JCSSuite` and
    :class:`~ssi.proofs.suites.RDFCSuite` implement them for the two
    transformations.

    Adding a proof: ``options = suite.proof_options(proof, document)``;
    ``config = suite.configure_proof(options, unsecured)``; sign
    ``suite.hash_data(config, unsecured, loader=...)``; write
    ``suite.encode_proof_value(signature)``. Verifying: ``options`` is the
    proof without ``proofValue``; ``unsecured =
    suite.transform_document(unsecured, options)``; ``config =
    suite.configure_proof(options, unsecured)``;
    ``suite.create_verifier(method).verify(suite.hash_data(config, unsecured,
    loader=...), suite.decode_proof_value(proof["proofValue"]))``.

    Spec: https://www.w3.org/TR/vc-data-integrity/#cryptographic-suites
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

    def suite_context(self, context: JsonValue) -> str | None:
        """The context ``issue`` adds to a document with this ``@context``."""
        ...

    def proof_options(self, proof: JsonObject, document: JsonObject) -> JsonObject:
        """The proof (without ``proofValue``) as adding a proof writes it."""
        ...

    def transform_document(
        self, unsecured: JsonObject, options: JsonObject
    ) -> JsonObject:
        """The document to canonicalize when verifying a proof with ``options``."""
        ...

    def configure_proof(self, options: JsonObject, unsecured: JsonObject) -> JsonObject:
        """The proof configuration to canonicalize."""
        ...

    def hash_data(
        self,
        config: JsonObject,
        unsecured: JsonObject,
        *,
        loader: DocumentLoader | None,
        canonical_document: bytes | None = None,
    ) -> bytes:
        """The bytes that are signed."""
        ...

    def create_verifier(self, method: VerificationMethod) -> SignatureVerifier:
        """A signature verifier for a verification method's key."""
        ...

    def verifier_for_key(self, key: PublicKey) -> SignatureVerifier:
        """A signature verifier for a key the caller holds."""
        ...


_STEPS = (
    "canonicalize",
    "hash",
    "encode_proof_value",
    "decode_proof_value",
    "suite_context",
    "proof_options",
    "transform_document",
    "configure_proof",
    "hash_data",
    "create_verifier",
    "verifier_for_key",
)
"""The methods of :class:`Cryptosuite` that the registry checks a suite has."""


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
        return cls(default_suites())

    def register(self, suite: Cryptosuite) -> None:
        """Add ``suite``; it must declare its name, proof type, algorithm and
        key types, and have every method of :class:`Cryptosuite`.

        Raises:
            ValueError: a suite of that name is already registered, or the
                suite does not declare what the engine needs.
        """
        for attribute in ("name", "proof_type", "required_algorithm", "key_types"):
            if not getattr(suite, attribute, None):
                raise ValueError(f"cryptosuite {suite!r} does not declare {attribute}")
        for step in _STEPS:
            if not callable(getattr(suite, step, None)):
                raise ValueError(f"cryptosuite {suite!r} does not declare {step}()")
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
