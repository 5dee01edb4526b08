"""The did:key method: a DID that is a public key, expanded into a document.

Spec: https://w3c-ccg.github.io/did-method-key/
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import ClassVar

from ssi.did.document import DIDDocument, VerificationMethod
from ssi.did.results import DID_JSON, ResolutionResult
from ssi.did.syntax import DID
from ssi.errors import (
    InvalidDIDError,
    InvalidPublicKeyError,
    InvalidResolutionOptionsError,
    KeyMaterialError,
)
from ssi.keys import (
    Ed25519PublicKey,
    KeyPair,
    PublicKey,
    X25519PublicKey,
    decode_public_multikey,
)
from ssi.types import JsonValue

__all__ = [
    "DID_CONTEXT",
    "KeyMethod",
    "did_key",
    "did_key_document",
    "did_key_verification_method",
    "resolve_did_key_url",
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
_SIGNATURE_RELATIONSHIPS = (
    "authentication",
    "assertion_method",
    "capability_invocation",
    "capability_delegation",
)


def did_key(key: PublicKey | KeyPair) -> str:
    """Return the did:key DID of a key: ``did:key:`` and its public Multikey.

    Spec: https://w3c-ccg.github.io/did-method-key/#format
    """
    public = key if isinstance(key, PublicKey) else key.public_key
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
    key = _public_key_of(did)
    if public_key_format not in _FORMAT_CONTEXTS:
        raise InvalidResolutionOptionsError(
            f"publicKeyFormat {public_key_format!r} is not supported."
        )
    required = _SIGNATURE_ONLY_FORMATS.get(public_key_format)
    if required is not None and key.key_type != required:
        raise InvalidResolutionOptionsError(
            f"publicKeyFormat {public_key_format!r} cannot hold a {key.key_type} key."
        )
    # The model is built directly: every value here is made from a checked
    # key and DID, so DIDDocument.from_json's checks could not fail (a test
    # compares the two over many keys of every type and format).
    contexts = [DID_CONTEXT]

    def method(
        public: PublicKey, fmt: str, multibase: str | None
    ) -> VerificationMethod:
        if _FORMAT_CONTEXTS[fmt] not in contexts:
            contexts.append(_FORMAT_CONTEXTS[fmt])
        return _method(did, public, fmt, multibase)

    value = did.rpartition(":")[2]
    if isinstance(key, X25519PublicKey):
        fmt = _ENCRYPTION_FORMAT.get(public_key_format, public_key_format)
        agreement = method(key, fmt, value)
        return DIDDocument(
            id=did,
            context=tuple(contexts),
            verification_method=(agreement,),
            key_agreement=(agreement.id,),
        )
    signing = method(key, public_key_format, value)
    methods: tuple[VerificationMethod, ...] = (signing,)
    key_agreement: tuple[str, ...] = ()
    if enable_encryption_key_derivation and isinstance(key, Ed25519PublicKey):
        fmt = _ENCRYPTION_FORMAT[public_key_format]
        agreement = method(key.to_x25519(), fmt, None)
        methods = (signing, agreement)
        key_agreement = (agreement.id,)
    relationship = (signing.id,)
    return DIDDocument(
        id=did,
        context=tuple(contexts),
        verification_method=methods,
        authentication=relationship,
        assertion_method=relationship,
        capability_invocation=relationship,
        capability_delegation=relationship,
        key_agreement=key_agreement,
    )


def did_key_verification_method(url: str) -> VerificationMethod | None:
    """Return the verification method ``did:key:X#X`` names, straight from the key.

    This is the method :func:`did_key_document` lists under that id (the
    default ``Multikey`` format), found without building the document: the
    value is decoded once (and remembered with the key). Any other URL,
    including another fragment or a DID URL with a path or query, returns
    None; callers then resolve the DID as usual.

    Spec: https://w3c-ccg.github.io/did-method-key/#document-creation-algorithm

    Raises:
        InvalidDIDError: the DID is not a did:key DID in base58btc.
        KeyMaterialError: the key is malformed, of the wrong length or type.
    """
    did, hash_, fragment = url.partition("#")
    if not hash_ or not did.startswith("did:key:z") or did[8:] != fragment:
        return None
    key = _public_key_of(did)
    fmt = "Multikey"  # the name of the format for X25519 keys as well
    return _method(did, key, fmt, fragment)


def resolve_did_key_url(url: str) -> tuple[VerificationMethod, DIDDocument] | None:
    """Return the method ``did:key:X#X`` names and the DID's document, or None.

    The same method as resolving the DID with the default options
    (``Multikey``) and dereferencing the fragment, without a resolver or DID
    URL parsing: for a proof's ``verificationMethod``. The document is the
    one resolution gives with ``enableEncryptionKeyDerivation`` off: the same
    verification relationships, without the derived X25519 ``keyAgreement``
    method, which plays no part in a proof and would cost a second point
    check of every new key. The last 4096 answers are remembered (did:key
    documents never change). Any other URL returns None.

    Spec: https://w3c-ccg.github.io/did-method-key/#read

    Raises:
        InvalidDIDError: the DID is not a did:key DID in base58btc.
        KeyMaterialError: the key is malformed, of the wrong length or type.
    """
    did, hash_, fragment = url.partition("#")
    if not hash_ or not did.startswith("did:key:z") or did[8:] != fragment:
        return None
    return _resolved(did)


@functools.lru_cache(maxsize=4096)
def _resolved(did: str) -> tuple[VerificationMethod, DIDDocument]:
    document = did_key_document(did, enable_encryption_key_derivation=False)
    return document.verification_method[0], document


def _public_key_of(did: str) -> PublicKey:
    """Decode the public key a did:key DID holds.

    Raises:
        InvalidDIDError: not a did:key DID in base58btc, or an unknown version.
        KeyMaterialError: the key is malformed, or the value is a secret key.
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
    try:
        return decode_public_multikey(value)
    except KeyMaterialError as exc:
        if str(exc.detail).startswith("expected a public key"):
            raise InvalidPublicKeyError(
                "the did:key value is a secret key, not a public key."
            ) from exc
        raise


def _method(
    did: str, public: PublicKey, fmt: str, multibase: str | None
) -> VerificationMethod:
    """The verification method of ``public`` under ``did``; ``multibase`` is its
    Multikey when the caller has it (the DID's own value: decoding and encoding
    base58btc and the multicodec prefix are inverse bijections)."""
    multibase = multibase or public.export_multikey()
    if fmt == "JsonWebKey2020":
        return VerificationMethod(
            id=f"{did}#{multibase}",
            type=fmt,
            controller=did,
            public_key_jwk=public.export_jwk(),
        )
    return VerificationMethod(
        id=f"{did}#{multibase}",
        type=fmt,
        controller=did,
        public_key_multibase=multibase,
    )


class KeyMethod:
    """The did:key driver for the resolver.

    Options: ``publicKeyFormat`` (``Multikey`` by default, ``JsonWebKey2020``,
    ``Ed25519VerificationKey2020``) and ``enableEncryptionKeyDerivation``
    (true by default).

    Spec: https://w3c-ccg.github.io/did-method-key/#read
    """

    name: ClassVar[str] = "key"
    cacheable: ClassVar[bool] = True
    """A did:key document follows from the DID alone: it never changes."""
    keeps_history: ClassVar[bool] = False
    """A did:key has one version, its key."""

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
