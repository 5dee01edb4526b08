"""Threads and feeds: what a set of verified posts, retractions and reactions
adds up to.

:func:`build_feed` takes objects that have already been verified, each with
its CID, and returns a :class:`Feed`: every original post once, in thread
order (depth first; siblings by time, then CID), with its latest edit
applied, retractions by its author, and its reactions counted (the latest
reaction of each DID per post). Replies whose parent is not in the set are
orphans; objects that cannot take effect (an edit or retraction by someone
other than the author, a reaction to an unknown object, ...) are listed with
the reason. The rules are written out in docs/objects.md (Feeds).

The work is linear in the number of objects, apart from sorting siblings
(n log n): each object is read once and each ``replaces`` link followed once.
:attr:`Feed.steps` counts that work, so tests can check it without a clock.

Spec: docs/objects.md (Feeds)
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, TypeVar

from ssi.credentials.model import Credential, parse_credential
from ssi.errors import MalformedValueError, SSIError
from ssi.social import _fields as f
from ssi.social.post import POST_TYPE, Post, read_post
from ssi.social.reaction import (
    REACTION_TYPE,
    RETRACTION_TYPE,
    Reaction,
    Retraction,
    read_reaction,
    read_retraction,
)
from ssi.types import JsonObject, JsonValue

__all__ = [
    "FEED_RECORDS",
    "IGNORED_REASONS",
    "Feed",
    "FeedEntry",
    "FeedFold",
    "FeedRecords",
    "IgnoredObject",
    "ReactionCount",
    "SocialObject",
    "build_feed",
    "build_feed_from_records",
    "feed_record",
    "read_social_object",
]

SocialObject = Post | Retraction | Reaction
"""What :func:`read_social_object` returns."""

IGNORED_REASONS: Final = (
    "malformed",
    "unsupportedType",
    "unknownTarget",
    "notAPost",
    "notAuthor",
    "superseded",
    "cycle",
)
"""Why an object takes no effect in a feed (docs/objects.md, Feeds)."""

_READERS: Final[dict[str, Callable[..., SocialObject]]] = {
    POST_TYPE: read_post,
    RETRACTION_TYPE: read_retraction,
    REACTION_TYPE: read_reaction,
}


def read_social_object(
    credential: JsonValue, *, parsed: Credential | None = None
) -> SocialObject:
    """Read a post, retraction or reaction, whichever ``credential`` is.

    Args:
        credential: the credential.
        parsed: what ``parse_credential`` returned for this very document
            (``Verifier.verify_read`` hands it back), so it is not parsed
            again; ignored when it is the summary of another object.

    Spec: docs/objects.md (Social objects)

    Raises:
        ParsingError, MalformedValueError, InvalidCIDError: not a social
            object, or a malformed one.
    """
    if isinstance(credential, dict):
        types = credential.get("type")
        for name in types if isinstance(types, list) else (types,):
            reader = _READERS.get(name) if isinstance(name, str) else None
            if reader is not None:
                return reader(credential, parsed=parsed)
    parsed = parse_credential(credential)
    raise MalformedValueError(
        "$.type names none of Post, Retraction, Reaction: "
        f"{f.show(', '.join(parsed.types))}."
    )


@dataclass(frozen=True, slots=True)
class ReactionCount:
    """How many DIDs reacted to a post with one value."""

    value: str
    count: int


@dataclass(frozen=True, slots=True)
class IgnoredObject:
    """An object that takes no effect in the feed, and why.

    Attributes:
        cid: the object's CID.
        reason: one of :data:`IGNORED_REASONS`.
        detail: one sentence.
        type: the object's social type, if it could be read.
        author: its author, if it could be read.
    """

    cid: str
    reason: str
    detail: str
    type: str | None = None
    author: str | None = None

    def to_json(self) -> JsonObject:
        """Return the entry as JSON."""
        return {
            "cid": self.cid,
            "type": self.type,
            "author": self.author,
            "reason": self.reason,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One original post in the feed, with its edits, retractions and reactions.

    Attributes:
        cid: the original post's CID (edits and replies to edits lead here).
        author: its author.
        published: the original's time.
        depth: 0 for a thread's first post or an orphan, 1 for a reply, ...
        parent: the CID of the entry this one answers, if it is in the feed.
        in_reply_to: the original's ``inReplyTo`` as written.
        community: the original's ``community``.
        orphan: ``in_reply_to`` names no post of the set.
        replies: the CIDs of the entries that answer this one, in order.
        post: the version shown (the latest edit, else the original); None
            once retracted. Its ``in_reply_to`` and ``community`` are not
            used: an edit does not move a post.
        current: the CID of the version shown (also when retracted).
        edits: the CIDs of the accepted edits, oldest first.
        edited: the shown edit's time, if an edit is shown.
        retracted_by: the CIDs of the author's retractions.
        reactions: the counts per value, by value.
    """

    cid: str
    author: str
    published: datetime
    depth: int
    parent: str | None
    in_reply_to: str | None
    community: str | None
    orphan: bool
    replies: tuple[str, ...]
    post: Post | None
    current: str
    edits: tuple[str, ...] = ()
    edited: datetime | None = None
    retracted_by: tuple[str, ...] = ()
    reactions: tuple[ReactionCount, ...] = ()

    @property
    def retracted(self) -> bool:
        """True once the author retracted the post."""
        return bool(self.retracted_by)

    def to_json(self) -> JsonObject:
        """Return the entry as JSON (times in UTC, ``Z``)."""
        return {
            "cid": self.cid,
            "author": self.author,
            "published": f.format_time(self.published),
            "depth": self.depth,
            "parent": self.parent,
            "inReplyTo": self.in_reply_to,
            "community": self.community,
            "orphan": self.orphan,
            "replies": list(self.replies),
            "retracted": self.retracted,
            "retractedBy": list(self.retracted_by),
            "current": self.current,
            "edits": list(self.edits),
            "edited": None if self.edited is None else f.format_time(self.edited),
            "reactions": {r.value: r.count for r in self.reactions},
            "post": None if self.post is None else self.post.to_json(),
        }


@dataclass(frozen=True, slots=True)
class Feed:
    """Threads built from a set of verified objects.

    Attributes:
        entries: every original post once, depth first: the threads (posts
            that answer nothing) by time then CID, each followed by its
            replies; then the orphans and their replies.
        threads: the CIDs of the threads' first posts, in order.
        orphans: the CIDs of the orphans, in order.
        ignored: the objects that take no effect, by CID.
        steps: units of work done (objects read, links followed, entries
            placed), for tests of linear growth.
    """

    entries: tuple[FeedEntry, ...]
    threads: tuple[str, ...]
    orphans: tuple[str, ...]
    ignored: tuple[IgnoredObject, ...]
    steps: int = field(default=0, compare=False)

    def entry(self, cid: str) -> FeedEntry:
        """Return the entry of the original post ``cid``.

        Raises:
            KeyError: no such entry.
        """
        for entry in self.entries:
            if entry.cid == cid:
                return entry
        raise KeyError(cid)

    def to_json(self) -> JsonObject:
        """Return the feed as JSON: entries, threads, orphans, ignored."""
        return {
            "entries": [e.to_json() for e in self.entries],
            "threads": list(self.threads),
            "orphans": list(self.orphans),
            "ignored": [i.to_json() for i in self.ignored],
        }


def build_feed(objects: Iterable[tuple[str, JsonValue]]) -> Feed:
    """Build the feed of a set of verified objects, given as ``(cid, credential)``.

    The CIDs are taken as given (``ssi.cid.object_cid`` of each signed
    credential); proofs are not checked here: pass only what verified.

    Spec: docs/objects.md (Feeds)
    """
    with paused_gc():
        return _Builder().build(objects, _read_document)


def build_feed_from_records(records: Iterable[tuple[str, JsonValue]]) -> Feed:
    """Build the feed of objects given as ``(cid, feed record)``.

    Each record is what :func:`feed_record` made of a verified object (as an
    object store keeps it under ``FEED_RECORDS``); records are trusted, not
    checked again. The result is that of :func:`build_feed` over the objects
    themselves.

    Spec: docs/objects.md (Feeds, Feed records)

    Raises:
        MalformedValueError: a value is not a feed record.
    """
    with paused_gc():
        return _Builder().build(records, _read_record)


class FeedFold:
    """A feed kept current as feed records arrive: the records are read once,
    the threads built again from what was read.

    :meth:`add` reads records (``(cid, feed record)``, as
    :func:`build_feed_from_records` takes them) that were not read before;
    :meth:`feed` returns the feed of every record added so far (its
    ``steps`` count the work of that call only). The feed is
    the one :func:`build_feed_from_records` returns over the same records in
    the same order (records added in later calls come after those of
    earlier calls; a CID added again is skipped, as the builder skips it).
    Reading a record (rule 1) is kept; edits, retractions, reactions and the
    tree (rules 2 to 6) are built again on each :meth:`feed`, since one new
    record can change entries anywhere (an edit re-roots its post, a parent
    adopts orphans, a reaction supersedes another): that part is linear in
    memory, with no record read or parsed again.

    Not thread-safe: callers hold a lock around :meth:`add` and :meth:`feed`.

    Spec: docs/objects.md (Feeds, Feed records)
    """

    def __init__(self) -> None:
        self._read = _Builder()

    def __contains__(self, cid: object) -> bool:
        """Whether a record of ``cid`` was added."""
        return cid in self._read.seen

    def __len__(self) -> int:
        """Return how many CIDs were added."""
        return len(self._read.seen)

    def add(self, records: Iterable[tuple[str, JsonValue]]) -> int:
        """Read the records of CIDs not added before; return how many were new.

        Raises:
            MalformedValueError: a value is not a feed record; the fold is
                then unusable (start a new one).
        """
        before = len(self._read.seen)
        with paused_gc():
            self._read._read(records, _read_record)
        return len(self._read.seen) - before

    def feed(self) -> Feed:
        """Return the feed of every record added so far.

        Spec: docs/objects.md (Feeds)
        """
        done = self._read
        builder = _Builder()
        builder.posts = done.posts
        builder.retractions = done.retractions
        builder.reactions = done.reactions
        builder.ignored = dict(done.ignored)
        with paused_gc():
            return builder.finish()


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a feed is built.

    A feed's values (dictionaries, records, entries) hold no reference
    cycles, so collections during the build find nothing to free, yet each
    one walks every object of the process: in a process that holds many
    objects they cost more than building the tree. Reference counting still
    frees everything as usual; the collector is resumed (if it was running)
    when the build ends, however it ends.

    Spec: docs/objects.md (Cost)
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


FEED_RECORDS_NAME: Final = "feed/1"
"""The name of the feed records (docs/objects.md, Feed records)."""


@dataclass(frozen=True, slots=True)
class FeedRecords:
    """The store deriver of feed records: give ``derive=FEED_RECORDS`` to
    ``ObjectStore.add``, and ``store_feed`` reads the records instead of the
    documents.

    Spec: docs/objects.md (Feed records)
    """

    name: str = FEED_RECORDS_NAME

    def __call__(self, document: JsonObject) -> JsonValue | None:
        """Return the feed record of a verified object (:func:`feed_record`)."""
        return feed_record(document)

    def derive_parsed(
        self, document: JsonObject, parsed: Credential
    ) -> JsonValue | None:
        """Return the feed record of a verified object, read from the data
        model summary its verification parsed (``parsed``, of ``document``
        itself), so that it is not parsed again.

        Spec: docs/store.md (Derived records)
        """
        return feed_record(document, parsed=parsed)


FEED_RECORDS: Final = FeedRecords()
"""The deriver that keeps each object's feed record in an object store."""


def feed_record(
    credential: JsonValue, *, parsed: Credential | None = None
) -> JsonObject:
    """Return what a feed needs of one verified object, as compact JSON.

    A post, retraction or reaction that its reader accepts gives its
    ``to_json()`` (with ``published`` to the microsecond when the time has
    more than milliseconds); any other object gives
    ``{"ignored": REASON, "detail": TEXT}``, the reason being ``malformed``
    or ``unsupportedType``. ``parsed``, when it is what ``parse_credential``
    returned for this very document, saves parsing it again; the record is
    the same.

    Spec: docs/objects.md (Feed records)
    """
    item = _read_document(credential, parsed)
    if isinstance(item, _Failure):
        return {"ignored": item.reason, "detail": item.detail}
    record = item.to_json()
    moment = item.published
    if moment.microsecond % 1000:
        exact = moment.astimezone(UTC).replace(tzinfo=None)
        record["published"] = exact.isoformat(timespec="microseconds") + "Z"
    return record


@dataclass(frozen=True, slots=True)
class _Failure:
    reason: str
    detail: str


_Item = Post | Retraction | Reaction | _Failure
_V = TypeVar("_V")


def _read_document(credential: JsonValue, parsed: Credential | None = None) -> _Item:
    """Rule 1 (Reading): the object read, or why it is ignored."""
    try:
        return read_social_object(credential, parsed=parsed)
    except SSIError as exc:
        reason = "malformed"
        if exc.detail.startswith("$.type names none"):
            reason = "unsupportedType"
        return _Failure(reason, exc.detail)


_FROM_RECORD: Final[dict[object, Callable[[dict[str, Any]], SocialObject]]] = {
    POST_TYPE: Post.from_record,
    RETRACTION_TYPE: Retraction.from_record,
    REACTION_TYPE: Reaction.from_record,
}


def _read_record(record: JsonValue) -> _Item:
    """A feed record, rebuilt without checks (it was read when derived)."""
    try:
        if not isinstance(record, dict):
            raise TypeError(record)
        rebuild = _FROM_RECORD.get(record.get("type"))
        if rebuild is not None:
            return rebuild(record)
        reason, detail = record["ignored"], record["detail"]
        if reason not in ("malformed", "unsupportedType") or not isinstance(
            detail, str
        ):
            raise ValueError(reason)
        return _Failure(str(reason), detail)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise MalformedValueError("A value is not a feed record.") from exc


class _Builder:
    """One run of :func:`build_feed`; its dictionaries are its whole state."""

    def __init__(self) -> None:
        self.steps = 0
        self.posts: dict[str, Post] = {}
        self.retractions: dict[str, Retraction] = {}
        self.reactions: dict[str, Reaction] = {}
        self.other: dict[str, str] = {}  # CIDs of other objects -> their type
        self.ignored: dict[str, IgnoredObject] = {}
        self.root_of: dict[str, str | _Failure] = {}
        self.seen: set[str] = set()

    def build(
        self, objects: Iterable[tuple[str, _V]], read: Callable[[_V], _Item]
    ) -> Feed:
        self._read(objects, read)
        return self.finish()

    def finish(self) -> Feed:
        """Rules 2 to 6 over what was read (after :meth:`_read`)."""
        edits: dict[str, list[str]] = {}
        roots: list[str] = []
        for cid, post in self.posts.items():
            self.steps += 1
            root = self._root(cid)
            if isinstance(root, _Failure):
                self._ignore(cid, post, root.reason, root.detail)
            elif root == cid:
                roots.append(cid)
            else:
                edits.setdefault(root, []).append(cid)
        retracted = self._retractions()
        counts = self._reactions()
        return self._tree(roots, edits, retracted, counts)

    # --- Reading ---------------------------------------------------------------

    def _read(
        self, objects: Iterable[tuple[str, _V]], read: Callable[[_V], _Item]
    ) -> None:
        seen = self.seen
        for cid, value in objects:
            self.steps += 1
            if cid in seen:
                continue
            seen.add(cid)
            item = read(value)
            if isinstance(item, _Failure):
                self.ignored[cid] = IgnoredObject(cid, item.reason, item.detail)
            elif isinstance(item, Post):
                self.posts[cid] = item
            elif isinstance(item, Retraction):
                self.retractions[cid] = item
            else:
                self.reactions[cid] = item

    def _ignore(self, cid: str, item: SocialObject, reason: str, detail: str) -> None:
        kind = type(item).__name__
        self.ignored[cid] = IgnoredObject(cid, reason, detail, kind, item.author)

    # --- Edits -----------------------------------------------------------------

    def _root(self, cid: str) -> str | _Failure:
        """The original post that ``cid`` is a version of, or why there is none.

        Each link is followed once over the whole run: every CID on the walk
        is remembered with the answer.
        """
        path: list[str] = []
        on_path: set[str] = set()
        current = cid
        result: str | _Failure
        while True:
            self.steps += 1
            known = self.root_of.get(current)
            if known is not None:
                result = known
                break
            post = self.posts[current]
            target = post.replaces
            if target is None:
                result = current
                break
            path.append(current)
            on_path.add(current)
            if target in on_path:
                result = _Failure("cycle", f"the edits of {target} form a cycle.")
                break
            original = self.posts.get(target)
            if original is None:
                reason = "notAPost" if self._known(target) else "unknownTarget"
                result = _Failure(reason, f"replaces {target}, not a known post.")
                break
            if original.author != post.author:
                result = _Failure(
                    "notAuthor", f"replaces {target}, a post by another author."
                )
                break
            current = target
        for item in path:
            self.root_of[item] = result
        if not path:
            self.root_of[cid] = result
        return result

    def _known(self, cid: str) -> bool:
        return (
            cid in self.posts
            or cid in self.retractions
            or cid in self.reactions
            or cid in self.ignored
        )

    def _target(self, cid: str) -> str | _Failure:
        """The original post that a reference to ``cid`` leads to."""
        if cid in self.posts:
            found = self._root(cid)
            if isinstance(found, _Failure):
                return _Failure(
                    "notAPost", f"{cid} is an ignored edit ({found.reason})."
                )
            return found
        if self._known(cid):
            return _Failure("notAPost", f"{cid} is not a post.")
        return _Failure("unknownTarget", f"{cid} is not in the set.")

    # --- Retractions and reactions ---------------------------------------------

    def _retractions(self) -> dict[str, list[str]]:
        retracted: dict[str, list[str]] = {}
        for cid, retraction in self.retractions.items():
            self.steps += 1
            target = self._target(retraction.retracts)
            if isinstance(target, _Failure):
                self._ignore(cid, retraction, target.reason, target.detail)
            elif self.posts[target].author != retraction.author:
                self._ignore(
                    cid, retraction, "notAuthor", "retracts a post by another author."
                )
            else:
                retracted.setdefault(target, []).append(cid)
        return retracted

    def _reactions(self) -> dict[str, dict[str, str]]:
        """The counted reaction of each DID to each post: post -> DID -> CID."""
        latest: dict[str, dict[str, str]] = {}
        for cid, reaction in self.reactions.items():
            self.steps += 1
            target = self._target(reaction.reacts_to)
            if isinstance(target, _Failure):
                self._ignore(cid, reaction, target.reason, target.detail)
                continue
            by_author = latest.setdefault(target, {})
            previous = by_author.get(reaction.author)
            if previous is None:
                by_author[reaction.author] = cid
                continue
            older = self.reactions[previous]
            if (older.published, previous) < (reaction.published, cid):
                by_author[reaction.author], loser = cid, previous
            else:
                loser = cid
            self._ignore(
                loser,
                self.reactions[loser],
                "superseded",
                "a later reaction by the same DID to the same post counts.",
            )
        return latest

    # --- The tree --------------------------------------------------------------

    def _tree(
        self,
        roots: list[str],
        edits: dict[str, list[str]],
        retracted: dict[str, list[str]],
        counts: dict[str, dict[str, str]],
    ) -> Feed:
        children: dict[str, list[str]] = {}
        parent_of: dict[str, str] = {}
        threads: list[str] = []
        orphans: list[str] = []
        for cid in roots:
            self.steps += 1
            reply_to = self.posts[cid].in_reply_to
            if reply_to is None:
                threads.append(cid)
                continue
            target = self._target(reply_to)
            if isinstance(target, _Failure):
                orphans.append(cid)
            else:
                children.setdefault(target, []).append(cid)
                parent_of[cid] = target
        entries: list[FeedEntry] = []
        placed: set[str] = set()
        no_edits: list[str] = []
        no_reactions: dict[str, str] = {}
        for top in (threads, orphans):
            stack = [(cid, 0) for cid in reversed(self._sorted(top))]
            while stack:
                cid, depth = stack.pop()
                placed.add(cid)
                found = children.get(cid)
                replies = self._sorted(found) if found else []
                entries.append(
                    self._entry(
                        cid,
                        depth,
                        parent_of.get(cid),
                        tuple(replies),
                        edits.get(cid, no_edits),
                        retracted.get(cid, no_edits),
                        counts.get(cid, no_reactions),
                    )
                )
                if replies:
                    stack.extend((child, depth + 1) for child in reversed(replies))
        self.steps += len(placed)
        for cid in roots:
            if cid not in placed:
                self._ignore(
                    cid,
                    self.posts[cid],
                    "cycle",
                    "it is in, or answers, a cycle of replies.",
                )
        return Feed(
            entries=tuple(entries),
            threads=tuple(self._sorted(threads)),
            orphans=tuple(self._sorted(orphans)),
            ignored=tuple(self.ignored[cid] for cid in sorted(self.ignored)),
            steps=self.steps,
        )

    def _sorted(self, cids: list[str]) -> list[str]:
        if len(cids) < 2:  # most posts have at most one reply and no edit
            return list(cids)
        posts = self.posts
        return sorted(cids, key=lambda cid: (posts[cid].published, cid))

    def _entry(
        self,
        cid: str,
        depth: int,
        parent: str | None,
        replies: tuple[str, ...],
        edits: list[str],
        retractions: list[str],
        reactions: dict[str, str],
    ) -> FeedEntry:
        original = self.posts[cid]
        if edits:
            versions = self._sorted([cid, *edits])
            current = versions[-1]
            shown = self.posts[current]
            edit_cids = tuple(v for v in versions if v != cid)
            edited = None if current == cid else shown.published
        else:  # most posts: no edit, retraction or reaction
            current, shown, edit_cids, edited = cid, original, (), None
        counts: tuple[ReactionCount, ...] = ()
        if reactions:
            tally: dict[str, int] = {}
            for reaction_cid in reactions.values():
                value = self.reactions[reaction_cid].value
                tally[value] = tally.get(value, 0) + 1
            counts = tuple(ReactionCount(v, tally[v]) for v in sorted(tally))
        return FeedEntry(
            cid,
            original.author,
            original.published,
            depth,
            parent,
            original.in_reply_to,
            original.community,
            original.in_reply_to is not None and parent is None,
            replies,
            None if retractions else shown,
            current,
            edit_cids,
            edited,
            tuple(sorted(retractions)) if retractions else (),
            counts,
        )
