"""check_json_for_jcs and canonicalize_simple_jcs: the check of
check_json_value, and, for what it calls simple, the bytes of
canonicalize_jcs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssi.credentials import check_json_value
from ssi.credentials.json_input import check_json_for_jcs
from ssi.errors import CanonicalizationError, ParsingError
from ssi.jsonld.canon import canonicalize_jcs, canonicalize_simple_jcs

_KEYS = st.sampled_from(["a", "@context", "é", "\U0001f600", "z", "\ue000"]) | st.text(
    max_size=3
)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**60), 2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3)
    ),
    max_leaves=15,
)


@settings(max_examples=400, deadline=None)
@given(_JSON)
def test_simple_json_has_the_bytes_of_jcs_and_the_check_is_the_same(value):
    embedded, simple = check_json_for_jcs(value)
    assert {id(node) for node in embedded} == {
        id(node) for node in check_json_value(value)
    }
    if not simple:
        return
    assert isinstance(value, dict | list)
    assert canonicalize_simple_jcs(value) == canonicalize_jcs(value)


@pytest.mark.parametrize(
    "value",
    [
        {"n": 1.5},
        {"n": 2**53},
        {"é": 1},
        [{"deep": [-(2**53)]}],
        "a string",
        7,
    ],
)
def test_what_is_not_simple_is_said_so(value):
    assert check_json_for_jcs(value)[1] is False


def test_simple_json_is_simple_and_a_bad_value_is_refused():
    value = {"@context": ["x"], "b": [1, True, None, {"@context": "y"}]}
    embedded, simple = check_json_for_jcs(value)
    assert simple
    assert embedded == (value["b"][3],)
    with pytest.raises(ParsingError):
        check_json_for_jcs({"n": float("nan")})
    with pytest.raises(CanonicalizationError):
        canonicalize_simple_jcs({"s": "\ud800"})
