"""didkit as an interop peer: it issues and verifies VC 1.1 credentials and VPs.

These tests pin down what didkit 0.3.3 produces (proof shape, contexts,
verification result), so that the tests that check our own library against
didkit fail for a clear reason when the peer changes.
"""

from __future__ import annotations

import base64
import copy
import sys
from datetime import UTC, datetime

import pytest

from tests.interop import didkit_peer
from tests.interop.didkit_peer import JsonObject
from tests.vectors import load

pytestmark = pytest.mark.interop

# didkit is a pinned test dependency for Python < 3.13 (it publishes no wheels
# for newer Pythons): on 3.11 a missing didkit fails these tests.
needs_didkit = pytest.mark.skipif(
    sys.version_info >= (3, 13), reason="didkit 0.3.3 has no wheels for Python 3.13+"
)

ED25519_2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"
CREATED = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
FIXTURE = ("didkit", "ed25519-signature-2020-v1.json")
OK = {"checks": ["proof"], "warnings": [], "errors": []}
BASE58BTC = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


# The peer's tests decode on their own so that they do not depend on the
# library under test.
def decode_multibase(text: str) -> bytes:
    assert text.startswith("z")
    number = 0
    for char in text[1:]:
        number = number * 58 + BASE58BTC.index(char)
    zeros = len(text[1:]) - len(text[1:].lstrip("1"))
    return b"\0" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")


def decode_base64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def credential_for(issuer: str) -> JsonObject:
    return {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "id": "urn:uuid:5f0c7e0a-4a8e-4a4b-9f51-0c6d2b9e7d31",
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "issuanceDate": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:ebfeb1f712ebc6f1c276e12ec21"},
    }


@pytest.fixture(scope="module")
def jwk() -> JsonObject:
    return didkit_peer.generate_ed25519_jwk()


@pytest.fixture(scope="module")
def signed(jwk: JsonObject) -> JsonObject:
    issuer = didkit_peer.did_key_for(jwk)
    return didkit_peer.issue_v1(credential_for(issuer), jwk, created=CREATED)


@needs_didkit
def test_installed_version_is_the_one_we_checked() -> None:
    assert didkit_peer.version() == didkit_peer.DIDKIT_VERSION


@needs_didkit
def test_generated_key_is_a_private_okp_jwk(jwk: JsonObject) -> None:
    assert sorted(jwk) == ["crv", "d", "kty", "x"]
    assert (jwk["kty"], jwk["crv"]) == ("OKP", "Ed25519")
    assert len(decode_base64url(jwk["x"])) == 32
    assert didkit_peer.public_jwk(jwk) == {k: jwk[k] for k in ("kty", "crv", "x")}


@needs_didkit
def test_verification_method_is_did_key_with_fragment_equal_to_key(
    jwk: JsonObject,
) -> None:
    did = didkit_peer.did_key_for(jwk)
    multibase = did.removeprefix("did:key:")

    assert did.startswith("did:key:z6Mk")
    assert didkit_peer.verification_method_for(jwk) == f"{did}#{multibase}"
    assert decode_multibase(multibase) == b"\xed\x01" + decode_base64url(jwk["x"])


@needs_didkit
def test_public_jwk_alone_gives_the_same_did(jwk: JsonObject) -> None:
    public = didkit_peer.public_jwk(jwk)
    assert didkit_peer.did_key_for(public) == didkit_peer.did_key_for(jwk)


@needs_didkit
def test_ed25519_signature_2020_proof_shape(
    jwk: JsonObject, signed: JsonObject
) -> None:
    proof = signed["proof"]

    assert signed["@context"] == ["https://www.w3.org/2018/credentials/v1"]
    assert proof["@context"] == [ED25519_2020_CONTEXT]
    assert proof["type"] == "Ed25519Signature2020"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"] == didkit_peer.verification_method_for(jwk)
    assert proof["created"] == "2024-01-02T03:04:05Z"
    assert proof["proofValue"].startswith("z")
    assert len(decode_multibase(proof["proofValue"])) == 64
    assert "jws" not in proof


@needs_didkit
def test_context_listed_by_the_credential_is_not_repeated_in_the_proof(
    jwk: JsonObject,
) -> None:
    credential = credential_for(didkit_peer.did_key_for(jwk))
    credential["@context"].append(ED25519_2020_CONTEXT)

    vc = didkit_peer.issue_v1(credential, jwk, created=CREATED)

    assert "@context" not in vc["proof"]
    assert didkit_peer.verify(vc) == OK


@needs_didkit
def test_default_created_has_milliseconds(jwk: JsonObject) -> None:
    vc = didkit_peer.issue_v1(credential_for(didkit_peer.did_key_for(jwk)), jwk)
    created = vc["proof"]["created"]

    assert created.endswith("Z")
    assert len(created) == len("2024-01-02T03:04:05.123Z")


@needs_didkit
def test_didkit_verifies_its_own_credential(signed: JsonObject) -> None:
    assert didkit_peer.verify(signed) == OK


@needs_didkit
@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("credentialSubject", "id"), "did:example:mallory"),
        (("issuanceDate",), "2024-01-01T00:00:01Z"),
        (("proof", "created"), "2024-01-02T03:04:06Z"),
    ],
    ids=["subject", "issuanceDate", "proof.created"],
)
def test_tampered_credential_fails(
    signed: JsonObject, path: tuple[str, ...], value: str
) -> None:
    tampered = copy.deepcopy(signed)
    node = tampered
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value

    result = didkit_peer.verify(tampered)

    assert result["errors"], result


@needs_didkit
def test_wrong_proof_purpose_fails(signed: JsonObject) -> None:
    result = didkit_peer.verify(signed, proof_purpose="authentication")
    assert result["errors"] == ["No applicable proof"]


@needs_didkit
def test_unknown_context_is_refused_not_fetched(jwk: JsonObject) -> None:
    credential = credential_for(didkit_peer.did_key_for(jwk))
    credential["@context"].append("https://example.org/contexts/unknown/v1")

    with pytest.raises(didkit_peer.DIDKitPeerError, match="Unknown context"):
        didkit_peer.issue_v1(credential, jwk, created=CREATED)


@needs_didkit
def test_presentation_round_trip_with_challenge_and_domain(
    jwk: JsonObject, signed: JsonObject
) -> None:
    holder = didkit_peer.did_key_for(jwk)
    presentation = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiablePresentation"],
        "holder": holder,
        "verifiableCredential": [signed],
    }

    vp = didkit_peer.issue_presentation(
        presentation, jwk, challenge="c-42", domain="verifier.example", created=CREATED
    )

    proof = vp["proof"]
    assert (proof["type"], proof["proofPurpose"]) == (
        "Ed25519Signature2020",
        "authentication",
    )
    assert (proof["challenge"], proof["domain"]) == ("c-42", "verifier.example")
    ok = didkit_peer.verify_presentation(
        vp, challenge="c-42", domain="verifier.example"
    )
    assert ok == OK
    assert didkit_peer.verify_presentation(vp, challenge="c-43")["errors"]
    assert didkit_peer.verify_presentation(vp, domain="evil.example")["errors"]


def test_stored_fixture_is_consistent() -> None:
    fixture = load.json_file(*FIXTURE)
    vc = fixture["credential"]
    public = fixture["publicKeyJwk"]
    multibase = fixture["did"].removeprefix("did:key:")

    assert fixture["producer"]["version"] == didkit_peer.DIDKIT_VERSION
    assert "d" not in public
    assert fixture["testOnlyPrivateKeyJwk"]["x"] == public["x"]
    assert decode_multibase(multibase) == b"\xed\x01" + decode_base64url(public["x"])
    assert fixture["verificationMethod"] == f"{fixture['did']}#{multibase}"
    assert vc["issuer"] == fixture["did"]
    assert vc["proof"]["verificationMethod"] == fixture["verificationMethod"]
    assert vc["proof"]["@context"] == [ED25519_2020_CONTEXT]
    assert fixture["didkitVerificationResult"] == OK


@needs_didkit
def test_didkit_verifies_stored_fixture() -> None:
    fixture = load.json_file(*FIXTURE)
    assert didkit_peer.verify(fixture["credential"]) == OK


@needs_didkit
def test_didkit_rejects_tampered_stored_fixture() -> None:
    vc = load.json_file(*FIXTURE)["credential"]
    vc["credentialSubject"]["id"] = "did:example:mallory"
    assert didkit_peer.verify(vc)["errors"]


@needs_didkit
def test_presentation_verification_ignores_embedded_credentials(
    jwk: JsonObject, signed: JsonObject
) -> None:
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["id"] = "did:example:mallory"
    presentation = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiablePresentation"],
        "holder": didkit_peer.did_key_for(jwk),
        "verifiableCredential": [tampered],
    }

    vp = didkit_peer.issue_presentation(presentation, jwk, challenge="c-42")

    assert didkit_peer.verify_presentation(vp, challenge="c-42") == OK
    assert didkit_peer.verify(tampered)["errors"]
