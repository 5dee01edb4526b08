"""Entry members of the wrong JSON type fail with the documented codes.

Before, a ``version`` that is an array or an object made resolution raise
``TypeError`` (the versions were put in a set to find forks), so
``ssi.resolve`` raised, the CLI printed a traceback and credential
verification blamed the credential. Every member, whatever JSON value it
holds, must end in an ``InvalidDIDLogError`` with its code, never in a foreign
exception.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ssi
import ssi.methods
from ssi.agora import add_service, resolve_log, update_entry, validate_log
from ssi.agora.log import ENTRY_KEYS
from ssi.did.resolution import ResolutionResult
from ssi.errors import InvalidDIDLogError
from ssi.types import JsonObject, JsonValue
from tests.unit.agora.builders import U1, LogBuilder, at, key, resign, service

BUILT = LogBuilder()
BUILT.add_service(U1, at(1), "hub")
DID = BUILT.did
FORK = update_entry(
    validate_log(BUILT.entries[:1], did=DID),
    key(U1),
    add_service(BUILT.document, service("other")),
    when=at(1.5),
)
LOGS = {"chain": BUILT.entries, "forked": [*BUILT.entries, FORK]}

LOG_CODES = {
    "invalidLogEntry",
    "invalidLogVersion",
    "invalidLogHash",
    "invalidLogTime",
    "invalidLogSignature",
    "unauthorizedLogKey",
    "logAfterDeactivation",
    "duplicity",
    "invalidLogSize",
    "invalidLogThreshold",
    "insufficientLogProofs",
}

WRONG_TYPES: list[JsonValue] = [
    [2],
    [],
    {"n": 2},
    {},
    None,
    True,
    False,
    2.0,
    2.5,
    2**70,
    -(2**70),
    "2",
    "",
]


def _changed(kind: str, index: int, path: tuple[Any, ...], value: Any) -> list[Any]:
    entries = copy.deepcopy(LOGS[kind])
    target: Any = entries[index]
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return entries


def _validation_code(entries: list[Any]) -> str | None:
    """The code validate_log fails with (None: it passes); it raises nothing
    else."""
    try:
        validate_log(entries, did=DID)
    except InvalidDIDLogError as exc:
        return exc.code
    return None


def _resolve_both_ways(entries: list[Any]) -> list[ResolutionResult]:
    """Resolve with the log as entries and, when it can be written, as text."""
    results = [ssi.methods.resolve(DID, log=entries)]
    text = "\n".join(json.dumps(e) for e in entries)
    results.append(ssi.methods.resolve(DID, log=text))
    return results


@pytest.mark.parametrize("kind", sorted(LOGS))
@pytest.mark.parametrize("value", WRONG_TYPES, ids=repr)
def test_a_version_of_the_wrong_type_is_invalid_log_version(kind, value):
    entries = _changed(kind, 1, ("version",), value)
    with pytest.raises(InvalidDIDLogError) as caught:
        resolve_log(DID, [entries])
    assert (caught.value.code, caught.value.entry) == ("invalidLogVersion", 2)
    for result in _resolve_both_ways(entries):
        assert result.did_document is None
        assert result.error == "invalidLogVersion"
        assert result.did_resolution_metadata["logEntry"] == 2


@pytest.mark.parametrize("kind", sorted(LOGS))
@pytest.mark.parametrize("value", [[1], {"v": 1}, None, 1.0, 2**70])
def test_a_first_entry_version_of_the_wrong_type(kind, value):
    entries = _changed(kind, 0, ("version",), value)
    for result in _resolve_both_ways(entries):
        assert (result.error, result.did_resolution_metadata["logEntry"]) == (
            "invalidLogVersion",
            1,
        )


MEMBERS = sorted(ENTRY_KEYS - {"version"})
MEMBER_VALUES: list[JsonValue] = [[2], {"n": 2}, None, True, 2.5, 2**70, ""]


@pytest.mark.parametrize("kind", sorted(LOGS))
@pytest.mark.parametrize("member", MEMBERS)
@pytest.mark.parametrize("value", MEMBER_VALUES, ids=repr)
def test_any_member_of_the_wrong_type_fails_with_a_log_code(kind, member, value):
    for index in range(len(LOGS[kind])):
        entries = _changed(kind, index, (member,), value)
        assert _validation_code(entries) in {None, *LOG_CODES}
        for result in _resolve_both_ways(entries):
            assert result.error in {None, *LOG_CODES}, result.did_resolution_metadata


def test_a_deeply_nested_document_given_as_entries_fails_as_an_entry():
    deep: Any = []
    for _ in range(5000):
        deep = [deep]
    entries = _changed("forked", 1, ("document", "x"), deep)
    assert ssi.methods.resolve(DID, log=entries).error == "invalidLogEntry"


def test_member_names_of_other_types_are_unknown_members():
    entries = _changed("chain", 1, (7,), "x")
    entries[1][None] = "y"
    result = ssi.methods.resolve(DID, log=entries)
    assert (result.error, result.did_resolution_metadata["logEntry"]) == (
        "invalidLogEntry",
        2,
    )


# Where random values go: every member, the proof's members, and members of
# the document state and its verification method and service.
PATHS: list[tuple[Any, ...]] = [
    *((name,) for name in sorted(ENTRY_KEYS)),
    *(
        ("proof", name)
        for name in (
            "type",
            "cryptosuite",
            "proofPurpose",
            "created",
            "verificationMethod",
            "proofValue",
        )
    ),
    ("updateKeys", 0),
    *(
        ("document", name)
        for name in (
            "verificationMethod",
            "authentication",
            "assertionMethod",
            "service",
            "controller",
            "alsoKnownAs",
        )
    ),
    *(
        ("document", "verificationMethod", 0, name)
        for name in ("id", "type", "controller", "publicKeyMultibase")
    ),
    *(("document", "service", 0, name) for name in ("id", "type", "serviceEndpoint")),
]

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**53, max_value=2**80)
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(["#key-1", "z6Mk", "did:key:z#z", "2024-01-02T00:00:00Z"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(sorted(LOGS)),
    st.integers(min_value=0, max_value=2),
    st.sampled_from(PATHS),
    JSON_VALUES,
    st.booleans(),
)
def test_random_values_in_any_field_never_raise_a_foreign_error(
    kind, index, path, value, signed
):
    entries = copy.deepcopy(LOGS[kind])
    index = min(index, len(entries) - 1)
    target: Any = entries[index]
    try:
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
    except (KeyError, IndexError, TypeError):
        return  # the member to change is not there in this log
    if signed and path[0] != "proof":
        # Signed again, the entry gets past the signature to the checks
        # behind it (authorization, the DID document of its state).
        entries[index] = _signed_again(entries[index])
    assert _validation_code(entries) in {None, *LOG_CODES}
    for result in _resolve_both_ways(entries):
        assert result.error is None or result.error in LOG_CODES, (
            result.did_resolution_metadata
        )


def _signed_again(entry: JsonObject) -> JsonObject:
    try:
        return resign(entry, U1)
    except Exception:  # not canonical JSON, or no time to sign with: keep it
        return entry
