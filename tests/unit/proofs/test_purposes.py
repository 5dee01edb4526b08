"""Proof purposes: the relationship a key must be listed under, challenge, domain.

Credentials are verified for ``assertionMethod`` and presentations for
``authentication``; the key must be listed under that relationship in its
controller's DID document. For presentations the verifier's ``challenge`` and
``domain`` must equal the proof's (a domain set compares as a set).

Spec: https://www.w3.org/TR/vc-data-integrity/#proof-purposes,
https://www.w3.org/TR/vc-data-integrity/#verify-proof,
https://www.w3.org/TR/did-core/#verification-relationships
"""

from __future__ import annotations

import copy

import pytest

import ssi
from ssi.errors import (
    DIDNotFoundError,
    InvalidChallengeError,
    InvalidDomainError,
    InvalidProofPurposeError,
    InvalidSignatureError,
    InvalidVerificationMethodURLError,
    MethodNotSupportedError,
)
from ssi.proofs import (
    AssertionMethodPurpose,
    AuthenticationPurpose,
    add_proof,
    purpose_for,
    verify_proof,
)
from ssi.types import JsonObject
from tests.unit.proofs.doubles import (
    CREATED,
    NOW,
    did_document,
    ed25519_key,
    static_resolver,
)

KEY = ed25519_key(11)
OTHER = ed25519_key(12)
HOLDER = "did:test:holder"


def credential(issuer: str) -> JsonObject:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject", "name": "Sam"},
    }


def problems(report: ssi.VerificationReport) -> dict[str, type[ssi.SSIError]]:
    return {p.check: type(p.error) for p in report.problems}


# --- The purpose objects --------------------------------------------------------------


def test_assertion_method_purpose_sets_only_the_term():
    proof: JsonObject = {}
    AssertionMethodPurpose().update(proof)
    assert proof == {"proofPurpose": "assertionMethod"}


def test_authentication_purpose_sets_challenge_and_domain():
    proof: JsonObject = {}
    AuthenticationPurpose(challenge="c-1", domain="verifier.example").update(proof)
    assert proof == {
        "proofPurpose": "authentication",
        "domain": "verifier.example",
        "challenge": "c-1",
    }


def test_authentication_purpose_writes_a_domain_set_as_a_list():
    proof: JsonObject = {}
    AuthenticationPurpose(domain=("a.example", "b.example")).update(proof)
    assert proof == {
        "proofPurpose": "authentication",
        "domain": ["a.example", "b.example"],
    }


@pytest.mark.parametrize("term", ["assertionMethod", "authentication"])
def test_purpose_for_known_terms(term):
    assert purpose_for(term).term == term


@pytest.mark.parametrize("term", ["capabilityInvocation", "keyAgreement", ""])
def test_purpose_for_other_terms_is_a_usage_error(term):
    with pytest.raises(ValueError, match="not supported"):
        purpose_for(term)


# --- assertionMethod versus authentication, with did:key ------------------------------


def test_issued_credential_proof_is_for_assertion_method():
    did = ssi.did_key(KEY)
    secured = ssi.issue(credential(did), ssi.signer(KEY), created=CREATED)
    assert secured["proof"]["proofPurpose"] == "assertionMethod"
    assert ssi.verify(secured, now=NOW).verified


def test_credential_signed_for_authentication_is_refused():
    did = ssi.did_key(KEY)
    secured = ssi.issue(
        credential(did),
        ssi.signer(KEY),
        proof_purpose="authentication",
        created=CREATED,
    )

    report = ssi.verify(secured, now=NOW)

    assert not report.verified
    assert problems(report) == {"proof": InvalidProofPurposeError}
    assert "assertionMethod" in report.problems[0].detail


def test_issue_with_an_unknown_purpose_is_a_usage_error():
    did = ssi.did_key(KEY)
    with pytest.raises(ValueError, match="not supported"):
        ssi.issue(credential(did), ssi.signer(KEY), proof_purpose="keyAgreement")


def test_presentation_signed_for_assertion_method_is_refused():
    did = ssi.did_key(KEY)
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": did,
    }
    secured = add_proof(presentation, ssi.signer(KEY), created=CREATED)

    report = ssi.verify_presentation(secured, challenge=False, domain=False, now=NOW)

    assert not report.verified
    assert problems(report) == {"proof": InvalidProofPurposeError}


def test_verify_proof_with_the_other_purpose_raises():
    did = ssi.did_key(KEY)
    secured = ssi.issue(credential(did), ssi.signer(KEY), created=CREATED)
    with pytest.raises(InvalidProofPurposeError):
        verify_proof(
            secured, secured["proof"], purpose=AuthenticationPurpose(), now=NOW
        )


# --- Which relationships list the key: a static DID method ----------------------------


def holder_document(**relationships: list[str]) -> JsonObject:
    return did_document(HOLDER, {"key-1": KEY}, **relationships)


def holder_signer() -> ssi.LocalSigner:
    return ssi.signer(KEY, f"{HOLDER}#key-1")


def test_key_listed_only_under_authentication_cannot_issue_credentials():
    resolver = static_resolver(holder_document(authentication=["key-1"]))
    secured = ssi.issue(credential(HOLDER), holder_signer(), created=CREATED)

    report = ssi.verify(secured, resolver=resolver, now=NOW)

    assert not report.verified
    assert problems(report) == {"proof": InvalidProofPurposeError}
    detail = report.problems[0].detail
    assert f"{HOLDER}#key-1" in detail
    assert "assertionMethod" in detail


def test_key_listed_only_under_authentication_can_sign_presentations():
    resolver = static_resolver(holder_document(authentication=["key-1"]))
    vp = ssi.present([], holder_signer(), challenge="c-1", created=CREATED)

    report = ssi.verify_presentation(
        vp, challenge="c-1", domain=False, resolver=resolver, now=NOW
    )

    assert report.verified, report.to_json()


def test_key_listed_only_under_assertion_method_cannot_sign_presentations():
    resolver = static_resolver(holder_document(assertionMethod=["key-1"]))
    vp = ssi.present([], holder_signer(), challenge="c-1", created=CREATED)

    report = ssi.verify_presentation(
        vp, challenge="c-1", domain=False, resolver=resolver, now=NOW
    )

    assert not report.verified
    assert problems(report) == {"proof": InvalidProofPurposeError}
    assert "authentication" in report.problems[0].detail


def test_key_listed_under_both_serves_both():
    resolver = static_resolver(
        holder_document(assertionMethod=["key-1"], authentication=["key-1"])
    )
    secured = ssi.issue(credential(HOLDER), holder_signer(), created=CREATED)
    vp = ssi.present([secured], holder_signer(), challenge="c-1", created=CREATED)

    report = ssi.verify_presentation(
        vp, challenge="c-1", domain=False, resolver=resolver, now=NOW
    )

    assert report.verified, report.to_json()
    assert [r.verified for r in report.credentials] == [True]


def test_key_listed_under_no_relationship_is_refused():
    resolver = static_resolver(holder_document())
    secured = ssi.issue(credential(HOLDER), holder_signer(), created=CREATED)

    report = ssi.verify(secured, resolver=resolver, now=NOW)

    assert problems(report) == {"proof": InvalidProofPurposeError}


def test_embedded_method_under_assertion_method_is_accepted():
    document = holder_document()
    document["assertionMethod"] = document.pop("verificationMethod")
    resolver = static_resolver(document)
    secured = ssi.issue(credential(HOLDER), holder_signer(), created=CREATED)

    assert ssi.verify(secured, resolver=resolver, now=NOW).verified


def test_method_missing_from_the_document_is_an_invalid_verification_method_url():
    resolver = static_resolver(holder_document(assertionMethod=["key-1"]))
    signer = ssi.signer(KEY, f"{HOLDER}#key-2")
    secured = ssi.issue(credential(HOLDER), signer, created=CREATED)

    report = ssi.verify(secured, resolver=resolver, now=NOW)

    assert problems(report) == {"proof": InvalidVerificationMethodURLError}
    assert report.problems[0].error.code == "INVALID_VERIFICATION_METHOD_URL"


@pytest.mark.parametrize(
    ("did", "error", "code"),
    [
        ("did:test:nobody", DIDNotFoundError, "notFound"),
        ("did:other:nobody", MethodNotSupportedError, "methodNotSupported"),
    ],
    ids=["unknown-did", "unknown-method"],
)
def test_resolution_failure_is_reported_with_the_resolver_s_error(did, error, code):
    resolver = static_resolver(holder_document(assertionMethod=["key-1"]))
    signer = ssi.signer(KEY, f"{did}#key-1")
    secured = ssi.issue(credential(did), signer, created=CREATED)

    report = ssi.verify(secured, resolver=resolver, now=NOW)

    assert problems(report) == {"proof": error}
    assert report.problems[0].to_json()["errorCode"] == code


def test_method_with_the_wrong_public_key_fails_the_signature():
    document = did_document(HOLDER, {"key-1": OTHER}, assertionMethod=["key-1"])
    secured = ssi.issue(credential(HOLDER), holder_signer(), created=CREATED)

    report = ssi.verify(secured, resolver=static_resolver(document), now=NOW)

    assert problems(report) == {"proof": InvalidSignatureError}


def test_method_claiming_a_controller_that_does_not_list_it_is_refused():
    # did:test:holder says its key is controlled by did:test:other, whose
    # document does not list the key: the binding fails (CID 1.0 section 3.3).
    other = did_document("did:test:other", {"key-9": OTHER}, assertionMethod=["key-9"])
    document = holder_document(assertionMethod=["key-1"])
    document["verificationMethod"][0]["controller"] = "did:test:other"
    resolver = static_resolver(document, other)
    secured = ssi.issue(credential(HOLDER), holder_signer(), created=CREATED)

    report = ssi.verify(secured, resolver=resolver, now=NOW)

    assert not report.verified
    assert problems(report) == {"proof": InvalidProofPurposeError}


# --- Challenge and domain -------------------------------------------------------------


@pytest.fixture(scope="module")
def vp() -> JsonObject:
    did = ssi.did_key(KEY)
    held = credential(did)
    held["credentialSubject"]["id"] = did  # the holder is the subject
    issued = ssi.issue(held, ssi.signer(KEY), created=CREATED)
    return ssi.present(
        [issued],
        ssi.signer(KEY),
        challenge="c-1",
        domain="verifier.example",
        created=CREATED,
    )


def test_presentation_proof_carries_challenge_and_domain(vp):
    proof = vp["proof"]
    assert proof["proofPurpose"] == "authentication"
    assert (proof["challenge"], proof["domain"]) == ("c-1", "verifier.example")


def test_matching_challenge_and_domain_verify(vp):
    report = ssi.verify_presentation(
        vp, challenge="c-1", domain="verifier.example", now=NOW
    )
    assert report.verified, report.to_json()
    assert report.warnings == ()


def test_no_expected_challenge_verifies_with_a_warning(vp):
    report = ssi.verify_presentation(
        vp, challenge=False, domain="verifier.example", now=NOW
    )
    assert report.verified
    [warning] = report.warnings
    assert warning.startswith("challengeNotChecked: ")
    assert "'c-1'" in warning  # the challenge the proof carries is recorded


@pytest.mark.parametrize(
    ("challenge", "domain", "error", "code"),
    [
        ("c-2", "verifier.example", InvalidChallengeError, "INVALID_CHALLENGE_ERROR"),
        ("C-1", "verifier.example", InvalidChallengeError, "INVALID_CHALLENGE_ERROR"),
        ("c-1", "evil.example", InvalidDomainError, "INVALID_DOMAIN_ERROR"),
        ("c-1", "verifier.example.", InvalidDomainError, "INVALID_DOMAIN_ERROR"),
    ],
    ids=["other-challenge", "challenge-case", "other-domain", "domain-trailing-dot"],
)
def test_mismatched_challenge_or_domain_is_refused(vp, challenge, domain, error, code):
    report = ssi.verify_presentation(vp, challenge=challenge, domain=domain, now=NOW)

    assert not report.verified
    assert problems(report) == {"proof": error}
    assert report.problems[0].to_json()["errorCode"] == code


def test_missing_challenge_is_refused_when_one_is_expected():
    did = ssi.did_key(KEY)
    vp = ssi.present([], ssi.signer(KEY), created=CREATED)
    assert "challenge" not in vp["proof"]

    report = ssi.verify_presentation(vp, challenge="c-1", domain=False, now=NOW)

    assert problems(report) == {"proof": InvalidChallengeError}
    assert vp["holder"] == did


def test_missing_domain_is_refused_when_one_is_expected():
    vp = ssi.present([], ssi.signer(KEY), challenge="c-1", created=CREATED)
    assert "domain" not in vp["proof"]

    report = ssi.verify_presentation(
        vp, challenge="c-1", domain="verifier.example", now=NOW
    )

    assert problems(report) == {"proof": InvalidDomainError}


def test_challenge_is_covered_by_the_signature(vp):
    # Rewriting the challenge to replay the presentation breaks the signature.
    replayed = copy.deepcopy(vp)
    replayed["proof"]["challenge"] = "c-2"

    report = ssi.verify_presentation(
        replayed, challenge="c-2", domain="verifier.example", now=NOW
    )

    assert problems(report) == {"proof": InvalidSignatureError}


def test_domain_is_covered_by_the_signature(vp):
    replayed = copy.deepcopy(vp)
    replayed["proof"]["domain"] = "evil.example"

    report = ssi.verify_presentation(
        replayed, challenge="c-1", domain="evil.example", now=NOW
    )

    assert problems(report) == {"proof": InvalidSignatureError}


# --- Domain as a set of strings -------------------------------------------------------


def signed_for_domains(domain: str | list[str]) -> JsonObject:
    did = ssi.did_key(KEY)
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": did,
    }
    return add_proof(
        presentation,
        ssi.signer(KEY),
        purpose=AuthenticationPurpose(challenge="c-1", domain=domain),
        created=CREATED,
    )


@pytest.mark.parametrize(
    ("signed", "expected"),
    [
        (["a.example", "b.example"], ["a.example", "b.example"]),
        (["a.example", "b.example"], ["b.example", "a.example"]),
        (["a.example", "b.example"], ("b.example", "a.example")),
        ("a.example", ["a.example"]),
        (["a.example"], "a.example"),
    ],
    ids=[
        "same-order",
        "other-order",
        "tuple",
        "string-vs-one-item",
        "one-item-vs-string",
    ],
)
def test_domain_sets_match_as_sets(signed, expected):
    secured = signed_for_domains(signed)
    purpose = AuthenticationPurpose(challenge="c-1", domain=expected)
    verify_proof(secured, secured["proof"], purpose=purpose, now=NOW)


@pytest.mark.parametrize(
    ("signed", "expected"),
    [
        (["a.example", "b.example"], "a.example"),
        (["a.example", "b.example"], ["a.example"]),
        (["a.example"], ["a.example", "b.example"]),
        ("a.example", ["b.example"]),
    ],
    ids=["subset-string", "subset-list", "superset", "disjoint"],
)
def test_domain_sets_that_differ_are_refused(signed, expected):
    secured = signed_for_domains(signed)
    purpose = AuthenticationPurpose(challenge="c-1", domain=expected)
    with pytest.raises(InvalidDomainError):
        verify_proof(secured, secured["proof"], purpose=purpose, now=NOW)


def test_domain_list_round_trips_through_the_proof():
    secured = signed_for_domains(["a.example", "b.example"])
    assert secured["proof"]["domain"] == ["a.example", "b.example"]
    report = ssi.verify_presentation(secured, challenge="c-1", domain=False, now=NOW)
    assert report.verified, report.to_json()
    [warning] = report.warnings
    assert warning.startswith("domainNotChecked: ")
    assert "a.example" in warning
    assert "b.example" in warning


# --- The verifier states what it expects: a value, or False on purpose -----------


def test_verify_presentation_requires_both_choices(vp):
    # Leaving out the domain used to accept a proof made for any verifier.
    with pytest.raises(TypeError, match="domain"):
        ssi.verify_presentation(vp, challenge="c-1", now=NOW)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="challenge"):
        ssi.verify_presentation(vp, domain="verifier.example", now=NOW)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("challenge", "domain", "error", "named"),
    [
        (None, "verifier.example", TypeError, "challenge=False"),
        ("c-1", None, TypeError, "domain=False"),
        ("", "verifier.example", ValueError, "challenge"),
        ("c-1", "", ValueError, "domain"),
        (True, "verifier.example", TypeError, "challenge"),
        ("c-1", 0, TypeError, "domain"),
        ("c-1", ["verifier.example"], TypeError, "domain"),
    ],
    ids=["none-challenge", "none-domain", "empty-challenge", "empty-domain",
         "true-challenge", "zero-domain", "list-domain"],
)  # fmt: skip
def test_verify_presentation_refuses_a_value_that_is_no_choice(
    vp, challenge, domain, error, named
):
    with pytest.raises(error, match=named):
        ssi.verify_presentation(vp, challenge=challenge, domain=domain, now=NOW)


def test_no_checked_domain_is_a_warning_that_records_the_proof_s_domain(vp):
    report = ssi.verify_presentation(vp, challenge="c-1", domain=False, now=NOW)

    assert report.verified, report.to_json()
    [warning] = report.warnings
    assert isinstance(warning, ssi.credentials.ReportWarning)
    assert warning.code == "domainNotChecked"
    assert "'verifier.example'" in warning
    assert report.to_json()["warnings"] == [str(warning)]


def test_skipping_both_checks_gives_two_warnings_with_codes():
    vp = ssi.present([], ssi.signer(KEY), created=CREATED)

    report = ssi.verify_presentation(vp, challenge=False, domain=False, now=NOW)

    assert report.verified, report.to_json()
    assert [w.code for w in report.warnings] == [
        "challengeNotChecked",
        "domainNotChecked",
    ]
    assert "carries no challenge" in report.warnings[0]
    assert "carries no domain" in report.warnings[1]


def test_a_checked_challenge_and_domain_give_no_warning(vp):
    report = ssi.verify_presentation(
        vp, challenge="c-1", domain="verifier.example", now=NOW
    )
    assert report.warnings == ()


def test_report_warnings_survive_pickling(vp):
    import pickle

    report = ssi.verify_presentation(vp, challenge=False, domain=False, now=NOW)
    copied = pickle.loads(pickle.dumps(report))  # noqa: S301  (our own bytes)

    assert copied == report
    assert [w.code for w in copied.warnings] == [w.code for w in report.warnings]


@pytest.mark.parametrize(
    "options",
    [{"challenge": ""}, {"domain": ""}, {"domain": []}, {"domain": ["a", ""]}],
    ids=["empty-challenge", "empty-domain", "empty-domain-set", "empty-domain-item"],
)
def test_present_refuses_empty_challenge_or_domain(options):
    with pytest.raises(ValueError, match="empty"):
        ssi.present([], ssi.signer(KEY), created=CREATED, **options)
    with pytest.raises(ValueError, match="empty"):
        AuthenticationPurpose(**options)


def test_authentication_purpose_refuses_a_challenge_that_is_not_a_string():
    with pytest.raises(TypeError, match="challenge"):
        AuthenticationPurpose(challenge=42)  # type: ignore[arg-type]


def test_a_long_challenge_is_cut_short_in_the_warning():
    vp = ssi.present([], ssi.signer(KEY), challenge="c" * 500, created=CREATED)

    report = ssi.verify_presentation(vp, challenge=False, domain=False, now=NOW)

    assert report.verified
    assert "c" * 500 not in report.warnings[0]
    assert "c" * 57 + "..." in report.warnings[0]
