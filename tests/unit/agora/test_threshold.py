"""Threshold did:agora DIDs: m of n update keys (stewards) sign each entry.

Stewards 1-3 hold update keys 31-33 and next update keys 41-43 (committed);
their assertion keys are 51-53. The DID is created 2 of 3.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ssi.agora.log
import ssi.methods
from ssi.agora import (
    Steward,
    add_entry_proof,
    create_threshold_entry,
    entry_hash,
    key_hash,
    reconfigure_entry,
    resolve_log,
    rotate_steward_entry,
    steward_document,
    threshold_update_entry,
    validate_log,
)
from ssi.errors import DuplicityError, InvalidDIDLogError, MalformedValueError
from ssi.types import JsonObject
from tests.unit.agora.builders import ATTACKER, at, key, multikey, resign, service

CURRENT = (31, 32, 33)
NEXT = (41, 42, 43)
ASSERT = (51, 52, 53)
FRESH = (61, 62, 63)


def stewards() -> list[Steward]:
    return [
        Steward(multikey(u), key_hash(multikey(n)), multikey(a))
        for u, n, a in zip(CURRENT, NEXT, ASSERT, strict=True)
    ]


def signed(entry: JsonObject, *seeds: int) -> JsonObject:
    for seed in seeds:
        entry = add_entry_proof(entry, key(seed))
    return entry


def inception(*seeds: int, threshold: int = 2) -> tuple[str, JsonObject]:
    did, entry = create_threshold_entry(stewards(), threshold=threshold, when=at(0))
    return did, signed(entry, *seeds)


def code_of(entries: list[Any], did: str) -> tuple[str, int | None]:
    with pytest.raises(InvalidDIDLogError) as caught:
        validate_log(entries, did=did)
    return caught.value.code, caught.value.entry


DID, FIRST = inception(31, 32)
LOG = validate_log([FIRST], did=DID)
DOCUMENT = steward_document([multikey(a) for a in ASSERT])
UPDATED = threshold_update_entry(
    LOG, {**DOCUMENT, "service": [service("hub")]}, when=at(1)
)


def test_a_two_of_three_inception_validates_and_resolves_with_its_threshold():
    log = validate_log([FIRST], did=DID)
    assert log.latest.threshold == 2
    assert isinstance(FIRST["proof"], list)
    assert len(FIRST["proof"]) == 2
    result = ssi.methods.resolve(DID, log=[FIRST])
    document = result.did_document.to_json()
    assert document["threshold"] == 2
    assert document["assertionMethod"] == [
        f"{DID}#steward-1",
        f"{DID}#steward-2",
        f"{DID}#steward-3",
    ]


def test_cosigning_does_not_change_the_did_or_the_entry_hash():
    did, unsigned = create_threshold_entry(stewards(), threshold=2, when=at(0))
    one = signed(unsigned, 31)
    two = signed(one, 33)
    assert did == DID
    assert entry_hash(one) == entry_hash(two) == entry_hash(FIRST)
    assert signed(two, 33) == two  # a steward signing again adds nothing


def test_an_inception_with_too_few_proofs_fails():
    _, one = inception(31)
    assert code_of([one], DID) == ("insufficientLogProofs", 1)


def test_an_inception_signed_by_a_foreign_key_fails():
    _, entry = inception(31, ATTACKER)
    assert code_of([entry], DID) == ("unauthorizedLogKey", 1)


def test_a_repeated_proof_counts_once():
    _, one = inception(31)
    repeated = copy.deepcopy(one)
    repeated["proof"] = [one["proof"][0], copy.deepcopy(one["proof"][0])]
    assert code_of([repeated], DID) == ("insufficientLogProofs", 1)
    three = copy.deepcopy(FIRST)
    three["proof"].append(copy.deepcopy(FIRST["proof"][0]))
    assert validate_log([three], did=DID).latest.threshold == 2


def test_a_threshold_out_of_range_is_invalid():
    for value in (0, 4, True, "2", 2.0):
        entry = copy.deepcopy(FIRST)
        entry["threshold"] = value
        assert code_of([entry], None)[0] == "invalidLogThreshold"
    entry = copy.deepcopy(FIRST)
    entry["nextKeyHashes"] = entry["nextKeyHashes"][:2]
    assert code_of([entry], None)[0] == "invalidLogThreshold"


def test_a_proof_set_needs_a_threshold():
    from tests.unit.agora.builders import LogBuilder

    built = LogBuilder()
    entry = copy.deepcopy(built.entries[0])
    entry["proof"] = [entry["proof"]]
    assert code_of([entry], built.did) == ("invalidLogSignature", 1)


def test_an_update_needs_m_current_stewards():
    ok = signed(UPDATED, 32, 33)
    assert validate_log([FIRST, ok], did=DID).latest.version == 2
    assert code_of([FIRST, signed(UPDATED, 32)], DID) == ("insufficientLogProofs", 2)
    committed = signed(UPDATED, 41, 42)
    assert code_of([FIRST, committed], DID) == ("unauthorizedLogKey", 2)


def test_one_steward_rotates_with_a_cosigner():
    entry = rotate_steward_entry(
        LOG, 2, key(43).public_key, key_hash(multikey(63)), compromised=True, when=at(1)
    )
    log = validate_log([FIRST, signed(entry, 43, 31)], did=DID)
    assert log.latest.update_keys == (multikey(31), multikey(32), multikey(43))
    assert log.compromised == {multikey(33)}
    # Alone, the rotating steward is one of two.
    assert code_of([FIRST, signed(entry, 43)], DID) == ("insufficientLogProofs", 2)
    # Two current keys, without the key the rotation reveals: refused.
    assert code_of([FIRST, signed(entry, 31, 32)], DID) == ("unauthorizedLogKey", 2)
    # The old key of the rotated steward may not sign it.
    assert code_of([FIRST, signed(entry, 43, 33)], DID) == ("unauthorizedLogKey", 2)


def test_a_rotation_to_a_key_that_was_not_committed_needs_a_reconfiguration():
    entry = rotate_steward_entry(
        LOG, 2, key(ATTACKER).public_key, key_hash(multikey(63)), when=at(1)
    )
    # Not a steward rotation (the key was not committed): only committed keys
    # may sign it, so two stolen current keys cannot.
    assert code_of([FIRST, signed(entry, 31, 32)], DID) == ("unauthorizedLogKey", 2)
    assert validate_log([FIRST, signed(entry, 41, 42)], did=DID).latest.version == 2


def _remove_third(threshold: int = 2) -> JsonObject:
    return reconfigure_entry(
        LOG,
        [
            (multikey(41), key_hash(multikey(61))),
            (multikey(42), key_hash(multikey(62))),
        ],
        threshold=threshold,
        document=steward_document([multikey(51), multikey(52)]),
        when=at(1),
    )


def test_removing_a_steward_needs_m_committed_keys():
    entry = _remove_third()
    log = validate_log([FIRST, signed(entry, 41, 42)], did=DID)
    assert len(log.latest.update_keys) == 2
    assert code_of([FIRST, signed(entry, 41)], DID) == ("insufficientLogProofs", 2)
    assert code_of([FIRST, signed(entry, 31, 32)], DID) == ("unauthorizedLogKey", 2)


def test_a_removed_steward_can_no_longer_sign():
    removal = signed(_remove_third(), 41, 42)
    log = validate_log([FIRST, removal], did=DID)
    update = threshold_update_entry(log, steward_document([multikey(51)]), when=at(2))
    assert validate_log([FIRST, removal, signed(update, 41, 42)], did=DID)
    assert code_of([FIRST, removal, signed(update, 41, 33)], DID) == (
        "unauthorizedLogKey",
        3,
    )
    assert code_of([FIRST, removal, signed(update, 33, 43)], DID) == (
        "unauthorizedLogKey",
        3,
    )


def test_changing_m_is_signed_under_the_old_rule():
    lower = signed(_remove_third(threshold=1), 41, 42)
    log = validate_log([FIRST, lower], did=DID)
    assert log.latest.threshold == 1
    update = threshold_update_entry(log, steward_document([multikey(51)]), when=at(2))
    # Now one steward suffices.
    assert validate_log([FIRST, lower, signed(update, 41)], did=DID)
    assert code_of([FIRST, signed(_remove_third(threshold=1), 41)], DID) == (
        "insufficientLogProofs",
        2,
    )
    document = ssi.methods.resolve(DID, log=[FIRST, lower]).did_document.to_json()
    assert "threshold" not in document  # a threshold of 1 is the default


def test_a_proof_by_a_compromised_key_is_refused():
    entry = rotate_steward_entry(
        LOG, 2, key(43).public_key, key_hash(multikey(63)), compromised=True, when=at(1)
    )
    rotated = signed(entry, 43, 31)
    log = validate_log([FIRST, rotated], did=DID)
    update = threshold_update_entry(log, DOCUMENT, when=at(2))
    assert code_of([FIRST, rotated, signed(update, 33, 31)], DID)[0] == (
        "unauthorizedLogKey"
    )


def test_a_forged_proof_in_the_set_fails_the_entry():
    entry = signed(UPDATED, 32, 33)
    entry["proof"][1]["proofValue"] = entry["proof"][0]["proofValue"]
    assert code_of([FIRST, entry], DID) == ("invalidLogSignature", 2)


def test_a_proof_set_cannot_be_varied_to_fork_the_log():
    two = signed(UPDATED, 32, 33)
    three = signed(UPDATED, 31, 32, 33)
    reordered = copy.deepcopy(two)
    reordered["proof"].reverse()
    log = resolve_log(DID, [[FIRST, two], [FIRST, three], [FIRST, reordered]])
    assert log.latest.version == 2
    # In one log, too, the variants are copies of one entry, not a fork.
    assert resolve_log(DID, [[FIRST, two, three, reordered]]).latest.version == 2
    other = threshold_update_entry(LOG, DOCUMENT, when=at(1.5))
    with pytest.raises(DuplicityError):
        resolve_log(DID, [[FIRST, two], [FIRST, signed(other, 31, 32)]])


def test_the_document_state_cannot_claim_a_threshold():
    did, entry = create_threshold_entry(
        stewards(), threshold=2, document={**DOCUMENT, "threshold": 1}, when=at(0)
    )
    assert code_of([signed(entry, 31, 32)], did) == ("invalidLogEntry", 1)


def test_a_single_key_did_may_become_a_threshold_did_by_rotation():
    from tests.unit.agora.builders import LogBuilder

    built = LogBuilder(next_keys=(31, 32))
    entry = copy.deepcopy(built.entries[0])
    entry = {
        "version": 2,
        "previous": entry_hash(entry),
        "time": "2024-01-02T00:00:00.000Z",
        "updateKeys": [multikey(31), multikey(32)],
        "nextKeyHashes": [key_hash(multikey(41)), key_hash(multikey(42))],
        "threshold": 2,
        "document": DOCUMENT,
    }
    log = validate_log([built.entries[0], resign(entry, 31)], did=built.did)
    assert log.latest.threshold == 2
    update = threshold_update_entry(log, DOCUMENT, when=at(2))
    assert code_of(
        [built.entries[0], resign(entry, 31), signed(update, 31)], built.did
    ) == ("insufficientLogProofs", 3)


def key_p256() -> str:
    from ssi.keys import P256KeyPair

    return P256KeyPair.generate().public_key.export_multikey()


def test_steward_packages_round_trip_and_refuse_garbage():
    package = stewards()[0]
    assert Steward.from_json(package.to_json()) == package
    good = package.to_json()
    for bad in (
        {},
        {"type": "AgoraSteward"},
        [],
        {"type": "AgoraSteward", "updateKey": 1},
        {**good, "updateKey": "z6Mkbroken"},
        {**good, "nextKeyHash": "zzz"},
        {**good, "nextKeyHash": good["updateKey"]},
        {**good, "updateKey": key_p256()},
    ):
        with pytest.raises(MalformedValueError):
            Steward.from_json(bad)


def test_repeated_proofs_are_checked_once(monkeypatch):
    counts: Counter[str] = Counter()
    original: Callable[..., Any] = ssi.agora.log.check_signature

    def counted(*args: Any, **kwargs: Any) -> Any:
        counts["signatures"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(ssi.agora.log, "check_signature", counted)
    entry = copy.deepcopy(FIRST)
    entry["proof"] = entry["proof"] * 200
    validate_log([entry], did=DID)
    assert counts["signatures"] == 2


@settings(max_examples=20, deadline=None)
@given(st.sampled_from([(31, 32), (31, 33), (32, 33)]), st.integers(0, 1))
def test_any_proof_removed_from_a_set_of_exactly_m_fails(pair, dropped):
    entry = signed(UPDATED, *pair)
    validate_log([FIRST, entry], did=DID)
    entry["proof"].pop(dropped)
    assert code_of([FIRST, entry], DID) == ("insufficientLogProofs", 2)


def test_threshold_operations_refuse_misuse():
    from ssi.errors import ProofGenerationError
    from ssi.keys import P256KeyPair
    from tests.unit.agora.builders import LogBuilder

    with pytest.raises(ValueError, match="no threshold"):
        threshold_update_entry(LogBuilder().log, DOCUMENT)
    with pytest.raises(ValueError, match="no committed update key"):
        rotate_steward_entry(LOG, 3, key(43).public_key, key_hash(multikey(63)))
    with pytest.raises(ValueError, match="threshold must be"):
        reconfigure_entry(LOG, [(multikey(41), "z")], threshold=2, document=DOCUMENT)
    with pytest.raises(ProofGenerationError):
        add_entry_proof(UPDATED, P256KeyPair.generate())


def test_every_proof_of_the_entry_that_adds_a_threshold_is_authorized():
    from tests.unit.agora.builders import LogBuilder

    built = LogBuilder(next_keys=(31, 32))
    entry = {
        "version": 2,
        "previous": entry_hash(built.entries[0]),
        "time": "2024-01-02T00:00:00.000Z",
        "updateKeys": [multikey(31), multikey(32)],
        "nextKeyHashes": [key_hash(multikey(41)), key_hash(multikey(42))],
        "threshold": 2,
        "document": DOCUMENT,
    }
    with_stranger = signed(resign(entry, 31), ATTACKER)
    assert code_of([built.entries[0], with_stranger], built.did) == (
        "unauthorizedLogKey",
        2,
    )
