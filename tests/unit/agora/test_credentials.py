"""Credentials signed with did:agora keys, verified against the DID's history.

A proof is checked against the DID's state at the proof's ``created`` time; a
key rotated out since gives a warning; a key a later entry marks compromised
fails every proof made with it; after deactivation no proof verifies.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

import ssi
from ssi.agora import signing_document
from ssi.credentials import VerificationReport
from ssi.did.resolution import Resolver
from ssi.types import JsonObject
from tests.unit.agora.builders import (
    NOW,
    S1,
    S2,
    U1,
    U2,
    U3,
    U4,
    LogBuilder,
    StaticLogSource,
    at,
    key,
    multikey,
    resolver_for,
    write_log,
)

HOLDER = "did:example:holder"


def credential(did: str, name: str) -> JsonObject:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": did,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": HOLDER, "name": name},
    }


def issue(
    did: str, seed: int, created: datetime, fragment: str = "key-1"
) -> JsonObject:
    signer = ssi.LocalSigner(key(seed), f"{did}#{fragment}")
    return ssi.issue(credential(did, f"by {seed}"), signer, created=created)


def verify(secured: JsonObject, resolver: Resolver) -> VerificationReport:
    return ssi.verify(secured, resolver=resolver, now=NOW)


def _proof_problem(report: VerificationReport) -> JsonObject:
    (problem,) = report.problems
    return problem.to_json()


class History:
    """A DID whose log grows in a folder, resolved without a cache."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.builder = LogBuilder()
        self.did = self.builder.did
        self.resolver = resolver_for(folder)
        self.save()

    def save(self) -> None:
        write_log(self.folder, "log.jsonl", self.builder.entries)


@pytest.fixture
def history(tmp_path: Path) -> History:
    return History(tmp_path)


def test_rotation_then_compromise(history):
    b = history.builder
    b.add_service(U1, at(1), "hub")
    history.save()
    first = issue(history.did, S1, at(1.5))
    report = verify(first, history.resolver)
    assert report.verified, report.problems
    assert report.warnings == ()

    b.rotate(U2, [U3], at(2), signing=S2)
    history.save()
    second = issue(history.did, S2, at(2.5))
    report = verify(first, history.resolver)
    assert report.verified, report.problems
    assert any(
        "#key-1" in w and "rotated to a new key" in w for w in report.warnings
    ), report.warnings
    report = verify(second, history.resolver)
    assert report.verified
    assert report.warnings == ()

    b.rotate(U3, [U4], at(3), compromised=[multikey(S1)])
    history.save()
    report = verify(first, history.resolver)
    assert not report.verified
    problem = _proof_problem(report)
    assert problem["errorCode"] == "PROOF_VERIFICATION_ERROR"
    assert "compromised" in problem["detail"]
    report = verify(second, history.resolver)
    assert report.verified, report.problems


def test_a_compromised_key_fails_whatever_the_proof_date(history):
    b = history.builder
    b.rotate(U2, [U3], at(1), signing=S2, compromised=[multikey(S1)])
    history.save()
    for created in (at(0), at(0.5)):
        report = verify(issue(history.did, S1, created), history.resolver)
        assert not report.verified
        assert _proof_problem(report)["errorCode"] == "PROOF_VERIFICATION_ERROR"


def test_an_old_key_used_after_its_rotation_fails(history):
    b = history.builder
    b.rotate(U2, [U3], at(1), signing=S2)
    history.save()
    report = verify(issue(history.did, S1, at(1.5)), history.resolver)
    assert not report.verified
    assert _proof_problem(report)["errorCode"] == "PROOF_VERIFICATION_ERROR"


def test_a_key_removed_from_the_document_gives_a_rotated_out_warning(history):
    b = history.builder
    b.update(U1, at(1), signing_document(key(S2).public_key, fragment="key-2"))
    history.save()
    first = issue(history.did, S1, at(0.5))
    report = verify(first, history.resolver)
    assert report.verified, report.problems
    assert any("rotated out" in w for w in report.warnings), report.warnings
    second = issue(history.did, S2, at(1.5), fragment="key-2")
    assert verify(second, history.resolver).warnings == ()


def test_a_proof_dated_before_the_did_existed_fails(history):
    report = verify(issue(history.did, S1, at(-1)), history.resolver)
    assert not report.verified
    assert _proof_problem(report)["errorCode"] == "notFound"


def test_deactivation(history):
    b = history.builder
    b.add_service(U1, at(1), "hub")
    before = issue(history.did, S1, at(1.5))
    b.deactivate(U2, at(2))
    history.save()
    report = verify(before, history.resolver)
    assert report.verified, report.problems
    assert any("deactivated" in w for w in report.warnings), report.warnings
    after = issue(history.did, S1, at(2.5))
    report = verify(after, history.resolver)
    assert not report.verified
    assert _proof_problem(report)["errorCode"] == "INVALID_VERIFICATION_METHOD_URL"


def test_a_forked_log_fails_every_proof():
    builder = LogBuilder()
    secured = issue(builder.did, S1, at(0.5))
    evil = LogBuilder()
    evil.add_service(U1, at(1), "evil")
    honest = LogBuilder()
    honest.rotate(U2, [U3], at(1.5), compromised=[multikey(U1)])
    resolver = resolver_for(
        StaticLogSource({builder.did: [evil.entries, honest.entries]})
    )
    report = verify(secured, resolver)
    assert not report.verified
    problem = _proof_problem(report)
    assert problem["errorCode"] == "duplicity"
    assert "forked" in problem["detail"]


def test_issuer_must_be_the_did_that_holds_the_key(history):
    other = LogBuilder(update=U3, next_keys=(U4,), signing=S2)
    secured = issue(history.did, S1, at(0.5))
    secured["issuer"] = other.did
    report = verify(
        secured,
        resolver_for(
            StaticLogSource(
                {history.did: [history.builder.entries], other.did: [other.entries]}
            )
        ),
    )
    assert not report.verified


def test_a_key_of_a_did_without_a_log_fails():
    builder = LogBuilder()
    report = verify(issue(builder.did, S1, at(0.5)), resolver_for())
    assert not report.verified
    assert _proof_problem(report)["errorCode"] == "notFound"


def test_a_caching_resolver_sees_a_compromise_at_once(tmp_path):
    # AgoraMethod declares cacheable = False: a Resolver with the default TTL
    # resolves did:agora afresh, so a new entry counts at once.
    from ssi.agora import AgoraMethod, FileLogSource
    from ssi.did.methods import KeyMethod
    from ssi.did.resolution import MethodRegistry

    history = History(tmp_path)
    cached = Resolver(
        MethodRegistry(
            [KeyMethod(), AgoraMethod([FileLogSource(tmp_path)], clock=lambda: NOW)]
        )
    )
    first = issue(history.did, S1, at(0.5))
    assert verify(first, cached).verified
    history.builder.rotate(U2, [U3], at(1), signing=S2, compromised=[multikey(S1)])
    history.save()
    assert not verify(first, cached).verified


def test_update_key_seeds_differ_from_signing_key_seeds():
    assert len({multikey(s) for s in (U1, U2, U3, U4, S1, S2)}) == 6
