"""Choosing a store: a location (a path or a URL) to an open backend.

Spec: docs/store.md (Locations)
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from ssi.errors import StoreError
from ssi.home import default_home
from ssi.store.base import ObjectStore
from ssi.store.sqlite import DEFAULT_BUSY_TIMEOUT, SQLiteStore

__all__ = ["STORE_FILE", "default_store_path", "open_store"]

STORE_FILE: Final = "store.sqlite"
"""The name of the default store's file in the Agora home."""

_SQLITE_URL: Final = "sqlite:///"


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
    absolute, as SQLAlchemy writes them); ``None`` means
    ``$AGORA_HOME/store.sqlite`` (``~/.agora/store.sqlite`` without it).
    With ``create=False`` a missing store is a ``StoreAccessError`` rather
    than a new, empty one (for callers that only read).

    Spec: docs/store.md (Locations)

    Raises:
        StoreError: a URL whose scheme has no backend here.
        StoreAccessError, StoreCorruptedError, StoreVersionError: as
            :class:`~ssi.store.SQLiteStore`.
        TypeError: ``location`` is neither a string, a path nor None.
    """
    if location is None:
        return SQLiteStore(
            default_store_path(), busy_timeout=busy_timeout, create=create
        )
    if isinstance(location, Path):
        return SQLiteStore(location, busy_timeout=busy_timeout, create=create)
    if not isinstance(location, str):
        raise TypeError("location must be a path, a URL string or None")
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
