"""Replication at scale: hub B follows hub A (``agora hub serve --follow``)
while A receives :data:`COUNT` objects, and B is killed (SIGKILL) for part
of the time; once started again, B ends with exactly A's set of CIDs, and
a sound database.

The run costs about 6 s of CPU on the test's side (both hubs included), so
it runs in ``make test``. The refusal of a tampered object is
``test_replicate.py::test_a_tampered_object_is_refused_and_logged``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.hub.bulk import (
    Batch,
    api_cids,
    batches,
    check_tables,
    read_sqlite,
    signed_posts,
)
from tests.hub.conftest import Hub, eventually

COUNT = 5_000
BATCH = 250
_ENV = {"AGORA_HUB_RATE": "1000"}


def _push(hub: Hub, cut: list[Batch]) -> None:
    with httpx.Client(timeout=120) as client:
        for batch in cut:
            response = client.post(
                hub.url + "/objects",
                content=batch.body,
                headers={"Content-Type": "application/json"},
            )
            assert response.status_code == 200, response.text
            assert response.json()["stored"] == len(batch.cids)


def _count(path: Path) -> int:
    """How many objects the store file holds (read beside its hub)."""
    if not path.exists():
        return 0
    connection = sqlite3.connect(path, timeout=30)
    try:
        return int(connection.execute("SELECT count(*) FROM objects").fetchone()[0])
    except sqlite3.OperationalError:  # the hub has not made its tables yet
        return 0
    finally:
        connection.close()


def _wait_for(check: Callable[[], bool], seconds: float = 180.0) -> None:
    eventually(check, "the follower did not catch up", seconds)


def test_a_follower_that_was_killed_ends_with_the_sources_cids(
    hub_process: Callable[..., Hub], tmp_path: Path
) -> None:
    cut = batches(signed_posts(COUNT), BATCH)
    first, second = len(cut) // 3, 2 * len(cut) // 3
    source = hub_process(db=f"sqlite:///{tmp_path / 'a.sqlite'}", env=_ENV)
    b_path = tmp_path / "b.sqlite"
    follower = {
        "db": f"sqlite:///{b_path}",
        "extra_args": ["--follow", source.url],
        "env": _ENV,
    }
    b = hub_process(**follower)
    _push(source, cut[:first])
    _wait_for(lambda: _count(b_path) > 0)
    b.process.kill()  # SIGKILL, while it copies
    b.process.wait(timeout=30)
    copied = _count(b_path)
    assert 0 < copied <= BATCH * first
    _push(source, cut[first:second])  # while B is down
    again = hub_process(**follower)
    _push(source, cut[second:])  # after it is back
    _wait_for(lambda: _count(b_path) == COUNT)

    on_a, on_b = api_cids(source.url), api_cids(again.url)
    assert len(on_a) == len(on_b) == COUNT
    assert set(on_b) == set(on_a) == {cid for batch in cut for cid in batch.cids}
    again.stop()
    assert check_tables(read_sqlite(b_path)) == set(on_a)
