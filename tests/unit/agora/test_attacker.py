"""An attacker holding only the current update key, after a pre-rotation
commitment: what they cannot do, what they can, and how duplicity exposes it.

The log: 1 create (U1 current, U2 committed), 2 update by U1. The attacker
stole U1; the owner still holds U2.
"""

from __future__ import annotations

import copy

import pytest

import ssi
import ssi.methods
from ssi.agora import (
    add_service,
    deactivate_entry,
    key_hash,
    resolve_log,
    rotate_entry,
    update_entry,
    validate_log,
)
from ssi.errors import DuplicityError, InvalidDIDLogError
from ssi.types import JsonObject
from tests.unit.agora.builders import (
    ATTACKER,
    S1,
    U1,
    U2,
    U3,
    LogBuilder,
    StaticLogSource,
    at,
    document_of,
    jsonl,
    key,
    multikey,
    resign,
    resolver_for,
    service,
    write_log,
)


def _owner_log() -> LogBuilder:
    builder = LogBuilder()
    builder.add_service(U1, at(1), "hub")
    return builder


OWNER = _owner_log()
DID = OWNER.did
EVIL_DOCUMENT = add_service(OWNER.document, service("evil"))


def _attempt(entry: JsonObject) -> tuple[str, int | None]:
    with pytest.raises(InvalidDIDLogError) as caught:
        validate_log([*OWNER.entries, entry], did=DID)
    result = ssi.methods.resolve(DID, log=[*OWNER.entries, entry])
    assert result.did_document is None
    assert result.error == caught.value.code
    assert result.did_resolution_metadata["logEntry"] == caught.value.entry
    return caught.value.code, caught.value.entry


def _stolen(**changes: object) -> JsonObject:
    """An entry signed with the stolen U1: a plain update with ``changes``."""
    entry = update_entry(OWNER.log, key(U1), EVIL_DOCUMENT, when=at(2))
    return resign(dict(entry, **changes), U1)


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param(
            rotate_entry(OWNER.log, key(U1), [key(ATTACKER).public_key], EVIL_DOCUMENT),
            id="rotate-to-own-next-key",
        ),
        pytest.param(
            _stolen(updateKeys=[multikey(ATTACKER)]), id="replace-update-keys"
        ),
        pytest.param(
            _stolen(updateKeys=[multikey(U1), multikey(ATTACKER)]),
            id="add-an-update-key",
        ),
        pytest.param(
            _stolen(nextKeyHashes=[key_hash(multikey(ATTACKER))]),
            id="replace-commitment",
        ),
        pytest.param(
            _stolen(nextKeyHashes=[]),
            id="drop-commitment",
        ),
        pytest.param(
            _stolen(compromised=[multikey(U2)]), id="mark-the-owner-key-compromised"
        ),
        pytest.param(
            _stolen(compromised=[multikey(S1)]), id="mark-the-signing-key-compromised"
        ),
        pytest.param(deactivate_entry(OWNER.log, key(U1), when=at(2)), id="deactivate"),
    ],
)
def test_attacker_cannot_change_keys_mark_compromised_or_deactivate(entry):
    assert _attempt(entry) == ("unauthorizedLogKey", 3)


def test_attacker_cannot_rotate_with_a_key_of_their_own():
    entry = rotate_entry(
        OWNER.log, key(ATTACKER), [key(ATTACKER + 1).public_key], EVIL_DOCUMENT
    )
    entry = resign(dict(entry, time="2024-01-03T00:00:00Z"), ATTACKER)
    assert _attempt(entry) == ("unauthorizedLogKey", 3)


def test_attacker_can_make_a_plain_update():
    entry = update_entry(OWNER.log, key(U1), EVIL_DOCUMENT, when=at(2))
    result = ssi.methods.resolve(DID, log=[*OWNER.entries, entry])
    assert result.ok
    assert result.did_document_metadata["versionId"] == "3"
    assert [s.id for s in document_of(result).service] == [
        DID + "#hub",
        DID + "#evil",
    ]


def _fork() -> tuple[list[JsonObject], list[JsonObject], JsonObject, JsonObject]:
    evil = update_entry(OWNER.log, key(U1), EVIL_DOCUMENT, when=at(2))
    # The owner rotates with the committed key, a little later, on the same
    # predecessor, and marks the stolen key compromised.
    honest = rotate_entry(
        OWNER.log,
        key(U2),
        [key(U3).public_key],
        OWNER.document,
        compromised=[multikey(U1)],
        when=at(2.5),
    )
    return [*OWNER.entries, evil], [*OWNER.entries, honest], evil, honest


def _assert_duplicity(
    metadata: JsonObject, evil: JsonObject, honest: JsonObject
) -> None:
    assert metadata["error"] == "duplicity"
    assert metadata["logEntry"] == 3
    evidence = metadata["duplicity"]
    assert evidence["logEntry"] == 3
    entries = evidence["entries"]
    assert len(entries) == 2
    assert evil in entries
    assert honest in entries
    assert entries[0]["previous"] == entries[1]["previous"]


def test_owner_rotation_is_valid_on_its_own():
    _, honest_log, _, _ = _fork()
    log = validate_log(honest_log, did=DID)
    assert log.compromised == frozenset({multikey(U1)})


def test_duplicity_from_two_logs_passed_to_resolve_log():
    evil_log, honest_log, evil, honest = _fork()
    with pytest.raises(DuplicityError) as caught:
        resolve_log(DID, [evil_log, honest_log])
    assert caught.value.code == "duplicity"
    assert caught.value.entry == 3
    evidence = caught.value.metadata["duplicity"]
    assert isinstance(evidence, dict)
    assert {e["proof"]["proofValue"] for e in evidence["entries"]} == {
        evil["proof"]["proofValue"],
        honest["proof"]["proofValue"],
    }


def test_duplicity_from_two_sources(tmp_path):
    evil_log, honest_log, evil, honest = _fork()
    first = tmp_path / "mirror"
    first.mkdir()
    write_log(first, "alice.jsonl", evil_log)
    resolver = resolver_for(first, StaticLogSource({DID: [honest_log]}))
    result = resolver.resolve(DID)
    assert result.did_document is None
    _assert_duplicity(result.did_resolution_metadata, evil, honest)


def test_duplicity_from_the_log_option_and_a_source(tmp_path):
    evil_log, honest_log, evil, honest = _fork()
    write_log(tmp_path, "alice.jsonl", honest_log)
    result = resolver_for(tmp_path).resolve(DID, log=jsonl(evil_log))
    _assert_duplicity(result.did_resolution_metadata, evil, honest)


@pytest.mark.parametrize("order", ["evil-first", "honest-first"])
def test_duplicity_in_one_jsonl_file_holding_both_branches(tmp_path, order):
    _, _, evil, honest = _fork()
    branches = [evil, honest] if order == "evil-first" else [honest, evil]
    entries = [*OWNER.entries, *branches]
    result = ssi.methods.resolve(DID, log=jsonl(entries))
    _assert_duplicity(result.did_resolution_metadata, evil, honest)
    write_log(tmp_path, "both.jsonl", entries)
    result = resolver_for(tmp_path).resolve(DID)
    _assert_duplicity(result.did_resolution_metadata, evil, honest)


def test_duplicity_when_each_branch_grows():
    evil_log, honest_log, evil, honest = _fork()
    branches = []
    for entries, seed, name in ((evil_log, U1, "more"), (honest_log, U2, "fixed")):
        grown = LogBuilder()
        grown.entries = copy.deepcopy(entries)
        grown.log = validate_log(grown.entries, did=DID)
        state = grown.log.latest.document
        assert state is not None
        grown.document = copy.deepcopy(state)
        grown.add_service(seed, at(3), name)
        branches.append(grown.entries)
    assert [len(b) for b in branches] == [4, 4]
    result = ssi.methods.resolve(DID, log=jsonl([*branches[0], *branches[1][2:]]))
    _assert_duplicity(result.did_resolution_metadata, evil, honest)
    result = resolver_for(StaticLogSource({DID: branches})).resolve(DID)
    _assert_duplicity(result.did_resolution_metadata, evil, honest)


def test_the_same_log_twice_is_no_duplicity():
    result = resolver_for(StaticLogSource({DID: [OWNER.entries, OWNER.entries]}))
    assert result.resolve(DID).ok


def test_a_prefix_of_the_log_is_no_duplicity():
    evil_log, _, _, _ = _fork()
    resolver = resolver_for(StaticLogSource({DID: [evil_log[:2], evil_log]}))
    result = resolver.resolve(DID)
    assert result.ok
    assert result.did_document_metadata["versionId"] == "3"


def test_a_repeated_line_is_no_duplicity():
    entries = [*OWNER.entries[:2], OWNER.entries[1]]
    result = ssi.methods.resolve(DID, log=jsonl(entries))
    assert result.ok
    assert result.did_document_metadata["versionId"] == "2"
