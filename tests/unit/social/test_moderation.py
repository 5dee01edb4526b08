"""Moderation credentials: built, secured by both EdDSA suites, read back,
and malformed ones refused naming the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import ssi
from ssi.cid import object_cid
from ssi.errors import InvalidCIDError, MalformedValueError
from ssi.keys import Ed25519KeyPair
from ssi.social import (
    Appeal,
    Mandate,
    ModerationLabel,
    Report,
    Verdict,
    appeal_credential,
    label_credential,
    mandate_credential,
    read_appeal,
    read_label,
    read_mandate,
    read_moderation_object,
    read_report,
    read_verdict,
    report_credential,
    verdict_credential,
)
from ssi.social.tally_inputs import signature_verified
from ssi.status import build_status_entry

KEY = Ed25519KeyPair.from_seed(bytes([41]) * 32)
SIGNER = ssi.signer(KEY)
ACTOR = SIGNER.key_id.split("#")[0]
COMMUNITY = "did:example:engines"
MODERATOR = "did:example:mona"
POST = object_cid({"a post": 1})
TALLY = object_cid({"a tally": 1})
APPEAL = object_cid({"an appeal": 1})
LIST_URL = "https://engines.example/status/1"
T0 = datetime(2025, 4, 1, tzinfo=UTC)
T1 = datetime(2025, 10, 1, tzinfo=UTC)
NOW = datetime(2025, 5, 1, tzinfo=UTC)
CREATED = "2025-04-01T00:00:00Z"
SUITES = ["eddsa-jcs-2022", "eddsa-rdfc-2022"]
REVOCATION = build_status_entry(LIST_URL, 7)


def mandate(community=ACTOR, **changes):
    options = {
        "election": TALLY,
        "valid_from": T0,
        "valid_until": T1,
        "status": [REVOCATION],
        "credential_id": "urn:uuid:5b0e6a52-5d7c-4f0e-9d55-0a3c3a6f7d10",
    }
    options.update(changes)
    return mandate_credential(community, MODERATOR, **options)


def report(**changes):
    options = {"community": COMMUNITY, "post": POST, "label": "spam"}
    options.update(valid_from=T0, reason="Sells watches.")
    options.update(changes)
    return report_credential(ACTOR, **options)


def label(**changes):
    options = {"community": COMMUNITY, "post": POST, "label": "spam"}
    options.update(valid_from=T0, reason="Link farm.")
    options.update(changes)
    return label_credential(ACTOR, **options)


def appeal(**changes):
    options = {"community": COMMUNITY, "post": POST, "label": "spam"}
    options.update(valid_from=T0)
    options.update(changes)
    return appeal_credential(ACTOR, **options)


def verdict(**changes):
    options = {"community": COMMUNITY, "appeal": APPEAL, "verdict": "overturn"}
    options.update(valid_from=T0)
    options.update(changes)
    return verdict_credential(ACTOR, **options)


# --- Wire shapes and round trips ---------------------------------------------------


def test_the_mandate_wire_shape():
    credential = mandate()
    assert credential["type"] == ["VerifiableCredential", "ModeratorMandate"]
    assert credential["issuer"] == ACTOR
    assert credential["validUntil"] == "2025-10-01T00:00:00Z"
    assert credential["credentialStatus"] == REVOCATION
    assert credential["credentialSubject"] == {
        "type": "ModeratorMandate",
        "id": MODERATOR,
        "community": ACTOR,
        "election": TALLY,
    }


def test_the_label_wire_shape():
    assert label(negated=True, reason="")["credentialSubject"] == {
        "type": "Label",
        "community": COMMUNITY,
        "post": POST,
        "label": "spam",
        "negated": True,
    }
    assert "reason" not in appeal()["credentialSubject"]


@pytest.mark.parametrize("suite", SUITES)
def test_a_mandate_signs_verifies_and_reads_back(suite):
    signed = ssi.issue(mandate(), SIGNER, suite=suite, created=CREATED)
    report_ = ssi.verify(signed, now=NOW)
    assert signature_verified(report_), report_.to_json()
    assert not report_.verified  # its status list is not at hand
    read = read_mandate(signed)
    assert read == Mandate(
        cid=object_cid(signed),
        community=ACTOR,
        moderator=MODERATOR,
        election=TALLY,
        valid_from=T0,
        valid_until=T1,
        status=read.status,
        credential_id="urn:uuid:5b0e6a52-5d7c-4f0e-9d55-0a3c3a6f7d10",
    )
    assert read.status[0] is not None
    assert (read.status[0].index, read.status[0].list_credential) == (7, LIST_URL)
    assert read_moderation_object(signed) == read
    assert read.to_json()["moderator"] == MODERATOR


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize(
    ("build", "reader", "expected"),
    [
        (report, read_report,
         Report("", ACTOR, COMMUNITY, POST, "spam", T0, "Sells watches.")),
        (label, read_label,
         ModerationLabel("", ACTOR, COMMUNITY, POST, "spam", T0, "Link farm.")),
        (lambda: label(negated=True, reason=""), read_label,
         ModerationLabel("", ACTOR, COMMUNITY, POST, "spam", T0, "", negated=True)),
        (appeal, read_appeal, Appeal("", ACTOR, COMMUNITY, POST, "spam", T0)),
        (verdict, read_verdict,
         Verdict("", ACTOR, COMMUNITY, APPEAL, "overturn", T0)),
    ],
    ids=["report", "label", "negated-label", "appeal", "verdict"],
)  # fmt: skip
def test_each_object_signs_verifies_and_reads_back(suite, build, reader, expected):
    signed = ssi.issue(build(), SIGNER, suite=suite, created=CREATED)
    result = ssi.verify(signed, now=NOW)
    assert result.verified, result.to_json()
    read = reader(signed)
    assert read.cid == object_cid(signed)
    assert read == type(expected)(read.cid, *_fields(expected)[1:])
    assert read_moderation_object(signed) == read
    assert read.to_json()["cid"] == read.cid


def _fields(value):
    return [getattr(value, name) for name in value.__slots__]


@pytest.mark.parametrize(
    ("build", "tamper"),
    [
        (mandate, lambda s: s.update(election=POST)),
        (mandate, lambda s: s.update(id="did:example:mallory")),
        (label, lambda s: s.update(label="hate")),
        (label, lambda s: s.update(reason="Other.")),
        (lambda: label(negated=True, reason=""), lambda s: s.pop("negated")),
        (report, lambda s: s.update(post=APPEAL)),
        (appeal, lambda s: s.update(label="nsfw")),
        (verdict, lambda s: s.update(verdict="uphold")),
        (verdict, lambda s: s.update(appeal=POST)),
    ],
    ids=["election", "moderator", "label", "reason", "negated", "post",
         "appeal-label", "verdict", "appeal"],
)  # fmt: skip
def test_rdfc_signs_the_moderation_terms(build, tamper):
    signed = ssi.issue(build(), SIGNER, suite="eddsa-rdfc-2022", created=CREATED)
    assert signature_verified(ssi.verify(signed, now=NOW))
    tamper(signed["credentialSubject"])
    assert not signature_verified(ssi.verify(signed, now=NOW))


def test_a_mandate_may_carry_several_status_entries():
    suspension = build_status_entry(LIST_URL, 8, purpose="suspension")
    read = read_mandate(mandate(status=[suspension, REVOCATION]))
    assert [entry.purpose for entry in read.status if entry] == [
        "suspension",
        "revocation",
    ]


def test_an_unknown_status_entry_is_kept_as_none():
    odd = {"type": "OtherStatus", "statusPurpose": "revocation"}
    assert read_mandate(mandate(status=[odd, REVOCATION])).status[0] is None
    with pytest.raises(MalformedValueError, match=r"^\$\.credentialStatus"):
        mandate(status=[odd])


# --- Malformed objects -------------------------------------------------------------


def _subject(change):
    def tamper(credential):
        change(credential["credentialSubject"])

    return tamper


MALFORMED = [
    ("mandate-community-not-issuer", mandate,
     _subject(lambda s: s.update(community=COMMUNITY)), MalformedValueError,
     "$.credentialSubject.community"),
    ("mandate-no-moderator", mandate, _subject(lambda s: s.pop("id")),
     MalformedValueError, "$.credentialSubject.id"),
    ("mandate-moderator-not-did", mandate, _subject(lambda s: s.update(id="mona")),
     MalformedValueError, "$.credentialSubject.id"),
    ("mandate-no-election", mandate, _subject(lambda s: s.pop("election")),
     MalformedValueError, "$.credentialSubject.election"),
    ("mandate-election-not-cid", mandate,
     _subject(lambda s: s.update(election="t")), InvalidCIDError,
     "$.credentialSubject.election"),
    ("mandate-no-valid-until", mandate, lambda c: c.pop("validUntil"),
     MalformedValueError, "$.validUntil"),
    ("mandate-empty-term", mandate,
     lambda c: c.update(validUntil=c["validFrom"]), MalformedValueError,
     "$.validUntil"),
    ("mandate-no-status", mandate, lambda c: c.pop("credentialStatus"),
     MalformedValueError, "$.credentialStatus"),
    ("mandate-suspension-only", mandate,
     lambda c: c["credentialStatus"].update(statusPurpose="suspension"),
     MalformedValueError, "$.credentialStatus"),
    ("mandate-extra-member", mandate, _subject(lambda s: s.update(role="mod")),
     MalformedValueError, "$.credentialSubject.'role'"),
    ("mandate-subject-type", mandate,
     _subject(lambda s: s.update(type="Report")), MalformedValueError,
     "$.credentialSubject.type"),
    ("report-no-post", report, _subject(lambda s: s.pop("post")),
     MalformedValueError, "$.credentialSubject.post"),
    ("report-post-not-cid", report, _subject(lambda s: s.update(post="p")),
     InvalidCIDError, "$.credentialSubject.post"),
    ("report-community-not-did", report,
     _subject(lambda s: s.update(community="engines")), MalformedValueError,
     "$.credentialSubject.community"),
    ("report-label-empty", report, _subject(lambda s: s.update(label=" ")),
     MalformedValueError, "$.credentialSubject.label"),
    ("report-label-long", report, _subject(lambda s: s.update(label="x" * 65)),
     MalformedValueError, "$.credentialSubject.label"),
    ("report-label-not-string", report, _subject(lambda s: s.update(label=3)),
     MalformedValueError, "$.credentialSubject.label"),
    ("report-reason-long", report, _subject(lambda s: s.update(reason="x" * 1001)),
     MalformedValueError, "$.credentialSubject.reason"),
    ("report-reason-control", report,
     _subject(lambda s: s.update(reason="a\u202eb")), MalformedValueError,
     "$.credentialSubject.reason"),
    ("report-reason-newline", report,
     _subject(lambda s: s.update(reason="a\nb")), MalformedValueError,
     "$.credentialSubject.reason"),
    ("report-reason-empty", report, _subject(lambda s: s.update(reason="")),
     MalformedValueError, "$.credentialSubject.reason"),
    ("report-negated", report, _subject(lambda s: s.update(negated=True)),
     MalformedValueError, "$.credentialSubject.'negated'"),
    ("label-no-reason", label, _subject(lambda s: s.pop("reason")),
     MalformedValueError, "$.credentialSubject.reason"),
    ("label-negated-false", label, _subject(lambda s: s.update(negated=False)),
     MalformedValueError, "$.credentialSubject.negated"),
    ("label-negated-string", label, _subject(lambda s: s.update(negated="true")),
     MalformedValueError, "$.credentialSubject.negated"),
    ("label-negated-one", label, _subject(lambda s: s.update(negated=1)),
     MalformedValueError, "$.credentialSubject.negated"),
    ("label-no-label", label, _subject(lambda s: s.pop("label")),
     MalformedValueError, "$.credentialSubject.label"),
    ("appeal-no-community", appeal, _subject(lambda s: s.pop("community")),
     MalformedValueError, "$.credentialSubject.community"),
    ("appeal-subject-type", appeal, _subject(lambda s: s.update(type="Label")),
     MalformedValueError, "$.credentialSubject.type"),
    ("verdict-unknown", verdict, _subject(lambda s: s.update(verdict="maybe")),
     MalformedValueError, "$.credentialSubject.verdict"),
    ("verdict-not-string", verdict, _subject(lambda s: s.update(verdict=True)),
     MalformedValueError, "$.credentialSubject.verdict"),
    ("verdict-appeal-not-cid", verdict, _subject(lambda s: s.update(appeal="a")),
     InvalidCIDError, "$.credentialSubject.appeal"),
    ("verdict-no-appeal", verdict, _subject(lambda s: s.pop("appeal")),
     MalformedValueError, "$.credentialSubject.appeal"),
    ("verdict-post", verdict, _subject(lambda s: s.update(post=POST)),
     MalformedValueError, "$.credentialSubject.'post'"),
    ("no-valid-from", report, lambda c: c.pop("validFrom"), MalformedValueError,
     "$.validFrom"),
    ("issuer-not-did", verdict, lambda c: c.update(issuer="https://x.example"),
     MalformedValueError, "$.issuer"),
    ("two-types", report, lambda c: c.update(type=[*c["type"], "Label"]),
     MalformedValueError, "$.type"),
]  # fmt: skip
READERS = {
    mandate: read_mandate,
    report: read_report,
    label: read_label,
    appeal: read_appeal,
    verdict: read_verdict,
}


@pytest.mark.parametrize(
    ("build", "change", "error", "path"),
    [case[1:] for case in MALFORMED],
    ids=[case[0] for case in MALFORMED],
)
def test_a_malformed_object_is_refused_naming_the_field(build, change, error, path):
    credential = build()
    change(credential)
    with pytest.raises(error) as caught:
        READERS[build](credential)
    assert caught.value.detail.startswith(path), caught.value.detail
    if path != "$.type":
        with pytest.raises(error):
            read_moderation_object(credential)


def test_the_builders_refuse_what_the_readers_refuse():
    with pytest.raises(MalformedValueError, match="reason is required"):
        label(reason="")
    with pytest.raises(MalformedValueError, match="verdict"):
        verdict(verdict="quash")
    with pytest.raises(MalformedValueError, match="validUntil"):
        mandate(valid_until=T0 - timedelta(seconds=1))
    with pytest.raises(MalformedValueError, match="credentialStatus"):
        mandate(status=[])
    with pytest.raises(TypeError):
        mandate(status=REVOCATION)
    with pytest.raises(ValueError, match="timezone"):
        report(valid_from=datetime(2025, 4, 1))


def test_a_reason_of_exactly_the_limit_is_read():
    text = "é" * 1000
    assert read_report(report(reason=text)).reason == text


@pytest.mark.parametrize(
    "document",
    [
        {"type": ["VerifiableCredential", "Post"]},
        {"type": "Report"},
        "a string",
    ],
    ids=["other-type", "type-not-list-of-ours", "not-an-object"],
)
def test_read_moderation_object_refuses_other_objects(document):
    with pytest.raises((MalformedValueError, ssi.errors.ParsingError)):
        read_moderation_object(document)
