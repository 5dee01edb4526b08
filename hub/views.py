"""Views: a community's feed, a proposal, a post's cases, logs, status lists.

Each view reads the hub's store (every object in it verified when it was
stored) and shapes one answer; lists are paged (``limit``, ``cursor``,
answered as ``{..., items, cursor, more}``). Clients verify what they get:
the views carry the signed objects or their CIDs, never a bare verdict of the
hub alone.

- ``GET /communities/{did}/feed``: the community's threads, selected from
  the store's feed (``ssi.social.StoreFeed``, folded forward as objects
  arrive); a page is whole threads (entries depth first). Both are kept in
  the process's ``hub.viewcache.ViewCache`` until the store changes.
- ``GET /proposals/{cid}``: the proposal, its tallies' CIDs, the counts of
  its ballots, signals and tallies, and a page of those objects.
- ``GET /cases/{post}``: one moderation decision per label on the post,
  decided by ``ssi.social.ModerationEvidence`` from the store.
- ``GET /dids/{did}/log``: the did:agora log the hub keeps (JSON Lines).
- ``GET /status-lists/{id}``: the newest stored status list credential with
  that ``id``.

Spec: docs/hub.md (Views)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Final

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from hub.cases import post_decisions
from hub.logbook import hub_logbook
from hub.paging import page_keys
from hub.problems import problem
from hub.schemas import STORED_OBJECT, json_response, problem_responses
from hub.state import HubState, hub_state, log_sources
from ssi.agora import LogSource, resolve_log
from ssi.cid import is_cid
from ssi.errors import InvalidCursorError, SSIError
from ssi.social import Feed, FeedEntry, StoreFeed, select_threads
from ssi.social.ballot import BALLOT_TYPE
from ssi.social.proposal import PROPOSAL_TYPE, SIGNAL_TYPE
from ssi.social.tally import TALLY_TYPE
from ssi.status.credential import LIST_CREDENTIAL_TYPE
from ssi.store import DEFAULT_LIMIT, MAX_LIMIT, StoredObject
from ssi.types import JsonObject, JsonValue

__all__ = [
    "COMMUNITY_FEED",
    "LOG_MEDIA_TYPE",
    "PROPOSAL_PARTS",
    "STORE_FEED",
    "CommunityThreads",
    "community_threads",
    "router",
    "store_feed_view",
]

LOG_MEDIA_TYPE: Final = "application/jsonl"
"""The media type of ``GET /dids/{did}/log``."""

PROPOSAL_PARTS: Final = (BALLOT_TYPE, SIGNAL_TYPE, TALLY_TYPE)
"""The objects ``GET /proposals/{cid}`` lists with the proposal."""

Limit = Annotated[int, Query(ge=1, description="Items per page (capped).")]
Cursor = Annotated[
    str | None, Query(max_length=512, description="Resume after a page.")
]


_STRING_OR_NULL: Final = {"anyOf": [{"type": "string"}, {"type": "null"}]}
_PAGED: Final = {"cursor": _STRING_OR_NULL, "more": {"type": "boolean"}}
_FEED: Final = {
    "type": "object",
    "required": ["community", "threads", "items", "cursor", "more"],
    "properties": {
        "community": {"type": "string"},
        "threads": {"type": "array", "items": {"type": "string"}},
        "items": {"type": "array", "items": {"type": "object"}},
        **_PAGED,
    },
}
_PROPOSAL: Final = {
    "type": "object",
    "required": ["proposal", "tallies", "counts", "items", "cursor", "more"],
    "properties": {
        "proposal": STORED_OBJECT,
        "tallies": {"type": "array", "items": {"type": "string"}},
        "counts": {"type": "object"},
        "items": {"type": "array", "items": STORED_OBJECT},
        **_PAGED,
    },
}
_CASES: Final = {
    "type": "object",
    "required": ["post", "community", "at", "items", "cursor", "more"],
    "properties": {
        "post": {"type": "string"},
        "community": {"type": "string"},
        "at": {"type": "string"},
        "items": {"type": "array", "items": {"type": "object"}},
        **_PAGED,
    },
}


def _limit(state: HubState, limit: int) -> int:
    return min(limit, state.settings.max_page, MAX_LIMIT)


def _bad_cid(value: str, what: str) -> JSONResponse | None:
    if is_cid(value):
        return None
    return problem(400, "invalidCid", f"{what} {value[:80]!r} is not a CID.")


STORE_FEED: Final = "storeFeed"
"""The view cache's kind of the store's whole feed (one, key "")."""

COMMUNITY_FEED: Final = "communityFeed"
"""The view cache's kind of a community's threads (key: its DID)."""


@dataclass(frozen=True, slots=True)
class CommunityThreads:
    """A community's threads, as its feed pages list them.

    Attributes:
        roots: the threads' first posts, then the orphans, in feed order.
        entries: each root's entries (it and its replies, depth first).
    """

    roots: tuple[str, ...]
    entries: dict[str, tuple[FeedEntry, ...]]


def store_feed_view(state: HubState) -> Feed:
    """Return the feed of the whole store, from the view cache (folded
    forward when the store has changed).

    Spec: docs/hub.md (Views: caching)

    Raises:
        StoreError: the store cannot be read.
        StoreCorruptedError: a stored feed record is not one.
    """

    def build(kept: tuple[StoreFeed, Feed] | None) -> tuple[StoreFeed, Feed]:
        folding = StoreFeed(state.store) if kept is None else kept[0]
        feed, _ = folding.refresh()
        return folding, feed

    return state.views.get(STORE_FEED, "", build)[1]


def community_threads(state: HubState, did: str) -> CommunityThreads:
    """Return a community's threads, from the view cache.

    Spec: docs/hub.md (Views: caching)

    Raises:
        StoreError: the store cannot be read.
        StoreCorruptedError: a stored feed record is not one.
    """

    def build(_: CommunityThreads | None) -> CommunityThreads:
        feed = select_threads(store_feed_view(state), community=did)
        groups: dict[str, list[FeedEntry]] = {}
        thread: list[FeedEntry] = []
        for entry in feed.entries:
            if entry.depth == 0:
                thread = groups.setdefault(entry.cid, [])
            thread.append(entry)
        return CommunityThreads(
            (*feed.threads, *feed.orphans),
            {root: tuple(entries) for root, entries in groups.items()},
        )

    return state.views.get(COMMUNITY_FEED, did, build)


def community_feed(
    request: Request, did: str, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Response:
    """Return a page of a community's feed: whole threads, oldest first."""
    state = hub_state(request)
    threads = community_threads(state, did)
    try:
        page = page_keys(threads.roots, limit=_limit(state, limit), cursor=cursor)
    except InvalidCursorError as exc:
        return problem(400, exc.code, str(exc))
    items: list[JsonValue] = [
        entry.to_json() for root in page.keys for entry in threads.entries[root]
    ]
    return JSONResponse(
        {
            "community": did,
            "threads": list(page.keys),
            "items": items,
            "cursor": page.cursor,
            "more": page.more,
        }
    )


def proposal_view(
    request: Request, cid: str, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Response:
    """Return a proposal with its tallies and a page of its ballots, signals
    and tallies."""
    bad = _bad_cid(cid, "the proposal")
    if bad is not None:
        return bad
    state = hub_state(request)
    store = state.store
    stored = store.get(cid)
    if stored is None or PROPOSAL_TYPE not in stored.types:
        return problem(404, "notFound", f"this hub holds no proposal {cid}.")
    try:
        page = store.query(refers_to=cid, limit=_limit(state, limit), cursor=cursor)
    except InvalidCursorError as exc:
        return problem(400, exc.code, str(exc))
    tallies = [item.cid for item in _every(state, type=TALLY_TYPE, refers_to=cid)]
    body: JsonObject = {
        "proposal": stored.to_json(),
        "tallies": list(tallies),
        "counts": {
            kind: store.count(type=kind, refers_to=cid) for kind in PROPOSAL_PARTS
        },
        "items": [
            item.to_json()
            for item in page.items
            if any(kind in item.types for kind in PROPOSAL_PARTS)
        ],
        "cursor": page.cursor,
        "more": page.more,
    }
    return JSONResponse(body)


def _every(state: HubState, **filters: str) -> list[StoredObject]:
    found: list[StoredObject] = []
    cursor: str | None = None
    while True:
        page = state.store.query(
            type=filters.get("type"),
            author=filters.get("author"),
            refers_to=filters.get("refers_to"),
            limit=MAX_LIMIT,
            cursor=cursor,
        )
        found.extend(page.items)
        if not page.more or page.cursor is None:
            return found
        cursor = page.cursor


def _sources(request: Request, state: HubState) -> list[LogSource]:
    return [hub_logbook(request), *log_sources(state.settings)]


def case_view(
    request: Request,
    post: str,
    at: Annotated[
        datetime | None, Query(description="Decide as of this time (default now).")
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response:
    """Return the moderation decisions on a post, one per label."""
    bad = _bad_cid(post, "the post")
    if bad is not None:
        return bad
    if at is not None and at.tzinfo is None:
        return problem(400, "invalidTime", "at must name a time zone (Z or +hh:mm).")
    state = hub_state(request)
    stored = state.store.get(post)
    if stored is None:
        return problem(404, "notFound", f"this hub holds no post {post}.")
    if stored.community is None:
        return problem(404, "notFound", f"the post {post} names no community.")
    moment = at or datetime.now(UTC)
    decisions = post_decisions(
        state.store, stored, at=moment, logs=_sources(request, state)
    )
    by_label = {str(decision["label"]): decision for decision in decisions}
    try:
        page = page_keys(list(by_label), limit=_limit(state, limit), cursor=cursor)
    except InvalidCursorError as exc:
        return problem(400, exc.code, str(exc))
    return JSONResponse(
        {
            "post": post,
            "community": stored.community,
            "at": moment.isoformat().replace("+00:00", "Z"),
            "items": [by_label[label] for label in page.keys],
            "cursor": page.cursor,
            "more": page.more,
        }
    )


def did_log(request: Request, did: str) -> Response:
    """Return the did:agora log of a DID as JSON Lines."""
    if not did.startswith("did:agora:"):
        return problem(
            400, "methodNotSupported", "this hub keeps logs of did:agora DIDs only."
        )
    state = hub_state(request)
    entries = hub_logbook(request).entries(did)
    if entries is None:
        logs = [
            log for source in log_sources(state.settings) for log in _safe(source, did)
        ]
        if logs:
            try:
                entries = resolve_log(did, logs).entries()
            except SSIError as exc:
                return problem(500, exc.code, f"the hub's log of {did} is unusable.")
    if entries is None:
        return problem(404, "notFound", f"this hub keeps no log of {did[:120]}.")
    text = "".join(
        json.dumps(entry, separators=(",", ":"), ensure_ascii=False) + "\n"
        for entry in entries
    )
    return Response(text, media_type=LOG_MEDIA_TYPE)


def _safe(source: LogSource, did: str) -> list[list[JsonValue]]:
    try:
        return source.logs_for(did)
    except SSIError:
        return []


def status_list(request: Request, id: str) -> Response:
    """Return the newest stored status list credential with this ``id``."""
    state = hub_state(request)
    newest: StoredObject | None = None
    for item in _every(state, type=LIST_CREDENTIAL_TYPE):
        if item.document.get("id") != id:
            continue
        if newest is None or _newer(item, newest):
            newest = item
    if newest is None:
        return problem(404, "notFound", f"this hub holds no status list {id[:200]!r}.")
    return JSONResponse(
        newest.document, headers={"Content-Location": f"/objects/{newest.cid}"}
    )


def _newer(item: StoredObject, than: StoredObject) -> bool:
    floor = datetime.min.replace(tzinfo=UTC)
    return (item.time or floor, item.seq) > (than.time or floor, than.seq)


def router() -> APIRouter:
    """Return the router of the views (included by ``hub.app.create_app``).

    Spec: docs/hub.md (Views)
    """
    api = APIRouter(tags=["views"])
    api.add_api_route(
        "/communities/{did}/feed",
        community_feed,
        methods=["GET"],
        summary="A community's feed, a page of whole threads",
        responses={
            200: json_response("A page of threads.", _FEED),
            **problem_responses(400),
        },
    )
    api.add_api_route(
        "/proposals/{cid}",
        proposal_view,
        methods=["GET"],
        summary="A proposal with its ballots, signals and tallies",
        responses={
            200: json_response("The proposal and a page of its parts.", _PROPOSAL),
            **problem_responses(400, 404),
        },
    )
    api.add_api_route(
        "/cases/{post}",
        case_view,
        methods=["GET"],
        summary="The moderation decisions on a post, one per label",
        responses={
            200: json_response("A page of decisions.", _CASES),
            **problem_responses(400, 404),
        },
    )
    api.add_api_route(
        "/dids/{did}/log",
        did_log,
        methods=["GET"],
        summary="A did:agora log as JSON Lines",
        response_class=Response,
        responses={
            200: {
                "description": "The log's entries, one JSON object a line.",
                "content": {LOG_MEDIA_TYPE: {"schema": {"type": "string"}}},
            },
            **problem_responses(400, 404),
        },
    )
    api.add_api_route(
        "/status-lists/{id:path}",
        status_list,
        methods=["GET"],
        summary="The newest stored status list credential with this id",
        responses={
            200: json_response("The status list credential.", {"type": "object"}),
            **problem_responses(404),
        },
    )
    return api
