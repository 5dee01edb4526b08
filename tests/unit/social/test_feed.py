"""Feeds: reply trees, edits, retractions, reactions, orphans and ignored
objects, built deterministically in linear work; nobody but a post's author
edits or retracts it."""

from __future__ import annotations

import json
import pickle
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ssi
from ssi.cid import object_cid
from ssi.keys import Ed25519KeyPair
from ssi.social import (
    IGNORED_REASONS,
    Post,
    Reaction,
    Retraction,
    build_feed,
    post_credential,
    reaction_credential,
    read_social_object,
    retraction_credential,
)

ALICE = "did:example:alice"
BOB = "did:example:bob"
CAROL = "did:example:carol"
T0 = datetime(2025, 1, 1, tzinfo=UTC)
MISSING = object_cid({"not": "in the set"})


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


class Objects:
    """A set of objects under construction: each builder returns the CID."""

    def __init__(self):
        self.items: list[tuple[str, dict]] = []

    def add(self, credential) -> str:
        cid = object_cid(credential)
        self.items.append((cid, credential))
        return cid

    def post(self, author, text, minute=0, **options) -> str:
        return self.add(post_credential(author, text, published=at(minute), **options))

    def retract(self, author, target, minute=0) -> str:
        return self.add(retraction_credential(author, target, published=at(minute)))

    def react(self, author, target, value, minute=0) -> str:
        if value in ("endorse", "disagree"):
            credential = reaction_credential(
                author, target, value, published=at(minute)
            )
        else:
            credential = reaction_credential(
                author, target, "emoji", emoji=value, published=at(minute)
            )
        return self.add(credential)

    def feed(self):
        return build_feed(self.items)


def shown(feed, cid):
    post = feed.entry(cid).post
    return None if post is None else post.content


# --- Threads -------------------------------------------------------------------


def test_replies_form_a_tree_in_depth_first_order():
    o = Objects()
    a = o.post(ALICE, "a", 0)
    d = o.post(BOB, "d", 5)
    c = o.post(CAROL, "c", 3, in_reply_to=a)
    b = o.post(BOB, "b", 1, in_reply_to=a)
    b1 = o.post(ALICE, "b1", 2, in_reply_to=b)
    feed = o.feed()
    assert [(e.cid, e.depth) for e in feed.entries] == [
        (a, 0),
        (b, 1),
        (b1, 2),
        (c, 1),
        (d, 0),
    ]
    assert feed.threads == (a, d)
    assert feed.orphans == ()
    assert feed.entry(a).replies == (b, c)
    assert feed.entry(b1).parent == b
    assert feed.entry(a).parent is None
    assert feed.ignored == ()


def test_siblings_at_the_same_time_are_ordered_by_cid():
    o = Objects()
    root = o.post(ALICE, "root")
    replies = [o.post(BOB, f"reply {i}", 1, in_reply_to=root) for i in range(6)]
    assert o.feed().entry(root).replies == tuple(sorted(replies))


def test_the_order_of_the_input_does_not_matter():
    o = Objects()
    a = o.post(ALICE, "a")
    b = o.post(BOB, "b", 1, in_reply_to=a)
    o.post(ALICE, "a edited", 2, replaces=a)
    o.react(BOB, a, "endorse", 3)
    o.retract(ALICE, b, 4)
    o.retract(BOB, b, 5)
    o.post(CAROL, "orphan", 6, in_reply_to=MISSING)
    forward = o.feed().to_json()
    o.items.reverse()
    assert o.feed().to_json() == forward
    o.items = o.items[3:] + o.items[:3] + o.items[:2]  # with duplicates
    assert o.feed().to_json() == forward


def test_orphans_are_listed_with_their_replies():
    o = Objects()
    orphan = o.post(ALICE, "answering something we do not have", in_reply_to=MISSING)
    reply = o.post(BOB, "reply to the orphan", 1, in_reply_to=orphan)
    thread = o.post(CAROL, "a thread", 2)
    feed = o.feed()
    assert feed.orphans == (orphan,)
    assert feed.threads == (thread,)
    assert [(e.cid, e.depth) for e in feed.entries] == [
        (thread, 0),
        (orphan, 0),
        (reply, 1),
    ]
    assert feed.entry(orphan).orphan
    assert feed.entry(orphan).in_reply_to == MISSING
    assert not feed.entry(reply).orphan


def test_a_reply_to_something_that_is_not_a_post_is_an_orphan():
    o = Objects()
    post = o.post(ALICE, "a")
    reaction = o.react(BOB, post, "endorse")
    reply = o.post(CAROL, "answering a reaction", 1, in_reply_to=reaction)
    assert o.feed().orphans == (reply,)


# --- Edits ---------------------------------------------------------------------


def test_the_latest_edit_by_the_author_is_shown():
    o = Objects()
    a = o.post(ALICE, "first", 0, tags=["v1"])
    e2 = o.post(ALICE, "third", 20, replaces=a)
    e1 = o.post(ALICE, "second", 10, replaces=a)
    entry = o.feed().entry(a)
    assert entry.post is not None
    assert (entry.post.content, entry.post.tags) == ("third", ())
    assert entry.current == e2
    assert entry.edits == (e1, e2)
    assert entry.edited == at(20)
    assert entry.published == at(0)
    assert [e.cid for e in o.feed().entries] == [a]


def test_an_edit_of_an_edit_resolves_to_the_original():
    o = Objects()
    a = o.post(ALICE, "v1", 0)
    e1 = o.post(ALICE, "v2", 1, replaces=a)
    e2 = o.post(ALICE, "v3", 2, replaces=e1)
    reply = o.post(BOB, "answering v2", 3, in_reply_to=e1)
    o.react(CAROL, e2, "endorse", 4)
    feed = o.feed()
    assert [e.cid for e in feed.entries] == [a, reply]
    entry = feed.entry(a)
    assert entry.edits == (e1, e2)
    assert shown(feed, a) == "v3"
    assert entry.replies == (reply,)
    assert feed.entry(reply).parent == a
    assert [(r.value, r.count) for r in entry.reactions] == [("endorse", 1)]


def test_edits_at_the_same_time_are_ordered_by_cid():
    o = Objects()
    a = o.post(ALICE, "v1", 0)
    edits = [o.post(ALICE, f"edit {i}", 5, replaces=a) for i in range(5)]
    assert o.feed().entry(a).current == max(edits)


def test_an_edit_does_not_move_a_post():
    o = Objects()
    a = o.post(ALICE, "thread")
    b = o.post(BOB, "reply", 1, in_reply_to=a)
    o.post(BOB, "reply, edited to answer nothing", 2, replaces=b, community=CAROL)
    feed = o.feed()
    assert feed.entry(b).parent == a
    assert feed.entry(b).in_reply_to == a
    assert feed.entry(b).community is None
    assert shown(feed, b) == "reply, edited to answer nothing"


def test_nobody_else_edits_a_post():
    o = Objects()
    a = o.post(ALICE, "mine", 0)
    forged = o.post(BOB, "hijacked", 99, replaces=a)
    mine = o.post(ALICE, "mine, edited", 1, replaces=a)
    forged_again = o.post(BOB, "hijacked again", 100, replaces=mine)
    chained = o.post(BOB, "editing the forgery", 101, replaces=forged)
    feed = o.feed()
    assert shown(feed, a) == "mine, edited"
    assert feed.entry(a).edits == (mine,)
    reasons = {i.cid: i.reason for i in feed.ignored}
    assert reasons == {
        forged: "notAuthor",
        forged_again: "notAuthor",
        chained: "notAuthor",
    }
    assert [e.cid for e in feed.entries] == [a]


def test_an_edit_of_something_missing_or_not_a_post_is_ignored():
    o = Objects()
    a = o.post(ALICE, "a")
    reaction = o.react(ALICE, a, "endorse")
    lost = o.post(ALICE, "edit of a missing post", 1, replaces=MISSING)
    odd = o.post(ALICE, "edit of a reaction", 2, replaces=reaction)
    reasons = {i.cid: (i.reason, i.type) for i in o.feed().ignored}
    assert reasons == {lost: ("unknownTarget", "Post"), odd: ("notAPost", "Post")}


# --- Retractions ---------------------------------------------------------------


def test_the_author_retracts_a_post_and_its_replies_stay():
    o = Objects()
    a = o.post(ALICE, "regrettable")
    b = o.post(BOB, "reply", 1, in_reply_to=a)
    r = o.retract(ALICE, a, 2)
    feed = o.feed()
    entry = feed.entry(a)
    assert entry.retracted
    assert entry.post is None
    assert entry.retracted_by == (r,)
    assert entry.replies == (b,)
    assert shown(feed, b) == "reply"
    assert entry.to_json()["post"] is None


def test_retracting_any_version_retracts_the_post_even_before_an_edit():
    o = Objects()
    a = o.post(ALICE, "v1", 0)
    e1 = o.post(ALICE, "v2", 1, replaces=a)
    o.retract(ALICE, e1, 2)
    o.post(ALICE, "v3 after the retraction", 3, replaces=a)
    feed = o.feed()
    assert feed.entry(a).retracted
    assert feed.entry(a).post is None


def test_nobody_else_retracts_a_post():
    o = Objects()
    a = o.post(ALICE, "mine")
    edit = o.post(ALICE, "mine, edited", 1, replaces=a)
    r1 = o.retract(BOB, a, 2)
    r2 = o.retract(BOB, edit, 3)
    feed = o.feed()
    assert not feed.entry(a).retracted
    assert shown(feed, a) == "mine, edited"
    assert {(i.cid, i.reason, i.author) for i in feed.ignored} == {
        (r1, "notAuthor", BOB),
        (r2, "notAuthor", BOB),
    }


def test_a_retraction_of_something_unknown_is_ignored():
    o = Objects()
    r = o.retract(ALICE, MISSING)
    assert [(i.cid, i.reason) for i in o.feed().ignored] == [(r, "unknownTarget")]


# --- Reactions -----------------------------------------------------------------


def test_reactions_are_counted_per_value_one_per_did():
    o = Objects()
    a = o.post(ALICE, "a")
    o.react(BOB, a, "endorse", 1)
    o.react(CAROL, a, "endorse", 1)
    o.react(ALICE, a, "🎉", 1)
    early = o.react("did:example:dan", a, "endorse", 1)
    late = o.react("did:example:dan", a, "disagree", 2)
    feed = o.feed()
    counts = {r.value: r.count for r in feed.entry(a).reactions}
    assert counts == {"endorse": 2, "disagree": 1, "🎉": 1}
    assert [r.value for r in feed.entry(a).reactions] == sorted(counts)
    assert [(i.cid, i.reason) for i in feed.ignored] == [(early, "superseded")]
    assert late not in {i.cid for i in feed.ignored}


def test_the_latest_reaction_wins_whatever_the_input_order():
    o = Objects()
    a = o.post(ALICE, "a")
    late = o.react(BOB, a, "disagree", 9)
    o.react(BOB, a, "endorse", 1)
    o.react(BOB, a, "🙂", 5)
    feed = o.feed()
    assert [(r.value, r.count) for r in feed.entry(a).reactions] == [("disagree", 1)]
    assert late not in {i.cid for i in feed.ignored}
    assert sum(i.reason == "superseded" for i in feed.ignored) == 2


def test_a_reaction_to_an_edit_counts_on_the_post_once_per_did():
    o = Objects()
    a = o.post(ALICE, "a")
    edit = o.post(ALICE, "a'", 1, replaces=a)
    o.react(BOB, a, "endorse", 2)
    o.react(BOB, edit, "endorse", 3)
    feed = o.feed()
    assert [(r.value, r.count) for r in feed.entry(a).reactions] == [("endorse", 1)]


def test_reactions_to_unknown_objects_and_to_non_posts_are_listed_not_counted():
    o = Objects()
    a = o.post(ALICE, "a")
    endorsement = o.react(BOB, a, "endorse")
    unknown = o.react(BOB, MISSING, "endorse")
    meta = o.react(CAROL, endorsement, "disagree")
    feed = o.feed()
    assert {(i.cid, i.reason) for i in feed.ignored} == {
        (unknown, "unknownTarget"),
        (meta, "notAPost"),
    }
    assert [(r.value, r.count) for r in feed.entry(a).reactions] == [("endorse", 1)]


# --- What cannot be read ---------------------------------------------------------


def test_malformed_and_foreign_objects_are_ignored_with_the_reason():
    o = Objects()
    a = o.post(ALICE, "a")
    bad = post_credential(BOB, "x", published=T0)
    bad["credentialSubject"]["tags"] = "not a list"
    foreign = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "Ballot"],
        "issuer": BOB,
        "credentialSubject": {"id": BOB},
    }
    broken = o.add(bad)
    other = o.add(foreign)
    junk = o.add(["not", "a", "credential"])
    feed = o.feed()
    assert [e.cid for e in feed.entries] == [a]
    reasons = {i.cid: i.reason for i in feed.ignored}
    assert reasons == {
        broken: "malformed",
        other: "unsupportedType",
        junk: "malformed",
    }
    assert "tags" in next(i.detail for i in feed.ignored if i.cid == broken)
    assert {i.reason for i in feed.ignored} <= set(IGNORED_REASONS)


def test_cycles_from_forged_cids_are_ignored_not_looped():
    x, y, z = (object_cid({"label": n}) for n in "xyz")
    first = post_credential(ALICE, "x", in_reply_to=y, published=T0)
    second = post_credential(BOB, "y", in_reply_to=x, published=T0)
    below = post_credential(CAROL, "under the cycle", in_reply_to=x, published=T0)
    edit_a = post_credential(ALICE, "edit a", replaces=z, published=T0)
    feed = build_feed(
        [
            (x, first),
            (y, second),
            (object_cid(below), below),
            (z, post_credential(ALICE, "edit b", replaces=z, published=T0)),
            (object_cid(edit_a), edit_a),
        ]
    )
    assert feed.entries == ()
    assert {i.reason for i in feed.ignored} == {"cycle"}
    assert len(feed.ignored) == 5


def test_read_social_object_dispatches_on_the_type():
    assert isinstance(
        read_social_object(post_credential(ALICE, "a", published=T0)), Post
    )
    assert isinstance(
        read_social_object(retraction_credential(ALICE, MISSING, published=T0)),
        Retraction,
    )
    assert isinstance(
        read_social_object(
            reaction_credential(ALICE, MISSING, "endorse", published=T0)
        ),
        Reaction,
    )


# --- JSON ----------------------------------------------------------------------


def test_the_feed_serializes_to_json():
    o = Objects()
    a = o.post(ALICE, "a <b>", 0, tags=["t"])
    edit = o.post(ALICE, "a, edited", 1, replaces=a)
    b = o.post(BOB, "b", 2, in_reply_to=a)
    o.react(CAROL, a, "🎉", 3)
    o.retract(BOB, a, 4)
    body = json.loads(json.dumps(o.feed().to_json()))
    assert body["threads"] == [a]
    assert body["orphans"] == []
    first = body["entries"][0]
    assert first == {
        "cid": a,
        "author": ALICE,
        "published": "2025-01-01T00:00:00Z",
        "depth": 0,
        "parent": None,
        "inReplyTo": None,
        "community": None,
        "orphan": False,
        "replies": [b],
        "retracted": False,
        "retractedBy": [],
        "current": edit,
        "edits": [edit],
        "edited": "2025-01-01T00:01:00Z",
        "reactions": {"🎉": 1},
        "post": {
            "type": "Post",
            "author": ALICE,
            "published": "2025-01-01T00:01:00Z",
            "content": "a, edited",
            "mediaType": "text/plain",
            "replaces": a,
        },
    }
    assert body["ignored"][0]["reason"] == "notAuthor"
    assert body["ignored"][0]["type"] == "Retraction"


# --- Signed objects, both suites -----------------------------------------------


@pytest.mark.parametrize("suite", ["eddsa-jcs-2022", "eddsa-rdfc-2022"])
def test_a_feed_of_signed_and_verified_objects(suite):
    keys = [Ed25519KeyPair.from_seed(bytes([n]) * 32) for n in (21, 22)]
    signers = [ssi.signer(k) for k in keys]
    alice, bob = (s.key_id.split("#")[0] for s in signers)
    created = "2025-01-01T00:00:00Z"

    def sign(credential, who):
        signed = ssi.issue(credential, signers[who], suite=suite, created=created)
        assert ssi.verify(signed, now=at(60)).verified
        return (object_cid(signed), signed)

    post = sign(post_credential(alice, "hello", published=T0), 0)
    reply = sign(post_credential(bob, "hi", in_reply_to=post[0], published=T0), 1)
    edit = sign(post_credential(alice, "hello!", replaces=post[0], published=at(1)), 0)
    forged = sign(retraction_credential(bob, post[0], published=at(2)), 1)
    reaction = sign(reaction_credential(bob, edit[0], "endorse", published=at(3)), 1)
    feed = build_feed([post, reply, edit, forged, reaction])
    entry = feed.entry(post[0])
    assert shown(feed, post[0]) == "hello!"
    assert entry.replies == (reply[0],)
    assert not entry.retracted
    assert [(r.value, r.count) for r in entry.reactions] == [("endorse", 1)]
    assert [(i.cid, i.reason) for i in feed.ignored] == [(forged[0], "notAuthor")]


# --- Nobody else edits or retracts, whatever the set ---------------------------

_PEOPLE = [ALICE, BOB, CAROL]


@st.composite
def object_sets(draw):
    o = Objects()
    cids: list[str] = [MISSING]
    for minute in range(draw(st.integers(min_value=1, max_value=25))):
        author = draw(st.sampled_from(_PEOPLE))
        target = draw(st.sampled_from(cids))
        action = draw(st.sampled_from(["post", "reply", "edit", "retract", "react"]))
        minute = draw(st.integers(min_value=0, max_value=5))
        if action == "post":
            cid = o.post(author, f"p{len(cids)}", minute)
        elif action == "reply":
            cid = o.post(author, f"r{len(cids)}", minute, in_reply_to=target)
        elif action == "edit":
            cid = o.post(author, f"e{len(cids)}", minute, replaces=target)
        elif action == "retract":
            cid = o.retract(author, target, minute)
        else:
            value = draw(st.sampled_from(["endorse", "disagree", "🎉"]))
            cid = o.react(author, target, value, minute)
        cids.append(cid)
    return o


@settings(max_examples=150, deadline=None)
@given(o=object_sets())
def test_only_the_author_edits_or_retracts_and_every_object_is_accounted_for(o):
    feed = o.feed()
    by_cid = dict(o.items)
    placed = {e.cid for e in feed.entries}
    assert len(placed) == len(feed.entries)
    for entry in feed.entries:
        for version in (entry.current, *entry.edits):
            assert read_social_object(by_cid[version]).author == entry.author
        for retraction in entry.retracted_by:
            assert read_social_object(by_cid[retraction]).author == entry.author
        if entry.post is not None:
            assert entry.post.author == entry.author
        for reply in entry.replies:
            assert reply in placed
    ignored = {i.cid for i in feed.ignored}
    edits = {v for e in feed.entries for v in e.edits}
    retractions = {r for e in feed.entries for r in e.retracted_by}
    assert placed | ignored | edits | retractions >= {
        cid for cid, credential in o.items if credential["type"][1] != "Reaction"
    }
    assert not placed & ignored
    assert build_feed(reversed(o.items)).to_json() == feed.to_json()


# --- Linear work -----------------------------------------------------------------


def _long_edit_chain(n):
    o = Objects()
    previous = o.post(ALICE, "v0")
    for i in range(1, n):
        previous = o.post(ALICE, f"v{i}", i, replaces=previous)
    o.react(BOB, previous, "endorse", n)
    return o


def _deep_reply_chain(n):
    o = Objects()
    previous = o.post(ALICE, "root")
    for i in range(1, n):
        previous = o.post(_PEOPLE[i % 3], f"r{i}", i, in_reply_to=previous)
    return o


def _crowd(n):
    o = Objects()
    root = o.post(ALICE, "root")
    edit = o.post(ALICE, "root'", 1, replaces=root)
    for i in range(n):
        who = f"did:example:p{i % 50}"
        if i % 3 == 0:
            o.post(who, f"reply {i}", i, in_reply_to=edit)
        elif i % 3 == 1:
            o.react(who, edit if i % 2 else root, "endorse", i)
        else:
            o.retract(who, root, i)
    return o


@pytest.mark.parametrize("shape", [_long_edit_chain, _deep_reply_chain, _crowd])
def test_the_work_grows_linearly(shape):
    small, large = shape(400), shape(1600)
    small_steps = small.feed().steps
    large_steps = large.feed().steps
    assert small_steps <= 6 * len(small.items)
    assert large_steps <= 6 * len(large.items)
    assert large_steps <= 4.2 * small_steps


def test_a_deep_thread_is_placed_without_recursion():
    o = _deep_reply_chain(3000)
    feed = o.feed()
    assert [e.depth for e in feed.entries] == list(range(3000))
    json.dumps(feed.to_json())


def test_entry_looks_up_originals_only_and_feeds_pickle():
    o = Objects()
    a = o.post(ALICE, "a")
    edit = o.post(ALICE, "a'", 1, replaces=a)
    feed = o.feed()
    assert feed.entry(a).current == edit
    with pytest.raises(KeyError):
        feed.entry(edit)
    assert pickle.loads(pickle.dumps(feed)) == feed  # noqa: S301 - our own bytes


def test_references_to_an_ignored_edit_do_not_reach_the_post():
    o = Objects()
    a = o.post(ALICE, "a")
    forged = o.post(BOB, "forged edit", 1, replaces=a)
    reaction = o.react(CAROL, forged, "endorse", 2)
    retraction = o.retract(BOB, forged, 3)
    reply = o.post(CAROL, "answering the forgery", 4, in_reply_to=forged)
    feed = o.feed()
    reasons = {i.cid: i.reason for i in feed.ignored}
    assert reasons == {
        forged: "notAuthor",
        reaction: "notAPost",
        retraction: "notAPost",
    }
    assert feed.entry(a).reactions == ()
    assert not feed.entry(a).retracted
    assert feed.orphans == (reply,)
