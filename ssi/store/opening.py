"""Choosing a store: a location (a path or a URL) to an open backend.

Spec: docs/store.md (Locations)
"""

from __future__ import annotations

from pathlib import Path
from typing import Final
from urllib.parse import parse_qsl, urlencode

from ssi.errors import StoreError
from ssi.home import default_home
from ssi.store.base import ObjectStore
from ssi.store.postgres import DEFAULT_SCHEMA, PostgresStore
from ssi.store.sqlite import DEFAULT_BUSY_TIMEOUT, SQLiteStore

__all__ = ["STORE_FILE", "default_store_path", "open_store", "split_schema"]

STORE_FILE: Final = "store.sqlite"
"""The name of the default store's file in the Agora home."""

_SQLITE_URL: Final = "sqlite:///"
_POSTGRES_SCHEMES: Final = ("postgresql://", "postgres://")


def default_store_path() -> Path:
    """Return the default store's file: ``$AGORA_HOME/store.sqlite``.

    Spec: docs/store.md (Locations)
    """
    return default_home() / STORE_FILE


def open_store(
    location: str | Path | None = None,
    *,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    create: bool = True,
) -> ObjectStore:
    """Open (creating if needed) the object store at ``location``.

    ``location`` is a path to an SQLite file, or a URL ``sqlite:///PATH``
    (``sqlite:///store.sqlite`` is relative, ``sqlite:////srv/store.sqlite``
    absolute, as SQLAlchemy writes them), or a PostgreSQL URL
    ``postgresql://...`` (or ``postgres://``), whose query parameter
    ``schema=NAME`` names the schema (default ``agora``; the other
    parameters go to libpq); ``None`` means ``$AGORA_HOME/store.sqlite``
    (``~/.agora/store.sqlite`` without it).
    With ``create=False`` a missing store is a ``StoreAccessError`` rather
    than a new, empty one (for callers that only read).

    Spec: docs/store.md (Locations)

    Raises:
        StoreError: a URL whose scheme has no backend here; psycopg is not
            installed (PostgreSQL).
        StoreAccessError, StoreCorruptedError, StoreVersionError: as
            :class:`~ssi.store.SQLiteStore` and :class:`~ssi.store.PostgresStore`.
        TypeError: ``location`` is neither a string, a path nor None.
        ValueError: the ``schema`` parameter is not a usable schema name.
    """
    if location is None:
        return SQLiteStore(
            default_store_path(), busy_timeout=busy_timeout, create=create
        )
    if isinstance(location, Path):
        return SQLiteStore(location, busy_timeout=busy_timeout, create=create)
    if not isinstance(location, str):
        raise TypeError("location must be a path, a URL string or None")
    if location.startswith(_POSTGRES_SCHEMES):
        url, schema = split_schema(location)
        return PostgresStore(url, schema=schema or DEFAULT_SCHEMA, create=create)
    if location.startswith(_SQLITE_URL):
        path = location[len(_SQLITE_URL) :]
        if not path:
            raise StoreError("the URL sqlite:/// names no file.")
        return SQLiteStore(Path(path), busy_timeout=busy_timeout, create=create)
    scheme, separator, _ = location.partition("://")
    if separator and scheme.isascii() and scheme.replace("+", "").isalnum():
        raise StoreError(
            f"no store backend for {scheme[:20]!r} URLs here (sqlite:/// or a path)."
        )
    return SQLiteStore(Path(location), busy_timeout=busy_timeout, create=create)


def split_schema(url: str) -> tuple[str, str | None]:
    """Take the ``schema`` query parameter out of a PostgreSQL URL.

    Returns the URL without it (the rest of the query kept, for libpq) and
    the schema, or None when the URL names none.

    Spec: docs/store.md (Locations)

    Raises:
        ValueError: ``schema`` is given more than once.
    """
    base, mark, query = url.partition("?")
    if not mark:
        return url, None
    pairs = parse_qsl(query, keep_blank_values=True)
    schemas = [value for name, value in pairs if name == "schema"]
    if len(schemas) > 1:
        raise ValueError("a store URL names at most one schema")
    rest = urlencode([(name, value) for name, value in pairs if name != "schema"])
    return (f"{base}?{rest}" if rest else base), (schemas[0] if schemas else None)
