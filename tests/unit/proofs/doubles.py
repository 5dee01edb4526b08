"""Test doubles for the proof layer: fixed keys, a static DID method, documents.

``StaticMethod`` is the DID-method double STYLE.md names: it serves DID
documents from a dict, so that a test can say exactly which verification
relationships list which key.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from ssi.did.document import DIDDocument
from ssi.did.resolution import MethodRegistry, ResolutionResult, Resolver
from ssi.did.syntax import DID
from ssi.errors import DIDNotFoundError
from ssi.keys import Ed25519KeyPair, KeyPair, P256KeyPair
from ssi.types import JsonObject, JsonValue

CREATED = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
"""The ``created`` of every proof the tests make, unless a test says otherwise."""

NOW = datetime(2024, 6, 1, tzinfo=UTC)
"""The verifier's clock."""

DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


def ed25519_key(seed: int) -> Ed25519KeyPair:
    """Return a fixed Ed25519 key pair, one per ``seed`` (1-255)."""
    return Ed25519KeyPair.from_seed(bytes([seed]) * 32)


def p256_key(seed: int) -> KeyPair:
    """Return a fixed P-256 key pair, one per ``seed`` (1-255)."""
    return P256KeyPair.from_private_bytes(bytes([seed]) * 32)


def did_document(
    did: str,
    keys: Mapping[str, KeyPair],
    *,
    controller: str | None = None,
    **relationships: list[str],
) -> JsonObject:
    """Build a DID document with one Multikey method per ``keys`` fragment.

    ``relationships`` maps a relationship (``assertionMethod``,
    ``authentication``, ...) to the fragments listed under it by reference.
    ``controller`` sets every method's controller (default: ``did``).
    """
    document: JsonObject = {
        "@context": list(DID_CONTEXTS),
        "id": did,
        "verificationMethod": [
            {
                "id": f"{did}#{fragment}",
                "type": "Multikey",
                "controller": controller or did,
                "publicKeyMultibase": key.public_key.export_multikey(),
            }
            for fragment, key in keys.items()
        ],
    }
    for relationship, fragments in relationships.items():
        document[relationship] = [f"{did}#{fragment}" for fragment in fragments]
    return document


class StaticMethod:
    """A ``did:test`` driver that serves fixed documents; others are not found."""

    name = "test"
    cacheable = True
    keeps_history = False

    def __init__(self, documents: Mapping[str, JsonObject]) -> None:
        self.documents = dict(documents)

    def resolve(self, did: DID, options: Mapping[str, JsonValue]) -> ResolutionResult:
        try:
            document = self.documents[str(did)]
        except KeyError:
            raise DIDNotFoundError(f"{did} is not in the static method.") from None
        return ResolutionResult(
            DIDDocument.from_json(document), {"contentType": "application/did+json"}, {}
        )


def static_resolver(*documents: JsonObject) -> Resolver:
    """Return a resolver that knows ``did:test`` (these documents) only; no cache."""
    method = StaticMethod({str(document["id"]): document for document in documents})
    return Resolver(MethodRegistry([method]), cache_ttl=0)
