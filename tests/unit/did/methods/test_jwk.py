"""did:jwk: the specification's examples and the refusals it requires."""

from __future__ import annotations

import json

import pytest

import ssi
from ssi.encoding import encode_base64url
from tests.vectors import load


def _published(vector_file):
    vector = load.json_file("did-jwk", vector_file.name)
    text = json.dumps(vector["didDocument"])
    for erratum in vector["errata"].values():
        text = text.replace(erratum["published"], erratum["corrected"])
    return vector, json.loads(text)


@pytest.mark.parametrize("vector_file", load.cases("did-jwk"))
def test_spec_examples_resolve_to_the_published_documents(vector_file):
    vector, expected = _published(vector_file)
    result = ssi.resolve(vector["did"])
    assert result.ok, result.did_resolution_metadata
    assert result.did_document.to_json() == expected


@pytest.mark.parametrize("vector_file", load.cases("did-jwk"))
def test_spec_example_did_urls_dereference_to_the_method(vector_file):
    vector, expected = _published(vector_file)
    document = ssi.resolve(vector["did"]).did_document
    vm = document.find_verification_method(vector["didUrl"])
    assert vm.public_key_jwk == expected["verificationMethod"][0]["publicKeyJwk"]


def test_p256_spec_example_is_what_did_jwk_produces():
    vector = load.json_file("did-jwk", "p-256.json")
    key = ssi.import_key(vector["didDocument"]["verificationMethod"][0]["publicKeyJwk"])
    assert ssi.did_jwk(key) == vector["did"]


@pytest.mark.parametrize("key_type", ["P-256", "secp256k1"])
def test_ecdsa_keys_get_every_relationship(key_type):
    key = ssi.generate_key(key_type)
    did = ssi.did_jwk(key)
    document = ssi.resolve(did).did_document
    vm_id = did + "#0"
    for entries in (
        document.authentication,
        document.assertion_method,
        document.capability_invocation,
        document.capability_delegation,
        document.key_agreement,
    ):
        assert entries == (vm_id,)
    assert (
        ssi.import_key(document.verification_method[0].public_key_jwk) == key.public_key
    )


def test_ed25519_keys_are_for_signatures_only():
    key = ssi.generate_key("Ed25519")
    did = ssi.did_jwk(key)
    document = ssi.resolve(did).did_document
    assert document.verification_method[0].public_key_jwk["use"] == "sig"
    assert document.key_agreement == ()
    assert document.assertion_method == (did + "#0",)


def test_x25519_keys_are_for_key_agreement_only():
    key = ssi.generate_key("X25519")
    document = ssi.resolve(ssi.did_jwk(key)).did_document
    assert document.key_agreement == (document.id + "#0",)
    assert document.assertion_method == ()
    assert document.authentication == ()


def test_use_sig_drops_key_agreement():
    jwk = dict(ssi.generate_key("Ed25519").export_jwk(), use="sig")
    did = "did:jwk:" + encode_base64url(json.dumps(jwk).encode())
    document = ssi.resolve(did).did_document
    assert document.key_agreement == ()
    assert document.assertion_method == (did + "#0",)


def _did(value: object) -> str:
    return "did:jwk:" + encode_base64url(json.dumps(value).encode())


@pytest.mark.parametrize(
    ("did", "code"),
    [
        ("did:jwk:", "invalidDid"),
        ("did:jwk:!!!!", "invalidDid"),
        ("did:jwk:eyJ", "invalidDid"),
        ("did:jwk:" + encode_base64url(b"\xff\xfe"), "invalidDid"),
        (_did([1, 2]), "invalidDid"),
        (_did("a string"), "invalidDid"),
        (_did({"kty": "RSA", "n": "AQAB", "e": "AQAB"}), "unsupportedPublicKeyType"),
        (_did({"kty": "OKP", "crv": "Ed448", "x": "AAAA"}), "unsupportedPublicKeyType"),
        (_did({"kty": "OKP", "crv": "Ed25519"}), "invalidPublicKey"),
        (_did({"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}), "invalidPublicKeyLength"),
        ("did:jwk:" + "A" * 5000, "invalidDid"),
    ],
)
def test_malformed_did_jwk_is_answered_with_a_code(did, code):
    assert ssi.resolve(did).error == code


def test_a_private_jwk_is_refused():
    private = ssi.generate_key("Ed25519").export_jwk(private=True)
    result = ssi.resolve(_did(private))
    assert result.error == "invalidDid"
    assert private["d"] not in json.dumps(result.did_resolution_metadata)
