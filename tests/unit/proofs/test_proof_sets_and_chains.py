"""Proof sets, proof chains, proof options, and the suite registry.

Proof sets and chains follow Data Integrity 1.0 section 2.1.2: proofs in a set
are independent; a proof naming ``previousProof`` also covers the proofs it
names. ``ssi.verify`` additionally requires every proof's controller to be
the credential's issuer, so a set signed by two parties is only verified
when both keys belong to the issuer's DID document.

Spec: https://www.w3.org/TR/vc-data-integrity/#proof-sets,
https://www.w3.org/TR/vc-data-integrity/#proof-chains,
https://www.w3.org/TR/vc-data-integrity/#cryptographic-suites
"""

from __future__ import annotations

import copy
import hashlib
from datetime import timedelta
from typing import ClassVar

import pytest

import ssi
from ssi.errors import (
    InvalidProofPurposeError,
    InvalidSignatureError,
    MalformedValueError,
    ProofGenerationError,
    ProofVerificationError,
    UnsupportedCryptosuiteError,
    ValidityRangeError,
)
from ssi.keys import KeyType
from ssi.proofs import (
    DEFAULT_SKEW,
    AssertionMethodPurpose,
    SuiteRegistry,
    add_proof,
    default_registry,
    proofs_of,
    verify_proof,
)
from ssi.proofs.suites import EcdsaJcs2019, EddsaJcs2022
from ssi.types import JsonObject
from tests.unit.proofs.doubles import (
    CREATED,
    NOW,
    did_document,
    ed25519_key,
    p256_key,
    static_resolver,
)
from tests.unit.proofs.toy_suite import ToySuite

ALICE = ed25519_key(1)
BOB = ed25519_key(2)
ALICE_P256 = p256_key(3)
ALICE_DID = ssi.did_key(ALICE)
BOB_DID = ssi.did_key(BOB)


def credential(issuer: str = ALICE_DID) -> JsonObject:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:8a3a2a5e-7d0c-4c39-9a43-1c5c1f0e2b11",
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject", "name": "Sam"},
    }


def alice() -> ssi.LocalSigner:
    return ssi.signer(ALICE)


def bob() -> ssi.LocalSigner:
    return ssi.signer(BOB)


def failed_checks(report: ssi.VerificationReport) -> dict[str, type[ssi.SSIError]]:
    return {p.check: type(p.error) for p in report.problems}


# --- Proof sets -----------------------------------------------------------------------


def test_issuer_can_add_a_second_proof_with_another_suite():
    first = ssi.issue(credential(), alice(), created=CREATED)
    both = ssi.issue(first, alice(), suite="eddsa-rdfc-2022", created=CREATED)

    proofs = proofs_of(both)
    assert [p["cryptosuite"] for p in proofs] == ["eddsa-jcs-2022", "eddsa-rdfc-2022"]
    report = ssi.verify(both, now=NOW)
    assert report.verified, report.to_json()
    assert [c.name for c in report.checks if c.name.startswith("proof")] == [
        "proof[0]",
        "proof[1]",
    ]


@pytest.mark.parametrize("keep", [0, 1])
def test_proofs_in_a_set_are_independent(keep):
    first = ssi.issue(credential(), alice(), created=CREATED)
    both = ssi.issue(first, alice(), suite="eddsa-rdfc-2022", created=CREATED)
    single = dict(both, proof=proofs_of(both)[keep])

    assert ssi.verify(single, now=NOW).verified


def test_proof_set_with_two_signers_each_proof_verifies_on_its_own():
    first = ssi.issue(credential(), alice(), created=CREATED)
    both = add_proof(first, bob(), created=CREATED)

    for proof in proofs_of(both):
        verify_proof(both, proof, purpose=AssertionMethodPurpose(), now=NOW)


def test_ssi_verify_skips_a_proof_by_a_key_of_another_did_than_the_issuer():
    # Issue 10: a proof by another DID's key does not concern the issuer's
    # assertion; with the issuer's own proof present it is not verified, and
    # the report says so in a warning (it is not counted as a signature).
    first = ssi.issue(credential(), alice(), created=CREATED)
    both = add_proof(first, bob(), created=CREATED)

    report = ssi.verify(both, now=NOW)

    assert report.verified
    assert [c.name for c in report.checks if c.name.startswith("proof")] == ["proof[0]"]
    [warning] = [w for w in report.warnings if w.code == "proofNotMatched"]
    assert "proof[1]" in warning
    assert BOB_DID in warning


def test_ssi_verify_refuses_a_set_whose_only_purpose_proofs_are_by_another_did():
    # Without a proof by the issuer's key, the other DID's proof is verified
    # and fails with the precise problem: its key is not the issuer's.
    first = ssi.issue(credential(), alice(), created=CREATED)
    both = add_proof(first, bob(), created=CREATED)
    only_bob = dict(both, proof=proofs_of(both)[1])

    report = ssi.verify(only_bob, now=NOW)

    assert not report.verified
    assert failed_checks(report) == {"proof": InvalidProofPurposeError}
    [problem] = report.problems
    assert BOB_DID in problem.detail
    assert ALICE_DID in problem.detail


def test_issue_refuses_to_add_a_proof_by_someone_other_than_the_issuer():
    first = ssi.issue(credential(), alice(), created=CREATED)
    with pytest.raises(ProofGenerationError, match="issuer"):
        ssi.issue(first, bob(), created=CREATED)


def test_proof_set_by_two_keys_of_the_issuer_verifies():
    did = "did:test:issuer"
    document = did_document(
        did,
        {"ed": ALICE, "p256": ALICE_P256},
        assertionMethod=["ed", "p256"],
    )
    resolver = static_resolver(document)
    ed = ssi.signer(ALICE, f"{did}#ed")
    p256 = ssi.signer(ALICE_P256, f"{did}#p256")

    first = ssi.issue(credential(did), ed, created=CREATED)
    both = ssi.issue(first, p256, suite="ecdsa-jcs-2019", created=CREATED)
    report = ssi.verify(both, resolver=resolver, now=NOW)

    assert report.verified, report.to_json()
    assert [c.detail for c in report.checks if c.name.startswith("proof")] == [
        f"eddsa-jcs-2022 by {did}#ed",
        f"ecdsa-jcs-2019 by {did}#p256",
    ]


def test_the_same_proof_twice_is_refused():
    secured = ssi.issue(credential(), alice(), created=CREATED)
    doubled = dict(secured, proof=[secured["proof"], copy.deepcopy(secured["proof"])])

    report = ssi.verify(doubled, now=NOW)

    assert not report.verified
    assert failed_checks(report) == {"proof": MalformedValueError}


def test_a_document_without_proof_is_not_verified():
    report = ssi.verify(credential(), now=NOW)
    assert not report.verified
    assert [p.code for p in report.problems] == ["CRYPTOGRAPHIC_SECURITY_ERROR"]


# --- Proof chains ---------------------------------------------------------------------

FIRST = "urn:uuid:0c9e5d3a-0001-4b7e-8d7e-3f9f3e1a0001"
SECOND = "urn:uuid:0c9e5d3a-0002-4b7e-8d7e-3f9f3e1a0002"
THIRD = "urn:uuid:0c9e5d3a-0003-4b7e-8d7e-3f9f3e1a0003"


def chain() -> JsonObject:
    first = ssi.issue(credential(), alice(), proof_id=FIRST, created=CREATED)
    return ssi.issue(
        first,
        alice(),
        suite="eddsa-rdfc-2022",
        proof_id=SECOND,
        previous_proof=FIRST,
        created=CREATED + timedelta(minutes=1),
    )


def test_chained_proof_names_its_predecessor_and_verifies():
    chained = chain()

    first, second = proofs_of(chained)
    assert (first["id"], second["id"]) == (FIRST, SECOND)
    assert "previousProof" not in first
    assert second["previousProof"] == FIRST
    report = ssi.verify(chained, now=NOW)
    assert report.verified, report.to_json()


def test_removing_the_previous_proof_breaks_the_chained_one():
    chained = chain()
    alone = dict(chained, proof=proofs_of(chained)[1])

    report = ssi.verify(alone, now=NOW)

    assert not report.verified
    assert failed_checks(report) == {"proof": ProofVerificationError}
    assert FIRST in report.problems[0].detail


def test_tampering_with_the_previous_proof_breaks_the_chained_one():
    chained = chain()
    proofs = proofs_of(chained)
    proofs[0] = dict(proofs[0], created="2024-01-02T03:04:06Z")

    report = ssi.verify(dict(chained, proof=proofs), now=NOW)

    assert not report.verified
    assert failed_checks(report) == {
        "proof[0]": InvalidSignatureError,
        "proof[1]": InvalidSignatureError,
    }


def test_replacing_the_previous_proof_with_another_valid_one_breaks_the_chain():
    # The replacement verifies on its own and has the same id; only the
    # chained proof notices that it covered different bytes.
    chained = chain()
    other = ssi.issue(
        credential(), alice(), proof_id=FIRST, created=CREATED + timedelta(seconds=1)
    )
    proofs = [other["proof"], proofs_of(chained)[1]]

    report = ssi.verify(dict(chained, proof=proofs), now=NOW)

    assert failed_checks(report) == {"proof[1]": InvalidSignatureError}


def test_a_proof_can_chain_to_several_previous_proofs():
    chained = chain()
    third = ssi.issue(
        chained,
        alice(),
        proof_id=THIRD,
        previous_proof=[FIRST, SECOND],
        created=CREATED + timedelta(minutes=2),
    )

    assert proofs_of(third)[2]["previousProof"] == [FIRST, SECOND]
    assert ssi.verify(third, now=NOW).verified
    without_first = dict(third, proof=proofs_of(third)[1:])
    assert not ssi.verify(without_first, now=NOW).verified


def test_previous_proof_must_exist_when_the_proof_is_created():
    first = ssi.issue(credential(), alice(), proof_id=FIRST, created=CREATED)
    with pytest.raises(ProofGenerationError, match="previous proof"):
        add_proof(first, alice(), previous_proof=SECOND, created=CREATED)


def test_previous_proof_id_must_be_unique_in_the_set():
    first = ssi.issue(credential(), alice(), proof_id=FIRST, created=CREATED)
    twice = add_proof(first, alice(), suite="eddsa-rdfc-2022", proof_id=FIRST)
    with pytest.raises(ProofGenerationError, match="previous proof"):
        add_proof(twice, alice(), previous_proof=FIRST, created=CREATED)


def test_jcs_chain_signs_the_previous_proofs_as_a_list():
    # Data Integrity 1.0, "Add Proof Set/Chain" step 6 sets the unsecured
    # document's proof to matchingProofs, a list, even for one previousProof;
    # the spec's own chain vector (w3c/vc-di-eddsa TestVectors/proof-set-chain/
    # proofChainTempDoc2.json) signs "proof": [ {...} ] for a single string.
    # RDFC cannot tell a list of one from the object; JCS can.
    first = ssi.issue(credential(), alice(), proof_id=FIRST, created=CREATED)
    chained = ssi.issue(
        first,
        alice(),
        proof_id=SECOND,
        previous_proof=FIRST,
        created=CREATED + timedelta(minutes=1),
    )
    previous, proof = proofs_of(chained)
    unsecured = {k: v for k, v in chained.items() if k != "proof"}
    unsecured["proof"] = [previous]
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    data = _sha256(ssi.canonicalize_jcs(options)) + _sha256(
        ssi.canonicalize_jcs(unsecured)
    )
    signature = EddsaJcs2022().decode_proof_value(proof["proofValue"])

    ALICE.public_key.verify(data, signature)


def test_jcs_chain_made_as_the_spec_says_verifies():
    first = ssi.issue(credential(), alice(), proof_id=FIRST, created=CREATED)
    options: JsonObject = {
        "id": SECOND,
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": "2024-01-02T03:05:05Z",
        "verificationMethod": alice().key_id,
        "proofPurpose": "assertionMethod",
        "previousProof": FIRST,
        "@context": first["@context"],
    }
    unsecured = {k: v for k, v in first.items() if k != "proof"}
    unsecured["proof"] = [first["proof"]]
    data = _sha256(ssi.canonicalize_jcs(options)) + _sha256(
        ssi.canonicalize_jcs(unsecured)
    )
    proof = dict(
        options, proofValue=EddsaJcs2022().encode_proof_value(ALICE.sign(data))
    )
    chained = dict(first, proof=[first["proof"], proof])

    report = ssi.verify(chained, now=NOW)

    assert report.verified, report.to_json()


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


# --- Proof options --------------------------------------------------------------------


def test_proof_id_is_the_first_member_of_the_proof():
    secured = ssi.issue(credential(), alice(), proof_id=FIRST, created=CREATED)
    assert next(iter(secured["proof"])) == "id"
    assert secured["proof"]["id"] == FIRST
    assert ssi.verify(secured, now=NOW).verified


def test_created_is_written_as_given():
    secured = ssi.issue(credential(), alice(), created=CREATED)
    assert secured["proof"]["created"] == "2024-01-02T03:04:05Z"
    text = ssi.issue(credential(), alice(), created="2024-01-02T03:04:05+01:00")
    assert text["proof"]["created"] == "2024-01-02T03:04:05+01:00"


@pytest.mark.parametrize(
    "created",
    [CREATED.replace(tzinfo=None), "2024-01-02", "2024-01-02T03:04:05", "yesterday"],
    ids=["naive-datetime", "date-only", "no-offset", "not-a-date"],
)
def test_malformed_created_is_refused(created):
    with pytest.raises(ProofGenerationError):
        ssi.issue(credential(), alice(), created=created)


def test_expires_in_the_future_is_kept_and_verifies():
    secured = ssi.issue(
        credential(), alice(), created=CREATED, expires=NOW + timedelta(days=1)
    )
    assert secured["proof"]["expires"] == "2024-06-02T00:00:00Z"
    assert ssi.verify(secured, now=NOW).verified


def test_expired_proof_is_a_range_error():
    secured = ssi.issue(
        credential(), alice(), created=CREATED, expires=NOW - timedelta(days=1)
    )
    report = ssi.verify(secured, now=NOW)
    assert not report.verified
    assert failed_checks(report) == {"proof": ValidityRangeError}
    assert [p.code for p in report.problems] == ["RANGE_ERROR"]


def test_proof_created_far_in_the_future_is_a_range_error():
    secured = ssi.issue(credential(), alice(), created=NOW + timedelta(days=365))
    report = ssi.verify(secured, now=NOW)
    assert not report.verified
    assert failed_checks(report) == {"proof": ValidityRangeError}
    assert [p.to_json()["errorCode"] for p in report.problems] == ["RANGE_ERROR"]


@pytest.mark.parametrize(
    ("ahead", "skew", "verified"),
    [
        (timedelta(minutes=4), DEFAULT_SKEW, True),
        (timedelta(minutes=6), DEFAULT_SKEW, False),
        (timedelta(minutes=6), timedelta(minutes=10), True),
        (timedelta(seconds=1), timedelta(0), False),
    ],
    ids=["within-default", "beyond-default", "wider-skew", "no-skew"],
)
def test_skew_is_honoured_for_created(ahead, skew, verified):
    secured = ssi.issue(credential(), alice(), created=NOW + ahead)
    assert ssi.verify(secured, now=NOW, skew=skew).verified is verified


@pytest.mark.parametrize(
    ("behind", "skew", "verified"),
    [
        (timedelta(minutes=4), DEFAULT_SKEW, True),
        (timedelta(minutes=6), DEFAULT_SKEW, False),
        (timedelta(minutes=6), timedelta(minutes=10), True),
    ],
    ids=["within-default", "beyond-default", "wider-skew"],
)
def test_skew_is_honoured_for_expires(behind, skew, verified):
    secured = ssi.issue(credential(), alice(), created=CREATED, expires=NOW - behind)
    assert ssi.verify(secured, now=NOW, skew=skew).verified is verified


def test_nonce_is_in_the_proof_and_covered_by_the_signature():
    secured = ssi.issue(credential(), alice(), created=CREATED, nonce="n-0451")
    assert secured["proof"]["nonce"] == "n-0451"
    assert ssi.verify(secured, now=NOW).verified

    tampered = copy.deepcopy(secured)
    tampered["proof"]["nonce"] = "n-0452"
    report = ssi.verify(tampered, now=NOW)
    assert failed_checks(report) == {"proof": InvalidSignatureError}


# --- Suites and algorithms ------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "suite"),
    [
        (ALICE_P256, "eddsa-jcs-2022"),
        (ALICE_P256, "eddsa-rdfc-2022"),
        (ALICE_P256, "Ed25519Signature2020"),
        (ALICE, "ecdsa-jcs-2019"),
        (ALICE, "ecdsa-rdfc-2019"),
    ],
)
def test_signer_algorithm_must_fit_the_suite(key, suite):
    did = ssi.did_key(key)
    with pytest.raises(ProofGenerationError, match=suite):
        add_proof(credential(did), ssi.signer(key), suite=suite, created=CREATED)
    with pytest.raises(ProofGenerationError):
        ssi.issue(credential(did), ssi.signer(key), suite=suite, created=CREATED)


class _Ed25519UnderAnEcdsaName(EcdsaJcs2019):
    """Signs with Ed25519 while claiming ecdsa-jcs-2019: a forged proof."""

    required_algorithm: ClassVar[str] = "EdDSA"


def test_verifier_refuses_a_key_type_the_suite_does_not_use():
    forged = add_proof(
        credential(), alice(), suite=_Ed25519UnderAnEcdsaName(), created=CREATED
    )
    assert forged["proof"]["cryptosuite"] == "ecdsa-jcs-2019"

    with pytest.raises(ProofVerificationError, match="Ed25519"):
        verify_proof(forged, forged["proof"], purpose=AssertionMethodPurpose(), now=NOW)
    assert not ssi.verify(forged, now=NOW).verified


# --- The registry ---------------------------------------------------------------------


def test_default_registry_names_the_shipped_suites():
    assert default_registry().names == (
        "Ed25519Signature2020",
        "ecdsa-jcs-2019",
        "ecdsa-rdfc-2019",
        "eddsa-jcs-2022",
        "eddsa-rdfc-2022",
    )
    assert "eddsa-jcs-2022" in default_registry()
    assert "bbs-2023" not in default_registry()


def test_unknown_suite_is_refused_when_issuing():
    with pytest.raises(UnsupportedCryptosuiteError):
        default_registry().get("bbs-2023")
    with pytest.raises(UnsupportedCryptosuiteError):
        ssi.issue(credential(), alice(), suite="bbs-2023", created=CREATED)


@pytest.mark.parametrize(
    "proof_change",
    [
        {"cryptosuite": "bbs-2023"},
        {"cryptosuite": None},
        {"type": "eddsa-jcs-2022"},
        {"type": "Ed25519Signature2018"},
        {"type": None},
    ],
    ids=[
        "unknown-cryptosuite",
        "no-cryptosuite",
        "suite-as-type",
        "legacy-type",
        "no-type",
    ],
)
def test_proof_naming_no_registered_suite_is_unsupported(proof_change):
    secured = ssi.issue(credential(), alice(), created=CREATED)
    proof = dict(secured["proof"])
    for member, value in proof_change.items():
        if value is None:
            del proof[member]
        else:
            proof[member] = value

    report = ssi.verify(dict(secured, proof=proof), now=NOW)

    assert not report.verified
    assert [p.to_json()["errorCode"] for p in report.problems] == [
        "unsupportedCryptosuite"
    ]


@pytest.mark.parametrize(
    "suites",
    [["eddsa-jcs-2022"], "eddsa-jcs-2022", SuiteRegistry([EddsaJcs2022()])],
    ids=["names", "one-name", "registry"],
)
def test_allow_list_refuses_other_suites(suites):
    jcs = ssi.issue(credential(), alice(), created=CREATED)
    rdfc = ssi.issue(credential(), alice(), suite="eddsa-rdfc-2022", created=CREATED)

    assert ssi.verify(jcs, suites=suites, now=NOW).verified
    report = ssi.verify(rdfc, suites=suites, now=NOW)
    assert not report.verified
    assert failed_checks(report) == {"proof": UnsupportedCryptosuiteError}
    assert report.problems[0].error.code == "unsupportedCryptosuite"


def test_allow_list_naming_an_unknown_suite_does_not_verify():
    jcs = ssi.issue(credential(), alice(), created=CREATED)
    report = ssi.verify(jcs, suites=["eddsa-jcs-2022", "bbs-2023"], now=NOW)
    assert not report.verified


def test_registry_refuses_a_second_suite_of_the_same_name():
    registry = SuiteRegistry([EddsaJcs2022()])
    with pytest.raises(ValueError, match="already registered"):
        registry.register(EddsaJcs2022())


class _Nameless(EddsaJcs2022):
    name: ClassVar[str] = ""


class _NoAlgorithm(EddsaJcs2022):
    name: ClassVar[str] = "no-algorithm"
    required_algorithm: ClassVar[str] = ""


class _NoKeyTypes(EddsaJcs2022):
    name: ClassVar[str] = "no-key-types"
    key_types: ClassVar[frozenset[KeyType]] = frozenset()


@pytest.mark.parametrize("suite", [_Nameless(), _NoAlgorithm(), _NoKeyTypes()])
def test_registry_refuses_a_suite_that_does_not_declare_its_shape(suite):
    with pytest.raises(ValueError, match="does not declare"):
        SuiteRegistry([suite])


# --- A toy suite through the seam -----------------------------------------------------


def toy_registry() -> SuiteRegistry:
    return SuiteRegistry([ToySuite(), EddsaJcs2022()])


def test_toy_suite_issues_and_verifies_end_to_end():
    registry = toy_registry()
    secured = ssi.issue(
        credential(), alice(), suite="toy-2024", registry=registry, created=CREATED
    )

    assert secured["proof"]["cryptosuite"] == "toy-2024"
    assert secured["proof"]["proofValue"].startswith("u")
    report = ssi.verify(secured, suites=registry, now=NOW)
    assert report.verified, report.to_json()
    assert [c.detail for c in report.checks if c.name == "proof"] == [
        f"toy-2024 by {alice().key_id}"
    ]


def test_toy_suite_proof_is_checked_by_the_toy_suite():
    registry = toy_registry()
    secured = ssi.issue(
        credential(), alice(), suite="toy-2024", registry=registry, created=CREATED
    )
    tampered = copy.deepcopy(secured)
    tampered["credentialSubject"]["name"] = "Mallory"

    report = ssi.verify(tampered, suites=registry, now=NOW)
    assert failed_checks(report) == {"proof": InvalidSignatureError}


def test_toy_suite_proof_is_unsupported_by_the_default_registry():
    secured = ssi.issue(
        credential(),
        alice(),
        suite="toy-2024",
        registry=toy_registry(),
        created=CREATED,
    )
    report = ssi.verify(secured, now=NOW)
    assert failed_checks(report) == {"proof": UnsupportedCryptosuiteError}


def test_toy_suite_refuses_a_p256_signer():
    did = ssi.did_key(ALICE_P256)
    with pytest.raises(ProofGenerationError, match="toy-2024"):
        ssi.issue(
            credential(did),
            ssi.signer(ALICE_P256),
            suite="toy-2024",
            registry=toy_registry(),
            created=CREATED,
        )
