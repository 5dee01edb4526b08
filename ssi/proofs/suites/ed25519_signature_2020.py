"""The legacy ``Ed25519Signature2020`` proof type, for VC 1.1 interop.

The same transformation as ``eddsa-rdfc-2022`` (RDFC-1.0, SHA-256 of the proof
configuration and of the document, Ed25519 over both), under the proof type
``Ed25519Signature2020`` and its own context
``https://w3id.org/security/suites/ed25519-2020/v1``.

Spec: https://w3c-ccg.github.io/di-eddsa-2020/#ed25519signature2020
"""

from __future__ import annotations

from typing import ClassVar

from ssi.keys import KeyType
from ssi.proofs.suites.base import RDFCSuite
from ssi.types import JsonObject, JsonValue

__all__ = ["ED25519_2020_CONTEXT", "Ed25519Signature2020"]

ED25519_2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"
"""The context that defines the ``Ed25519Signature2020`` terms."""


class Ed25519Signature2020(RDFCSuite):
    """The ``Ed25519Signature2020`` proof type (no ``cryptosuite`` property)."""

    name: ClassVar[str] = "Ed25519Signature2020"
    proof_type: ClassVar[str] = "Ed25519Signature2020"
    required_algorithm: ClassVar[str] = "EdDSA"
    key_types: ClassVar[frozenset[KeyType]] = frozenset({KeyType.ED25519})

    def suite_context(self, context: JsonValue) -> str | None:
        """The ``Ed25519Signature2020`` context, which defines the proof's terms."""
        return ED25519_2020_CONTEXT

    def configure_proof(self, options: JsonObject, unsecured: JsonObject) -> JsonObject:
        """Return the proof options with their own ``@context`` when they carry
        one (as didkit's proofs do; jsonld-signatures canonicalizes with it),
        else with the document's."""
        if "@context" in options:
            return dict(options)
        return super().configure_proof(options, unsecured)
