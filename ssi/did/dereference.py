"""Dereference a DID URL within an already resolved DID document.

This is the document-level part of DID URL dereferencing: once the resolver
has produced the DID document for the URL's DID (honouring ``versionId`` and
``versionTime``), the rest needs no I/O. A bare DID gives the document, a
fragment gives the verification method or service with that id, and
``?service=<name>`` (optionally with ``relativeRef``) gives the service
endpoint URL built from the selected service.

The service endpoint URL is built as the specification's examples show:
the endpoint without its query and fragment, then the ``relativeRef`` path
appended (joined with one ``/``), then one query and one fragment taken from
whichever of the endpoint, ``relativeRef`` and the DID URL has it; two of
them having a query, or two a fragment, is an error. So
``did:example:123?service=messages&relativeRef=%2Fsome%2Fpath%3Fquery#frag``
with endpoint ``https://example.com/messages/8377464`` gives
``https://example.com/messages/8377464/some/path?query#frag``.

Spec: https://www.w3.org/TR/did-resolution/#dereferencing-algorithm-resource
"""

from __future__ import annotations

import re
from typing import Final

from ssi.did.document import DIDDocument, Service, VerificationMethod
from ssi.did.syntax import (
    _URI_REFERENCE_RE,
    DIDURL,
    _show,
    parse_did,
    parse_did_url,
    resolve_relative,
)
from ssi.errors import (
    DIDNotFoundError,
    InvalidDIDDocumentError,
    InvalidDIDError,
    InvalidDIDURLError,
)
from ssi.types import JsonValue

__all__ = ["dereference_in_document"]

# DID parameters the resolver has already applied when it chose the document.
_RESOLUTION_PARAMETERS: Final = frozenset({"versionId", "versionTime"})
_SERVICE_PARAMETERS: Final = _RESOLUTION_PARAMETERS | {"service", "relativeRef"}
_URI_REFERENCE_CHARS: Final = re.compile(
    r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*"
)
_DOT_SEGMENT: Final = re.compile(r"(?:\.|%2[Ee]){1,2}")


def dereference_in_document(
    document: DIDDocument, did_url: DIDURL | str
) -> DIDDocument | VerificationMethod | Service | str:
    """Return the resource a DID URL names inside its resolved DID document.

    ``did_url`` may also be a relative reference (``#key-1``, ``?service=x``),
    resolved against the document's DID. The result is the document itself
    (bare DID, or only ``versionId``/``versionTime``), the verification method
    or service whose id is ``<DID>#<fragment>``, or, for ``?service=``, the
    service endpoint URL as a string (see the module docstring). The first
    string of an endpoint list is used; a map endpoint has no URL.

    Spec: https://www.w3.org/TR/did-resolution/#dereferencing-algorithm-resource

    Raises:
        InvalidDIDURLError: ``did_url`` is malformed, names another DID than
            the document's, repeats a parameter, has a ``relativeRef`` that is
            not a plain relative reference (dot segments are refused), or a
            query or fragment would come from two places.
        DIDNotFoundError: nothing in the document has that fragment or
            service name, the URL has a path or a parameter this function
            cannot apply (``hl`` included: it is not checked here), or the
            service has no URL endpoint.
        InvalidDIDDocumentError: ``document.id`` is not a DID.
    """
    try:
        document_did = parse_did(document.id)
    except InvalidDIDError as exc:
        raise InvalidDIDDocumentError(
            f"Invalid DID document: id {_show(str(document.id))} is not a DID."
        ) from exc
    url = _as_did_url(did_url, document.id)
    if url.did != document_did:
        raise InvalidDIDURLError(
            f"The DID URL {_show(str(url))} names {url.did}, "
            f"not the DID of the document {_show(document.id)}."
        )
    if url.path:
        raise DIDNotFoundError(
            f"The DID URL {_show(str(url))} has a path, which only its DID method "
            "can dereference."
        )
    if url.query is not None:
        names = {name for name, _ in url.params}
        service_name = url.param("service")
        allowed = (
            _RESOLUTION_PARAMETERS if service_name is None else _SERVICE_PARAMETERS
        )
        unsupported = sorted(names - allowed)
        if unsupported:
            raise DIDNotFoundError(
                f"The DID URL {_show(str(url))} has the parameter "
                f"{unsupported[0]!r}, which cannot be dereferenced in the document."
            )
        if service_name is not None:
            service = document.find_service(service_name)
            endpoint = _endpoint_url(service)
            return _construct(endpoint, url.param("relativeRef"), url.fragment, url)
    if url.fragment is None:
        return document
    target = f"{document_did}#{url.fragment}"
    for service in document.service:
        if service.id == target:
            return service
    try:
        return document.find_verification_method(target)
    except DIDNotFoundError:
        pass
    raise DIDNotFoundError(
        f"The DID document {_show(document.id)} has nothing with the id "
        f"{_show(target)}."
    )


def _as_did_url(did_url: DIDURL | str, base: str) -> DIDURL:
    if isinstance(did_url, DIDURL):
        return did_url
    if isinstance(did_url, str) and did_url.startswith(("#", "?", "/")):
        return resolve_relative(did_url, base)
    return parse_did_url(did_url)


def _endpoint_url(service: Service) -> str:
    endpoint: JsonValue = service.service_endpoint
    items = endpoint if isinstance(endpoint, list) else [endpoint]
    for item in items:
        if isinstance(item, str):
            return item
    raise DIDNotFoundError(
        f"The service {_show(service.id)} has no URL endpoint, only maps."
    )


def _construct(
    endpoint: str, relative_ref: str | None, fragment: str | None, url: DIDURL
) -> str:
    """Build the output service endpoint URL (see the module docstring)."""
    shown = _show(str(url))
    parts = _URI_REFERENCE_RE.fullmatch(endpoint)
    if parts is None or parts["scheme"] is None:
        raise InvalidDIDDocumentError(
            f"Invalid DID document: the service endpoint {_show(endpoint)} is not "
            "an absolute URI."
        )
    path, query, own_fragment = parts["path"], parts["query"], parts["fragment"]
    if relative_ref is not None:
        ref = _URI_REFERENCE_RE.fullmatch(relative_ref)
        if (
            ref is None
            or _URI_REFERENCE_CHARS.fullmatch(relative_ref) is None
            or ref["scheme"] is not None
            or ref["authority"] is not None
        ):
            raise InvalidDIDURLError(
                f"The DID URL {shown} has a relativeRef that is not a relative "
                "reference."
            )
        if any(_DOT_SEGMENT.fullmatch(segment) for segment in ref["path"].split("/")):
            raise InvalidDIDURLError(
                f"The DID URL {shown} has a relativeRef with '.' or '..' segments."
            )
        path = _join(path, ref["path"])
        query = _only(query, ref["query"], "query", shown)
        own_fragment = _only(own_fragment, ref["fragment"], "fragment", shown)
    own_fragment = _only(own_fragment, fragment, "fragment", shown)
    out = f"{parts['scheme']}:"
    if parts["authority"] is not None:
        out += f"//{parts['authority']}"
    out += path
    if query is not None:
        out += f"?{query}"
    if own_fragment is not None:
        out += f"#{own_fragment}"
    return out


def _join(base_path: str, extra: str) -> str:
    if not extra:
        return base_path
    return base_path.rstrip("/") + "/" + extra.lstrip("/")


def _only(first: str | None, second: str | None, what: str, shown: str) -> str | None:
    if first is not None and second is not None:
        raise InvalidDIDURLError(
            f"The DID URL {shown} gives the service endpoint URL a second {what}."
        )
    return second if first is None else first
