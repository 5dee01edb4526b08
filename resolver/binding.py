"""The DID Resolution HTTP(S) binding without a web framework: its media
types, its status code for each result, and content negotiation.

:mod:`resolver.service` serves the binding with these; :mod:`resolver.remote`
reads it back; neither a client nor the CLI needs FastAPI for this module.

Spec: https://www.w3.org/TR/did-resolution/#bindings-https, docs/resolution.md
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ssi.did.results import DID_JSON, DID_LD_JSON, ResolutionResult

__all__ = [
    "DID_RESOLUTION",
    "DID_RESOLUTION_LD",
    "DOCUMENT_TYPES",
    "STATUS_FOR_ERROR",
    "negotiate",
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

_RESULT_TYPES: Final = {
    DID_RESOLUTION: DID_RESOLUTION,
    "application/ld+json": DID_RESOLUTION_LD,
    "application/json": DID_RESOLUTION,
    "application/*": DID_RESOLUTION,
    "*/*": DID_RESOLUTION,
}
DOCUMENT_TYPES: Final = (DID_JSON, DID_LD_JSON)
"""The media types of a DID document alone."""
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
        if media in DOCUMENT_TYPES:
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
