"""``ssi.issue``, ``ssi.present``, ``ssi.verify`` and ``ssi.verify_presentation``.

Issuing validates the data model and the signer; verifying always answers
with a report whose ``verified`` is false unless every check ran and passed.

Spec: https://www.w3.org/TR/vc-data-model-2.0/#verification,
https://www.w3.org/TR/vc-data-model-2.0/#problem-details,
https://www.w3.org/TR/vc-data-integrity/#add-proof
"""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest

import ssi
from ssi.credentials import DATA_INTEGRITY_CONTEXT, VC_V1_CONTEXT, VC_V2_CONTEXT
from ssi.errors import (
    InvalidSignatureError,
    MalformedValueError,
    ParsingError,
    ProofGenerationError,
    StatusRetrievalError,
    UnsupportedAlgorithmError,
    ValidityRangeError,
    VerificationFailedError,
)
from ssi.keys import KeyPair, KeyType, Secp256k1KeyPair
from ssi.proofs import AuthenticationPurpose, add_proof, default_registry
from ssi.proofs.suites import ED25519_2020_CONTEXT
from ssi.types import JsonObject
from tests.unit.proofs.doubles import CREATED, NOW, ed25519_key, p256_key

ISSUER_KEY = ed25519_key(21)
HOLDER_KEY = ed25519_key(22)
P256_KEY = p256_key(23)
ISSUER = ssi.did_key(ISSUER_KEY)
HOLDER = ssi.did_key(HOLDER_KEY)
DOMAIN = "verifier.example"

SUITES_BY_KEY: dict[KeyType, tuple[str, ...]] = {
    KeyType.ED25519: ("eddsa-jcs-2022", "eddsa-rdfc-2022", "Ed25519Signature2020"),
    KeyType.P256: ("ecdsa-jcs-2019", "ecdsa-rdfc-2019"),
}
ALL_SUITES = sorted(default_registry().names)


def vc2(issuer: str = ISSUER, **extra: object) -> JsonObject:
    return {
        "@context": [VC_V2_CONTEXT],
        "id": "urn:uuid:3f3b8e9e-1d7c-4b3a-9a57-6f0d9c2b1a10",
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": HOLDER, "name": "Sam"},
        **extra,
    }


def vc11(issuer: str = ISSUER) -> JsonObject:
    return {
        "@context": [VC_V1_CONTEXT],
        "id": "urn:uuid:3f3b8e9e-1d7c-4b3a-9a57-6f0d9c2b1a11",
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "issuanceDate": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": HOLDER},
    }


def issuer() -> ssi.LocalSigner:
    return ssi.signer(ISSUER_KEY)


def holder() -> ssi.LocalSigner:
    return ssi.signer(HOLDER_KEY)


def issued(**extra: object) -> JsonObject:
    return ssi.issue(vc2(**extra), issuer(), created=CREATED)


# --- issue: what it refuses -----------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"credentialSubject": None}, "credentialSubject"),
        ({"issuer": "not a url"}, "issuer"),
        ({"type": ["Diploma"]}, "type"),
        ({"validFrom": "2024-01-01"}, "validFrom"),
        ({"issuanceDate": "2024-01-01T00:00:00Z"}, "issuanceDate"),
        ({"@context": ["https://example.org/not-a-base"]}, "@context"),
        ({"validUntil": "2023-01-01T00:00:00Z"}, "validUntil"),
    ],
    ids=[
        "no-subject",
        "issuer-not-url",
        "no-vc-type",
        "date-only",
        "v1-term-in-v2",
        "no-base-context",
        "until-before-from",
    ],
)
def test_issue_refuses_a_credential_that_breaks_the_data_model(change, path):
    document = vc2()
    for name, value in change.items():
        if value is None:
            del document[name]
        else:
            document[name] = value
    with pytest.raises(MalformedValueError, match=path):
        ssi.issue(document, issuer(), created=CREATED)


@pytest.mark.parametrize("value", [[vc2()], "a credential", None, 42])
def test_issue_refuses_what_is_not_a_json_object(value):
    with pytest.raises(ParsingError):
        ssi.issue(value, issuer(), created=CREATED)


@pytest.mark.parametrize(
    "issuer_value",
    [HOLDER, {"id": HOLDER, "name": "Someone else"}, "https://issuer.example"],
    ids=["other-did", "other-did-object", "https-issuer"],
)
def test_issue_refuses_a_signer_that_is_not_the_issuer(issuer_value):
    with pytest.raises(ProofGenerationError, match="issuer"):
        ssi.issue(vc2(issuer_value), issuer(), created=CREATED)


def test_issue_accepts_an_issuer_object():
    secured = ssi.issue(
        vc2({"id": ISSUER, "name": "Example University"}), issuer(), created=CREATED
    )
    assert ssi.verify(secured, now=NOW).verified


def test_issue_refuses_a_signer_whose_key_id_is_not_a_did_url():
    signer = ssi.signer(ISSUER_KEY, "https://issuer.example/keys/1")
    with pytest.raises(ProofGenerationError, match="not a DID URL"):
        ssi.issue(vc2(), signer, created=CREATED)


def test_a_key_agreement_key_cannot_be_a_signer():
    with pytest.raises(UnsupportedAlgorithmError):
        ssi.signer(ISSUER_KEY.to_x25519())


# --- issue: what it produces ----------------------------------------------------------


@pytest.mark.parametrize("suite", ["eddsa-jcs-2022", "Ed25519Signature2020"])
def test_issue_does_not_change_its_input(suite):
    document = vc11()
    before = copy.deepcopy(document)

    secured = ssi.issue(document, issuer(), suite=suite, created=CREATED)

    assert document == before
    assert "proof" not in document
    assert secured is not document
    secured["credentialSubject"]["id"] = "did:example:changed"
    assert document == before


def test_issue_does_not_change_a_credential_that_already_has_a_proof():
    first = issued()
    before = copy.deepcopy(first)
    ssi.issue(first, issuer(), suite="eddsa-rdfc-2022", created=CREATED)
    assert first == before


def test_default_suite_is_eddsa_jcs_2022():
    proof = issued()["proof"]
    assert (proof["type"], proof["cryptosuite"]) == (
        "DataIntegrityProof",
        "eddsa-jcs-2022",
    )
    assert proof["created"] == "2024-01-02T03:04:05Z"
    assert proof["verificationMethod"] == issuer().key_id


@pytest.mark.parametrize(
    ("suite", "key"),
    [
        ("eddsa-jcs-2022", ISSUER_KEY),
        ("eddsa-rdfc-2022", ISSUER_KEY),
        ("ecdsa-jcs-2019", P256_KEY),
        ("ecdsa-rdfc-2019", P256_KEY),
    ],
)
def test_issue_adds_the_data_integrity_context_to_vc_1_1(suite, key):
    secured = ssi.issue(
        vc11(ssi.did_key(key)), ssi.signer(key), suite=suite, created=CREATED
    )
    assert secured["@context"] == [VC_V1_CONTEXT, DATA_INTEGRITY_CONTEXT]


def test_issue_adds_the_ed25519_2020_context_to_vc_1_1():
    secured = ssi.issue(vc11(), issuer(), suite="Ed25519Signature2020", created=CREATED)
    assert secured["@context"] == [VC_V1_CONTEXT, ED25519_2020_CONTEXT]
    assert secured["proof"]["type"] == "Ed25519Signature2020"
    assert "cryptosuite" not in secured["proof"]


def test_issue_adds_the_ed25519_2020_context_to_vc_2_0():
    secured = ssi.issue(vc2(), issuer(), suite="Ed25519Signature2020", created=CREATED)
    assert secured["@context"] == [VC_V2_CONTEXT, ED25519_2020_CONTEXT]


@pytest.mark.parametrize("suite", ["eddsa-jcs-2022", "eddsa-rdfc-2022"])
def test_issue_adds_no_context_to_vc_2_0_for_data_integrity_proofs(suite):
    secured = ssi.issue(vc2(), issuer(), suite=suite, created=CREATED)
    assert secured["@context"] == [VC_V2_CONTEXT]


@pytest.mark.parametrize(
    ("suite", "context"),
    [
        ("eddsa-jcs-2022", DATA_INTEGRITY_CONTEXT),
        ("Ed25519Signature2020", ED25519_2020_CONTEXT),
    ],
)
def test_issue_does_not_repeat_a_context_already_listed(suite, context):
    document = vc11()
    document["@context"] = [VC_V1_CONTEXT, context]
    secured = ssi.issue(document, issuer(), suite=suite, created=CREATED)
    assert secured["@context"] == [VC_V1_CONTEXT, context]


ROUND_TRIPS = [
    pytest.param(key_type, suite, version, id=f"{key_type}-{suite}-vc{version}")
    for key_type, suites in SUITES_BY_KEY.items()
    for suite in suites
    for version in ("1.1", "2.0")
]


def key_of(key_type: KeyType) -> KeyPair:
    return ISSUER_KEY if key_type == KeyType.ED25519 else P256_KEY


@pytest.mark.parametrize(("key_type", "suite", "version"), ROUND_TRIPS)
def test_round_trip(key_type, suite, version):
    key = key_of(key_type)
    did = ssi.did_key(key)
    document = vc11(did) if version == "1.1" else vc2(did)

    secured = ssi.issue(document, ssi.signer(key), suite=suite, created=CREATED)
    report = ssi.verify(secured, now=NOW)

    assert report.verified, report.to_json()
    assert [c.name for c in report.checks] == [
        "parsing",
        "model",
        "context",
        "proof",
        "validity",
    ]
    assert report.checks[1].detail == f"VC Data Model {version}"


@pytest.mark.parametrize(("key_type", "suite", "version"), ROUND_TRIPS)
def test_round_trip_detects_a_changed_claim(key_type, suite, version):
    key = key_of(key_type)
    did = ssi.did_key(key)
    document = vc11(did) if version == "1.1" else vc2(did)
    secured = ssi.issue(document, ssi.signer(key), suite=suite, created=CREATED)
    secured["credentialSubject"]["id"] = "did:example:mallory"

    report = ssi.verify(secured, now=NOW)

    assert not report.verified
    assert [type(p.error) for p in report.problems] == [InvalidSignatureError]


MISFITS = [
    pytest.param(key, suite, id=f"{key.key_type}-{suite}")
    for key in (ISSUER_KEY, P256_KEY, Secp256k1KeyPair.from_private_bytes(b"\x07" * 32))
    for suite in ALL_SUITES
    if suite not in SUITES_BY_KEY.get(key.key_type, ())
]


@pytest.mark.parametrize(("key", "suite"), MISFITS)
def test_issue_refuses_a_key_that_does_not_fit_the_suite(key, suite):
    with pytest.raises(ProofGenerationError, match="needs a"):
        ssi.issue(vc2(ssi.did_key(key)), ssi.signer(key), suite=suite, created=CREATED)


def test_verify_accepts_json_text_and_bytes():
    text = json.dumps(issued())
    assert ssi.verify(text, now=NOW).verified
    assert ssi.verify(text.encode(), now=NOW).verified


@pytest.mark.parametrize("value", ["{", b"\xff", "[]", "42", None, []])
def test_verify_reports_unparseable_input_without_raising(value):
    report = ssi.verify(value, now=NOW)
    assert not report.verified
    assert [(p.check, p.code) for p in report.problems] == [
        ("parsing", "PARSING_ERROR")
    ]


def test_verify_reports_a_data_model_violation():
    secured = issued()
    del secured["credentialSubject"]
    report = ssi.verify(secured, now=NOW)
    assert not report.verified
    assert [(p.check, p.code) for p in report.problems] == [
        ("model", "MALFORMED_VALUE_ERROR")
    ]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (NOW, True),
        (CREATED.replace(year=2023), False),
        (NOW.replace(year=2031), False),
    ],
    ids=["inside", "before-validFrom", "after-validUntil"],
)
def test_verify_checks_the_validity_period(now, expected):
    secured = issued(validUntil="2030-01-01T00:00:00Z")
    report = ssi.verify(secured, now=now, skew=timedelta(0))
    assert report.verified is expected
    if not expected:
        assert [
            (p.check, p.code) for p in report.problems if p.check == "validity"
        ] == [("validity", "RANGE_ERROR")]


# --- Presentations --------------------------------------------------------------------


def vp_of(credentials: list[JsonObject], **options: object) -> JsonObject:
    return ssi.present(
        credentials,
        holder(),
        challenge="c-42",
        domain=DOMAIN,
        created=CREATED,
        **options,
    )


@pytest.mark.parametrize("count", [0, 1, 2])
def test_present_and_verify_presentation(count):
    credentials = [
        issued(id=f"urn:uuid:00000000-0000-4000-8000-00000000000{i}")
        for i in range(count)
    ]

    vp = vp_of(credentials)
    report = ssi.verify_presentation(vp, challenge="c-42", domain=DOMAIN, now=NOW)

    assert report.verified, report.to_json()
    assert report.kind == "presentation"
    assert len(report.credentials) == count
    assert all(r.verified and r.kind == "credential" for r in report.credentials)
    assert vp["holder"] == HOLDER
    assert vp["proof"]["proofPurpose"] == "authentication"
    assert vp.get("verifiableCredential", []) == credentials


def test_presentation_version_follows_its_credentials():
    assert vp_of([])["@context"] == [VC_V2_CONTEXT]
    v2 = issued()
    v1 = ssi.issue(vc11(), issuer(), suite="eddsa-rdfc-2022", created=CREATED)
    assert vp_of([v1])["@context"] == [VC_V1_CONTEXT, DATA_INTEGRITY_CONTEXT]
    assert vp_of([v1, v2])["@context"] == [VC_V2_CONTEXT]


def test_presentation_of_vc_1_1_credentials_verifies():
    v1 = ssi.issue(vc11(), issuer(), suite="Ed25519Signature2020", created=CREATED)
    vp = vp_of([v1], suite="Ed25519Signature2020")

    report = ssi.verify_presentation(vp, challenge="c-42", domain=DOMAIN, now=NOW)

    assert report.verified, report.to_json()


def test_present_does_not_change_the_credentials():
    credential = issued()
    before = copy.deepcopy(credential)
    vp = vp_of([credential])
    vp["verifiableCredential"][0]["credentialSubject"]["name"] = "Changed"
    assert credential == before


def test_present_refuses_a_holder_the_signer_does_not_speak_for():
    with pytest.raises(ProofGenerationError, match="holder"):
        ssi.present([], holder(), holder=ISSUER, challenge="c-42", created=CREATED)


def test_present_refuses_a_credential_that_breaks_the_data_model():
    broken = issued()
    del broken["issuer"]
    with pytest.raises(MalformedValueError, match=r"verifiableCredential\[0\]"):
        vp_of([broken])


def test_presentation_signed_by_someone_other_than_its_holder_is_not_verified():
    vp = ssi.present([], holder(), challenge="c-42", created=CREATED)
    vp_other_holder = add_proof(
        {k: v for k, v in vp.items() if k != "proof"},
        issuer(),
        purpose=AuthenticationPurpose(challenge="c-42"),
        created=CREATED,
    )
    report = ssi.verify_presentation(
        vp_other_holder, challenge="c-42", domain=False, now=NOW
    )
    assert not report.verified
    assert HOLDER in report.problems[0].detail


def test_presentation_with_a_failing_credential_is_not_verified():
    good = issued()
    bad = copy.deepcopy(good)
    bad["credentialSubject"]["name"] = "Mallory"
    vp = vp_of([good, bad])

    report = ssi.verify_presentation(vp, challenge="c-42", domain=DOMAIN, now=NOW)

    assert not report.verified
    assert report.problems == ()
    assert all(check.passed for check in report.checks)
    assert [r.verified for r in report.credentials] == [True, False]
    [problem] = report.credentials[1].problems
    assert problem.check == "proof"
    assert isinstance(problem.error, InvalidSignatureError)
    assert report.all_problems() == (problem,)
    nested = report.to_json()["credentials"][1]["problems"]
    assert [(p["check"], p["errorCode"]) for p in nested] == [
        ("proof", "PROOF_VERIFICATION_ERROR")
    ]


def test_presentation_with_an_expired_credential_is_not_verified():
    expired = issued(validUntil="2024-02-01T00:00:00Z")
    report = ssi.verify_presentation(
        vp_of([expired]), challenge="c-42", domain=DOMAIN, now=NOW
    )
    assert not report.verified
    assert [(p.check, p.code) for p in report.all_problems()] == [
        ("validity", "RANGE_ERROR")
    ]


def test_tampered_presentation_is_not_verified():
    vp = vp_of([issued()])
    vp["holder"] = ISSUER
    report = ssi.verify_presentation(vp, challenge="c-42", domain=DOMAIN, now=NOW)
    assert not report.verified


# --- The report -----------------------------------------------------------------------


def test_report_to_json_shape_for_a_credential():
    report = ssi.verify(issued(), now=NOW)
    body = report.to_json()

    assert list(body) == ["verified", "kind", "checks", "problems", "warnings"]
    assert body["verified"] is True
    assert body["kind"] == "credential"
    assert body["problems"] == []
    assert body["warnings"] == []
    assert [c["check"] for c in body["checks"]] == [
        "parsing",
        "model",
        "context",
        "proof",
        "validity",
    ]
    for check in body["checks"]:
        assert list(check) == ["check", "passed", "detail"]
        assert check["passed"] is True
        assert isinstance(check["detail"], str)
    json.dumps(body)  # plain JSON all the way down


def test_report_to_json_shape_for_a_problem():
    secured = issued()
    secured["credentialSubject"]["name"] = "Mallory"
    body = ssi.verify(secured, now=NOW).to_json()

    assert body["verified"] is False
    [problem] = body["problems"]
    assert problem == {
        "type": "https://www.w3.org/TR/vc-data-model#CRYPTOGRAPHIC_SECURITY_ERROR",
        "title": "Cryptographic security error",
        "detail": problem["detail"],
        "check": "proof",
        "errorCode": "PROOF_VERIFICATION_ERROR",
    }
    assert problem["detail"]
    failed = [c for c in body["checks"] if not c["passed"]]
    assert [c["check"] for c in failed] == ["proof"]


def test_report_to_json_shape_for_a_presentation():
    vp = vp_of([issued()])
    body = ssi.verify_presentation(vp, challenge=False, domain=False, now=NOW).to_json()

    assert list(body) == [
        "verified",
        "kind",
        "checks",
        "problems",
        "warnings",
        "credentials",
    ]
    assert body["kind"] == "presentation"
    assert [w.split(":")[0] for w in body["warnings"]] == [
        "challengeNotChecked",
        "domainNotChecked",
    ]
    [nested] = body["credentials"]
    assert nested["kind"] == "credential"
    assert nested["verified"] is True
    json.dumps(body)


def test_raise_for_problems_does_nothing_when_verified():
    ssi.verify(issued(), now=NOW).raise_for_problems()


def test_raise_for_problems_carries_every_problem():
    secured = issued(validUntil="2024-02-01T00:00:00Z")
    secured["credentialSubject"]["name"] = "Mallory"
    report = ssi.verify(secured, now=NOW)

    with pytest.raises(VerificationFailedError) as caught:
        report.raise_for_problems()

    errors = caught.value.problems
    assert [type(e) for e in errors] == [InvalidSignatureError, ValidityRangeError]
    assert errors == tuple(p.error for p in report.problems)
    assert "credential is not verified" in str(caught.value)


def test_raise_for_problems_carries_nested_problems_of_a_presentation():
    bad = issued()
    bad["credentialSubject"]["name"] = "Mallory"
    report = ssi.verify_presentation(
        vp_of([bad]), challenge="c-42", domain=DOMAIN, now=NOW
    )

    with pytest.raises(VerificationFailedError) as caught:
        report.raise_for_problems()

    assert [type(e) for e in caught.value.problems] == [InvalidSignatureError]


def test_a_report_without_checks_is_not_verified():
    empty = ssi.VerificationReport("credential")
    assert not empty.verified
    with pytest.raises(VerificationFailedError):
        empty.raise_for_problems()


# --- Status ---------------------------------------------------------------------------

STATUS = {
    "id": "https://status.example/credentials/3#94567",
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "94567",
    "statusListCredential": "https://status.example/credentials/3",
}


@pytest.mark.parametrize("suite", ["eddsa-jcs-2022", "eddsa-rdfc-2022"])
def test_credential_with_status_is_not_verified_until_status_can_be_checked(suite):
    secured = ssi.issue(
        vc2(credentialStatus=STATUS), issuer(), suite=suite, created=CREATED
    )

    report = ssi.verify(secured, now=NOW)

    assert not report.verified
    [problem] = report.problems
    assert problem.check == "status"
    assert isinstance(problem.error, StatusRetrievalError)
    assert problem.to_json()["errorCode"] == "STATUS_RETRIEVAL_ERROR"
    passed = {c.name: c.passed for c in report.checks}
    assert passed == {
        "parsing": True,
        "model": True,
        "context": True,
        "proof": True,
        "validity": True,
        "status": False,
    }
