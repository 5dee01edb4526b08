"""The P-256 test vectors of Data Integrity ECDSA Cryptosuites v1.0.

Our canonical forms and hashes must equal the published ones. Our ECDSA
signatures are randomized, so where the EdDSA tests compare signature bytes
these assert verification instead: the published signed documents verify, a
credential we issue with the published key pair verifies, and the published
signature with one bit flipped does not.

Spec: https://www.w3.org/TR/vc-di-ecdsa/#test-vectors
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass

import pytest

import ssi
from ssi.errors import InvalidProofPurposeError, InvalidSignatureError
from ssi.keys import LocalSigner
from ssi.proofs import AssertionMethodPurpose, add_proof, default_registry, verify_proof
from ssi.types import JsonObject
from tests.unit.proofs.doubles import CREATED, NOW
from tests.vectors import load

SPEC = "vc-di-ecdsa"


@dataclass(frozen=True)
class Vector:
    """One P-256 section of Appendix A."""

    suite: str
    folder: tuple[str, ...]
    suffix: str
    unsigned: str

    def file(self, stage: str, extension: str) -> tuple[str, ...]:
        return (SPEC, *self.folder, f"{stage}{self.suffix}.{extension}")

    def id(self, stage: str, extension: str) -> str:
        return "/".join(self.file(stage, extension)[1:])

    def text(self, stage: str) -> str:
        return load.text(*self.file(stage, "txt"))

    def json(self, stage: str) -> JsonObject:
        value: JsonObject = load.json_file(*self.file(stage, "json"))
        return value

    def input_document(self) -> JsonObject:
        document: JsonObject = load.json_file(SPEC, self.unsigned)
        return document


VECTORS = [
    Vector("ecdsa-rdfc-2019", ("ecdsa-rdfc-2019-p256",), "ECDSAP256", "unsigned.json"),
    Vector(
        "ecdsa-rdfc-2019",
        ("ecdsa-rdfc-2019-p256", "employ"),
        "ECDSAP256",
        "employmentAuth.json",
    ),
    Vector("ecdsa-jcs-2019", ("ecdsa-jcs-2019-p256",), "JCSECDSAP256", "unsigned.json"),
]


def params(stage: str, extension: str = "txt") -> list[object]:
    return [pytest.param(v, id=v.id(stage, extension)) for v in VECTORS]


def key_pair() -> ssi.KeyPair:
    key = ssi.import_key(load.json_file(SPEC, "p256KeyPair.json")["secretKeyMultibase"])
    assert isinstance(key, ssi.KeyPair)
    return key


def signer() -> LocalSigner:
    return ssi.signer(key_pair())


@dataclass(frozen=True)
class Stages:
    canonical_document: bytes
    document_hash: bytes
    proof_config: JsonObject
    canonical_proof_config: bytes
    proof_config_hash: bytes


@functools.cache
def stages(vector: Vector) -> Stages:
    suite = default_registry().get(vector.suite)
    document = vector.input_document()
    canonical_document = suite.canonicalize(document, loader=None)
    # Proof configuration: the options with the document's @context
    # (vc-di-ecdsa sections 3.2.5 and 3.4.5).
    config: JsonObject = {
        "type": "DataIntegrityProof",
        "cryptosuite": vector.suite,
        "created": vector.json("proofConfig")["created"],
        "verificationMethod": signer().key_id,
        "proofPurpose": "assertionMethod",
        "@context": document["@context"],
    }
    canonical_config = suite.canonicalize(config, loader=None)
    return Stages(
        canonical_document=canonical_document,
        document_hash=suite.hash(canonical_document),
        proof_config=config,
        canonical_proof_config=canonical_config,
        proof_config_hash=suite.hash(canonical_config),
    )


def test_key_pair_is_the_did_key_of_the_published_verification_method():
    published = load.json_file(SPEC, "p256KeyPair.json")["publicKeyMultibase"]
    assert key_pair().key_type == ssi.KeyType.P256
    assert signer().algorithm == "ES256"
    assert signer().key_id == f"did:key:{published}#{published}"


@pytest.mark.parametrize("vector", params("canonDoc"))
def test_canonical_document(vector):
    assert stages(vector).canonical_document == load.data(
        *vector.file("canonDoc", "txt")
    )


@pytest.mark.parametrize("vector", params("docHash"))
def test_document_hash(vector):
    assert stages(vector).document_hash.hex() == vector.text("docHash")


@pytest.mark.parametrize("vector", params("proofConfig", "json"))
def test_proof_configuration(vector):
    assert stages(vector).proof_config == vector.json("proofConfig")


@pytest.mark.parametrize("vector", params("proofCanon"))
def test_canonical_proof_configuration(vector):
    expected = load.data(*vector.file("proofCanon", "txt"))
    assert stages(vector).canonical_proof_config == expected


@pytest.mark.parametrize("vector", params("proofHash"))
def test_proof_configuration_hash(vector):
    assert stages(vector).proof_config_hash.hex() == vector.text("proofHash")


@pytest.mark.parametrize("vector", params("combinedHash"))
def test_combined_hash(vector):
    combined = stages(vector).proof_config_hash + stages(vector).document_hash
    assert combined.hex() == vector.text("combinedHash")


@pytest.mark.parametrize("vector", params("sigBTC58"))
def test_proof_value_encodes_the_published_signature(vector):
    suite = default_registry().get(vector.suite)
    signature = bytes.fromhex(vector.text("sigHex"))
    assert suite.encode_proof_value(signature) == vector.text("sigBTC58")
    assert suite.decode_proof_value(vector.text("sigBTC58")) == signature


@pytest.mark.parametrize("vector", params("sigHex"))
def test_published_signature_verifies_over_our_combined_hash(vector):
    combined = stages(vector).proof_config_hash + stages(vector).document_hash
    key_pair().public_key.verify(combined, bytes.fromhex(vector.text("sigHex")))


@pytest.mark.parametrize("vector", params("signed", "json"))
def test_published_signed_document_verifies(vector):
    # Includes A.1, whose signature has a high S: it must be accepted.
    published = vector.json("signed")
    verified = verify_proof(
        published, published["proof"], purpose=AssertionMethodPurpose(), now=NOW
    )
    assert verified.suite.name == vector.suite
    assert verified.method.id == published["proof"]["verificationMethod"]


@pytest.mark.parametrize("vector", params("signed", "json"))
def test_ssi_verify_passes_every_check_but_the_issuer_binding(vector):
    # As for the EdDSA vectors: the issuer is not the signing key's DID.
    report = ssi.verify(vector.json("signed"), now=NOW)

    assert not report.verified
    assert [c.name for c in report.checks if not c.passed] == ["proof"]
    [problem] = report.problems
    assert isinstance(problem.error, InvalidProofPurposeError)


@pytest.mark.parametrize("vector", params("signed", "json"))
def test_our_proof_over_the_vector_differs_only_in_proof_value(vector):
    created = vector.json("proofConfig")["created"]
    ours = add_proof(
        vector.input_document(), signer(), suite=vector.suite, created=created
    )
    published = vector.json("signed")

    assert {k: v for k, v in ours.items() if k != "proof"} == {
        k: v for k, v in published.items() if k != "proof"
    }
    assert list(ours["proof"]) == list(published["proof"])
    without_value = {k: v for k, v in ours["proof"].items() if k != "proofValue"}
    assert without_value == {
        k: v for k, v in published["proof"].items() if k != "proofValue"
    }
    signature = (
        default_registry()
        .get(vector.suite)
        .decode_proof_value(ours["proof"]["proofValue"])
    )
    assert len(signature) == 64  # r || s (IEEE P1363), not DER
    verify_proof(ours, ours["proof"], purpose=AssertionMethodPurpose(), now=NOW)


@pytest.mark.parametrize("vector", params("signed", "json"))
def test_credential_we_issue_with_the_published_key_verifies(vector):
    document = vector.input_document()
    document["issuer"] = signer().key_id.split("#")[0]

    secured = ssi.issue(document, signer(), suite=vector.suite, created=CREATED)
    report = ssi.verify(secured, now=NOW)

    assert report.verified, report.to_json()
    assert [c.detail for c in report.checks if c.name == "proof"] == [
        f"{vector.suite} by {signer().key_id}"
    ]


@pytest.mark.parametrize("vector", params("signed", "json"))
@pytest.mark.parametrize("bit", [0, 255, 256, 511], ids=lambda b: f"bit{b}")
def test_published_signature_with_one_flipped_bit_fails(vector, bit):
    suite = default_registry().get(vector.suite)
    tampered = copy.deepcopy(vector.json("signed"))
    signature = bytearray(bytes.fromhex(vector.text("sigHex")))
    signature[bit // 8] ^= 0x80 >> (bit % 8)
    tampered["proof"]["proofValue"] = suite.encode_proof_value(bytes(signature))

    with pytest.raises(InvalidSignatureError):
        verify_proof(
            tampered, tampered["proof"], purpose=AssertionMethodPurpose(), now=NOW
        )
    report = ssi.verify(tampered, now=NOW)
    assert not report.verified
    assert any(
        isinstance(p.error, InvalidSignatureError)
        and p.code == "CRYPTOGRAPHIC_SECURITY_ERROR"
        for p in report.problems
    )
