"""Tests for ssi.did.syntax: DID and DID URL parsing, formatting, resolution."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssi.did import (
    DID,
    DID_PARAMETERS,
    DIDURL,
    MAX_DID_LENGTH,
    is_did,
    is_did_url,
    parse_did,
    parse_did_url,
    resolve_relative,
    syntax,
)
from ssi.did.syntax import PARSE_CACHE_SIZE
from ssi.errors import InvalidDIDError, InvalidDIDURLError, SSIError
from tests.growth import cpu_seconds
from tests.vectors import load

ERRORS: dict[str, type[SSIError]] = {
    "invalidDid": InvalidDIDError,
    "invalidDidUrl": InvalidDIDURLError,
}


def _input(case: dict[str, Any]) -> Any:
    """The case's input, with its padding applied."""
    value = case["input"]
    if "pad" in case:
        value += case["pad"]["char"] * case["pad"]["count"]
    return value


def _cases(name: str) -> list[Any]:
    params = []
    for case in load.json_file("did-syntax", name)["cases"]:
        shown = str(case.get("input", case.get("ref")))
        if "pad" in case:
            shown += f"+{case['pad']['count']}x{case['pad']['char']}"
        params.append(pytest.param(case, id=shown))
    return params


def _check_message(exc: SSIError) -> None:
    """One sentence, bounded, with no raw control or non-ASCII characters."""
    message = str(exc)
    assert message.endswith(".")
    assert len(message) < 240
    assert message.isascii()
    assert message.isprintable()


@pytest.mark.parametrize("case", _cases("valid-dids.json"))
def test_valid_did(case):
    text = _input(case)
    did = parse_did(text)
    assert did.method == case["method"]
    expected_id = case.get("method_specific_id")
    if expected_id is not None:
        assert did.method_specific_id == expected_id
    else:
        assert len(did.method_specific_id) == case["method_specific_id_length"]
    assert str(did) == text
    assert is_did(text)
    assert is_did_url(text)
    assert parse_did_url(text).is_bare_did
    assert parse_did_url(text).did == did


@pytest.mark.parametrize("case", _cases("invalid-dids.json"))
def test_invalid_did(case):
    text = _input(case)
    with pytest.raises(ERRORS[case["expect"]]) as info:
        parse_did(text)
    assert type(info.value) is ERRORS[case["expect"]]
    assert info.value.code == case["expect"]
    _check_message(info.value)
    assert not is_did(text)


@pytest.mark.parametrize("case", _cases("valid-did-urls.json"))
def test_valid_did_url(case):
    url = parse_did_url(case["input"])
    assert str(url.did) == case["did"]
    assert url.path == case["path"]
    assert url.query == case["query"]
    assert url.fragment == case["fragment"]
    assert [list(pair) for pair in url.params] == case["params"]
    assert str(url) == case["input"]
    assert is_did_url(case["input"])
    assert is_did(case["input"]) == url.is_bare_did


@pytest.mark.parametrize("case", _cases("invalid-did-urls.json"))
def test_invalid_did_url(case):
    text = _input(case)
    with pytest.raises(ERRORS[case["expect"]]) as info:
        parse_did_url(text)
    assert type(info.value) is ERRORS[case["expect"]]
    _check_message(info.value)
    assert not is_did_url(text)


@pytest.mark.parametrize("case", _cases("relative-refs.json"))
def test_resolve_relative(case):
    base = load.json_file("did-syntax", "relative-refs.json")["base"]
    if "expect" in case:
        with pytest.raises(ERRORS[case["expect"]]) as info:
            resolve_relative(case["ref"], base)
        assert type(info.value) is ERRORS[case["expect"]]
        _check_message(info.value)
    else:
        assert str(resolve_relative(case["ref"], base)) == case["result"]
        assert str(resolve_relative(case["ref"], parse_did(base))) == case["result"]


def test_invalid_case_count():
    invalid = load.json_file("did-syntax", "invalid-dids.json")["cases"]
    invalid += load.json_file("did-syntax", "invalid-did-urls.json")["cases"]
    assert len(invalid) >= 25


def test_resolve_relative_needs_a_did_base():
    with pytest.raises(InvalidDIDError):
        resolve_relative("#key-1", "did:example:1#not-a-did")
    with pytest.raises(TypeError):
        resolve_relative("#key-1", 42)  # type: ignore[arg-type]


def test_max_length_applies_to_references():
    with pytest.raises(InvalidDIDURLError, match="longer than"):
        resolve_relative("#" + "a" * MAX_DID_LENGTH, "did:example:1")


def test_message_names_input_and_is_truncated():
    text = "did:example:" + "x" * 500 + " "
    with pytest.raises(InvalidDIDError) as info:
        parse_did(text)
    message = str(info.value)
    assert "'did:example:xxxx" in message
    assert "..." in message
    assert len(message) < 200


def test_message_explains_the_problem():
    with pytest.raises(InvalidDIDError, match="lower case"):
        parse_did("DID:example:1")
    with pytest.raises(InvalidDIDError, match="method name is empty"):
        parse_did("did::1")
    with pytest.raises(InvalidDIDError, match="ends with ':'"):
        parse_did("did:example:1:")
    with pytest.raises(InvalidDIDError, match="percent-encoding '%G1'"):
        parse_did("did:example:%G1")
    with pytest.raises(InvalidDIDError, match="not a DID"):
        parse_did("did:example:1#key")
    with pytest.raises(InvalidDIDError, match="expected a string, got int"):
        parse_did(5)  # type: ignore[arg-type]
    with pytest.raises(InvalidDIDURLError, match="fragment contains the character '#'"):
        parse_did_url("did:example:1#a#b")
    with pytest.raises(InvalidDIDURLError, match=r"U\+00E9"):
        parse_did_url("did:example:1/caf\u00e9")


def _pathological(n: int) -> tuple[str, ...]:
    """Texts that make backtracking matchers slow, about ``2 * n`` long."""
    return (
        "did:a:" + "a" * (2 * n) + "!",
        "did:a:" + ":a" * n + "!",
        "did:a:1/" + "%aa" * (2 * n // 3) + "%",
        "did:a:1#" + "?/" * n + " ",
    )


@pytest.mark.parametrize("shape", range(4))
def test_pathological_input_costs_linear_work(shape):
    # The regular expressions run in C, so the CPU time of this process (not
    # the wall clock) is compared between 1,000 and 4,000 repetitions, near
    # the 8 KiB cap: linear work grows 4x, quadratic 16x. A noisy measurement
    # is taken again, up to three times; quadratic work fails every time.
    small, large = _pathological(1000)[shape], _pathological(4000)[shape]
    assert len(large) <= MAX_DID_LENGTH
    with pytest.raises(InvalidDIDURLError):
        parse_did_url(large)
    with pytest.raises(InvalidDIDError):
        parse_did(large)

    def ratio(parse) -> float:
        return cpu_seconds(lambda: parse(large), number=5) / cpu_seconds(
            lambda: parse(small), number=5
        )

    for parse in (parse_did_url, parse_did):
        ratios = []
        while len(ratios) < 3 and (not ratios or ratios[-1] >= 10):
            ratios.append(ratio(parse))
        assert ratios[-1] < 10, (parse.__name__, ratios)


def test_did_constructor_validates():
    assert str(DID("example", "123")) == "did:example:123"
    with pytest.raises(InvalidDIDError):
        DID("Example", "123")
    with pytest.raises(InvalidDIDError):
        DID("example", "")
    with pytest.raises(InvalidDIDError):
        DID("a:b", "c")
    with pytest.raises(TypeError):
        DID("example", 123)  # type: ignore[arg-type]


def test_did_url_constructor_validates():
    did = DID("example", "123")
    url = DIDURL(did, "/a", "x=1", "f")
    assert str(url) == "did:example:123/a?x=1#f"
    with pytest.raises(InvalidDIDURLError):
        DIDURL(did, "no-slash")
    with pytest.raises(InvalidDIDURLError):
        DIDURL(did, query="a b")
    with pytest.raises(InvalidDIDURLError):
        DIDURL(did, fragment="#")
    with pytest.raises(TypeError):
        DIDURL("did:example:123")  # type: ignore[arg-type]


def test_values_are_frozen_and_hashable():
    did = parse_did("did:example:123")
    with pytest.raises(dataclasses.FrozenInstanceError):
        did.method = "other"  # type: ignore[misc]
    url = parse_did_url("did:example:123#k")
    assert {did, parse_did("did:example:123")} == {did}
    assert url == parse_did_url("did:example:123#k")
    assert url != parse_did_url("did:example:123#K")
    assert hash(url) == hash(parse_did_url("did:example:123#k"))


def test_empty_and_absent_components_differ():
    assert parse_did_url("did:example:1?").query == ""
    assert parse_did_url("did:example:1").query is None
    assert not parse_did_url("did:example:1#").is_bare_did
    assert parse_did_url("did:example:1").is_bare_did


def test_param_reads_did_parameters():
    url = parse_did_url(
        "did:example:123?service=files&relativeRef=%2Fa%3Fb&versionId=7"
        "&versionTime=2021-05-10T17:00:00Z&hl=zQm1"
    )
    assert DID_PARAMETERS == (
        "service",
        "relativeRef",
        "versionId",
        "versionTime",
        "hl",
    )
    assert url.param("service") == "files"
    assert url.param("relativeRef") == "/a?b"
    assert url.param("versionId") == "7"
    assert url.param("versionTime") == "2021-05-10T17:00:00Z"
    assert url.param("hl") == "zQm1"
    assert url.param("missing") is None


def test_param_refuses_a_repeated_name():
    url = parse_did_url("did:example:123?service=a&service=b")
    assert url.params == (("service", "a"), ("service", "b"))
    with pytest.raises(InvalidDIDURLError, match="more than once"):
        url.param("service")


def test_params_decode_invalid_utf8_without_raising():
    url = parse_did_url("did:example:123?x=%FF")
    assert url.param("x") == "\ufffd"


# The fast, percent-free patterns parse_did_url and parse_did try first must
# accept only texts the full grammar accepts, with the same components.
_PIECES = ["did:", "key:", "web:", "z6Mk", "a", "B", "9", ".", "-", "_", ":", "/"]
_PIECES += ["?", "#", "%41", "%4", "~", "!", "$", "&", "'", "(", "*", ";", "=", "@"]
_PIECES += ["did", "x:y", " ", "é", "[", "\n", "%zz", "+", ","]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12))
def test_plain_patterns_agree_with_the_grammar(pieces: list[str]) -> None:
    text = "did:" + "".join(pieces) if pieces[:1] != ["did:"] else "".join(pieces)
    plain = syntax._PLAIN_DID_URL_RE.fullmatch(text)
    full = syntax._DID_URL_RE.fullmatch(text)
    if plain is not None:
        assert full is not None
        assert [plain[g] for g in ("did", "path", "query", "fragment")] == [
            full[g] for g in ("did", "path", "query", "fragment")
        ]
    if syntax._PLAIN_DID_RE.fullmatch(text) is not None:
        assert syntax._DID_RE.fullmatch(text) is not None
    if full is None:
        with pytest.raises(InvalidDIDURLError):
            parse_did_url(text)
        assert not is_did_url(text)
        return
    # The parsed URL equals one built through the checking constructors.
    method, _, msid = full["did"][4:].partition(":")
    expected = DIDURL(DID(method, msid), full["path"], full["query"], full["fragment"])
    assert parse_did_url(text) == expected
    assert str(parse_did_url(text)) == text
    assert is_did_url(text)
    if syntax._DID_RE.fullmatch(text) is not None:
        assert parse_did(text) == DID(method, msid)
        assert is_did(text)
    else:
        with pytest.raises(InvalidDIDError):
            parse_did(text)


def test_parsed_urls_are_remembered_within_a_bound() -> None:
    syntax._parse_did_url.cache_clear()
    for n in range(PARSE_CACHE_SIZE + 50):
        parse_did_url(f"did:example:{n}#key-1")
    assert syntax._parse_did_url.cache_info().currsize == PARSE_CACHE_SIZE
    first = parse_did_url("did:example:1#key-1")
    assert parse_did_url("did:example:1#key-1") is first


def test_parsed_dids_are_remembered_within_a_bound_and_refusals_are_not() -> None:
    syntax._parse_did.cache_clear()
    for n in range(PARSE_CACHE_SIZE + 50):
        parse_did(f"did:example:{n}")
    assert syntax._parse_did.cache_info().currsize == PARSE_CACHE_SIZE
    first = parse_did("did:example:1")
    assert parse_did("did:example:1") is first
    syntax._parse_did.cache_clear()
    for _ in range(2):
        with pytest.raises(InvalidDIDError, match="DID URL"):
            parse_did("did:example:a#b")
    assert syntax._parse_did.cache_info().currsize == 0


def test_refused_urls_are_refused_every_time() -> None:
    for _ in range(2):
        with pytest.raises(InvalidDIDURLError, match="malformed percent"):
            parse_did_url("did:example:a#b%4")
    with pytest.raises(InvalidDIDURLError, match="expected a string"):
        parse_did_url(["did:example:a"])  # type: ignore[arg-type]
