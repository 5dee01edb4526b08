"""Malformed DIDs, DID URLs and key encodings: each gets its exact error code
through the public API, and never a foreign exception."""

from __future__ import annotations

import pytest

import ssi
from tests.vectors import load

CASES = load.json_file("bad-input", "cases.json")


def _input(case):
    value = case["input"]
    if isinstance(value, dict) and set(value) == {"repeat", "times", "prefix"}:
        return value["prefix"] + value["repeat"] * value["times"]
    return value


def test_the_table_is_large_enough():
    assert len(CASES) >= 30
    assert {case["kind"] for case in CASES} == {"did", "did-url", "key"}


@pytest.mark.parametrize("case", CASES, ids=[f"{c['kind']}: {c['why']}" for c in CASES])
def test_malformed_input_gets_its_code(case):
    value = _input(case)
    if case["kind"] == "did":
        result = ssi.resolve(value)
        assert result.did_document is None
        assert result.error == case["expect"]
    elif case["kind"] == "did-url":
        result = ssi.dereference(value)
        assert result.content is None
        assert result.error == case["expect"]
    else:
        with pytest.raises(ssi.SSIError) as caught:
            ssi.import_key(value)
        assert caught.value.code == case["expect"]
        assert isinstance(caught.value, ssi.KeyMaterialError)
