"""The did:jwk method: a DID that is a base64url-encoded public JWK.

Spec: https://github.com/quartzjer/did-jwk/blob/main/spec.md
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import ClassVar

from ssi.did.document import DIDDocument
from ssi.did.results import DID_JSON, ResolutionResult
from ssi.did.syntax import DID
from ssi.encoding import decode_base64url, encode_base64url
from ssi.errors import EncodingError, InvalidDIDError
from ssi.keys import KeyPair, KeyType, PublicKey, decode_public_jwk
from ssi.types import JsonObject, JsonValue

__all__ = ["MAX_DID_JWK_LENGTH", "JWKMethod", "did_jwk", "did_jwk_document"]

MAX_DID_JWK_LENGTH = 4096
"""Longest did:jwk DID accepted, in characters."""

_CONTEXT = [
    "https://www.w3.org/ns/did/v1",
    "https://w3id.org/security/suites/jws-2020/v1",
]
_SIGNING = (
    "assertionMethod",
    "authentication",
    "capabilityInvocation",
    "capabilityDelegation",
)


def did_jwk(key: PublicKey | KeyPair) -> str:
    """Return the did:jwk DID of a key's public JWK.

    The JWK is serialized canonically (RFC 8785: sorted members, no spaces), so
    one key always gives the same DID. As the specification advises, the JWK's
    ``use`` matches what its curve can do: ``"enc"`` for X25519, ``"sig"`` for
    Ed25519; P-256, P-384, P-521 and secp256k1 keys can do both and carry no
    ``use``.

    Spec: https://github.com/quartzjer/did-jwk/blob/main/spec.md#create
    """
    public = key.public_key if isinstance(key, KeyPair) else key
    jwk = public.export_jwk()
    if public.algorithm is None:
        jwk["use"] = "enc"
    elif public.key_type == KeyType.ED25519:
        jwk["use"] = "sig"
    text = json.dumps(jwk, sort_keys=True, separators=(",", ":"))
    return "did:jwk:" + encode_base64url(text.encode("utf-8"))


def did_jwk_document(did: str) -> DIDDocument:
    """Expand a did:jwk DID into its DID document.

    The verification method is ``#0``; a JWK with ``"use": "sig"`` has no key
    agreement, one with ``"use": "enc"`` only key agreement.

    Spec: https://github.com/quartzjer/did-jwk/blob/main/spec.md#read

    Raises:
        InvalidDIDError: the value is not base64url of a UTF-8 JSON object, or
            the JWK holds a private key.
        KeyMaterialError: the JWK is not a supported, valid public key.
    """
    if not did.startswith("did:jwk:"):
        raise InvalidDIDError(f"{did[:80]!r} is not a did:jwk DID.")
    if len(did) > MAX_DID_JWK_LENGTH:
        raise InvalidDIDError(
            f"did:jwk DID is longer than {MAX_DID_JWK_LENGTH} characters."
        )
    value = did[len("did:jwk:") :]
    try:
        jwk = json.loads(decode_base64url(value).decode("utf-8"))
    except (EncodingError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InvalidDIDError(
            f"{did[:80]!r}: the did:jwk value is not base64url of a JSON object."
        ) from exc
    if not isinstance(jwk, dict):
        raise InvalidDIDError(f"{did[:80]!r}: the did:jwk value is not a JSON object.")
    if "d" in jwk:
        raise InvalidDIDError(
            "the did:jwk value holds a private key; did:jwk refuses it."
        )
    decode_public_jwk(jwk)
    use = jwk.get("use")
    vm_id = did + "#0"
    document: JsonObject = {
        "@context": list(_CONTEXT),
        "id": did,
        "verificationMethod": [
            {
                "id": vm_id,
                "type": "JsonWebKey2020",
                "controller": did,
                "publicKeyJwk": jwk,
            }
        ],
    }
    if use != "enc":
        for name in _SIGNING:
            document[name] = [vm_id]
    if use != "sig":
        document["keyAgreement"] = [vm_id]
    return DIDDocument.from_json(document)


class JWKMethod:
    """The did:jwk driver for the resolver.

    Spec: https://github.com/quartzjer/did-jwk/blob/main/spec.md#read
    """

    name: ClassVar[str] = "jwk"
    cacheable: ClassVar[bool] = True
    """A did:jwk document follows from the DID alone: it never changes."""
    keeps_history: ClassVar[bool] = False
    """A did:jwk has one version, its key."""

    def resolve(self, did: DID, options: Mapping[str, JsonValue]) -> ResolutionResult:
        """Expand ``did`` into its document.

        Raises:
            InvalidDIDError: the value is not a public JWK.
            KeyMaterialError: the JWK is not a supported, valid key.
        """
        return ResolutionResult(
            did_jwk_document(str(did)), {"contentType": DID_JSON}, {}
        )
