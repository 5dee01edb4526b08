"""The hub's inboxes: anyone delivers encrypted DIDComm messages to a DID,
only that DID lists, reads and deletes them.

- ``POST /inbox/{did}``: one packed encrypted message (a JWE in general JSON
  serialization, ``application/didcomm-encrypted+json``), kept as opaque
  bytes; 202 with its id. The hub checks the shape only (it cannot decrypt).
- ``POST /inbox/{did}/challenge``: a fresh challenge for that inbox, with
  the hub's domain and when the challenge expires.
- Authenticated (``Authorization: DIDAuth <base64url of a presentation>``,
  or ``Bearer <token>`` from ``POST /inbox/{did}/token``):
  ``GET /inbox/{did}`` (a page of ids, times and sizes),
  ``GET /inbox/{did}/{id}`` (the message) and ``DELETE /inbox/{did}/{id}``.

DID authentication (``hub.didauth``): a presentation by the DID answering
a challenge of this hub for this inbox, used once. Every refusal is a 401
problem with its own code (a token of another DID: 403), and nothing is
said about the inbox's messages before authentication succeeds.

Test seams: ``app.state.inbox_clock`` (Unix seconds) and
``app.state.inbox_buckets`` (the delivery rate limiter) replace the clock
and the buckets when set.

Spec: docs/hub.md (Inbox), https://identity.foundation/didcomm-messaging/spec/v2.1/
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from datetime import UTC, datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from hub.didauth import (
    CHALLENGE_SECONDS,
    TOKEN_SECONDS,
    WWW_AUTHENTICATE,
    authenticate,
    hub_domain,
    request_time,
    token_digest,
)
from hub.inbox_terms import ENCRYPTED_MEDIA_TYPE
from hub.limits import TokenBuckets
from hub.mailbox import MessageInfo, hub_mailbox
from hub.problems import problem
from hub.schemas import json_response, problem_responses
from hub.state import hub_state
from ssi.credentials.json_input import load_json
from ssi.did.syntax import parse_did
from ssi.encoding import decode_base64url
from ssi.errors import (
    DIDError,
    InboxError,
    InvalidCursorError,
    SSIError,
)
from ssi.types import JsonObject

__all__ = [
    "ENCRYPTED_MEDIA_TYPE",
    "check_jwe",
    "router",
]


_DEFAULT_PAGE: Final = 100
_B64URL: Final = re.compile(r"[A-Za-z0-9_-]*")
_MESSAGE_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
_CURSOR: Final = re.compile(r"i1\.([0-9]{1,18})")
_RESERVED: Final = frozenset({"challenge", "token"})
"""Path segments after ``/inbox/{did}/`` that name an operation, never a message."""
_MAX_PROTECTED: Final = 16 * 1024
_OPENING: Final = threading.Lock()

_JWE_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "required": ["protected", "recipients", "iv", "ciphertext", "tag"],
    "properties": {
        "protected": {"type": "string", "pattern": "^[A-Za-z0-9_-]+$"},
        "recipients": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["encrypted_key"],
                "properties": {
                    "header": {"type": "object"},
                    "encrypted_key": {"type": "string", "pattern": "^[A-Za-z0-9_-]+$"},
                },
            },
        },
        "iv": {"type": "string", "pattern": "^[A-Za-z0-9_-]+$"},
        "ciphertext": {"type": "string", "pattern": "^[A-Za-z0-9_-]*$"},
        "tag": {"type": "string", "pattern": "^[A-Za-z0-9_-]+$"},
    },
}
_ENTRY: Final[dict[str, Any]] = {
    "type": "object",
    "required": ["id", "received", "size"],
    "properties": {
        "id": {"type": "string"},
        "received": {"type": "string", "format": "date-time"},
        "size": {"type": "integer"},
    },
}
_LISTING: Final[dict[str, Any]] = {
    "type": "object",
    "required": ["items", "cursor", "more"],
    "properties": {
        "items": {"type": "array", "items": _ENTRY},
        "cursor": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "more": {"type": "boolean"},
    },
}
_CHALLENGE: Final[dict[str, Any]] = {
    "type": "object",
    "required": ["challenge", "domain", "expires"],
    "properties": {
        "challenge": {"type": "string"},
        "domain": {"type": "string"},
        "expires": {"type": "string", "format": "date-time"},
    },
}
_TOKEN: Final[dict[str, Any]] = {
    "type": "object",
    "required": ["token", "tokenType", "expires"],
    "properties": {
        "token": {"type": "string"},
        "tokenType": {"const": "Bearer"},
        "expires": {"type": "string", "format": "date-time"},
    },
}
_AUTH_NOTE: Final = (
    " Needs `Authorization: DIDAuth <base64url of a presentation answering a "
    "challenge>` or `Authorization: Bearer <token>` (docs/hub.md, Inbox)."
)


def check_jwe(body: bytes) -> str | None:
    """Return why ``body`` is not a JWE in general JSON serialization with at
    least one recipient, or None when its shape is one.

    Only the shape is checked (the hub holds no key): a JSON object with
    ``protected`` (base64url of a JSON object), ``recipients`` (a non-empty
    array of objects, each with an ``encrypted_key`` and, if any, a
    ``header`` object), ``iv``, ``ciphertext`` and ``tag`` (base64url).

    Spec: https://www.rfc-editor.org/rfc/rfc7516#section-7.2.1,
    https://identity.foundation/didcomm-messaging/spec/v2.1/#didcomm-encrypted-messages
    """
    try:
        value = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return "the body is not JSON."
    if not isinstance(value, dict):
        return "the body is not a JSON object."
    for name in ("protected", "iv", "ciphertext", "tag"):
        member = value.get(name)
        if not isinstance(member, str) or not _B64URL.fullmatch(member):
            return f"{name} is not a base64url string."
        if not member and name != "ciphertext":
            return f"{name} is empty."
    protected = str(value["protected"])
    if len(protected) > _MAX_PROTECTED:
        return "the protected header is too long."
    try:
        header = load_json(decode_base64url(protected))
    except SSIError:
        return "the protected header is not base64url of JSON."
    if not isinstance(header, dict):
        return "the protected header is not a JSON object."
    recipients = value.get("recipients")
    if not isinstance(recipients, list) or not recipients:
        return "recipients is not a non-empty array (general JSON serialization)."
    for index, recipient in enumerate(recipients):
        if not isinstance(recipient, dict):
            return f"recipients[{index}] is not an object."
        key = recipient.get("encrypted_key")
        if not isinstance(key, str) or not key or not _B64URL.fullmatch(key):
            return f"recipients[{index}].encrypted_key is not a base64url string."
        if "header" in recipient and not isinstance(recipient["header"], dict):
            return f"recipients[{index}].header is not an object."
    return None


def _iso(moment: float) -> str:
    stamp = datetime.fromtimestamp(moment, UTC).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")


def _checked_did(did: str) -> JSONResponse | None:
    try:
        parse_did(did)
    except DIDError as exc:
        return problem(400, exc.code, exc.detail)
    return None


def _rate_limited(request: Request) -> JSONResponse | None:
    buckets = getattr(request.app.state, "inbox_buckets", None)
    if not isinstance(buckets, TokenBuckets):
        rate = hub_state(request).settings.inbox_rate
        with _OPENING:
            buckets = getattr(request.app.state, "inbox_buckets", None)
            if not isinstance(buckets, TokenBuckets):
                buckets = TokenBuckets(rate, 2 * rate)
                request.app.state.inbox_buckets = buckets
    client = request.client.host if request.client else "unknown"
    wait = buckets.take(client)
    if wait <= 0:
        return None
    retry = max(1, int(wait + 0.999))
    return problem(
        429,
        "tooManyRequests",
        f"Too many inbox requests from this client: retry in {retry} s.",
        retryAfter=retry,
    )


def _owner_refused(
    request: Request, did: str, message_id: str | None = None
) -> JSONResponse | None:
    """The refusal of a request on an inbox's messages, or ``None`` when the
    DID is well formed and the request is authenticated as it."""
    if message_id in _RESERVED:
        raise HTTPException(405)
    bad = _checked_did(did)
    if bad is not None:
        return bad
    try:
        authenticate(request, did)
    except InboxError as exc:
        return _refused(exc)
    return None


def _refused(error: InboxError) -> JSONResponse:
    status = error.status or 401
    response = problem(status, error.code, error.detail)
    if status == 401:
        response.headers["WWW-Authenticate"] = WWW_AUTHENTICATE
    return response


def _entry(info: MessageInfo) -> JsonObject:
    return {"id": info.id, "received": _iso(info.received), "size": info.size}


def _after(cursor: str | None) -> int:
    if cursor is None:
        return 0
    found = _CURSOR.fullmatch(cursor)
    if found is None:
        raise InvalidCursorError("the cursor is not one this inbox gave.")
    return int(found.group(1))


def router() -> APIRouter:
    """Return the inbox routes, to include in the hub's app.

    Spec: docs/hub.md (Inbox)
    """
    routes = APIRouter(tags=["inbox"])

    @routes.post(
        "/inbox/{did}",
        summary="Deliver an encrypted DIDComm message to a DID's inbox.",
        status_code=202,
        openapi_extra={
            "requestBody": {
                "required": True,
                "description": "One packed encrypted DIDComm message (JWE, "
                "general JSON serialization).",
                "content": {ENCRYPTED_MEDIA_TYPE: {"schema": _JWE_SCHEMA}},
            }
        },
        responses={
            202: json_response("Kept; the message's id in the inbox.", _ENTRY),
            **problem_responses(400, 413, 415, 507),
        },
    )
    async def deliver(did: str, request: Request) -> JSONResponse:
        limited = _rate_limited(request)
        if limited is not None:
            return limited
        bad = _checked_did(did)
        if bad is not None:
            return bad
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != ENCRYPTED_MEDIA_TYPE:
            return problem(
                415,
                "unsupportedMediaType",
                f"an inbox takes {ENCRYPTED_MEDIA_TYPE} only.",
            )
        state = hub_state(request)
        settings = state.settings
        body = await request.body()
        if len(body) > settings.inbox_max_message_bytes:
            return problem(
                413,
                "messageTooLarge",
                f"an inbox message is at most {settings.inbox_max_message_bytes:,} "
                "bytes.",
                maxMessageBytes=settings.inbox_max_message_bytes,
            )
        why = check_jwe(body)
        if why is not None:
            return problem(400, "invalidMessage", f"not an encrypted message: {why}")
        try:
            info = await run_in_threadpool(
                lambda: hub_mailbox(state).deliver(
                    did,
                    body,
                    now=request_time(request),
                    max_messages=settings.inbox_max_messages,
                    max_bytes=settings.inbox_max_bytes,
                )
            )
        except InboxError as exc:
            return _refused(exc)
        return JSONResponse(_entry(info), 202)

    @routes.post(
        "/inbox/{did}/challenge",
        summary="Get a challenge to answer with a presentation signed by the DID.",
        responses={
            200: json_response(
                "The challenge, the domain to sign for and its expiry.", _CHALLENGE
            ),
            **problem_responses(400),
        },
    )
    def challenge(did: str, request: Request) -> JSONResponse:
        limited = _rate_limited(request)
        if limited is not None:
            return limited
        bad = _checked_did(did)
        if bad is not None:
            return bad
        now = request_time(request)
        value = secrets.token_urlsafe(32)
        expires = now + CHALLENGE_SECONDS
        hub_mailbox(hub_state(request)).add_challenge(
            value, did, expires=expires, now=now
        )
        return JSONResponse(
            {
                "challenge": value,
                "domain": hub_domain(request),
                "expires": _iso(expires),
            }
        )

    @routes.post(
        "/inbox/{did}/token",
        summary="Exchange a DID authentication for a short-lived bearer token.",
        description="Needs `Authorization: DIDAuth <base64url of a presentation>`.",
        responses={
            200: json_response("A bearer token for this inbox.", _TOKEN),
            **problem_responses(400, 401),
        },
    )
    def token(did: str, request: Request) -> JSONResponse:
        bad = _checked_did(did)
        if bad is not None:
            return bad
        try:
            authenticate(request, did, bearer=False)
        except InboxError as exc:
            return _refused(exc)
        value = secrets.token_urlsafe(32)
        expires = request_time(request) + TOKEN_SECONDS
        hub_mailbox(hub_state(request)).add_token(
            token_digest(value), did, expires=expires
        )
        return JSONResponse(
            {"token": value, "tokenType": "Bearer", "expires": _iso(expires)},
            headers={"Cache-Control": "no-store"},
        )

    @routes.get(
        "/inbox/{did}",
        summary="List the messages of an inbox (its DID only).",
        description="Oldest first, paged." + _AUTH_NOTE,
        responses={
            200: json_response("A page of the inbox's messages.", _LISTING),
            **problem_responses(400, 401, 403),
        },
    )
    def list_messages(
        did: str,
        request: Request,
        limit: Annotated[
            int | None, Query(ge=1, description="Messages per page (capped).")
        ] = None,
        cursor: Annotated[
            str | None, Query(description="Resume after the page that gave it.")
        ] = None,
    ) -> JSONResponse:
        refused = _owner_refused(request, did)
        if refused is not None:
            return refused
        state = hub_state(request)
        size = min(limit or _DEFAULT_PAGE, state.settings.max_page)
        found, more = hub_mailbox(state).messages(did, after=_after(cursor), limit=size)
        next_cursor = f"i1.{found[-1].seq}" if found else cursor
        return JSONResponse(
            {
                "items": [_entry(info) for info in found],
                "cursor": next_cursor,
                "more": more,
            },
            headers={"Cache-Control": "no-store"},
        )

    @routes.get(
        "/inbox/{did}/{message_id}",
        summary="Read one message of an inbox (its DID only).",
        description="The packed message, as delivered." + _AUTH_NOTE,
        responses={
            200: {
                "description": "The packed encrypted message.",
                "content": {ENCRYPTED_MEDIA_TYPE: {"schema": _JWE_SCHEMA}},
            },
            **problem_responses(400, 401, 403, 404),
        },
    )
    def read_message(did: str, message_id: str, request: Request) -> Response:
        refused = _owner_refused(request, did, message_id)
        if refused is not None:
            return refused
        body = None
        if _MESSAGE_ID.fullmatch(message_id):
            body = hub_mailbox(hub_state(request)).read(did, message_id)
        if body is None:
            return problem(404, "messageNotFound", "this inbox has no such message.")
        return Response(
            body,
            media_type=ENCRYPTED_MEDIA_TYPE,
            headers={"Cache-Control": "no-store"},
        )

    @routes.delete(
        "/inbox/{did}/{message_id}",
        summary="Delete one message of an inbox (its DID only).",
        description="Deleted for good." + _AUTH_NOTE,
        status_code=204,
        responses={
            204: {"description": "Deleted."},
            **problem_responses(400, 401, 403, 404),
        },
    )
    def delete_message(did: str, message_id: str, request: Request) -> Response:
        refused = _owner_refused(request, did, message_id)
        if refused is not None:
            return refused
        deleted = _MESSAGE_ID.fullmatch(message_id) is not None and hub_mailbox(
            hub_state(request)
        ).delete(did, message_id)
        if not deleted:
            return problem(404, "messageNotFound", "this inbox has no such message.")
        return Response(status_code=204)

    return routes
