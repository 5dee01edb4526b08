"""The generic index rules (docs/store.md, Indexes), on unsigned documents:
the rules read the data model and CID syntax only."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from ssi.cid import (
    JSON_CODEC,
    RAW_CODEC,
    blob_cid,
    cid_codec,
    is_cid,
    object_cid,
    parse_cid,
)
from ssi.cid import canonical_object_cid as cid_of_canonical
from ssi.errors import InvalidCIDError
from ssi.jsonld.canon import canonicalize_jcs
from ssi.store import MAX_REFERENCES, index_object

A = object_cid({"n": 1})
B = object_cid({"n": 2})
RAW = blob_cid(b"bytes")


def test_a_post_with_everything():
    index = index_object(
        {
            "type": ["VerifiableCredential", "Post", "Announcement"],
            "issuer": {"id": "did:example:alice", "name": "Alice"},
            "validFrom": "2025-03-04T05:06:07+02:00",
            "credentialSubject": {
                "community": "did:example:c",
                "inReplyTo": A,
                "content": f"see {B} (not a reference: inside text)",
                "attachments": [{"cid": RAW, "mediaType": "image/png"}],
            },
            "proof": {"created": "2020-01-01T00:00:00Z"},
        }
    )
    assert index.types == ("Post", "Announcement")
    assert index.author == "did:example:alice"
    assert index.community == "did:example:c"
    assert index.reply_to == A
    assert set(index.refers_to) == {A, RAW}
    assert index.time == datetime(2025, 3, 4, 3, 6, 7, tzinfo=UTC)


def test_a_presentation_is_authored_by_its_holder():
    index = index_object(
        {
            "type": "VerifiablePresentation",
            "holder": "did:example:holder",
            "issuer": "did:example:not-this",
            "proof": [
                {"created": "2025-01-02T00:00:00Z"},
                {"created": "1999-01-01T00:00:00Z"},
            ],
        }
    )
    assert index.types == ()
    assert index.author == "did:example:holder"
    assert index.time == datetime(2025, 1, 2, tzinfo=UTC)
    assert index.refers_to == ()


def test_the_first_subject_gives_community_and_reply_but_all_give_references():
    index = index_object(
        {
            "type": ["VerifiableCredential"],
            "issuer": "did:example:x",
            "credentialSubject": [
                {"community": ["not", "a", "string"], "inReplyTo": 7},
                {"community": "did:example:second", "inReplyTo": A, "ref": B},
            ],
        }
    )
    assert index.community is None
    assert index.reply_to is None
    assert set(index.refers_to) == {A, B}
    assert index.time is None


def test_strings_outside_the_subject_and_lookalikes_are_not_references():
    index = index_object(
        {
            "type": ["VerifiableCredential"],
            "issuer": "did:example:x",
            "id": A,
            "credentialSubject": {
                "upper": A.upper(),
                "short": A[:-2],
                "other base": "z" + A[1:],
                "padded": A + "=",
                "inside": f"<{A}>",
            },
        }
    )
    assert index.refers_to == ()


def test_references_are_in_one_order_whatever_the_key_order():
    subject = {"z": A, "a": [B, {"m": RAW, "b": A}]}
    reordered = {"a": [B, {"b": A, "m": RAW}], "z": A}
    first = index_object({"credentialSubject": subject})
    second = index_object({"credentialSubject": reordered})
    assert first.refers_to == second.refers_to == (B, A, RAW)


def test_one_cid_met_in_several_places_is_one_reference():
    subject = {"z": [A, {"deep": [[A]]}], "a": "bafy-not-a-cid", "m": {"x": A}}
    index = index_object({"credentialSubject": subject})
    assert index.refers_to == (A,)
    # A second CID anywhere makes the order matter: JCS order again.
    index = index_object({"credentialSubject": dict(subject, b=B)})
    assert index.refers_to == (B, A)


def test_references_are_capped():
    many = [object_cid({"n": n}) for n in range(MAX_REFERENCES + 10)]
    index = index_object({"credentialSubject": {"list": many + many}})
    assert index.refers_to == tuple(many[:MAX_REFERENCES])


def test_unreadable_values_are_left_out():
    index = index_object(
        {
            "type": 5,
            "issuer": {"name": "no id"},
            "validFrom": "yesterday",
            "proof": {"created": "not a time"},
            "credentialSubject": "a string",
        }
    )
    assert index.types == ()
    assert index.author is None
    assert index.time is None
    assert index.refers_to == ()


def test_a_bad_valid_from_falls_back_to_the_proof_time():
    index = index_object(
        {"validFrom": 12, "proof": {"created": "2025-01-01T00:00:00Z"}}
    )
    assert index.time == datetime(2025, 1, 1, tzinfo=UTC)


# --- The fast CID check agrees with ssi.cid ---------------------------------------


def _variants(cid: str) -> list[object]:
    """Strings near a CID: each character changed, cut, padded, re-cased, and
    the same bytes under other prefixes (CIDv0-like, other hashes, codecs)."""
    found: list[object] = [
        cid,
        cid.upper(),
        cid + "=",
        cid[:-1],
        cid + "a",
        "B" + cid[1:],
    ]
    for position in range(len(cid)):
        for letter in ("a", "q", "7", "z", "1", "="):
            found.append(cid[:position] + letter + cid[position + 1 :])
    raw = base64.b32decode(cid[1:].upper() + "=" * (-(len(cid) - 1) % 8))
    digest = raw[-32:]
    for prefix in (
        bytes([0x01, 0x71, 0x12, 0x20]),  # dag-cbor
        bytes([0x01, 0x55, 0x13, 0x20]),  # sha3-512 code with a 32-byte digest
        bytes([0x00, 0x55, 0x12, 0x20]),  # version 0
        bytes([0x12, 0x20]),  # a bare multihash
        bytes([0x01, 0x80, 0x04, 0x12, 0x20]),  # json (valid)
    ):
        text = base64.b32encode(prefix + digest).decode().rstrip("=").lower()
        found.append("b" + text)
    found += [None, 7, "", "b", "z" + cid[1:]]
    return found


@pytest.mark.parametrize("cid", [A, B, RAW, object_cid([]), blob_cid(b"")])
def test_the_fast_cid_check_accepts_what_parse_cid_accepts(cid):
    for text in _variants(cid):
        try:
            expected: int | None = parse_cid(text).codec
        except InvalidCIDError:
            expected = None
        assert cid_codec(text) == expected, text
        assert is_cid(text) == (expected is not None)
    assert cid_codec(A) == JSON_CODEC
    assert cid_codec(RAW) == RAW_CODEC


@pytest.mark.parametrize("value", [{}, {"n": 1}, {"é": ["ü", 1.5, None, True]}])
def test_the_cid_of_canonical_bytes_is_object_cid(value):
    assert cid_of_canonical(canonicalize_jcs(value)) == object_cid(value)
