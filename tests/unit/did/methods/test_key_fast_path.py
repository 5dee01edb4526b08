"""did:key documents are built as models directly; the fast path for
``did:key:X#X`` finds the same verification method without a document.

The reference is the document creation algorithm written out as JSON and
checked by ``DIDDocument.from_json``, as the method built it before.
"""

from __future__ import annotations

import hashlib

import pytest

from ssi.did.document import DIDDocument
from ssi.did.methods.key import (
    DID_CONTEXT,
    did_key,
    did_key_document,
    did_key_verification_method,
    resolve_did_key_url,
)
from ssi.did.resolution import Resolver, error_from_metadata
from ssi.errors import SSIError
from ssi.keys import (
    Ed25519KeyPair,
    KeyPair,
    P256KeyPair,
    PublicKey,
    Secp256k1KeyPair,
    X25519KeyPair,
    decode_multikey,
)
from ssi.types import JsonObject

_CONTEXTS = {
    "Multikey": "https://w3id.org/security/multikey/v1",
    "JsonWebKey2020": "https://w3id.org/security/suites/jws-2020/v1",
    "Ed25519VerificationKey2020": "https://w3id.org/security/suites/ed25519-2020/v1",
    "X25519KeyAgreementKey2020": "https://w3id.org/security/suites/x25519-2020/v1",
}
_ENCRYPTION = {
    "Multikey": "Multikey",
    "JsonWebKey2020": "JsonWebKey2020",
    "Ed25519VerificationKey2020": "X25519KeyAgreementKey2020",
}
FORMATS = ("Multikey", "JsonWebKey2020", "Ed25519VerificationKey2020")


def reference_document(did: str, fmt: str, derive: bool) -> DIDDocument:
    """The did:key document creation algorithm, as JSON, through from_json."""
    key = decode_multikey(did.rpartition(":")[2])
    assert isinstance(key, PublicKey)
    contexts = [DID_CONTEXT]
    methods: list[JsonObject] = []
    relationships: JsonObject = {}

    def add(public: PublicKey, kind: str) -> str:
        multibase = public.export_multikey()
        vm: JsonObject = {"id": f"{did}#{multibase}", "type": kind, "controller": did}
        if kind == "JsonWebKey2020":
            vm["publicKeyJwk"] = public.export_jwk()
        else:
            vm["publicKeyMultibase"] = multibase
        if _CONTEXTS[kind] not in contexts:
            contexts.append(_CONTEXTS[kind])
        methods.append(vm)
        return str(vm["id"])

    if key.key_type == "X25519":
        relationships["keyAgreement"] = [add(key, _ENCRYPTION.get(fmt, fmt))]
    else:
        vm_id = add(key, fmt)
        for name in (
            "authentication",
            "assertionMethod",
            "capabilityInvocation",
            "capabilityDelegation",
        ):
            relationships[name] = [vm_id]
        if derive and key.key_type == "Ed25519":
            to_x25519 = key.to_x25519  # type: ignore[attr-defined]
            relationships["keyAgreement"] = [add(to_x25519(), _ENCRYPTION[fmt])]
    document: JsonObject = {
        "@context": contexts,
        "id": did,
        "verificationMethod": methods,
    }
    document.update(relationships)
    return DIDDocument.from_json(document)


def _keys(count: int) -> list[KeyPair]:
    pairs: list[KeyPair] = []
    for index in range(count):
        # Deterministic seeds, so a failure names a reproducible key.
        seed = hashlib.sha256(b"did:key fast path %d" % index).digest()
        scalar = (int.from_bytes(seed, "big") % (2**255 - 20)) + 1
        pairs.append(Ed25519KeyPair.from_seed(seed))
        pairs.append(X25519KeyPair.from_private_bytes(seed))
        pairs.append(P256KeyPair.from_private_bytes(scalar.to_bytes(32, "big")))
        pairs.append(Secp256k1KeyPair.from_private_bytes(scalar.to_bytes(32, "big")))
    return pairs


KEYS = _keys(25)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("derive", [True, False])
def test_documents_equal_the_json_algorithm(fmt: str, derive: bool) -> None:
    compared = 0
    for pair in KEYS:
        did = did_key(pair)
        expected = reference_document(did, fmt, derive)
        if fmt == "Ed25519VerificationKey2020" and pair.key_type != "Ed25519":
            with pytest.raises(SSIError):
                did_key_document(did, public_key_format=fmt)
            continue
        found = did_key_document(
            did, public_key_format=fmt, enable_encryption_key_derivation=derive
        )
        assert found == expected
        assert found.to_json() == expected.to_json()
        compared += 1
    assert compared >= 25


def test_the_fast_path_finds_the_documents_method() -> None:
    for pair in KEYS:
        did = did_key(pair)
        url = f"{did}#{did.removeprefix('did:key:')}"
        document = did_key_document(did)
        expected = document.find_verification_method(url)
        found = did_key_verification_method(url)
        assert found == expected
        assert (found.type, found.controller, found.public_key_multibase) == (
            expected.type,
            expected.controller,
            expected.public_key_multibase,
        )


def test_the_fast_path_leaves_other_urls_to_resolution() -> None:
    pair = KEYS[0]
    did = did_key(pair)
    value = did.removeprefix("did:key:")
    derived = did_key_document(did).verification_method[1].id
    for url in (
        did,
        f"{did}#key-1",
        derived,
        f"{did}/path#{value}",
        f"{did}?versionId=1#{value}",
        f"did:key:1:{value}#{value}",
        f"did:example:{value}#{value}",
    ):
        assert did_key_verification_method(url) is None


@pytest.mark.parametrize(
    "value",
    [
        "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2do",  # one character short
        "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doKK",  # one too many
        "zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBm",  # secp256k1, short
        Ed25519KeyPair.from_seed(bytes(32)).export_multikey(private=True),
    ],
)
def test_the_fast_path_fails_as_resolution_does(value: str) -> None:
    url = f"did:key:{value}#{value}"
    with pytest.raises(SSIError) as resolution:
        did_key_document(f"did:key:{value}")
    with pytest.raises(SSIError) as fast:
        did_key_verification_method(url)
    assert type(fast.value) is type(resolution.value)
    assert fast.value.detail == resolution.value.detail


def test_resolve_did_key_url_equals_the_resolver() -> None:
    """The method is the resolver's; the document is the one resolved without
    key-agreement derivation, with the same verification relationships."""
    resolver = Resolver(cache_ttl=0)
    for pair in KEYS:
        did = did_key(pair)
        url = f"{did}#{did.removeprefix('did:key:')}"
        found = resolve_did_key_url(url)
        assert found is not None
        full = resolver.resolve(did).did_document
        bare = resolver.resolve(did, enableEncryptionKeyDerivation=False).did_document
        assert full is not None
        assert bare is not None
        assert found == (full.find_verification_method(url), bare)
        for relationship in (
            "authentication",
            "assertion_method",
            "capability_invocation",
            "capability_delegation",
        ):
            assert getattr(found[1], relationship) == getattr(full, relationship)
        if isinstance(pair, Ed25519KeyPair):
            assert full.key_agreement
            assert not found[1].key_agreement
        assert resolve_did_key_url(url) == found  # remembered, unchanged


@pytest.mark.parametrize(
    "value",
    [
        "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2do",
        "zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBm",
        Ed25519KeyPair.from_seed(bytes(32)).export_multikey(private=True),
    ],
)
def test_resolve_did_key_url_fails_as_the_resolver_reports(value: str) -> None:
    result = Resolver().resolve(f"did:key:{value}")
    assert result.did_document is None
    with pytest.raises(SSIError) as fast:
        resolve_did_key_url(f"did:key:{value}#{value}")
    rebuilt = error_from_metadata(result.did_resolution_metadata)
    assert (type(fast.value), fast.value.detail) == (type(rebuilt), rebuilt.detail)
