"""What DID resolution returns, and what a DID method driver is.

The results of resolving, dereferencing and ``resolveRepresentation``, the
media types, and the :class:`DIDMethod` protocol. DID method drivers import
this module, never :mod:`ssi.did.resolution`, so the resolver can import the
drivers and no import cycle joins them.

Spec: https://www.w3.org/TR/did-resolution/#did-resolution-result
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from ssi.did.document import DIDDocument, Service, VerificationMethod
from ssi.did.syntax import DID
from ssi.errors import SSIError
from ssi.types import JsonObject, JsonValue

__all__ = [
    "DID_JSON",
    "DID_LD_JSON",
    "DID_RESOLUTION_CONTEXT",
    "DIDMethod",
    "DereferencingResult",
    "RepresentationResult",
    "ResolutionResult",
]

DID_JSON = "application/did+json"
"""Media type of the plain JSON representation of a DID document."""
DID_LD_JSON = "application/did+ld+json"
"""Media type of the JSON-LD representation of a DID document."""
DID_RESOLUTION_CONTEXT = "https://w3id.org/did-resolution/v1"
"""JSON-LD context of a serialized resolution result."""


@dataclass(frozen=True, slots=True)
class ResolutionResult:
    """The three outputs of DID resolution.

    ``cause`` is the library error behind a failure made with
    :meth:`failure` (not part of the W3C result, not serialized, not
    compared): callers in this process re-raise the very error, with its
    class and attributes (a ``DuplicityError`` and its evidence), rather
    than rebuilding one from the metadata's ``error`` code.

    Spec: https://www.w3.org/TR/did-resolution/#did-resolution-result
    """

    did_document: DIDDocument | None
    did_resolution_metadata: JsonObject = field(default_factory=dict)
    did_document_metadata: JsonObject = field(default_factory=dict)
    cause: SSIError | None = field(default=None, compare=False, repr=False)

    @property
    def error(self) -> str | None:
        """The error code from the resolution metadata, or None on success."""
        error = self.did_resolution_metadata.get("error")
        return error if isinstance(error, str) else None

    @property
    def ok(self) -> bool:
        """True when a document was resolved without error."""
        return self.error is None and self.did_document is not None

    @classmethod
    def failure(cls, error: SSIError) -> ResolutionResult:
        """Build the result that reports ``error`` in the resolution metadata.

        Spec: https://www.w3.org/TR/did-resolution/#did-resolution-metadata
        """
        metadata: JsonObject = {
            "error": error.code,
            "errorMessage": error.detail,
            "problemDetails": error.to_problem(),
        }
        extra = getattr(error, "metadata", None)
        if isinstance(extra, dict):
            metadata.update(extra)
        return cls(did_document=None, did_resolution_metadata=metadata, cause=error)

    def to_json(self) -> JsonObject:
        """Return the result as the DID Resolution HTTP binding's JSON body.

        Spec: https://www.w3.org/TR/did-resolution/#did-resolution-result
        """
        return {
            "@context": DID_RESOLUTION_CONTEXT,
            "didDocument": None
            if self.did_document is None
            else self.did_document.to_json(),
            "didResolutionMetadata": copy.deepcopy(self.did_resolution_metadata),
            "didDocumentMetadata": copy.deepcopy(self.did_document_metadata),
        }


@dataclass(frozen=True, slots=True)
class RepresentationResult:
    """The outputs of ``resolveRepresentation``: the document as bytes.

    Spec: https://www.w3.org/TR/did-resolution/#resolving
    """

    did_document_stream: bytes
    did_resolution_metadata: JsonObject = field(default_factory=dict)
    did_document_metadata: JsonObject = field(default_factory=dict)

    @property
    def error(self) -> str | None:
        """The error code from the resolution metadata, or None on success."""
        error = self.did_resolution_metadata.get("error")
        return error if isinstance(error, str) else None


@dataclass(frozen=True, slots=True)
class DereferencingResult:
    """The outputs of DID URL dereferencing.

    ``content`` is the DID document, a verification method, a service, or a
    service endpoint URL (for ``?service=``), or None when dereferencing failed.

    Spec: https://www.w3.org/TR/did-resolution/#did-url-dereferencing-result
    """

    content: DIDDocument | VerificationMethod | Service | str | None
    dereferencing_metadata: JsonObject = field(default_factory=dict)
    content_metadata: JsonObject = field(default_factory=dict)

    @property
    def error(self) -> str | None:
        """The error code from the dereferencing metadata, or None on success."""
        error = self.dereferencing_metadata.get("error")
        return error if isinstance(error, str) else None

    @property
    def ok(self) -> bool:
        """True when the URL named a resource that was found."""
        return self.error is None and self.content is not None


class DIDMethod(Protocol):
    """A DID method driver: resolves DIDs of one method name.

    ``resolve`` receives a DID already checked against the DID syntax and the
    options in their camelCase wire names. It returns a result with a document,
    or raises a :class:`~ssi.errors.DIDError` (or a
    :class:`~ssi.errors.KeyMaterialError` for bad key material), which the
    resolver turns into resolution metadata.

    What the resolver asks of a method besides ``resolve``, which every
    driver declares (as class attributes; ``MethodRegistry.register``
    refuses a driver without them):

    - ``cacheable``: successful results may be cached for the resolver's
      TTL. did:key and did:jwk say True; did:agora says False: its logs in
      files and wallets change under the resolver.
    - ``keeps_history``: the method resolves earlier versions
      (``versionTime``), so a proof is checked against the key in force
      when it was made. did:agora says True; did:key and did:jwk say False.

    A driver must pickle (no locks, open files or lambdas in its state) for
    a verifier that uses it to be shipped to worker processes; sources it
    reads (log folders) are described by paths, not held open.

    Spec: https://www.w3.org/TR/did-resolution/#resolving
    """

    @property
    def name(self) -> str: ...

    @property
    def cacheable(self) -> bool: ...

    @property
    def keeps_history(self) -> bool: ...

    def resolve(
        self, did: DID, options: Mapping[str, JsonValue]
    ) -> ResolutionResult: ...
