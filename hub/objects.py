"""The object endpoints: add signed objects, get one by CID, list by index.

``POST /objects`` takes one JSON object (or a JSON array of them) or a JSON
Lines bundle (docs/bundles.md). A lone object is verified with the hub's
verifier (did:key, did:jwk, and did:agora from the hub's trusted logs); a
bundle is verified as ``agora bundle unpack`` does, with the did:agora logs,
status lists and memberships it carries (and the hub's logs); its logs go
to the hub's log book, its status lists that verify are stored, and so are
its memberships (their status recorded, not enforced: ``hub.evidence``), so
that later objects verify without it. Either way only what verifies is stored,
and every object gets a result; a credential whose only problem is that its
validity period has ended is kept as evidence, its expiry recorded
(``hub.evidence``).

Spec: docs/hub.md (Objects)
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import threading
from collections import Counter
from datetime import datetime
from typing import Annotated, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from hub.evidence import expiry_recorded, is_membership, membership_verifier
from hub.operations import count_outcomes
from hub.problems import problem
from hub.schemas import (
    ADD_RESPONSE,
    PAGE,
    STORED_OBJECT,
    json_response,
    problem_responses,
)
from hub.state import HubState, hub_state, log_sources
from ssi.bundle import BundleContents, read_bundle, unpack
from ssi.bundle.format import OBJECT_KINDS, quick_kind
from ssi.cid import object_cid
from ssi.datetimes import parse_date_time
from ssi.errors import ObjectNotFoundError, SSIError
from ssi.social import FEED_RECORDS
from ssi.status import BitstringStatusChecker, MemoryStatusSource
from ssi.store import Page
from ssi.types import JsonObject, JsonValue

__all__ = ["BUNDLE_MEDIA_TYPES", "router"]

BUNDLE_MEDIA_TYPES: Final = (
    "application/vnd.agora.bundle+jsonl",
    "application/jsonl",
    "application/x-ndjson",
)
"""Media types ``POST /objects`` reads as a bundle (a body that starts with a
bundle header is read as one whatever its type)."""

_HEADER_START: Final = b'{"kind":"header"'

_log = logging.getLogger("hub")

router = APIRouter(tags=["objects"])

_POST_BODY: Final = {
    "requestBody": {
        "required": True,
        "description": "One signed object, a JSON array of them, or a bundle.",
        "content": {
            "application/json": {
                "schema": {
                    "anyOf": [
                        {"type": "object"},
                        {"type": "array", "items": {}},
                    ]
                }
            },
            BUNDLE_MEDIA_TYPES[0]: {"schema": {"type": "string"}},
        },
    }
}


def _is_bundle(request: Request, body: bytes) -> bool:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return media in BUNDLE_MEDIA_TYPES or body.lstrip().startswith(_HEADER_START)


def _bundle_objects(body: bytes) -> int:
    """How many object lines a bundle has (lines not written kind-first count)."""
    count = 0
    for number, line in enumerate(body.splitlines()):
        kind = quick_kind(line.strip())
        if number > 0 and line.strip() and (kind is None or kind in OBJECT_KINDS):
            count += 1
    return count


_INGEST: Final = threading.Lock()
"""Held while one request's objects are read, verified and stored: in a
process, requests take turns at that CPU-bound work. Threads that run it
together gain nothing under the interpreter lock and spend more CPU on each
object contending for it (docs/hub.md, Performance)."""


def _add_documents(state: HubState, documents: list[JsonValue]) -> list[JsonObject]:
    # Credentials whose validity period has ended are kept, their expiry
    # recorded (hub.evidence).
    verifier = expiry_recorded(state.verifier)
    results = state.store.add(documents, verifier=verifier, derive=FEED_RECORDS)
    return [result.to_json() for result in results]


def _keep_dependencies(state: HubState, body: bytes) -> BundleContents | None:
    """Keep what a bundle carries for verifying, so that the hub (and hubs
    that copy from it) can verify its objects later without the bundle: each
    did:agora log goes to the log book (validated there; a broken or forked
    log is left out), each status list credential that verifies is stored.
    Return what the bundle holds (None when it cannot be read)."""
    try:
        contents = read_bundle(io.BytesIO(body))
    except SSIError:
        return None  # unpack reports what is wrong with the bundle
    if state.logbook is not None:
        for did, logs in contents.logs.items():
            for log in logs:
                try:
                    state.logbook.record(list(log))
                except SSIError as error:
                    _log.info("a did:agora log of %.80s was not kept: %s", did, error)
    if contents.status_lists:
        state.store.add(list(contents.status_lists), verifier=state.verifier)
    if contents.memberships:
        # Kept as evidence, their status recorded, not enforced (hub.evidence).
        state.store.add(
            list(contents.memberships),
            verifier=expiry_recorded(
                membership_verifier(state.verifier, _bundle_lists(contents))
            ),
            derive=FEED_RECORDS,
        )
    return contents


def _bundle_lists(contents: BundleContents) -> BitstringStatusChecker:
    """A status checker over the bundle's last version of each list."""
    lists = MemoryStatusSource()
    for listed in contents.status_lists:
        if isinstance(listed.get("id"), str):
            lists.add(listed)  # the bundle's last version of each list
    return BitstringStatusChecker(lists)


def _keep_expired(
    state: HubState, contents: BundleContents, results: list[JsonObject]
) -> None:
    """Store the bundle's credentials refused only because their validity
    period has ended, their expiry recorded (``hub.evidence``), verified
    with the hub's logs (the bundle's kept first) and the bundle's status
    lists; their results are replaced by the store's."""
    refused: dict[str, list[int]] = {}
    for index, result in enumerate(results):
        cid, problems = result["cid"], result["problems"]
        if (
            result["outcome"] == "rejected"
            and isinstance(cid, str)
            and isinstance(problems, list)
            and bool(problems)
            and all(
                isinstance(found, dict) and found.get("check") == "validity"
                for found in problems
            )
        ):
            refused.setdefault(cid, []).append(index)
    if not refused:
        return
    documents: dict[str, JsonObject] = {}
    for document in contents.objects:
        cid = object_cid(document)
        if cid in refused:
            documents[cid] = document
            if len(documents) == len(refused):
                break
    chosen = list(documents.items())
    checker = _bundle_lists(contents)
    plain = expiry_recorded(dataclasses.replace(state.verifier, status=checker))
    members = expiry_recorded(membership_verifier(state.verifier, checker))
    for verifier, wanted in ((members, True), (plain, False)):
        group = [(cid, d) for cid, d in chosen if is_membership(d) == wanted]
        if not group:
            continue
        added = state.store.add(
            [document for _, document in group],
            verifier=verifier,
            derive=FEED_RECORDS,
        )
        for (cid, _), kept in zip(group, added, strict=True):
            if kept.outcome == "rejected":
                continue
            first, *repeats = refused[cid]
            results[first] = kept.to_json()
            for index in repeats:  # a repeat of an object in the same request
                results[index] = {"cid": cid, "outcome": "present", "problems": []}


def _add_bundle(state: HubState, body: bytes) -> list[JsonObject]:
    with _INGEST:
        return _unpack_bundle(state, body)


def _unpack_bundle(state: HubState, body: bytes) -> list[JsonObject]:
    contents = _keep_dependencies(state, body)
    results: list[JsonObject] = []
    for result in unpack(
        io.BytesIO(body),
        state.store,
        extra_logs=log_sources(state.settings),
        clock=state.settings.clock,
    ):
        if result.outcome == "skipped":
            continue  # a blob: the store keeps signed objects only
        results.append(
            {
                "cid": result.item.cid,
                "outcome": result.outcome,
                "problems": [
                    {**problem.to_json(), "line": result.item.line}
                    for problem in result.item.problems
                ],
            }
        )
    if contents is not None:
        _keep_expired(state, contents, results)
    return results


def _summary(results: list[JsonObject]) -> JsonObject:
    counts = Counter(str(result["outcome"]) for result in results)
    count_outcomes(counts)
    return {
        "results": list(results),
        "stored": counts["stored"],
        "present": counts["present"],
        "rejected": counts["rejected"],
    }


@router.post(
    "/objects",
    summary="Verify signed objects and store those that verify.",
    openapi_extra=_POST_BODY,
    responses={
        200: json_response("What happened to each object.", ADD_RESPONSE),
        **problem_responses(400, 413, 503),
    },
)
async def post_objects(request: Request) -> JSONResponse:
    """Verify one object, an array of objects or a bundle; store what verifies.

    Spec: docs/hub.md (POST /objects)
    """
    state = hub_state(request)
    body = await request.body()
    limit = state.settings.max_objects
    if _is_bundle(request, body):
        if _bundle_objects(body) > limit:
            return _too_many(limit)
        results = await run_in_threadpool(_add_bundle, state, body)
        return JSONResponse(_summary(results))
    # Reading the JSON, verifying, storing and writing the answer take one
    # trip to a worker thread, one request at a time (_INGEST).
    return await run_in_threadpool(_post_json, state, body)


def _post_json(state: HubState, body: bytes) -> JSONResponse:
    """Answer a ``POST /objects`` of one JSON object or an array of them."""
    with _INGEST:
        return _read_and_add(state, body)


def _read_and_add(state: HubState, body: bytes) -> JSONResponse:
    limit = state.settings.max_objects
    try:
        parsed = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return problem(
            400,
            "invalidBody",
            "The body is neither JSON nor a bundle (JSON Lines with a header).",
        )
    if not isinstance(parsed, dict | list):
        return problem(
            400, "invalidBody", "The body is not a JSON object or array of objects."
        )
    documents: list[JsonValue] = parsed if isinstance(parsed, list) else [parsed]
    if len(documents) > limit:
        return _too_many(limit)
    return JSONResponse(_summary(_add_documents(state, documents)))


def _too_many(limit: int) -> JSONResponse:
    return problem(
        413,
        "tooManyObjects",
        f"A request carries at most {limit:,} objects.",
        maxObjects=limit,
    )


@router.get(
    "/objects/{cid}",
    summary="Get a stored object by its CID.",
    responses={
        200: json_response("The object with its index entries.", STORED_OBJECT),
        **problem_responses(400, 404),
    },
)
def get_object(cid: str, request: Request) -> JSONResponse:
    """Return the stored object with this CID.

    Spec: docs/hub.md (GET /objects/{cid})

    Raises:
        InvalidCIDError: ``cid`` is not a CID (400).
        ObjectNotFoundError: no object has it (404).
    """
    found = hub_state(request).store.get(cid)
    if found is None:
        raise ObjectNotFoundError(f"No object {cid} is stored here.")
    return JSONResponse(found.to_json())


def _moment(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    return parse_date_time(value, require_timezone=False, path=name)


@router.get(
    "/objects",
    summary="List stored objects by index, in insertion order.",
    responses={200: json_response("One page.", PAGE), **problem_responses(400)},
)
def list_objects(
    request: Request,
    type: Annotated[str | None, Query(description="An object type.")] = None,
    author: Annotated[str | None, Query(description="The issuer/holder DID.")] = None,
    community: Annotated[str | None, Query(description="A community DID.")] = None,
    reply_to: Annotated[str | None, Query(description="The CID replied to.")] = None,
    refers_to: Annotated[str | None, Query(description="A CID referred to.")] = None,
    since: Annotated[
        str | None,
        Query(
            description="Objects from this time (XML Schema dateTime).",
            json_schema_extra={"format": "date-time"},
        ),
    ] = None,
    until: Annotated[
        str | None,
        Query(
            description="Objects before this time.",
            json_schema_extra={"format": "date-time"},
        ),
    ] = None,
    limit: Annotated[
        int | None, Query(ge=1, description="Objects per page (capped by the hub).")
    ] = None,
    cursor: Annotated[
        str | None, Query(description="Resume after the page that gave it.")
    ] = None,
) -> JSONResponse:
    """Return one page of objects matching every filter given.

    Spec: docs/hub.md (GET /objects)

    Raises:
        MalformedValueError: ``since`` or ``until`` is not a dateTime (400).
        InvalidCIDError: ``reply_to`` or ``refers_to`` is not a CID (400).
        InvalidCursorError: the cursor is not this hub's for these filters (400).
    """
    state = hub_state(request)
    cap = state.settings.max_page
    start, end = _moment(since, "since"), _moment(until, "until")
    page: Page = state.store.query(
        type=type,
        author=author,
        community=community,
        reply_to=reply_to,
        refers_to=refers_to,
        since=start,
        until=end,
        limit=min(limit or cap, cap),
        cursor=cursor,
    )
    return JSONResponse(
        {
            "items": [item.to_json() for item in page.items],
            "cursor": page.cursor,
            "more": page.more,
        }
    )
