"""Read a whole bundle into memory: its objects and its dependencies, kept
apart, for work that needs every item at once (recounting a tally).

:func:`verify_bundle` streams and keeps only the newest status list per URL;
a recount needs every version (the list in force at a proposal's ``closes``
is not the newest one), so :func:`read_bundle` keeps them all. Nothing is
verified here: the caller verifies what it uses.

Spec: docs/bundles.md
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ssi.bundle.format import (
    MAX_DEPENDENCY_BYTES,
    MAX_DEPENDENCY_ITEMS,
    BundleSource,
    check_blob,
    check_item,
    open_bundle,
    parse_line,
    read_header,
    read_lines,
)
from ssi.errors import BundleTooLargeError
from ssi.types import JsonObject, JsonValue

__all__ = ["MAX_READ_ITEMS", "BundleContents", "read_bundle"]

MAX_READ_ITEMS = 4 * MAX_DEPENDENCY_ITEMS
"""The most items (objects and dependencies) :func:`read_bundle` keeps."""


@dataclass(frozen=True, slots=True)
class BundleContents:
    """What a bundle holds, by kind, in the order of its lines."""

    objects: tuple[JsonObject, ...]
    """Credentials and presentations (``credential`` and ``presentation`` lines)."""
    logs: Mapping[str, tuple[tuple[JsonValue, ...], ...]]
    """did:agora logs by DID; a DID may have several (copies, forks)."""
    status_lists: tuple[JsonObject, ...]
    """Every status list credential, all versions."""
    memberships: tuple[JsonObject, ...]
    """Membership credentials carried as dependencies."""
    blobs: int
    """How many blob lines there were (checked against their CIDs, not kept)."""


def read_bundle(source: BundleSource) -> BundleContents:
    """Read every item of a bundle, checking each line as the format says.

    Spec: docs/bundles.md

    Raises:
        BundleHeaderError, UnsupportedBundleVersionError: the header is
            missing or not one this library reads.
        BundleLineError, BundleLineTooLongError, UnknownBundleItemError,
            BundleItemError: a line is not a valid item (the error names it).
        BundleTooLargeError: more than :data:`MAX_READ_ITEMS` items, or more
            than :data:`MAX_DEPENDENCY_BYTES` bytes of lines.
        BundleError: the bundle cannot be read.
    """
    handle, close = open_bundle(source)
    objects: list[JsonObject] = []
    logs: dict[str, list[tuple[JsonValue, ...]]] = {}
    lists: list[JsonObject] = []
    memberships: list[JsonObject] = []
    blobs = items = size = 0
    try:
        lines = read_lines(handle)
        read_header(lines)
        for line in lines:
            items += 1
            size += len(line.data)
            if items > MAX_READ_ITEMS or size > MAX_DEPENDENCY_BYTES:
                raise BundleTooLargeError(
                    f"the bundle holds more than {MAX_READ_ITEMS:,} items or "
                    f"{MAX_DEPENDENCY_BYTES // (1024 * 1024)} MiB of lines, more "
                    "than a recount reads into memory."
                )
            item = parse_line(line)
            kind = item["kind"]
            if kind == "blob":
                check_blob(item, line.number)
                blobs += 1
                continue
            check_item(str(kind), item, line.number)
            if kind == "credential":
                objects.append(_object(item["credential"]))
            elif kind == "presentation":
                objects.append(_object(item["presentation"]))
            elif kind == "didLog":
                entries = item["entries"]
                did = item["did"]
                if isinstance(did, str) and isinstance(entries, list):
                    logs.setdefault(did, []).append(tuple(entries))
            elif kind == "statusList":
                lists.append(_object(item["credential"]))
            else:
                memberships.append(_object(item["credential"]))
    finally:
        if close:
            handle.close()
    return BundleContents(
        objects=tuple(objects),
        logs={did: tuple(found) for did, found in logs.items()},
        status_lists=tuple(lists),
        memberships=tuple(memberships),
        blobs=blobs,
    )


def _object(value: JsonValue) -> JsonObject:
    # check_item has made sure of it; this narrows the type.
    if not isinstance(value, dict):
        raise TypeError("check_item lets only objects through")
    return value
