"""Where status list credentials come from: memory, a folder, HTTP, a cache.

A status source maps the URL in ``statusListCredential`` to the list
credential (a JSON object, not yet verified: the checker verifies it). Every
failure is a :class:`~ssi.errors.StatusRetrievalError`. Nothing reaches the
network unless an :class:`HttpStatusSource` is constructed, and that one only
fetches ``https`` URLs on its allow-list, without following redirects, with
a size cap and a deadline.

Spec: https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm
("Dereference the statusListCredential URL ... If the dereference fails,
raise a STATUS_RETRIEVAL_ERROR"), https://www.w3.org/TR/vc-bitstring-status-list/#ttl
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Final, Protocol

import httpx

from ssi.credentials.json_input import load_json
from ssi.errors import (
    ParsingError,
    StatusRetrievalError,
    TransportError,
)
from ssi.http_client import DEFAULT_TIMEOUT, check_url, fetch, make_client
from ssi.types import JsonObject

__all__ = [
    "DEFAULT_CACHE_TTL",
    "MAX_LIST_BYTES",
    "CachingStatusSource",
    "ChainStatusSource",
    "FolderStatusSource",
    "HttpStatusSource",
    "MemoryStatusSource",
    "StatusSource",
]

MAX_LIST_BYTES: Final = 2 * 1024 * 1024
"""The largest status list credential read, in bytes (2 MiB of JSON)."""

DEFAULT_CACHE_TTL: Final = timedelta(minutes=5)
"""How long a list is cached when it has no ``ttl`` of its own."""

_ACCEPT: Final = (
    "application/vc, application/vc+ld+json;q=0.9, application/ld+json;q=0.8, "
    "application/json;q=0.7"
)


class StatusSource(Protocol):
    """Returns the status list credential published at a URL."""

    def get(self, url: str) -> JsonObject:
        """Return the list credential at ``url`` (not yet verified).

        Raises:
            StatusRetrievalError: the credential cannot be obtained.
        """
        ...


class MemoryStatusSource:
    """Serves list credentials held in memory, by URL (the test double).

    The documents are returned as stored, not copied.
    """

    def __init__(self, credentials: Mapping[str, JsonObject] | None = None) -> None:
        self._credentials: dict[str, JsonObject] = dict(credentials or {})

    def add(self, credential: JsonObject, url: str | None = None) -> None:
        """Serve ``credential`` at ``url`` (default: its ``id``).

        Raises:
            ValueError: no URL is given and the credential has no ``id``.
        """
        where = url if url is not None else credential.get("id")
        if not isinstance(where, str):
            raise ValueError("give a URL for a credential without an id.")
        self._credentials[where] = credential

    def get(self, url: str) -> JsonObject:
        """Return the credential stored for ``url``.

        Raises:
            StatusRetrievalError: none is stored.
        """
        try:
            return self._credentials[url]
        except KeyError:
            raise StatusRetrievalError(
                f"no status list credential is known for {_show(url)}."
            ) from None


class FolderStatusSource:
    """Serves list credentials from ``*.json`` files in a folder, matched by ``id``.

    Files are read when asked for, so a list the issuer rewrites is seen at
    once; files that are not JSON objects with an ``id`` are skipped.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, max_bytes: int = MAX_LIST_BYTES
    ) -> None:
        self._folder = Path(path)
        self._max_bytes = max_bytes
        self._index: dict[str, Path] = {}
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, object]:
        """Pickle the folder and limit; the index and the lock stay behind."""
        return {"folder": self._folder, "max_bytes": self._max_bytes}

    def __setstate__(self, state: dict[str, object]) -> None:
        """Rebuild a pickled source with an empty index."""
        folder, max_bytes = state["folder"], state["max_bytes"]
        if not isinstance(folder, Path) or not isinstance(max_bytes, int):
            raise TypeError("not the pickled state of a FolderStatusSource")
        self._folder = folder
        self._max_bytes = max_bytes
        self._index = {}
        self._lock = threading.Lock()

    def get(self, url: str) -> JsonObject:
        """Return the credential whose ``id`` is ``url``.

        Raises:
            StatusRetrievalError: no file holds it, or the folder is unreadable.
        """
        with self._lock:
            known = self._index.get(url)
            if known is not None:
                document = self._read(known)
                if document is not None and document.get("id") == url:
                    return document
            self._index = self._scan()
            known = self._index.get(url)
            document = self._read(known) if known is not None else None
        if document is None or document.get("id") != url:
            raise StatusRetrievalError(
                f"no file in the status folder holds {_show(url)}."
            )
        return document

    def _scan(self) -> dict[str, Path]:
        try:
            files = sorted(self._folder.glob("*.json"))
        except OSError as exc:
            raise StatusRetrievalError("the status folder cannot be read.") from exc
        index: dict[str, Path] = {}
        for file in files:
            document = self._read(file)
            if document is not None and isinstance(document.get("id"), str):
                index.setdefault(document["id"], file)
        return index

    def _read(self, file: Path) -> JsonObject | None:
        try:
            with file.open("rb") as handle:
                data = handle.read(self._max_bytes + 1)
            value = load_json(data, max_bytes=self._max_bytes)
        except (OSError, ParsingError):
            return None
        return value if isinstance(value, dict) else None


class HttpStatusSource:
    """Fetches list credentials over HTTPS, only from allow-listed places.

    Args:
        client: the client to use (default: :func:`ssi.http_client.make_client`,
            owned and closed by this source).
        allow: where lists may come from: URL prefixes
            (``"https://status.example/lists/"``, matched at a path boundary)
            or host names (``"status.example"``, any path). Required.
        timeout: seconds for the whole fetch.
        max_bytes: the largest list credential read.
        allow_loopback_http: also fetch ``http`` from 127.0.0.1, ::1 and
            localhost (for tests against a local server).

    Redirects are not followed: a redirect could leave the allow-list.

    Raises:
        ValueError: the allow-list is empty.
    """

    def __init__(
        self,
        client: httpx.Client | None = None,
        *,
        allow: Sequence[str],
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = MAX_LIST_BYTES,
        allow_loopback_http: bool = False,
    ) -> None:
        entries = [allow] if isinstance(allow, str) else list(allow)
        if not entries or not all(isinstance(e, str) and e for e in entries):
            raise ValueError("an HTTP status source needs a non-empty allow-list.")
        self._prefixes = tuple(e for e in entries if "://" in e)
        self._hosts = frozenset(e.lower() for e in entries if "://" not in e)
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._loopback = allow_loopback_http
        self._owned = client is None
        self._client = client or make_client(
            timeout=timeout,
            max_bytes=max_bytes,
            allow_loopback_http=allow_loopback_http,
        )

    def get(self, url: str) -> JsonObject:
        """Fetch and parse the list credential at ``url``.

        Raises:
            StatusRetrievalError: the URL is refused (scheme, allow-list), the
                fetch fails (connection, status, timeout, size), or the body
                is not a JSON object.
        """
        try:
            parsed = check_url(url, allow_loopback_http=self._loopback)
        except TransportError as exc:
            raise StatusRetrievalError(exc.detail) from exc
        normalized = str(parsed.copy_with(fragment=None))
        if not self._allowed(parsed, normalized):
            raise StatusRetrievalError(
                f"{_show(url)} is not on the status source's allow-list."
            )
        try:
            body = fetch(
                self._client,
                normalized,
                accept=_ACCEPT,
                max_bytes=self._max_bytes,
                timeout=self._timeout,
                allow_loopback_http=self._loopback,
            )
            document = load_json(body, max_bytes=self._max_bytes)
        except TransportError as exc:
            raise StatusRetrievalError(exc.detail) from exc
        except ParsingError as exc:
            raise StatusRetrievalError(
                f"{_show(url)} did not return JSON: {exc.detail}"
            ) from exc
        if not isinstance(document, dict):
            raise StatusRetrievalError(f"{_show(url)} did not return a JSON object.")
        return document

    def close(self) -> None:
        """Close the client if this source created it."""
        if self._owned:
            self._client.close()

    def __enter__(self) -> HttpStatusSource:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _allowed(self, parsed: httpx.URL, normalized: str) -> bool:
        if parsed.host.lower() in self._hosts:
            return True
        for prefix in self._prefixes:
            if not normalized.startswith(prefix):
                continue
            if prefix.endswith("/") or len(normalized) == len(prefix):
                return True
            if normalized[len(prefix)] in "/?":
                return True
        return False


@dataclass(slots=True)
class _Cached:
    document: JsonObject
    fetched: datetime
    expires: datetime


def _utc_now() -> datetime:
    return datetime.now(UTC)


class CachingStatusSource:
    """Caches another source's list credentials for their ``ttl``.

    A list is kept for its subject's ``ttl`` (milliseconds) when it has one,
    else for ``ttl``, and never longer than ``max_ttl``; a ``ttl`` of 0 is not
    cached. Failures are not cached. The clock is injectable for tests.

    Caching is what the specification advises verifiers to do: fewer fetches
    tell the issuer less about who verifies what. It does not weaken
    verification: the checker verifies the list credential it is given (and
    its validity period) whether it came from the cache or not.

    Spec: https://www.w3.org/TR/vc-bitstring-status-list/#ttl,
    https://www.w3.org/TR/vc-bitstring-status-list/#verifier-caching
    """

    def __init__(
        self,
        inner: StatusSource,
        *,
        ttl: timedelta = DEFAULT_CACHE_TTL,
        max_ttl: timedelta = timedelta(days=1),
        max_entries: int = 1024,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._inner = inner
        self._ttl = ttl
        self._max_ttl = max_ttl
        self._max_entries = max_entries
        self._clock = clock
        self._entries: dict[str, _Cached] = {}
        self._lock = threading.Lock()

    def get(self, url: str) -> JsonObject:
        """Return the cached list for ``url``, fetching it when stale or absent.

        Raises:
            StatusRetrievalError: the inner source fails.
        """
        now = self._clock()
        with self._lock:
            cached = self._entries.get(url)
            if cached is not None and cached.fetched <= now < cached.expires:
                return cached.document
        document = self._inner.get(url)
        lifetime = min(self._lifetime(document), self._max_ttl)
        if lifetime > timedelta(0):
            with self._lock:
                self._entries.pop(url, None)
                while len(self._entries) >= self._max_entries:
                    del self._entries[next(iter(self._entries))]
                self._entries[url] = _Cached(document, now, now + lifetime)
        return document

    def invalidate(self, url: str | None = None) -> None:
        """Forget one cached list, or all of them."""
        with self._lock:
            if url is None:
                self._entries.clear()
            else:
                self._entries.pop(url, None)

    def _lifetime(self, document: JsonObject) -> timedelta:
        subject = document.get("credentialSubject")
        ttl = subject.get("ttl") if isinstance(subject, dict) else None
        if type(ttl) is int and ttl >= 0:
            return timedelta(milliseconds=min(ttl, 10**12))
        return self._ttl


class ChainStatusSource:
    """Asks several sources in order; the first that has the list answers."""

    def __init__(self, sources: Iterable[StatusSource]) -> None:
        self._sources = tuple(sources)

    def get(self, url: str) -> JsonObject:
        """Return the list from the first source that has it.

        Raises:
            StatusRetrievalError: no source has it (chained to the last failure).
        """
        failure: StatusRetrievalError | None = None
        for source in self._sources:
            try:
                return source.get(url)
            except StatusRetrievalError as exc:
                failure = exc
        raise StatusRetrievalError(
            f"no status source could provide {_show(url)}."
        ) from failure


def _show(url: str) -> str:
    text = url if len(url) <= 120 else url[:117] + "..."
    return ascii(text)
