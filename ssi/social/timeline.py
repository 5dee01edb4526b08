"""Feeds read from an object store, and the selection of threads in a feed.

:func:`store_feed` reads the feed record of every post, retraction and
reaction the store holds (all of them verified when they were added; the
records derived by ``FEED_RECORDS`` when they were stored, or made now from
the document for objects stored without one), builds the feed with
:func:`ssi.social.feed.build_feed_from_records`, and keeps the threads that
:func:`select_threads` selects. Selecting after building, rather than
querying fewer objects, keeps the rules of edits, retractions and reactions
whole: a reply outside the community still hangs under its parent, an edit
made after ``since`` still replaces its post.

Spec: docs/objects.md (Selecting threads)
"""

from __future__ import annotations

from collections.abc import Container, Iterator
from dataclasses import replace
from datetime import datetime
from typing import Final

from ssi.errors import MalformedValueError, StoreCorruptedError
from ssi.social.feed import (
    FEED_RECORDS,
    Feed,
    FeedEntry,
    FeedFold,
    build_feed_from_records,
    feed_record,
    paused_gc,
)
from ssi.social.post import POST_TYPE
from ssi.social.reaction import REACTION_TYPE, RETRACTION_TYPE
from ssi.store import MAX_LIMIT, ObjectStore
from ssi.types import JsonValue

__all__ = ["SOCIAL_TYPES", "StoreFeed", "select_threads", "store_feed"]

SOCIAL_TYPES = (POST_TYPE, RETRACTION_TYPE, REACTION_TYPE)
"""The object types a feed is built from."""


def store_feed(
    store: ObjectStore,
    *,
    community: str | None = None,
    author: str | None = None,
    since: datetime | None = None,
) -> Feed:
    """Build the feed of a store's social objects and select threads of it.

    Spec: docs/objects.md (Feeds, Selecting threads)

    Raises:
        StoreError: the store cannot be read.
        StoreCorruptedError: a stored feed record is not one.
    """
    try:
        with paused_gc():
            feed = build_feed_from_records(_records(store))
    except MalformedValueError as exc:
        raise StoreCorruptedError(f"the store holds a bad feed record: {exc}") from exc
    return select_threads(
        feed,
        community=community,
        author=author,
        since=since,
    )


class StoreFeed:
    """The whole feed of a store, kept current by folding in what is new.

    :meth:`refresh` reads the feed records of the store's social objects,
    reads only those of objects it has not read before (a
    :class:`~ssi.social.feed.FeedFold`), and builds the threads again: the
    feed it returns is the one ``store_feed(store)`` would build at that
    moment, without reading every record again. The records are still
    listed (``ObjectStore.derived`` has no "after" filter), but each is
    read into a post, retraction or reaction once.

    Not thread-safe: callers hold a lock around :meth:`refresh`.

    Spec: docs/objects.md (Feeds, Feed records)
    """

    def __init__(self, store: ObjectStore) -> None:
        self._store = store
        self._fold = FeedFold()

    def refresh(self) -> tuple[Feed, int]:
        """Fold in the records stored since the last call; return the feed
        of the whole store and how many objects were new.

        Raises:
            StoreError: the store cannot be read.
            StoreCorruptedError: a stored feed record is not one (the
                records folded so far are dropped: the next call reads
                them all again).
        """
        try:
            added = self._fold.add(_records(self._store, skip=self._fold))
        except MalformedValueError as exc:
            self._fold = FeedFold()
            raise StoreCorruptedError(
                f"the store holds a bad feed record: {exc}"
            ) from exc
        return self._fold.feed(), added


def select_threads(
    feed: Feed,
    *,
    community: str | None = None,
    author: str | None = None,
    since: datetime | None = None,
) -> Feed:
    """Keep the threads (and orphans with their replies) that meet every filter.

    A thread is its first post with every reply below it. It is kept when
    its first post names ``community``; when ``author`` wrote one of its
    posts; and when one of its posts, or an edit of one, was published at
    or after ``since``. Entries keep their order; ``ignored`` is kept whole.

    Spec: docs/objects.md (Selecting threads)
    """
    if community is None and author is None and since is None:
        return feed
    kept: list[FeedEntry] = []
    roots: set[str] = set()
    for thread in _threads(feed.entries):
        if _selected(thread, community=community, author=author, since=since):
            kept.extend(thread)
            roots.add(thread[0].cid)
    return replace(
        feed,
        entries=tuple(kept),
        threads=tuple(cid for cid in feed.threads if cid in roots),
        orphans=tuple(cid for cid in feed.orphans if cid in roots),
    )


_FETCH_ONE_BY_ONE: Final = 200
"""Up to this many objects of a type without a record are fetched by CID;
more, and every document of the type is paged through once."""


def _records(
    store: ObjectStore, skip: Container[str] = ()
) -> list[tuple[str, JsonValue]]:
    """The feed record of every social object (but those in ``skip``), by
    type then insertion order (the order in which the store lists the
    objects)."""
    pairs: list[tuple[str, JsonValue]] = []
    for kind in SOCIAL_TYPES:
        missing: dict[str, int] = {}
        for cid, record in store.derived(FEED_RECORDS.name, type=kind):
            if cid in skip:
                continue
            if record is None:
                missing[cid] = len(pairs)
            pairs.append((cid, record))
        for cid, document in _documents(store, kind, missing):
            pairs[missing[cid]] = (cid, feed_record(document))
    return pairs


def _documents(
    store: ObjectStore, kind: str, wanted: dict[str, int]
) -> Iterator[tuple[str, JsonValue]]:
    """The documents of the objects ``wanted`` (CIDs of type ``kind``)."""
    if len(wanted) <= _FETCH_ONE_BY_ONE:
        for cid in wanted:
            stored = store.get(cid)
            if stored is not None:
                yield cid, stored.document
        return
    cursor: str | None = None
    while True:
        page = store.query(type=kind, limit=MAX_LIMIT, cursor=cursor)
        for item in page.items:
            if item.cid in wanted:
                yield item.cid, item.document
        if not page.more or page.cursor is None:
            return
        cursor = page.cursor


def _threads(entries: tuple[FeedEntry, ...]) -> Iterator[list[FeedEntry]]:
    """Cut the depth-first entries into threads: each starts at depth 0."""
    thread: list[FeedEntry] = []
    for entry in entries:
        if entry.depth == 0 and thread:
            yield thread
            thread = []
        thread.append(entry)
    if thread:
        yield thread


def _selected(
    thread: list[FeedEntry],
    *,
    community: str | None,
    author: str | None,
    since: datetime | None,
) -> bool:
    if community is not None and thread[0].community != community:
        return False
    if author is not None and all(entry.author != author for entry in thread):
        return False
    return since is None or any(
        entry.published >= since or (entry.edited is not None and entry.edited >= since)
        for entry in thread
    )
