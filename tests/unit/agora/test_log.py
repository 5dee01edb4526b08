"""Log parsing and validation details beyond the tamper suite."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

import ssi
import ssi.methods
from ssi.agora import (
    add_service,
    did_for_inception,
    entry_hash,
    key_hash,
    split_lines,
    update_entry,
    validate_log,
)
from ssi.errors import InvalidDIDLogError
from ssi.types import JsonValue
from tests.unit.agora.builders import (
    U1,
    U2,
    U3,
    LogBuilder,
    at,
    five_entry_log,
    key,
    multikey,
    resign,
)


def _code(
    entries: Sequence[JsonValue], *, did: str | None = None
) -> tuple[str, int | None]:
    with pytest.raises(InvalidDIDLogError) as caught:
        validate_log(entries, did=did)
    return caught.value.code, caught.value.entry


def test_hashes_are_multibase_sha256_multihashes():
    built = LogBuilder()
    assert built.did.startswith("did:agora:zQm")
    assert entry_hash(built.entries[0]).startswith("zQm")
    assert key_hash(multikey(U2)).startswith("zQm")
    assert built.log.states[0].next_key_hashes == (key_hash(multikey(U2)),)
    assert did_for_inception(built.entries[0]) == built.did


def test_entries_chain_by_hash():
    built = five_entry_log()
    for before, after in zip(built.entries, built.entries[1:], strict=False):
        assert after["previous"] == entry_hash(before)


def test_split_lines_keeps_unicode_line_separators_inside_strings():
    # JSON Lines ends lines at \n only; U+2028, U+0085 and U+000C may stand
    # unescaped in a JSON string (json.dumps(ensure_ascii=False) writes them).
    built = LogBuilder()
    odd = {"id": "#s", "type": "X", "serviceEndpoint": "https://a.example"}
    odd["description"] = "a\u2028b\x85c\x0cd\x1ce"
    built.update(U1, at(1), add_service(built.document, odd))
    text = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in built.entries)
    entries = split_lines(text)
    assert entries == built.entries
    assert validate_log(entries, did=built.did).latest.version == 2


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ('{"version": 1, "version": 1}', "repeated member"),
        ('{"a": {"b": 1, "b": 2}}', "repeated nested member"),
        ('{"a": NaN}', "NaN"),
        ('{"a": -Infinity}', "Infinity"),
        ("[" * 100_000, "too deep"),
    ],
)
def test_split_lines_refuses_lines_that_are_not_strict_json(line, why):
    with pytest.raises(InvalidDIDLogError) as caught:
        split_lines('{"first": true}\n' + line + "\n")
    assert (caught.value.code, caught.value.entry) == ("invalidLogEntry", 2), why


@pytest.mark.parametrize("value", [2**60, float("nan"), float("inf")])
def test_a_first_entry_that_jcs_cannot_hash_is_an_invalid_entry(value):
    entries = copy.deepcopy(five_entry_log().entries)
    entries[0]["document"]["x"] = value
    assert _code(entries) == ("invalidLogEntry", 1)
    result = ssi.methods.resolve("did:agora:zQmNope", log=entries)
    assert result.error == "invalidLogEntry"


def test_a_later_entry_that_jcs_cannot_hash_is_an_invalid_entry():
    # An integer beyond 2**53 has no JCS form: the entry cannot be hashed or
    # signed, so it is refused as malformed before its signature is checked.
    entries = copy.deepcopy(five_entry_log().entries)
    entries[2]["document"]["x"] = 2**60
    assert _code(entries) == ("invalidLogEntry", 3)


def test_a_state_that_is_not_a_did_document_fails_when_it_is_resolved():
    # docs/did-agora.md 5.2 and 5.4: validation checks the chain; the document
    # of the state a resolver returns is checked when it is built, so resolving
    # a version whose state is not a DID document fails at that entry, and
    # other versions still resolve.
    built = LogBuilder()
    bad = update_entry(built.log, key(U1), {"verificationMethod": "nope"}, when=at(1))
    entries = [*built.entries, bad]
    assert validate_log(entries, did=built.did).latest.version == 2
    result = ssi.methods.resolve(built.did, log=entries)
    assert (result.error, result.did_resolution_metadata["logEntry"]) == (
        "invalidLogEntry",
        2,
    )
    assert ssi.methods.resolve(built.did, log=entries, version_id=1).ok


@pytest.mark.parametrize(
    "state",
    [
        {"service": [{"id": "#s"}]},
        {"verificationMethod": [{"id": "#k", "type": "Multikey", "controller": 5}]},
        {"authentication": ["#missing"], "verificationMethod": "x"},
    ],
)
def test_first_state_must_make_a_conforming_did_document(state):
    from ssi.agora import create_entry

    did, first = create_entry(key(U1), [key(U2).public_key], state, when=at(0))
    result = ssi.methods.resolve(did, log=[first])
    assert (result.error, result.did_resolution_metadata["logEntry"]) == (
        "invalidLogEntry",
        1,
    )


def test_a_key_both_current_and_committed_may_rotate():
    # Entry 1 makes U1 the update key and commits to U1 itself: U1 is then the
    # committed key, so it may rotate (docs/did-agora.md 4.3).
    built = LogBuilder(update=U1, next_keys=(U1,))
    built.rotate(U1, [U2], at(1))
    built.rotate(U2, [U3], at(2))
    assert built.log.latest.update_keys == (multikey(U2),)


def test_a_key_both_current_and_committed_may_not_reveal_others():
    built = LogBuilder(update=U1, next_keys=(U1,))
    entry = update_entry(built.log, key(U1), built.document, when=at(1))
    entry = resign(dict(entry, updateKeys=[multikey(U3)]), U1)
    assert _code([*built.entries, entry]) == ("unauthorizedLogKey", 2)


def test_without_a_commitment_the_current_key_may_rotate_and_mark():
    built = LogBuilder(next_keys=())
    entry = update_entry(built.log, key(U1), built.document, when=at(1))
    entry = resign(
        dict(entry, updateKeys=[multikey(U2)], compromised=[multikey(U3)]), U1
    )
    log = validate_log([*built.entries, entry])
    assert log.compromised == frozenset({multikey(U3)})


def test_an_unusable_update_key_is_reported_at_each_entry():
    # Key decoding is cached; a bad key must still fail wherever it appears.
    entries = copy.deepcopy(five_entry_log().entries)
    entries[3]["updateKeys"] = ["z6MkBad"]
    assert _code(entries) == ("invalidLogEntry", 4)
    assert _code(entries) == ("invalidLogEntry", 4)


def test_a_p256_update_key_is_refused():
    p256 = ssi.generate_key("P-256").public_key.export_multikey()
    entries = copy.deepcopy(five_entry_log().entries)
    entries[1]["updateKeys"] = [p256]
    assert _code(entries) == ("invalidLogEntry", 2)


def test_the_did_option_is_checked_against_entry_one():
    built = LogBuilder()
    other = LogBuilder(update=U3).did
    assert _code(built.entries, did=other) == ("invalidLogHash", 1)
    assert validate_log(built.entries).did == built.did


def test_agora_log_accessors():
    built = five_entry_log()
    log = validate_log(built.entries, did=built.did)
    assert log.entries() == built.entries
    assert log.latest is log.states[-1]
    assert log.latest.time == at(4)
    assert log.latest.time_text == "2024-01-05T00:00:00.000Z"


@pytest.mark.parametrize("name", ["updateKeys", "nextKeyHashes", "compromised"])
def test_a_list_that_repeats_a_value_is_an_invalid_entry(name):
    entries = copy.deepcopy(five_entry_log().entries)
    value = multikey(U1) if name != "nextKeyHashes" else key_hash(multikey(U2))
    entries[1][name] = [value, value]
    assert _code(entries) == ("invalidLogEntry", 2)


def test_operations_refuse_a_key_that_is_not_ed25519():
    from ssi.agora import create_entry

    with pytest.raises(ValueError, match="Ed25519"):
        create_entry(ssi.generate_key("P-256"), [], {}, when=at(0))


def test_an_entry_made_now_is_kept_after_its_predecessor():
    # Without ``when`` an entry takes the clock's time, moved to 1 ms after the
    # previous entry when the clock is not past it (here: a log from 2100).
    future = datetime(2100, 1, 1, tzinfo=UTC)
    built = LogBuilder(when=future)
    entry = update_entry(built.log, key(U1), built.document)
    assert entry["time"] == "2100-01-01T00:00:00.001Z"
    assert validate_log([*built.entries, entry]).latest.version == 2
