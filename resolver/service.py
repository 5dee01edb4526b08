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
from typing import Final

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from starlette.convertors import Convertor, register_url_convertor

from resolver.binding import (
    DID_RESOLUTION,
    DOCUMENT_TYPES,
    negotiate,
    status_for,
)
from ssi.did.resolution import Resolver
from ssi.did.results import DID_LD_JSON, ResolutionResult
from ssi.errors import InvalidResolutionOptionsError, RepresentationNotSupportedError
from ssi.methods import default_methods
from ssi.types import JsonValue

__all__ = ["answer", "create_app", "router"]


class _AnyText(Convertor[str]):
    """The rest of the path, line breaks included (``path`` stops at them), so
    that every identifier reaches the resolver and is answered with its code."""

    regex = r"[\s\S]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("did_text", _AnyText())


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
    if media_type not in DOCUMENT_TYPES or status != 200 or document is None:
        result_type = media_type if media_type not in DOCUMENT_TYPES else DID_RESOLUTION
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
        "/1.0/identifiers/{did:did_text}",
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
