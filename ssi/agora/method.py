"""Resolve did:agora DIDs from their logs.

Logs come from the ``log`` resolution option (a list of entries or JSON Lines
text) and from configured sources (files and folders of ``.jsonl`` logs, the
wallet). Every log found for the DID is validated whole; when two valid logs
(or two branches of one log) disagree after a common prefix, resolution
reports ``duplicity`` with both entries instead of choosing.

Spec: docs/did-agora.md (Read)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar, Protocol

from ssi.agora.log import (
    AgoraLog,
    LogState,
    build_document,
    did_for_inception,
    entry_hash,
    parse_line,
    split_lines,
    validate_log,
)
from ssi.datetimes import parse_date_time
from ssi.did.document import DIDDocument
from ssi.did.resolution import DID_JSON, ResolutionResult
from ssi.did.syntax import DID
from ssi.errors import (
    DIDNotFoundError,
    DuplicityError,
    InvalidDIDError,
    InvalidResolutionOptionsError,
    MalformedValueError,
    SSIError,
)
from ssi.types import JsonObject, JsonValue

__all__ = [
    "AgoraMethod",
    "FileLogSource",
    "LogSource",
    "document_for",
    "resolve_log",
]

_MULTIBASE_ID = "z"
_LONGEST_VERSION_ID = 18
"""Digits in the longest ``versionId`` read as a number (more is no version)."""


class LogSource(Protocol):
    """Somewhere did:agora logs can be found (a folder, the wallet, a hub)."""

    def logs_for(self, did: str) -> list[list[JsonValue]]:
        """Return every log this source holds for ``did`` (maybe none)."""
        ...


class FileLogSource:
    """Logs in ``.jsonl`` files: one file, or every such file in a folder.

    A file belongs to the DID its first entry creates; the file name does not
    matter. Files are read on each resolution, so new entries are seen at once.

    Args:
        path: a ``.jsonl`` file or a folder of them.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def _files(self) -> list[Path]:
        if self.path.is_dir():
            return sorted(self.path.glob("*.jsonl"))
        return [self.path] if self.path.is_file() else []

    def logs_for(self, did: str) -> list[list[JsonValue]]:
        """Return the logs in the files whose first entry creates ``did``.

        A line that is not JSON in such a file stays in the log as a
        placeholder (``None``), so that validation reports ``invalidLogEntry``
        at that entry instead of the file being skipped in silence.
        """
        found = []
        for file in self._files():
            try:
                entries = _read_entries(file.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                continue
            first = entries[0] if entries else None
            if isinstance(first, dict) and _creates(first) == did:
                found.append(entries)
        return found


def _read_entries(text: str) -> list[JsonValue]:
    entries: list[JsonValue] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        try:
            entries.append(parse_line(line))
        except (ValueError, RecursionError):
            entries.append(None)
    return entries


def _creates(entry: JsonObject) -> str | None:
    try:
        return did_for_inception(entry)
    except SSIError:
        return None


def document_for(did: str, state: LogState) -> DIDDocument:
    """Build the DID document of one state: the state plus ``@context``, ``id``
    and each verification method's ``controller``.

    Spec: docs/did-agora.md (DID document)

    Raises:
        InvalidDIDLogError: the state is not a valid DID document
            (``invalidLogEntry`` with the entry number).
    """
    return build_document(did, state.document, state.version)


def _branches(entries: Sequence[JsonValue]) -> list[list[JsonValue]]:
    """Split a log with forks into its branches (each in file order).

    Without two entries of the same version the log is one branch, validated
    strictly in file order (so reordered entries fail).
    """
    versions = [e.get("version") for e in entries if isinstance(e, dict)]
    if len(versions) == len(set(versions)):
        return [list(entries)]
    chains: list[list[JsonValue]] = []
    hashes: list[list[str]] = []
    for entry in entries:
        previous = entry.get("previous") if isinstance(entry, dict) else None
        digest = _safe_hash(entry)
        placed = False
        for chain, chain_hashes in zip(chains, hashes, strict=True):
            if chain_hashes and chain_hashes[-1] == previous:
                chain.append(entry)
                chain_hashes.append(digest)
                placed = True
                break
        if not placed:
            for chain, chain_hashes in zip(list(chains), list(hashes), strict=True):
                if previous in chain_hashes:
                    cut = chain_hashes.index(previous) + 1
                    chains.append([*chain[:cut], entry])
                    hashes.append([*chain_hashes[:cut], digest])
                    placed = True
                    break
        if not placed:
            if chains:
                chains[0].append(entry)
                hashes[0].append(digest)
            else:
                chains.append([entry])
                hashes.append([digest])
    return chains


def _safe_hash(entry: JsonValue) -> str:
    if not isinstance(entry, dict):
        return ""
    try:
        return entry_hash(entry)
    except SSIError:
        return ""


def resolve_log(
    did: str,
    logs: Iterable[Sequence[JsonValue]],
    *,
    now: datetime | None = None,
    skew: timedelta = timedelta(minutes=5),
) -> AgoraLog:
    """Validate every log for ``did`` and return the one history they agree on.

    Spec: docs/did-agora.md (Read: duplicity)

    Raises:
        DIDNotFoundError: no log was given.
        InvalidDIDLogError: a log is broken (its precise code and entry).
        DuplicityError: two valid logs fork; both entries are the evidence.
    """
    validated: list[AgoraLog] = []
    for log in logs:
        for branch in _branches(log):
            validated.append(validate_log(branch, did=did, now=now, skew=skew))
    if not validated:
        raise DIDNotFoundError(f"no log for {did} was found in the configured sources.")
    best = max(validated, key=lambda log: len(log.states))
    for other in validated:
        for mine, theirs in zip(best.states, other.states, strict=False):
            if mine.digest != theirs.digest:
                raise DuplicityError(
                    f"log entry {mine.version}: two valid entries claim the same "
                    "predecessor; the DID's history has forked.",
                    entry=mine.version,
                    evidence=[mine.entry, theirs.entry],
                )
    return best


class AgoraMethod:
    """The did:agora driver: finds logs, validates them, resolves versions.

    Args:
        sources: where to look for logs besides the ``log`` option.
        clock: the current time (for refusing entries from the future).
        skew: tolerance for clocks that drift.

    Options: ``log`` (entries, or JSON Lines text), ``versionId`` (the
    version number), ``versionTime`` (a date-time).

    Spec: docs/did-agora.md (Read)
    """

    name: ClassVar[str] = "agora"
    keeps_history: ClassVar[bool] = True
    cacheable: ClassVar[bool] = False
    """Logs in files and wallets change under the resolver: a new entry (a
    rotation, a key marked compromised) must be seen at once."""

    def __init__(
        self,
        sources: Iterable[LogSource] = (),
        *,
        clock: Callable[[], datetime] | None = None,
        skew: timedelta = timedelta(minutes=5),
    ) -> None:
        self.sources: list[LogSource] = list(sources)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._skew = skew

    def add_source(self, source: LogSource) -> None:
        """Look for logs in ``source`` too."""
        self.sources.append(source)

    def resolve(self, did: DID, options: Mapping[str, JsonValue]) -> ResolutionResult:
        """Resolve ``did`` from its logs.

        Raises:
            InvalidDIDError: the identifier is not a did:agora identifier.
            DIDNotFoundError: no log, or no version matches the options.
            InvalidDIDLogError, DuplicityError: the logs are broken or forked.
            InvalidResolutionOptionsError: unusable ``log``/version options.
        """
        text = str(did)
        if not did.method_specific_id.startswith(_MULTIBASE_ID) or ":" in (
            did.method_specific_id
        ):
            raise InvalidDIDError(f"{text[:80]!r} is not a did:agora identifier.")
        logs = [*self._option_logs(options.get("log"))]
        for source in self.sources:
            logs.extend(source.logs_for(text))
        log = resolve_log(text, logs, now=self._clock(), skew=self._skew)
        state = _select(log, options)
        return ResolutionResult(
            document_for(text, state),
            {"contentType": DID_JSON},
            _metadata(log, state),
        )

    @staticmethod
    def _option_logs(value: JsonValue) -> list[Sequence[JsonValue]]:
        if value is None:
            return []
        if isinstance(value, str):
            return [split_lines(value)]
        if isinstance(value, list):
            return [value]
        raise InvalidResolutionOptionsError(
            "the log option must be a list of entries or JSON Lines text."
        )


def _select(log: AgoraLog, options: Mapping[str, JsonValue]) -> LogState:
    version_id = options.get("versionId")
    version_time = options.get("versionTime")
    if version_id is not None and version_time is not None:
        raise InvalidResolutionOptionsError("give versionId or versionTime, not both.")
    if version_id is not None:
        if isinstance(version_id, int) and not isinstance(version_id, bool):
            number = version_id
        elif (
            isinstance(version_id, str)
            and version_id.isascii()
            and version_id.isdigit()
        ):
            # A longer number than any log holds is no version (and int() of
            # thousands of digits would raise).
            number = int(version_id) if len(version_id) <= _LONGEST_VERSION_ID else 0
        else:
            raise InvalidResolutionOptionsError("versionId must be a version number.")
        if not 1 <= number <= len(log.states):
            raise DIDNotFoundError(f"{log.did} has no version {number}.")
        return log.states[number - 1]
    if version_time is not None:
        try:
            moment = parse_date_time(
                version_time, require_timezone=True, path="versionTime"
            )
        except MalformedValueError as exc:
            raise InvalidResolutionOptionsError(exc.detail) from exc
        earlier = [s for s in log.states if s.time <= moment]
        if not earlier:
            raise DIDNotFoundError(f"{log.did} did not exist at {version_time}.")
        return earlier[-1]
    return log.latest


def _metadata(log: AgoraLog, state: LogState) -> JsonObject:
    metadata: JsonObject = {
        "versionId": str(state.version),
        "versionTime": state.time_text,
        "created": log.states[0].time_text,
        "updated": state.time_text,
    }
    if state.version < log.latest.version:
        following = log.states[state.version]
        metadata["nextVersionId"] = str(following.version)
        metadata["nextUpdate"] = following.time_text
    if log.latest.deactivated:
        metadata["deactivated"] = True
    if log.compromised:
        metadata["compromisedKeys"] = sorted(log.compromised)
    return metadata
