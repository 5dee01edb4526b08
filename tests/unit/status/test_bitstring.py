"""``StatusList``: bit order, encoding, and refusal of malformed encodedList values.

Spec: https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-encoding,
https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-expansion-algorithm
"""

from __future__ import annotations

import base64
import gzip
import zlib

import pytest

from ssi.errors import (
    MalformedValueError,
    StatusListLengthError,
    StatusRangeError,
    ValidityRangeError,
)
from ssi.status import MAX_DECOMPRESSED_BYTES, MIN_ENTRIES, StatusList
from tests.unit.status.helpers import bits_set, independent_decode, independent_encode
from tests.vectors import load

CASES = load.json_file("bitstring-status-list", "cases.json")["decode"]
ERRORS = {
    "STATUS_LIST_LENGTH_ERROR": StatusListLengthError,
    "MALFORMED_VALUE_ERROR": MalformedValueError,
}


def _published(case: dict) -> str:
    document = load.json_file("bitstring-status-list", case["file"])
    if "key" in case:
        return document[case["key"]]
    return document["credentialSubject"]["encodedList"]


def _b64(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# --- Vectors -------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_vector_decodes_to_the_documented_bits(case):
    encoded = case.get("prefix", "") + _published(case)
    minimum = case.get("minEntries", MIN_ENTRIES)

    if "expect" in case:
        with pytest.raises(ERRORS[case["expect"]]):
            StatusList.decode(encoded, min_entries=minimum)
        return
    decoded = StatusList.decode(encoded, min_entries=minimum)

    assert decoded.length == case["entries"]
    for index in case["documentedSet"]:
        assert decoded.get(index) == 1
    found = bits_set(decoded.to_bytes())
    if case.get("allZero"):
        assert found == []
    if case.get("onlySet"):
        assert found == case["documentedSet"]
    assert found == bits_set(independent_decode(encoded))


@pytest.mark.parametrize(
    "case", [c for c in CASES if "prefix" in c], ids=lambda c: c["id"]
)
def test_vector_without_multibase_prefix_is_refused_as_published(case):
    with pytest.raises(MalformedValueError, match="multibase"):
        StatusList.decode(_published(case), min_entries=1)


# --- Round trips with an independent codec ------------------------------------------


def test_index_zero_is_the_leftmost_bit_of_the_first_byte():
    status_list = StatusList()
    status_list.set(0, 1)
    status_list.set(9, 1)
    status_list.set(MIN_ENTRIES - 1, 1)

    bits = independent_decode(status_list.encode())

    assert bits[0] == 0b1000_0000
    assert bits[1] == 0b0100_0000
    assert bits[-1] == 0b0000_0001
    assert len(bits) == MIN_ENTRIES // 8


def test_our_encoding_decodes_with_an_independent_decoder():
    status_list = StatusList()
    chosen = [0, 1, 7, 8, 94567, 131071]
    for index in chosen:
        status_list.set(index, 1)

    assert bits_set(independent_decode(status_list.encode())) == chosen


def test_an_independent_encoding_decodes_with_ours():
    bits = bytearray(MIN_ENTRIES // 8)
    for index in (3, 12345, 131070):
        bits[index // 8] |= 0x80 >> (index % 8)

    decoded = StatusList.decode(independent_encode(bytes(bits)))

    assert [i for i in range(decoded.length) if decoded.get(i)] == [3, 12345, 131070]


def test_encoding_is_deterministic_multibase_base64url_without_padding():
    encoded = StatusList().encode()

    assert encoded == StatusList().encode()
    assert encoded.startswith("uH4sI")  # 'u' + base64url of the GZIP magic 1f 8b 08
    assert "=" not in encoded


@pytest.mark.parametrize("size", [2, 3, 4, 8])
def test_multi_bit_entries_read_left_to_right(size):
    status_list = StatusList(status_size=size)
    top = (1 << size) - 1
    values = {0: top, 1: 1, 2: top - 1, MIN_ENTRIES - 1: top}
    for index, value in values.items():
        status_list.set(index, value)

    decoded = StatusList.decode(status_list.encode(), status_size=size)

    assert {i: decoded.get(i) for i in values} == values
    assert decoded.get(3) == 0
    bits = independent_decode(status_list.encode())
    first = int.from_bytes(bits[:4], "big")
    assert first >> (32 - size) == top  # entry 0 is the left-most size bits
    assert decoded.length == MIN_ENTRIES
    assert len(bits) == MIN_ENTRIES * size // 8


def test_two_bit_entries_layout():
    status_list = StatusList(status_size=2)
    status_list.set(0, 0b10)
    status_list.set(3, 0b01)

    assert independent_decode(status_list.encode())[0] == 0b1000_0001


def test_set_overwrites_and_clears():
    status_list = StatusList(status_size=3)
    status_list.set(5, 7)
    status_list.set(5, 2)
    assert status_list.get(5) == 2
    assert status_list.get(4) == status_list.get(6) == 0
    status_list.set(5, 0)
    assert status_list.count() == 0


def test_count_and_copy():
    status_list = StatusList()
    status_list.set(10, 1)
    copy = status_list.copy()
    copy.set(11, 1)

    assert status_list.count() == 1
    assert copy.count() == 2
    assert copy != status_list


# --- Range and argument errors -----------------------------------------------------


@pytest.mark.parametrize("index", [-1, MIN_ENTRIES, 10**12, "7", 1.0, True])
def test_index_outside_the_list_is_a_range_error(index):
    status_list = StatusList()

    with pytest.raises(StatusRangeError) as caught:
        status_list.get(index)
    assert caught.value.code == "RANGE_ERROR"
    assert isinstance(caught.value, ValidityRangeError)
    with pytest.raises(StatusRangeError):
        status_list.set(index, 1)


@pytest.mark.parametrize("value", [-1, 2, True, "1", None])
def test_value_that_does_not_fit_is_a_value_error(value):
    with pytest.raises(ValueError, match="status value"):
        StatusList().set(0, value)


@pytest.mark.parametrize(
    ("length", "size"),
    [(MIN_ENTRIES - 8, 1), (MIN_ENTRIES + 1, 1), (MIN_ENTRIES, 0), (MIN_ENTRIES, 9)],
)
def test_constructor_refuses_short_lists_and_bad_sizes(length, size):
    with pytest.raises(ValueError, match=r"entries|status_size"):
        StatusList(length, size)


# --- Malformed encodedList ----------------------------------------------------------


def _gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


FULL = bytes(MIN_ENTRIES // 8)

MALFORMED = {
    "not a string": 5,
    "empty": "",
    "base58btc prefix": "z" + "1" * 40,
    "no prefix": _b64(_gz(FULL))[1:],
    "padding": _b64(_gz(FULL)) + "=",
    "standard base64 alphabet": _b64(_gz(FULL)).replace("-", "+") + "/",
    "whitespace": _b64(_gz(FULL))[:10] + " " + _b64(_gz(FULL))[10:],
    "zlib instead of gzip": _b64(zlib.compress(FULL)),
    "raw bitstring": _b64(FULL),
    "truncated gzip": _b64(_gz(FULL)[:-12]),
    "corrupt crc": _b64(_gz(FULL)[:-8] + b"\0\0\0\0" + _gz(FULL)[-4:]),
    "trailing data": _b64(_gz(FULL) + b"junk"),
    "two gzip members": _b64(_gz(FULL) + _gz(FULL)),
    "empty gzip input": "u",
}


@pytest.mark.parametrize("encoded", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_encoded_list_is_a_malformed_value_error(encoded):
    with pytest.raises(MalformedValueError):
        StatusList.decode(encoded)


def test_list_shorter_than_the_minimum_is_a_length_error():
    short = _b64(_gz(bytes(MIN_ENTRIES // 8 - 1)))

    with pytest.raises(StatusListLengthError, match="herd privacy"):
        StatusList.decode(short)


def test_empty_bitstring_is_a_length_error():
    with pytest.raises(StatusListLengthError):
        StatusList.decode(_b64(_gz(b"")))


def test_minimum_counts_entries_not_bits():
    two_bit = _b64(_gz(bytes(MIN_ENTRIES // 8)))  # 131,072 bits = 65,536 2-bit entries

    with pytest.raises(StatusListLengthError):
        StatusList.decode(two_bit, status_size=2)
    assert (
        StatusList.decode(two_bit, status_size=2, min_entries=65_536).length == 65_536
    )


def test_bit_length_not_a_multiple_of_the_status_size_is_a_length_error():
    with pytest.raises(StatusListLengthError, match="whole number"):
        StatusList.decode(_b64(_gz(FULL)), status_size=3, min_entries=1)


def test_decompression_bomb_is_refused_after_reading_at_most_the_cap():
    bomb = _gz(bytes(MAX_DECOMPRESSED_BYTES + 1))

    with pytest.raises(StatusListLengthError, match="more than"):
        StatusList.decode(_b64(bomb))


def test_list_exactly_at_the_cap_is_accepted():
    at_cap = StatusList.decode(_b64(_gz(bytes(MAX_DECOMPRESSED_BYTES))))

    assert at_cap.length == 8 * MAX_DECOMPRESSED_BYTES
