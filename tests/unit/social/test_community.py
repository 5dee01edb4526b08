"""Membership credentials: built with the Agora vocabulary, secured by both
EdDSA suites, read back, and refused when they are not memberships."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import ssi
from ssi.errors import MalformedValueError
from ssi.keys import Ed25519KeyPair
from ssi.social import (
    AGORA_CONTEXT,
    MEMBERSHIP_TYPE,
    membership_credential,
    read_membership,
)

KEY = Ed25519KeyPair.from_seed(bytes([7]) * 32)
SIGNER = ssi.signer(KEY)
COMMUNITY = SIGNER.key_id.split("#")[0]
MEMBER = "did:example:ada"
NOW = datetime(2025, 6, 1, tzinfo=UTC)
CREATED = "2025-05-01T00:00:00Z"
STATUS = {
    "id": "https://agora.example/status/1#94567",
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "94567",
    "statusListCredential": "https://agora.example/status/1",
}


def build(**options):
    return membership_credential(
        COMMUNITY,
        MEMBER,
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
        **options,
    )


def test_shape():
    credential = build(
        role="moderator",
        community_name="Analytical Engines",
        credential_id="urn:uuid:0b5b4a0e-5d7c-4f0e-9d1a-3f2b6c8e1a77",
        valid_until=datetime(2026, 1, 1, tzinfo=UTC),
        status=STATUS,
    )
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        AGORA_CONTEXT,
    ]
    assert credential["type"] == ["VerifiableCredential", MEMBERSHIP_TYPE]
    assert credential["issuer"] == COMMUNITY
    assert credential["validFrom"] == "2025-01-01T00:00:00Z"
    assert credential["validUntil"] == "2026-01-01T00:00:00Z"
    assert credential["credentialSubject"] == {
        "id": MEMBER,
        "type": "CommunityMember",
        "community": COMMUNITY,
        "role": "moderator",
        "communityName": "Analytical Engines",
    }
    assert credential["credentialStatus"] == STATUS
    assert credential["credentialStatus"] is not STATUS


@pytest.mark.parametrize("suite", ["eddsa-jcs-2022", "eddsa-rdfc-2022"])
def test_both_eddsa_suites_secure_it(suite):
    signed = ssi.issue(
        build(community_name="Engines"), SIGNER, suite=suite, created=CREATED
    )
    report = ssi.verify(signed, now=NOW)
    assert report.verified, report.to_json()
    membership = read_membership(signed)
    assert (membership.community, membership.member, membership.role) == (
        COMMUNITY,
        MEMBER,
        "member",
    )
    assert membership.community_name == "Engines"


def test_rdfc_covers_the_agora_terms():
    signed = ssi.issue(build(), SIGNER, suite="eddsa-rdfc-2022", created=CREATED)
    signed["credentialSubject"]["role"] = "admin"
    report = ssi.verify(signed, now=NOW)
    assert not report.verified
    assert report.problems[0].error.code == "PROOF_VERIFICATION_ERROR"


def test_an_undefined_term_is_refused_by_rdfc():
    credential = build()
    credential["credentialSubject"]["notInTheVocabulary"] = True
    with pytest.raises(ssi.SSIError):
        ssi.issue(credential, SIGNER, suite="eddsa-rdfc-2022")


def test_status_is_read_back():
    assert read_membership(build(status=STATUS)).status == (STATUS,)


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c.update(type=["VerifiableCredential"]),
        lambda c: c.update({"@context": ["https://www.w3.org/ns/credentials/v2"]}),
        lambda c: c["credentialSubject"].update(community="did:example:elsewhere"),
        lambda c: c["credentialSubject"].update(role=""),
        lambda c: c.update(
            credentialSubject=[{"id": "did:example:a"}, {"id": "did:example:b"}]
        ),
    ],
    ids=[
        "not-a-membership",
        "no-agora-context",
        "other-community",
        "empty-role",
        "two-subjects",
    ],
)
def test_not_a_membership(change):
    credential = build()
    change(credential)
    with pytest.raises(MalformedValueError):
        read_membership(credential)


def test_a_member_that_is_not_a_url_is_refused():
    with pytest.raises(MalformedValueError):
        membership_credential(COMMUNITY, "not a did")
