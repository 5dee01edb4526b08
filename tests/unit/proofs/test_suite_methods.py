"""The suite methods reproduce every suite-specific step of the proof engine.

Each published signed document (and didkit's) is verified through the suite
methods alone, the way the Cryptosuite docstring lays it out; the published
intermediate values (proof configuration, combined hash) come out of them; and
the suites package no longer imports the registry module.
"""

from __future__ import annotations

import ast
import importlib.resources

import pytest

import ssi
from ssi.did.document import VerificationMethod
from ssi.did.methods.key import did_key_verification_method
from ssi.errors import (
    InvalidSignatureError,
    InvalidVerificationMethodURLError,
    ProofGenerationError,
    ProofVerificationError,
)
from ssi.keys import P256KeyPair, SignatureVerifier
from ssi.proofs import default_registry
from ssi.proofs.suites import (
    DATA_INTEGRITY_V2_CONTEXT,
    ED25519_2020_CONTEXT,
    default_suites,
)
from ssi.types import JsonObject
from tests.unit.proofs.doubles import ed25519_key
from tests.vectors import load

SIGNED = [
    ("vc-di-eddsa", "eddsa-rdfc-2022", "signedDataInt.json"),
    ("vc-di-eddsa", "eddsa-rdfc-2022", "employ", "signedDataInt.json"),
    ("vc-di-eddsa", "eddsa-jcs-2022", "signedJCS.json"),
    ("vc-di-eddsa", "Ed25519Signature2020", "signedEdSig.json"),
    ("didkit", "ed25519-signature-2020-v1.json"),
]


def verify_with_suite_methods(document: JsonObject) -> None:
    """Verify the (one) proof of ``document`` with the suite methods only."""
    proof = document["proof"]
    suite = default_registry().for_proof(proof)
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    unsecured = suite.transform_document(unsecured, options)
    config = suite.configure_proof(options, unsecured)
    method = did_key_verification_method(proof["verificationMethod"])
    assert method is not None
    verifier = suite.create_verifier(method)
    assert isinstance(verifier, SignatureVerifier)
    data = suite.hash_data(config, unsecured, loader=None)
    verifier.verify(data, suite.decode_proof_value(proof["proofValue"]))


@pytest.mark.parametrize("path", SIGNED, ids=["/".join(p[1:]) for p in SIGNED])
def test_published_documents_verify_through_the_suite_methods(
    path: tuple[str, ...],
) -> None:
    document = load.json_file(*path)
    document = document.get("credential", document)  # didkit's file wraps it
    verify_with_suite_methods(document)
    tampered = dict(document, id="urn:uuid:00000000-0000-0000-0000-000000000000")
    with pytest.raises(InvalidSignatureError):
        verify_with_suite_methods(tampered)


@pytest.mark.parametrize(
    ("folder", "suffix"),
    [
        ("eddsa-rdfc-2022", "DataInt"),
        ("eddsa-jcs-2022", "JCS"),
        ("Ed25519Signature2020", "EdSig"),
    ],
)
def test_the_published_proof_configuration_and_hash(folder: str, suffix: str) -> None:
    signed = load.json_file("vc-di-eddsa", folder, f"signed{suffix}.json")
    suite = default_registry().for_proof(signed["proof"])
    options = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    unsecured = {k: v for k, v in signed.items() if k != "proof"}
    config = suite.configure_proof(
        options, suite.transform_document(unsecured, options)
    )
    assert config == load.json_file("vc-di-eddsa", folder, f"proofConfig{suffix}.json")
    combined = suite.hash_data(config, unsecured, loader=None).hex()
    expected = load.text("vc-di-eddsa", folder, f"combinedHash{suffix}.txt").strip()
    assert combined == expected


def test_issued_proofs_match_the_suite_methods() -> None:
    signer = ssi.signer(ed25519_key(7))
    did = signer.key_id.split("#")[0]
    for suite in default_suites():
        if "Ed25519" not in suite.key_types:
            continue
        context = ["https://www.w3.org/ns/credentials/v2"]
        if suite.suite_context(context) is not None:
            context = ["https://www.w3.org/2018/credentials/v1"]
            context.append(suite.suite_context(context))  # type: ignore[arg-type]
        credential: JsonObject = {
            "@context": context,
            "type": ["VerifiableCredential"],
            "issuer": did,
            "credentialSubject": {"id": "did:example:1"},
        }
        if context[0].endswith("v1"):
            credential["issuanceDate"] = "2025-01-01T00:00:00Z"
        else:
            credential["validFrom"] = "2025-01-01T00:00:00Z"
        verify_with_suite_methods(ssi.issue(credential, signer, suite=suite.name))


def test_jcs_refuses_a_proof_context_that_is_not_a_prefix() -> None:
    suite = default_registry().get("eddsa-jcs-2022")
    options: JsonObject = {"type": "DataIntegrityProof", "@context": ["https://a"]}
    with pytest.raises(ProofVerificationError):
        suite.transform_document({"@context": ["https://b", "https://a"]}, options)
    document = suite.transform_document(
        {"@context": ["https://a", "https://b"]}, options
    )
    assert document["@context"] == ["https://a"]


def test_proof_options() -> None:
    jcs = default_registry().get("eddsa-jcs-2022")
    rdfc = default_registry().get("eddsa-rdfc-2022")
    proof: JsonObject = {"type": "DataIntegrityProof"}
    assert (
        jcs.proof_options(proof, {"@context": "https://a"})["@context"] == "https://a"
    )
    assert "@context" not in jcs.proof_options(proof, {})
    assert rdfc.proof_options(proof, {"@context": "https://a"}) == proof
    with pytest.raises(ProofGenerationError):
        rdfc.proof_options(proof, {})


def test_suite_contexts() -> None:
    v1 = ["https://www.w3.org/2018/credentials/v1"]
    v2 = ["https://www.w3.org/ns/credentials/v2"]
    registry = default_registry()
    assert (
        registry.get("Ed25519Signature2020").suite_context(v2) == ED25519_2020_CONTEXT
    )
    for name in ("eddsa-jcs-2022", "eddsa-rdfc-2022", "ecdsa-rdfc-2019"):
        assert registry.get(name).suite_context(v1) == DATA_INTEGRITY_V2_CONTEXT
        assert registry.get(name).suite_context(v2) is None


def test_create_verifier_refuses_unusable_methods() -> None:
    suite = default_registry().get("eddsa-jcs-2022")
    p256 = P256KeyPair.from_private_bytes(bytes([3]) * 32).public_key
    wrong = VerificationMethod(
        "did:example:1#k",
        "Multikey",
        "did:example:1",
        public_key_multibase=p256.export_multikey(),
    )
    with pytest.raises(ProofVerificationError, match="cannot be verified with a P-256"):
        suite.create_verifier(wrong)
    with pytest.raises(InvalidVerificationMethodURLError, match="has no public key"):
        suite.create_verifier(
            VerificationMethod("did:example:1#k", "Multikey", "did:example:1")
        )
    broken = VerificationMethod(
        "did:example:1#k", "Multikey", "did:example:1", public_key_multibase="z6Mk"
    )
    with pytest.raises(
        InvalidVerificationMethodURLError, match="unusable key material"
    ):
        suite.create_verifier(broken)
    jwk = VerificationMethod(
        "did:example:1#k",
        "JsonWebKey",
        "did:example:1",
        public_key_jwk=ed25519_key(2).public_key.export_jwk(),
    )
    assert suite.create_verifier(jwk).algorithm == "EdDSA"


def test_the_suites_package_does_not_import_the_registry_module() -> None:
    root = importlib.resources.files("ssi.proofs.suites")
    for entry in root.iterdir():
        if not entry.name.endswith(".py"):
            continue
        tree = ast.parse(entry.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert node.module != "ssi.proofs.suite", entry.name
                assert node.module != "ssi.proofs", entry.name
