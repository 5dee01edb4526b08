"""DID resolution: the method seam, the registry, a caching resolver, representations.

``Resolver.resolve`` answers every input with a :class:`ResolutionResult`; bad
input becomes an ``error`` in the resolution metadata, never an exception.

Spec: https://www.w3.org/TR/did-resolution/#resolving,
https://www.w3.org/TR/did-core/#did-resolution
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping

from ssi.did.dereference import dereference_in_document
from ssi.did.document import DIDDocument
from ssi.did.methods import core_methods
from ssi.did.results import (
    DID_JSON,
    DID_LD_JSON,
    DID_RESOLUTION_CONTEXT,
    DereferencingResult,
    DIDMethod,
    RepresentationResult,
    ResolutionResult,
)
from ssi.did.syntax import parse_did, parse_did_url
from ssi.errors import (
    DIDError,
    DIDNotFoundError,
    InvalidDIDDocumentError,
    InvalidDIDError,
    InvalidDIDURLError,
    InvalidPublicKeyError,
    InvalidPublicKeyLengthError,
    InvalidResolutionOptionsError,
    KeyMaterialError,
    MethodNotSupportedError,
    RepresentationNotSupportedError,
    ResolverInternalError,
    SSIError,
    UnsupportedPublicKeyTypeError,
)
from ssi.types import JsonObject, JsonValue

__all__ = [
    "DID_JSON",
    "DID_LD_JSON",
    "DID_RESOLUTION_CONTEXT",
    "DIDMethod",
    "DereferencingResult",
    "MethodRegistry",
    "RepresentationResult",
    "ResolutionResult",
    "Resolver",
    "default_resolver",
    "error_from_metadata",
    "failure_error",
    "normalize_options",
]

_SNAKE = re.compile(r"_([a-z0-9])")


class MethodRegistry:
    """DID methods by name; an unknown method is ``methodNotSupported``.

    Args:
        methods: the drivers to register, each under its ``name``.
    """

    def __init__(self, methods: Iterable[DIDMethod] = ()) -> None:
        self._methods: dict[str, DIDMethod] = {}
        for method in methods:
            self.register(method)

    def register(self, method: DIDMethod, *, replace: bool = False) -> None:
        """Add a driver under its ``name``; refuses a second one unless ``replace``.

        Raises:
            ValueError: a driver of that name is registered already, or the
                driver does not declare ``cacheable`` and ``keeps_history``
                as booleans (:class:`DIDMethod`).
        """
        for attribute in ("cacheable", "keeps_history"):
            if not isinstance(getattr(method, attribute, None), bool):
                raise ValueError(
                    f"DID method {method!r} does not declare {attribute} as a bool"
                )
        if method.name in self._methods and not replace:
            raise ValueError(f"DID method {method.name!r} is already registered")
        self._methods[method.name] = method

    def get(self, name: str) -> DIDMethod:
        """Return the driver for ``name``.

        Raises:
            MethodNotSupportedError: no driver has that name.
        """
        try:
            return self._methods[name]
        except KeyError:
            raise MethodNotSupportedError(
                f"DID method {name!r} is not supported."
            ) from None

    @property
    def names(self) -> tuple[str, ...]:
        """The registered method names, sorted."""
        return tuple(sorted(self._methods))

    def __contains__(self, name: object) -> bool:
        return name in self._methods


def error_from_metadata(metadata: JsonObject) -> SSIError:
    """Rebuild the error a failed resolution reported in its metadata.

    Knows the DID Resolution and DID Core codes (and the key material ones);
    any other code becomes a :class:`~ssi.errors.ResolverInternalError` with
    the reported message. Codes of a method of a higher layer are that
    method's to map (did:agora's: ``ssi.agora.error_from_metadata``). A result
    this process made keeps the error itself: see :func:`failure_error`.

    Spec: https://www.w3.org/TR/did-resolution/#did-resolution-metadata
    """
    code = metadata.get("error")
    detail = metadata.get("errorMessage")
    message = detail if isinstance(detail, str) else f"DID resolution failed: {code}."
    for kind in _ERROR_CLASSES:
        if kind.code == code:
            return kind(message)
    return ResolverInternalError(message)


def failure_error(result: ResolutionResult) -> SSIError:
    """Return the error behind a failed resolution: the very error the method
    raised when the result was made in this process (``result.cause``),
    otherwise one rebuilt from the metadata by :func:`error_from_metadata`.

    Spec: https://www.w3.org/TR/did-resolution/#did-resolution-metadata
    """
    if result.cause is not None:
        return result.cause
    return error_from_metadata(result.did_resolution_metadata)


_ERROR_CLASSES: tuple[type[SSIError], ...] = (
    InvalidDIDError,
    InvalidDIDURLError,
    DIDNotFoundError,
    MethodNotSupportedError,
    RepresentationNotSupportedError,
    InvalidResolutionOptionsError,
    InvalidDIDDocumentError,
    InvalidPublicKeyError,
    InvalidPublicKeyLengthError,
    UnsupportedPublicKeyTypeError,
)


def normalize_options(options: Mapping[str, JsonValue]) -> dict[str, JsonValue]:
    """Return options under their camelCase wire names (``public_key_format`` ->
    ``publicKeyFormat``); names already in camelCase pass unchanged."""
    return {_SNAKE.sub(lambda m: m.group(1).upper(), k): v for k, v in options.items()}


class Resolver:
    """Resolve DIDs through a method registry, caching successes for a while.

    Args:
        registry: the DID methods; by default did:key and did:jwk.
        cache_ttl: seconds a successful result stays cached; 0 disables caching.
        cache_size: most results kept; the least recently used go first.
        clock: monotonic seconds, replaceable in tests.

    Spec: https://www.w3.org/TR/did-resolution/#resolving
    """

    def __init__(
        self,
        registry: MethodRegistry | None = None,
        *,
        cache_ttl: float = 300.0,
        cache_size: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if registry is None:
            registry = MethodRegistry(core_methods())
        self.registry = registry
        self._ttl = cache_ttl
        self._size = cache_size
        self._clock = clock
        self._cache: OrderedDict[str, tuple[float, ResolutionResult]] = OrderedDict()
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, object]:
        """Pickle the configuration only: the methods, TTL, size and clock.

        The cache and its lock stay behind; a resolver rebuilt in another
        process starts with an empty cache of its own.
        """
        return {
            "registry": self.registry,
            "cache_ttl": self._ttl,
            "cache_size": self._size,
            "clock": self._clock,
        }

    def __setstate__(self, state: dict[str, object]) -> None:
        """Rebuild a pickled resolver with a fresh, empty cache."""
        registry = state["registry"]
        ttl, size = state["cache_ttl"], state["cache_size"]
        clock = state["clock"]
        if not (
            isinstance(registry, MethodRegistry)
            and isinstance(ttl, int | float)
            and isinstance(size, int)
            and callable(clock)
        ):
            raise TypeError("not the pickled state of a Resolver")
        self.registry = registry
        self._ttl = ttl
        self._size = size
        self._clock = clock
        self._cache = OrderedDict()
        self._lock = threading.Lock()

    def resolve(self, did: str, **options: JsonValue) -> ResolutionResult:
        """Resolve ``did`` to its document and metadata; never raises for bad input.

        Options use their wire names in snake_case or camelCase, for example
        ``public_key_format="JsonWebKey2020"``; ``no_cache=True`` skips the cache.

        Spec: https://www.w3.org/TR/did-resolution/#resolving
        """
        wire = normalize_options(options)
        no_cache = bool(wire.pop("noCache", False))
        wire.pop("accept", None)
        key = self._cache_key(did, wire)
        if key is not None and not no_cache:
            cached = self._cached(key)
            if cached is not None:
                return cached
        result = self._resolve_uncached(did, wire)
        if key is not None and result.ok and self._ttl > 0 and self._cacheable(did):
            self._store(key, result)
        return _copy(result)

    def resolve_representation(
        self, did: str, *, accept: str = DID_JSON, **options: JsonValue
    ) -> RepresentationResult:
        """Resolve ``did`` and serialize the document in the ``accept`` media type.

        ``application/did+json`` and ``application/did+ld+json`` are produced; the
        JSON-LD one needs an ``@context`` in the document.

        Spec: https://www.w3.org/TR/did-resolution/#resolving,
        https://www.w3.org/TR/did-core/#representations
        """
        result = self.resolve(did, **options)
        if result.did_document is None:
            return RepresentationResult(b"", result.did_resolution_metadata, {})
        document = result.did_document.to_json()
        media_type = accept.split(";", 1)[0].strip().lower()
        if media_type not in (DID_JSON, DID_LD_JSON) or (
            media_type == DID_LD_JSON and "@context" not in document
        ):
            failure = ResolutionResult.failure(
                RepresentationNotSupportedError(
                    f"representation {accept[:80]!r} is not supported for {did[:80]}."
                )
            )
            return RepresentationResult(b"", failure.did_resolution_metadata, {})
        stream = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
        metadata = dict(result.did_resolution_metadata, contentType=media_type)
        return RepresentationResult(stream, metadata, result.did_document_metadata)

    def dereference(self, did_url: str, **options: JsonValue) -> DereferencingResult:
        """Dereference a DID URL to a document, verification method, service or URL.

        The URL's DID is resolved (with its ``versionId``/``versionTime``
        parameters as resolution options), then the fragment or ``service``
        parameter selects the resource. Never raises for bad input.

        Spec: https://www.w3.org/TR/did-resolution/#dereferencing
        """
        try:
            if not isinstance(did_url, str):
                raise InvalidDIDURLError(
                    f"a DID URL must be a string, not {type(did_url).__name__}."
                )
            parsed = parse_did_url(did_url)
        except DIDError as exc:
            return _dereferencing_failure(exc)
        for name in ("versionId", "versionTime"):
            value = parsed.param(name)
            if value is not None:
                options[name] = value
        result = self.resolve(str(parsed.did), **options)
        if result.did_document is None:
            return DereferencingResult(None, result.did_resolution_metadata, {})
        try:
            content = dereference_in_document(result.did_document, parsed)
        except DIDError as exc:
            return _dereferencing_failure(exc)
        metadata: JsonObject = {}
        if isinstance(content, str):
            metadata["contentType"] = "text/uri-list"
        else:
            metadata["contentType"] = (
                DID_LD_JSON
                if "@context" in (result.did_document.to_json())
                else DID_JSON
            )
        content_metadata = (
            result.did_document_metadata if isinstance(content, DIDDocument) else {}
        )
        return DereferencingResult(content, metadata, content_metadata)

    def _cacheable(self, did: str) -> bool:
        """Methods whose sources change under them (did:agora logs in files
        and wallets) declare ``cacheable = False`` and are resolved afresh."""
        method = did.split(":", 2)[1] if did.count(":") >= 2 else ""
        if method not in self.registry:
            return True
        return self.registry.get(method).cacheable

    def keeps_history(self, did: str) -> bool:
        """True when the DID's method can resolve earlier versions (``versionTime``).

        Methods declare it with ``keeps_history`` (:class:`DIDMethod`).
        """
        method = did.split(":", 2)[1] if did.count(":") >= 2 else ""
        if method not in self.registry:
            return False
        return self.registry.get(method).keeps_history

    def clear_cache(self) -> None:
        """Forget every cached result."""
        with self._lock:
            self._cache.clear()

    def _resolve_uncached(
        self, did: object, options: dict[str, JsonValue]
    ) -> ResolutionResult:
        try:
            if not isinstance(did, str):
                raise InvalidDIDError(
                    f"a DID must be a string, not {type(did).__name__}."
                )
            parsed = parse_did(did)
            method = self.registry.get(parsed.method)
            result = method.resolve(parsed, options)
        except (DIDError, KeyMaterialError) as exc:
            return ResolutionResult.failure(exc)
        except SSIError as exc:
            return ResolutionResult.failure(ResolverInternalError(exc.detail))
        if result.did_document is None and result.error is None:
            return ResolutionResult.failure(
                ResolverInternalError(f"method {parsed.method!r} returned no document.")
            )
        return result

    def _cache_key(self, did: object, options: Mapping[str, JsonValue]) -> str | None:
        if not isinstance(did, str) or self._ttl <= 0:
            return None
        if not options:
            return did
        if "log" in options:
            return None  # a log passed in is resolved afresh every time
        try:
            return did + "\n" + json.dumps(options, sort_keys=True)
        except (TypeError, ValueError):
            return None

    def _cached(self, key: str) -> ResolutionResult | None:
        with self._lock:
            entry = self._cache.get(key)
            if entry is None:
                return None
            expires, result = entry
            if self._clock() >= expires:
                del self._cache[key]
                return None
            self._cache.move_to_end(key)
        return _copy(result)

    def _store(self, key: str, result: ResolutionResult) -> None:
        with self._lock:
            self._cache[key] = (self._clock() + self._ttl, result)
            self._cache.move_to_end(key)
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)


def _dereferencing_failure(error: DIDError) -> DereferencingResult:
    failure = ResolutionResult.failure(error)
    return DereferencingResult(None, failure.did_resolution_metadata, {})


def _copy(result: ResolutionResult) -> ResolutionResult:
    """Return the result with fresh metadata, so callers cannot alter the cache."""
    return ResolutionResult(
        result.did_document,
        _fresh(result.did_resolution_metadata),
        _fresh(result.did_document_metadata),
        result.cause,
    )


def _fresh(metadata: JsonObject) -> JsonObject:
    """Copy metadata; only nested values need a deep copy."""
    return {
        k: copy.deepcopy(v) if isinstance(v, dict | list) else v
        for k, v in metadata.items()
    }


_default_lock = threading.Lock()
_default: Resolver | None = None


def default_resolver() -> Resolver:
    """Return the process-wide resolver of the layers below ``ssi.methods``
    (did:key, did:jwk): their default when no resolver is given.
    """
    global _default
    with _default_lock:
        if _default is None:
            _default = Resolver()
        return _default
