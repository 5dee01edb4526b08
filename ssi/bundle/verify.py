"""Verify every object of a bundle, offline, in two streamed passes.

The first pass reads the dependency lines (did:agora logs, status lists,
memberships) into memory and skips the rest; the second reads the objects
and blobs in chunks and verifies each chunk, in this process or on an
executor's workers, with a :class:`~ssi.credentials.Verifier` that resolves
did:agora DIDs from the bundle's logs only and checks status against the
bundle's status lists only (plus what the caller adds). Memory grows with the
dependencies, not with the number of objects; a stream that cannot seek
(standard input) is spooled to a temporary file first.

Every object gets one :class:`ItemResult`: its line, CID, types, author, and
whether it verified or its problems. A bad line (not JSON, too long, an
unknown kind) gets a result too, and never stops the others.

Spec: docs/bundles.md (Verifying)
"""

from __future__ import annotations

import hashlib
import pickle
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import TracebackType
from typing import IO, Final

from ssi.agora import LogSource
from ssi.bundle.format import (
    DEPENDENCY_KINDS,
    MAX_DEPENDENCY_BYTES,
    MAX_DEPENDENCY_ITEMS,
    OBJECT_KINDS,
    BundleSource,
    Line,
    check_blob,
    check_item,
    open_bundle,
    parse_line,
    quick_kind,
    read_header,
    read_lines,
)
from ssi.bundle.logs import BundleLogMethod, MemoryLogSource
from ssi.bundle.objects import author_of, community_of, types_of
from ssi.cid import object_cid
from ssi.credentials import Problem, VerificationReport, Verifier
from ssi.credentials.verifier import system_clock
from ssi.credentials.workers import DescriptionTable
from ssi.datetimes import parse_date_time
from ssi.did.methods import JWKMethod, KeyMethod
from ssi.did.resolution import MethodRegistry, Resolver
from ssi.errors import (
    BundleError,
    BundleItemError,
    BundleTooLargeError,
    CredentialRevokedError,
    CredentialSuspendedError,
    MembershipInvalidError,
    MembershipMissingError,
    MembershipRevokedError,
    SSIError,
)
from ssi.jsonld.loader import DocumentLoader
from ssi.proofs import DEFAULT_SKEW, SuiteRegistry
from ssi.social import read_membership
from ssi.status import BitstringStatusChecker, MemoryStatusSource
from ssi.types import JsonObject

__all__ = ["DEFAULT_CHUNK_SIZE", "BundleVerification", "ItemResult", "verify_bundle"]

DEFAULT_CHUNK_SIZE: Final = 256
"""Object lines verified per task (per worker task with an executor)."""

_PENDING_PER_CALL: Final = 8
"""Chunks in flight on an executor at once (results stay in line order)."""

_WORKER_CONTEXTS_MAX: Final = 4
_SHOWN: Final = 120


@dataclass(frozen=True, slots=True)
class ItemResult:
    """The outcome for one line of a bundle: an object, a blob, or a bad line.

    Attributes:
        line: the line number (from 1).
        kind: ``credential``, ``presentation``, ``blob``; for a line that
            could not be used, its kind when it could be read, else
            ``unknown``.
        cid: the object's CID (a blob's raw CID); None when unknown.
        types: the object's types besides VerifiableCredential/Presentation.
        author: the issuer (the holder of a presentation), when known.
        verified: true only when every check passed and nothing is wrong.
        problems: what is wrong, each with the check it failed and a code.
        warnings: what does not fail verification (a key rotated since).
    """

    line: int
    kind: str
    cid: str | None
    types: tuple[str, ...]
    author: str | None
    verified: bool
    problems: tuple[Problem, ...] = ()
    warnings: tuple[str, ...] = ()

    def to_json(self) -> JsonObject:
        """Return the result as JSON (problems with their precise codes)."""
        return {
            "line": self.line,
            "kind": self.kind,
            "cid": self.cid,
            "types": list(self.types),
            "author": self.author,
            "verified": self.verified,
            "problems": [
                {
                    "check": problem.check,
                    "code": problem.error.code,
                    "type": problem.error.type_uri,
                    "detail": problem.detail,
                }
                for problem in self.problems
            ],
            "warnings": list(self.warnings),
        }


def _failed_line(number: int, kind: str, error: SSIError) -> ItemResult:
    return ItemResult(number, kind, None, (), None, False, (Problem("line", error),))


# --- The first pass: dependencies -----------------------------------------------


@dataclass(slots=True)
class _Dependencies:
    """What the first pass keeps: the dependencies and the bad lines."""

    logs: MemoryLogSource = field(default_factory=MemoryLogSource)
    lists: dict[str, tuple[datetime | None, int, JsonObject]] = field(
        default_factory=dict
    )
    memberships: list[tuple[int, JsonObject]] = field(default_factory=list)
    lines: set[int] = field(default_factory=set)
    bad: dict[int, ItemResult] = field(default_factory=dict)
    count: int = 0
    size: int = 0

    def admit(self, line: Line) -> None:
        self.count += 1
        self.size += len(line.data)
        if self.count > MAX_DEPENDENCY_ITEMS:
            raise BundleTooLargeError(
                f"the bundle holds more than {MAX_DEPENDENCY_ITEMS} dependency "
                f"items (line {line.number}).",
                line=line.number,
            )
        if self.size > MAX_DEPENDENCY_BYTES:
            raise BundleTooLargeError(
                f"the bundle's dependency items are larger than "
                f"{MAX_DEPENDENCY_BYTES} bytes (line {line.number}).",
                line=line.number,
            )

    def add_list(self, credential: JsonObject, number: int) -> None:
        """Keep, for each URL, the list valid from the latest time (a later
        line wins a tie)."""
        url = str(credential["id"])
        since = _valid_from(credential)
        known = self.lists.get(url)
        if known is None or _newer(since, known[0]):
            self.lists[url] = (since, number, credential)


def _valid_from(credential: JsonObject) -> datetime | None:
    try:
        return parse_date_time(
            credential.get("validFrom"), require_timezone=True, path="validFrom"
        )
    except (SSIError, TypeError, ValueError):
        return None


def _newer(candidate: datetime | None, known: datetime | None) -> bool:
    if candidate is None:
        return known is None
    return known is None or candidate >= known


def _first_pass(lines: Iterator[Line]) -> _Dependencies:
    found = _Dependencies()
    for line in lines:
        quick = quick_kind(line.data)
        if quick in OBJECT_KINDS or quick == "blob":
            continue
        try:
            item = parse_line(line)
        except BundleError as exc:
            found.admit(line)
            found.bad[line.number] = _failed_line(line.number, quick or "unknown", exc)
            continue
        kind = str(item["kind"])
        if kind not in DEPENDENCY_KINDS and kind != "header":
            continue
        found.admit(line)
        found.lines.add(line.number)
        try:
            if kind == "header":
                raise BundleItemError(
                    f"line {line.number} is a second header.", line=line.number
                )
            check_item(kind, item, line.number)
        except BundleError as exc:
            found.bad[line.number] = _failed_line(line.number, kind, exc)
            continue
        if kind == "didLog":
            entries = item["entries"]
            assert isinstance(entries, list)  # noqa: S101 - check_item made sure
            found.logs.add(str(item["did"]), entries)
        elif kind == "statusList":
            found.add_list(item["credential"], line.number)
        else:
            found.memberships.append((line.number, item["credential"]))
    return found


# --- Verifying chunks ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Context:
    """Everything a worker needs to verify object lines: the verifier and
    the membership verdicts (None for a valid membership)."""

    verifier: Verifier
    memberships: dict[tuple[str, str], SSIError | None]

    def verify_lines(self, lines: Sequence[Line]) -> list[ItemResult]:
        results: list[ItemResult | None] = [None] * len(lines)
        credentials: list[tuple[int, JsonObject]] = []
        presentations: list[tuple[int, JsonObject]] = []
        for index, line in enumerate(lines):
            kind = quick_kind(line.data) or "unknown"
            try:
                item = parse_line(line)
                kind = str(item["kind"])
                if kind == "blob":
                    cid, _ = check_blob(item, line.number)
                    results[index] = ItemResult(
                        line.number, "blob", cid, (), None, True
                    )
                    continue
                if kind not in OBJECT_KINDS:
                    raise BundleItemError(
                        f"line {line.number} ({kind}) is not an object.",
                        line=line.number,
                    )
                check_item(kind, item, line.number)
            except BundleError as exc:
                results[index] = _failed_line(line.number, kind, exc)
                continue
            document = item[kind]
            assert isinstance(document, dict)  # noqa: S101 - check_item made sure
            if kind == "credential":
                credentials.append((index, document))
            else:
                presentations.append((index, document))
        reports = self.verifier.verify_many([d for _, d in credentials])
        for (index, document), report in zip(credentials, reports, strict=True):
            results[index] = self._result(lines[index], "credential", document, report)
        for index, document in presentations:
            report = self.verifier.verify_presentation(
                document, challenge=False, domain=False
            )
            results[index] = self._result(
                lines[index], "presentation", document, report
            )
        return [r for r in results if r is not None]

    def _result(
        self, line: Line, kind: str, document: JsonObject, report: VerificationReport
    ) -> ItemResult:
        problems = list(report.all_problems())
        author = author_of(document)
        try:
            cid: str | None = object_cid(document)
        except SSIError as exc:
            cid = None
            problems.append(Problem("cid", exc))
        community = community_of(document)
        if community is not None:
            verdict = self._membership(community, author)
            if verdict is not None:
                problems.append(Problem("community", verdict))
        return ItemResult(
            line.number,
            kind,
            cid,
            types_of(document),
            author,
            report.verified and not problems,
            tuple(problems),
            report.warnings,
        )

    def _membership(self, community: str, author: str | None) -> SSIError | None:
        key = (community, author or "")
        if key not in self.memberships:
            return MembershipMissingError(
                f"the bundle holds no MembershipCredential of {_cut(community)} "
                f"for the author {_cut(author or '(none)')}."
            )
        return self.memberships[key]


def _cut(text: str) -> str:
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


_workers = DescriptionTable(_Context, _WORKER_CONTEXTS_MAX)


def _worker_context(key: str, blob: bytes) -> _Context:
    return _workers.get(key, blob)


def verify_lines_task(key: str, blob: bytes, lines: Sequence[Line]) -> list[ItemResult]:
    """Verify a chunk of object lines in a worker: the task shipped to an
    executor by :func:`verify_bundle`.

    Raises:
        TypeError: ``blob`` is not the description of a bundle verification.
    """
    return _worker_context(key, blob).verify_lines(lines)


# --- Memberships -----------------------------------------------------------------


def _membership_verdicts(
    memberships: list[tuple[int, JsonObject]],
    verifier: Verifier,
    executor: Executor | None,
) -> dict[tuple[str, str], SSIError | None]:
    """Verify every membership credential once; for each (community, member),
    None when one of theirs verifies, else why none does."""
    readable: list[tuple[tuple[str, str], JsonObject]] = []
    verdicts: dict[tuple[str, str], SSIError | None] = {}
    for _, credential in memberships:
        try:
            membership = read_membership(credential)
        except SSIError as exc:
            key = _membership_key(credential)
            if key is not None and key not in verdicts:
                verdicts[key] = MembershipInvalidError(
                    f"the MembershipCredential of {_cut(key[0])} for "
                    f"{_cut(key[1])} is not a membership: {exc.detail}"
                )
            continue
        readable.append(((membership.community, membership.member), credential))
    reports = verifier.verify_many([c for _, c in readable], executor=executor)
    for (key, _), report in zip(readable, reports, strict=True):
        if report.verified:
            verdicts[key] = None
            continue
        if key in verdicts and (
            verdicts[key] is None or isinstance(verdicts[key], MembershipRevokedError)
        ):
            continue
        verdicts[key] = _why_not(key, report)
    return verdicts


def _membership_key(credential: JsonObject) -> tuple[str, str] | None:
    issuer = author_of(credential)
    subject = credential.get("credentialSubject")
    member = subject.get("id") if isinstance(subject, dict) else None
    if isinstance(issuer, str) and isinstance(member, str):
        return issuer, member
    return None


def _why_not(key: tuple[str, str], report: VerificationReport) -> SSIError:
    community, member = (_cut(part) for part in key)
    problems = report.all_problems()
    for problem in problems:
        if isinstance(problem.error, CredentialRevokedError | CredentialSuspendedError):
            state = (
                "revoked"
                if isinstance(problem.error, CredentialRevokedError)
                else "suspended"
            )
            return MembershipRevokedError(
                f"the author's membership of {community} is {state}: {problem.detail}"
            )
    reason = problems[0].detail if problems else "a check did not pass."
    return MembershipInvalidError(
        f"the MembershipCredential of {community} for {member} does not verify: "
        f"{reason}"
    )


# --- The whole verification ----------------------------------------------------------


class BundleVerification:
    """The results of :func:`verify_bundle`, one per object, blob or bad line,
    in line order, computed as they are iterated (once).

    Attributes:
        header: the bundle's header.
        dids: the DIDs whose did:agora logs the bundle holds.
        status_lists: the status list URLs it holds.
        memberships: how many membership credentials it holds.

    Use it as a context manager (or call :meth:`close`) to release the file
    when not iterating to the end.
    """

    def __init__(
        self,
        handle: IO[bytes],
        owned: bool,
        start: int,
        header: JsonObject,
        found: _Dependencies,
        runner: _Runner,
        chunk_size: int,
    ) -> None:
        self.header = header
        self.dids: tuple[str, ...] = tuple(found.logs.dids())
        self.status_lists: tuple[str, ...] = tuple(found.lists)
        self.memberships = len(found.memberships)
        self._handle = handle
        self._owned = owned
        self._start = start
        self._found = found
        self._runner = runner
        self._chunk_size = chunk_size
        self._iterator: Iterator[ItemResult] | None = None

    @property
    def verifier(self) -> Verifier:
        """The verifier the bundle's objects are verified with: DIDs resolve
        from the bundle's logs (and the caller's), status from its lists."""
        return self._runner.context.verifier

    def __iter__(self) -> Iterator[ItemResult]:
        if self._iterator is None:
            self._iterator = self._results()
        return self._iterator

    def close(self) -> None:
        """Release the bundle's file (a spooled copy is deleted)."""
        if self._owned:
            self._handle.close()

    def __enter__(self) -> BundleVerification:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _results(self) -> Iterator[ItemResult]:
        try:
            yield from self._second_pass()
        finally:
            self.close()

    def _second_pass(self) -> Iterator[ItemResult]:
        """Read the object lines in chunks and yield their results in line
        order, with at most a few chunks read ahead (one without an
        executor), so memory does not grow with the number of objects."""
        self._handle.seek(self._start)
        found = self._found
        runner = self._runner
        ahead = 1 if runner.executor is None else _PENDING_PER_CALL
        queue: deque[ItemResult | _Pending] = deque()
        chunks = 0
        chunk: list[Line] = []
        for line in _after_header(read_lines(self._handle)):
            if line.number in found.bad:
                if chunk:
                    queue.append(runner.submit(chunk))
                    chunks += 1
                    chunk = []
                queue.append(found.bad[line.number])
            elif line.number not in found.lines:
                chunk.append(line)
                if len(chunk) >= self._chunk_size:
                    queue.append(runner.submit(chunk))
                    chunks += 1
                    chunk = []
            while queue and (chunks >= ahead or isinstance(queue[0], ItemResult)):
                if isinstance(queue[0], _Pending):
                    chunks -= 1
                yield from _drain_one(queue, runner)
        if chunk:
            queue.append(runner.submit(chunk))
        while queue:
            yield from _drain_one(queue, runner)


@dataclass(slots=True)
class _Pending:
    lines: list[Line]
    future: Future[list[ItemResult]] | None


class _Runner:
    """Runs chunks here, or on an executor (a chunk it fails to run is
    verified here instead, so every line gets its result)."""

    def __init__(self, context: _Context, executor: Executor | None) -> None:
        self.context = context
        self.executor = executor
        self._description: tuple[str, bytes] | None = None
        if executor is not None:
            try:
                blob = pickle.dumps(context, protocol=pickle.HIGHEST_PROTOCOL)
            except (pickle.PicklingError, TypeError, AttributeError) as exc:
                raise TypeError(
                    "this bundle verification cannot be shipped to worker "
                    f"processes: something it holds does not pickle ({exc})"
                ) from exc
            self._description = (hashlib.sha256(blob).hexdigest(), blob)

    def submit(self, lines: list[Line]) -> _Pending:
        if self.executor is None or self._description is None:
            return _Pending(lines, None)
        key, blob = self._description
        try:
            future = self.executor.submit(verify_lines_task, key, blob, lines)
        except Exception:  # the executor refused: verify here
            return _Pending(lines, None)
        return _Pending(lines, future)

    def collect(self, pending: _Pending) -> list[ItemResult]:
        if pending.future is not None:
            try:
                results = pending.future.result()
            except Exception:  # the chunk did not run; its lines still get answers
                results = None
            if (
                isinstance(results, list)
                and len(results) == len(pending.lines)
                and all(isinstance(r, ItemResult) for r in results)
            ):
                return results
        return self.context.verify_lines(pending.lines)


def _drain_one(
    queue: deque[ItemResult | _Pending], runner: _Runner
) -> Iterator[ItemResult]:
    head = queue.popleft()
    if isinstance(head, ItemResult):
        yield head
    else:
        yield from runner.collect(head)


def _status_source(
    found: _Dependencies, extra_status_lists: Iterable[JsonObject]
) -> MemoryStatusSource:
    for credential in extra_status_lists:
        if isinstance(credential, dict) and isinstance(credential.get("id"), str):
            found.add_list(credential, 1 << 62)
    return MemoryStatusSource({url: doc for url, (_, _, doc) in found.lists.items()})


def verify_bundle(
    source: BundleSource,
    *,
    clock: Callable[[], datetime] = system_clock,
    skew: timedelta = DEFAULT_SKEW,
    suites: SuiteRegistry | None = None,
    loader: DocumentLoader | None = None,
    list_issuers: Collection[str] = frozenset(),
    executor: Executor | None = None,
    extra_logs: Iterable[LogSource] = (),
    extra_status_lists: Iterable[JsonObject] = (),
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> BundleVerification:
    """Verify every object of a bundle using only the bundle (and the extras).

    The header and the dependencies are read at once (a bundle that cannot be
    read raises here); the objects are verified as the result is iterated.
    did:agora DIDs resolve from the bundle's logs (and ``extra_logs``);
    ``credentialStatus`` is checked against the bundle's status lists (and
    ``extra_status_lists``; for one URL the list valid from the latest time is
    used); an object whose ``credentialSubject`` names a ``community``
    verifies only if the bundle holds a valid, unrevoked
    ``MembershipCredential`` of that community for its author. Presentations
    are verified without a challenge or a domain (a warning says so).

    Args:
        source: a path, or a binary stream (spooled when it cannot seek).
        clock: the time validity is checked against (picklable for executors).
        skew: tolerance for clock differences.
        suites: the cryptosuites accepted (default: all shipped).
        loader: the JSON-LD document loader (default: bundled contexts).
        list_issuers: issuers trusted to publish status lists for anyone.
        executor: verify chunks on its workers (a ``ProcessPoolExecutor``,
            Dask's ``Client.get_executor()``); None: in this process.
        extra_logs: more did:agora log sources (they must pickle to be used
            with an executor).
        extra_status_lists: more status list credentials, by their ``id``.
        chunk_size: object lines per chunk.

    Spec: docs/bundles.md (Verifying)

    Returns:
        The results, to iterate once, in line order.

    Raises:
        BundleError: the bundle cannot be read.
        BundleHeaderError, UnsupportedBundleVersionError: no usable header.
        BundleTooLargeError: more dependencies than a reader keeps.
        TypeError: an executor is given and something does not pickle.
        ValueError: ``chunk_size`` is less than 1.
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    handle, owned = open_bundle(source)
    try:
        start = handle.tell()
        header = read_header(read_lines(handle))
        handle.seek(start)
        found = _first_pass(_after_header(read_lines(handle)))
        logs = BundleLogMethod([found.logs, *extra_logs], clock=clock, skew=skew)
        resolver = Resolver(MethodRegistry([KeyMethod(), JWKMethod(), logs]))
        verifier = Verifier(
            resolver=resolver,
            status=BitstringStatusChecker(_status_source(found, extra_status_lists)),
            loader=loader,
            registry=suites,
            clock=clock,
            skew=skew,
            list_issuers=list_issuers,
        )
        verdicts = _membership_verdicts(found.memberships, verifier, executor)
        # The executor's description is made now, so a verification that does
        # not pickle fails here rather than on the first result.
        runner = _Runner(_Context(verifier, verdicts), executor)
        verification = BundleVerification(
            handle, owned, start, header, found, runner, chunk_size
        )
    except BaseException:
        if owned:
            handle.close()
        raise
    return verification


def _after_header(lines: Iterator[Line]) -> Iterator[Line]:
    next(lines, None)
    return lines
