"""A cryptosuite written against the ``Cryptosuite`` protocol only.

It inherits nothing from the library's suites and does every step its own
way: sorted-key compact JSON, one SHA-512 over the configuration and the
document together (not two SHA-256 hashes), a proof configuration without
``@context``, its own context for ``issue`` to add, ``proofValue`` as
base64url multibase (``u``), and its own key decoding and signature
verifier, which counts what it checks. If the engine still decided any of
these by itself, the toy's proofs would not verify.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import ClassVar

from ssi.did.document import VerificationMethod
from ssi.errors import InvalidVerificationMethodURLError, ProofVerificationError
from ssi.jsonld.loader import DocumentLoader
from ssi.keys import KeyType, PublicKey, SignatureVerifier, decode_public_multikey
from ssi.types import JsonObject, JsonValue

TOY_CONTEXT = "https://w3id.org/security/data-integrity/v2"
"""The context the toy suite asks ``issue`` to add to every document (the
shipped suites add it to VC 1.1 documents only)."""


class ToyVerifier:
    """A signature verifier that counts its checks."""

    checks: ClassVar[int] = 0

    def __init__(self, key: PublicKey) -> None:
        self.key = key

    @property
    def algorithm(self) -> str:
        return "EdDSA"

    def verify(self, data: bytes, signature: bytes) -> None:
        ToyVerifier.checks += 1
        self.key.verify(data, signature)


class ToySuite:
    """``DataIntegrityProof`` with ``cryptosuite: toy-2024``."""

    name = "toy-2024"
    proof_type = "DataIntegrityProof"
    cryptosuite = "toy-2024"
    required_algorithm = "EdDSA"
    key_types = frozenset({KeyType.ED25519})

    def canonicalize(
        self, value: JsonObject, *, loader: DocumentLoader | None
    ) -> bytes:
        return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()

    def hash(self, data: bytes) -> bytes:
        return hashlib.sha512(data).digest()

    def encode_proof_value(self, signature: bytes) -> str:
        return "u" + base64.urlsafe_b64encode(signature).decode().rstrip("=")

    def decode_proof_value(self, value: str) -> bytes:
        if not value.startswith("u"):
            raise ProofVerificationError("proofValue is not base64url multibase.")
        return base64.urlsafe_b64decode(value[1:] + "=" * (-len(value[1:]) % 4))

    def suite_context(self, context: JsonValue) -> str | None:
        return TOY_CONTEXT

    def proof_options(self, proof: JsonObject, document: JsonObject) -> JsonObject:
        return dict(proof)

    def transform_document(
        self, unsecured: JsonObject, options: JsonObject
    ) -> JsonObject:
        return unsecured

    def configure_proof(self, options: JsonObject, unsecured: JsonObject) -> JsonObject:
        return dict(options)

    def hash_data(
        self,
        config: JsonObject,
        unsecured: JsonObject,
        *,
        loader: DocumentLoader | None,
        canonical_document: bytes | None = None,
    ) -> bytes:
        document = canonical_document or self.canonicalize(unsecured, loader=loader)
        return self.hash(self.canonicalize(config, loader=loader) + b"\n" + document)

    def create_verifier(self, method: VerificationMethod) -> SignatureVerifier:
        if method.public_key_multibase is None:
            raise InvalidVerificationMethodURLError(f"{method.id} has no Multikey.")
        return self.verifier_for_key(
            decode_public_multikey(method.public_key_multibase)
        )

    def verifier_for_key(self, key: PublicKey) -> SignatureVerifier:
        if key.key_type not in self.key_types:
            raise ProofVerificationError(f"toy-2024 cannot use a {key.key_type} key.")
        return ToyVerifier(key)
