"""Our library against didkit, both ways: VC 1.1 with ``Ed25519Signature2020``.

didkit issues and we verify; we issue and didkit verifies; the same for
presentations bound to a challenge and domain. didkit is a declared, pinned
test dependency for Python < 3.13, so these tests fail (they do not skip)
when it is missing there.

Spec: https://w3c-ccg.github.io/di-eddsa-2020/#ed25519signature2020,
https://www.w3.org/TR/vc-data-model/#presentations-0
"""

from __future__ import annotations

import copy
import sys
from datetime import UTC, datetime

import pytest

import ssi
from ssi.credentials import VC_V1_CONTEXT
from ssi.errors import InvalidChallengeError, InvalidDomainError, InvalidSignatureError
from ssi.keys import Ed25519KeyPair
from ssi.proofs.suites import ED25519_2020_CONTEXT
from tests.interop import didkit_peer
from tests.interop.didkit_peer import JsonObject
from tests.vectors import load

pytestmark = [
    pytest.mark.interop,
    pytest.mark.skipif(
        sys.version_info >= (3, 13), reason="didkit 0.3.3 has no wheel for 3.13+"
    ),
]

SUITE = "Ed25519Signature2020"
CREATED = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
NOW = datetime(2024, 6, 1, tzinfo=UTC)
OK = {"checks": ["proof"], "warnings": [], "errors": []}
CHALLENGE = "c-42"
DOMAIN = "verifier.example"

# Our key is fixed (no randomness in our tests); didkit's peer key is its own.
OUR_KEY = Ed25519KeyPair.from_seed(bytes(range(32)))
OUR_DID = ssi.did_key(OUR_KEY)


def vc11(issuer: str, *contexts: str) -> JsonObject:
    return {
        "@context": [VC_V1_CONTEXT, *contexts],
        "id": "urn:uuid:5f0c7e0a-4a8e-4a4b-9f51-0c6d2b9e7d31",
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "issuanceDate": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:ebfeb1f712ebc6f1c276e12ec21"},
    }


def vp11(holder: str, credentials: list[JsonObject]) -> JsonObject:
    return {
        "@context": [VC_V1_CONTEXT],
        "type": ["VerifiablePresentation"],
        "holder": holder,
        "verifiableCredential": credentials,
    }


def tampered(document: JsonObject) -> JsonObject:
    changed = copy.deepcopy(document)
    changed["credentialSubject"]["id"] = "did:example:mallory"
    return changed


def problem_errors(report: ssi.VerificationReport) -> list[type[ssi.SSIError]]:
    return [type(p.error) for p in report.all_problems()]


@pytest.fixture(scope="module")
def peer_jwk() -> JsonObject:
    return didkit_peer.generate_ed25519_jwk()


@pytest.fixture(scope="module")
def peer_did(peer_jwk: JsonObject) -> str:
    return didkit_peer.did_key_for(peer_jwk)


@pytest.fixture(scope="module")
def peer_vc(peer_jwk: JsonObject, peer_did: str) -> JsonObject:
    return didkit_peer.issue_v1(vc11(peer_did), peer_jwk, created=CREATED)


@pytest.fixture(scope="module")
def our_vc() -> JsonObject:
    return ssi.issue(vc11(OUR_DID), ssi.signer(OUR_KEY), suite=SUITE, created=CREATED)


def test_didkit_is_installed():
    assert didkit_peer.available(), "didkit is a test dependency on Python < 3.13"
    assert didkit_peer.version() == didkit_peer.DIDKIT_VERSION


# --- Keys and DIDs agree --------------------------------------------------------------


def test_didkit_derives_our_did_key_and_verification_method():
    jwk = OUR_KEY.export_jwk(private=True)
    assert didkit_peer.did_key_for(jwk) == OUR_DID
    assert didkit_peer.verification_method_for(jwk) == ssi.signer(OUR_KEY).key_id


def test_we_derive_didkit_s_did_key(peer_jwk, peer_did):
    public = ssi.import_key(didkit_peer.public_jwk(peer_jwk))
    assert ssi.did_key(public) == peer_did


def test_didkit_and_we_sign_the_same_bytes():
    # Ed25519 is deterministic: with the suite context listed by the
    # credential (so didkit puts none in the proof), both proofs are identical.
    credential = vc11(OUR_DID, ED25519_2020_CONTEXT)
    jwk = OUR_KEY.export_jwk(private=True)

    theirs = didkit_peer.issue_v1(credential, jwk, created=CREATED)
    ours = ssi.issue(credential, ssi.signer(OUR_KEY), suite=SUITE, created=CREATED)

    assert ours == theirs


# --- didkit issues, we verify ---------------------------------------------------------


def test_didkit_credential_has_the_suite_context_in_its_proof(peer_vc):
    assert peer_vc["@context"] == [VC_V1_CONTEXT]
    assert peer_vc["proof"]["@context"] == [ED25519_2020_CONTEXT]


def test_we_verify_a_didkit_credential(peer_vc):
    report = ssi.verify(peer_vc, now=NOW)
    assert report.verified, report.to_json()


def test_we_verify_a_didkit_credential_only_with_the_suite_allowed(peer_vc):
    assert ssi.verify(peer_vc, suites=[SUITE], now=NOW).verified
    assert not ssi.verify(peer_vc, suites=["eddsa-rdfc-2022"], now=NOW).verified


def test_we_refuse_a_tampered_didkit_credential(peer_vc):
    report = ssi.verify(tampered(peer_vc), now=NOW)
    assert not report.verified
    assert problem_errors(report) == [InvalidSignatureError]


def test_we_refuse_a_didkit_credential_without_its_proof_context(peer_vc):
    # The signature covers the proof canonicalized with the proof's own
    # @context; dropping it changes those bytes.
    stripped = copy.deepcopy(peer_vc)
    del stripped["proof"]["@context"]
    assert not ssi.verify(stripped, now=NOW).verified


def test_we_verify_the_stored_didkit_fixture():
    fixture = load.json_file("didkit", "ed25519-signature-2020-v1.json")
    produced = datetime(2026, 12, 1, tzinfo=UTC)  # after its issuanceDate

    report = ssi.verify(fixture["credential"], now=produced)

    assert report.verified, report.to_json()
    assert [c.detail for c in report.checks if c.name == "proof"] == [
        f"{SUITE} by {fixture['verificationMethod']}"
    ]


def test_we_refuse_the_tampered_stored_didkit_fixture():
    fixture = load.json_file("didkit", "ed25519-signature-2020-v1.json")
    produced = datetime(2026, 12, 1, tzinfo=UTC)
    report = ssi.verify(tampered(fixture["credential"]), now=produced)
    assert problem_errors(report) == [InvalidSignatureError]


# --- We issue, didkit verifies --------------------------------------------------------


def test_our_credential_shape(our_vc):
    assert our_vc["@context"] == [VC_V1_CONTEXT, ED25519_2020_CONTEXT]
    proof = our_vc["proof"]
    assert proof["type"] == SUITE
    assert (
        proof["verificationMethod"] == f"{OUR_DID}#{OUR_DID.removeprefix('did:key:')}"
    )


def test_didkit_verifies_our_credential(our_vc):
    assert didkit_peer.verify(our_vc) == OK


def test_didkit_refuses_our_tampered_credential(our_vc):
    assert didkit_peer.verify(tampered(our_vc))["errors"]


def test_didkit_refuses_our_credential_for_another_purpose(our_vc):
    assert didkit_peer.verify(our_vc, proof_purpose="authentication")["errors"]


# --- Presentations --------------------------------------------------------------------


@pytest.fixture(scope="module")
def peer_vp(peer_jwk, peer_did, peer_vc) -> JsonObject:
    return didkit_peer.issue_presentation(
        vp11(peer_did, [peer_vc]),
        peer_jwk,
        challenge=CHALLENGE,
        domain=DOMAIN,
        created=CREATED,
    )


@pytest.fixture(scope="module")
def our_vp(our_vc) -> JsonObject:
    return ssi.present(
        [our_vc],
        ssi.signer(OUR_KEY),
        challenge=CHALLENGE,
        domain=DOMAIN,
        suite=SUITE,
        created=CREATED,
    )


def test_we_verify_a_didkit_presentation(peer_vp):
    report = ssi.verify_presentation(
        peer_vp, challenge=CHALLENGE, domain=DOMAIN, now=NOW
    )
    assert report.verified, report.to_json()
    assert [r.verified for r in report.credentials] == [True]


@pytest.mark.parametrize(
    ("challenge", "domain", "error"),
    [
        ("c-43", DOMAIN, InvalidChallengeError),
        (CHALLENGE, "evil.example", InvalidDomainError),
    ],
    ids=["challenge", "domain"],
)
def test_we_refuse_a_didkit_presentation_for_another_verifier(
    peer_vp, challenge, domain, error
):
    report = ssi.verify_presentation(
        peer_vp, challenge=challenge, domain=domain, now=NOW
    )
    assert problem_errors(report) == [error]


def test_we_refuse_a_didkit_presentation_of_a_tampered_credential(
    peer_jwk, peer_did, peer_vc
):
    # didkit itself does not check embedded credentials; we do.
    vp = didkit_peer.issue_presentation(
        vp11(peer_did, [tampered(peer_vc)]),
        peer_jwk,
        challenge=CHALLENGE,
        created=CREATED,
    )
    report = ssi.verify_presentation(vp, challenge=CHALLENGE, domain=False, now=NOW)
    assert not report.verified
    assert report.problems == ()
    assert problem_errors(report) == [InvalidSignatureError]


def test_our_presentation_shape(our_vp):
    assert our_vp["@context"] == [VC_V1_CONTEXT, ED25519_2020_CONTEXT]
    assert our_vp["holder"] == OUR_DID
    proof = our_vp["proof"]
    assert (proof["type"], proof["proofPurpose"]) == (SUITE, "authentication")
    assert (proof["challenge"], proof["domain"]) == (CHALLENGE, DOMAIN)


def test_didkit_verifies_our_presentation(our_vp):
    result = didkit_peer.verify_presentation(our_vp, challenge=CHALLENGE, domain=DOMAIN)
    assert result == OK


@pytest.mark.parametrize(
    "options",
    [{"challenge": "c-43"}, {"challenge": CHALLENGE, "domain": "evil.example"}],
    ids=["challenge", "domain"],
)
def test_didkit_refuses_our_presentation_for_another_verifier(our_vp, options):
    assert didkit_peer.verify_presentation(our_vp, **options)["errors"]


def test_didkit_refuses_our_tampered_presentation(our_vp):
    changed = copy.deepcopy(our_vp)
    changed["holder"] = "did:example:mallory"
    assert didkit_peer.verify_presentation(changed, challenge=CHALLENGE)["errors"]


def test_didkit_verifies_the_credential_inside_our_presentation(our_vp):
    [credential] = our_vp["verifiableCredential"]
    assert didkit_peer.verify(credential) == OK
