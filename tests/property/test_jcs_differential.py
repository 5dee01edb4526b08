"""JCS through the standard-library fast path equals the ``rfc8785`` package."""

from __future__ import annotations

from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from ssi.errors import CanonicalizationError
from ssi.jsonld.canon import MAX_DEPTH, _fast_jcs, canonicalize_jcs

_keys = st.one_of(st.text(max_size=6), st.sampled_from(["a", "B", "é", "\u20ac", "_"]))
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**60), max_value=2**60),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
_json = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(_keys, inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(_json)
def test_fast_jcs_is_rfc8785_or_declines(value: Any) -> None:
    try:
        expected = rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, ValueError, TypeError):
        expected = None
    fast = _fast_jcs(value)
    if fast is not None:
        assert fast == expected
    if expected is not None:
        assert canonicalize_jcs(value) == expected


def test_fast_jcs_declines_what_it_cannot_serialize_exactly() -> None:
    deep: Any = []
    for _ in range(MAX_DEPTH + 1):
        deep = [deep]
    for value in (
        {"n": 2**53},
        {"x": 1.5},
        {"é": 1},
        {"s": "\ud800"},
        [True, {"k": [1, 2, {"z": 0.1}]}],
        deep,
        {1: "non-string key"},
    ):
        assert _fast_jcs(value) is None
    with pytest.raises(CanonicalizationError):
        canonicalize_jcs(deep)
