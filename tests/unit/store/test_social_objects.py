"""The store with the social layer's own objects (``ssi.social`` builders),
secured with both cryptosuites: the generic index rules find what the
vocabulary puts there, and a feed builds from what a query returns.

The store never imports ``ssi.social``; only this test brings them together.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import ssi
from ssi.cid import blob_cid, object_cid
from ssi.social import (
    Attachment,
    build_feed,
    post_credential,
    reaction_credential,
    retraction_credential,
)

from .objects import AUTHORS, KEYS, verifier

COMMUNITY = "did:example:gardeners"
PICTURE = blob_cid(b"a picture of tomatoes")


def when(day: int) -> datetime:
    return datetime(2025, 5, day, tzinfo=UTC)


@pytest.mark.parametrize("suite", ["eddsa-jcs-2022", "eddsa-rdfc-2022"])
def test_social_objects_are_indexed_and_feed_from_a_query(store, suite):
    def sign(author: int, credential):
        created = credential["validFrom"]
        return ssi.issue(
            credential, ssi.signer(KEYS[author]), suite=suite, created=created
        )

    first = sign(
        0,
        post_credential(
            AUTHORS[0],
            "Tomatoes are in.",
            community=COMMUNITY,
            tags=["harvest"],
            attachments=[Attachment(PICTURE, "image/png", 21)],
            published=when(1),
        ),
    )
    reply = sign(
        1,
        post_credential(
            AUTHORS[1],
            "Mine too!",
            community=COMMUNITY,
            in_reply_to=object_cid(first),
            published=when(2),
        ),
    )
    edit = sign(
        0,
        post_credential(
            AUTHORS[0],
            "Tomatoes and basil are in.",
            community=COMMUNITY,
            replaces=object_cid(first),
            published=when(3),
        ),
    )
    liked = sign(
        2,
        reaction_credential(
            AUTHORS[2], object_cid(first), "endorse", published=when(4)
        ),
    )
    withdrawn = sign(
        1, retraction_credential(AUTHORS[1], object_cid(reply), published=when(5))
    )
    objects = [first, reply, edit, liked, withdrawn]
    results = store.add(objects, verifier=verifier())
    assert [r.outcome for r in results] == ["stored"] * 5, results
    cid = [object_cid(o) for o in objects]

    stored = store.get(cid[0])
    assert stored.types == ("Post",)
    assert stored.community == COMMUNITY
    assert stored.refers_to == (PICTURE,)
    assert stored.time == when(1)
    assert store.get(cid[1]).reply_to == cid[0]
    assert [i.cid for i in store.query(refers_to=cid[0]).items] == [
        cid[1],
        cid[2],
        cid[3],
    ]
    assert [i.cid for i in store.query(refers_to=cid[1]).items] == [cid[4]]
    assert [i.cid for i in store.query(type="Reaction").items] == [cid[3]]
    assert [i.cid for i in store.query(community=COMMUNITY).items] == cid[:3]

    page = store.query(limit=100)
    feed = build_feed((item.cid, item.document) for item in page.items)
    entry = feed.entry(cid[0])
    assert entry.current == cid[2]  # the edit is shown
    assert {r.value: r.count for r in entry.reactions} == {"endorse": 1}
    assert feed.entry(cid[1]).post is None  # retracted by its author
    assert feed.threads == (cid[0],)
