"""Where a key of a TOML document is: its path written as TOML, its line.

``tomllib`` gives the line of a syntax error, not of a key whose value a
reader refuses. :func:`line_of` finds it with a scan: each table header
(``[a."b"]``) and each key (``a.b = ...``) is parsed alone by ``tomllib`` to
learn its key path; lines that do not parse alone (inside multi-line
values) are skipped. Good enough to point at a one-line key or list item;
``None`` when the scan does not find it.

Spec: docs/moderation.md (Feed policy)
"""

from __future__ import annotations

import re
import tomllib
from typing import Final

__all__ = ["KeyPath", "key_path", "line_of", "quoted", "syntax_error"]

_BARE_KEY: Final = re.compile(r"[A-Za-z0-9_-]+")
_POSITION: Final = re.compile(r"at line (\d+), column (\d+)")
_WHERE: Final = re.compile(r"\s*\(at [^)]*\)")

KeyPath = tuple[str | int, ...]
"""A key path: keys, and indexes into lists."""


def syntax_error(error: tomllib.TOMLDecodeError) -> tuple[int | None, str]:
    """Return the line of a TOML syntax error (if given) and its reason."""
    message = str(error)
    position = _POSITION.search(message)
    line = int(position[1]) if position else None
    return line, _WHERE.sub("", message).rstrip(".")


def key_path(path: KeyPath) -> str:
    """Write ``path`` as TOML does: ``a.b``, ``overrides."did:x".hide``,
    ``follow[2]``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
            continue
        key = part if _BARE_KEY.fullmatch(part) else quoted(part)
        text += f".{key}" if text else key
    return text


def quoted(key: str) -> str:
    """Write ``key`` as a TOML basic string (non-printable characters as
    ``\\uXXXX``)."""
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return (
        '"'
        + "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped)
        + '"'
    )


def line_of(text: str, path: KeyPath) -> int | None:
    """The line of ``path`` in the TOML ``text``, when a simple scan finds it.

    Headers (``[a."b"]``) and keys (``a.b = ...``) are each parsed alone by
    tomllib to learn their key path; lines that do not parse (inside
    multi-line values) are skipped. An array element's line is the one after
    its key that holds its value (the n-th time, for a repeated value).
    """
    keys = tuple(part for part in path if isinstance(part, str))
    table: tuple[str, ...] = ()
    found: int | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            header = _parsed_key(line, header=True)
            table = header if header is not None else ()
            if header == keys:
                found = number
                break
            continue
        name = (
            _parsed_key(line.split("=", 1)[0] + "= 0", header=False)
            if "=" in line
            else None
        )
        if name is not None and (table + name) == keys[: len(table + name)]:
            found = number
            break
    if found is None or len(keys) == len(path):
        return found
    return _element_line(text, found, path)


def _element_line(text: str, start: int, path: KeyPath) -> int:
    index = path[-1]
    values: object = tomllib.loads(text)
    for part in path[:-1]:
        values = values.get(part) if isinstance(values, dict) else None
    if not isinstance(index, int) or not isinstance(values, list):
        return start
    value = values[index] if index < len(values) else None
    if not isinstance(value, str):
        return start
    wanted = values[:index].count(value) + 1
    lines = text.splitlines()
    for number in range(start, len(lines) + 1):
        line = lines[number - 1]
        wanted -= line.count(f'"{value}"') + line.count(f"'{value}'")
        if wanted <= 0:
            return number
    return start


def _parsed_key(text: str, *, header: bool) -> tuple[str, ...] | None:
    try:
        value: object = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    parts: list[str] = []
    while isinstance(value, dict) and len(value) == 1:
        key, value = next(iter(value.items()))
        parts.append(key)
    if header and value != {}:
        return None
    return tuple(parts)
