"""What a worker process builds once per description it is shipped.

``Verifier.verify_many`` and ``ssi.bundle.verify_bundle`` send worker
processes a *description* of what they verify with (its pickle, keyed by its
SHA-256) with every chunk; a worker unpickles each description once and
keeps the result in a :class:`DescriptionTable`, so caches stay warm from
chunk to chunk. Executors without an initializer (Dask's) work the same way.
"""

from __future__ import annotations

import hashlib
import pickle
import threading
from typing import Generic, TypeVar

__all__ = ["DescriptionTable"]

_T = TypeVar("_T")


class DescriptionTable(Generic[_T]):
    """The objects a worker built from pickled descriptions, by their key.

    Args:
        kind: the class every description must unpickle to.
        size: how many are kept (the oldest is dropped first).
    """

    def __init__(self, kind: type[_T], size: int) -> None:
        self._kind = kind
        self._size = size
        self._lock = threading.Lock()
        self._built: dict[str, _T] = {}

    def get(self, key: str, blob: bytes) -> _T:
        """Return the object ``blob`` describes, unpickled the first time.

        Raises:
            TypeError: ``blob`` is not a pickled ``kind``, or ``key`` is not
                its SHA-256.
        """
        with self._lock:
            found = self._built.get(key)
        if found is not None:
            return found
        # The description comes from the process that owns the executor, which
        # the worker trusts with its code already; it is never outside data.
        built = pickle.loads(blob)  # noqa: S301
        if not isinstance(built, self._kind) or hashlib.sha256(blob).hexdigest() != key:
            raise TypeError(f"not the description of a {self._kind.__name__}")
        with self._lock:
            found = self._built.setdefault(key, built)
            while len(self._built) > self._size:
                del self._built[next(iter(self._built))]
        return found

    def peek(self, key: str) -> _T | None:
        """Return what was built for ``key``, if anything, building nothing."""
        with self._lock:
            return self._built.get(key)

    def discard(self, key: str) -> None:
        """Forget what was built for ``key`` (the next chunk builds it again)."""
        with self._lock:
            self._built.pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._built)
