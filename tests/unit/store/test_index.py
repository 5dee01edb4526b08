"""The generic index rules (docs/store.md, Indexes), on unsigned documents:
the rules read the data model and CID syntax only."""

from __future__ import annotations

from datetime import UTC, datetime

from ssi.cid import blob_cid, object_cid
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
