"""Resolve DIDs through a remote resolver that serves the DID Resolution HTTP
binding (this package's service, or a DIF Universal Resolver).

The answer of the remote resolver is read back into the library's own
results: a :class:`~ssi.did.resolution.ResolutionResult` (its document parsed
and checked as any other DID document) or a
:class:`~ssi.did.resolution.RepresentationResult` (the document bytes,
re-serialized from the parsed JSON, so nothing but JSON reaches the caller).
Every request goes through an ``httpx.Client`` built by
:func:`ssi.http_client.make_client` (timeouts, body cap, no redirects) unless
the caller passes one.

Spec: https://www.w3.org/TR/did-resolution/#bindings-https, docs/resolution.md
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import quote

import httpx

from resolver.binding import DID_RESOLUTION, STATUS_FOR_ERROR
from ssi.did.document import DIDDocument
from ssi.did.results import (
    DID_JSON,
    DID_LD_JSON,
    RepresentationResult,
    ResolutionResult,
)
from ssi.errors import DIDError, RepresentationNotSupportedError, TransportError
from ssi.http_client import check_url, make_client
from ssi.types import JsonObject, JsonValue

__all__ = ["identifier_url", "resolve_remote", "resolve_remote_representation"]

_ANSWERS = frozenset({200, 410, 500, *STATUS_FOR_ERROR.values()})
"""Statuses the binding answers with a resolution result."""


def identifier_url(base_url: str, did: str) -> str:
    """Return the binding's URL that resolves ``did`` at ``base_url``.

    The DID is percent-encoded except for its colons, as the Universal
    Resolver expects it.

    Raises:
        TransportError: ``base_url`` is not a URL this library would fetch
            (``https``, or ``http`` to a loopback host).
    """
    check_url(base_url, allow_loopback_http=True)
    return f"{base_url.rstrip('/')}/1.0/identifiers/{quote(did, safe=':')}"


def resolve_remote(
    base_url: str,
    did: str,
    *,
    client: httpx.Client | None = None,
    options: Mapping[str, str] | None = None,
) -> ResolutionResult:
    """Resolve ``did`` through the resolver at ``base_url``.

    ``options`` go in the query string under their wire names. A failure the
    remote resolver reports comes back as a failed result with its metadata
    (its error code), as a local resolution reports it.

    Spec: https://www.w3.org/TR/did-resolution/#bindings-https

    Raises:
        TransportError: the resolver could not be reached, answered with a
            status the binding does not use, or with a body that is not a
            resolution result.
    """
    response, body = _get(base_url, did, DID_RESOLUTION, client, options)
    if not isinstance(body, dict) or not isinstance(
        body.get("didResolutionMetadata"), dict
    ):
        raise TransportError(
            f"the resolver at {_shown(base_url)} did not answer with a "
            f"resolution result (HTTP {response.status_code})."
        )
    resolution = _metadata(body["didResolutionMetadata"])
    document_metadata = _metadata(body.get("didDocumentMetadata"))
    raw = body.get("didDocument")
    if raw is None or "error" in resolution:
        return ResolutionResult(None, resolution, document_metadata)
    try:
        document = DIDDocument.from_json(raw)
    except DIDError as exc:
        return ResolutionResult.failure(exc)
    return ResolutionResult(document, resolution, document_metadata)


def resolve_remote_representation(
    base_url: str,
    did: str,
    *,
    accept: str = DID_JSON,
    client: httpx.Client | None = None,
    options: Mapping[str, str] | None = None,
) -> RepresentationResult:
    """Resolve ``did`` through the resolver at ``base_url`` to document bytes
    in the ``accept`` media type (``application/did+json`` or
    ``application/did+ld+json``).

    Spec: https://www.w3.org/TR/did-resolution/#bindings-https

    Raises:
        TransportError: as :func:`resolve_remote`.
    """
    media_type = accept.split(";", 1)[0].strip().lower()
    if media_type not in (DID_JSON, DID_LD_JSON):
        failure = ResolutionResult.failure(
            RepresentationNotSupportedError(
                f"representation {accept[:80]!r} is not supported for {did[:80]}."
            )
        )
        return RepresentationResult(b"", failure.did_resolution_metadata, {})
    response, body = _get(base_url, did, media_type, client, options)
    if not isinstance(body, dict):
        raise TransportError(
            f"the resolver at {_shown(base_url)} did not answer with a DID "
            f"document (HTTP {response.status_code})."
        )
    metadata = body.get("didResolutionMetadata")
    document_metadata: JsonObject = {}
    if not isinstance(metadata, dict):
        # The document alone, as asked.
        document: JsonValue = body if response.status_code == 200 else None
    elif "error" in metadata:
        return RepresentationResult(
            b"", metadata, _metadata(body.get("didDocumentMetadata"))
        )
    else:
        # A whole result (a 410 for a deactivated DID, or a resolver that
        # answers with the result whatever was asked): its document.
        document = body.get("didDocument")
        document_metadata = _metadata(body.get("didDocumentMetadata"))
    if not isinstance(document, dict):
        raise TransportError(
            f"the resolver at {_shown(base_url)} did not answer with a DID "
            f"document (HTTP {response.status_code})."
        )
    try:
        DIDDocument.from_json(document)
    except DIDError as exc:
        failure = ResolutionResult.failure(exc)
        return RepresentationResult(b"", failure.did_resolution_metadata, {})
    stream = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    return RepresentationResult(stream, {"contentType": media_type}, document_metadata)


def _get(
    base_url: str,
    did: str,
    accept: str,
    client: httpx.Client | None,
    options: Mapping[str, str] | None,
) -> tuple[httpx.Response, JsonValue]:
    url = identifier_url(base_url, did)
    own = client is None
    http = make_client(allow_loopback_http=True) if client is None else client
    try:
        response = http.get(url, params=dict(options or {}), headers={"Accept": accept})
    except httpx.TimeoutException as exc:
        raise TransportError(f"the resolver at {_shown(base_url)} timed out.") from exc
    except httpx.HTTPError as exc:
        raise TransportError(
            f"the resolver at {_shown(base_url)} could not be reached "
            f"({type(exc).__name__})."
        ) from exc
    finally:
        if own:
            http.close()
    if response.status_code not in _ANSWERS:
        raise TransportError(
            f"the resolver at {_shown(base_url)} answered with HTTP "
            f"{response.status_code}."
        )
    try:
        body: JsonValue = json.loads(response.content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise TransportError(
            f"the resolver at {_shown(base_url)} answered with a body that is not JSON."
        ) from exc
    return response, body


def _shown(url: str) -> str:
    return repr(url[:120])


def _metadata(value: JsonValue) -> JsonObject:
    return value if isinstance(value, dict) else {}
