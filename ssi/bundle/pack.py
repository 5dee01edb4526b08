"""Write bundles: objects, and everything a verifier needs to check them.

:func:`pack` reads the objects once, spooling them to a temporary file while
it works out their dependencies: the did:agora logs of every signer (of the
objects, of the credentials a presentation holds, of the memberships and of
the status lists it adds), the status list credentials that the
``credentialStatus`` entries name, and, for each object whose
``credentialSubject`` names a ``community``, the author's
``MembershipCredential`` issued by that community. It then writes the
header, the dependencies, the blobs and the objects, in that order.

Spec: docs/bundles.md (Packing)
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Final

from ssi.agora import LogSource
from ssi.bundle.format import blob_line, encode_line, header_line, object_line
from ssi.bundle.objects import (
    author_of,
    community_of,
    signer_dids,
    status_urls,
    types_of,
)
from ssi.cid import object_cid
from ssi.errors import (
    BundleItemError,
    MissingDependencyError,
    SSIError,
)
from ssi.jsonld.canon import canonicalize_jcs
from ssi.social import read_membership
from ssi.status import StatusSource
from ssi.types import JsonObject, JsonValue

__all__ = ["BundleWriter", "PackSummary", "pack"]

_CHUNK: Final = 1024 * 1024
_SHOWN_MISSING: Final = 3
_PROPOSAL: Final = "Proposal"


class BundleWriter:
    """Write the lines of a bundle to a binary stream, header first.

    The caller decides the order; :func:`pack` writes dependencies first.

    Args:
        out: where the bundle goes.
    """

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self._out.write(header_line())

    def log(self, did: str, entries: Sequence[JsonValue]) -> None:
        """Write a did:agora log (the whole log, from its first entry).

        Raises:
            BundleLineTooLongError, CanonicalizationError: it cannot be a line.
        """
        self._out.write(encode_line("didLog", {"did": did, "entries": list(entries)}))

    def status_list(self, credential: JsonObject) -> None:
        """Write a status list credential (its ``id`` is its URL).

        Raises:
            BundleItemError: the credential has no ``id``.
            BundleLineTooLongError, CanonicalizationError: it cannot be a line.
        """
        if not isinstance(credential.get("id"), str):
            raise BundleItemError("a status list credential needs its id (its URL).")
        self._out.write(encode_line("statusList", {"credential": credential}))

    def membership(self, credential: JsonObject) -> None:
        """Write a membership credential.

        Raises:
            BundleLineTooLongError, CanonicalizationError: it cannot be a line.
        """
        self._out.write(encode_line("membership", {"credential": credential}))

    def blob(self, data: bytes, media_type: str | None = None) -> None:
        """Write a blob, named by its raw CID.

        Raises:
            BlobTooLargeError: more than ``MAX_BLOB_BYTES`` bytes.
        """
        self._out.write(blob_line(data, media_type))

    def object(self, document: JsonObject) -> None:
        """Write a credential or a presentation.

        Raises:
            BundleLineTooLongError, CanonicalizationError: it cannot be a line.
        """
        self._out.write(object_line(document))

    def raw(self, line: bytes) -> None:
        """Write a line already encoded (with its line break)."""
        self._out.write(line)


@dataclass(frozen=True, slots=True)
class PackSummary:
    """What :func:`pack` wrote, and what it could not find.

    Attributes:
        objects: objects written.
        logs: did:agora logs written (DIDs).
        status_lists: status list credentials written.
        memberships: membership credentials written.
        blobs: blobs written.
        missing: what a verifier will need and the bundle lacks, one
            sentence each (empty unless ``require_complete`` was false).
    """

    objects: int
    logs: int
    status_lists: int
    memberships: int
    blobs: int
    missing: tuple[str, ...] = ()

    def to_json(self) -> JsonObject:
        """Return the summary as JSON."""
        return {
            "objects": self.objects,
            "logs": self.logs,
            "statusLists": self.status_lists,
            "memberships": self.memberships,
            "blobs": self.blobs,
            "missing": list(self.missing),
        }


@dataclass(slots=True)
class _Needs:
    dids: set[str] = field(default_factory=set)
    urls: set[str] = field(default_factory=set)
    members: set[tuple[str, str]] = field(default_factory=set)

    def add(self, document: JsonObject) -> None:
        self.dids |= {d for d in signer_dids(document) if d.startswith("did:agora:")}
        self.urls |= status_urls(document)


def _memberships_by_key(
    memberships: Iterable[JsonObject],
) -> dict[tuple[str, str], list[JsonObject]]:
    found: dict[tuple[str, str], list[JsonObject]] = {}
    for credential in memberships:
        try:
            membership = read_membership(credential)
        except SSIError:
            continue
        found.setdefault((membership.community, membership.member), []).append(
            credential
        )
    return found


def _distinct(logs: Iterable[list[JsonValue]]) -> list[list[JsonValue]]:
    seen: set[bytes] = set()
    kept = []
    for log in logs:
        try:
            digest = canonicalize_jcs(log)
        except SSIError:
            continue
        if digest not in seen:
            seen.add(digest)
            kept.append(log)
    return kept


def pack(
    objects: Iterable[JsonObject],
    out: IO[bytes],
    *,
    logs: LogSource | None = None,
    status_lists: StatusSource | None = None,
    memberships: Iterable[JsonObject] = (),
    blobs: Iterable[tuple[bytes, str | None]] = (),
    status_history: Iterable[JsonObject] = (),
    require_complete: bool = True,
) -> PackSummary:
    """Write a bundle of ``objects`` with what a verifier needs.

    Args:
        objects: the credentials and presentations, as JSON objects.
        out: the binary stream the bundle is written to.
        logs: where did:agora logs are found (``FileLogSource``, the wallet's
            ``WalletLogSource``, a :class:`~ssi.bundle.MemoryLogSource`).
        status_lists: where status list credentials are found, by URL.
        memberships: membership credentials to choose from: those of each
            object's author in the community the object names are written,
            and, with a ``Proposal``, every one of its community (a tally
            judges the whole electorate).
        blobs: ``(bytes, media type)`` pairs to carry (attachments).
        status_history: other versions of status lists to carry as well
            (each a credential with its URL as ``id``): a tally judges status
            as of a proposal's close and a signal's time, not the newest list.
        require_complete: refuse to write when a dependency cannot be found
            (default); if false, write without it and list it in
            ``PackSummary.missing``.

    Spec: docs/bundles.md (Packing)

    Returns:
        What was written.

    Raises:
        MissingDependencyError: a log, status list or membership a verifier
            needs cannot be found (with ``require_complete``); nothing is
            written then.
        BundleItemError: an object is not a JSON object.
        BundleLineTooLongError, BlobTooLargeError, CanonicalizationError: an
            item cannot be written as a line.
    """
    needs = _Needs()
    count = 0
    by_key = _memberships_by_key(memberships)
    chosen: dict[str, JsonObject] = {}
    missing: list[str] = []
    with tempfile.TemporaryFile() as spool:
        for document in objects:
            if not isinstance(document, dict):
                raise BundleItemError(f"object {count + 1} is not a JSON object.")
            spool.write(object_line(document))
            count += 1
            needs.add(document)
            community, author = community_of(document), author_of(document)
            if community is None:
                continue
            if _PROPOSAL in types_of(document):
                # A tally counts the whole electorate: every membership of
                # the community given travels with a proposal.
                for (held_by, _), credentials in by_key.items():
                    if held_by == community:
                        for credential in credentials:
                            chosen.setdefault(object_cid(credential), credential)
            key = (community, author or "")
            if key in needs.members:
                continue
            needs.members.add(key)
            found = by_key.get(key, [])
            if not found:
                missing.append(
                    f"no MembershipCredential of {community[:120]} for "
                    f"{(author or '(no author)')[:120]}."
                )
            for credential in found:
                chosen.setdefault(object_cid(credential), credential)
        for credential in chosen.values():
            needs.add(credential)
        lists: dict[str, JsonObject] = {}
        for url in sorted(needs.urls):
            if status_lists is not None:
                with contextlib.suppress(SSIError):
                    lists[url] = status_lists.get(url)
            if url not in lists:
                missing.append(f"no status list credential {url[:120]}.")
                continue
            needs.add(lists[url])
        found_logs: dict[str, list[list[JsonValue]]] = {}
        for did in sorted(needs.dids):
            try:
                held = _distinct(logs.logs_for(did)) if logs is not None else []
            except SSIError:
                held = []
            if held:
                found_logs[did] = held
            else:
                missing.append(f"no did:agora log for {did}.")
        if missing and require_complete:
            shown = " ".join(missing[:_SHOWN_MISSING])
            more = len(missing) - _SHOWN_MISSING
            raise MissingDependencyError(
                f"the bundle would lack what verifies its objects: {shown}"
                + (f" ({more} more)" if more > 0 else "")
            )
        writer = BundleWriter(out)
        for did, held_logs in found_logs.items():
            for entries in held_logs:
                writer.log(did, entries)
        written: set[str] = set()
        for credential in (*lists.values(), *status_history):
            cid = object_cid(credential)
            if cid not in written:
                written.add(cid)
                writer.status_list(credential)
        for credential in chosen.values():
            writer.membership(credential)
        blob_count = 0
        for data, media_type in blobs:
            writer.blob(data, media_type)
            blob_count += 1
        spool.seek(0)
        shutil.copyfileobj(spool, out, _CHUNK)
    return PackSummary(
        objects=count,
        logs=len(found_logs),
        status_lists=len(written),
        memberships=len(chosen),
        blobs=blob_count,
        missing=tuple(missing),
    )
