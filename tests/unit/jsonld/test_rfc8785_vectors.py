"""RFC 8785 (JCS): the specification's sample, sorting data and number samples."""

from __future__ import annotations

import json
import struct

import pytest

from ssi.errors import CanonicalizationError
from ssi.jsonld import canonicalize_jcs
from tests.vectors import load

FOLDER = "rfc8785"
NUMBERS = load.json_file(FOLDER, "number-samples.json")


def test_sample_serializes_to_the_published_bytes():
    # RFC 8785 sections 3.2.2 (input) and 3.2.4 (UTF-8 bytes of the result).
    value = json.loads(load.text(FOLDER, "sample-input.json"))
    expected = bytes.fromhex(load.text(FOLDER, "sample-output.hex"))
    assert canonicalize_jcs(value) == expected


def test_properties_sort_by_utf16_code_units():
    # RFC 8785 section 3.2.3.
    value = json.loads(load.text(FOLDER, "sorting-input.json"))
    pairs = json.loads(canonicalize_jcs(value), object_pairs_hook=list)
    expected = [
        json.loads(line)
        for line in load.text(FOLDER, "sorting-expected-order.txt").splitlines()
    ]
    assert [member for _name, member in pairs] == expected


@pytest.mark.parametrize("case", NUMBERS, ids=[c["ieee754"] for c in NUMBERS])
def test_number_serialization_samples(case):
    # RFC 8785 Appendix B.
    (number,) = struct.unpack(">d", bytes.fromhex(case["ieee754"]))
    if "expect" in case:
        with pytest.raises(CanonicalizationError) as caught:
            canonicalize_jcs(number)
        assert caught.value.code == case["expect"]
    else:
        assert canonicalize_jcs(number) == case["json"].encode("ascii")
