"""Resolve did:agora DIDs from their logs.

Logs come from the ``log`` resolution option (a list of entries or JSON Lines
text) and from configured sources (files and folders of ``.jsonl`` logs, the
wallet). Every log found for the DID is validated whole; when two valid logs
(or two branches of one log) disagree after a common prefix, resolution
reports ``duplicity`` with both entries instead of choosing.

Spec: docs/did-agora.md (Read)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar, Protocol

from ssi.agora.lines import _BLANK, MAX_LOG_BRANCHES, MAX_LOG_BYTES
from ssi.agora.log import (
    AgoraLog,
    LogState,
    _canonical,
    _check_count,
    _check_entry,
    _rules,
    build_document,
    did_for_inception,
    entry_digest,
    parse_line,
    split_lines,
    validate_log,
)
from ssi.datetimes import parse_date_time
from ssi.did.document import DIDDocument
from ssi.did.results import DID_JSON, ResolutionResult
from ssi.did.syntax import DID
from ssi.encoding import decode_multibase
from ssi.errors import (
    DIDNotFoundError,
    DuplicityError,
    InvalidDIDError,
    InvalidDIDLogError,
    InvalidResolutionOptionsError,
    LogTooLargeError,
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
    "select_state",
    "state_metadata",
    "validate_entries",
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
            return sorted(p for p in self.path.glob("*.jsonl") if p.is_file())
        return [self.path] if self.path.is_file() else []

    def logs_for(self, did: str) -> list[list[JsonValue]]:
        """Return the logs in the files whose first entry creates ``did``.

        A file whose first entry can be read and creates another DID is not
        read further. Any other file that cannot be read whole (not UTF-8, a
        line that is not strict JSON or not an object, empty, too large) fails
        the resolution, naming the file and the line: the resolver cannot tell
        whose log it is, and a log is never dropped in silence.

        Spec: docs/did-agora.md (5.1 Finding logs)

        Raises:
            InvalidDIDLogError: a file cannot be read
                (``cannot read FILE: <reason> at line N.``).
            LogTooLargeError: a file is over the limits.
        """
        found = []
        for file in self._files():
            entries = _read_log_file(file, did)
            if entries is not None:
                found.append(entries)
        return found


def _read_log_file(path: Path, did: str) -> list[JsonValue] | None:
    """The entries of ``path`` when it is a log of ``did``; None for a file
    that is gone or that holds another DID's log."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_LOG_BYTES + 1)
    except FileNotFoundError:
        return None  # removed since the folder was listed
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise InvalidDIDLogError(f"cannot read {path}: {reason}.") from exc
    first = _first_entry(data)
    if first is not None and _creates(first) != did:
        return None
    entries = split_lines(data, source=str(path))
    first = entries[0]
    if not isinstance(first, dict) or _creates(first) != did:
        return None
    return entries


def _first_entry(data: bytes) -> JsonObject | None:
    """The first entry of a log file, when its line can be read alone."""
    start = 0
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        try:
            line = data[start:end].decode("utf-8")
        except UnicodeDecodeError:
            return None
        if line.strip(_BLANK):
            try:
                value = parse_line(line)
            except ValueError:
                return None
            return value if isinstance(value, dict) else None
        start = end + 1
    return None


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
    return build_document(did, state.document, state.version, threshold=state.threshold)


def _forks(entries: Sequence[JsonValue]) -> bool:
    """True when two entries claim the same (integer) version."""
    seen: set[int] = set()
    for entry in entries:
        if isinstance(entry, dict):
            version = entry.get("version")
            if type(version) is int:
                if version in seen:
                    return True
                seen.add(version)
    return False


def _validate(
    entries: Sequence[JsonValue], did: str, now: datetime | None, skew: timedelta
) -> AgoraLog:
    """Validate one log: in order when it does not fork, as a tree otherwise.

    Raises:
        InvalidDIDLogError, LogTooLargeError: the log is broken or too large.
        DuplicityError: the log forks and every branch is valid.
    """
    _check_count(len(entries))
    if not _forks(entries):
        return validate_log(entries, did=did, now=now, skew=skew)
    return _validate_tree(entries, did, now, skew)


def validate_entries(
    entries: Sequence[JsonValue],
    *,
    did: str | None = None,
    now: datetime | None = None,
    skew: timedelta = timedelta(minutes=5),
) -> AgoraLog:
    """Validate one log as a resolver does: in order, or as a tree if it forks.

    Unlike :func:`~ssi.agora.log.validate_log`, a log that repeats an entry
    (equal objects) or forks is read as resolution reads it (spec §5.1.1):
    copies count once, and a fork whose branches are all valid is duplicity.

    Args:
        entries: the entries, as parsed.
        did: the DID the log must create (default: the one its first entry
            creates).
        now: entries timed after ``now + skew`` are refused (default: not
            checked).
        skew: tolerance for clocks that drift.

    Spec: docs/did-agora.md §5.1 and §5.1.1.

    Raises:
        InvalidDIDLogError, LogTooLargeError: the log is broken or too large.
        DuplicityError: the log forks and every branch is valid.
    """
    _check_count(len(entries))
    first = entries[0] if entries else None
    target = (
        did
        if did is not None
        else (_creates(first) if isinstance(first, dict) else None)
    )
    if target is None or not _forks(entries):
        return validate_log(entries, did=did, now=now, skew=skew)
    return _validate_tree(entries, target, now, skew)


@dataclass(slots=True)
class _Node:
    """A distinct entry of a forked log, and where it sits in the tree."""

    entry: JsonObject
    position: int
    canonical: tuple[bytes, bytes] | None
    parent: int = -1
    children: list[int] = field(default_factory=list)
    marked: tuple[str, ...] = ()


def _number(entry: JsonObject, position: int) -> int:
    """The entry number an error names before the entry has a place in a branch."""
    version = entry.get("version")
    return version if type(version) is int and 0 < version <= position else position


def _tree(entries: Sequence[JsonValue]) -> tuple[list[_Node], list[InvalidDIDLogError]]:
    """Drop duplicate entries and link each one to the entry it follows.

    Returns the distinct entries (the first one is the root) and, in log
    order, the errors of the entries that have no place in the tree: those
    that are not objects and those that follow no entry of the log. They are
    raised after the tree is validated, so that a broken entry fails where it
    is, as in a log that does not fork.

    Raises:
        InvalidDIDLogError: the first entry is not an object.
        LogTooLargeError: more than ``MAX_LOG_BRANCHES`` branches.
    """
    if not entries or not isinstance(entries[0], dict):
        raise InvalidDIDLogError(
            "log entry 1: an entry must be a JSON object.",
            code="invalidLogEntry",
            entry=1,
        )
    nodes: list[_Node] = []
    strays: list[tuple[int, InvalidDIDLogError]] = []
    by_digest: dict[bytes, int] = {}
    seen: set[int] = set()
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            strays.append(
                (
                    position,
                    InvalidDIDLogError(
                        f"log entry {position}: an entry must be a JSON object.",
                        code="invalidLogEntry",
                        entry=position,
                    ),
                )
            )
            continue
        if id(entry) in seen:
            continue  # the same object again: the cheapest duplicate
        seen.add(id(entry))
        canonical = _canonical(entry)
        if canonical is not None:
            digest = entry_digest(entry, canonical)
            if digest in by_digest:
                continue
            by_digest[digest] = len(nodes)
        nodes.append(_Node(entry, position, canonical))
    for index, node in enumerate(nodes[1:], start=1):
        parent = by_digest.get(_decoded(node.entry.get("previous")), -1)
        if parent < 0 or parent == index:
            number = _number(node.entry, node.position)
            error = InvalidDIDLogError(
                f"log entry {number}: it does not follow any entry of the log.",
                code="invalidLogHash",
                entry=number,
            )
            strays.append((node.position, error))
            continue
        node.parent = parent
        nodes[parent].children.append(index)
    branches = sum(1 for node in nodes if not node.children)
    if branches > MAX_LOG_BRANCHES:
        raise LogTooLargeError(
            f"the log forks into more than {MAX_LOG_BRANCHES} branches ({branches})."
        )
    strays.sort(key=lambda stray: stray[0])
    return nodes, [error for _, error in strays]


def _decoded(value: JsonValue) -> bytes:
    if not isinstance(value, str):
        return b""
    try:
        return decode_multibase(value)
    except SSIError:
        return b""


def _validate_tree(
    entries: Sequence[JsonValue], did: str, now: datetime | None, skew: timedelta
) -> AgoraLog:
    """Validate a forked log, each distinct entry once, after the entry it
    follows (depth first, in log order); the work is linear in the entries.

    Raises:
        InvalidDIDLogError, LogTooLargeError: as :func:`_tree` and
            :func:`validate_log`, for the first broken entry.
        DuplicityError: two valid entries follow the same entry.
    """
    nodes, strays = _tree(entries)
    rules = _rules(did, now, skew)
    compromised: Counter[str] = Counter()
    path: list[LogState] = []
    derived = ""
    states: dict[int, LogState] = {}
    stack: list[tuple[int, bool]] = [(0, True)]
    while stack:
        index, entering = stack.pop()
        node = nodes[index]
        if not entering:
            path.pop()
            for multikey in node.marked:
                compromised[multikey] -= 1
                if compromised[multikey] <= 0:
                    del compromised[multikey]
            continue
        state, marked, created = _check_entry(
            node.entry,
            len(path) + 1,
            path[-1] if path else None,
            compromised,
            rules,
            node.canonical,
        )
        derived = created or derived
        states[index] = state
        node.marked = marked
        compromised.update(marked)
        path.append(state)
        stack.append((index, False))
        stack.extend((child, True) for child in reversed(node.children))
    if strays:
        raise strays[0]
    if len(states) != len(nodes):  # a cycle of hashes; cannot happen with SHA-256
        raise InvalidDIDLogError(
            "the log's entries do not form one history.", code="invalidLogHash"
        )
    forks = [i for i, n in enumerate(nodes) if len(n.children) > 1]
    if forks:
        fork = min(forks, key=lambda i: states[i].version)
        first, second = (states[c] for c in nodes[fork].children[:2])
        raise DuplicityError(
            f"log entry {first.version}: two valid entries claim the same "
            "predecessor; the DID's history has forked.",
            entry=first.version,
            evidence=[first.entry, second.entry],
        )
    index = next(i for i, n in enumerate(nodes) if not n.children)
    history: list[LogState] = []
    marks: set[str] = set()
    while index >= 0:
        history.append(states[index])
        marks.update(nodes[index].marked)
        index = nodes[index].parent
    return AgoraLog(derived, tuple(reversed(history)), frozenset(marks))


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
        LogTooLargeError: a log is over the limits (docs/did-agora.md 5.1.1).
        DuplicityError: two valid logs, or two branches of one log, fork; both
            entries are the evidence.
    """
    validated: list[AgoraLog] = []
    forked: DuplicityError | None = None
    for log in logs:
        try:
            validated.append(_validate(log, did, now, skew))
        except DuplicityError as exc:
            forked = forked or exc  # every log is validated first
    if forked is not None:
        raise forked
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
    """The log holds every version: proofs are checked as of their time."""
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
        # A module-level function, not a lambda: the method is pickled when
        # a verifier is shipped to worker processes.
        self._clock = clock or _system_now
        self._skew = skew

    def add_source(self, source: LogSource) -> None:
        """Look for logs in ``source`` too."""
        self.sources.append(source)

    def resolve(self, did: DID, options: Mapping[str, JsonValue]) -> ResolutionResult:
        """Resolve ``did`` from its logs.

        Raises:
            InvalidDIDError: the identifier is not a did:agora identifier.
            DIDNotFoundError: no log, or no version matches the options.
            InvalidDIDLogError, DuplicityError: the logs are broken or forked
                (a log file that cannot be read is broken).
            LogTooLargeError: a log is over the limits.
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
        state = select_state(log, options)
        return ResolutionResult(
            document_for(text, state),
            {"contentType": DID_JSON},
            state_metadata(log, state),
        )

    @staticmethod
    def _option_logs(value: JsonValue) -> list[Sequence[JsonValue]]:
        if value is None:
            return []
        if isinstance(value, str):
            return [split_lines(value, source="the log option")]
        if isinstance(value, list):
            return [value]
        raise InvalidResolutionOptionsError(
            "the log option must be a list of entries or JSON Lines text."
        )


def _system_now() -> datetime:
    return datetime.now(UTC)


def select_state(log: AgoraLog, options: Mapping[str, JsonValue]) -> LogState:
    """Return the state of a validated log that resolution options select:
    ``versionId``, ``versionTime`` (the latest state at or before it), or the
    latest.

    Spec: docs/did-agora.md (Read), https://www.w3.org/TR/did-resolution/#did-parameters

    Raises:
        InvalidResolutionOptionsError: both options, or a malformed value.
        DIDNotFoundError: no such version, or the DID did not exist yet.
    """
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


def state_metadata(log: AgoraLog, state: LogState) -> JsonObject:
    """Return the DID document metadata of a state of a validated log
    (versions, times, deactivation, compromised keys).

    Spec: docs/did-agora.md (Read), https://www.w3.org/TR/did-resolution/#did-document-metadata
    """
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
