"""Unpacking a bundle into an object store: what verifies goes in.

:func:`unpack` verifies a bundle as :func:`ssi.bundle.verify_bundle` does
(its logs, status lists and memberships only, and what the caller adds),
then adds every object that verified to the store, in batches, through the
store's own ``add`` with the same verifier, so the store's rule holds: only
objects that verify go in. Both passes stream: memory grows with the
bundle's dependencies and one batch, not with its objects.

Spec: docs/bundles.md (Unpacking into a store)
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Final

from ssi.agora import LogSource
from ssi.bundle.format import (
    OBJECT_KINDS,
    BundleSource,
    Line,
    open_bundle,
    parse_line,
    read_lines,
)
from ssi.bundle.verify import ItemResult, verify_bundle
from ssi.credentials import Verifier, system_clock
from ssi.errors import BundleError
from ssi.social import FEED_RECORDS
from ssi.store import Deriver, ObjectStore
from ssi.types import JsonObject, JsonValue

__all__ = ["UNPACK_BATCH", "UnpackResult", "unpack"]

UNPACK_BATCH: Final = 1000
"""Objects per ``store.add`` call (one transaction each)."""


@dataclass(frozen=True, slots=True)
class UnpackResult:
    """What happened to one line of the bundle.

    Attributes:
        item: the line's verification result.
        outcome: ``stored``, ``present`` (the store had it), ``rejected``
            (it did not verify, in the bundle or in the store) or ``skipped``
            (a blob: the object store keeps signed objects only).
    """

    item: ItemResult
    outcome: str

    def to_json(self) -> JsonObject:
        """Return the result as JSON: the item's fields and the outcome."""
        return {**self.item.to_json(), "outcome": self.outcome}


def unpack(
    source: BundleSource,
    store: ObjectStore,
    *,
    clock: Callable[[], datetime] = system_clock,
    executor: Executor | None = None,
    extra_logs: Iterable[LogSource] = (),
    extra_status_lists: Iterable[JsonObject] = (),
    batch: int = UNPACK_BATCH,
    derive: Deriver | None = FEED_RECORDS,
) -> Iterator[UnpackResult]:
    """Verify a bundle and add the objects that verify to ``store``.

    Yields one result per object, blob or bad line, in line order. A stream
    that is not a file on disk is copied to a temporary file first: the
    bundle is read twice. ``derive`` is given to ``store.add``: by default
    the store keeps each object's feed record (``ssi.social.FEED_RECORDS``).

    Spec: docs/bundles.md (Unpacking into a store)

    Raises:
        BundleError: the bundle cannot be read, or its header or dependencies
            are unusable (as :func:`verify_bundle`).
        StoreError: the store cannot be written.
    """
    if batch < 1:
        raise ValueError("batch must be at least 1")
    with contextlib.ExitStack() as stack:
        path = _on_disk(source, stack)
        verification = stack.enter_context(
            verify_bundle(
                path,
                clock=clock,
                executor=executor,
                extra_logs=extra_logs,
                extra_status_lists=extra_status_lists,
            )
        )
        # A second reader over the same file finds each verified object.
        lines = read_lines(stack.enter_context(path.open("rb")))
        pending: list[tuple[ItemResult, JsonValue]] = []
        for item in verification:
            if item.verified and item.kind in OBJECT_KINDS:
                pending.append((item, _document(lines, item.line, item.kind)))
                if len(pending) >= batch:
                    yield from _add(
                        pending, store, verification.verifier, executor, derive
                    )
                    pending = []
                continue
            yield from _add(pending, store, verification.verifier, executor, derive)
            pending = []
            outcome = "skipped" if item.verified else "rejected"
            yield UnpackResult(item, outcome)
        yield from _add(pending, store, verification.verifier, executor, derive)


def _on_disk(source: BundleSource, stack: contextlib.ExitStack) -> Path:
    """The bundle as a file path: a path as it is, a stream copied to a
    temporary file (removed when ``stack`` closes).

    Raises:
        BundleError: the file cannot be opened or the stream read.
    """
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        handle, _ = open_bundle(path)  # the same error as verify_bundle's
        handle.close()
        return path
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
    path = folder / "bundle.jsonl"
    handle, owned = open_bundle(source)
    try:
        with path.open("wb") as copy:
            shutil.copyfileobj(handle, copy, 1 << 20)
    except OSError as exc:
        raise BundleError(f"cannot read the bundle: {exc.strerror or exc}.") from exc
    finally:
        if owned:
            handle.close()
    return path


def _document(lines: Iterator[Line], number: int, kind: str) -> JsonValue:
    """The object on line ``number``, reading forward (results come in order)."""
    for line in lines:
        if line.number == number:
            return parse_line(line)[kind]
    raise BundleError(f"line {number} of the bundle changed while it was read.")


def _add(
    pending: list[tuple[ItemResult, JsonValue]],
    store: ObjectStore,
    verifier: Verifier,
    executor: Executor | None,
    derive: Deriver | None,
) -> Iterator[UnpackResult]:
    """Add verified objects to the store (which verifies them again with the
    same verifier); a store rejection is added to the item's problems."""
    if not pending:
        return
    added = store.add(
        [document for _, document in pending],
        verifier=verifier,
        executor=executor,
        derive=derive,
    )
    for (item, _), result in zip(pending, added, strict=True):
        if result.outcome == "rejected":
            item = replace(
                item, verified=False, problems=item.problems + result.problems
            )
        yield UnpackResult(item, result.outcome)
