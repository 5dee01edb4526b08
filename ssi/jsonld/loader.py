"""Document loaders: the offline loader of bundled contexts, and pyld's adapter.

A document loader turns a URL found in a JSON-LD ``@context`` into a
:class:`RemoteDocument`. The default, :class:`BundledLoader`, serves only the
contexts vendored in ``ssi/jsonld/contexts`` (each checked against the SHA-256
digest recorded in ``MANIFEST.json``), plus documents the caller hands it, and
refuses every other URL: the library never fetches a context from the network
unless a caller plugs a network loader in as the ``fallback``.

Spec: https://www.w3.org/TR/json-ld11-api/#remote-document-and-context-retrieval
"""

from __future__ import annotations

import copy
import functools
import hashlib
import importlib.resources
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ssi.errors import DocumentLoadError
from ssi.types import JsonValue

__all__ = [
    "BundledLoader",
    "DocumentLoader",
    "RemoteDocument",
    "as_pyld_loader",
    "bundled_context_urls",
    "default_loader",
]

_MANIFEST = "MANIFEST.json"
_CONTEXTS_PACKAGE = "ssi.jsonld"
_CONTEXTS_FOLDER = "contexts"

PyLDLoader = Callable[[str, dict[str, Any]], dict[str, Any]]
"""The callable shape pyld expects as its ``documentLoader`` option."""


@dataclass(frozen=True, slots=True)
class RemoteDocument:
    """A document retrieved for a URL, as the JSON-LD API describes it.

    Attributes:
        document_url: the final URL of the document.
        document: the parsed JSON document.
        context_url: the URL of a context linked by an HTTP ``Link`` header.

    Spec: https://www.w3.org/TR/json-ld11-api/#remotedocument
    """

    document_url: str
    document: JsonValue
    context_url: str | None = None


class DocumentLoader(Protocol):
    """Load the document that a URL names, or raise.

    Spec: https://www.w3.org/TR/json-ld11-api/#loaddocumentcallback
    """

    def __call__(self, url: str) -> RemoteDocument:
        """Return the document for ``url``.

        Raises:
            DocumentLoadError: the loader has no document for the URL.
        """
        ...  # pragma: no cover


def _read_bundled_file(name: str) -> bytes:
    # Tests replace this function to simulate a tampered package.
    root = importlib.resources.files(_CONTEXTS_PACKAGE).joinpath(_CONTEXTS_FOLDER)
    return root.joinpath(name).read_bytes()


def _manifest_entries() -> list[dict[str, Any]]:
    try:
        manifest = json.loads(_read_bundled_file(_MANIFEST))
        entries = manifest["contexts"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DocumentLoadError(
            "The bundled context manifest MANIFEST.json could not be read."
        ) from exc
    if not isinstance(entries, list):
        raise DocumentLoadError("The bundled context manifest has no list of contexts.")
    return entries


@functools.cache
def _bundle() -> Mapping[str, bytes]:
    """Read every bundled context once, verifying each file's SHA-256 digest."""
    bundle: dict[str, bytes] = {}
    for entry in _manifest_entries():
        try:
            url, name, digest = entry["url"], entry["file"], entry["sha256"]
        except (KeyError, TypeError) as exc:
            raise DocumentLoadError(
                "The bundled context manifest has an entry without url, file or sha256."
            ) from exc
        if not isinstance(name, str) or "/" in name or name.startswith("."):
            raise DocumentLoadError(
                f"The bundled context manifest names an unusable file for {url}."
            )
        try:
            data = _read_bundled_file(name)
        except OSError as exc:
            raise DocumentLoadError(
                f"The bundled context file {name} for {url} could not be read."
            ) from exc
        if hashlib.sha256(data).hexdigest() != digest:
            raise DocumentLoadError(
                f"The bundled context {url} does not match its SHA-256 digest."
            )
        bundle[url] = data
    return bundle


def bundled_context_urls() -> frozenset[str]:
    """Return the URLs of the contexts vendored with the library.

    Spec: https://www.w3.org/TR/json-ld11-api/#remote-document-and-context-retrieval

    Raises:
        DocumentLoadError: a bundled file does not match MANIFEST.json.
    """
    return frozenset(_bundle())


class BundledLoader:
    """Serve the bundled contexts and ``extra`` documents; refuse everything else.

    Unknown URLs go to ``fallback`` when one is given, and otherwise fail with
    :class:`~ssi.errors.DocumentLoadError`. URLs match exactly: no scheme,
    trailing slash or fragment is normalised. Every call returns a fresh copy
    of the document, so callers and pyld may modify what they get.

    Args:
        extra: more documents to serve, by URL; copied when the loader is made.
        fallback: the loader asked for URLs this one does not hold.

    Raises:
        ValueError: ``extra`` redefines a bundled context URL.
        DocumentLoadError: a bundled file does not match MANIFEST.json.

    Spec: https://www.w3.org/TR/json-ld11-api/#loaddocumentcallback
    """

    __slots__ = ("__weakref__", "_extra", "_fallback")

    def __init__(
        self,
        extra: Mapping[str, JsonValue] | None = None,
        fallback: DocumentLoader | None = None,
    ) -> None:
        documents = dict(extra or {})
        for url in documents:
            if not isinstance(url, str):
                raise TypeError("BundledLoader extra documents must be keyed by URL.")
        overlap = sorted(documents.keys() & _bundle().keys())
        if overlap:
            raise ValueError(
                f"extra must not redefine the bundled context {overlap[0]}"
            )
        self._extra: dict[str, JsonValue] = copy.deepcopy(documents)
        self._fallback = fallback

    def __repr__(self) -> str:
        fallback = "None" if self._fallback is None else type(self._fallback).__name__
        return f"BundledLoader(extra={len(self._extra)} documents, fallback={fallback})"

    @property
    def is_static(self) -> bool:
        """True when the loader has no fallback: every document it serves is
        bundled or in ``extra``, and never changes."""
        return self._fallback is None

    def knows(self, url: str) -> bool:
        """Return True when this loader can serve ``url`` without its fallback."""
        return url in _bundle() or url in self._extra

    def __call__(self, url: str) -> RemoteDocument:
        """Return a copy of the document for ``url``.

        Spec: https://www.w3.org/TR/json-ld11-api/#loaddocumentcallback

        Raises:
            DocumentLoadError: the URL is neither bundled, in ``extra``, nor
                served by the fallback.
        """
        if not isinstance(url, str):
            raise TypeError("a document URL must be a str")
        bundled = _bundle().get(url)
        if bundled is not None:
            return RemoteDocument(document_url=url, document=json.loads(bundled))
        if url in self._extra:
            return RemoteDocument(
                document_url=url, document=copy.deepcopy(self._extra[url])
            )
        if self._fallback is not None:
            return self._fallback(url)
        raise DocumentLoadError(
            f"The document {url} is not bundled and no fallback loader is configured."
        )


@functools.cache
def default_loader() -> BundledLoader:
    """Return the shared offline loader of bundled contexts.

    Spec: https://www.w3.org/TR/json-ld11-api/#loaddocumentcallback

    Raises:
        DocumentLoadError: a bundled file does not match MANIFEST.json.
    """
    return BundledLoader()


def as_pyld_loader(loader: DocumentLoader) -> PyLDLoader:
    """Wrap ``loader`` in the ``(url, options) -> dict`` callable pyld calls.

    The document is deep-copied on every call, so pyld, which edits the
    contexts it processes, never touches a loader's own state.

    Spec: https://www.w3.org/TR/json-ld11-api/#remotedocument

    Raises:
        DocumentLoadError: from the wrapped loader, when it has no document.
    """

    bundled = loader if isinstance(loader, BundledLoader) else None

    def load(url: str, options: dict[str, Any]) -> dict[str, Any]:
        remote = loader(url)
        result = {
            "contentType": "application/ld+json",
            "contextUrl": remote.context_url,
            "documentUrl": remote.document_url,
            "document": copy.deepcopy(remote.document),
        }
        if bundled is not None and bundled.knows(url):
            # Bundled and extra documents never change: pyld may keep their
            # processed form across operations (in this loader's own cache).
            result["tag"] = "static"
        return result

    return load
