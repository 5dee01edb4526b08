"""Built views kept per process, reused until the store changes.

A view (a community's feed) is built from the whole store; building it on
every request costs time that grows with the store. :class:`ViewCache`
keeps each built view under ``(kind, key)`` in a bounded LRU, with the
store's ``latest_seq()`` when it was built:

- within ``view_refresh`` seconds of the moment the view was last known to
  match the store, it is served as it is (no store read at all);
- after that, ``latest_seq()`` (one indexed read) is asked: unchanged, the
  view is served and known current again; changed, it is built again (or
  folded forward: the builder is given the view it replaces).

So a page may lag the store by at most ``view_refresh`` seconds (0: never,
every request looks at ``latest_seq()``); ``GET /stream`` is the real-time
path. Requests for a stale view wait on the lock of its key while one of
them builds it, so N concurrent requests build it once (keys share
:data:`STRIPES` locks, so that the locks are bounded too; a build may ask
the cache for another view, as a community's feed asks for the store's).
Each worker process (``--workers N``) keeps its own
cache; the store tells every one of them when it changed, on SQLite and
PostgreSQL alike (``latest_seq()`` grows in commit order on both).

Spec: docs/hub.md (Views: caching)
"""

from __future__ import annotations

import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, TypeVar, cast

from ssi.store import ObjectStore

__all__ = ["DEFAULT_REFRESH", "DEFAULT_SIZE", "STRIPES", "ViewCache"]

DEFAULT_REFRESH: Final = 1.0
"""Seconds a view is served without looking at the store (``view_refresh``)."""

DEFAULT_SIZE: Final = 256
"""Views kept per process (``view_cache``)."""

STRIPES: Final = 64
"""Build locks per cache; a key's lock is chosen by its hash."""

_V = TypeVar("_V")


@dataclass(slots=True)
class _Entry:
    value: object
    seq: int
    """``latest_seq()`` read before the view was built."""
    fresh_at: float
    """When the view was last known to match the store (clock seconds)."""


class ViewCache:
    """A bounded LRU of built views, rebuilt when the store has changed.

    Args:
        store: the store the views are built from (its ``latest_seq()`` says
            whether it changed).
        size: the most views kept; the least recently used goes first.
        refresh: seconds a view is served without asking the store; 0 asks
            on every request.
        clock: monotonic seconds (a fake one in tests).

    Spec: docs/hub.md (Views: caching)

    Raises:
        ValueError: ``size`` is below 1 or ``refresh`` is negative.
    """

    def __init__(
        self,
        store: ObjectStore,
        *,
        size: int = DEFAULT_SIZE,
        refresh: float = DEFAULT_REFRESH,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        if not refresh >= 0:
            raise ValueError("refresh must be 0 or more seconds")
        self._store = store
        self._size = size
        self._refresh = refresh
        self._clock = clock
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._locks = tuple(threading.RLock() for _ in range(STRIPES))
        self._guard = threading.Lock()
        self.builds: Counter[str] = Counter()
        """How many times a view of each kind was built (for tests and
        operators)."""

    def __len__(self) -> int:
        """Return how many views are kept."""
        with self._guard:
            return len(self._entries)

    def get(self, kind: str, key: str, build: Callable[[_V | None], _V]) -> _V:
        """Return the view ``(kind, key)``: the kept one while it is current
        (as above), else what ``build`` makes of the kept one (or of None).

        Every view of one ``kind`` is of one type (the one ``build`` makes).
        Exceptions of ``build`` reach the caller; the kept view stays.

        Spec: docs/hub.md (Views: caching)
        """
        name = (kind, key)
        now = self._clock()
        entry = self._current(name, now)
        if entry is not None:
            return cast(_V, entry.value)
        with self._locks[hash(name) % STRIPES]:
            now = self._clock()
            with self._guard:
                kept = self._entries.get(name)
            if kept is not None and now - kept.fresh_at < self._refresh:
                return cast(_V, kept.value)  # built while this one waited
            seq = self._store.latest_seq()
            if kept is not None and kept.seq == seq:
                kept.fresh_at = now
                return cast(_V, kept.value)
            value = build(None if kept is None else cast(_V, kept.value))
            self._keep(name, _Entry(value, seq, now))
            return value

    def _current(self, name: tuple[str, str], now: float) -> _Entry | None:
        """The kept view if it may be served without building it."""
        with self._guard:
            entry = self._entries.get(name)
            if entry is None:
                return None
            self._entries.move_to_end(name)
            if now - entry.fresh_at < self._refresh:
                return entry
        if self._store.latest_seq() == entry.seq:
            entry.fresh_at = now
            return entry
        return None

    def _keep(self, name: tuple[str, str], entry: _Entry) -> None:
        with self._guard:
            self.builds[name[0]] += 1
            self._entries[name] = entry
            self._entries.move_to_end(name)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
