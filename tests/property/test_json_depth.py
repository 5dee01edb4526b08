"""The nesting limit of ssi.messaging.load_json holds for any JSON: a value
is refused exactly when it nests deeper than MAX_DEPTH, whatever brackets,
quotes and backslashes its strings hold and however it is spaced."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssi.messaging import MalformedMessageError
from ssi.messaging.message import MAX_DEPTH, load_json

TRICKY = st.text(alphabet='[]{}"\\,: ab\u00e9\U0001f600', max_size=8)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), TRICKY)


def _depth(value: object) -> int:
    """The reference: nesting depth by recursion."""
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


@st.composite
def nested(draw: st.DrawFn) -> object:
    """A chain of containers of random depth, each with scalar and shallow
    siblings, around a scalar."""
    value: object = draw(SCALARS)
    levels = st.integers(0, MAX_DEPTH + 8) | st.integers(MAX_DEPTH - 2, MAX_DEPTH + 1)
    for _ in range(draw(levels)):
        siblings = draw(st.lists(st.one_of(SCALARS, st.lists(SCALARS)), max_size=3))
        if draw(st.booleans()):
            keys = draw(st.lists(TRICKY, min_size=len(siblings), unique=True))
            obj: dict[str, object] = dict(zip(keys, siblings, strict=False))
            obj["next"] = value  # no TRICKY key has an n, x or t
            value = obj
        else:
            value = [*siblings, value]
    return value


@settings(max_examples=40, deadline=None)
@given(nested(), st.booleans(), st.sampled_from([None, 0, 1]))
def test_refused_exactly_when_deeper_than_the_limit(value, ascii_only, indent):
    text = json.dumps(value, ensure_ascii=ascii_only, indent=indent)
    if _depth(value) > MAX_DEPTH:
        with pytest.raises(MalformedMessageError, match="deeper"):
            load_json(text)
    else:
        assert load_json(text) == value
