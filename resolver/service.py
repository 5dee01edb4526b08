"""The DID Resolution HTTP(S) binding: ``GET /1.0/identifiers/{did}``.

The shape is the one the DIF Universal Resolver serves: the DID (percent-
encoded or not) after ``/1.0/identifiers/``, resolution options as query
parameters, the representation chosen by the ``Accept`` header:

- ``application/did-resolution`` or
  ``application/ld+json;profile="https://w3id.org/did-resolution"`` (and
  ``*/*``, ``application/json`` or no header): the whole resolution result,
  ``{"@context", "didDocument", "didResolutionMetadata", "didDocumentMetadata"}``;
- ``application/did+json`` or ``application/did+ld+json``: the DID document
  only;
- anything else: 406 with the error ``representationNotSupported``.

Failures answer with the resolution result whose ``didResolutionMetadata``
carries the W3C error code (and RFC 9457 ``problemDetails``); the status code
follows the code (the table is :data:`STATUS_FOR_ERROR`). A deactivated DID
(``deactivated: true`` in the document metadata) answers 410 with the whole
result, so the metadata is seen whatever representation was asked for.

Resolution is synchronous and may read files: FastAPI runs these handlers in
its worker thread pool.

Spec: https://www.w3.org/TR/did-resolution/#bindings-https, docs/resolution.md
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Final

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response

from ssi.did.resolution import Resolver
from ssi.did.results import DID_JSON, DID_LD_JSON, ResolutionResult
from ssi.errors import InvalidResolutionOptionsError, RepresentationNotSupportedError
from ssi.methods import default_methods
from ssi.types import JsonValue

__all__ = [
    "DID_RESOLUTION",
    "DID_RESOLUTION_LD",
    "STATUS_FOR_ERROR",
    "answer",
    "create_app",
    "negotiate",
    "router",
    "status_for",
]

DID_RESOLUTION: Final = "application/did-resolution"
"""Media type of a serialized DID resolution result."""
DID_RESOLUTION_LD: Final = (
    'application/ld+json;profile="https://w3id.org/did-resolution"'
)
"""The older media type of a resolution result, still asked for by clients of
the Universal Resolver."""

STATUS_FOR_ERROR: Final[Mapping[str, int]] = {
    "invalidDid": 400,
    "invalidDidUrl": 400,
    "invalidOptions": 400,
    "notFound": 404,
    "representationNotSupported": 406,
    "methodNotSupported": 501,
}
"""HTTP status of each resolution error code; any other code is 500.

Spec: https://www.w3.org/TR/did-resolution/#bindings-https
"""

_RESULT = "result"
_RESULT_TYPES: Final = {
    DID_RESOLUTION: DID_RESOLUTION,
    "application/ld+json": DID_RESOLUTION_LD,
    "application/json": DID_RESOLUTION,
    "application/*": DID_RESOLUTION,
    "*/*": DID_RESOLUTION,
}
_DOCUMENT_TYPES: Final = (DID_JSON, DID_LD_JSON)
_RESOLUTION_PROFILE = "https://w3id.org/did-resolution"


def status_for(result: ResolutionResult) -> int:
    """Return the HTTP status code that answers ``result``.

    200 for a document, 410 for a deactivated one, else the status of the
    error code in :data:`STATUS_FOR_ERROR` (500 for codes not listed).

    Spec: https://www.w3.org/TR/did-resolution/#bindings-https
    """
    error = result.error
    if error is not None:
        return STATUS_FOR_ERROR.get(error, 500)
    if result.did_document is None:
        return 500
    if result.did_document_metadata.get("deactivated") is True:
        return 410
    return 200


def negotiate(accept: str | None) -> str | None:
    """Pick the representation for an ``Accept`` header.

    Returns the media type to answer with: one of the resolution result types
    (:data:`DID_RESOLUTION`, :data:`DID_RESOLUTION_LD`) or of the document types
    (``application/did+json``, ``application/did+ld+json``), or None when no
    type offered is acceptable. Quality values order the choices (ties keep
    the header's order); ``q=0`` refuses a type.

    Spec: https://www.rfc-editor.org/rfc/rfc9110#name-accept,
    https://www.w3.org/TR/did-resolution/#bindings-https
    """
    if accept is None or not accept.strip():
        return DID_RESOLUTION
    ranges: list[tuple[float, int, str, dict[str, str]]] = []
    for index, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        params: dict[str, str] = {}
        for field in fields[1:]:
            name, _, value = field.partition("=")
            params[name.strip().lower()] = value.strip().strip('"')
        try:
            quality = float(params.pop("q", "1"))
        except ValueError:
            quality = 0.0
        if quality > 0:
            ranges.append((-quality, index, media, params))
    for _, _, media, params in sorted(ranges):
        if media in _DOCUMENT_TYPES:
            return media
        if media == "application/ld+json":
            profile = params.get("profile")
            if profile is None or _RESOLUTION_PROFILE in profile.split():
                return DID_RESOLUTION_LD
            continue
        chosen = _RESULT_TYPES.get(media)
        if chosen is not None:
            return chosen
    return None


def _json_bytes(value: JsonValue) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8")


def _result_response(
    result: ResolutionResult, media_type: str, status: int
) -> Response:
    return Response(_json_bytes(result.to_json()), status, media_type=media_type)


_LOCAL_OPTIONS: Final = frozenset({"log"})
"""Options a caller in this process may give but a stranger may not: a
did:agora log passed in the query would make the service resolve whatever
the requester wrote."""


def _options(request: Request) -> dict[str, JsonValue]:
    """Resolution options from the query string (``true``/``false`` become
    booleans); ``accept`` comes from the header, not from here.

    Raises:
        InvalidResolutionOptionsError: an option only local callers may give.
    """
    options: dict[str, JsonValue] = {}
    for name, value in request.query_params.items():
        if name in _LOCAL_OPTIONS:
            raise InvalidResolutionOptionsError(
                f"the resolution option {name[:40]!r} is not accepted over HTTP."
            )
        if name == "accept":
            continue
        options[name] = {"true": True, "false": False}.get(value, value)
    return options


def answer(
    resolver: Resolver, did: str, accept: str | None, **options: JsonValue
) -> Response:
    """Resolve ``did`` and answer as the HTTP binding does.

    Spec: https://www.w3.org/TR/did-resolution/#bindings-https
    """
    media_type = negotiate(accept)
    if media_type is None:
        shown = (accept or "")[:80]
        failure = ResolutionResult.failure(
            RepresentationNotSupportedError(
                f"no representation in {shown!r} is supported for {did[:80]}."
            )
        )
        return _result_response(failure, DID_RESOLUTION, 406)
    result = resolver.resolve(did, **options)
    status = status_for(result)
    document = result.did_document
    if media_type not in _DOCUMENT_TYPES or status != 200 or document is None:
        result_type = (
            media_type if media_type not in _DOCUMENT_TYPES else DID_RESOLUTION
        )
        return _result_response(result, result_type, status)
    body = document.to_json()
    if media_type == DID_LD_JSON and "@context" not in body:
        failure = ResolutionResult.failure(
            RepresentationNotSupportedError(
                f"the document of {did[:80]} has no @context for {DID_LD_JSON}."
            )
        )
        return _result_response(failure, DID_RESOLUTION, 406)
    return Response(_json_bytes(body), 200, media_type=media_type)


def router(resolver: Resolver) -> APIRouter:
    """Return the routes of the HTTP binding over ``resolver``, for any app.

    ``GET /1.0/identifiers/{did}`` resolves; ``GET /1.0/methods`` lists the
    DID methods the resolver knows.

    Spec: https://www.w3.org/TR/did-resolution/#bindings-https
    """
    routes = APIRouter(tags=["DID resolution"])

    @routes.get(
        "/1.0/identifiers/{did:path}",
        summary="Resolve a DID (DID Resolution HTTP binding)",
        responses={
            200: {"description": "The resolution result or the DID document."},
            400: {"description": "invalidDid, invalidDidUrl or invalidOptions."},
            404: {"description": "notFound."},
            406: {"description": "representationNotSupported."},
            410: {"description": "The DID is deactivated."},
            501: {"description": "methodNotSupported."},
        },
    )
    def resolve_identifier(did: str, request: Request) -> Response:
        accept = request.headers.get("accept")
        try:
            options = _options(request)
        except InvalidResolutionOptionsError as exc:
            failure = ResolutionResult.failure(exc)
            return _result_response(failure, DID_RESOLUTION, status_for(failure))
        return answer(resolver, did, accept, **options)

    @routes.get("/1.0/methods", summary="List the supported DID methods")
    def methods() -> list[str]:
        return list(resolver.registry.names)

    return routes


def create_app(resolver: Resolver | None = None) -> FastAPI:
    """Build the resolver service: an ASGI app serving :func:`router`.

    Args:
        resolver: the resolver to answer with; by default one over
            :func:`ssi.methods.default_methods` (did:key, did:jwk, and
            did:agora from the ``log`` option only).

    Spec: https://www.w3.org/TR/did-resolution/#bindings-https, docs/resolution.md
    """
    if resolver is None:
        resolver = Resolver(default_methods())
    app = FastAPI(
        title="Agora DID resolver",
        summary="The DID Resolution HTTP(S) binding.",
        version="1.0",
    )
    app.include_router(router(resolver))
    return app
