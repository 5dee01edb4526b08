"""Credentials of a threshold DID (2 of 3 stewards) carry a proof set of 2.

The community's stewards sign with their assertion keys (``#steward-1`` ...);
``ssi.cosign`` adds one proof at a time; the verifier requires the DID
document's ``threshold`` of proofs by distinct assertion keys, in this
process and on a process pool alike.
"""

from __future__ import annotations

import copy
from concurrent.futures import ProcessPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ssi
from ssi.agora import AgoraMethod
from ssi.credentials import FixedClock, Verifier
from ssi.did.methods import KeyMethod
from ssi.did.resolution import MethodRegistry, Resolver
from ssi.errors import ProofGenerationError
from ssi.types import JsonObject
from tests.unit.agora.builders import NOW, StaticLogSource, at, key
from tests.unit.agora.test_threshold import DID, FIRST

STEWARD_KEYS = {1: 51, 2: 52, 3: 53}
RESOLVER = Resolver(
    MethodRegistry([KeyMethod(), AgoraMethod([StaticLogSource({DID: [[FIRST]]})])]),
    cache_ttl=0,
)
VERIFIER = Verifier(resolver=RESOLVER, clock=FixedClock(NOW))


def membership(member: str = "did:example:ada") -> JsonObject:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "MembershipCredential"],
        "issuer": DID,
        "validFrom": "2024-01-02T00:00:00Z",
        "credentialSubject": {"id": member, "role": "member"},
    }


def steward(n: int) -> ssi.LocalSigner:
    return ssi.LocalSigner(key(STEWARD_KEYS[n]), f"{DID}#steward-{n}")


def signed(*stewards: int, member: str = "did:example:ada") -> JsonObject:
    credential = membership(member)
    for n in stewards:
        credential = ssi.cosign(credential, steward(n), created=at(1))
    return credential


def test_two_steward_proofs_verify():
    report = VERIFIER.verify(signed(1, 3))
    assert report.verified, report.problems
    (check,) = [c for c in report.checks if c.name == "threshold"]
    assert check.detail == "2 of 3 steward proofs verified, 2 required"


def test_one_steward_proof_fails_with_the_threshold_check():
    report = VERIFIER.verify(signed(2))
    assert not report.verified
    (problem,) = report.problems
    assert problem.check == "threshold"
    assert problem.error.code == "insufficientProofs"
    assert problem.error.detail == "2 of 3 steward proofs required, 1 verified."


def test_issue_then_cosign_makes_a_proof_set():
    first = ssi.issue(membership(), steward(1), created=at(1))
    both = ssi.cosign(first, steward(2), created=at(1))
    assert len(both["proof"]) == 2
    assert VERIFIER.verify(both).verified
    assert ssi.cosign(both, steward(2)) == both  # signing again adds nothing


def test_a_repeated_proof_does_not_count_twice():
    one = signed(1)
    doubled = copy.deepcopy(one)
    doubled["proof"] = [one["proof"], copy.deepcopy(one["proof"])]
    assert not VERIFIER.verify(doubled).verified


def test_a_proof_by_a_non_steward_does_not_count():
    one = signed(1)
    with pytest.raises(ProofGenerationError):
        ssi.cosign(one, ssi.signer(key(99)))
    foreign = ssi.issue(
        {**membership(), "issuer": ssi.did_key(key(99))},
        ssi.signer(key(99)),
        created=at(1),
    )
    mixed = copy.deepcopy(one)
    mixed["proof"] = [one["proof"], foreign["proof"]]
    report = VERIFIER.verify(mixed)
    assert not report.verified
    assert [p.error.code for p in report.problems] == ["insufficientProofs"]
    assert any(w.code == "proofNotMatched" for w in report.warnings)


def test_a_proof_by_a_removed_steward_key_does_not_verify():
    # A key that is no assertion method of the DID is not a steward's.
    stranger = ssi.LocalSigner(key(54), f"{DID}#steward-4")
    credential = ssi.cosign(signed(1), stranger, created=at(1))
    assert not VERIFIER.verify(credential).verified


def test_cosign_refuses_to_add_a_context_under_existing_proofs():
    one = signed(1)
    stripped = copy.deepcopy(one)
    stripped["@context"] = ["https://www.w3.org/2018/credentials/v1"]
    stripped["issuanceDate"] = stripped.pop("validFrom")
    with pytest.raises(ProofGenerationError):
        ssi.cosign(stripped, steward(2))


def test_single_key_issuers_are_unchanged():
    plain = ssi.issue(
        {**membership(), "issuer": ssi.did_key(key(7))},
        ssi.signer(key(7)),
        created=at(1),
    )
    report = VERIFIER.verify(plain)
    assert report.verified
    assert all(c.name != "threshold" for c in report.checks)


def test_verify_many_on_a_process_pool_applies_the_threshold():
    corpus = [
        signed(1, 2),
        signed(3),
        signed(2, 3, member="did:example:bob"),
        signed(1),
    ]
    expected = [True, False, True, False]
    assert [r.verified for r in VERIFIER.verify_many(corpus)] == expected
    with ProcessPoolExecutor(2) as executor:
        reports = VERIFIER.verify_many(corpus, executor=executor, chunk_size=1)
    assert [r.verified for r in reports] == expected
    assert [p.error.code for p in reports[1].problems] == ["insufficientProofs"]


@settings(max_examples=10, deadline=None)
@given(st.sampled_from([(1, 2), (1, 3), (2, 3)]), st.integers(0, 1))
def test_removing_any_proof_of_exactly_m_fails(pair, dropped):
    credential = signed(*pair)
    assert VERIFIER.verify(credential).verified
    credential["proof"].pop(dropped)
    assert not VERIFIER.verify(credential).verified


def test_a_threshold_that_is_not_a_positive_integer_fails_closed():
    from ssi.credentials.threshold import issuer_threshold
    from ssi.did.document import DIDDocument
    from ssi.errors import MalformedValueError
    from ssi.proofs import VerifiedProof, default_registry

    resolved = RESOLVER.resolve(DID).did_document
    body = resolved.to_json()
    method = resolved.find_verification_method(f"{DID}#steward-1")
    suite = default_registry().get("eddsa-jcs-2022")
    for value in ("2", 0, True, 2.0):
        document = DIDDocument.from_json({**body, "threshold": value})
        proof = VerifiedProof({}, suite, method, document, None)
        with pytest.raises(MalformedValueError):
            issuer_threshold([proof])


def test_bundle_verification_applies_the_threshold_in_process_and_on_a_pool():
    import io

    from ssi.bundle import MemoryLogSource, pack, verify_bundle

    credentials = [signed(1, 2), signed(3), signed(2, 3, member="did:example:bob")]
    out = io.BytesIO()
    pack(credentials, out, logs=MemoryLogSource({DID: [[FIRST]]}))
    expected = [True, False, True]
    clock = FixedClock(NOW)
    with verify_bundle(io.BytesIO(out.getvalue()), clock=clock) as verification:
        found = list(verification)
    assert [r.verified for r in found] == expected
    (problem,) = found[1].problems
    assert problem.error.code == "insufficientProofs"
    with ProcessPoolExecutor(2) as executor:
        with verify_bundle(
            io.BytesIO(out.getvalue()), clock=clock, executor=executor, chunk_size=1
        ) as verification:
            pooled = list(verification)
    assert [r.verified for r in pooled] == expected
