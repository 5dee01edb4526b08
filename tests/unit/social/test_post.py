"""Posts, retractions and reactions: built, secured by both EdDSA suites,
verified and read back; every malformed object is refused with an error that
names its field."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ssi
from ssi.cid import blob_cid, object_cid
from ssi.errors import InvalidCIDError, MalformedValueError, ParsingError, SSIError
from ssi.keys import Ed25519KeyPair
from ssi.social import (
    AGORA_CONTEXT,
    MAX_CONTENT_BYTES,
    Attachment,
    Post,
    Reaction,
    Retraction,
    post_credential,
    reaction_credential,
    read_post,
    read_reaction,
    read_retraction,
    retraction_credential,
)

KEY = Ed25519KeyPair.from_seed(bytes([11]) * 32)
SIGNER = ssi.signer(KEY)
AUTHOR = SIGNER.key_id.split("#")[0]
OTHER = "did:example:bob"
COMMUNITY = "did:example:engines"
PUBLISHED = datetime(2025, 3, 1, 12, 30, tzinfo=UTC)
CREATED = "2025-03-01T12:30:00Z"
NOW = datetime(2025, 6, 1, tzinfo=UTC)
PARENT = object_cid({"a post": 1})
EARLIER = object_cid({"a post": 0})
IMAGE = Attachment.of(b"\x89PNG...", media_type="image/png", name="diagram.png")
SUITES = ["eddsa-jcs-2022", "eddsa-rdfc-2022"]


def full_post(**changes):
    options = {
        "media_type": "text/markdown",
        "language": "pt-BR",
        "in_reply_to": PARENT,
        "community": COMMUNITY,
        "tags": ["engines", "maths ✓"],
        "mentions": [OTHER, "did:web:example.com"],
        "attachments": [IMAGE, Attachment(blob_cid(b""), "text/csv", 0)],
        "replaces": EARLIER,
        "published": PUBLISHED,
    }
    options.update(changes)
    return post_credential(AUTHOR, "Olá, *mundo* 🌍\n\nsecond paragraph", **options)


def minimal_post():
    return post_credential(AUTHOR, "hello", published=PUBLISHED)


def a_retraction():
    return retraction_credential(AUTHOR, PARENT, published=PUBLISHED)


def a_reaction(reaction="endorse", emoji=None):
    return reaction_credential(
        AUTHOR, PARENT, reaction, emoji=emoji, published=PUBLISHED
    )


# --- Shapes ---------------------------------------------------------------------


def test_the_post_wire_shape():
    credential = full_post()
    assert credential == {
        "@context": ["https://www.w3.org/ns/credentials/v2", AGORA_CONTEXT],
        "type": ["VerifiableCredential", "Post"],
        "issuer": AUTHOR,
        "validFrom": "2025-03-01T12:30:00Z",
        "credentialSubject": {
            "content": "Olá, *mundo* 🌍\n\nsecond paragraph",
            "mediaType": "text/markdown",
            "language": "pt-BR",
            "inReplyTo": PARENT,
            "community": COMMUNITY,
            "replaces": EARLIER,
            "tags": ["engines", "maths ✓"],
            "mentions": [OTHER, "did:web:example.com"],
            "attachments": [
                {
                    "cid": blob_cid(b"\x89PNG..."),
                    "mediaType": "image/png",
                    "size": 7,
                    "name": "diagram.png",
                },
                {"cid": blob_cid(b""), "mediaType": "text/csv", "size": 0},
            ],
        },
    }


def test_the_minimal_post_wire_shape():
    assert minimal_post()["credentialSubject"] == {
        "content": "hello",
        "mediaType": "text/plain",
    }


def test_the_retraction_and_reaction_wire_shapes():
    assert a_retraction()["type"] == ["VerifiableCredential", "Retraction"]
    assert a_retraction()["credentialSubject"] == {"retracts": PARENT}
    assert a_reaction()["type"] == ["VerifiableCredential", "Reaction"]
    assert a_reaction()["credentialSubject"] == {
        "reactsTo": PARENT,
        "reaction": "endorse",
    }
    assert a_reaction("emoji", "👍🏽")["credentialSubject"] == {
        "reactsTo": PARENT,
        "reaction": "emoji",
        "emoji": "👍🏽",
    }


def test_published_is_written_in_utc_with_milliseconds_only_when_given():
    east = timezone(timedelta(hours=2))
    moment = datetime(2025, 3, 1, 14, 30, tzinfo=east)
    assert post_credential(AUTHOR, "x", published=moment)["validFrom"] == (
        "2025-03-01T12:30:00Z"
    )
    precise = PUBLISHED.replace(microsecond=250_000)
    credential = post_credential(AUTHOR, "x", published=precise)
    assert credential["validFrom"] == "2025-03-01T12:30:00.250Z"
    assert read_post(credential).published == precise


def test_a_naive_time_is_a_programming_error():
    with pytest.raises(ValueError, match="timezone"):
        post_credential(AUTHOR, "x", published=datetime(2025, 1, 1))


def test_tags_given_as_one_string_are_a_programming_error():
    with pytest.raises(TypeError):
        post_credential(AUTHOR, "x", tags="engines", published=PUBLISHED)


# --- Round trips through issue and verify, both suites ---------------------------


@pytest.mark.parametrize("suite", SUITES)
def test_a_full_post_round_trips(suite):
    signed = ssi.issue(full_post(), SIGNER, suite=suite, created=CREATED)
    report = ssi.verify(signed, now=NOW)
    assert report.verified, report.to_json()
    assert read_post(signed) == Post(
        author=AUTHOR,
        published=PUBLISHED,
        content="Olá, *mundo* 🌍\n\nsecond paragraph",
        media_type="text/markdown",
        language="pt-BR",
        in_reply_to=PARENT,
        community=COMMUNITY,
        tags=("engines", "maths ✓"),
        mentions=(OTHER, "did:web:example.com"),
        attachments=(IMAGE, Attachment(blob_cid(b""), "text/csv", 0)),
        replaces=EARLIER,
    )


@pytest.mark.parametrize("suite", SUITES)
def test_a_minimal_post_round_trips(suite):
    signed = ssi.issue(minimal_post(), SIGNER, suite=suite, created=CREATED)
    assert ssi.verify(signed, now=NOW).verified
    assert read_post(signed) == Post(AUTHOR, PUBLISHED, "hello")


@pytest.mark.parametrize("suite", SUITES)
def test_a_retraction_round_trips(suite):
    signed = ssi.issue(a_retraction(), SIGNER, suite=suite, created=CREATED)
    assert ssi.verify(signed, now=NOW).verified
    assert read_retraction(signed) == Retraction(AUTHOR, PUBLISHED, PARENT)


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize(
    ("reaction", "emoji"),
    [("endorse", None), ("disagree", None), ("emoji", "👨‍👩‍👧"), ("emoji", "+1")],
)
def test_a_reaction_round_trips(suite, reaction, emoji):
    signed = ssi.issue(
        a_reaction(reaction, emoji), SIGNER, suite=suite, created=CREATED
    )
    assert ssi.verify(signed, now=NOW).verified
    read = read_reaction(signed)
    assert read == Reaction(AUTHOR, PUBLISHED, PARENT, reaction, emoji)
    assert read.value == (emoji or reaction)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: s.update(content="changed"),
        lambda s: s["tags"].reverse(),
        lambda s: s["mentions"].pop(),
        lambda s: s["attachments"][0].update(size=8),
        lambda s: s.update(inReplyTo=EARLIER),
        lambda s: s.update(language="en"),
    ],
    ids=["content", "tag-order", "mention", "attachment-size", "reply", "language"],
)
def test_rdfc_signs_every_post_term(tamper):
    signed = ssi.issue(full_post(), SIGNER, suite="eddsa-rdfc-2022", created=CREATED)
    tamper(signed["credentialSubject"])
    report = ssi.verify(signed, now=NOW)
    assert not report.verified
    assert report.problems[0].error.code == "PROOF_VERIFICATION_ERROR"


def test_rdfc_signs_the_reaction_terms():
    signed = ssi.issue(
        a_reaction("emoji", "🎉"), SIGNER, suite="eddsa-rdfc-2022", created=CREATED
    )
    signed["credentialSubject"]["emoji"] = "🎊"
    assert not ssi.verify(signed, now=NOW).verified


def test_the_dataclasses_serialize_to_json():
    post = read_post(full_post())
    body = post.to_json()
    assert body["author"] == AUTHOR
    assert body["published"] == "2025-03-01T12:30:00Z"
    assert body["attachments"][0]["cid"] == IMAGE.cid
    assert body["tags"] == ["engines", "maths ✓"]
    assert read_reaction(a_reaction("emoji", "🎉")).to_json()["emoji"] == "🎉"
    assert read_retraction(a_retraction()).to_json()["retracts"] == PARENT


# --- Malformed objects: clear errors naming the field ---------------------------

BAD_POSTS = {
    "content-missing": (lambda s: s.pop("content"), r"content is required"),
    "content-number": (lambda s: s.update(content=5), r"content must be a string"),
    "content-oversize": (
        lambda s: s.update(content="é" * (MAX_CONTENT_BYTES // 2 + 1)),
        r"content has 65538 bytes",
    ),
    "content-empty": (
        lambda s: (s.update(content="  "), s.pop("attachments")),
        r"content is empty and the post has no attachments",
    ),
    "content-surrogate": (
        lambda s: s.update(content="a\ud800"),
        r"content|surrogate|JSON",
    ),
    "media-type": (
        lambda s: s.update(mediaType="text/html"),
        r"mediaType must be text/plain or text/markdown",
    ),
    "media-type-missing": (lambda s: s.pop("mediaType"), r"mediaType must be"),
    "language": (lambda s: s.update(language="not a tag"), r"language must be"),
    "language-type": (lambda s: s.update(language=["en"]), r"language must be"),
    "reply-to-non-cid": (
        lambda s: s.update(inReplyTo="https://example.com/post/1"),
        r"inReplyTo",
    ),
    "reply-to-blob": (lambda s: s.update(inReplyTo=blob_cid(b"x")), r"inReplyTo"),
    "reply-to-number": (lambda s: s.update(inReplyTo=7), r"inReplyTo"),
    "replaces-non-cid": (lambda s: s.update(replaces="QmX"), r"replaces"),
    "community-non-did": (
        lambda s: s.update(community="engines"),
        r"community must be a DID",
    ),
    "tags-string": (lambda s: s.update(tags="a"), r"tags must be an array"),
    "tags-too-many": (
        lambda s: s.update(tags=[f"t{i}" for i in range(33)]),
        r"tags has 33 items; at most 32",
    ),
    "tag-too-long": (lambda s: s.update(tags=["x" * 65]), r"tags\[0\] has 65"),
    "tag-empty": (lambda s: s.update(tags=["ok", ""]), r"tags\[1\] must not be empty"),
    "tag-control": (lambda s: s.update(tags=["a\x1b[31m"]), r"tags\[0\] holds"),
    "tag-bidi": (lambda s: s.update(tags=["a\u202eb"]), r"U\+202E"),
    "tag-number": (lambda s: s.update(tags=[1]), r"tags\[0\] must be a string"),
    "tag-repeated": (lambda s: s.update(tags=["a", "a"]), r"tags\[1\] repeats"),
    "mentions-too-many": (
        lambda s: s.update(mentions=[f"did:example:{i}" for i in range(65)]),
        r"mentions has 65 items; at most 64",
    ),
    "mention-bad-did": (
        lambda s: s.update(mentions=[OTHER, "did:bad"]),
        r"mentions\[1\] must be a DID",
    ),
    "mention-url": (
        lambda s: s.update(mentions=["https://example.com"]),
        r"mentions\[0\] must be a DID",
    ),
    "mention-did-url": (
        lambda s: s.update(mentions=[OTHER + "#key-1"]),
        r"mentions\[0\] must be a DID",
    ),
    "mention-null": (lambda s: s.update(mentions=[None]), r"mentions\[0\]"),
    "attachments-too-many": (
        lambda s: s.update(attachments=[IMAGE.to_json()] * 17),
        r"attachments has 17 items; at most 16",
    ),
    "attachment-string": (
        lambda s: s.update(attachments=["x"]),
        r"attachments\[0\] must be an object",
    ),
    "attachment-object-cid": (
        lambda s: s["attachments"][0].update(cid=PARENT),
        r"attachments\[0\]\.cid",
    ),
    "attachment-no-size": (
        lambda s: s["attachments"][1].pop("size"),
        r"attachments\[1\]\.size is required",
    ),
    "attachment-negative-size": (
        lambda s: s["attachments"][0].update(size=-1),
        r"size must be between 0",
    ),
    "attachment-float-size": (
        lambda s: s["attachments"][0].update(size=1.5),
        r"size must be an integer",
    ),
    "attachment-bool-size": (
        lambda s: s["attachments"][0].update(size=True),
        r"size must be an integer",
    ),
    "attachment-media-type": (
        lambda s: s["attachments"][0].update(mediaType="png"),
        r"attachments\[0\]\.mediaType must be a media type",
    ),
    "attachment-name-control": (
        lambda s: s["attachments"][0].update(name="a\nb"),
        r"attachments\[0\]\.name holds",
    ),
    "attachment-name-null": (
        lambda s: s["attachments"][0].update(name=None),
        r"name must be a string",
    ),
    "attachment-extra": (
        lambda s: s["attachments"][0].update(url="https://x"),
        r"'url' is not a member of an attachment",
    ),
    "extra-member": (
        lambda s: s.update(likes=3),
        r"'likes' is not a member of a Post",
    ),
}


@pytest.mark.parametrize(
    ("tamper", "message"), list(BAD_POSTS.values()), ids=list(BAD_POSTS)
)
def test_malformed_posts_are_refused_naming_the_field(tamper, message):
    credential = full_post()
    tamper(credential["credentialSubject"])
    with pytest.raises(SSIError, match=message) as caught:
        read_post(credential)
    assert isinstance(caught.value, MalformedValueError | ParsingError)
    assert len(caught.value.detail) < 300


@pytest.mark.parametrize(
    "field", ["inReplyTo", "replaces"], ids=["reply-to", "replaces"]
)
def test_a_bad_cid_is_an_invalid_cid_error_naming_the_field(field):
    credential = full_post()
    credential["credentialSubject"][field] = "not-a-cid"
    with pytest.raises(InvalidCIDError, match=rf"credentialSubject\.{field}"):
        read_post(credential)


BAD_ENVELOPES = {
    "not-an-object": (lambda c: ["a list"], ParsingError, r"JSON object"),
    "no-agora-context": (
        lambda c: c.update({"@context": ["https://www.w3.org/ns/credentials/v2"]}),
        MalformedValueError,
        r"@context",
    ),
    "other-type": (
        lambda c: c.update(type=["VerifiableCredential", "Ballot"]),
        MalformedValueError,
        r"\$\.type must be",
    ),
    "two-types": (
        lambda c: c.update(type=["VerifiableCredential", "Post", "Reaction"]),
        MalformedValueError,
        r"\$\.type must be",
    ),
    "issuer-not-a-did": (
        lambda c: c.update(issuer="https://example.com/alice"),
        MalformedValueError,
        r"\$\.issuer must be the author's DID",
    ),
    "no-valid-from": (
        lambda c: c.__delitem__("validFrom"),
        MalformedValueError,
        r"validFrom is required",
    ),
    "two-subjects": (
        lambda c: c.update(credentialSubject=[{"content": "a"}, {"content": "b"}]),
        MalformedValueError,
        r"credentialSubject must be one object",
    ),
    "subject-string": (
        lambda c: c.update(credentialSubject="hello"),
        MalformedValueError,
        r"credentialSubject",
    ),
}


@pytest.mark.parametrize(
    ("change", "error", "message"),
    list(BAD_ENVELOPES.values()),
    ids=list(BAD_ENVELOPES),
)
@pytest.mark.parametrize(
    ("build", "read"),
    [
        (minimal_post, read_post),
        (a_retraction, read_retraction),
        (a_reaction, read_reaction),
    ],
    ids=["post", "retraction", "reaction"],
)
def test_every_type_refuses_a_bad_envelope(build, read, change, error, message):
    credential = build()
    replaced = change(credential)
    if replaced is not None:
        credential = replaced
    with pytest.raises(error, match=message):
        read(credential)


def test_each_reader_refuses_the_other_types():
    for credential, readers in [
        (minimal_post(), (read_retraction, read_reaction)),
        (a_retraction(), (read_post, read_reaction)),
        (a_reaction(), (read_post, read_retraction)),
    ]:
        for read in readers:
            with pytest.raises(MalformedValueError, match=r"\$\.type must be"):
                read(copy.deepcopy(credential))


BAD_RETRACTIONS = {
    "missing": (
        lambda s: s.pop("retracts"),
        MalformedValueError,
        r"credentialSubject",
    ),
    "not-a-cid": (
        lambda s: s.update(retracts="urn:uuid:1"),
        InvalidCIDError,
        r"credentialSubject\.retracts",
    ),
    "blob": (
        lambda s: s.update(retracts=blob_cid(b"")),
        InvalidCIDError,
        r"credentialSubject\.retracts",
    ),
    "list": (
        lambda s: s.update(retracts=[PARENT]),
        InvalidCIDError,
        r"retracts: A CID must be a string",
    ),
    "extra": (
        lambda s: s.update(reason="typo"),
        MalformedValueError,
        r"'reason' is not a member of a Retraction",
    ),
}


@pytest.mark.parametrize(
    ("tamper", "error", "message"),
    list(BAD_RETRACTIONS.values()),
    ids=list(BAD_RETRACTIONS),
)
def test_malformed_retractions_are_refused(tamper, error, message):
    credential = a_retraction()
    tamper(credential["credentialSubject"])
    with pytest.raises(error, match=message):
        read_retraction(credential)


BAD_REACTIONS = {
    "no-target": (lambda s: s.pop("reactsTo"), MalformedValueError, r"reactsTo is"),
    "target-not-a-cid": (
        lambda s: s.update(reactsTo="did:example:x"),
        InvalidCIDError,
        r"credentialSubject\.reactsTo",
    ),
    "no-value": (lambda s: s.pop("reaction"), MalformedValueError, r"reaction is"),
    "unknown-value": (
        lambda s: s.update(reaction="like"),
        MalformedValueError,
        r"reaction must be endorse, disagree or emoji",
    ),
    "value-number": (
        lambda s: s.update(reaction=1),
        MalformedValueError,
        r"reaction must be a string",
    ),
    "emoji-without-text": (
        lambda s: s.update(reaction="emoji"),
        MalformedValueError,
        r"emoji is required",
    ),
    "text-without-emoji": (
        lambda s: s.update(emoji="👍"),
        MalformedValueError,
        r"emoji is allowed only with",
    ),
    "emoji-too-long": (
        lambda s: s.update(reaction="emoji", emoji="👍" * 17),
        MalformedValueError,
        r"emoji has 17 characters; at most 16",
    ),
    "emoji-control": (
        lambda s: s.update(reaction="emoji", emoji="\x07"),
        MalformedValueError,
        r"U\+0007",
    ),
    "emoji-bidi": (
        lambda s: s.update(reaction="emoji", emoji="\u202e👍"),
        MalformedValueError,
        r"U\+202E",
    ),
    "emoji-empty": (
        lambda s: s.update(reaction="emoji", emoji=""),
        MalformedValueError,
        r"emoji must not be empty",
    ),
    "emoji-object": (
        lambda s: s.update(reaction="emoji", emoji={"text": "👍"}),
        MalformedValueError,
        r"emoji must be a string",
    ),
}


@pytest.mark.parametrize(
    ("tamper", "error", "message"),
    list(BAD_REACTIONS.values()),
    ids=list(BAD_REACTIONS),
)
def test_malformed_reactions_are_refused(tamper, error, message):
    credential = a_reaction()
    tamper(credential["credentialSubject"])
    with pytest.raises(error, match=message):
        read_reaction(credential)


def test_builders_refuse_what_readers_refuse():
    with pytest.raises(MalformedValueError, match="tags has 33"):
        post_credential(
            AUTHOR, "x", tags=[str(i) for i in range(33)], published=PUBLISHED
        )
    with pytest.raises(InvalidCIDError, match="inReplyTo"):
        post_credential(AUTHOR, "x", in_reply_to="nope", published=PUBLISHED)
    with pytest.raises(MalformedValueError, match="issuer"):
        retraction_credential("alice", PARENT, published=PUBLISHED)
    with pytest.raises(MalformedValueError, match="emoji is allowed only"):
        reaction_credential(AUTHOR, PARENT, "endorse", emoji="👍", published=PUBLISHED)


def test_content_at_the_cap_is_accepted():
    content = "é" * (MAX_CONTENT_BYTES // 2)
    assert read_post(post_credential(AUTHOR, content, published=PUBLISHED)).content


def test_caps_exactly_at_the_limit_are_accepted():
    post = read_post(
        post_credential(
            AUTHOR,
            "x",
            tags=[f"{i:02d}" + "x" * 62 for i in range(32)],
            mentions=[f"did:example:{i}" for i in range(64)],
            attachments=[Attachment(blob_cid(bytes([i])), "a/b", i) for i in range(16)],
            published=PUBLISHED,
        )
    )
    assert (len(post.tags), len(post.mentions), len(post.attachments)) == (32, 64, 16)


def test_an_attachment_only_post_may_have_empty_content():
    post = read_post(
        post_credential(AUTHOR, "", attachments=[IMAGE], published=PUBLISHED)
    )
    assert post.content == ""


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=10)
    | st.sampled_from([PARENT, blob_cid(b""), OTHER, "b", "did:"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
_KEYS = ["content", "mediaType", "language", "inReplyTo", "community", "tags"]
_KEYS += ["mentions", "attachments", "replaces", "retracts", "reactsTo"]
_KEYS += ["reaction", "emoji", "other"]


@settings(max_examples=200, deadline=None)
@given(
    which=st.sampled_from(["post", "retraction", "reaction"]),
    changes=st.dictionaries(st.sampled_from(_KEYS), _json, min_size=1, max_size=3),
)
def test_any_value_in_any_field_gives_an_error_or_a_reading(which, changes):
    build, read = {
        "post": (full_post, read_post),
        "retraction": (a_retraction, read_retraction),
        "reaction": (a_reaction, read_reaction),
    }[which]
    credential = build()
    credential["credentialSubject"].update(changes)
    error: SSIError | None = None
    try:
        read(credential)
    except SSIError as exc:
        error = exc
    if error is not None:
        assert error.code
        assert len(error.detail) < 400
