"""Governance readers on arbitrary input: any JSON value, or a valid object
with one member replaced by any JSON value, is read or refused with an
SSIError that has a code; never a foreign exception."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssi.cid import object_cid
from ssi.errors import InvalidConstitutionError, SSIError
from ssi.social import (
    Option,
    constitution_credential,
    parse_rules,
    proposal_credential,
    read_constitution,
    read_proposal,
    read_signal,
    rules_from_toml,
    signal_credential,
)
from tests.unit.social.test_constitution import wire_rules

AUTHOR = "did:example:alice"
CID = object_cid({"x": 1})
T0 = datetime(2025, 3, 1, tzinfo=UTC)
T1 = datetime(2025, 3, 3, tzinfo=UTC)
T2 = datetime(2025, 3, 10, tzinfo=UTC)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**60), 2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _valid_objects():
    proposal = proposal_credential(
        AUTHOR, community="did:example:c", constitution=CID, kind="ordinary",
        title="t", method="schulze", opens=T1, closes=T2, valid_from=T0,
        options=[Option("a", "A"), Option("b", "B")],
    )  # fmt: skip
    amendment = proposal_credential(
        AUTHOR, community="did:example:c", kind="amendment", title="t",
        method="plurality", opens=T1, closes=T2, valid_from=T0,
        amendment=wire_rules(),
    )  # fmt: skip
    constitution = constitution_credential(
        "did:example:c", wire_rules(), version=1, ratified_by=CID, valid_from=T0
    )
    signal = signal_credential(AUTHOR, CID, valid_from=T0)
    return [
        (read_proposal, proposal),
        (read_proposal, amendment),
        (read_constitution, constitution),
        (read_signal, signal),
    ]


VALID = _valid_objects()


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


def _replace(document, path, value):
    if not path:
        return value
    out = copy.deepcopy(document)
    target = out
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return out


def _refusal(reader, value) -> SSIError | None:
    """Read ``value``; return the SSIError it was refused with, if any (any
    other exception fails the test)."""
    try:
        reader(value)
    except SSIError as error:
        return error
    return None


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_any_json_value_is_read_or_refused_with_a_code(value):
    for reader in (read_proposal, read_constitution, read_signal, parse_rules):
        error = _refusal(reader, value)
        assert error is None or error.code


@pytest.mark.parametrize(
    ("reader", "document"),
    VALID,
    ids=["ordinary", "amendment", "constitution", "signal"],
)
@settings(max_examples=120, deadline=None)
@given(data=st.data())
def test_one_member_replaced_is_read_or_refused_with_a_code(reader, document, data):
    paths = list(_paths(document))
    path = data.draw(st.sampled_from(paths))
    changed = _replace(document, path, data.draw(json_values))
    error = _refusal(reader, changed)
    assert error is None or error.code


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_any_text_as_toml_is_read_or_refused_as_a_constitution(text):
    error = _refusal(rules_from_toml, text)
    assert error is None or isinstance(error, InvalidConstitutionError)
