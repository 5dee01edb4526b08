"""Untrusted JSON in: strict parsing, size and depth caps that fail fast, and the
check of values that are already parsed."""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from decimal import Decimal

import pytest

from ssi.credentials import json_input
from ssi.credentials.json_input import (
    MAX_DEPTH,
    MAX_DOCUMENT_BYTES,
    check_json_value,
    load_json,
)
from ssi.errors import ParsingError
from tests.growth import bytecodes
from tests.vectors import load

CREDENTIAL = load.json_file(
    "vc-model", "v2-examples", "example-04-type-ecdsa-rdfc-2019.json"
)


def _nested(depth, leaf="0", open_="[", close="]"):
    return open_ * depth + leaf + close * depth


def _nested_value(depth):
    value: object = 0
    for _ in range(depth):
        value = [value]
    return value


@pytest.fixture
def no_parser(monkeypatch):
    """Make reaching the JSON parser fail the test: the caps come first."""

    def loads(*args, **kwargs):
        raise AssertionError("the parser was reached")

    monkeypatch.setattr(json_input.json, "loads", loads)


# --- load_json: what it accepts ----------------------------------------------------


def test_constants():
    assert MAX_DOCUMENT_BYTES == 8 * 1024 * 1024
    assert MAX_DEPTH == 64


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("{}", {}),
        ("[]", []),
        ('"text"', "text"),
        ("0", 0),
        ("-1.5e3", -1500.0),
        ("true", True),
        ("null", None),
        (' \n\t{"a": [1, 2.5, "x", null, false]} ', {"a": [1, 2.5, "x", None, False]}),
        ('"\\ud83d\\ude00"', "\U0001f600"),
        ('"caf\\u00e9 \\"quoted\\" \\\\ [{"', 'café "quoted" \\ [{'),
    ],
)
def test_plain_json_is_parsed(text, value):
    assert load_json(text) == value
    assert load_json(text.encode("utf-8")) == value


def test_a_spec_credential_round_trips():
    text = json.dumps(CREDENTIAL)
    assert load_json(text) == CREDENTIAL
    assert load_json(text.encode()) == CREDENTIAL
    assert load_json(bytearray(text.encode())) == CREDENTIAL


def test_non_ascii_text_and_bytes():
    assert load_json('{"name": "Université Exemple"}') == {"name": "Université Exemple"}
    assert load_json('{"name": "جامعة"}'.encode()) == {"name": "جامعة"}


# --- load_json: what it refuses ----------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("", "not JSON"),
        ("{", "not JSON"),
        ("{'a': 1}", "not JSON"),
        ('{"a": 1,}', "not JSON"),
        ("[1, 2", "not JSON"),
        ("01", "not JSON"),
        ('{"a": 1} {"b": 2}', "not JSON"),
        ('"tab\there"', "not JSON"),
        ("undefined", "not JSON"),
        ("// comment\n{}", "not JSON"),
        ('{"a": 1, "a": 2}', "repeats the key 'a'"),
        ('{"outer": {"x": 1, "y": 2, "x": 3}}', "repeats the key 'x'"),
        ('[{"id": 1, "id": 1}]', "repeats the key 'id'"),
        ("NaN", "NaN"),
        ('{"n": Infinity}', "Infinity"),
        ("[-Infinity]", "-Infinity"),
        ("1e400", "finite"),
        ("[-1e999]", "finite"),
        ("1" * 5000, "too long"),
        ('"\\ud800"', "unpaired surrogate"),
        ('{"\\udc00": 1}', "unpaired surrogate"),
        ('["ok", ["\\ud83d x"]]', "unpaired surrogate"),
    ],
)
def test_bad_json_text_is_a_parsing_error(data, message):
    with pytest.raises(ParsingError, match=re.escape(message)):
        load_json(data)


def test_an_escaped_backslash_before_u_is_not_a_surrogate():
    assert load_json('"\\\\ud800"') == "\\ud800"


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf{}",
        b'{"a": "\xff"}',
        b'{"a": "\xc3"}',
        b'"\xed\xa0\x80"',  # A surrogate encoded in UTF-8 (CESU-8).
        b"\xff\xfe{\x00}\x00",  # UTF-16 with its byte order mark.
        b'"\xc0\xaf"',  # An overlong encoding of "/".
    ],
)
def test_bytes_that_are_not_utf8_are_refused(data):
    with pytest.raises(ParsingError):
        load_json(data)


def test_a_byte_order_mark_in_text_is_refused():
    with pytest.raises(ParsingError, match="byte order mark"):
        load_json("\ufeff{}")


def test_a_lone_surrogate_in_text_is_refused():
    with pytest.raises(ParsingError, match="unpaired surrogate"):
        load_json('"\ud800"')


def test_wrong_argument_type_is_a_type_error():
    with pytest.raises(TypeError):
        load_json({"a": 1})  # type: ignore[arg-type]


def test_parsing_errors_carry_the_spec_code():
    with pytest.raises(ParsingError) as caught:
        load_json("{")
    assert caught.value.code == "PARSING_ERROR"
    assert caught.value.__cause__ is not None


# --- load_json: size ---------------------------------------------------------------


def test_size_cap_is_checked_in_bytes():
    assert load_json(b"[" + b" " * 98 + b"]", max_bytes=100) == []
    with pytest.raises(ParsingError, match="larger than 100 bytes"):
        load_json(b"[" + b" " * 99 + b"]", max_bytes=100)
    # Ten characters, twenty bytes of UTF-8.
    assert load_json('"' + "é" * 8 + '"', max_bytes=18) == "é" * 8
    with pytest.raises(ParsingError, match="larger than 17 bytes"):
        load_json('"' + "é" * 8 + '"', max_bytes=17)


def test_a_50_mb_document_is_refused_before_parsing_with_constant_work(no_parser):
    # The size is checked first; the work does not grow with the document.
    work = {}
    for megabytes in (9, 50):
        text = '{"data": "' + "x" * (megabytes * 1024 * 1024) + '"}'
        for value in (text, text.encode()):
            with pytest.raises(ParsingError, match="larger than"):
                load_json(value)
            work[megabytes, type(value)] = bytecodes(
                lambda v=value: load_json(v), raises=ParsingError
            )
    assert work[9, str] == work[50, str]
    assert work[9, bytes] == work[50, bytes]


# --- load_json: depth --------------------------------------------------------------


@pytest.mark.parametrize(("open_", "close"), [("[", "]"), ('{"k":', "}")])
def test_depth_limit_is_exact(open_, close):
    load_json(_nested(MAX_DEPTH, open_=open_, close=close))
    with pytest.raises(ParsingError, match="deeper than 64 levels"):
        load_json(_nested(MAX_DEPTH + 1, open_=open_, close=close))


def test_depth_limit_can_be_lowered():
    assert load_json("[[[]]]", max_depth=3) == [[[]]]
    with pytest.raises(ParsingError, match="deeper than 2 levels"):
        load_json("[[[]]]", max_depth=2)


def _work_of(call, values, raises=None):
    """The bytecodes ``call(value)`` executes, for each value."""
    return [bytecodes(lambda v=v: call(v), raises=raises) for v in values]


@pytest.mark.parametrize(("open_", "close"), [("[", "]"), ('{"a":', "}")])
def test_10000_deep_nesting_is_refused_before_parsing(no_parser, open_, close):
    # No RecursionError, no parser, and no more work at 40,000 than at 10,000
    # levels: the depth scan stops at the first level too deep.
    texts = [_nested(depth, open_=open_, close=close) for depth in (10_000, 40_000)]
    for text in texts:
        with pytest.raises(ParsingError, match="deeper than"):
            load_json(text)
    small, large = _work_of(load_json, texts, ParsingError)
    assert small == large


def test_deep_nesting_that_fills_the_size_cap_is_refused_with_constant_work(
    no_parser,
):
    half = MAX_DOCUMENT_BYTES // 2 - 1
    with pytest.raises(ParsingError, match="deeper than"):
        load_json("[" * half + "]" * half)
    quarter, full = (
        bytecodes(lambda n=n: load_json("[" * n + "]" * n), raises=ParsingError)
        for n in (half // 4, half)
    )
    assert quarter == full


def test_unbalanced_deep_text_never_reaches_the_parser_recursion():
    for text in ("[" * 100_000, '{"a":' * 50_000, "[" * 70 + '"' + "[" * 100):
        with pytest.raises(ParsingError):
            load_json(text)


def test_brackets_inside_strings_do_not_count():
    brackets = '"' + "[{" * 200 + '\\"]}' + "[" * 100 + '"'
    assert load_json(f"[{brackets}, {brackets}]")[0].startswith("[{[{")
    # Escaped quotes and backslashes do not end a string early.
    tricky = '"\\\\" , "\\"[[[[", "' + "[" * 100 + '\\\\"'
    assert len(load_json(f"[{tricky}]")) == 3


def test_depth_is_measured_outside_strings_only():
    inner = _nested(MAX_DEPTH - 1, leaf='"' + "[" * 200 + '"')
    assert load_json(f"[{inner}]")
    with pytest.raises(ParsingError, match="deeper than"):
        load_json(f"[[{inner}]]")


def test_wide_documents_within_the_depth_limit_are_accepted():
    wide = "[" + ",".join([_nested(MAX_DEPTH - 1)] * 200) + "]"
    assert len(load_json(wide)) == 200
    mixed = "[" + ",".join(['{"a": [[], {}], "b": [{"c": {}}]}'] * 5000) + "]"
    assert len(load_json(mixed)) == 5000


@pytest.mark.parametrize("depth", [1, 2, 5, 30, 63, 64, 65, 66, 100])
@pytest.mark.parametrize(
    "shape",
    [
        "list",
        "object",
        "deep-last",
        "deep-in-string-neighbours",
        "escaped-quote-neighbours",
    ],
)
def test_depth_scan_agrees_with_a_recursive_walk(depth, shape):
    if shape == "list":
        text = _nested(depth)
    elif shape == "object":
        text = _nested(depth, open_='{"k": [1, {}], "v":', close="}")
    elif shape == "deep-last":
        text = "[" + ",".join(["[[]]"] * 50 + [_nested(depth - 1)]) + "]"
    elif shape == "deep-in-string-neighbours":
        text = _nested(depth, open_='["]]]]",', close=',"[[[["]')
    else:
        text = _nested(depth, open_='["\\"]]\\\\",', close=',"\\\\[\\"["]')
    expected = _depth(json.loads(text))
    if expected <= MAX_DEPTH:
        assert load_json(text) == json.loads(text)
    else:
        with pytest.raises(ParsingError, match="deeper than"):
            load_json(text)


def _bracket_texts(length):
    """Every text of ``length`` tokens drawn from brackets and a string literal."""
    tokens = ["[", "]", '{"k":', "}", ",", '"]["']
    texts = [""]
    for _ in range(length):
        texts = [text + token for text in texts for token in tokens]
    return texts


@pytest.mark.parametrize("max_depth", [0, 1, 2])
def test_depth_scan_agrees_with_the_parser_on_every_small_text(max_depth):
    for length in range(1, 7):
        for text in _bracket_texts(length):
            try:
                value = json.loads(text)
            except ValueError:
                with pytest.raises(ParsingError):
                    load_json(text, max_depth=max_depth)
                continue
            if _depth(value) <= max_depth:
                assert load_json(text, max_depth=max_depth) == value, text
            else:
                with pytest.raises(ParsingError, match="deeper than"):
                    load_json(text, max_depth=max_depth)


def _depth(value):
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


# --- check_json_value --------------------------------------------------------------


def test_check_accepts_plain_json():
    check_json_value(CREDENTIAL)
    check_json_value({"a": [1, 2.5, "x", None, True, {"b": []}]})
    for scalar in (None, True, 0, -1.5, "x", 10**30):
        check_json_value(scalar)


def test_check_accepts_subclasses_of_json_types():
    check_json_value(OrderedDict(a=1))

    class Text(str):
        pass

    check_json_value({"a": Text("x")})


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ({"a": {1, 2}}, "$.a"),
        ({"a": (1, 2)}, "$.a"),
        ({"a": [1, b"bytes"]}, "$.a[1]"),
        ({"a": Decimal("1.5")}, "$.a"),
        ({"a": [{"b": object()}]}, "$.a[0].b"),
        ({"a": float("nan")}, "$.a"),
        ({"a": [float("inf")]}, "$.a[0]"),
        ({"a": {"b": -float("inf")}}, "$.a.b"),
        ({1: "x"}, "$"),
        ({"a": {None: "x"}}, "$.a"),
        ({"key with spaces": {"x": set()}}, "$['key with spaces'].x"),
        (float("nan"), "$"),
        (set(), "$"),
    ],
)
def test_check_refuses_values_that_are_not_json_and_names_the_path(value, path):
    with pytest.raises(ParsingError) as caught:
        check_json_value(value)
    assert re.search(re.escape(path) + r"(?![\w.\[])", caught.value.detail), (
        caught.value.detail
    )


def test_check_uses_the_given_root_path():
    with pytest.raises(ParsingError, match=re.escape("$.verifiableCredential[0].x")):
        check_json_value({"x": {1}}, path="$.verifiableCredential[0]")


def test_check_depth_limit_is_exact():
    check_json_value(_nested_value(MAX_DEPTH))
    with pytest.raises(ParsingError, match="deeper than 64 levels"):
        check_json_value(_nested_value(MAX_DEPTH + 1))
    check_json_value(_nested_value(3), max_depth=3)
    with pytest.raises(ParsingError, match="deeper than 2 levels"):
        check_json_value(_nested_value(3), max_depth=2)


def test_check_depth_counts_objects_too():
    value: object = 0
    for _ in range(MAX_DEPTH):
        value = {"k": value}
    check_json_value(value)
    with pytest.raises(ParsingError, match=re.escape("$" + ".k" * MAX_DEPTH)):
        check_json_value({"k": value})


def test_check_handles_10000_deep_values_without_recursion():
    with pytest.raises(ParsingError, match="deeper than"):
        check_json_value(_nested_value(10_000))
    # Both walks stop at the first level too deep: no more work at 40,000.
    values = [_nested_value(depth) for depth in (10_000, 40_000)]
    small, large = _work_of(check_json_value, values, ParsingError)
    assert small == large


def test_check_handles_shared_and_wide_values():
    shared = {"x": [1, 2, 3]}
    check_json_value({"a": shared, "b": shared, "c": [shared] * 1000})


def _credential_with(subjects: int) -> dict[str, object]:
    return {
        **CREDENTIAL,
        "credentialSubject": [
            {"id": f"did:example:{i}", "name": "x", "n": i, "tags": ["a", "b"],
             "nested": {"k": 1.5, "@context": {"k": "https://example.org/k"}}}
            for i in range(subjects)
        ],
    }  # fmt: skip


def _nodes(value: object) -> int:
    nodes, stack = 0, [value]
    while stack:
        item = stack.pop()
        nodes += 1
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return nodes


def test_check_work_grows_linearly_with_the_document():
    # The speed of this check is measured by benchmarks/credentials.py; here,
    # the work per node stays the same as the document grows: 4x the subjects
    # costs 4x the bytecodes, give or take the fixed part.
    values = [_credential_with(n) for n in (50, 200)]
    small, large = _work_of(check_json_value, values)
    assert 3.5 < large / small < 4.5
    # About 40 bytecodes per node today on CPython 3.11 (the fast walk makes
    # no call per node); the slow walk costs over 60, calls per node more.
    assert large < 50 * _nodes(values[1])
    assert len(check_json_value(values[1])) == 200


def test_check_does_not_modify_the_value():
    value = {"a": [1, {"b": 2}], "c": "d"}
    snapshot = json.dumps(value)
    check_json_value(value)
    assert json.dumps(value) == snapshot


def test_long_repeated_keys_are_shown_cut_short():
    key = "k" * 1000
    with pytest.raises(ParsingError) as caught:
        load_json(json.dumps({key: 1})[:-1] + f', "{key}": 2}}')
    assert key not in caught.value.detail
    assert len(caught.value.detail) < 120


def test_a_recursion_error_from_the_parser_becomes_a_parsing_error(monkeypatch):
    def overflow(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(json_input.json, "loads", overflow)
    with pytest.raises(ParsingError, match="deeper than"):
        load_json("[]")
