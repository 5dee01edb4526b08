"""did:key against the did:key specification's example and test vectors.

The vectors were published with older verification method types
(Ed25519VerificationKey2018 with publicKeyBase58; the v0.7 example embeds the
key agreement method). The tests compare what those forms and ours share: the
DID, every verification method id, the key bytes, and which methods each
verification relationship names.
"""

from __future__ import annotations

import pytest

import ssi
from ssi.encoding import decode_base58btc
from ssi.keys import Ed25519KeyPair, Secp256k1KeyPair
from tests.vectors import load

RELATIONSHIPS = (
    "authentication",
    "assertionMethod",
    "capabilityInvocation",
    "capabilityDelegation",
    "keyAgreement",
)


def _shape(document: dict) -> tuple[dict, dict]:
    """Return ({vm id: vm}, {relationship: sorted ids}) with embedded methods
    and references treated alike."""
    methods = {vm["id"]: vm for vm in document.get("verificationMethod", [])}
    relationships = {}
    for name in RELATIONSHIPS:
        ids = []
        for entry in document.get(name, []):
            if isinstance(entry, dict):
                methods[entry["id"]] = entry
                ids.append(entry["id"])
            else:
                ids.append(entry)
        relationships[name] = sorted(ids)
    return methods, relationships


def test_v07_create_example_is_reproduced():
    published = load.json_file(
        "did-core", "documents", "did-key-spec-create-example.json"
    )
    result = ssi.resolve(
        published["id"], public_key_format="Ed25519VerificationKey2020"
    )
    ours = result.did_document.to_json()
    assert ours["@context"] == published["@context"]
    assert _shape(ours) == _shape(published)


ED25519 = load.json_file("multikey", "did-key-ed25519-x25519.json")


@pytest.mark.parametrize("did", sorted(ED25519))
def test_ed25519_vectors_from_seed(did):
    vector = ED25519[did]
    key = Ed25519KeyPair.from_seed(bytes.fromhex(vector["seed"]))
    assert ssi.did_key(key) == did
    document = ssi.resolve(did).did_document
    signing_id = did + vector["verificationKeyPair"]["id"]
    agreement_id = did + vector["keyAgreementKeyPair"]["id"]
    assert [vm.id for vm in document.verification_method] == [signing_id, agreement_id]
    signing, agreement = document.verification_method
    assert ssi.import_key(signing.public_key_multibase).raw == decode_base58btc(
        vector["verificationKeyPair"]["publicKeyBase58"]
    )
    assert ssi.import_key(agreement.public_key_multibase).raw == decode_base58btc(
        vector["keyAgreementKeyPair"]["publicKeyBase58"]
    )
    assert document.assertion_method == (signing_id,)
    assert document.authentication == (signing_id,)
    assert document.capability_invocation == (signing_id,)
    assert document.capability_delegation == (signing_id,)
    assert document.key_agreement == (agreement_id,)


def test_seed_zero_test_vector_document_has_our_shape():
    published = load.json_file(
        "did-core", "documents", "did-key-test-vector-ed25519-x25519-seed-0.json"
    )
    ours = ssi.resolve(published["id"]).did_document.to_json()
    our_methods, our_relationships = _shape(ours)
    their_methods, their_relationships = _shape(published)
    assert our_relationships == their_relationships
    assert our_methods.keys() == their_methods.keys()
    for vm_id, vm in their_methods.items():
        raw = decode_base58btc(vm["publicKeyBase58"])
        assert ssi.import_key(our_methods[vm_id]["publicKeyMultibase"]).raw == raw


SECP256K1 = load.json_file("multikey", "did-key-secp256k1.json")


@pytest.mark.parametrize("did", sorted(SECP256K1))
def test_secp256k1_vectors(did):
    vector = SECP256K1[did]["verificationKeyPair"]
    secret = decode_base58btc(vector["privateKeyBase58"])
    key = Secp256k1KeyPair.from_private_bytes(secret)
    assert ssi.did_key(key) == did
    document = ssi.resolve(did).did_document
    (vm,) = document.verification_method
    assert vm.id == did + vector["id"]
    assert ssi.import_key(vm.public_key_multibase).raw == decode_base58btc(
        vector["publicKeyBase58"]
    )
    assert document.key_agreement == ()


NIST = load.json_file("multikey", "did-key-nist-curves.json")


@pytest.mark.parametrize("did", sorted(NIST))
def test_nist_curve_vectors(did):
    vector = NIST[did]["publicKey"]
    result = ssi.resolve(did, public_key_format="JsonWebKey2020")
    (vm,) = result.did_document.verification_method
    assert vm.id == did + vector["id"]
    assert vm.public_key_jwk == vector["publicKeyJwk"]
    assert ssi.did_key(ssi.import_key(vector["publicKeyJwk"])) == did


X25519 = load.json_file("multikey", "did-key-x25519.json")


@pytest.mark.parametrize("did", sorted(X25519))
def test_x25519_vectors(did):
    (published,) = X25519[did]["verificationMethod"]
    document = ssi.resolve(did).did_document
    (vm,) = document.verification_method
    assert vm.id == published["id"]
    assert ssi.import_key(vm.public_key_multibase).raw == decode_base58btc(
        published["publicKeyBase58"]
    )
    assert document.key_agreement == (vm.id,)
