"""Feeds read from a store, and the selection of threads (docs/objects.md,
Selecting threads)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import ssi
from ssi.cid import object_cid
from ssi.credentials import FixedClock, Verifier
from ssi.keys import Ed25519KeyPair
from ssi.social import (
    build_feed,
    post_credential,
    reaction_credential,
    retraction_credential,
    select_threads,
    store_feed,
)
from ssi.store import SQLiteStore

KEYS = [Ed25519KeyPair.from_seed(bytes([seed]) * 32) for seed in (31, 32, 33)]
ADA, BOB, CAROL = (ssi.did_key(key) for key in KEYS)
COMMUNITY = "did:example:engines"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def signed(credential: dict[str, Any], author: int) -> dict[str, Any]:
    return ssi.issue(
        credential, ssi.signer(KEYS[author]), created="2026-01-01T00:00:00Z"
    )


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture(scope="module")
def objects() -> dict[str, dict[str, Any]]:
    """Two threads (one in the community), an orphan, an edit, a retraction
    and reactions."""
    made: dict[str, dict[str, Any]] = {}
    made["root"] = signed(
        post_credential(ADA, "in the community", community=COMMUNITY, published=at(0)),
        0,
    )
    root = object_cid(made["root"])
    made["reply"] = signed(
        post_credential(BOB, "a reply", in_reply_to=root, published=at(5)), 1
    )
    made["other"] = signed(post_credential(CAROL, "elsewhere", published=at(10)), 2)
    made["orphan"] = signed(
        post_credential(
            BOB,
            "answers a post we lack",
            in_reply_to=object_cid(made["other"])[:-4] + "aaaa",
            published=at(20),
        ),
        1,
    )
    made["edit"] = signed(
        post_credential(
            CAROL,
            "elsewhere, edited",
            replaces=object_cid(made["other"]),
            published=at(60),
        ),
        2,
    )
    made["react"] = signed(
        reaction_credential(CAROL, root, "endorse", published=at(6)), 2
    )
    made["retract"] = signed(
        retraction_credential(BOB, object_cid(made["reply"]), published=at(7)), 1
    )
    return made


def pairs(objects: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [(object_cid(value), value) for value in objects.values()]


def roots(feed: ssi.social.Feed) -> list[str]:
    return [entry.cid for entry in feed.entries if entry.depth == 0]


def test_no_filter_keeps_the_feed_as_it_is(objects):
    feed = build_feed(pairs(objects))
    assert select_threads(feed) is feed
    assert len(roots(feed)) == 3


def test_community_keeps_threads_whose_first_post_names_it(objects):
    feed = select_threads(build_feed(pairs(objects)), community=COMMUNITY)
    root = object_cid(objects["root"])
    assert feed.threads == (root,)
    assert feed.orphans == ()
    # The reply names no community, and stays under its parent all the same.
    assert [e.cid for e in feed.entries] == [root, object_cid(objects["reply"])]
    assert feed.entry(object_cid(objects["reply"])).retracted


def test_author_keeps_threads_with_a_post_by_them(objects):
    feed = build_feed(pairs(objects))
    bob = select_threads(feed, author=BOB)
    assert set(roots(bob)) == {
        object_cid(objects["root"]),
        object_cid(objects["orphan"]),
    }
    assert bob.orphans == (object_cid(objects["orphan"]),)
    carol = select_threads(feed, author=CAROL)
    assert roots(carol) == [object_cid(objects["other"])]  # reacting is not posting
    assert select_threads(feed, author="did:example:nobody").entries == ()


def test_since_counts_posts_and_edits(objects):
    feed = build_feed(pairs(objects))
    late = select_threads(feed, since=at(30))
    # Only the edited thread had news after 30 minutes: the edit at 60.
    assert roots(late) == [object_cid(objects["other"])]
    assert set(roots(select_threads(feed, since=at(15)))) == {
        object_cid(objects["other"]),
        object_cid(objects["orphan"]),
    }
    assert select_threads(feed, since=at(61)).entries == ()


def test_filters_combine(objects):
    feed = build_feed(pairs(objects))
    assert roots(select_threads(feed, community=COMMUNITY, author=BOB)) == [
        object_cid(objects["root"])
    ]
    assert select_threads(feed, community=COMMUNITY, since=at(30)).entries == ()


def test_store_feed_equals_the_feed_of_what_the_store_holds(objects, tmp_path: Path):
    with SQLiteStore(tmp_path / "store.sqlite") as store:
        results = store.add(
            list(objects.values()), verifier=Verifier(clock=FixedClock(at(120)))
        )
        assert [r.outcome for r in results] == ["stored"] * len(objects)
        assert store_feed(store) == build_feed(pairs(objects))
        assert store_feed(store, community=COMMUNITY) == select_threads(
            build_feed(pairs(objects)), community=COMMUNITY
        )


def test_store_feed_reads_every_page(tmp_path: Path):
    """More posts than one page of the store holds all reach the feed."""
    count = ssi.store.MAX_LIMIT + 5
    posts = [
        signed(post_credential(ADA, f"post {n}", published=at(n)), 0)
        for n in range(count)
    ]
    with SQLiteStore(tmp_path / "store.sqlite") as store:
        store.add(posts, verifier=Verifier(clock=FixedClock(at(count + 1))))
        assert len(store_feed(store).entries) == count
