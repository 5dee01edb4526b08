"""Two handles of one SQLite store in one process (a hub's app and its
follower) keep each other's locks: opening the second must not drop the
first's POSIX locks, or another process that opens and closes the file
takes the WAL for abandoned, deletes it, and what the first handle writes
next is lost to everyone else (https://www.sqlite.org/howtocorrupt.html,
section 2.2)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ssi.store import SQLiteStore

from .objects import post, verifier

_COUNT = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
print(connection.execute("SELECT count(*) FROM objects").fetchone()[0])
connection.close()
"""


def _count_elsewhere(path: Path) -> int:
    """How many objects another process reads (it closes the file last)."""
    done = subprocess.run(
        [sys.executable, "-c", _COUNT, str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return int(done.stdout)


def test_a_second_handle_keeps_the_first_handles_writes_visible(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hub.sqlite"
    with SQLiteStore(path) as first:
        first.add([post(0, 7_001)], verifier=verifier())
        with SQLiteStore(path) as second:
            assert second.latest_seq() == 1
        assert _count_elsewhere(path) == 1
        first.add([post(0, 7_002)], verifier=verifier())
        assert _count_elsewhere(path) == 2
    assert _count_elsewhere(path) == 2
