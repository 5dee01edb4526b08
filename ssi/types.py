"""Type aliases shared by the whole library.

JSON documents from outside are untyped until validated, so the aliases stay
loose; every public signature that carries JSON names them instead of ``Any``.
"""

from __future__ import annotations

from typing import Any, TypeAlias

__all__ = ["JsonObject", "JsonValue"]

JsonValue: TypeAlias = Any
"""Any value that JSON can carry: null, bool, number, string, array, object."""

JsonObject: TypeAlias = dict[str, Any]
"""A JSON object with string keys."""
