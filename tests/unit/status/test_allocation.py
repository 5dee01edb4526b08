"""Random index allocation and the issuer's ``StatusListState``.

Spec: https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistentry
(statusListIndex: "Implementations SHOULD assign indexes randomly")
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from ssi.errors import MalformedValueError, StatusListFullError, StatusRangeError
from ssi.status import (
    MIN_ENTRIES,
    StatusList,
    StatusListState,
    StatusMessage,
    allocate,
    parse_status_entry,
    parse_status_list_credential,
)
from tests.unit.status.helpers import ISSUER, LIST_URL


def test_ten_thousand_indexes_are_distinct_and_spread_over_the_whole_list():
    used: set[int] = set()
    for _ in range(10_000):
        used.add(allocate(used, MIN_ENTRIES))

    assert len(used) == 10_000
    assert all(0 <= index < MIN_ENTRIES for index in used)
    sixteenths = Counter(index * 16 // MIN_ENTRIES for index in used)
    # Each sixteenth expects 625; a uniform draw stays within 400..850 with
    # overwhelming probability (more than 9 standard deviations).
    assert sorted(sixteenths) == list(range(16))
    assert all(400 <= count <= 850 for count in sixteenths.values())


def test_allocation_on_a_nearly_full_list_is_fast_and_finds_the_free_ones():
    free = {5, 77_777, MIN_ENTRIES - 1}
    used = set(range(MIN_ENTRIES)) - free

    found = {allocate(used, MIN_ENTRIES) for _ in range(60)}

    assert found == free  # 60 draws over 3 values: each is seen


def test_allocation_on_a_nearly_full_list_is_uniform_over_the_free_indexes():
    free = list(range(0, MIN_ENTRIES, MIN_ENTRIES // 8))
    used = set(range(MIN_ENTRIES)) - set(free)

    counts = Counter(allocate(used, MIN_ENTRIES) for _ in range(800))

    assert set(counts) == set(free)
    assert all(55 <= c <= 150 for c in counts.values())  # 100 expected each


def test_full_list_raises():
    with pytest.raises(StatusListFullError) as caught:
        allocate(set(range(64)), 64)
    assert caught.value.code == "statusListFull"


def test_used_values_outside_the_list_are_ignored():
    assert allocate({-1, 64, 65} | set(range(63)), 64) == 63


def test_length_must_be_positive():
    with pytest.raises(ValueError, match="length"):
        allocate(set(), 0)


# --- StatusListState ------------------------------------------------------------------


def test_state_allocates_and_builds_entries_and_the_list_credential():
    state = StatusListState(LIST_URL)
    index = state.allocate()

    entry = parse_status_entry(state.entry(index))
    listed = parse_status_list_credential(state.credential(ISSUER, ttl=60_000))

    assert (entry.index, entry.purpose, entry.list_credential) == (
        index,
        "revocation",
        LIST_URL,
    )
    assert listed.id == LIST_URL
    assert listed.ttl == 60_000
    assert state.allocated == {index}


def test_revocation_sets_the_bit_and_cannot_be_undone():
    state = StatusListState(LIST_URL)
    index = state.allocate()

    state.revoke(index)

    assert state.status(index) == 1
    assert state.status_list.get(index) == 1
    with pytest.raises(ValueError, match="'suspension' list"):
        state.reinstate(index)


def test_suspension_can_be_lifted():
    state = StatusListState(LIST_URL, purpose="suspension")
    index = state.allocate()

    state.suspend(index)
    assert state.status(index) == 1
    state.reinstate(index)
    assert state.status(index) == 0
    with pytest.raises(ValueError, match="'revocation' list"):
        state.revoke(index)


def test_message_list_sets_values_of_several_bits():
    messages = [StatusMessage(v, m) for v, m in enumerate("abcd")]
    state = StatusListState(
        LIST_URL, purpose="message", status_size=2, messages=messages
    )
    index = state.allocate()

    state.set_message(index, 3)

    assert state.status(index) == 3
    entry = parse_status_entry(state.entry(index))
    assert entry.status_size == 2
    assert entry.message_for(3) == "d"
    with pytest.raises(ValueError, match="status value"):
        state.set_message(index, 4)


def test_operations_need_an_allocated_index():
    state = StatusListState(LIST_URL)

    with pytest.raises(ValueError, match="not allocated"):
        state.revoke(12)
    with pytest.raises(ValueError, match="not allocated"):
        state.entry(12)
    with pytest.raises(StatusRangeError):
        state.status(MIN_ENTRIES)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"purpose": ""},
        {"length": 8},
        {"status_size": 2},  # two bits need four messages
        {"status_size": 1, "messages": [StatusMessage(0, "a")]},
    ],
)
def test_state_refuses_misuse(kwargs):
    with pytest.raises(ValueError, match=r"purpose|entries|messages"):
        StatusListState(LIST_URL, **kwargs)


def test_state_round_trips_through_json():
    messages = [StatusMessage(v, m) for v, m in enumerate("abcd")]
    state = StatusListState(
        LIST_URL, purpose="message", status_size=2, messages=messages
    )
    indexes = [state.allocate() for _ in range(50)]
    state.set_message(indexes[0], 2)
    state.set_message(indexes[1], 3)

    stored = json.loads(json.dumps(state.to_json()))
    restored = StatusListState.from_json(stored)

    assert restored.allocated == state.allocated
    assert restored.status_list == state.status_list
    assert restored.messages == state.messages
    assert (restored.url, restored.purpose, restored.status_size) == (
        LIST_URL,
        "message",
        2,
    )
    assert restored.to_json() == state.to_json()
    assert len(json.dumps(stored)) < 2000  # bitstrings, not lists of numbers
    assert "StatusListState(" in repr(restored)


def _stored() -> dict:
    state = StatusListState(LIST_URL)
    state.allocate()
    return state.to_json()


DAMAGED = {
    "not an object": lambda d: [],
    "wrong type": lambda d: {**d, "type": "Other"},
    "newer version": lambda d: {**d, "version": 2},
    "url missing": lambda d: {k: v for k, v in d.items() if k != "url"},
    "url not a string": lambda d: {**d, "url": 5},
    "length not an int": lambda d: {**d, "length": "131072"},
    "length disagrees": lambda d: {**d, "length": 2 * MIN_ENTRIES},
    "encodedList broken": lambda d: {**d, "encodedList": "u!!"},
    "allocatedList short": lambda d: {
        **d,
        "allocatedList": StatusList.decode(d["allocatedList"]).encode()[:-8],
    },
    "messages malformed": lambda d: {**d, "statusMessage": [{"status": 1}]},
}


@pytest.mark.parametrize("damage", DAMAGED.values(), ids=DAMAGED.keys())
def test_damaged_state_is_a_malformed_value_error(damage):
    with pytest.raises(MalformedValueError):
        StatusListState.from_json(damage(_stored()))
