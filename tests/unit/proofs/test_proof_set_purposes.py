"""Proof sets with several purposes: only the proofs that concern the check
are verified (issue 10, ``ProofPurpose.match``).

Spec: https://www.w3.org/TR/vc-data-integrity/#proof-purposes,
https://www.w3.org/TR/vc-data-integrity/#proof-sets
"""

from __future__ import annotations

import ssi
from ssi.errors import InvalidProofPurposeError, ProofVerificationError
from ssi.proofs import (
    AssertionMethodPurpose,
    AuthenticationPurpose,
    add_proof,
    proofs_of,
)
from ssi.types import JsonObject
from tests.unit.proofs.doubles import CREATED, NOW, ed25519_key

AUTHOR = ed25519_key(11)
WITNESS = ed25519_key(12)
AUTHOR_DID = ssi.did_key(AUTHOR)
WITNESS_DID = ssi.did_key(WITNESS)


def post() -> JsonObject:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": AUTHOR_DID,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": AUTHOR_DID, "name": "hello"},
    }


def witnessed() -> JsonObject:
    """A post signed by its author, plus a witness's proof of another purpose."""
    signed = ssi.issue(post(), ssi.signer(AUTHOR), created=CREATED)
    return add_proof(
        signed,
        ssi.signer(WITNESS),
        purpose=AuthenticationPurpose(challenge="hub-receipt"),
        created=CREATED,
    )


def test_match_is_by_purpose_and_by_the_controller_s_did():
    purpose = AssertionMethodPurpose()
    author_proof, witness_proof = proofs_of(witnessed())

    assert purpose.match(author_proof)
    assert purpose.match(author_proof, controller=AUTHOR_DID)
    assert not purpose.match(author_proof, controller=WITNESS_DID)
    assert not purpose.match(witness_proof)
    assert AuthenticationPurpose().match(witness_proof, controller=WITNESS_DID)
    assert not purpose.match({"verificationMethod": author_proof["verificationMethod"]})


def test_author_proof_plus_a_proof_of_another_purpose_by_another_key_verifies():
    report = ssi.verify(witnessed(), now=NOW)

    assert report.verified, report.to_json()
    assert [c.name for c in report.checks if c.name.startswith("proof")] == ["proof[0]"]
    [warning] = [w for w in report.warnings if w.code == "proofNotMatched"]
    assert "proof[1]" in warning
    assert "'authentication'" in warning


def test_a_set_with_only_non_matching_proofs_fails_with_a_purpose_problem():
    document = witnessed()
    _, witness_proof = proofs_of(document)
    other = add_proof(
        dict(document, proof=witness_proof),
        ssi.signer(AUTHOR),
        purpose=AuthenticationPurpose(challenge="again"),
        created=CREATED,
    )

    report = ssi.verify(other, now=NOW)

    assert not report.verified
    [problem] = report.problems
    assert problem.check == "proof"
    assert isinstance(problem.error, InvalidProofPurposeError)
    assert "none of the 2 proofs has the purpose 'assertionMethod'" in problem.detail


def test_a_lone_proof_of_another_purpose_names_the_purpose():
    document = witnessed()
    report = ssi.verify(dict(document, proof=proofs_of(document)[1]), now=NOW)

    [problem] = report.problems
    assert isinstance(problem.error, InvalidProofPurposeError)
    assert "'authentication'" in problem.detail
    assert "expected 'assertionMethod'" in problem.detail


def test_a_non_matching_proof_is_not_verified_even_if_broken():
    # Documented (docs/credentials.md): proofs that do not concern the check
    # are not verified, so a bad signature or garbage in one cannot fail it.
    document = witnessed()
    author_proof, witness_proof = proofs_of(document)
    broken = dict(witness_proof, proofValue="z1111", created="not a date")
    report = ssi.verify(dict(document, proof=[author_proof, broken]), now=NOW)

    assert report.verified, report.to_json()


def test_every_matching_proof_must_verify():
    document = witnessed()
    author_proof, witness_proof = proofs_of(document)
    second = ssi.issue(
        dict(document, proof=author_proof),
        ssi.signer(AUTHOR),
        suite="eddsa-rdfc-2022",
        created=CREATED,
    )
    first, rdfc = proofs_of(second)
    tampered = dict(rdfc, proofValue=first["proofValue"][:-4] + "aaaa")
    report = ssi.verify(dict(second, proof=[first, tampered, witness_proof]), now=NOW)

    assert not report.verified
    assert [p.check for p in report.problems] == ["proof[1]"]
    assert isinstance(report.problems[0].error, ProofVerificationError)


def test_a_presentation_skips_the_holder_s_proof_of_another_purpose():
    vc = ssi.issue(post(), ssi.signer(AUTHOR), created=CREATED)
    vp = ssi.present(
        [vc], ssi.signer(AUTHOR), challenge="c1", domain="d1", created=CREATED
    )
    extra = add_proof(vp, ssi.signer(AUTHOR), created=CREATED)

    report = ssi.verify_presentation(extra, challenge="c1", domain="d1", now=NOW)

    assert report.verified, report.to_json()
    assert any(w.code == "proofNotMatched" for w in report.warnings)
