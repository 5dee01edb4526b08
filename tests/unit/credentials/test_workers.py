"""DescriptionTable: what a worker builds once per pickled description."""

from __future__ import annotations

import hashlib
import pickle
from datetime import UTC, datetime

import pytest

from ssi.credentials import FixedClock, Verifier
from ssi.credentials.workers import DescriptionTable


def described(value: object) -> tuple[str, bytes]:
    blob = pickle.dumps(value)
    return hashlib.sha256(blob).hexdigest(), blob


def test_each_description_is_built_once_and_the_oldest_dropped():
    table: DescriptionTable[Verifier] = DescriptionTable(Verifier, 2)
    verifiers = [
        Verifier(clock=FixedClock(datetime(2026, 1, n, tzinfo=UTC))) for n in (1, 2, 3)
    ]
    keys = [described(v) for v in verifiers]
    first = table.get(*keys[0])
    assert first == verifiers[0]
    assert table.get(*keys[0]) is first  # built once
    table.get(*keys[1])
    table.get(*keys[2])
    assert len(table) == 2
    assert table.peek(keys[0][0]) is None  # the oldest went first
    table.discard(keys[1][0])
    assert len(table) == 1


def test_a_description_of_something_else_or_under_another_key_is_refused():
    table: DescriptionTable[Verifier] = DescriptionTable(Verifier, 2)
    key, blob = described({"not": "a verifier"})
    with pytest.raises(TypeError, match="not the description of a Verifier"):
        table.get(key, blob)
    _, good = described(Verifier())
    with pytest.raises(TypeError):
        table.get("0" * 64, good)
    assert len(table) == 0
