"""verify_proof given the whole document's JCS bytes (``canonical_secured``):
a JCS suite cuts what it hashes out of them, establishes what it establishes
without them, canonicalizes the document no more, and still refuses a
document changed after signing."""

from __future__ import annotations

import copy

import pytest

import ssi
from ssi.errors import InvalidSignatureError
from ssi.jsonld import canon
from ssi.jsonld.canon import canonicalize_jcs
from ssi.proofs import AssertionMethodPurpose, add_proof, proofs_of, verify_proof
from ssi.proofs.suites import base
from ssi.types import JsonObject
from tests.unit.proofs.doubles import NOW, ed25519_key, p256_key

SUITES = ["eddsa-jcs-2022", "ecdsa-jcs-2019", "eddsa-rdfc-2022"]


def signed(suite: str, seed: int = 1) -> JsonObject:
    key = p256_key(seed) if suite.startswith("ecdsa") else ed25519_key(seed)
    signer = ssi.signer(key)
    credential: JsonObject = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": signer.key_id.split("#")[0],
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:1"},
    }
    return ssi.issue(credential, signer, suite=suite, created="2024-01-02T00:00:00Z")


def check(document: JsonObject, proof: JsonObject, secured: bytes | None):
    return verify_proof(
        document,
        proof,
        purpose=AssertionMethodPurpose(),
        now=NOW,
        canonical_secured=secured,
    )


@pytest.mark.parametrize("suite", SUITES)
def test_the_same_proof_is_established_with_the_whole_bytes(suite: str) -> None:
    document = signed(suite)
    proof = proofs_of(document)[0]
    slow = check(document, proof, None)
    fast = check(document, proof, canonicalize_jcs(document))
    assert (fast.suite, fast.method, fast.controller, fast.created) == (
        slow.suite,
        slow.method,
        slow.controller,
        slow.created,
    )


def test_every_proof_of_a_set_and_a_chain_verifies_with_the_whole_bytes() -> None:
    document = signed("eddsa-jcs-2022")
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    made = add_proof(
        unsigned,
        ssi.signer(ed25519_key(1)),
        proof_id="urn:proof:1",
        created="2024-01-02T00:00:00Z",
    )
    made = add_proof(
        made,
        ssi.signer(ed25519_key(2)),
        proof_id="urn:proof:2",
        created="2024-01-03T00:00:00Z",
    )
    chained = add_proof(
        made,
        ssi.signer(ed25519_key(3)),
        created="2024-01-04T00:00:00Z",
        previous_proof="urn:proof:1",
    )
    for candidate, count in ((made, 2), (chained, 3)):
        whole = canonicalize_jcs(candidate)
        proofs = proofs_of(candidate)
        assert len(proofs) == count
        for proof in proofs:
            assert check(candidate, proof, whole).proof is proof


def _subject_canonicalizations(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record every canonicalization of an object with a credentialSubject."""
    seen: list[object] = []
    real = canon.canonicalize_jcs

    def counted(value):  # type: ignore[no-untyped-def]
        if isinstance(value, dict) and "credentialSubject" in value:
            seen.append(value)
        return real(value)

    monkeypatch.setattr(canon, "canonicalize_jcs", counted)
    monkeypatch.setattr(base, "canonicalize_jcs", counted)
    return seen


@pytest.mark.parametrize("suite", ["eddsa-jcs-2022", "ecdsa-jcs-2019"])
def test_the_document_is_not_canonicalized_again(
    suite: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = signed(suite)
    proof = proofs_of(document)[0]
    whole = canonicalize_jcs(document)
    seen = _subject_canonicalizations(monkeypatch)
    check(document, proof, None)
    assert len(seen) == 1  # the document without its proof
    seen.clear()
    check(document, proof, whole)
    assert seen == []


@pytest.mark.parametrize("suite", SUITES)
def test_a_document_changed_after_signing_is_refused(suite: str) -> None:
    document = signed(suite)
    changed = copy.deepcopy(document)
    changed["credentialSubject"]["id"] = "did:example:2"
    proof = proofs_of(changed)[0]
    with pytest.raises(InvalidSignatureError):
        check(changed, proof, canonicalize_jcs(changed))
    # The proof's own configuration is signed too.
    moved = copy.deepcopy(document)
    moved["proof"]["created"] = "2024-01-02T00:00:01Z"
    with pytest.raises(InvalidSignatureError):
        check(moved, proofs_of(moved)[0], canonicalize_jcs(moved))


def test_a_proof_whose_context_is_not_the_documents_is_hashed_as_before() -> None:
    document = signed("eddsa-jcs-2022")
    # A context appended after signing: the proof's @context is a prefix of
    # the document's and takes its place, so the proof still verifies; the
    # bytes hashed are not the document's without its proof, and are not
    # cut from the whole.
    document["@context"] = [*document["@context"], "https://w3id.org/agora/v1"]
    proof = proofs_of(document)[0]
    assert check(document, proof, None).proof is proof
    assert check(document, proof, canonicalize_jcs(document)).proof is proof
