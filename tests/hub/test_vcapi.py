"""The hub's VC-API (hub/vcapi.py) in the hub app, in process: verify
credentials and presentations, issue with a bearer token."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ssi
from hub.app import create_app
from hub.settings import HubSettings
from hub.vcapi import PASSPHRASE_ENV
from ssi.credentials import VC_V2_CONTEXT
from ssi.home import HOME_ENV
from tests.unit.proofs.doubles import ed25519_key
from tests.unit.wallet.helpers import PASSPHRASE, new_wallet

ISSUER_KEY = ed25519_key(31)
HOLDER_KEY = ed25519_key(32)
ISSUER = ssi.did_key(ISSUER_KEY)
HOLDER = ssi.did_key(HOLDER_KEY)
TOKEN = "s3cret-token-for-tests"  # noqa: S105 - a test value


def _credential(issuer: str = ISSUER) -> dict[str, Any]:
    return {
        "@context": [VC_V2_CONTEXT],
        "id": "urn:uuid:6a1d3c55-0b7e-4c1e-9f0e-5d1f6f2a9b01",
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": HOLDER, "name": "Sam"},
    }


SIGNED = ssi.issue(_credential(), ssi.signer(ISSUER_KEY))


def _client(
    folder: Path, issuer: str | None = None, token: str | None = None
) -> TestClient:
    """The hub app (limits, problem handlers) over a store in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    settings = HubSettings(
        db=str(folder / "hub.sqlite"), rate=100000.0, issuer=issuer, token=token
    )
    return TestClient(create_app(settings))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with _client(tmp_path_factory.mktemp("hub")) as hub:
        yield hub


def test_verify_a_credential(client: TestClient) -> None:
    response = client.post(
        "/credentials/verify", json={"verifiableCredential": SIGNED, "options": {}}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["verified"] is True
    assert body["errors"] == []
    assert body["problemDetails"] == []
    assert body["checks"] == ["parsing", "model", "context", "proof", "validity"]
    assert isinstance(body["warnings"], list)


def test_a_tampered_credential_is_not_verified(client: TestClient) -> None:
    tampered = copy.deepcopy(SIGNED)
    tampered["credentialSubject"]["name"] = "Mallory"
    response = client.post(
        "/credentials/verify", json={"verifiableCredential": tampered}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["verified"] is False
    assert "PROOF_VERIFICATION_ERROR" in body["errors"]
    assert body["problemDetails"][0]["type"].endswith("CRYPTOGRAPHIC_SECURITY_ERROR")


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(st.text(max_size=10), inner, max_size=4)
        ),
        max_leaves=12,
    )
)
def test_any_credential_body_is_answered_without_a_500(
    client: TestClient, value: Any
) -> None:
    if not isinstance(value, dict):
        value = {"credentialSubject": value}
    response = client.post("/credentials/verify", json={"verifiableCredential": value})
    assert response.status_code == 400
    assert response.json()["verified"] is False


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"verifiableCredential": "text"},
        {"other": {}},
        {"verifiableCredential": {}, "options": 1},
    ],
)
def test_malformed_requests_are_problems(client: TestClient, body: Any) -> None:
    response = client.post("/credentials/verify", json=body)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "badRequest"


def test_not_json_is_a_problem(client: TestClient) -> None:
    response = client.post("/credentials/verify", content=b"{nope")
    assert response.status_code == 400
    assert response.json()["code"] == "badRequest"


def test_verify_a_presentation_with_challenge_and_domain(client: TestClient) -> None:
    presentation = ssi.present(
        [SIGNED], ssi.signer(HOLDER_KEY), challenge="c-1", domain="hub.example"
    )
    options = {"challenge": "c-1", "domain": "hub.example"}
    response = client.post(
        "/presentations/verify",
        json={"verifiablePresentation": presentation, "options": options},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["verified"] is True
    replayed = client.post(
        "/presentations/verify",
        json={
            "verifiablePresentation": presentation,
            "options": {"challenge": "c-2", "domain": "hub.example"},
        },
    )
    assert replayed.status_code == 400
    assert "INVALID_CHALLENGE_ERROR" in replayed.json()["errors"]


def test_a_presentation_with_a_tampered_credential(client: TestClient) -> None:
    tampered = copy.deepcopy(SIGNED)
    tampered["credentialSubject"]["name"] = "Mallory"
    presentation = ssi.present([tampered], ssi.signer(HOLDER_KEY))
    response = client.post(
        "/presentations/verify", json={"verifiablePresentation": presentation}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["verified"] is False
    assert "PROOF_VERIFICATION_ERROR" in body["errors"]
    assert any(w.startswith("challengeNotChecked") for w in body["warnings"])


def test_presentation_options_must_be_strings(client: TestClient) -> None:
    presentation = ssi.present([SIGNED], ssi.signer(HOLDER_KEY))
    response = client.post(
        "/presentations/verify",
        json={"verifiablePresentation": presentation, "options": {"challenge": 5}},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "badRequest"


# --- Issuing ---------------------------------------------------------------------


def test_issue_is_404_when_not_configured(client: TestClient) -> None:
    # The resolver binding is mounted on the hub too.
    assert client.get("/1.0/identifiers/did:example:1").status_code == 501
    response = client.post(
        "/credentials/issue",
        json={"credential": _credential()},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 404
    assert response.json()["code"] == "notFound"


def test_issue_is_404_without_a_token(tmp_path: Path) -> None:
    with _client(tmp_path, issuer="issuer") as half:
        assert half.post("/credentials/issue", json={}).status_code == 404


@pytest.fixture
def issuing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, str]]:
    wallet = new_wallet(tmp_path / "wallet")
    record = wallet.create_did(alias="hub-issuer")
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "wallet"))
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    with _client(tmp_path / "hub", issuer="hub-issuer", token=TOKEN) as client:
        yield client, record.did


@pytest.mark.parametrize(
    "header", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer"]
)
def test_issue_needs_the_token(
    issuing: tuple[TestClient, str], header: str | None
) -> None:
    client, _ = issuing
    headers = {} if header is None else {"Authorization": header}
    response = client.post(
        "/credentials/issue", json={"credential": {}}, headers=headers
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["code"] == "unauthorized"


def test_issue_signs_as_the_wallet_did(issuing: tuple[TestClient, str]) -> None:
    client, did = issuing
    credential = _credential(issuer=did)
    del credential["issuer"]
    response = client.post(
        "/credentials/issue",
        json={"credential": credential, "options": {}},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 201, response.json()
    signed = response.json()["verifiableCredential"]
    assert signed["issuer"] == did
    assert ssi.verify(signed).verified
    check = client.post("/credentials/verify", json={"verifiableCredential": signed})
    assert check.json()["verified"] is True


def test_issue_refuses_another_issuer_and_bad_credentials(
    issuing: tuple[TestClient, str],
) -> None:
    client, _ = issuing
    auth = {"Authorization": f"Bearer {TOKEN}"}
    other = client.post(
        "/credentials/issue", json={"credential": _credential()}, headers=auth
    )
    assert other.status_code == 400
    assert other.json()["code"] == "invalidIssuer"
    broken = client.post(
        "/credentials/issue", json={"credential": {"type": 3}}, headers=auth
    )
    assert broken.status_code == 400
    assert broken.headers["content-type"] == "application/problem+json"


def test_issue_without_the_wallet_is_503(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "none"))
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    with _client(tmp_path / "hub", issuer="hub-issuer", token=TOKEN) as client:
        response = client.post(
            "/credentials/issue",
            json={"credential": _credential()},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    assert response.status_code == 503
    assert response.json()["code"] == "issuerUnavailable"


def test_the_hub_resolves_dids_from_the_logs_it_trusts(tmp_path: Path) -> None:
    vectors = Path(__file__).parents[1] / "vectors" / "did-agora"
    expected = json.loads((vectors / "expected.json").read_text())
    settings = HubSettings(
        db=str(tmp_path / "hub.sqlite"),
        logs=(str(vectors / "deactivated.jsonl"),),
    )
    with TestClient(create_app(settings)) as hub:
        did = expected["deactivated.jsonl"]["did"]
        gone = hub.get(f"/1.0/identifiers/{did}")
        assert gone.status_code == 410
        assert gone.json()["didDocumentMetadata"]["deactivated"] is True
        other = expected["five-entry-seconds.jsonl"]["did"]
        assert hub.get(f"/1.0/identifiers/{other}").status_code == 404
        assert hub.get("/1.0/methods").json() == ["agora", "jwk", "key"]
