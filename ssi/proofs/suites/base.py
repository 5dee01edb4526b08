"""What the shipped cryptosuites share: the Data Integrity steps, JCS and RDFC.

A suite here carries every step of its algorithms that differs between suites,
so the proof engine (:mod:`ssi.proofs.data_integrity`) runs them the same way
for all of them: :meth:`~DataIntegritySuite.proof_options` (the proof as
``issue`` writes it), :meth:`~DataIntegritySuite.transform_document` and
:meth:`~DataIntegritySuite.configure_proof` (the two inputs that are
canonicalized and hashed), :meth:`~DataIntegritySuite.hash_data`,
:meth:`~DataIntegritySuite.create_verifier` (a signature verifier for a
verification method) and :meth:`~DataIntegritySuite.suite_context` (the
context ``issue`` adds). These modules import nothing from
:mod:`ssi.proofs.suite`, which holds the protocol and the registry.

Spec: https://www.w3.org/TR/vc-data-integrity/#cryptographic-suites,
https://www.w3.org/TR/vc-di-eddsa/#algorithms
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import ClassVar

from ssi.did.document import VerificationMethod
from ssi.encoding import decode_multibase, encode_multibase
from ssi.errors import (
    CanonicalizationError,
    DocumentLoadError,
    EncodingError,
    InvalidVerificationMethodURLError,
    KeyMaterialError,
    ProofGenerationError,
    ProofTransformationError,
    ProofVerificationError,
)
from ssi.jsonld.canon import (
    canonicalize_jcs,
    canonicalize_jcs_without,
    canonicalize_rdfc,
)
from ssi.jsonld.loader import DocumentLoader
from ssi.keys import (
    KeyType,
    PublicKey,
    SignatureVerifier,
    decode_public_jwk,
    decode_public_multikey,
)
from ssi.types import JsonObject, JsonValue

__all__ = [
    "DATA_INTEGRITY_V2_CONTEXT",
    "DataIntegritySuite",
    "JCSSuite",
    "KeyVerifier",
    "RDFCSuite",
]

DATA_INTEGRITY_V2_CONTEXT = "https://w3id.org/security/data-integrity/v2"
"""The context defining ``DataIntegrityProof``, which VC 1.1 documents lack."""

_VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"


class KeyVerifier:
    """A :class:`~ssi.keys.SignatureVerifier` over one public key.

    Args:
        key: a public key of a type that signs.
        algorithm: its JOSE algorithm name.
    """

    __slots__ = ("_algorithm", "key")

    def __init__(self, key: PublicKey, algorithm: str) -> None:
        self.key = key
        self._algorithm = algorithm

    @property
    def algorithm(self) -> str:
        """The JOSE algorithm name (``EdDSA``, ``ES256``, ``ES256K``)."""
        return self._algorithm

    def verify(self, data: bytes, signature: bytes) -> None:
        """Check ``signature`` over ``data``.

        Raises:
            InvalidSignatureError: the signature does not verify.
        """
        self.key.verify(data, signature)

    def __repr__(self) -> str:
        return f"KeyVerifier({self.key!r})"


class DataIntegritySuite:
    """Shared behaviour: SHA-256, base58btc ``z`` proof values, key checks.

    Subclasses set ``name``, ``required_algorithm`` and ``key_types`` (and
    ``proof_type`` for a legacy proof type), and inherit :class:`JCSSuite`
    or :class:`RDFCSuite` for the transformation.
    """

    name: ClassVar[str]
    proof_type: ClassVar[str] = "DataIntegrityProof"
    required_algorithm: ClassVar[str]
    key_types: ClassVar[frozenset[KeyType]]

    @property
    def cryptosuite(self) -> str | None:
        """The ``cryptosuite`` value, or None for a legacy proof type."""
        return self.name if self.proof_type == "DataIntegrityProof" else None

    def canonicalize(
        self, value: JsonObject, *, loader: DocumentLoader | None
    ) -> bytes:
        """Return the canonical bytes of a document or a proof configuration."""
        raise NotImplementedError  # pragma: no cover - every suite defines it

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

    def suite_context(self, context: JsonValue) -> str | None:
        """The context ``issue`` appends to a document whose ``@context`` is
        ``context`` so that the proof's terms are defined, or None.

        ``DataIntegrityProof`` is defined by the VC 2.0 context but not by VC
        1.1's, so a VC 1.1 document gets the Data Integrity context.
        """
        entries = context if isinstance(context, list) else [context]
        if entries and entries[0] == _VC_V1_CONTEXT:
            return DATA_INTEGRITY_V2_CONTEXT
        return None

    def proof_options(self, proof: JsonObject, document: JsonObject) -> JsonObject:
        """Return the proof (without ``proofValue``) as ``add_proof`` writes it.

        Raises:
            ProofGenerationError: the suite cannot secure this document.
        """
        return dict(proof)

    def transform_document(
        self, unsecured: JsonObject, options: JsonObject
    ) -> JsonObject:
        """Return the document to canonicalize when verifying, given the proof
        options (the proof without ``proofValue``).

        Raises:
            ProofVerificationError: the options do not fit the document.
        """
        return unsecured

    def configure_proof(self, options: JsonObject, unsecured: JsonObject) -> JsonObject:
        """Return the proof configuration to canonicalize (the proof options
        with the document's ``@context``, for suites that sign it)."""
        if "@context" in unsecured:
            return dict(options, **{"@context": unsecured["@context"]})
        return dict(options)

    def hash_data(
        self,
        config: JsonObject,
        unsecured: JsonObject,
        *,
        loader: DocumentLoader | None,
        canonical_document: bytes | None = None,
    ) -> bytes:
        """Return ``hash(canonical config) || hash(canonical document)``, the
        bytes that are signed; ``canonical_document`` when already known.

        Raises:
            ProofTransformationError, DocumentLoadError: canonicalization fails.
        """
        document = canonical_document
        if document is None:
            document = self.canonicalize(unsecured, loader=loader)
        return self.hash(self.canonicalize(config, loader=loader)) + self.hash(document)

    def create_verifier(self, method: VerificationMethod) -> SignatureVerifier:
        """Return a signature verifier for the key of ``method``.

        Keys are decoded once and remembered (by their encoded form).

        Raises:
            InvalidVerificationMethodURLError: the method holds no public key,
                or unusable key material.
            ProofVerificationError: the key's type does not fit the suite.
        """
        try:
            if method.public_key_multibase is not None:
                key = decode_public_multikey(method.public_key_multibase)
            elif method.public_key_jwk is not None:
                key = _jwk(json.dumps(method.public_key_jwk, sort_keys=True))
            else:
                raise InvalidVerificationMethodURLError(
                    f"{method.id} has no public key."
                )
        except KeyMaterialError as exc:
            raise InvalidVerificationMethodURLError(
                f"{method.id} holds unusable key material: {exc.detail}"
            ) from exc
        return self.verifier_for_key(key)

    def verifier_for_key(self, key: PublicKey) -> SignatureVerifier:
        """Return a signature verifier for ``key``, a key the caller holds.

        Raises:
            ProofVerificationError: the key's type does not fit the suite.
        """
        if key.key_type not in self.key_types or key.algorithm is None:
            raise ProofVerificationError(
                f"{self.name} cannot be verified with a {key.key_type} key."
            )
        return KeyVerifier(key, key.algorithm)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


@functools.lru_cache(maxsize=4096)
def _jwk(text: str) -> PublicKey:
    return decode_public_jwk(json.loads(text))


class JCSSuite(DataIntegritySuite):
    """A suite whose transformation is the JSON Canonicalization Scheme.

    The proof carries the document's ``@context``; when verifying, it must be
    a prefix of the document's and replaces it.

    Spec: https://www.w3.org/TR/vc-di-eddsa/#transformation-eddsa-jcs-2022
    """

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

    def proof_options(self, proof: JsonObject, document: JsonObject) -> JsonObject:
        """Return the proof with the document's ``@context``, if it has one.

        Spec: https://www.w3.org/TR/vc-di-eddsa/#proof-configuration-eddsa-jcs-2022
        """
        options = dict(proof)
        if "@context" in document:
            options["@context"] = document["@context"]
        return options

    def transform_document(
        self, unsecured: JsonObject, options: JsonObject
    ) -> JsonObject:
        """Check that the proof's ``@context`` is a prefix of the document's
        and put it in the document's place.

        Spec: https://www.w3.org/TR/vc-di-eddsa/#verify-proof-eddsa-jcs-2022

        Raises:
            ProofVerificationError: the proof's ``@context`` is not a prefix.
        """
        if "@context" not in options:
            return unsecured
        context = unsecured.get("@context")
        document = context if isinstance(context, list) else [context]
        proof_context = options["@context"]
        prefix = proof_context if isinstance(proof_context, list) else [proof_context]
        if document[: len(prefix)] != prefix:
            raise ProofVerificationError(
                "the proof's @context is not a prefix of the document's @context."
            )
        return dict(unsecured, **{"@context": options["@context"]})

    def hash_data_secured(
        self,
        config: JsonObject,
        options: JsonObject,
        document: JsonObject,
        proof: JsonObject,
        secured: bytes,
    ) -> bytes | None:
        """Return what :meth:`hash_data` returns for ``config`` and the
        document without its proofs, from ``secured``, the JCS bytes of the
        whole ``document``; None when this suite cannot (a subclass that
        canonicalizes or hashes otherwise).

        The engine asks only for a proof with no ``previousProof`` whose
        ``@context`` (if any) is the document's, so that the document to
        hash is ``document`` without its ``proof`` member. The proof is
        canonicalized once; the document's bytes without the proof, and the
        configuration's when it is the proof without ``proofValue``, are
        cut out (``canonicalize_jcs_without``).

        Spec: https://www.w3.org/TR/vc-di-eddsa/#verify-proof-eddsa-jcs-2022

        Raises:
            ProofTransformationError: the proof cannot be canonicalized.
        """
        kind = type(self)
        if (
            kind.canonicalize is not JCSSuite.canonicalize
            or kind.hash_data is not DataIntegritySuite.hash_data
            or kind.hash is not DataIntegritySuite.hash
        ):
            return None
        proof_bytes = self.canonicalize(proof, loader=None)
        try:
            member = proof_bytes if document.get("proof") is proof else None
            unsecured = canonicalize_jcs_without(
                document, "proof", whole=secured, member=member
            )
            if config == options:
                configured = canonicalize_jcs_without(
                    proof, "proofValue", whole=proof_bytes
                )
            else:
                configured = self.canonicalize(config, loader=None)
        except CanonicalizationError as exc:
            raise ProofTransformationError(exc.detail) from exc
        return self.hash(configured) + self.hash(unsecured)


class RDFCSuite(DataIntegritySuite):
    """A suite whose transformation is RDFC-1.0 over the JSON-LD document."""

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

    def proof_options(self, proof: JsonObject, document: JsonObject) -> JsonObject:
        """Return the proof; the document must have an ``@context``.

        Raises:
            ProofGenerationError: the document has no ``@context``.
        """
        if "@context" not in document:
            raise ProofGenerationError("the document has no @context.")
        return dict(proof)
