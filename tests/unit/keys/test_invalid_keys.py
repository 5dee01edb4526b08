"""Invalid key encodings: each raises exactly its ``ssi.errors`` class."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ssi import errors
from ssi.encoding import decode_base58btc
from ssi.keys import import_key
from tests.vectors import load

CASES: list[dict[str, Any]] = load.json_file("keys-invalid", "cases.json")["cases"]

ERRORS: dict[str, type[errors.SSIError]] = {
    "invalidPublicKey": errors.InvalidPublicKeyError,
    "invalidPublicKeyLength": errors.InvalidPublicKeyLengthError,
    "unsupportedPublicKeyType": errors.UnsupportedPublicKeyTypeError,
    "invalidSecretKey": errors.InvalidSecretKeyError,
}


def _input(case: dict[str, Any]) -> Any:
    value = case["input"]
    if isinstance(value, dict) and set(value) == {"repeat", "times"}:
        return value["repeat"] * value["times"]
    return value


def _params() -> list[Any]:
    return [pytest.param(case, id=case["id"]) for case in CASES]


def test_the_table_covers_the_required_cases() -> None:
    assert len(CASES) >= 20
    assert len({case["id"] for case in CASES}) == len(CASES)
    assert {case["expect"] for case in CASES} == set(ERRORS)
    assert all(case["why"] for case in CASES)
    kinds = {type(_input(case)).__name__ for case in CASES}
    assert {"str", "dict", "list", "int", "bool", "NoneType"} <= kinds


@pytest.mark.parametrize("case", _params())
def test_invalid_key_raises_its_exact_error(case: dict[str, Any]) -> None:
    expected = ERRORS[case["expect"]]
    with pytest.raises(errors.SSIError) as caught:
        import_key(_input(case))
    assert type(caught.value) is expected, caught.value
    assert caught.value.code == case["expect"]
    problem = caught.value.to_problem()
    assert problem["code"] == case["expect"]
    assert problem["detail"] == str(caught.value)


@pytest.mark.parametrize("case", [c for c in _params() if "bytes" in c.values[0]])
def test_multikey_case_holds_the_documented_bytes(case: dict[str, Any]) -> None:
    assert case["input"].startswith("z")
    assert decode_base58btc(case["input"][1:]).hex() == case["bytes"]


@pytest.mark.parametrize("case", _params())
def test_error_message_does_not_echo_the_input(case: dict[str, Any]) -> None:
    value = _input(case)
    with pytest.raises(errors.SSIError) as caught:
        import_key(value)
    message = str(caught.value)
    assert len(message) < 300
    if isinstance(value, str) and len(value) > 8:
        assert value not in message
    if isinstance(value, dict) and isinstance(value.get("d"), str):
        assert value["d"] not in message


def test_the_table_is_valid_json_data() -> None:
    text = load.text("keys-invalid", "cases.json")
    assert json.loads(text) == {"cases": CASES}
