"""did:agora logs held in memory, and a driver that validates each one once.

A bundle's logs do not change while it is verified, yet the stock driver
(:class:`ssi.agora.AgoraMethod`) validates a DID's whole log, every entry's
signature included, at each resolution: twice per proof (the key as of the
proof's time, and the latest state). :class:`BundleLogMethod` resolves from
the same logs with the same rules (``ssi.agora.resolve_log``: copies once,
forks are duplicity) but validates each DID's logs once per process and keeps
the outcome, the validated history or the error.

Spec: docs/did-agora.md (Read), docs/bundles.md (Verifying)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from ssi.agora import AgoraLog, AgoraMethod, LogSource, document_for, resolve_log
from ssi.agora.method import select_state, state_metadata
from ssi.did.document import DIDDocument
from ssi.did.results import DID_JSON, ResolutionResult
from ssi.did.syntax import DID
from ssi.errors import DIDNotFoundError, InvalidDIDError, SSIError
from ssi.types import JsonValue

__all__ = ["BundleLogMethod", "MemoryLogSource"]

_MAX_MEMO = 65_536
"""DIDs whose outcome a driver keeps (the oldest goes first past it)."""


def _system_now() -> datetime:
    return datetime.now(UTC)


class MemoryLogSource:
    """Logs held in memory, found by the DID their first entry creates.

    Args:
        logs: mapping of DID to its logs (each a list of entries).
    """

    def __init__(
        self, logs: Mapping[str, Sequence[Sequence[JsonValue]]] | None = None
    ) -> None:
        self._logs: dict[str, list[list[JsonValue]]] = {
            did: [list(log) for log in found] for did, found in (logs or {}).items()
        }

    def add(self, did: str, entries: Sequence[JsonValue]) -> None:
        """Hold one more log for ``did``."""
        self._logs.setdefault(did, []).append(list(entries))

    def dids(self) -> list[str]:
        """The DIDs this source holds logs for."""
        return list(self._logs)

    def logs_for(self, did: str) -> list[list[JsonValue]]:
        """Return every log held for ``did`` (maybe none)."""
        return [list(log) for log in self._logs.get(did, [])]


class BundleLogMethod:
    """The did:agora driver over fixed logs, validating each DID's once.

    Args:
        sources: where logs are found (a bundle's :class:`MemoryLogSource`,
            and whatever the caller adds); they must not change while the
            driver is used.
        clock: the time entries from the future are refused against.
        skew: tolerance for clocks that drift.

    It pickles by configuration (the sources, the clock and the skew); the
    validated logs stay behind and are rebuilt in each process.

    Spec: docs/did-agora.md (Read)
    """

    name: ClassVar[str] = "agora"
    keeps_history: ClassVar[bool] = True
    cacheable: ClassVar[bool] = True
    """The logs do not change while the driver is used, so the resolver may
    keep its results (the latest state, asked for by every proof, is then
    built once); the validated logs are kept by the driver itself."""

    def __init__(
        self,
        sources: Iterable[LogSource],
        *,
        clock: Callable[[], datetime] | None = None,
        skew: timedelta = timedelta(minutes=5),
    ) -> None:
        self.sources: tuple[LogSource, ...] = tuple(sources)
        self._clock = clock or _system_now
        self._skew = skew
        self._memo: dict[str, AgoraLog | SSIError] = {}
        self._documents: dict[tuple[str, int], DIDDocument] = {}
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, object]:
        """Pickle the configuration; validated logs and the lock stay behind."""
        return {"sources": self.sources, "clock": self._clock, "skew": self._skew}

    def __setstate__(self, state: dict[str, object]) -> None:
        """Rebuild a pickled driver that has validated nothing yet."""
        sources, clock, skew = state["sources"], state["clock"], state["skew"]
        if not (
            isinstance(sources, tuple)
            and callable(clock)
            and isinstance(skew, timedelta)
        ):
            raise TypeError("not the pickled state of a BundleLogMethod")
        self.sources = sources
        self._clock = clock
        self._skew = skew
        self._memo = {}
        self._documents = {}
        self._lock = threading.Lock()

    def resolve(self, did: DID, options: Mapping[str, JsonValue]) -> ResolutionResult:
        """Resolve ``did`` from the sources' logs, validated once.

        The ``log`` option is honoured as the stock driver does (that
        resolution is not kept).

        Raises:
            InvalidDIDError: not a did:agora identifier.
            DIDNotFoundError: no log for the DID, or no version matches.
            InvalidDIDLogError, DuplicityError, LogTooLargeError: the logs
                are broken, forked or too large.
            InvalidResolutionOptionsError: unusable version options.
        """
        if options.get("log") is not None:
            stock = AgoraMethod(self.sources, clock=self._clock, skew=self._skew)
            return stock.resolve(did, options)
        text = str(did)
        log = self._validated(text)
        state = select_state(log, options)
        key = (text, state.version)
        document = self._documents.get(key)
        if document is None:
            document = document_for(text, state)
            with self._lock:
                if len(self._documents) >= _MAX_MEMO:
                    self._documents.clear()
                self._documents[key] = document
        return ResolutionResult(
            document, {"contentType": DID_JSON}, state_metadata(log, state)
        )

    def _validated(self, did: str) -> AgoraLog:
        with self._lock:
            known = self._memo.get(did)
        if known is None:
            known = self._validate(did)
            with self._lock:
                if len(self._memo) >= _MAX_MEMO:
                    del self._memo[next(iter(self._memo))]
                self._memo[did] = known
        if isinstance(known, SSIError):
            # A fresh traceback each time: the kept error must not grow one.
            raise known.with_traceback(None)
        return known

    def _validate(self, did: str) -> AgoraLog | SSIError:
        if not did.startswith("did:agora:z") or did.count(":") != 2:
            return InvalidDIDError(f"{did[:80]!r} is not a did:agora identifier.")
        try:
            logs: list[list[JsonValue]] = []
            for source in self.sources:
                logs.extend(source.logs_for(did))
            if not logs:
                return DIDNotFoundError(
                    f"no log for {did} is in the bundle (or in the logs given)."
                )
            return resolve_log(did, logs, now=self._clock(), skew=self._skew)
        except SSIError as exc:
            return exc
