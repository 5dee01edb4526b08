"""The did:key method: a DID that is a public key, expanded into a document.

Spec: https://w3c-ccg.github.io/did-method-key/
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from ssi.did.document import DIDDocument
from ssi.did.resolution import DID_JSON, ResolutionResult
from ssi.did.syntax import DID
from ssi.errors import (
    InvalidDIDError,
    InvalidPublicKeyError,
    InvalidResolutionOptionsError,
)
from ssi.keys import (
    Ed25519PublicKey,
    KeyPair,
    PublicKey,
    X25519PublicKey,
    decode_multikey,
)
from ssi.types import JsonObject, JsonValue

__all__ = [
    "DID_CONTEXT",
    "KeyMethod",
    "did_key",
    "did_key_document",
]

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
"""The DID Core v1 context that starts every did:key document."""

_FORMAT_CONTEXTS: dict[str, str] = {
    "Multikey": "https://w3id.org/security/multikey/v1",
    "JsonWebKey2020": "https://w3id.org/security/suites/jws-2020/v1",
    "Ed25519VerificationKey2020": "https://w3id.org/security/suites/ed25519-2020/v1",
    "X25519KeyAgreementKey2020": "https://w3id.org/security/suites/x25519-2020/v1",
}
_ENCRYPTION_FORMAT = {
    "Multikey": "Multikey",
    "JsonWebKey2020": "JsonWebKey2020",
    "Ed25519VerificationKey2020": "X25519KeyAgreementKey2020",
}
_SIGNATURE_ONLY_FORMATS = {"Ed25519VerificationKey2020": "Ed25519"}
_MULTIBASE_VALUE = re.compile(r"z[1-9A-HJ-NP-Za-km-z]+")


def did_key(key: PublicKey | KeyPair) -> str:
    """Return the did:key DID of a key: ``did:key:`` and its public Multikey.

    Spec: https://w3c-ccg.github.io/did-method-key/#format
    """
    public = key.public_key if isinstance(key, KeyPair) else key
    return "did:key:" + public.export_multikey()


def did_key_document(
    did: str,
    *,
    public_key_format: str = "Multikey",
    enable_encryption_key_derivation: bool = True,
) -> DIDDocument:
    """Expand a did:key DID into its DID document.

    Spec: https://w3c-ccg.github.io/did-method-key/#document-creation-algorithm

    Raises:
        InvalidDIDError: the DID is not a did:key DID in base58btc.
        KeyMaterialError: the key is malformed, of the wrong length or type.
        InvalidResolutionOptionsError: an unknown ``public_key_format``.
    """
    if not did.startswith("did:key:"):
        raise InvalidDIDError(f"{did[:80]!r} is not a did:key DID.")
    value = did[len("did:key:") :]
    if ":" in value:
        version, _, value = value.partition(":")
        if not version.isdigit() or int(version) != 1:
            raise InvalidDIDError(f"did:key version {version[:20]!r} is not supported.")
    if _MULTIBASE_VALUE.fullmatch(value) is None:
        raise InvalidDIDError(
            f"{did[:80]!r}: the did:key value must be base58btc multibase ('z')."
        )
    key = decode_multikey(value)
    if isinstance(key, KeyPair):
        raise InvalidPublicKeyError(
            "the did:key value is a secret key, not a public key."
        )
    if public_key_format not in _FORMAT_CONTEXTS:
        raise InvalidResolutionOptionsError(
            f"publicKeyFormat {public_key_format!r} is not supported."
        )
    required = _SIGNATURE_ONLY_FORMATS.get(public_key_format)
    if required is not None and key.key_type != required:
        raise InvalidResolutionOptionsError(
            f"publicKeyFormat {public_key_format!r} cannot hold a {key.key_type} key."
        )

    contexts = [DID_CONTEXT]
    methods: list[JsonObject] = []
    relationships: JsonObject = {}

    def add_method(public: PublicKey, fmt: str) -> str:
        multibase = public.export_multikey()
        vm: JsonObject = {"id": f"{did}#{multibase}", "type": fmt, "controller": did}
        if fmt == "JsonWebKey2020":
            vm["publicKeyJwk"] = public.export_jwk()
        else:
            vm["publicKeyMultibase"] = multibase
        if _FORMAT_CONTEXTS[fmt] not in contexts:
            contexts.append(_FORMAT_CONTEXTS[fmt])
        methods.append(vm)
        return str(vm["id"])

    if isinstance(key, X25519PublicKey):
        fmt = _ENCRYPTION_FORMAT.get(public_key_format, public_key_format)
        relationships["keyAgreement"] = [add_method(key, fmt)]
    else:
        vm_id = add_method(key, public_key_format)
        for name in (
            "authentication",
            "assertionMethod",
            "capabilityInvocation",
            "capabilityDelegation",
        ):
            relationships[name] = [vm_id]
        if enable_encryption_key_derivation and isinstance(key, Ed25519PublicKey):
            relationships["keyAgreement"] = [
                add_method(key.to_x25519(), _ENCRYPTION_FORMAT[public_key_format])
            ]
    document: JsonObject = {
        "@context": contexts,
        "id": did,
        "verificationMethod": methods,
    }
    document.update(relationships)
    return DIDDocument.from_json(document)


class KeyMethod:
    """The did:key driver for the resolver.

    Options: ``publicKeyFormat`` (``Multikey`` by default, ``JsonWebKey2020``,
    ``Ed25519VerificationKey2020``) and ``enableEncryptionKeyDerivation``
    (true by default).

    Spec: https://w3c-ccg.github.io/did-method-key/#read
    """

    name: ClassVar[str] = "key"

    def resolve(self, did: DID, options: Mapping[str, JsonValue]) -> ResolutionResult:
        """Expand ``did`` into its document.

        Raises:
            InvalidDIDError: not base58btc, or an unsupported version.
            KeyMaterialError: the key is malformed.
            InvalidResolutionOptionsError: an option with an unusable value.
        """
        fmt = options.get("publicKeyFormat", "Multikey")
        derive = options.get("enableEncryptionKeyDerivation", True)
        if not isinstance(fmt, str):
            raise InvalidResolutionOptionsError("publicKeyFormat must be a string.")
        if not isinstance(derive, bool):
            raise InvalidResolutionOptionsError(
                "enableEncryptionKeyDerivation must be a boolean."
            )
        document = did_key_document(
            str(did), public_key_format=fmt, enable_encryption_key_derivation=derive
        )
        return ResolutionResult(document, {"contentType": DID_JSON}, {})
