"""Many signed objects for the hub's scale tests, and the checks a hub's
database must pass after a crash.

``signed_posts(n)`` makes ``n`` distinct posts (three did:key authors,
``eddsa-jcs-2022``, two communities) once per test process; ``batches``
cuts them into request bodies for ``POST /objects``; ``api_cids`` lists a
hub's CIDs through ``GET /objects``. ``read_sqlite`` / ``read_postgres``
read a store's tables as they are on disk, and ``check_tables`` recomputes
from every object's bytes what the store derived from them: its CID, its
index entries, its sequence number's place.
"""

from __future__ import annotations

import functools
import itertools
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql

from ssi.cid import canonical_object_cid, object_cid
from ssi.store.index import index_object
from ssi.store.rows import micros
from tests.pg import Schema
from tests.unit.store.objects import COMMUNITY, OTHER_COMMUNITY, post

FIRST_NUMBER = 1_000_000
"""Post numbers start here, clear of the numbers other hub tests use."""


@functools.cache
def _posts(count: int) -> tuple[dict[str, Any], ...]:
    return tuple(
        post(
            n % 3,
            FIRST_NUMBER + n,
            community=COMMUNITY if n % 2 else OTHER_COMMUNITY,
        )
        for n in range(count)
    )


def signed_posts(count: int) -> tuple[dict[str, Any], ...]:
    """``count`` distinct signed posts (the first ``k`` are the same for any
    ``count >= k``), built once per process."""
    largest = max(count, 10_000)
    return _posts(largest)[:count]


@dataclass(frozen=True)
class Batch:
    """One ``POST /objects`` body and the CIDs it carries."""

    body: bytes
    cids: tuple[str, ...]


def batches(documents: Sequence[dict[str, Any]], size: int) -> list[Batch]:
    """Cut ``documents`` into JSON-array bodies of at most ``size`` objects."""
    cut: list[Batch] = []
    for start in range(0, len(documents), size):
        part = documents[start : start + size]
        body = b"[" + b",".join(json.dumps(item).encode() for item in part) + b"]"
        cut.append(Batch(body, tuple(object_cid(item) for item in part)))
    return cut


def api_cids(url: str, *, client: httpx.Client | None = None) -> list[str]:
    """Every CID a hub lists through ``GET /objects``, in its order."""
    http = client or httpx.Client(timeout=60)
    found: list[str] = []
    cursor: str | None = None
    try:
        while True:
            params = {"limit": "500", **({"cursor": cursor} if cursor else {})}
            response = http.get(url + "/objects", params=params)
            response.raise_for_status()
            page = response.json()
            found.extend(item["cid"] for item in page["items"])
            cursor = page["cursor"]
            if not page["more"]:
                return found
    finally:
        if client is None:
            http.close()


# --- A store's tables, as on disk -------------------------------------------------


@dataclass
class Tables:
    """The rows of a store's tables (seq order for objects)."""

    objects: list[tuple[Any, ...]]
    """``(seq, cid, data, types, author, community, reply_to, time, refers_to)``"""
    types: set[tuple[str, int]]
    refs: set[tuple[str, int]]
    derived: list[tuple[int, str, str]]
    """``(seq, name, cid)``"""


_OBJECTS = (
    "SELECT seq, cid, data, types, author, community, reply_to, time, refers_to "
    "FROM objects ORDER BY seq"
)
_TYPES = "SELECT type, seq FROM object_types"
_REFS = "SELECT cid, seq FROM object_refs"
_DERIVED = "SELECT seq, name, cid FROM derived"


def read_sqlite(path: Path) -> Tables:
    """Read an SQLite store's tables, after checking the file with SQLite's
    own ``PRAGMA integrity_check`` and ``PRAGMA foreign_key_check``."""
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        return Tables(
            [tuple(row) for row in connection.execute(_OBJECTS)],
            {(str(t), int(s)) for t, s in connection.execute(_TYPES)},
            {(str(c), int(s)) for c, s in connection.execute(_REFS)},
            [(int(s), str(n), str(c)) for s, n, c in connection.execute(_DERIVED)],
        )
    finally:
        connection.close()


def read_postgres(schema: Schema) -> Tables:
    """Read a PostgreSQL store's tables (in its schema)."""
    with psycopg.connect(schema.url) as connection:
        connection.execute(
            sql.SQL("SET search_path TO {}").format(sql.Identifier(schema.schema))
        )
        return Tables(
            [
                (row[0], row[1], bytes(row[2]), *row[3:])
                for row in connection.execute(_OBJECTS)
            ],
            {(str(t), int(s)) for t, s in connection.execute(_TYPES)},
            {(str(c), int(s)) for c, s in connection.execute(_REFS)},
            [(int(s), str(n), str(c)) for s, n, c in connection.execute(_DERIVED)],
        )


def check_tables(tables: Tables) -> set[str]:
    """Assert that every object row agrees with its bytes and the index
    tables agree with the objects; return the stored CIDs.

    Checked: sequence numbers strictly increase (so are unique); CIDs are
    unique and each is the CID of its row's bytes; the columns, the
    ``object_types`` and ``object_refs`` rows are what the index rules read
    from the bytes; every derived record belongs to a stored object, under
    its CID.
    """
    seqs = [int(row[0]) for row in tables.objects]
    assert all(a < b for a, b in itertools.pairwise(seqs))
    cid_of = {int(row[0]): str(row[1]) for row in tables.objects}
    assert len(set(cid_of.values())) == len(tables.objects)
    types: set[tuple[str, int]] = set()
    refs: set[tuple[str, int]] = set()
    for (
        seq,
        cid,
        data,
        kinds,
        author,
        community,
        reply_to,
        time,
        refers,
    ) in tables.objects:
        assert canonical_object_cid(bytes(data)) == cid
        index = index_object(json.loads(data))
        assert json.loads(kinds) == list(index.types)
        assert (author, community, reply_to) == (
            index.author,
            index.community,
            index.reply_to,
        )
        assert time == (None if index.time is None else micros(index.time))
        assert json.loads(refers) == list(index.refers_to)
        types.update((name, int(seq)) for name in index.types)
        refs.update((ref, int(seq)) for ref in index.refers_to)
    assert tables.types == types
    assert tables.refs == refs
    assert all(cid_of.get(seq) == cid for seq, _, cid in tables.derived)
    return set(cid_of.values())
