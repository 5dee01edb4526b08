"""did:key: document shape, options, and refusals, for every key type."""

from __future__ import annotations

import pytest

import ssi
from ssi.did.methods.key import did_key_document
from ssi.errors import InvalidDIDError, InvalidResolutionOptionsError
from ssi.keys import Ed25519PublicKey


@pytest.mark.parametrize(
    ("key_type", "prefix"),
    [("Ed25519", "z6Mk"), ("X25519", "z6LS"), ("P-256", "zDna"), ("secp256k1", "zQ3s")],
)
def test_did_key_prefixes_follow_the_multicodec(key_type, prefix):
    assert ssi.did_key(ssi.generate_key(key_type)).startswith("did:key:" + prefix)


@pytest.mark.parametrize("key_type", ["Ed25519", "P-256", "secp256k1"])
def test_signing_key_document(key_type):
    key = ssi.generate_key(key_type)
    did = ssi.did_key(key)
    fragment = did.removeprefix("did:key:")
    document = ssi.resolve(did).did_document
    assert document.id == did
    vm = document.verification_method[0]
    assert vm.id == f"{did}#{fragment}"
    assert vm.type == "Multikey"
    assert vm.controller == did
    assert vm.public_key_multibase == fragment
    for entries in (
        document.authentication,
        document.assertion_method,
        document.capability_invocation,
        document.capability_delegation,
    ):
        assert entries == (vm.id,)
    assert document.context == (
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
    )


def test_ed25519_document_derives_the_x25519_key_agreement_method():
    key = ssi.generate_key("Ed25519")
    did = ssi.did_key(key)
    document = ssi.resolve(did).did_document
    assert len(document.verification_method) == 2
    x25519 = key.to_x25519().public_key.export_multikey()
    assert document.key_agreement == (f"{did}#{x25519}",)
    assert document.verification_method[1].public_key_multibase == x25519


def test_derivation_can_be_turned_off():
    did = ssi.did_key(ssi.generate_key("Ed25519"))
    document = ssi.resolve(did, enable_encryption_key_derivation=False).did_document
    assert len(document.verification_method) == 1
    assert document.key_agreement == ()


def test_p256_and_secp256k1_have_no_key_agreement():
    for key_type in ("P-256", "secp256k1"):
        document = ssi.resolve(ssi.did_key(ssi.generate_key(key_type))).did_document
        assert document.key_agreement == ()


def test_x25519_did_key_is_for_key_agreement_only():
    did = ssi.did_key(ssi.generate_key("X25519"))
    document = ssi.resolve(did).did_document
    vm = document.verification_method[0]
    assert document.key_agreement == (vm.id,)
    assert document.assertion_method == ()
    assert document.authentication == ()


@pytest.mark.parametrize("key_type", ["Ed25519", "X25519", "P-256", "secp256k1"])
def test_json_web_key_2020_format(key_type):
    key = ssi.generate_key(key_type)
    did = ssi.did_key(key)
    document = ssi.resolve(did, public_key_format="JsonWebKey2020").did_document
    vm = document.verification_method[0]
    assert vm.type == "JsonWebKey2020"
    assert vm.public_key_multibase is None
    assert ssi.import_key(vm.public_key_jwk) == key.public_key
    assert "https://w3id.org/security/suites/jws-2020/v1" in document.context


def test_ed25519_verification_key_2020_format():
    did = ssi.did_key(ssi.generate_key("Ed25519"))
    document = ssi.resolve(
        did, public_key_format="Ed25519VerificationKey2020"
    ).did_document
    types = [vm.type for vm in document.verification_method]
    assert types == ["Ed25519VerificationKey2020", "X25519KeyAgreementKey2020"]
    assert document.context[1:] == (
        "https://w3id.org/security/suites/ed25519-2020/v1",
        "https://w3id.org/security/suites/x25519-2020/v1",
    )


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"public_key_format": "RsaVerificationKey2018"}, "invalidOptions"),
        ({"public_key_format": 7}, "invalidOptions"),
        ({"enable_encryption_key_derivation": "yes"}, "invalidOptions"),
    ],
)
def test_bad_options_are_refused(options, code):
    did = ssi.did_key(ssi.generate_key("Ed25519"))
    assert ssi.resolve(did, **options).error == code


def test_ed25519_2020_format_cannot_hold_a_p256_key():
    did = ssi.did_key(ssi.generate_key("P-256"))
    with pytest.raises(InvalidResolutionOptionsError):
        did_key_document(did, public_key_format="Ed25519VerificationKey2020")


def test_version_one_prefix_is_accepted_and_others_refused():
    did = ssi.did_key(ssi.generate_key("Ed25519"))
    versioned = did.replace("did:key:", "did:key:1:")
    assert did_key_document(versioned).id == versioned
    with pytest.raises(InvalidDIDError):
        did_key_document(did.replace("did:key:", "did:key:2:"))


def test_did_key_of_a_public_key_equals_did_key_of_its_pair():
    key = ssi.generate_key("Ed25519")
    assert ssi.did_key(key) == ssi.did_key(key.public_key)
    assert isinstance(key.public_key, Ed25519PublicKey)


@pytest.mark.parametrize(
    ("did", "code"),
    [
        ("did:key:", "invalidDid"),
        ("did:key:6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "invalidDid"),
        ("did:key:uAe0B", "invalidDid"),
        ("did:key:z0OIl", "invalidDid"),
        (
            "did:key:z2DQUz8yxybcgY49o2TDENNPqPQBbVynuU6CcNCWtSMrwMx",
            "invalidPublicKeyLength",
        ),
        ("did:key:zJac", "invalidPublicKeyLength"),
    ],
)
def test_malformed_did_key_is_answered_with_a_code(did, code):
    assert ssi.resolve(did).error == code


def test_a_secret_key_in_a_did_key_is_refused():
    secret = ssi.generate_key("Ed25519").export_multikey(private=True)
    result = ssi.resolve("did:key:" + secret)
    assert result.error == "invalidPublicKey"
    assert secret not in str(result.did_resolution_metadata)
