"""canonicalize_jcs_with_and_without and canonicalize_jcs_without: the same
bytes as canonicalizing each form on its own."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssi.errors import CanonicalizationError
from ssi.jsonld import canon
from ssi.jsonld.canon import (
    canonicalize_jcs,
    canonicalize_jcs_with_and_without,
    canonicalize_jcs_without,
)

_KEYS = st.sampled_from(["proof", "a", "z", "pro", "proofs", "é", 'a"proof', "\u20ac"])
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.text(max_size=8)
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(_KEYS | st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEYS | st.text(max_size=4), _JSON, max_size=5), _JSON)
def test_both_forms_are_the_canonical_bytes(members, member):
    value = dict(members, proof=member)
    # The same member nested again, so it occurs more than once.
    if isinstance(member, dict):
        value.setdefault("a", {"proof": member})
    without, whole = canonicalize_jcs_with_and_without(value, "proof")
    assert whole == canonicalize_jcs(value)
    assert without == canonicalize_jcs({k: v for k, v in value.items() if k != "proof"})


def test_a_member_found_once_is_cut_from_one_walk(monkeypatch):
    calls: list[object] = []
    real = canon.canonicalize_jcs

    def counted(value):
        calls.append(value)
        return real(value)

    monkeypatch.setattr(canon, "canonicalize_jcs", counted)
    value = {"a": 1, "proof": {"x": [1, 2]}, "z": "proof"}
    assert canonicalize_jcs_with_and_without(value, "proof") == (
        b'{"a":1,"z":"proof"}',
        b'{"a":1,"proof":{"x":[1,2]},"z":"proof"}',
    )
    # The whole, then the member's name and value alone (small).
    assert calls == [value, "proof", {"x": [1, 2]}]
    calls.clear()
    nested = {"a": {"proof": 1}, "proof": 1}
    assert canonicalize_jcs_with_and_without(nested, "proof") == (
        b'{"a":{"proof":1}}',
        b'{"a":{"proof":1},"proof":1}',
    )
    # Found twice: then the object without the member, on its own.
    assert calls[3:] == [{"a": {"proof": 1}}]
    assert len(calls) == 4


def test_the_only_member_and_the_first_and_the_last():
    for value, without in [
        ({"proof": 1}, b"{}"),
        ({"proof": 1, "z": 2}, b'{"z":2}'),
        ({"a": 0, "proof": 1}, b'{"a":0}'),
    ]:
        assert canonicalize_jcs_with_and_without(value, "proof")[0] == without


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_KEYS | st.text(max_size=4), _JSON, max_size=5), _JSON)
def test_without_from_the_whole_and_the_member_given(members, member):
    value = dict(members, proof=member)
    if isinstance(member, dict):
        value.setdefault("a", {"proof": member})
    expected = canonicalize_jcs({k: v for k, v in value.items() if k != "proof"})
    assert canonicalize_jcs_without(value, "proof") == expected
    given_bytes = canonicalize_jcs_without(
        value,
        "proof",
        whole=canonicalize_jcs(value),
        member=canonicalize_jcs(member),
    )
    assert given_bytes == expected


def test_without_refuses_a_missing_member():
    with pytest.raises(CanonicalizationError, match="no member 'proof'"):
        canonicalize_jcs_without({"a": 1}, "proof")
