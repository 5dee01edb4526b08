"""Folding records into a feed (ssi.social.FeedFold): over random pushes of
posts, replies, edits, retractions, reactions and malformed objects, the
folded feed after every push is the feed built afresh from every record the
store would list at that moment, in the store's order (by type, then
insertion order)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssi.cid import object_cid
from ssi.errors import MalformedValueError
from ssi.social import (
    FEED_RECORDS,
    SOCIAL_TYPES,
    FeedFold,
    build_feed_from_records,
)
from tests.unit.social.test_feed_records import Draws, random_objects


def store_order(objects: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """``(cid, record)`` as ``store_feed`` reads them: for each social type,
    the objects of that type in insertion order, each record through JSON."""
    return [
        (object_cid(item), json.loads(json.dumps(FEED_RECORDS(item))))
        for kind in SOCIAL_TYPES
        for item in objects
        if kind in item["type"]
    ]


def pushes(seed: int, objects: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Shuffle the objects (a hub gets replies before their posts, edits and
    reactions before what they name) and cut them into batches of 1 to 6."""
    r = Draws(seed)
    objects = list(objects)
    for i in range(len(objects) - 1, 0, -1):
        j = r.randrange(i + 1)
        objects[i], objects[j] = objects[j], objects[i]
    batches: list[list[dict[str, Any]]] = []
    start = 0
    while start < len(objects):
        size = r.randrange(7, 1)
        batches.append(objects[start : start + size])
        start += size
    return batches


@settings(max_examples=120, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), count=st.integers(1, 60))
def test_a_folded_feed_is_the_feed_built_afresh(seed: int, count: int) -> None:
    objects = random_objects(seed, count)
    fold = FeedFold()
    so_far: list[dict[str, Any]] = []
    for batch in pushes(seed, objects):
        so_far.extend(batch)
        listed = store_order(so_far)
        # The store lists every record again; the fold reads the new ones.
        new = [(cid, record) for cid, record in listed if cid not in fold]
        fold.add(new)
        expected = build_feed_from_records(listed)
        got = fold.feed()
        assert got == expected
        assert got.to_json() == expected.to_json()
    assert len(fold) == len({cid for cid, _ in store_order(objects)})


def test_late_targets_change_earlier_entries() -> None:
    """The shuffled pushes reach what makes folding hard: an object that
    takes no effect until a later push brings what it names."""
    resolved = 0
    for seed in range(30):
        fold = FeedFold()
        so_far: list[dict[str, Any]] = []
        for batch in pushes(seed, random_objects(seed, 40)):
            before = {item.cid for item in fold.feed().ignored}
            so_far.extend(batch)
            fold.add([p for p in store_order(so_far) if p[0] not in fold])
            resolved += len(before - {item.cid for item in fold.feed().ignored})
    assert resolved


def test_a_record_added_again_is_read_once() -> None:
    objects = random_objects(7, 30)
    records = store_order(objects)
    fold = FeedFold()
    assert fold.add(records) == len({cid for cid, _ in records})
    assert fold.add(records) == 0
    assert fold.feed() == build_feed_from_records(records)


def test_the_fold_reads_each_record_once_however_many_feeds() -> None:
    """Work per feed() is the tree (its steps), not reading the records
    again: the steps of a feed with nothing new equal those of the last."""
    objects = random_objects(11, 60)
    fold = FeedFold()
    fold.add(store_order(objects))
    first, second = fold.feed(), fold.feed()
    full = build_feed_from_records(store_order(objects))
    assert first.steps == second.steps
    assert first.steps < full.steps  # the full build also reads every record


def test_a_bad_record_is_refused() -> None:
    fold = FeedFold()
    with pytest.raises(MalformedValueError, match="not a feed record"):
        fold.add([(object_cid({"x": 1}), {"type": "Nothing"})])
