"""How messages name untrusted values: quoted and cut short, or by JSON kind.

Error messages name the offending value without echoing a whole document
and without characters a terminal would act on.
"""

from __future__ import annotations

__all__ = ["json_kind", "quote"]


def quote(text: str, limit: int = 40) -> str:
    """Quote untrusted text for a message: ASCII-escaped, cut to ``limit``."""
    return ascii(text if len(text) <= limit else text[: limit - 3] + "...")


def json_kind(value: object) -> str:
    """Name a value's JSON kind for a message (``a string``, ``null``, ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"
