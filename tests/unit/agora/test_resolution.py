"""Resolving did:agora: metadata, versions, sources, deactivation."""

from __future__ import annotations

import pytest

import ssi
import ssi.methods
from ssi.agora import AgoraMethod, FileLogSource, document_for, validate_log
from ssi.did.document import VerificationMethod
from ssi.did.resolution import ResolutionResult
from ssi.errors import DIDNotFoundError, InvalidResolutionOptionsError
from ssi.types import JsonValue
from tests.unit.agora.builders import (
    S1,
    S2,
    U1,
    U2,
    U3,
    U4,
    U5,
    LogBuilder,
    StaticLogSource,
    at,
    document_of,
    five_entry_log,
    jsonl,
    key,
    method_resolve,
    multikey,
    resolver_for,
    text,
    write_log,
)

BUILT = five_entry_log()
DID = BUILT.did
ENTRIES = BUILT.entries
TIMES = [text(at(n)) for n in range(5)]  # TIMES[n - 1] is entry n's time


def resolve(**options: JsonValue) -> ResolutionResult:
    return ssi.methods.resolve(DID, log=list(ENTRIES), **options)


def _key_1(result: ResolutionResult) -> str | None:
    (method,) = document_of(result).verification_method
    assert method.id == DID + "#key-1"
    return method.public_key_multibase


def test_latest_document_and_metadata():
    result = resolve()
    assert result.ok
    document = document_of(result).to_json()
    assert document["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
    ]
    assert document["id"] == DID
    assert document["verificationMethod"][0]["controller"] == DID
    assert _key_1(result) == multikey(S2)
    assert [s.id for s in document_of(result).service] == [
        DID + "#hub",
        DID + "#blog",
    ]
    assert result.did_resolution_metadata["contentType"] == "application/did+json"
    assert result.did_document_metadata == {
        "versionId": "5",
        "versionTime": TIMES[4],
        "created": TIMES[0],
        "updated": TIMES[4],
        "compromisedKeys": sorted([multikey(S1), multikey(U1)]),
    }


@pytest.mark.parametrize("version_id", [2, "2"])
def test_version_id_selects_an_earlier_state(version_id):
    result = resolve(versionId=version_id)
    assert result.ok
    assert _key_1(result) == multikey(S1)
    assert [s.id for s in document_of(result).service] == [DID + "#hub"]
    metadata = result.did_document_metadata
    assert metadata["versionId"] == "2"
    assert metadata["versionTime"] == TIMES[1]
    assert metadata["nextVersionId"] == "3"
    assert metadata["nextUpdate"] == TIMES[2]
    assert metadata["created"] == TIMES[0]
    # DID Core 7.1.3 and docs/did-agora.md 5.4: ``updated`` is the time of
    # the last update of the version resolved.
    assert metadata["updated"] == TIMES[1]


def test_version_id_snake_case_option_and_first_version():
    result = ssi.methods.resolve(DID, log=ENTRIES, version_id=1)
    assert result.did_document_metadata["versionId"] == "1"
    assert document_of(result).service == ()


def test_latest_version_by_id_has_no_next_version():
    metadata = resolve(versionId="5").did_document_metadata
    assert "nextVersionId" not in metadata
    assert "nextUpdate" not in metadata


@pytest.mark.parametrize("version_id", [0, 6, -1, "0", "6", "9" * 30, "9" * 5000])
def test_version_id_out_of_range_is_not_found(version_id):
    result = resolve(versionId=version_id)
    assert result.did_document is None
    assert result.error == "notFound"


@pytest.mark.parametrize(
    "version_id", ["abc", "-1", "2.0", " 2", "", "²", "٣", True, 2.0, [2], {"v": 2}]
)
def test_version_id_that_is_not_a_number_is_invalid(version_id):
    result = resolve(versionId=version_id)
    assert result.did_document is None
    assert result.error == "invalidOptions"


@pytest.mark.parametrize(
    ("moment", "version"),
    [
        (at(0), 1),
        (at(2.5), 3),
        (at(3), 4),
        (at(400), 5),
    ],
)
def test_version_time_selects_the_state_then(moment, version):
    result = resolve(versionTime=moment.isoformat())
    assert result.did_document_metadata["versionId"] == str(version)
    assert result.did_document_metadata["versionTime"] == TIMES[version - 1]


def test_version_time_with_an_offset():
    # 2024-01-03T00:30:00+01:00 is 2024-01-02T23:30:00Z: still version 2.
    result = resolve(versionTime="2024-01-03T00:30:00+01:00")
    assert result.did_document_metadata["versionId"] == "2"


def test_version_time_before_creation_is_not_found():
    result = resolve(versionTime="2023-12-31T23:59:59Z")
    assert (result.did_document, result.error) == (None, "notFound")


@pytest.mark.parametrize("moment", ["yesterday", "2024-01-03", 1704240000, None])
def test_malformed_version_time_is_invalid(moment):
    result = resolve(versionTime=moment)
    if moment is None:  # an absent option: the latest state
        assert result.did_document_metadata["versionId"] == "5"
    else:
        assert (result.did_document, result.error) == (None, "invalidOptions")


def test_both_version_options_are_invalid():
    result = resolve(versionId="2", versionTime=TIMES[1])
    assert (result.did_document, result.error) == (None, "invalidOptions")


def test_the_driver_raises_the_errors_the_resolver_reports():
    method = AgoraMethod()
    with pytest.raises(InvalidResolutionOptionsError):
        method_resolve(method, DID, log=ENTRIES, versionId="2", versionTime=TIMES[1])
    with pytest.raises(DIDNotFoundError):
        method_resolve(method, DID, log=ENTRIES, versionId=9)
    with pytest.raises(DIDNotFoundError):
        method_resolve(method, DID)


@pytest.mark.parametrize("log", [{"entries": []}, 42, True])
def test_log_option_of_the_wrong_type_is_invalid(log):
    result = ssi.methods.resolve(DID, log=log)
    assert (result.did_document, result.error) == (None, "invalidOptions")


def test_log_option_as_jsonl_text():
    result = ssi.methods.resolve(DID, log=jsonl(ENTRIES))
    assert result.did_document_metadata["versionId"] == "5"


def test_without_a_log_the_did_is_not_found():
    result = ssi.methods.resolve(DID)
    assert (result.did_document, result.error) == (None, "notFound")


@pytest.mark.parametrize("did", ["did:agora:Qm123", "did:agora:z123:456", "did:agora:"])
def test_not_a_did_agora_identifier(did):
    result = ssi.methods.resolve(did, log=ENTRIES)
    assert result.did_document is None
    assert result.error == "invalidDid"


def test_a_log_for_another_did_is_refused():
    other = LogBuilder(update=U3, next_keys=(U4,))
    result = ssi.methods.resolve(DID, log=other.entries)
    assert result.did_document is None
    assert result.error == "invalidLogHash"
    assert result.did_resolution_metadata["logEntry"] == 1


def test_file_source_folder_with_several_dids(tmp_path):
    other = LogBuilder(update=U3, next_keys=(U4,), signing=S2)
    other.add_service(U3, at(1), "shop")
    write_log(tmp_path, "b-first-does-not-matter.jsonl", ENTRIES)
    write_log(tmp_path, "a.jsonl", other.entries)
    (tmp_path / "notes.txt").write_text("not a log", encoding="utf-8")
    (tmp_path / "folder.jsonl").mkdir()
    # A file whose first entry creates another DID is not read further (bad
    # files are refused: see test_log_files.py).
    third = LogBuilder(update=U5, next_keys=())
    (tmp_path / "c.jsonl").write_text(jsonl(third.entries) + "{oops\n")
    resolver = resolver_for(tmp_path)
    first = resolver.resolve(DID)
    second = resolver.resolve(other.did)
    assert first.did_document_metadata["versionId"] == "5"
    assert second.did_document_metadata["versionId"] == "2"
    assert [s.id for s in document_of(second).service] == [other.did + "#shop"]
    unknown = LogBuilder(update=U4, next_keys=()).did
    assert resolver.resolve(unknown).error == "notFound"


def test_file_source_single_file_and_missing_path(tmp_path):
    path = write_log(tmp_path, "alice.jsonl", ENTRIES)
    assert resolver_for(path).resolve(DID).ok
    assert resolver_for(tmp_path / "gone").resolve(DID).error == "notFound"
    assert FileLogSource(tmp_path / "gone").logs_for(DID) == []


def test_file_source_ignores_a_file_of_another_did(tmp_path):
    other = LogBuilder(update=U3, next_keys=(U4,))
    write_log(tmp_path, "alice.jsonl", other.entries)
    assert resolver_for(tmp_path).resolve(DID).error == "notFound"


def test_file_source_sees_new_entries_at_once(tmp_path):
    write_log(tmp_path, "alice.jsonl", ENTRIES[:2])
    resolver = resolver_for(tmp_path)  # uncached: cache_ttl=0
    assert resolver.resolve(DID).did_document_metadata["versionId"] == "2"
    write_log(tmp_path, "alice.jsonl", ENTRIES)
    assert resolver.resolve(DID).did_document_metadata["versionId"] == "5"


def test_file_source_reports_a_broken_line_of_the_did_log(tmp_path):
    lines = jsonl(ENTRIES).splitlines()
    lines[3] = lines[3][:-1]  # entry 4 is cut short
    (tmp_path / "alice.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = resolver_for(tmp_path).resolve(DID)
    assert result.did_document is None
    assert result.error == "invalidLogEntry"
    assert result.did_resolution_metadata["logEntry"] == 4


def test_file_source_with_crlf_line_ends(tmp_path):
    (tmp_path / "alice.jsonl").write_bytes(
        jsonl(ENTRIES).replace("\n", "\r\n").encode()
    )
    assert resolver_for(tmp_path).resolve(DID).did_document_metadata["versionId"] == "5"


def test_static_source_and_log_option_together():
    resolver = resolver_for(StaticLogSource({DID: [ENTRIES[:3]]}))
    assert resolver.resolve(DID).did_document_metadata["versionId"] == "3"
    result = resolver.resolve(DID, log=ENTRIES)
    assert result.did_document_metadata["versionId"] == "5"


def test_dereference_a_key_of_an_earlier_version():
    resolver = resolver_for(StaticLogSource({DID: [ENTRIES]}))
    earlier = resolver.dereference(DID + "?versionId=2#key-1")
    latest = resolver.dereference(DID + "#key-1")
    assert isinstance(earlier.content, VerificationMethod)
    assert isinstance(latest.content, VerificationMethod)
    assert earlier.content.public_key_multibase == multikey(S1)
    assert latest.content.public_key_multibase == multikey(S2)


def _deactivated() -> LogBuilder:
    builder = five_entry_log()
    builder.deactivate(U4, at(5))
    return builder


def test_deactivated_did_resolves_without_verification_methods():
    builder = _deactivated()
    result = ssi.methods.resolve(DID, log=builder.entries)
    assert result.ok
    assert document_of(result).to_json() == {
        "@context": [
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/multikey/v1",
        ],
        "id": DID,
    }
    metadata = result.did_document_metadata
    assert metadata["deactivated"] is True
    assert metadata["versionId"] == "6"
    assert metadata["updated"] == text(at(5))


def test_earlier_version_of_a_deactivated_did_is_flagged_deactivated():
    result = ssi.methods.resolve(DID, log=_deactivated().entries, versionId="5")
    assert _key_1(result) == multikey(S2)
    assert result.did_document_metadata["deactivated"] is True
    assert result.did_document_metadata["nextVersionId"] == "6"


def test_deactivation_without_a_commitment_by_the_current_key():
    builder = LogBuilder(next_keys=())
    builder.deactivate(U1, at(1))
    assert builder.log.latest.deactivated


def test_document_for_each_state():
    log = validate_log(ENTRIES, did=DID)
    keys = [
        document_for(DID, state).verification_method[0].public_key_multibase
        for state in log.states
    ]
    assert keys == [multikey(S1)] * 2 + [multikey(S2)] * 3


def test_rotation_keeps_history_of_update_keys():
    log = validate_log(ENTRIES, did=DID)
    assert [s.update_keys for s in log.states] == [
        (multikey(U1),),
        (multikey(U1),),
        (multikey(U2),),
        (multikey(U2),),
        (multikey(U3),),
    ]
    assert key(U2).public_key.export_multikey() == multikey(U2)


def test_add_source():
    method = AgoraMethod(clock=lambda: at(10))
    method.add_source(StaticLogSource({DID: [ENTRIES]}))
    result = method_resolve(method, DID)
    assert result.did_document_metadata["versionId"] == "5"


def test_file_source_skips_a_file_whose_first_entry_cannot_be_hashed(tmp_path):
    # Strict JSON, but beyond what JCS represents: it creates no DID.
    (tmp_path / "big.jsonl").write_text('{"version": 1, "x": 1152921504606846976}\n')
    write_log(tmp_path, "alice.jsonl", ENTRIES)
    assert resolver_for(tmp_path).resolve(DID).ok


def test_forked_log_with_a_line_that_is_not_an_object():
    # Two entries of version 2 make the log branch; a stray non-object entry
    # has no place in it and fails, numbered by its position in the log.
    other = LogBuilder()
    other.add_service(U1, at(1.5), "other")
    entries = [*ENTRIES[:2], other.entries[1], 42]
    result = ssi.methods.resolve(DID, log=entries)
    assert result.did_document is None
    assert (result.error, result.did_resolution_metadata["logEntry"]) == (
        "invalidLogEntry",
        4,
    )
