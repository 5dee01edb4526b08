"""Code that runs in child processes (started with ``spawn``) for
test_processes.py; importable by module name, so nothing here runs on import."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any


def add_all(location: str, texts: list[str], batch: int, start: Any) -> None:
    """Open the store at ``location`` (an ``open_store`` location: a file or
    a PostgreSQL URL with its schema), wait for ``start`` (a barrier), then
    add ``texts`` in batches; exit 0 only if every one was stored by this
    process."""
    from ssi.store import open_store

    from .objects import verifier

    check = verifier()
    with open_store(location) as store:
        start.wait(timeout=60)
        stored = 0
        for first in range(0, len(texts), batch):
            results = store.add(texts[first : first + batch], verifier=check)
            stored += sum(result.outcome == "stored" for result in results)
    sys.exit(0 if stored == len(texts) else 1)


def add_and_acknowledge(path: str, texts: list[str], batch: int, ack: str) -> None:
    """Add ``texts`` in batches, forever (from the start again once all are
    in); after each committed batch, append its CIDs to the ``ack`` file and
    flush it, so the parent knows what was acknowledged."""
    from ssi.store import SQLiteStore

    from .objects import verifier

    check = verifier()
    with SQLiteStore(path) as store, Path(ack).open("a", encoding="utf-8") as out:
        while True:
            for first in range(0, len(texts), batch):
                results = store.add(texts[first : first + batch], verifier=check)
                lines = [
                    result.cid
                    for result in results
                    if result.cid is not None and result.outcome != "rejected"
                ]
                out.write("".join(line + "\n" for line in lines))
                out.flush()
                os.fsync(out.fileno())
