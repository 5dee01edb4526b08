"""Merge bundles: every item once, and one did:agora log per DID.

Items are deduplicated by CID (objects, status lists and memberships by the
CID of their credential, blobs by their raw CID). The logs of one DID are
joined into one log of their distinct entries (copies count once, by entry
hash), which is then validated as a resolver would read it: when two valid
entries claim the same predecessor, that is duplicity, and the merge reports
it with both entries as evidence. It does not choose: the merged log keeps
both branches, so every verifier of the merged bundle sees the fork too.

Lines that cannot be used (not JSON, unknown kinds, a blob that does not
match its CID) are left out and reported.

Spec: docs/bundles.md (Merging)
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO

from ssi.agora import validate_entries
from ssi.bundle.format import (
    DEPENDENCY_KINDS,
    MAX_DEPENDENCY_BYTES,
    MAX_DEPENDENCY_ITEMS,
    OBJECT_KINDS,
    BundleSource,
    Line,
    check_blob,
    check_item,
    encode_line,
    open_bundle,
    parse_line,
    quick_kind,
    read_header,
    read_lines,
)
from ssi.bundle.pack import BundleWriter
from ssi.cid import object_cid
from ssi.errors import (
    BundleError,
    BundleItemError,
    BundleTooLargeError,
    DuplicityError,
    InvalidDIDLogError,
    SSIError,
)
from ssi.jsonld.canon import canonicalize_jcs
from ssi.types import JsonObject, JsonValue

__all__ = ["MergeProblem", "MergeReport", "merge"]


@dataclass(frozen=True, slots=True)
class MergeProblem:
    """A line left out of the merge, or a log that does not validate.

    Attributes:
        bundle: the index of the bundle in the arguments (from 0).
        line: its line number, or None for a merged log.
        error: what is wrong (``error.code`` is precise); a
            :class:`~ssi.errors.DuplicityError` carries both entries in
            ``error.metadata["duplicity"]``.
    """

    bundle: int | None
    line: int | None
    error: SSIError

    def to_json(self) -> JsonObject:
        """Return the problem as JSON (with the duplicity evidence, if any)."""
        body: JsonObject = {
            "bundle": self.bundle,
            "line": self.line,
            "code": self.error.code,
            "detail": self.error.detail,
        }
        if isinstance(self.error, DuplicityError):
            evidence = self.error.metadata.get("duplicity")
            body["evidence"] = evidence
        return body


@dataclass(frozen=True, slots=True)
class MergeReport:
    """What :func:`merge` wrote, left out and found.

    Attributes:
        objects: distinct objects written.
        logs: DIDs whose (merged) log was written.
        status_lists: distinct status list credentials written.
        memberships: distinct membership credentials written.
        blobs: distinct blobs written.
        duplicates: items left out because an equal one was written.
        duplicity: one DuplicityError per forked DID, with the evidence.
        problems: lines left out, and merged logs that do not validate.
    """

    objects: int
    logs: int
    status_lists: int
    memberships: int
    blobs: int
    duplicates: int
    duplicity: tuple[DuplicityError, ...]
    problems: tuple[MergeProblem, ...]

    def to_json(self) -> JsonObject:
        """Return the report as JSON."""
        return {
            "objects": self.objects,
            "logs": self.logs,
            "statusLists": self.status_lists,
            "memberships": self.memberships,
            "blobs": self.blobs,
            "duplicates": self.duplicates,
            "duplicity": [
                MergeProblem(None, None, error).to_json() for error in self.duplicity
            ],
            "problems": [problem.to_json() for problem in self.problems],
        }


@dataclass(slots=True)
class _Entries:
    """The distinct entries of one DID's logs, in the order first seen."""

    entries: list[JsonValue] = field(default_factory=list)
    seen: set[bytes] = field(default_factory=set)

    def add(self, entries: list[JsonValue]) -> None:
        for entry in entries:
            try:
                digest = hashlib.sha256(canonicalize_jcs(entry)).digest()
            except SSIError:
                digest = hashlib.sha256(repr(entry).encode()).digest()
            if digest not in self.seen:
                self.seen.add(digest)
                self.entries.append(entry)

    def ordered(self) -> list[JsonValue]:
        """The first entry first, then by version (ties in the order seen)."""
        head, rest = self.entries[:1], self.entries[1:]

        def version(entry: JsonValue) -> int:
            value = entry.get("version") if isinstance(entry, dict) else None
            return value if type(value) is int else 1 << 62

        return head + sorted(rest, key=version)


@dataclass(slots=True)
class _Merged:
    logs: dict[str, _Entries] = field(default_factory=dict)
    credentials: dict[str, dict[str, JsonObject]] = field(
        default_factory=lambda: {"statusList": {}, "membership": {}}
    )
    problems: list[MergeProblem] = field(default_factory=list)
    lines: list[set[int]] = field(default_factory=list)
    duplicates: int = 0
    count: int = 0
    size: int = 0


def _collect(index: int, handle: IO[bytes], merged: _Merged) -> None:
    """The first pass over one bundle: its dependencies."""
    dependency_lines: set[int] = set()
    merged.lines.append(dependency_lines)
    lines = read_lines(handle)
    read_header(lines)
    for line in lines:
        quick = quick_kind(line.data)
        if quick in OBJECT_KINDS or quick == "blob":
            continue
        merged.count += 1
        merged.size += len(line.data)
        if merged.count > MAX_DEPENDENCY_ITEMS or merged.size > MAX_DEPENDENCY_BYTES:
            raise BundleTooLargeError(
                f"the bundles hold more dependency items than a merge keeps "
                f"(bundle {index}, line {line.number}).",
                line=line.number,
            )
        try:
            item = parse_line(line)
            kind = str(item["kind"])
            if kind not in DEPENDENCY_KINDS:
                if kind == "header":
                    raise BundleItemError(
                        f"line {line.number} is a second header.", line=line.number
                    )
                continue
            check_item(kind, item, line.number)
        except BundleError as exc:
            dependency_lines.add(line.number)
            merged.problems.append(MergeProblem(index, line.number, exc))
            continue
        dependency_lines.add(line.number)
        if kind == "didLog":
            entries = item["entries"]
            assert isinstance(entries, list)  # noqa: S101 - check_item made sure
            merged.logs.setdefault(str(item["did"]), _Entries()).add(entries)
            continue
        credential = item["credential"]
        assert isinstance(credential, dict)  # noqa: S101 - check_item made sure
        try:
            cid = object_cid(credential)
        except SSIError as exc:
            merged.problems.append(MergeProblem(index, line.number, exc))
            continue
        table = merged.credentials[kind]
        if cid in table:
            merged.duplicates += 1
        else:
            table[cid] = credential


def _stream_items(
    index: int,
    handle: IO[bytes],
    skip: set[int],
    writer: BundleWriter,
    seen: set[bytes],
    counts: dict[str, int],
    problems: list[MergeProblem],
) -> None:
    """The second pass over one bundle: its blobs and objects, once each."""
    lines = read_lines(handle)
    next(lines, None)
    for line in lines:
        if line.number in skip:
            continue
        _stream_line(index, line, writer, seen, counts, problems)


def _stream_line(
    index: int,
    line: Line,
    writer: BundleWriter,
    seen: set[bytes],
    counts: dict[str, int],
    problems: list[MergeProblem],
) -> None:
    try:
        item = parse_line(line)
        kind = str(item["kind"])
        if kind == "blob":
            cid, _ = check_blob(item, line.number)
            key = cid.encode()
            document: JsonObject | None = None
        else:
            check_item(kind, item, line.number)
            value = item[kind]
            assert isinstance(value, dict)  # noqa: S101 - check_item made sure
            document = value
            key = object_cid(document).encode()
    except SSIError as exc:
        problems.append(MergeProblem(index, line.number, exc))
        return
    digest = hashlib.sha256(key).digest()
    if digest in seen:
        counts["duplicates"] += 1
        return
    seen.add(digest)
    if document is None:
        members = {k: v for k, v in item.items() if k != "kind"}
        writer.raw(encode_line("blob", members))
        counts["blobs"] += 1
    else:
        writer.object(document)
        counts["objects"] += 1


def merge(sources: Sequence[BundleSource], out: IO[bytes]) -> MergeReport:
    """Merge bundles into one, written to ``out``: header, dependencies,
    blobs and objects, each item once.

    Args:
        sources: the bundles (paths or binary streams; streams that cannot
            seek are spooled to temporary files).
        out: the binary stream the merged bundle is written to.

    Spec: docs/bundles.md (Merging)

    Returns:
        What was written, left out, and found (duplicity with evidence).

    Raises:
        BundleError: a bundle cannot be read.
        BundleHeaderError, UnsupportedBundleVersionError: a bundle has no
            usable header.
        BundleTooLargeError: more dependencies than a merge keeps in memory.
    """
    handles: list[tuple[IO[bytes], bool, int]] = []
    try:
        for source in sources:
            handle, owned = open_bundle(source)
            handles.append((handle, owned, handle.tell()))
        merged = _Merged()
        for index, (handle, _, start) in enumerate(handles):
            _collect(index, handle, merged)
            handle.seek(start)
        writer = BundleWriter(out)
        duplicity: list[DuplicityError] = []
        for did, collected in merged.logs.items():
            entries = collected.ordered()
            try:
                validate_entries(entries, did=did)
            except DuplicityError as exc:
                duplicity.append(exc)
            except InvalidDIDLogError as exc:
                merged.problems.append(MergeProblem(None, None, exc))
            writer.log(did, entries)
        for credential in merged.credentials["statusList"].values():
            writer.status_list(credential)
        for credential in merged.credentials["membership"].values():
            writer.membership(credential)
        seen: set[bytes] = set()
        counts = {"objects": 0, "blobs": 0, "duplicates": merged.duplicates}
        for index, (handle, _, _) in enumerate(handles):
            _stream_items(
                index,
                handle,
                merged.lines[index],
                writer,
                seen,
                counts,
                merged.problems,
            )
    finally:
        for handle, owned, _ in handles:
            if owned:
                handle.close()
    return MergeReport(
        objects=counts["objects"],
        logs=len(merged.logs),
        status_lists=len(merged.credentials["statusList"]),
        memberships=len(merged.credentials["membership"]),
        blobs=counts["blobs"],
        duplicates=counts["duplicates"],
        duplicity=tuple(duplicity),
        problems=tuple(sorted(merged.problems, key=_order)),
    )


def _order(problem: MergeProblem) -> tuple[int, int]:
    return (
        -1 if problem.bundle is None else problem.bundle,
        problem.line or 0,
    )
