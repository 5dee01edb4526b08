"""Holder binding: is the presentation's holder a subject of each credential?

VC 2.0 (Validation, Holder) gives the rule a verifier can use: the ``holder``
of the presentation and the ``id`` of at least one ``credentialSubject`` of
the credential are the same. A credential that is not bound that way gets a
``holderNotSubject`` warning; with ``require_holder_binding=True`` it is a
``holderNotSubject`` problem and the presentation is not verified.

Spec: https://www.w3.org/TR/vc-data-model-2.0/#validation
"""

from __future__ import annotations

import pytest

import ssi
from ssi.errors import HolderBindingError
from ssi.types import JsonObject
from tests.unit.proofs.doubles import CREATED, NOW, ed25519_key

COMMUNITY_KEY = ed25519_key(31)
CAROL_KEY = ed25519_key(32)
THIEF_KEY = ed25519_key(33)
COMMUNITY = ssi.did_key(COMMUNITY_KEY)
CAROL = ssi.did_key(CAROL_KEY)
THIEF = ssi.did_key(THIEF_KEY)
CHALLENGE = "c-9"
DOMAIN = "verifier.example"


def membership(subject: JsonObject | list[JsonObject], number: int = 1) -> JsonObject:
    unsigned: JsonObject = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": f"urn:uuid:9b1f0c9e-0000-4000-8000-00000000000{number}",
        "type": ["VerifiableCredential"],
        "issuer": COMMUNITY,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": subject,
    }
    return ssi.issue(unsigned, ssi.signer(COMMUNITY_KEY), created=CREATED)


CAROLS = membership({"id": CAROL, "role": "member"})


def presented(credentials: list[JsonObject], key=THIEF_KEY) -> JsonObject:
    return ssi.present(
        credentials,
        ssi.signer(key),
        challenge=CHALLENGE,
        domain=DOMAIN,
        created=CREATED,
    )


def check(presentation: JsonObject, **options: bool) -> ssi.VerificationReport:
    return ssi.verify_presentation(
        presentation, challenge=CHALLENGE, domain=DOMAIN, now=NOW, **options
    )


def codes(report: ssi.VerificationReport) -> list[str | None]:
    return [getattr(warning, "code", None) for warning in report.warnings]


def test_someone_else_s_credential_is_verified_with_a_warning():
    report = check(presented([CAROLS]))

    assert report.verified, report.to_json()
    assert codes(report) == ["holderNotSubject"]
    [warning] = report.warnings
    assert THIEF in warning
    assert "credential 0" in warning
    assert CAROLS["id"] in warning
    assert report.to_json()["warnings"] == [str(warning)]
    assert "holderBinding" not in [c.name for c in report.checks]


def test_required_binding_fails_someone_else_s_credential():
    report = check(presented([CAROLS]), require_holder_binding=True)

    assert not report.verified
    [problem] = report.problems
    assert problem.check == "holderBinding"
    assert isinstance(problem.error, HolderBindingError)
    assert problem.to_json()["errorCode"] == "holderNotSubject"
    assert problem.code == "CRYPTOGRAPHIC_SECURITY_ERROR"
    assert CAROLS["id"] in problem.detail
    assert [c.passed for c in report.checks if c.name == "holderBinding"] == [False]
    # The credential itself is fine: only the binding fails.
    assert [r.verified for r in report.credentials] == [True]


def test_the_subject_presenting_its_own_credential_is_bound():
    for required in (False, True):
        report = check(presented([CAROLS], CAROL_KEY), require_holder_binding=required)
        assert report.verified, report.to_json()
        assert report.warnings == ()
    checks = check(presented([CAROLS], CAROL_KEY), require_holder_binding=True).checks
    assert [c.passed for c in checks if c.name == "holderBinding"] == [True]


def test_one_subject_among_several_is_enough():
    # A marriage certificate names both spouses; either may present it.
    both = membership([{"id": "did:example:spouse"}, {"id": CAROL}], number=2)

    report = check(presented([both], CAROL_KEY), require_holder_binding=True)

    assert report.verified, report.to_json()
    assert report.warnings == ()


def test_a_subject_without_id_cannot_be_bound():
    bearer = membership({"role": "member"}, number=3)

    warned = check(presented([bearer], CAROL_KEY))
    failed = check(presented([bearer], CAROL_KEY), require_holder_binding=True)

    assert warned.verified
    assert codes(warned) == ["holderNotSubject"]
    assert "has an id" in warned.warnings[0]
    assert not failed.verified
    assert [p.error.code for p in failed.problems] == ["holderNotSubject"]


def test_each_unbound_credential_is_named_by_its_index():
    other = membership({"id": "did:example:dave"}, number=4)
    own = membership({"id": CAROL}, number=5)

    report = check(presented([own, other, CAROLS], CAROL_KEY))
    failed = check(
        presented([other, own, CAROLS], THIEF_KEY), require_holder_binding=True
    )

    assert codes(report) == ["holderNotSubject"]
    assert "credential 1" in report.warnings[0]
    assert other["id"] in report.warnings[0]
    assert [p.check for p in failed.problems] == ["holderBinding"] * 3
    assert [f"credential {i}" in p.detail for i, p in enumerate(failed.problems)] == [
        True
    ] * 3


def test_a_presentation_without_credentials_has_nothing_to_bind():
    report = check(presented([]), require_holder_binding=True)
    assert report.verified, report.to_json()
    assert report.warnings == ()


def test_a_presentation_without_holder_cannot_bind():
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [CAROLS],
    }
    secured = ssi.proofs.add_proof(
        unsigned,
        ssi.signer(CAROL_KEY),
        purpose=ssi.proofs.AuthenticationPurpose(challenge=CHALLENGE, domain=DOMAIN),
        created=CREATED,
    )

    warned = check(secured)
    failed = check(secured, require_holder_binding=True)

    assert codes(warned) == ["holderNotSubject"]
    assert "names no holder" in warned.warnings[0]
    assert not failed.verified


@pytest.mark.parametrize("value", [None, 1, "yes"])
def test_require_holder_binding_must_be_a_bool(value):
    with pytest.raises(TypeError, match="require_holder_binding"):
        check(presented([CAROLS]), require_holder_binding=value)
