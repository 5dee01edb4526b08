"""Building and parsing status list entries and status list credentials.

Spec: https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistentry,
https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistcredential
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

import ssi
from ssi.errors import MalformedValueError, StatusVerificationError
from ssi.keys import decode_public_multikey
from ssi.proofs import check_signature, proofs_of
from ssi.status import (
    StatusList,
    StatusListEntry,
    StatusMessage,
    build_status_entry,
    build_status_list_credential,
    default_messages,
    parse_status_entry,
    parse_status_list_credential,
)
from tests.unit.status.helpers import ISSUER, LIST_URL
from tests.vectors import load

REC = "rec-2025-05-15"
MESSAGES = (
    StatusMessage(0, "pending_review"),
    StatusMessage(1, "accepted"),
    StatusMessage(2, "rejected"),
    StatusMessage(3, "undefined"),
)


def _vector(name: str) -> dict:
    return load.json_file("bitstring-status-list", REC, name)


# --- The Recommendation's examples ---------------------------------------------------


def test_example_entries_parse():
    document = _vector("example-01-simple-entries.json")
    revocation, suspension = (
        parse_status_entry(e) for e in document["credentialStatus"]
    )

    assert revocation == StatusListEntry(
        id="https://example.com/credentials/status/3#94567",
        purpose="revocation",
        index=94567,
        list_credential="https://example.com/credentials/status/3",
    )
    assert (suspension.purpose, suspension.index) == ("suspension", 23452)
    assert suspension.status_size == 1
    assert suspension.message_for(0) == "unset"
    assert suspension.message_for(1) == "set"


def test_example_revocable_credential_entry_parses():
    entry = parse_status_entry(
        _vector("example-04-revocable-credential.json")["credentialStatus"]
    )

    assert (entry.index, entry.list_credential) == (
        94567,
        "https://example.com/credentials/status/3",
    )


def test_example_list_credential_parses():
    parsed = parse_status_list_credential(
        _vector("example-03-bitstring-status-list-credential.json")
    )

    assert parsed.purposes == ("revocation",)
    assert parsed.issuer == "did:example:12345"
    assert parsed.id == "https://example.com/credentials/status/3"
    assert parsed.ttl is None
    assert parsed.status_size is None
    assert StatusList.decode(parsed.encoded_list).count() == 0


def test_example_signed_list_signature_verifies_and_tampering_breaks_it():
    """Appendix A.2's eddsa-rdfc-2022 proof checks with our canonicalization.

    The proof's verificationMethod is a bare did:key (no fragment) and the
    issuer is did:example:12345, so only the signature is checked here.
    """
    document = _vector("example-05-status-list-credential-eddsa-rdfc-2022.json")
    [proof] = proofs_of(document)
    key = decode_public_multikey(proof["verificationMethod"].removeprefix("did:key:"))

    check_signature(document, proof, key)
    tampered = copy.deepcopy(document)
    tampered["credentialSubject"]["statusPurpose"] = "suspension"
    with pytest.raises(ssi.InvalidSignatureError):
        check_signature(tampered, proof, key)


# --- Building -------------------------------------------------------------------------


def test_build_entry_for_revocation():
    entry = build_status_entry(LIST_URL, 94567)

    assert entry == {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }
    assert parse_status_entry(entry).index == 94567


def test_build_entry_for_messages_round_trips():
    entry = build_status_entry(
        LIST_URL,
        7,
        purpose="message",
        status_size=2,
        messages=MESSAGES,
        entry_id=f"{LIST_URL}#7",
        reference="https://example.org/status-dictionary/",
    )

    assert entry["statusSize"] == 2
    assert entry["statusMessage"][2] == {"status": "0x2", "message": "rejected"}
    parsed = parse_status_entry(entry)
    assert parsed.messages == MESSAGES
    assert parsed.message_for(1) == "accepted"
    assert parsed.reference == ("https://example.org/status-dictionary/",)
    assert parsed.id == f"{LIST_URL}#7"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"index": -1},
        {"index": 1, "status_size": 2},  # two bits need four messages
        {"index": 1, "status_size": 2, "messages": MESSAGES[:3]},
        {"index": 1, "status_size": 9, "messages": ()},
        {"index": 1, "messages": (StatusMessage(0, "a"), StatusMessage(0, "b"))},
    ],
)
def test_build_entry_refuses_misuse(kwargs):
    with pytest.raises(ValueError, match=r"index|messages|status_size"):
        build_status_entry(LIST_URL, **kwargs)


def test_default_messages_are_placeholders_for_every_value():
    assert [m.status for m in default_messages(3)] == list(range(8))
    assert {m.message for m in default_messages(1)} == {"undefined"}


def test_build_list_credential_has_the_specified_shape():
    document = build_status_list_credential(
        LIST_URL,
        ISSUER,
        StatusList(),
        valid_from=datetime(2024, 1, 1, tzinfo=UTC),
        valid_until=datetime(2025, 1, 1, tzinfo=UTC),
        ttl=300000,
    )

    assert document == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": ISSUER,
        "validFrom": "2024-01-01T00:00:00Z",
        "validUntil": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{LIST_URL}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": StatusList().encode(),
            "ttl": 300000,
        },
    }
    parsed = parse_status_list_credential(document)
    assert parsed.ttl == 300000
    assert parsed.credential.valid_until == datetime(2025, 1, 1, tzinfo=UTC)


def test_build_list_credential_for_messages_and_several_purposes():
    message_list = build_status_list_credential(
        LIST_URL,
        ISSUER,
        StatusList(status_size=2),
        purpose="message",
        messages=MESSAGES,
    )
    both = build_status_list_credential(
        LIST_URL, ISSUER, StatusList(), purpose=["revocation", "suspension"]
    )

    subject = message_list["credentialSubject"]
    assert subject["statusSize"] == 2
    assert subject["statusMessage"][1] == {"status": "0x1", "message": "accepted"}
    assert parse_status_list_credential(message_list).status_size == 2
    assert parse_status_list_credential(both).purposes == ("revocation", "suspension")


@pytest.mark.parametrize(
    "kwargs", [{"purpose": []}, {"purpose": ""}, {"ttl": -1}, {"messages": MESSAGES}]
)
def test_build_list_credential_refuses_misuse(kwargs):
    with pytest.raises(ValueError, match=r"purpose|ttl|messages"):
        build_status_list_credential(LIST_URL, ISSUER, StatusList(), **kwargs)


# --- Parsing untrusted entries --------------------------------------------------------

GOOD_ENTRY = {
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "94567",
    "statusListCredential": LIST_URL,
}

BAD_ENTRIES = {
    "not an object": ("x", MalformedValueError),
    "index as a number": ({"statusListIndex": 94567}, MalformedValueError),
    "negative index": ({"statusListIndex": "-1"}, MalformedValueError),
    "hex index": ({"statusListIndex": "0x10"}, MalformedValueError),
    "empty index": ({"statusListIndex": ""}, MalformedValueError),
    "spaced index": ({"statusListIndex": " 1"}, MalformedValueError),
    "unicode digits": ({"statusListIndex": "\u0661\u0662"}, MalformedValueError),
    "purpose missing": ({"statusPurpose": None}, MalformedValueError),
    "purpose empty": ({"statusPurpose": ""}, MalformedValueError),
    "list URL missing": ({"statusListCredential": None}, MalformedValueError),
    "list URL not a URL": ({"statusListCredential": "lists-1"}, MalformedValueError),
    "id equals the list URL": ({"id": LIST_URL}, MalformedValueError),
    "id not a string": ({"id": 5}, MalformedValueError),
    "size zero": ({"statusSize": 0}, MalformedValueError),
    "size as string": ({"statusSize": "2"}, MalformedValueError),
    "size bool": ({"statusSize": True}, MalformedValueError),
    "size without messages": ({"statusSize": 2}, MalformedValueError),
    "size too wide": ({"statusSize": 12}, StatusVerificationError),
    "messages wrong count": (
        {"statusMessage": [{"status": "0x0", "message": "a"}]},
        MalformedValueError,
    ),
    "message status not hex": (
        {
            "statusMessage": [
                {"status": "0", "message": "a"},
                {"status": "0x1", "message": "b"},
            ]
        },
        MalformedValueError,
    ),
    "message status repeated": (
        {
            "statusMessage": [
                {"status": "0x1", "message": "a"},
                {"status": "0x1", "message": "b"},
            ]
        },
        MalformedValueError,
    ),
    "message status out of range": (
        {
            "statusMessage": [
                {"status": "0x0", "message": "a"},
                {"status": "0x2", "message": "b"},
            ]
        },
        MalformedValueError,
    ),
    "message text missing": (
        {"statusMessage": [{"status": "0x0"}, {"status": "0x1", "message": "b"}]},
        MalformedValueError,
    ),
    "reference not a URL": ({"statusReference": ["nope"]}, MalformedValueError),
    "other status type": ({"type": "StatusList2021Entry"}, StatusVerificationError),
}


@pytest.mark.parametrize(
    ("change", "error"), BAD_ENTRIES.values(), ids=BAD_ENTRIES.keys()
)
def test_malformed_entry_is_refused_with_the_spec_error(change, error):
    entry = {**GOOD_ENTRY, **change} if isinstance(change, dict) else change

    with pytest.raises(error):
        parse_status_entry(entry)


def test_one_message_table_for_a_one_bit_entry_is_allowed():
    entry = parse_status_entry(
        {
            **GOOD_ENTRY,
            "statusPurpose": "message",
            "statusMessage": [
                {"status": "0x0", "message": "valid", "extra": 1},
                {"status": "0X1", "message": "invalid"},
            ],
        }
    )

    assert entry.message_for(1) == "invalid"


def test_huge_index_parses_and_fails_later_as_out_of_range():
    entry = parse_status_entry({**GOOD_ENTRY, "statusListIndex": "9" * 40})

    assert entry.index > 8 * 16 * 1024 * 1024


# --- Parsing untrusted list credentials -----------------------------------------------


def _list() -> dict:
    return build_status_list_credential(LIST_URL, ISSUER, StatusList())


def _without_list_type(document: dict) -> None:
    document["type"] = ["VerifiableCredential"]


BAD_LISTS = {
    "type missing": _without_list_type,
    "subject type": lambda d: d["credentialSubject"].update(type="StatusList2021"),
    "purpose missing": lambda d: d["credentialSubject"].pop("statusPurpose"),
    "purpose empty list": lambda d: d["credentialSubject"].update(statusPurpose=[]),
    "purpose number": lambda d: d["credentialSubject"].update(statusPurpose=[1]),
    "encodedList missing": lambda d: d["credentialSubject"].pop("encodedList"),
    "ttl negative": lambda d: d["credentialSubject"].update(ttl=-5),
    "ttl string": lambda d: d["credentialSubject"].update(ttl="300000"),
    "two subjects": lambda d: d.update(
        credentialSubject=[d["credentialSubject"], d["credentialSubject"]]
    ),
    "size zero": lambda d: d["credentialSubject"].update(statusSize=0),
    "issuer missing": lambda d: d.pop("issuer"),
}


@pytest.mark.parametrize("change", BAD_LISTS.values(), ids=BAD_LISTS.keys())
def test_malformed_list_credential_is_a_malformed_value_error(change):
    document = _list()
    change(document)

    with pytest.raises(MalformedValueError):
        parse_status_list_credential(document)


def test_test_suite_list_without_issuer_is_not_a_conforming_credential():
    document = load.json_file(
        "bitstring-status-list", "w3c-test-suite", "single-purpose-ok.jsonld"
    )

    with pytest.raises(MalformedValueError, match="issuer"):
        parse_status_list_credential(document)
