"""Canonical forms of JSON and JSON-LD documents: RDFC-1.0 and JCS.

RDF Dataset Canonicalization (RDFC-1.0) is computed with pyld, whose
``URDNA2015`` algorithm is RDFC-1.0 under its earlier name; the JSON
Canonicalization Scheme (RFC 8785) with the ``rfc8785`` package. Every failure
of either library, and every ``RecursionError`` from deeply nested input,
leaves this module as :class:`~ssi.errors.CanonicalizationError` or, when a
context could not be loaded, :class:`~ssi.errors.DocumentLoadError`.

Safe mode. Data Integrity requires that a document whose terms do not all
expand to absolute IRIs is refused rather than signed or verified with parts
silently dropped. pyld 3.3 has no ``safe`` option of its own; with
``safe=True`` (the default) this module expands the document first, with
pyld's ``on_property_dropped`` hook turning every dropped property into an
error, then walks the expanded form and refuses any ``@id``, ``@type`` or
datatype that is still a relative IRI (JSON-LD drops those statements when
it produces RDF), and only then canonicalizes the expanded form. Documents are
processed without a document base, so relative IRI references stay relative
(pyld would otherwise resolve them against ``http://example.org/base/``); a
side effect is that pyld ignores an ``@base`` given in a context, so in safe
mode a document relying on ``@base`` is refused.

Spec: https://www.w3.org/TR/rdf-canon/, https://www.rfc-editor.org/rfc/rfc8785,
https://www.w3.org/TR/vc-data-integrity/#securing-data-losslessly
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import Any, Final, NoReturn

import rfc8785
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from ssi.errors import CanonicalizationError, DocumentLoadError, SSIError
from ssi.jsonld.loader import (
    BundledLoader,
    DocumentLoader,
    as_pyld_loader,
    default_loader,
)
from ssi.types import JsonObject, JsonValue

__all__ = [
    "MAX_DEPTH",
    "canonicalize_jcs",
    "canonicalize_jcs_with_and_without",
    "canonicalize_jcs_without",
    "canonicalize_rdfc",
    "canonicalize_simple_jcs",
    "expand",
]

MAX_DEPTH = 100
"""The deepest nesting of arrays and objects that canonicalization accepts."""

_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_LOAD_FAILURE_CODES = frozenset(
    {"loading document failed", "loading remote context failed"}
)


class _BoundedCache:
    """A small thread-safe LRU mapping for pyld's resolved contexts.

    pyld keys remote contexts by URL only when a loader tags them, which ours
    never do, so the cache holds inline contexts keyed by their content, with
    their processed forms. A processed form can hold what an ``@import``
    loaded, so each loader gets its own cache (see :func:`_cache_for`); being
    private to this module, no other pyld user in the process can fill it.
    """

    def __init__(self, maxsize: int) -> None:
        self._maxsize = maxsize
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            if key not in self._items:
                return default
            self._items.move_to_end(key)
            return self._items[key]

    def __setitem__(self, key: str, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._maxsize:
                self._items.popitem(last=False)


_FROZEN: type[Mapping[str, Any]] = type(jsonld.freeze({}))
"""The immutable mapping type pyld freezes processed contexts into."""

_CACHE_SIZE = 256
_PROCESSED_SIZE = 1024
_CACHES: weakref.WeakKeyDictionary[Any, tuple[_BoundedCache, _BoundedCache]] = (
    weakref.WeakKeyDictionary()
)
_CACHES_LOCK = threading.Lock()


def _caches_for(loader: DocumentLoader) -> tuple[_BoundedCache, _BoundedCache]:
    """Return the resolved-context and processed-context caches of ``loader``,
    made on first use; a loader never shares them with another."""
    with _CACHES_LOCK:
        try:
            caches = _CACHES.get(loader)
            if caches is None:
                caches = _CACHES[loader] = (
                    _BoundedCache(_CACHE_SIZE),
                    _BoundedCache(_PROCESSED_SIZE),
                )
        except TypeError:
            # A loader that cannot be weakly referenced gets caches per call.
            caches = (_BoundedCache(_CACHE_SIZE), _BoundedCache(_PROCESSED_SIZE))
    return caches


def _context_key(local: Any) -> str | None:
    """A key naming a local context by its content, or None (then no memo).

    URLs stand for what this loader serves for them; objects are named by
    their JSON text with sorted keys, so an edited context is a new key.
    """
    if isinstance(local, str):
        return "u" + local
    try:
        return "j" + json.dumps(local, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        return None


class _Processor(jsonld.JsonLdProcessor):  # type: ignore[misc]
    """pyld's processor with two shortcuts that leave its output unchanged.

    - Context processing is remembered per loader, for loaders whose
      documents never change (a :class:`BundledLoader` without fallback,
      the default). pyld caches a processed
      context only under a fresh id for every type-scoped context (those do
      not propagate, so it clones the active context first), so it processes
      the same scoped contexts again at every node. Here the result is
      remembered under (the active context's id, the local context's
      content, the flags), only when both contexts are frozen (immutable)
      objects: pyld gives each active context a unique id and never changes
      a frozen one.
    - A document expanded by :meth:`expand_once` is not expanded again by
      ``normalize`` (whose ``to_rdf`` expands its input first).

    A differential test over many generated documents compares the canonical
    N-Quads with plain pyld's.
    """

    def __init__(self, processed: _BoundedCache | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._processed = processed
        self._expanded: Any = None

    def expand_once(self, document: Any, options: dict[str, Any]) -> Any:
        """Expand ``document``; ``normalize`` then takes the result as it is."""
        self._expanded = self.expand(document, options)
        return self._expanded

    def expand(self, input_: Any, options: dict[str, Any]) -> Any:
        if input_ is not None and input_ is self._expanded:
            return input_
        return super().expand(input_, options)

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: dict[str, Any],
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        key = None
        processed = self._processed
        if processed is not None and isinstance(active_ctx, _FROZEN):
            local = _context_key(local_ctx)
            uuid = active_ctx.get("_uuid")
            if local is not None and isinstance(uuid, str):
                key = "\n".join(
                    (
                        uuid,
                        f"{override_protected:d}{propagate:d}{validate_scoped:d}",
                        str(options.get("base")),
                        str(options.get("processingMode")),
                        local,
                    )
                )
                hit = processed.get(key)
                if hit is not None:
                    return hit
        result = super()._process_context(
            active_ctx,
            local_ctx,
            options,
            override_protected=override_protected,
            propagate=propagate,
            validate_scoped=validate_scoped,
            cycles=cycles,
        )
        if processed is not None and key is not None and isinstance(result, _FROZEN):
            processed[key] = result
        return result


def canonicalize_rdfc(
    document: JsonObject,
    *,
    loader: DocumentLoader | None = None,
    safe: bool = True,
) -> str:
    """Return the RDFC-1.0 canonical N-Quads of a JSON-LD document.

    Args:
        document: the JSON-LD document; it is not modified.
        loader: resolves ``@context`` URLs; the bundled offline loader by default.
        safe: refuse terms that do not expand and IRIs that stay relative,
            instead of dropping them as plain JSON-LD processing does.

    Returns:
        The canonical N-Quads, one statement per line, each ending in ``\\n``.

    Spec: https://www.w3.org/TR/rdf-canon/#canon-algorithm,
    https://www.w3.org/TR/vc-di-eddsa/#transformation-eddsa-rdfc-2022

    Raises:
        DocumentLoadError: a context could not be loaded.
        CanonicalizationError: the document is not JSON, not valid JSON-LD,
            too deeply nested, or (in safe mode) has terms that do not expand.
    """
    _check_document(document)
    options = _options(loader)
    with _translate_errors():
        processor, dropped = _processor(safe, loader)
        source: JsonValue = document
        if safe:
            source = processor.expand_once(document, dict(options))
            _refuse_dropped(dropped)
            _refuse_relative_iris(source)
        result = processor.normalize(
            source,
            {**options, "algorithm": "URDNA2015", "format": "application/n-quads"},
        )
    if not isinstance(result, str):
        raise CanonicalizationError("RDF canonicalization did not produce N-Quads.")
    return result


def expand(
    document: JsonObject,
    *,
    loader: DocumentLoader | None = None,
    safe: bool = True,
) -> list[JsonValue]:
    """Return the expanded form of a JSON-LD document.

    Args:
        document: the JSON-LD document; it is not modified.
        loader: resolves ``@context`` URLs; the bundled offline loader by default.
        safe: refuse terms that do not expand and IRIs that stay relative.

    Spec: https://www.w3.org/TR/json-ld11-api/#expansion-algorithm

    Raises:
        DocumentLoadError: a context could not be loaded.
        CanonicalizationError: the document is not JSON, not valid JSON-LD,
            too deeply nested, or (in safe mode) has terms that do not expand.
    """
    _check_document(document)
    options = _options(loader)
    with _translate_errors():
        processor, dropped = _processor(safe, loader)
        expanded = processor.expand(document, dict(options))
        if safe:
            _refuse_dropped(dropped)
            _refuse_relative_iris(expanded)
    if not isinstance(expanded, list):
        raise CanonicalizationError("JSON-LD expansion did not produce an array.")
    return expanded


def canonicalize_jcs(value: JsonValue) -> bytes:
    """Return the RFC 8785 (JCS) canonical UTF-8 serialization of a JSON value.

    Spec: https://www.rfc-editor.org/rfc/rfc8785#section-3.2,
    https://www.w3.org/TR/vc-di-eddsa/#transformation-eddsa-jcs-2022

    Raises:
        CanonicalizationError: the value is not JSON (a non-string key, a
            set, bytes, a lone surrogate), holds a number JCS cannot represent
            (NaN, infinity, an integer beyond 2**53 - 1), or is too deeply nested.
    """
    fast = _fast_jcs(value)
    if fast is not None:
        return fast
    _check_json(value)
    try:
        return rfc8785.dumps(value)
    except rfc8785.IntegerDomainError as exc:
        raise CanonicalizationError(
            "An integer is outside the range that JCS can represent exactly."
        ) from exc
    except rfc8785.FloatDomainError as exc:
        raise CanonicalizationError("A number is not representable in JCS.") from exc
    except (rfc8785.CanonicalizationError, ValueError, TypeError) as exc:
        raise CanonicalizationError(
            "The value could not be serialized with JCS."
        ) from exc
    except RecursionError as exc:
        raise CanonicalizationError("The value is nested too deeply for JCS.") from exc


# --- Input checks -----------------------------------------------------------


def _short(text: object, limit: int = 80) -> str:
    """Return ``text`` quoted and cut to ``limit`` characters, for messages."""
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def _check_document(document: JsonValue) -> None:
    if not isinstance(document, dict):
        raise CanonicalizationError("A JSON-LD document must be a JSON object.")
    _check_json(document)


_Path = tuple[Any, str | int] | None
"""Where a value sits: ``(parent path, key or index)``, built only on error."""


def _render(path: _Path) -> str:
    segments: list[str] = []
    while path is not None:
        path, segment = path
        if isinstance(segment, int):
            segments.append(f"[{segment}]")
        else:
            segments.append(
                "." + (segment if len(segment) <= 40 else segment[:37] + "...")
            )
    return _short("$" + "".join(reversed(segments)))


_MAX_SAFE_INTEGER = 2**53 - 1


def canonicalize_simple_jcs(value: JsonValue) -> bytes:
    """Return the JCS bytes of an object or array already known to be
    simple JSON, without walking it to find out.

    Simple: plain JSON types only, every key ASCII, every integer within
    ``±(2**53 - 1)``, no float, at most :data:`MAX_DEPTH` deep, as
    ``ssi.credentials.check_json_for_jcs`` tells in the walk that checks a
    document anyway. The standard library's encoder then writes the RFC
    8785 bytes; a string that is not Unicode (a lone surrogate) takes the
    full path, which refuses it. Anything else must not be given: it would
    be serialized, but not as JCS.

    Spec: https://www.rfc-editor.org/rfc/rfc8785#section-3.2

    Raises:
        CanonicalizationError: as :func:`canonicalize_jcs`.
    """
    try:
        return _jcs_text(value).encode("utf-8")
    except (UnicodeEncodeError, ValueError, TypeError, RecursionError):
        return canonicalize_jcs(value)


def canonicalize_jcs_with_and_without(
    value: JsonObject, key: str
) -> tuple[bytes, bytes]:
    """Return the JCS bytes of an object without member ``key`` and with it.

    Both come from one canonicalization of the whole object and one of the
    member alone (see :func:`canonicalize_jcs_without`). So a caller that
    needs both (a signed document and its unsigned form) walks the object
    about once.

    Spec: https://www.rfc-editor.org/rfc/rfc8785#section-3.2.3

    Raises:
        CanonicalizationError: as :func:`canonicalize_jcs`; ``key`` missing.
    """
    if key not in value:
        raise CanonicalizationError(f"The object has no member {key[:40]!r}.")
    whole = canonicalize_jcs(value)
    return canonicalize_jcs_without(value, key, whole=whole), whole


_HEAD_BYTES: Final = 24
"""The bytes of a member :func:`canonicalize_jcs_without` looks for first."""


def canonicalize_jcs_without(
    value: JsonObject,
    key: str,
    *,
    whole: bytes | None = None,
    member: bytes | None = None,
) -> bytes:
    """Return the JCS bytes of an object without its member ``key``.

    ``whole`` may give ``canonicalize_jcs(value)`` and ``member``
    ``canonicalize_jcs(value[key])`` when the caller has them already. The
    member's bytes, ``"key":`` and its value, found exactly once in the
    whole, are then the member itself (the whole holds it, and only once):
    they are cut out with the comma beside them, which leaves the JCS bytes
    of the other members in their order. When they occur more than once
    (the same member nested deeper), the object without the member is
    canonicalized on its own instead.

    Spec: https://www.rfc-editor.org/rfc/rfc8785#section-3.2.3

    Raises:
        CanonicalizationError: as :func:`canonicalize_jcs`; ``key`` missing.
    """
    if key not in value:
        raise CanonicalizationError(f"The object has no member {key[:40]!r}.")
    if whole is None:
        whole = canonicalize_jcs(value)
    key_bytes = canonicalize_jcs(key)
    if member is None:
        member = canonicalize_jcs(value[key])
    pair = key_bytes + b":" + member
    # Looked for by its first bytes (a short pattern is found faster): the
    # member occurs once when they do and the rest follows them.
    head = pair[:_HEAD_BYTES]
    start = whole.find(head)
    end = start + len(pair)
    if (
        start >= 0
        and start == whole.rfind(head)
        and whole[start:end] == pair  # once: the member itself
    ):
        if whole[start - 1 : start] == b",":
            start -= 1
        elif whole[end : end + 1] == b",":
            end += 1
        return whole[:start] + whole[end:]
    return canonicalize_jcs({name: item for name, item in value.items() if name != key})


def _fast_jcs(value: JsonValue) -> bytes | None:
    """JCS through the standard library for the common case, or None.

    For JSON whose object keys are ASCII and whose numbers are integers within
    the exactly representable range, ``json.dumps`` with sorted keys, no
    whitespace and no ASCII escaping produces the RFC 8785 bytes: the string
    escapes are the same and code point order equals UTF-16 order for ASCII
    keys. Anything else (floats, non-ASCII keys, lone surrogates, non-JSON
    values, deep nesting) returns None and takes the full path.
    """
    kind = type(value)
    if kind is str and _escape is not None:
        try:  # What json.dumps writes, without building an encoder.
            return str(_escape(value)).encode("utf-8")
        except UnicodeEncodeError:
            return None
    if kind in _JCS_SCALARS or (
        kind is int and -_MAX_SAFE_INTEGER <= value <= _MAX_SAFE_INTEGER
    ):
        try:
            return json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return None
    if (kind is not dict and kind is not list) or not _jcs_plain(value, 1):
        return None
    try:
        return _jcs_text(value).encode("utf-8")
    except (UnicodeEncodeError, ValueError, TypeError, RecursionError):
        return None


_JCS_SCALARS = frozenset({str, bool, type(None)})
_JCS_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False
)


def _refuse(value: object) -> NoReturn:
    raise TypeError(f"{type(value).__name__} is not JSON")


def _jcs_text(value: JsonValue) -> str:
    """``_JCS_ENCODER.encode(value)`` for a container :func:`_jcs_plain`
    accepted, through one C encoder built once: ``JSONEncoder.encode``
    builds it again on every call. No cycle check: a value that passed
    ``_jcs_plain`` is finitely deep."""
    if _C_ENCODER is None:
        return _JCS_ENCODER.encode(value)
    return "".join(_C_ENCODER(value, 0))


_make = getattr(json.encoder, "c_make_encoder", None)
_escape = getattr(json.encoder, "c_encode_basestring", None)
# The arguments of JSONEncoder.iterencode's C path: markers, default,
# string encoder, indent, key and item separators, sort_keys, skipkeys,
# allow_nan.
_C_ENCODER = (
    _make(None, _refuse, _escape, None, ":", ",", True, False, False)
    if _make is not None and _escape is not None
    else None
)


def _jcs_plain(container: Any, depth: int) -> bool:
    """True when ``container`` (a dict or list) holds only what
    :func:`_fast_jcs` serializes exactly, at most :data:`MAX_DEPTH` deep."""
    if depth > MAX_DEPTH:
        return False
    if type(container) is dict:
        for key in container:
            if type(key) is not str or not key.isascii():
                return False
        members = container.values()
    else:
        members = container
    for item in members:
        kind = type(item)
        if kind in _JCS_SCALARS:
            continue
        if kind is int:
            if -_MAX_SAFE_INTEGER <= item <= _MAX_SAFE_INTEGER:
                continue
            return False
        if (kind is not dict and kind is not list) or not _jcs_plain(item, depth + 1):
            return False
    return True


def _check_json(value: JsonValue) -> None:
    """Refuse anything that is not plain JSON, iteratively, at any depth."""
    stack: list[tuple[Any, int, _Path]] = [(value, 0, None)]
    while stack:
        item, depth, path = stack.pop()
        if item is None or isinstance(item, bool | int):
            continue
        if isinstance(item, str):
            _check_text(item, path)
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise CanonicalizationError(
                    f"The number at {_render(path)} is not finite."
                )
        elif isinstance(item, list | dict):
            if depth >= MAX_DEPTH:
                raise CanonicalizationError(
                    f"A value is nested deeper than {MAX_DEPTH} levels."
                )
            if isinstance(item, list):
                stack.extend((v, depth + 1, (path, i)) for i, v in enumerate(item))
                continue
            for key, member in item.items():
                if not isinstance(key, str):
                    raise CanonicalizationError(
                        f"An object key at {_render(path)} is not a string."
                    )
                _check_text(key, path)
                stack.append((member, depth + 1, (path, key)))
        else:
            raise CanonicalizationError(
                f"The value at {_render(path)} is a {type(item).__name__}, not JSON."
            )


def _check_text(text: str, path: _Path) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CanonicalizationError(
            f"A string at {_render(path)} holds a lone surrogate, not valid Unicode."
        ) from exc


# --- pyld plumbing ----------------------------------------------------------


def _options(loader: DocumentLoader | None) -> dict[str, Any]:
    chosen = loader if loader is not None else default_loader()
    pyld_loader = as_pyld_loader(chosen)
    return {
        "documentLoader": pyld_loader,
        "contextResolver": ContextResolver(_caches_for(chosen)[0], pyld_loader),
        "processingMode": "json-ld-1.1",
        # No document base: relative IRI references stay relative, so safe mode
        # can refuse them and RDF conversion drops them, as the JSON-LD API
        # specifies. (pyld resolves against http://example.org/base/ when the
        # base is the empty string.)
        "base": None,
    }


def _processor(
    safe: bool, loader: DocumentLoader | None
) -> tuple[_Processor, list[str | None]]:
    chosen = loader if loader is not None else default_loader()
    # Processed contexts are remembered only when everything the loader can
    # serve is fixed: a fallback (a network loader) may serve new content.
    static = isinstance(chosen, BundledLoader) and chosen.is_static
    processed = _caches_for(chosen)[1] if static else None
    dropped: list[str | None] = []
    if safe:
        return _Processor(processed, on_property_dropped=dropped.append), dropped
    return _Processor(processed), dropped


def _refuse_dropped(dropped: list[str | None]) -> None:
    if not dropped:
        return
    term = dropped[0]
    if term is None:
        raise CanonicalizationError(
            "A property expands to no IRI: it is mapped to null or is keyword-like."
        )
    raise CanonicalizationError(
        f"The property {_short(term)} is not defined by the @context."
    )


def _is_absolute_or_blank(iri: Any) -> bool:
    return isinstance(iri, str) and (
        iri.startswith("_:") or _ABSOLUTE_IRI.match(iri) is not None
    )


def _refuse_relative_iris(expanded: JsonValue) -> None:
    """Walk expanded JSON-LD and refuse node ids and types that are not absolute."""
    stack: list[Any] = [expanded]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, dict):
            continue
        if "@value" in item:
            # A value object: only its datatype is an IRI; a JSON literal's
            # content is opaque data and is not walked.
            datatype = item.get("@type")
            if datatype is not None and datatype != "@json":
                if not _is_absolute_or_blank(datatype):
                    raise CanonicalizationError(
                        f"The datatype {_short(datatype)} is not an absolute IRI."
                    )
            continue
        if "@id" in item and not _is_absolute_or_blank(item["@id"]):
            raise CanonicalizationError(
                f"The identifier {_short(item['@id'])} is a relative IRI reference."
            )
        types = item.get("@type", [])
        for type_ in types if isinstance(types, list) else [types]:
            if not _is_absolute_or_blank(type_):
                raise CanonicalizationError(
                    f"The type {_short(type_)} is not defined by the @context."
                )
        for key, member in item.items():
            if key not in ("@id", "@type", "@index", "@language", "@direction"):
                stack.append(member)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _raise_translated(exc: Exception) -> NoReturn:
    """Re-raise a foreign exception from pyld as the most specific error of ours."""
    chain = list(_causes(exc))
    for cause in chain:
        if isinstance(cause, SSIError):
            # An error of ours raised inside pyld: the loader refused a URL.
            raise DocumentLoadError(cause.detail) from exc
    for cause in chain:
        if isinstance(cause, RecursionError):
            raise CanonicalizationError(
                "The document is nested too deeply to canonicalize."
            ) from exc
    for cause in chain:
        if isinstance(cause, jsonld.JsonLdError) and cause.code in _LOAD_FAILURE_CODES:
            details = cause.details if isinstance(cause.details, dict) else {}
            url = details.get("url", "")
            raise DocumentLoadError(
                f"The context {_short(url)} could not be loaded."
            ) from exc
    codes = [c for c in chain if isinstance(c, jsonld.JsonLdError)]
    if codes:
        innermost = codes[-1]
        reason = innermost.code or innermost.type
        raise CanonicalizationError(
            f"The document is not valid JSON-LD ({reason})."
        ) from exc
    raise CanonicalizationError(
        "The document could not be processed as JSON-LD."
    ) from exc


@contextlib.contextmanager
def _translate_errors() -> Iterator[None]:
    try:
        yield
    except SSIError:
        raise
    except RecursionError as exc:
        raise CanonicalizationError(
            "The document is nested too deeply to canonicalize."
        ) from exc
    except Exception as exc:
        _raise_translated(exc)
