"""Read did:agora logs from JSON Lines text: strictly, within limits, once.

Every log that arrives as text (the ``log`` resolution option, a ``.jsonl``
file, ``agora did log import``) is read by :func:`split_lines`, so a bad line
is described the same way wherever it comes from::

    cannot read <source>: <reason> at line <n>.

where ``<source>`` names the file (or ``the log``) and ``<reason>`` says what
is wrong with physical line ``<n>`` (counted from 1, blank lines included).
A line repeated verbatim is read once: the copies add no work.

Spec: docs/did-agora.md (3.1 Reading a log from text)
"""

from __future__ import annotations

import json
import re
from typing import Final, NoReturn

from ssi.errors import InvalidDIDLogError, LogTooLargeError
from ssi.types import JsonObject, JsonValue

__all__ = [
    "MAX_ENTRY_DEPTH",
    "MAX_LOG_BRANCHES",
    "MAX_LOG_BYTES",
    "MAX_LOG_ENTRIES",
    "parse_line",
    "split_lines",
]

MAX_LOG_BYTES: Final = 32 * 1024 * 1024
"""The largest log read from text, in bytes of UTF-8 (32 MiB)."""

MAX_LOG_ENTRIES: Final = 100_000
"""The most entries one log may hold, counted before duplicates are dropped."""

MAX_LOG_BRANCHES: Final = 64
"""The most branches (entries that no other entry follows) a forked log may hold."""

MAX_ENTRY_DEPTH: Final = 64
"""The deepest nesting of arrays and objects in one line; the line itself is 1."""

_BLANK: Final = " \t\r"
"""What a blank line holds: JSON whitespace but the line feed."""

_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89a-fA-F]")
_SHOWN: Final = 40


class _LineError(ValueError):
    """A line is not strict JSON; the message is the reason, as a noun phrase."""


def _refuse_constant(name: str) -> NoReturn:
    raise _LineError(f"the non-JSON value {name}")


def _unique_members(pairs: list[tuple[str, JsonValue]]) -> JsonObject:
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                shown = name if len(name) <= _SHOWN else name[: _SHOWN - 3] + "..."
                raise _LineError(f"the member name {shown!a} twice in one object")
            seen.add(name)
    return value


def _finite_float(text: str) -> float:
    number = float(text)
    if number - number != 0.0:  # infinite
        raise _LineError("a number too large for a double")
    return number


def _deeper_than(value: JsonValue, limit: int) -> bool:
    level: list[JsonValue] = [value]
    depth = 0
    while level:
        below: list[JsonValue] = []
        for node in level:
            if isinstance(node, dict):
                below.extend(v for v in node.values() if isinstance(v, dict | list))
            elif isinstance(node, list):
                below.extend(v for v in node if isinstance(v, dict | list))
        depth += 1
        if depth > limit:
            return True
        level = below
    return False


def _has_lone_surrogate(value: JsonValue) -> bool:
    stack: list[JsonValue] = [value]
    while stack:
        item = stack.pop()
        texts: list[str] = []
        if isinstance(item, str):
            texts = [item]
        elif isinstance(item, dict):
            texts = list(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        for text in texts:
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                return True
    return False


def parse_line(line: str) -> JsonValue:
    """Parse one log line as strict JSON (I-JSON, as JCS requires).

    Refused: a byte order mark, ``NaN``/``Infinity``, numbers too large for a
    double, integers too long to read, an object that repeats a member name,
    a string holding an unpaired surrogate, and nesting deeper than
    :data:`MAX_ENTRY_DEPTH`: two parsers could read such a line as two
    different entries, or not at all.

    Spec: docs/did-agora.md (3.1 Reading a log from text)

    Raises:
        ValueError: the line is not strict JSON; the message says why.
    """
    if line.startswith("\ufeff"):
        raise _LineError("a byte order mark")
    try:
        value: JsonValue = json.loads(
            line,
            parse_constant=_refuse_constant,
            object_pairs_hook=_unique_members,
            parse_float=_finite_float,
        )
    except _LineError:
        raise
    except json.JSONDecodeError as exc:
        raise _LineError(f"not JSON ({exc.msg} at column {exc.colno})") from exc
    except RecursionError as exc:
        raise _LineError(f"nesting deeper than {MAX_ENTRY_DEPTH} levels") from exc
    except ValueError as exc:  # an integer beyond the int-from-text limit
        raise _LineError("an integer too long to read") from exc
    if line.count("[") + line.count("{") > MAX_ENTRY_DEPTH and _deeper_than(
        value, MAX_ENTRY_DEPTH
    ):
        raise _LineError(f"nesting deeper than {MAX_ENTRY_DEPTH} levels")
    if _SURROGATE_ESCAPE.search(line) and _has_lone_surrogate(value):
        raise _LineError("an unpaired surrogate")
    return value


def _unreadable(source: str, reason: str, number: int, entry: int) -> NoReturn:
    raise InvalidDIDLogError(
        f"cannot read {source}: {reason} at line {number}.",
        code="invalidLogEntry",
        entry=entry,
    )


def _too_large(source: str) -> NoReturn:
    raise LogTooLargeError(
        f"cannot read {source}: it is larger than {MAX_LOG_BYTES} bytes."
    )


def _bad_text(source: str, reason: str, before: str) -> NoReturn:
    """Refuse the log for a bad character right after the text ``before``."""
    lines = before.split("\n")
    entry = len({line for line in lines[:-1] if line.strip(_BLANK)}) + 1
    _unreadable(source, reason, len(lines), entry)


def _text(data: str | bytes, source: str) -> str:
    """Return the log as text, after the size and encoding checks."""
    if isinstance(data, str):
        if len(data) > MAX_LOG_BYTES:
            _too_large(source)
        if not data.isascii():
            try:
                size = len(data.encode("utf-8"))
            except UnicodeEncodeError as exc:
                _bad_text(source, "an unpaired surrogate", data[: exc.start])
            if size > MAX_LOG_BYTES:
                _too_large(source)
        return data
    if len(data) > MAX_LOG_BYTES:
        _too_large(source)
    try:
        return bytes(data).decode("utf-8")
    except UnicodeDecodeError as exc:
        _bad_text(source, "not UTF-8", bytes(data[: exc.start]).decode("utf-8"))


def split_lines(data: str | bytes, *, source: str = "the log") -> list[JsonValue]:
    """Read JSON Lines text (or UTF-8 bytes) into log entries.

    Each line that is not blank (only spaces, tabs and carriage returns) is
    one entry, a JSON object read by
    :func:`parse_line`. Lines end at ``\\n`` (``\\r\\n`` too) only, as JSON
    Lines says: other Unicode line breaks (U+2028, U+0085) may stand
    unescaped inside strings. A line repeated verbatim is kept once (where it
    first appears), so copies cost no parsing.

    Args:
        data: the log, as text or as UTF-8 bytes.
        source: how messages name the log: a file name, or ``the log``.

    Spec: docs/did-agora.md (3.1 Reading a log from text)

    Raises:
        InvalidDIDLogError: ``invalidLogEntry`` with the entry number and the
            message ``cannot read <source>: <reason> at line <n>.`` when a
            line is not UTF-8, not strict JSON or not an object;
            ``cannot read <source>: it is empty.`` (entry 1) when no line holds
            an entry.
        LogTooLargeError: more than :data:`MAX_LOG_BYTES` bytes, or more than
            :data:`MAX_LOG_ENTRIES` entries.
    """
    text = _text(data, source)
    entries: list[JsonValue] = []
    seen: set[str] = set()
    count = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip(_BLANK):
            continue
        count += 1
        if count > MAX_LOG_ENTRIES:
            raise LogTooLargeError(
                f"cannot read {source}: more than {MAX_LOG_ENTRIES} entries "
                f"at line {number}."
            )
        if line in seen:
            continue
        seen.add(line)
        try:
            value = parse_line(line)
        except ValueError as exc:
            _unreadable(source, str(exc), number, len(entries) + 1)
        if not isinstance(value, dict):
            _unreadable(
                source, "a value that is not a JSON object", number, len(entries) + 1
            )
        entries.append(value)
    if not entries:
        raise InvalidDIDLogError(
            f"cannot read {source}: it is empty.", code="invalidLogEntry", entry=1
        )
    return entries
