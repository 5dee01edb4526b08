"""Tamper suite: every field of every entry of a 5-entry log, changed in turn.

Each case asserts the exact error code and entry number twice: from
``validate_log`` (the exception) and from ``ssi.methods.resolve(did, log=...)`` (the
resolution metadata's ``error`` and ``logEntry``, with no document).

The log (see ``builders.five_entry_log``): 1 create (U1, commits U2), 2 update
by U1, 3 rotate by U2 (commits U3, new signing key), 4 update by U2, 5 rotate by
U3 (commits U4, marks S1 and U1 compromised).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import pytest

import ssi
import ssi.methods
from ssi.agora import (
    deactivate_entry,
    did_for_inception,
    entry_hash,
    key_hash,
    rotate_entry,
    split_lines,
    update_entry,
    validate_log,
)
from ssi.errors import InvalidDIDLogError
from ssi.types import JsonObject, JsonValue
from tests.unit.agora.builders import (
    ATTACKER,
    NOW,
    U1,
    U2,
    U3,
    U4,
    U5,
    LogBuilder,
    at,
    five_entry_log,
    jsonl,
    key,
    multikey,
    resign,
    resolver_for,
    text,
)

BUILT = five_entry_log()
DID = BUILT.did
ENTRIES: list[JsonObject] = BUILT.entries
BOGUS_HASH = key_hash("not a key of this log")

HASH = "invalidLogHash"
VERSION = "invalidLogVersion"
TIME = "invalidLogTime"
SIGNATURE = "invalidLogSignature"
UNAUTHORIZED = "unauthorizedLogKey"
ENTRY = "invalidLogEntry"


def assert_broken(
    entries: Sequence[JsonValue], code: str, entry: int, *, now: datetime | None = None
) -> None:
    """Assert the exact failure through validate_log and through resolution."""
    with pytest.raises(InvalidDIDLogError) as caught:
        validate_log(entries, did=DID, now=now)
    assert (caught.value.code, caught.value.entry) == (code, entry)
    if now is None:
        result = ssi.methods.resolve(DID, log=list(entries))
    else:
        result = resolver_for(now=now).resolve(DID, log=list(entries))
    assert result.did_document is None
    assert result.error == code
    assert result.did_resolution_metadata["logEntry"] == entry
    assert result.did_resolution_metadata["problemDetails"]["type"].endswith(code)


def tampered(n: int, change: Callable[[JsonObject, int], None]) -> list[JsonObject]:
    entries = copy.deepcopy(ENTRIES)
    change(entries[n - 1], n)
    return list(entries)


def _set(
    name: str, value: Callable[[JsonObject, int], JsonValue]
) -> Callable[[JsonObject, int], None]:
    def change(entry: JsonObject, n: int) -> None:
        entry[name] = value(entry, n)

    return change


def _set_time_and_created(entry: JsonObject, n: int) -> None:
    later = text(at(n - 1) + timedelta(hours=1))
    entry["time"] = later
    entry["proof"]["created"] = later


def _flip_proof_value(entry: JsonObject, n: int) -> None:
    value = entry["proof"]["proofValue"]
    entry["proof"]["proofValue"] = (
        value[:10] + ("A" if value[10] != "A" else "B") + (value[11:])
    )


def _swap_method(entry: JsonObject, n: int) -> None:
    other = multikey(ATTACKER)
    entry["proof"]["verificationMethod"] = f"did:key:{other}#{other}"


def _change_document(entry: JsonObject, n: int) -> None:
    entry["document"]["service"] = [
        {"id": "#evil", "type": "LinkedDomains", "serviceEndpoint": "https://x.example"}
    ]


def _all(code: str) -> dict[int, str]:
    return dict.fromkeys(range(1, 6), code)


# For each change: the expected code per entry number (the failure is always at
# the tampered entry). A changed entry 1 creates another DID: with the DID
# given (as resolution does), invalidLogHash comes first, after the check that
# entry 1 is signed by one of its own update keys.
FIELD_CASES: dict[str, tuple[Callable[[JsonObject, int], None], dict[int, str]]] = {
    "previous-bogus": (_set("previous", lambda e, n: BOGUS_HASH), _all(HASH)),
    # Entry 1 names the last entry, entry 2 names none, later ones skip one.
    "previous-of-another-entry": (
        _set(
            "previous",
            lambda e, n: {1: entry_hash(ENTRIES[4]), 2: None}.get(
                n, entry_hash(ENTRIES[n - 3]) if n > 2 else None
            ),
        ),
        _all(HASH),
    ),
    "version-plus-one": (_set("version", lambda e, n: n + 1), _all(VERSION)),
    "version-as-string": (_set("version", lambda e, n: str(n)), _all(VERSION)),
    "version-as-float": (_set("version", lambda e, n: float(n)), _all(VERSION)),
    "version-as-bool": (_set("version", lambda e, n: True), {1: VERSION}),
    # proof.created must equal time: a changed time is invalidLogTime whether
    # it moved before the previous entry or later.
    "time-before-previous": (
        _set("time", lambda e, n: text(at(n - 2) - timedelta(hours=1))),
        _all(TIME),
    ),
    "time-equal-to-previous": (
        _set("time", lambda e, n: text(at(n - 2))),
        _all(TIME),
    ),
    "time-later": (
        _set("time", lambda e, n: text(at(n - 1) + timedelta(hours=1))),
        _all(TIME),
    ),
    "time-malformed": (_set("time", lambda e, n: "yesterday"), _all(TIME)),
    "time-without-offset": (
        _set("time", lambda e, n: e["time"].removesuffix("Z")),
        _all(TIME),
    ),
    # Changing proof.created with the time: the signature covers both.
    "time-and-created-later": (
        _set_time_and_created,
        {1: HASH, **dict.fromkeys(range(2, 6), SIGNATURE)},
    ),
    # A current update key may not change the key configuration after a
    # commitment, so in updates (2, 4) authorization fails first; in rotations
    # (3, 5) a revealed key must have been committed.
    "updateKeys-replaced": (
        _set("updateKeys", lambda e, n: [multikey(ATTACKER)]),
        _all(UNAUTHORIZED),
    ),
    "updateKeys-added": (
        _set("updateKeys", lambda e, n: [*e["updateKeys"], multikey(ATTACKER)]),
        {1: HASH, **dict.fromkeys(range(2, 6), UNAUTHORIZED)},
    ),
    "updateKeys-empty": (_set("updateKeys", lambda e, n: []), _all(ENTRY)),
    "updateKeys-not-a-key": (_set("updateKeys", lambda e, n: ["zNope"]), _all(ENTRY)),
    "nextKeyHashes-replaced": (
        _set("nextKeyHashes", lambda e, n: [key_hash(multikey(ATTACKER))]),
        {1: HASH, 2: UNAUTHORIZED, 3: SIGNATURE, 4: UNAUTHORIZED, 5: SIGNATURE},
    ),
    "nextKeyHashes-malformed": (
        _set("nextKeyHashes", lambda e, n: ["not multibase!"]),
        _all(ENTRY),
    ),
    "document-changed": (
        _change_document,
        {1: HASH, **dict.fromkeys(range(2, 6), SIGNATURE)},
    ),
    "document-with-id": (
        _set("document", lambda e, n: dict(e["document"], id=DID)),
        _all(ENTRY),
    ),
    "document-null": (_set("document", lambda e, n: None), _all(ENTRY)),
    "compromised-added": (
        _set("compromised", lambda e, n: [*e.get("compromised", []), multikey(U4)]),
        {1: HASH, 2: UNAUTHORIZED, 3: SIGNATURE, 4: UNAUTHORIZED, 5: SIGNATURE},
    ),
    "compromised-not-a-list": (_set("compromised", lambda e, n: "all"), _all(ENTRY)),
    "deactivated-not-bool": (_set("deactivated", lambda e, n: "no"), _all(ENTRY)),
    "deactivated-added": (_set("deactivated", lambda e, n: True), _all(ENTRY)),
    "proofValue-changed": (_flip_proof_value, _all(SIGNATURE)),
    "proofValue-not-multibase": (
        lambda e, n: e["proof"].__setitem__("proofValue", "!!"),
        _all(SIGNATURE),
    ),
    "verificationMethod-swapped": (_swap_method, _all(UNAUTHORIZED)),
    "verificationMethod-not-did-key": (
        lambda e, n: e["proof"].__setitem__("verificationMethod", DID + "#key-1"),
        _all(SIGNATURE),
    ),
    "verificationMethod-fragment-differs": (
        lambda e, n: e["proof"].__setitem__(
            "verificationMethod", e["proof"]["verificationMethod"] + "x"
        ),
        _all(SIGNATURE),
    ),
    "proof-cryptosuite": (
        lambda e, n: e["proof"].__setitem__("cryptosuite", "eddsa-rdfc-2022"),
        _all(SIGNATURE),
    ),
    "proof-purpose": (
        lambda e, n: e["proof"].__setitem__("proofPurpose", "authentication"),
        _all(SIGNATURE),
    ),
    "proof-member-added": (
        lambda e, n: e["proof"].__setitem__("nonce", "x"),
        _all(SIGNATURE),
    ),
    "proof-removed": (lambda e, n: e.pop("proof"), _all(SIGNATURE)),
    "unknown-member": (_set("comment", lambda e, n: "hi"), _all(ENTRY)),
}

CASES = [
    pytest.param(change, n, codes[n], id=f"{name}-entry{n}")
    for name, (change, codes) in FIELD_CASES.items()
    for n in range(1, 6)
    if n in codes
]


@pytest.mark.parametrize(("change", "n", "code"), CASES)
def test_tampered_field_fails_at_its_entry(change, n, code):
    assert_broken(tampered(n, change), code, n)


def test_the_untampered_log_is_valid():
    log = validate_log(ENTRIES, did=DID)
    assert [s.version for s in log.states] == [1, 2, 3, 4, 5]
    assert ssi.methods.resolve(DID, log=ENTRIES).ok


@pytest.mark.parametrize(
    "change",
    [
        FIELD_CASES["updateKeys-added"][0],
        FIELD_CASES["nextKeyHashes-replaced"][0],
        FIELD_CASES["document-changed"][0],
        FIELD_CASES["compromised-added"][0],
        _set_time_and_created,
    ],
)
def test_a_changed_first_entry_fails_its_signature_under_its_new_did(change):
    entries = tampered(1, change)
    derived = did_for_inception(entries[0])
    assert derived != DID
    with pytest.raises(InvalidDIDLogError) as caught:
        validate_log(entries)
    assert (caught.value.code, caught.value.entry) == (SIGNATURE, 1)
    result = ssi.methods.resolve(derived, log=entries)
    assert (result.error, result.did_resolution_metadata["logEntry"]) == (SIGNATURE, 1)


def test_first_entry_not_signed_by_its_own_update_key():
    entries = copy.deepcopy(ENTRIES)
    entries[0] = resign(entries[0], ATTACKER)
    assert did_for_inception(entries[0]) == DID  # the proof is not hashed
    assert_broken(entries, UNAUTHORIZED, 1)


def test_swapped_method_between_two_authorized_keys_fails_the_signature():
    # Without a commitment, U1 may add a second update key (entry 2); entry 3
    # is signed by U1 but names U3, which is just as authorized.
    builder = LogBuilder(next_keys=())
    entry = copy.deepcopy(
        update_entry(builder.log, key(U1), builder.document, when=at(1))
    )
    entry["updateKeys"] = [multikey(U1), multikey(U3)]
    entry = resign(entry, U1)
    builder.entries.append(entry)
    builder.log = validate_log(builder.entries)
    third = copy.deepcopy(
        update_entry(builder.log, key(U1), builder.document, when=at(2))
    )
    other = multikey(U3)
    third["proof"]["verificationMethod"] = f"did:key:{other}#{other}"
    entries = [*builder.entries, third]
    with pytest.raises(InvalidDIDLogError) as caught:
        validate_log(entries, did=builder.did)
    assert (caught.value.code, caught.value.entry) == (SIGNATURE, 3)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_deleted_entry_is_a_version_gap(n):
    entries = [e for i, e in enumerate(ENTRIES, start=1) if i != n]
    assert_broken(entries, VERSION, n)


def test_deleting_the_last_entry_is_not_detectable_alone():
    # A truncated log is a valid, older history (a withheld update); only a
    # longer log from another source shows more.
    log = validate_log(ENTRIES[:4], did=DID)
    assert log.latest.version == 4
    assert not log.compromised


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_swapped_neighbours_fail_at_the_first(n):
    entries = list(ENTRIES)
    entries[n - 1], entries[n] = entries[n], entries[n - 1]
    assert_broken(entries, VERSION, n)


def test_reversed_log_fails_at_entry_one():
    assert_broken(list(reversed(ENTRIES)), VERSION, 1)


def test_entry_replayed_from_another_did():
    other = LogBuilder(update=U3, next_keys=(U4,), when=at(0.5))
    other.update(U3, at(1.5))
    entries = [*ENTRIES[:1], other.entries[1]]
    assert_broken(entries, HASH, 2)


def _append(entry: JsonObject) -> list[JsonObject]:
    return [*ENTRIES, entry]


def test_entry_signed_by_a_rotated_out_update_key():
    # U2 was the update key of entries 3-4 and was rotated out by entry 5.
    stale = update_entry(BUILT.log, key(U2), BUILT.document, when=at(5))
    stale = resign(dict(stale, updateKeys=[multikey(U3)]), U2)
    assert_broken(_append(stale), UNAUTHORIZED, 6)


def test_entry_signed_by_a_compromised_update_key():
    stale = update_entry(BUILT.log, key(U1), BUILT.document, when=at(5))
    assert_broken(_append(stale), UNAUTHORIZED, 6)


def test_rotation_signed_by_an_uncommitted_key():
    entry = rotate_entry(
        BUILT.log, key(ATTACKER), [key(ATTACKER + 1).public_key], BUILT.document
    )
    entry = resign(dict(entry, time=text(at(5))), ATTACKER)
    assert_broken(_append(entry), UNAUTHORIZED, 6)


def test_rotation_signed_by_the_current_key_instead_of_the_committed_one():
    entry = rotate_entry(
        BUILT.log, key(U3), [key(U5).public_key], BUILT.document, when=at(5)
    )
    assert_broken(_append(entry), UNAUTHORIZED, 6)


def test_update_signed_by_the_committed_key_without_revealing_it():
    # U4 is committed but not current: signing a plain update keeps U3 as the
    # update key, which entry 5 did not commit to.
    entry = update_entry(BUILT.log, key(U4), BUILT.document, when=at(5))
    assert_broken(_append(entry), UNAUTHORIZED, 6)


def test_entry_after_deactivation():
    builder = five_entry_log()
    builder.deactivate(U4, at(5))
    late = update_entry(builder.log, key(U4), BUILT.document, when=at(6))
    entries: list[JsonValue] = [*builder.entries, late]
    with pytest.raises(InvalidDIDLogError) as caught:
        validate_log(entries, did=DID)
    assert (caught.value.code, caught.value.entry) == ("logAfterDeactivation", 7)
    result = ssi.methods.resolve(DID, log=entries)
    assert result.error == "logAfterDeactivation"
    assert result.did_resolution_metadata["logEntry"] == 7


def test_deactivation_by_the_current_key_after_a_commitment():
    entry = deactivate_entry(BUILT.log, key(U3), when=at(5))
    assert_broken(_append(entry), UNAUTHORIZED, 6)


def test_entry_from_the_future():
    now = at(2) + timedelta(hours=1)
    assert_broken(list(ENTRIES), TIME, 4, now=now)


def test_entry_within_the_clock_skew_is_accepted():
    now = at(4) - timedelta(minutes=4)
    assert validate_log(ENTRIES, did=DID, now=now).latest.version == 5
    assert resolver_for(now=now).resolve(DID, log=list(ENTRIES)).ok


@pytest.mark.parametrize("bad", ["{not json", "[1, 2", "NaN", '{"a": 1, "a": 2}'])
def test_non_json_line_in_jsonl_text(bad):
    lines = jsonl(ENTRIES).splitlines()
    lines.insert(2, bad)
    log_text = "\n\n".join(lines)  # blank lines do not count as entries
    with pytest.raises(InvalidDIDLogError) as caught:
        validate_log(split_lines(log_text), did=DID)
    assert (caught.value.code, caught.value.entry) == (ENTRY, 3)
    result = ssi.methods.resolve(DID, log=log_text)
    assert result.did_document is None
    assert (result.error, result.did_resolution_metadata["logEntry"]) == (ENTRY, 3)


@pytest.mark.parametrize("value", [[], 42, "entry", None])
def test_entry_that_is_not_an_object(value):
    entries: list[JsonValue] = [*ENTRIES[:2], value, *ENTRIES[3:]]
    assert_broken(entries, ENTRY, 3)


def test_empty_log():
    with pytest.raises(InvalidDIDLogError) as caught:
        validate_log([])
    assert (caught.value.code, caught.value.entry) == (ENTRY, 1)
    result = ssi.methods.resolve(DID, log=[])
    assert (result.error, result.did_resolution_metadata["logEntry"]) == (ENTRY, 1)


def test_untampered_log_still_valid_after_the_suite():
    # The suite works on copies: the shared log is unchanged.
    assert validate_log(ENTRIES, did=DID, now=NOW).latest.version == 5
    assert five_entry_log().entries == ENTRIES
    assert key(U1).public_key.export_multikey() == multikey(U1)
