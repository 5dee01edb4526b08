"""The EdDSA test vectors of Data Integrity EdDSA Cryptosuites v1.0, stage by stage.

From the spec's key pair and unsigned credential, with ``created`` taken from
the published proof configuration, every intermediate value the spec
publishes is recomputed and compared with its file: canonical document,
document hash, proof configuration, canonical proof configuration, proof
configuration hash, combined hash, signature, ``proofValue`` and the whole
signed document. Then the published signed documents are verified.

Spec: https://www.w3.org/TR/vc-di-eddsa/#test-vectors
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
from ssi.proofs.suites import ED25519_2020_CONTEXT
from ssi.types import JsonObject
from tests.unit.proofs.doubles import NOW
from tests.vectors import load

SPEC = "vc-di-eddsa"


@dataclass(frozen=True)
class Vector:
    """One section of Appendix B: its folder, file suffix and input credential."""

    suite: str
    folder: tuple[str, ...]
    suffix: str
    unsigned: str
    extra_context: str | None = None

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
        """The unsigned credential, with the suite's context where B.4 adds it."""
        document: JsonObject = load.json_file(SPEC, self.unsigned)
        if self.extra_context is not None:
            document["@context"] = [*document["@context"], self.extra_context]
        return document


VECTORS = [
    Vector("eddsa-rdfc-2022", ("eddsa-rdfc-2022",), "DataInt", "unsigned.json"),
    Vector(
        "eddsa-rdfc-2022",
        ("eddsa-rdfc-2022", "employ"),
        "DataInt",
        "employmentAuth.json",
    ),
    Vector("eddsa-jcs-2022", ("eddsa-jcs-2022",), "JCS", "unsigned.json"),
    Vector(
        "Ed25519Signature2020",
        ("Ed25519Signature2020",),
        "EdSig",
        "unsigned.json",
        extra_context=ED25519_2020_CONTEXT,
    ),
]


def params(stage: str, extension: str = "txt") -> list[object]:
    """One case per vector, with the published file of ``stage`` as the id."""
    return [pytest.param(v, id=v.id(stage, extension)) for v in VECTORS]


def signer() -> LocalSigner:
    key = ssi.import_key(load.json_file(SPEC, "keyPair.json")["privateKeyMultibase"])
    assert isinstance(key, ssi.KeyPair)
    return ssi.signer(key)


@dataclass(frozen=True)
class Stages:
    """Every value our code computes on the way to the proof."""

    canonical_document: bytes
    document_hash: bytes
    proof_config: JsonObject
    canonical_proof_config: bytes
    proof_config_hash: bytes
    signature: bytes
    proof_value: str


@functools.cache
def stages(vector: Vector) -> Stages:
    """Run the spec's algorithms once per vector (RDFC costs milliseconds)."""
    suite = default_registry().get(vector.suite)
    document = vector.input_document()
    created = vector.json("proofConfig")["created"]
    canonical_document = suite.canonicalize(document, loader=None)
    document_hash = suite.hash(canonical_document)
    # Proof configuration: the proof options, with the document's @context
    # (vc-di-eddsa sections 3.2.5, 3.3.5 and B.4).
    config: JsonObject = {"type": suite.proof_type}
    if suite.cryptosuite is not None:
        config["cryptosuite"] = suite.cryptosuite
    config["created"] = created
    config["verificationMethod"] = signer().key_id
    config["proofPurpose"] = "assertionMethod"
    config["@context"] = document["@context"]
    canonical_config = suite.canonicalize(config, loader=None)
    config_hash = suite.hash(canonical_config)
    signature = signer().sign(config_hash + document_hash)
    return Stages(
        canonical_document=canonical_document,
        document_hash=document_hash,
        proof_config=config,
        canonical_proof_config=canonical_config,
        proof_config_hash=config_hash,
        signature=signature,
        proof_value=suite.encode_proof_value(signature),
    )


def test_key_pair_is_the_did_key_of_the_published_verification_method():
    key_pair = load.json_file(SPEC, "keyPair.json")
    key = signer()
    assert key.algorithm == "EdDSA"
    expected = key_pair["publicKeyMultibase"]
    assert key.key_id == f"did:key:{expected}#{expected}"


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


@pytest.mark.parametrize("vector", params("sigHex"))
def test_signature(vector):
    assert stages(vector).signature.hex() == vector.text("sigHex")


@pytest.mark.parametrize("vector", params("sigBTC58"))
def test_proof_value(vector):
    assert stages(vector).proof_value == vector.text("sigBTC58")


@pytest.mark.parametrize("vector", params("signed", "json"))
def test_signed_document_from_the_proof_engine(vector):
    # ``add_proof`` rather than ``ssi.issue``: the vectors' issuer is not the
    # signing key's DID, and ``issue`` refuses that (see the test below).
    created = vector.json("proofConfig")["created"]
    ours = add_proof(
        vector.input_document(), signer(), suite=vector.suite, created=created
    )
    published = vector.json("signed")
    assert ours == published
    assert list(ours["proof"]) == list(published["proof"])


@pytest.mark.parametrize("vector", params("signed", "json"))
def test_issue_refuses_the_vector_because_the_signer_is_not_the_issuer(vector):
    with pytest.raises(ssi.ProofGenerationError, match="issuer"):
        ssi.issue(vector.input_document(), signer(), suite=vector.suite)


@pytest.mark.parametrize("vector", params("signed", "json"))
def test_published_signed_document_verifies(vector):
    published = vector.json("signed")
    verified = verify_proof(
        published, published["proof"], purpose=AssertionMethodPurpose(), now=NOW
    )
    assert verified.suite.name == vector.suite
    assert verified.method.id == published["proof"]["verificationMethod"]


@pytest.mark.parametrize("vector", params("signed", "json"))
def test_ssi_verify_passes_every_check_but_the_issuer_binding(vector):
    # The vectors are signed by did:key:z6Mkr..., while their issuer is
    # https://vc.example/issuers/5678 (or, for employ/, a P-256 did:key).
    # ``ssi.verify`` requires the proof's controller to be the issuer, so the
    # signature verifies and the proof check still fails on that binding alone.
    published = vector.json("signed")
    report = ssi.verify(published, now=NOW)

    assert not report.verified
    assert [c.name for c in report.checks if not c.passed] == ["proof"]
    [problem] = report.problems
    assert isinstance(problem.error, InvalidProofPurposeError)
    issuer = published["issuer"]
    issuer_id = issuer["id"] if isinstance(issuer, dict) else issuer
    assert issuer_id in problem.detail


@pytest.mark.parametrize("vector", params("signed", "json"))
def test_ssi_verify_verifies_the_vector_reissued_by_the_key_s_did(vector):
    document = vector.input_document()
    document["issuer"] = signer().key_id.split("#")[0]
    created = vector.json("proofConfig")["created"]
    secured = ssi.issue(document, signer(), suite=vector.suite, created=created)

    report = ssi.verify(secured, now=NOW)

    assert report.verified, report.to_json()
    assert secured["proof"] == {
        **vector.json("signed")["proof"],
        "proofValue": secured["proof"]["proofValue"],
    }


@pytest.mark.parametrize("vector", params("signed", "json"))
def test_published_signed_document_with_another_subject_fails(vector):
    tampered = copy.deepcopy(vector.json("signed"))
    tampered["credentialSubject"][
        "familyName" if "employ" in vector.folder else "id"
    ] = "did:example:mallory"
    with pytest.raises(InvalidSignatureError):
        verify_proof(
            tampered, tampered["proof"], purpose=AssertionMethodPurpose(), now=NOW
        )
