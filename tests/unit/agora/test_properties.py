"""Property tests: random histories validate; any one-character change fails."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ssi
import ssi.methods
from ssi.agora import remove_service, split_lines, validate_log
from ssi.errors import InvalidDIDLogError
from ssi.types import JsonValue
from tests.unit.agora.builders import T0, LogBuilder, jsonl, multikey

SETTINGS = settings(max_examples=25, deadline=None)

OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["update", "service", "drop", "rotate", "compromise"]),
        st.integers(min_value=1, max_value=10**6),  # seconds after the last entry
        st.sampled_from(["hub", "blog", "shop"]),
    ),
    max_size=6,
)


@st.composite
def histories(draw: st.DrawFn) -> LogBuilder:
    """A log made by a random sequence of operations, maybe deactivated."""
    builder = LogBuilder()
    current, committed, fresh = 1, 2, 3
    signing = 11
    when = T0
    for operation, seconds, name in draw(OPERATIONS):
        when += timedelta(seconds=seconds)
        if operation == "update":
            builder.update(current, when)
        elif operation == "service":
            if any(s["id"] == "#" + name for s in builder.document.get("service", [])):
                continue
            builder.add_service(current, when, name)
        elif operation == "drop":
            builder.update(current, when, remove_service(builder.document, name))
        else:
            marked = [multikey(signing)] if operation == "compromise" else []
            signing += 1
            builder.rotate(
                committed, [fresh], when, signing=signing, compromised=marked
            )
            current, committed, fresh = committed, fresh, fresh + 1
    if draw(st.booleans()):
        builder.deactivate(committed, when + timedelta(seconds=1))
    return builder


@SETTINGS
@given(histories())
def test_random_histories_validate_and_resolve(builder):
    log = validate_log(builder.entries, did=builder.did)
    assert log.latest.version == len(builder.entries)
    parsed = split_lines(jsonl(builder.entries))
    assert validate_log(parsed, did=builder.did).latest.hash == log.latest.hash
    result = ssi.methods.resolve(builder.did, log=jsonl(builder.entries))
    assert result.ok
    assert result.did_document_metadata["versionId"] == str(log.latest.version)
    assert result.did_document_metadata.get("deactivated", False) == (
        log.latest.deactivated
    )


def _string_paths(
    value: JsonValue, path: tuple[object, ...] = ()
) -> Iterator[tuple[tuple[object, ...], str]]:
    """Yield the path of every string value (and of every member name)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield (*path, ("name", name)), name
            yield from _string_paths(item, (*path, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _string_paths(item, (*path, index))


def _replace(value: JsonValue, path: tuple[object, ...], new: str) -> JsonValue:
    if not path:
        return new
    step, rest = path[0], path[1:]
    if isinstance(step, tuple):  # rename a member, keeping its place
        old = step[1]
        assert isinstance(value, dict)
        return {(new if k == old else k): v for k, v in value.items()}
    if isinstance(value, dict):
        return {
            k: (_replace(v, rest, new) if k == step else v) for k, v in value.items()
        }
    assert isinstance(value, list)
    return [_replace(v, rest, new) if i == step else v for i, v in enumerate(value)]


@SETTINGS
@given(histories(), st.data())
def test_any_one_character_change_fails_validation(builder, data):
    entries = split_lines(jsonl(builder.entries))
    index = data.draw(st.integers(0, len(entries) - 1), label="entry")
    paths = [p for p in _string_paths(entries[index]) if p[1]]
    path, old = data.draw(st.sampled_from(paths), label="string")
    position = data.draw(st.integers(0, len(old) - 1), label="position")
    char = data.draw(
        st.characters(codec="utf-8", exclude_characters=old[position]), label="char"
    )
    new = old[:position] + char + old[position + 1 :]
    changed = _replace(entries[index], path, new)
    if isinstance(path[-1], tuple) and new in entries[index]:
        return  # renaming a member onto another one is not a one-character edit
    lines = jsonl(entries).splitlines()
    lines[index] = json.dumps(changed)
    # A renamed member may now repeat another: split_lines refuses the line.
    # Either way the failure is at the changed entry itself.
    with pytest.raises(InvalidDIDLogError) as caught:
        validate_log(split_lines("\n".join(lines)), did=builder.did)
    assert caught.value.entry == index + 1
