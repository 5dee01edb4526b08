"""Untrusted JSON in: parse text safely, and check values that are already parsed.

Every credential and presentation that reaches the library from outside passes
through here first. :func:`load_json` turns text or bytes into Python values
and refuses, with :class:`~ssi.errors.ParsingError`, anything that is not
plain, unambiguous JSON:

- a document larger than ``max_bytes`` (checked before any parsing);
- bytes that are not UTF-8, or that start with a byte order mark (RFC 8259
  §8.1 forbids adding one to JSON text);
- an object that repeats a key (RFC 8259 §4 leaves the meaning undefined;
  two parsers could then read two different credentials from one text);
- ``NaN``, ``Infinity`` and numbers too large for a finite double;
- strings holding an unpaired surrogate (not Unicode, so not canonicalizable);
- arrays and objects nested deeper than ``max_depth`` levels. The depth is
  measured on the text, outside string literals, before the recursive C
  parser runs, so deep nesting fails in microseconds and never reaches the
  interpreter's recursion limit.

:func:`check_json_value` checks a value that is already parsed (a document a
caller built in Python, say): only ``dict`` with ``str`` keys, ``list``,
``str``, ``int``, finite ``float``, ``bool`` and ``None``, nested at most
``max_depth`` levels. The top-level array or object is level 1.

Spec: https://www.rfc-editor.org/rfc/rfc8259,
https://www.rfc-editor.org/rfc/rfc7493#section-2,
https://www.w3.org/TR/vc-data-model-2.0/#PARSING_ERROR
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Final, NoReturn

from ssi.errors import ParsingError
from ssi.types import JsonObject, JsonValue

__all__ = [
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "CheckedObject",
    "check_json_for_jcs",
    "check_json_value",
    "load_json",
    "path_to",
]

MAX_DOCUMENT_BYTES: Final = 8 * 1024 * 1024
"""The largest credential or presentation accepted, in bytes of UTF-8."""

MAX_DEPTH: Final = 64
"""The deepest nesting of arrays and objects accepted; the top level is 1."""


@dataclass(frozen=True, slots=True)
class CheckedObject:
    """A JSON object read once, for a verifier not to read it again.

    Made by a caller that has just checked ``document`` with
    :func:`check_json_value` (with the default depth) and canonicalized it
    with JCS, as an object store does to name what it stores; the verifier
    takes ``embedded`` as that check's answer and cuts the canonical bytes
    a JCS proof signs out of ``canonical``. So both must be what those
    functions returned for this very object, and the object must not change
    afterwards.

    Attributes:
        document: the object.
        embedded: what :func:`check_json_value` returned for it (the objects
            inside it with an ``@context`` member).
        canonical: ``ssi.jsonld.canonicalize_jcs(document)``, or None.
    """

    document: JsonObject
    embedded: tuple[JsonObject, ...]
    canonical: bytes | None = None


_BOM: Final = b"\xef\xbb\xbf"

# The depth scan works on UTF-8 bytes: escapes (a backslash and the byte after
# it) go first, then every byte but brackets and quotes, with "{" and "}"
# turned into "[" and "]" (the kind of bracket does not change the depth).
_ESCAPE: Final = re.compile(rb"\\.", re.DOTALL)
_STRUCTURE: Final = b'[]{}"'
_NOT_STRUCTURE: Final = bytes(sorted(set(range(256)) - set(_STRUCTURE)))
_ONE_KIND: Final = bytes.maketrans(b"{}", b"[]")
_OPEN: Final = ord("[")
_EMPTY_PASSES: Final = 4

# An escape that may encode half of a surrogate pair.
_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89a-fA-F]")

_SHOWN: Final = 40


def _show(text: str) -> str:
    """Quote untrusted text for a message: ASCII-escaped, cut short."""
    if len(text) > _SHOWN:
        text = text[: _SHOWN - 3] + "..."
    return ascii(text)


def load_json(
    data: str | bytes,
    *,
    max_bytes: int = MAX_DOCUMENT_BYTES,
    max_depth: int = MAX_DEPTH,
) -> JsonValue:
    """Parse untrusted JSON text strictly and return the value it holds.

    Args:
        data: the JSON text, as ``str`` or as UTF-8 ``bytes``.
        max_bytes: the largest accepted size, in bytes of UTF-8.
        max_depth: the deepest accepted nesting of arrays and objects.

    Returns:
        The parsed value: ``dict``, ``list``, ``str``, ``int``, ``float``,
        ``bool`` or ``None``, already known to satisfy
        :func:`check_json_value` with the same ``max_depth``.

    Spec: https://www.rfc-editor.org/rfc/rfc8259,
    https://www.w3.org/TR/vc-data-model-2.0/#PARSING_ERROR

    Raises:
        ParsingError: the input is too large, not UTF-8, starts with a byte
            order mark, is not JSON, repeats an object key, holds a number
            that is not finite or a string that is not Unicode, or is nested
            deeper than ``max_depth``.
        TypeError: ``data`` is neither ``str`` nor ``bytes``.
    """
    text = _decode(data, max_bytes)
    _check_text_depth(text, max_depth)
    try:
        value = json.loads(
            text,
            object_pairs_hook=_object_without_duplicates,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
        )
    except json.JSONDecodeError as exc:
        raise ParsingError(
            f"The input is not JSON: {exc.msg} at line {exc.lineno}, "
            f"column {exc.colno}."
        ) from exc
    except RecursionError as exc:  # Only reachable with a tiny recursion limit.
        raise ParsingError(
            f"The JSON text is nested deeper than {max_depth} levels."
        ) from exc
    except ValueError as exc:  # An integer beyond the int-from-text limit.
        raise ParsingError("The JSON text holds a number that is too long.") from exc
    if _SURROGATE_ESCAPE.search(text) is not None:
        _refuse_lone_surrogates(value)
    return value


def _decode(data: str | bytes, max_bytes: int) -> str:
    """Return ``data`` as text after the size and encoding checks."""
    if isinstance(data, str):
        # A character takes at least one byte, so this is a safe early cut.
        if len(data) > max_bytes:
            _too_large(max_bytes)
        if data.startswith("\ufeff"):
            raise ParsingError("The JSON text starts with a byte order mark.")
        if not data.isascii():
            try:
                size = len(data.encode("utf-8"))
            except UnicodeEncodeError as exc:
                raise ParsingError(
                    "The JSON text holds an unpaired surrogate, not Unicode."
                ) from exc
            if size > max_bytes:
                _too_large(max_bytes)
        return data
    if isinstance(data, bytes | bytearray):
        if len(data) > max_bytes:
            _too_large(max_bytes)
        if data.startswith(_BOM):
            raise ParsingError("The JSON bytes start with a UTF-8 byte order mark.")
        try:
            return bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ParsingError(
                f"The JSON bytes are not UTF-8 (invalid byte at offset {exc.start})."
            ) from exc
    raise TypeError(f"load_json() needs str or bytes, not {type(data).__name__}")


def _too_large(max_bytes: int) -> NoReturn:
    raise ParsingError(f"The JSON document is larger than {max_bytes} bytes.")


def _check_text_depth(text: str, max_depth: int) -> None:
    """Refuse text whose arrays and objects nest deeper than ``max_depth``.

    Brackets inside string literals do not count. Most documents open fewer
    brackets than the limit in total and need no further work. For the others
    the bracket skeleton is cut out with byte operations that run at C speed,
    and then walked, stopping at the first level too deep. Outside strings a
    backslash or stray quote is a syntax error, so the parser stops there, and
    what the scan makes of the text after it does not matter.
    """
    if text.count("[") + text.count("{") <= max_depth:
        return
    raw = text.encode("utf-8")
    if b"\\" in raw:
        raw = _ESCAPE.sub(b"", raw)
    skeleton = raw.translate(_ONE_KIND, _NOT_STRUCTURE)
    if b'"' in skeleton:
        # Even pieces lie outside string literals, odd pieces inside (a last
        # odd piece is an unterminated string, where the parser stops).
        skeleton = b"".join(skeleton.split(b'"')[0::2])
    # One replace removes the empty pairs present before it (pairs it makes
    # adjacent wait for the next one), so it lowers the depth reached at any
    # point by at most one level, and that of a well-formed skeleton by
    # exactly one. A few passes shrink wide documents to almost nothing.
    passes = 0
    while skeleton and passes < _EMPTY_PASSES:
        shorter = skeleton.replace(b"[]", b"")
        removed = len(skeleton) - len(shorter)
        if removed:
            skeleton = shorter
            passes += 1
        if removed * 8 < len(skeleton) + removed:
            break  # Not wide: further passes would cost more than the walk.
    budget = max_depth - passes
    if budget < 0:
        _too_deep(max_depth)
    depth = 0
    for byte in skeleton:
        if byte == _OPEN:
            depth += 1
            if depth > budget:
                _too_deep(max_depth)
        else:
            depth -= 1
            if depth < 0:
                return  # Unbalanced: the parser stops here and says where.


def _too_deep(max_depth: int) -> NoReturn:
    raise ParsingError(f"The JSON text is nested deeper than {max_depth} levels.")


def _object_without_duplicates(pairs: list[tuple[str, JsonValue]]) -> JsonObject:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ParsingError(
                    f"The JSON text repeats the key {_show(key)} in one object."
                )
            seen.add(key)
    return result


def _refuse_constant(name: str) -> NoReturn:
    raise ParsingError(f"The JSON text holds {name}, which JSON does not allow.")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ParsingError(
            f"The JSON number {_show(text)} is too large for a finite double."
        )
    return number


def _refuse_lone_surrogates(value: JsonValue) -> None:
    """Refuse strings holding an unpaired surrogate, at any depth."""
    stack: list[JsonValue] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            texts: list[str] = [item]
        elif isinstance(item, dict):
            texts = list(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            texts = []
            stack.extend(item)
        else:
            continue
        for text in texts:
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise ParsingError(
                    "A JSON string holds an unpaired surrogate, not Unicode."
                ) from exc


def check_json_value(
    value: object, *, max_depth: int = MAX_DEPTH, path: str = "$"
) -> tuple[JsonObject, ...]:
    """Check that an already-parsed value is plain JSON within the depth limit.

    Allowed: ``dict`` with ``str`` keys, ``list``, ``str``, ``int``, finite
    ``float``, ``bool`` and ``None`` (subclasses included), with arrays and
    objects nested at most ``max_depth`` levels (the top level is 1). Strings
    are not scanned for unpaired surrogates; :func:`load_json` refuses those
    in text, and canonicalization refuses them in values built in Python.

    The same walk notes every object below the top level that has an
    ``@context`` member, so that embedded contexts can be checked like the
    top-level one without a second pass over the document.

    Args:
        value: the value to check; it is not modified.
        max_depth: the deepest accepted nesting of arrays and objects.
        path: how the value is named in messages, such as ``$`` or
            ``$.verifiableCredential[0]``.

    Returns:
        The objects inside ``value`` (never ``value`` itself) that have an
        ``@context`` member, in no particular order; usually none.

    Spec: https://www.rfc-editor.org/rfc/rfc8259#section-3,
    https://www.w3.org/TR/vc-data-model-2.0/#PARSING_ERROR

    Raises:
        ParsingError: a value is not JSON, a key is not a string, a number is
            not finite, or the nesting is too deep; the message names the path.
    """
    # The fast walk goes level by level with exact type tests and no calls per
    # node; it only answers "certainly fine" or "look closer". The slow walk
    # decides every other case and builds the path for the message.
    found: list[JsonObject] = []
    if not _is_plain_json(value, max_depth, found):
        found.clear()
        _check_slowly(value, max_depth, path, found)
    # Both walks visit the top-level object first; it is not embedded.
    if found and found[0] is value:
        del found[0]
    return tuple(found)


def check_json_for_jcs(
    value: object, *, max_depth: int = MAX_DEPTH
) -> tuple[tuple[JsonObject, ...], bool]:
    """Check ``value`` as :func:`check_json_value` does, and tell whether it
    is simple JSON for JCS, in the same walk.

    Simple: every object key is ASCII, every integer within
    ``±(2**53 - 1)``, and no number is a float; the JCS bytes of such a
    value are what ``ssi.jsonld.canon.canonicalize_simple_jcs`` writes
    without walking it again.

    Spec: https://www.rfc-editor.org/rfc/rfc8785#section-3.2

    Returns:
        What :func:`check_json_value` returns, and whether ``value`` is
        simple.

    Raises:
        ParsingError: as :func:`check_json_value`.
    """
    found: list[JsonObject] = []
    if not _is_simple_json(value, max_depth, found):
        return check_json_value(value, max_depth=max_depth), False
    if found and found[0] is value:
        del found[0]
    return tuple(found), True


def _is_simple_json(value: Any, max_depth: int, found: list[JsonObject]) -> bool:
    """:func:`_is_plain_json` for containers, with the rules of simple JSON
    (ASCII keys, safe integers, no floats) too."""
    if type(value) is not dict and type(value) is not list:
        return False
    level: list[Any] = [value]
    depth = 0
    while level:
        depth += 1
        if depth > max_depth:
            return False
        below: list[Any] = []
        for node in level:
            if type(node) is dict:
                for key in node:
                    if type(key) is not str or not key.isascii():
                        return False
                if "@context" in node:
                    found.append(node)
                members = node.values()
            else:
                members = node
            for item in members:
                kind = type(item)
                if kind is str or kind is bool or item is None:
                    continue
                if kind is int:
                    if -_MAX_SAFE_INTEGER <= item <= _MAX_SAFE_INTEGER:
                        continue
                    return False
                if kind is dict or kind is list:
                    below.append(item)
                else:
                    return False
        level = below
    return True


_MAX_SAFE_INTEGER: Final = 2**53 - 1


def path_to(value: JsonValue, target: object, *, path: str = "$") -> str | None:
    """Return the JSON path of the object ``target`` inside ``value``, or None.

    Objects are compared by identity; the first place found is returned. Used
    for messages only, after a check has failed.

    Args:
        value: the document to search.
        target: the object (or array) to find.
        path: how ``value`` is named, such as ``$``.

    Returns:
        A path such as ``$.credentialSubject[1]``, or None when ``target`` is
        not inside ``value``.
    """
    stack: list[tuple[object, _PathLink | None]] = [(value, None)]
    while stack:
        item, link = stack.pop()
        if item is target:
            return _render(path, link)
        if isinstance(item, dict):
            stack.extend(
                (member, (link, key))
                for key, member in reversed(item.items())
                if isinstance(member, dict | list)
            )
        elif isinstance(item, list):
            stack.extend(
                (member, (link, index))
                for index, member in reversed(list(enumerate(item)))
                if isinstance(member, dict | list)
            )
    return None


def _is_plain_json(value: Any, max_depth: int, found: list[JsonObject]) -> bool:
    """Tell, quickly, whether ``value`` is built of exact JSON types only.

    Objects with an ``@context`` member are appended to ``found``.
    """
    kind = type(value)
    if kind is not dict and kind is not list:
        return (
            kind is str
            or kind is int
            or kind is bool
            or value is None
            or (kind is float and value - value == 0.0)  # False for inf, nan
        )
    level: list[Any] = [value]
    depth = 0
    while level:
        depth += 1
        if depth > max_depth:
            return False
        below: list[Any] = []
        for node in level:
            if type(node) is dict:
                for key in node:
                    if type(key) is not str:
                        return False
                if "@context" in node:
                    found.append(node)
                members = node.values()
            else:
                members = node
            for item in members:
                kind = type(item)
                if kind is str or kind is int or kind is bool or item is None:
                    continue
                if kind is dict or kind is list:
                    below.append(item)
                elif kind is not float or item - item != 0.0:
                    return False
        level = below
    return True


_PathLink = tuple["_PathLink | None", str | int]
"""Where a value sits: (parent link, key or index); rendered only on error."""

_SIMPLE_KEY: Final = re.compile(r"[A-Za-z_@$][A-Za-z0-9_@$\-]*")


def _render(root: str, link: _PathLink | None) -> str:
    segments: list[str] = []
    while link is not None:
        link, segment = link
        if isinstance(segment, int):
            segments.append(f"[{segment}]")
        elif _SIMPLE_KEY.fullmatch(segment) and len(segment) <= _SHOWN:
            segments.append("." + segment)
        else:
            segments.append(f"[{_show(segment)}]")
    return root + "".join(reversed(segments))


def _check_slowly(
    value: object, max_depth: int, root: str, found: list[JsonObject]
) -> None:
    """Check ``value`` node by node, raising with the path of the first fault.

    Objects with an ``@context`` member are appended to ``found``.
    """
    stack: list[tuple[object, int, _PathLink | None]] = [(value, 0, None)]
    while stack:
        item, depth, link = stack.pop()
        if item is None or isinstance(item, str | bool | int):
            continue
        if isinstance(item, float):
            if not math.isfinite(item):
                raise ParsingError(
                    f"The number at {_render(root, link)} is not finite."
                )
        elif isinstance(item, dict | list):
            if depth >= max_depth:
                raise ParsingError(
                    f"The value at {_render(root, link)} is nested deeper than "
                    f"{max_depth} levels."
                )
            if isinstance(item, list):
                stack.extend(
                    (member, depth + 1, (link, index))
                    for index, member in reversed(list(enumerate(item)))
                )
                continue
            if "@context" in item:
                found.append(item)
            children: list[tuple[object, int, _PathLink | None]] = []
            for key, member in item.items():
                if not isinstance(key, str):
                    raise ParsingError(
                        f"The object at {_render(root, link)} has a key that is "
                        f"a {type(key).__name__}, not a string."
                    )
                children.append((member, depth + 1, (link, key)))
            stack.extend(reversed(children))
        else:
            raise ParsingError(
                f"The value at {_render(root, link)} is a {type(item).__name__}, "
                "not JSON."
            )
