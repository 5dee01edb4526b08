"""Feeds read from an object store, and the selection of threads in a feed.

:func:`store_feed` reads every post, retraction and reaction the store holds
(all of them verified when they were added), builds the feed with
:func:`ssi.social.feed.build_feed`, and keeps the threads that
:func:`select_threads` selects. Selecting after building, rather than
querying fewer objects, keeps the rules of edits, retractions and reactions
whole: a reply outside the community still hangs under its parent, an edit
made after ``since`` still replaces its post.

Spec: docs/objects.md (Selecting threads)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

from ssi.social.feed import Feed, FeedEntry, build_feed
from ssi.social.post import POST_TYPE
from ssi.social.reaction import REACTION_TYPE, RETRACTION_TYPE
from ssi.store import MAX_LIMIT, ObjectStore
from ssi.types import JsonValue

__all__ = ["SOCIAL_TYPES", "select_threads", "store_feed"]

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
    """
    return select_threads(
        build_feed(_social_objects(store)),
        community=community,
        author=author,
        since=since,
    )


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


def _social_objects(store: ObjectStore) -> Iterator[tuple[str, JsonValue]]:
    for kind in SOCIAL_TYPES:
        cursor: str | None = None
        while True:
            page = store.query(type=kind, limit=MAX_LIMIT, cursor=cursor)
            for item in page.items:
                yield item.cid, item.document
            if not page.more or page.cursor is None:
                break
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
