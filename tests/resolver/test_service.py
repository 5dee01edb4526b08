"""The DID Resolution HTTP binding (resolver/service.py), in process.

Every status code of the binding is produced by a request here: 200, 400,
404, 406, 410, 501 (and 500 for a method that fails inside).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from resolver.binding import (
    DID_RESOLUTION,
    DID_RESOLUTION_LD,
    STATUS_FOR_ERROR,
    negotiate,
)
from resolver.service import create_app, router
from ssi.agora import AgoraMethod, FileLogSource
from ssi.did.methods import JWKMethod, KeyMethod
from ssi.did.resolution import MethodRegistry, ResolutionResult, Resolver
from ssi.did.syntax import DID
from ssi.errors import SSIError
from ssi.types import JsonValue

VECTORS = Path(__file__).parents[1] / "vectors" / "did-agora"
EXPECTED = json.loads((VECTORS / "expected.json").read_text())
DEACTIVATED = EXPECTED["deactivated.jsonl"]["did"]
ACTIVE = EXPECTED["five-entry-seconds.jsonl"]["did"]
KEY_DID = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
UNKNOWN_AGORA = "did:agora:zQmNoSuchLogAnywhereZZZZZZZZZZZZZZZZZZZZZZZZZZZ"
NOW = datetime(2025, 6, 1, tzinfo=UTC)


class _Broken:
    """A method that fails inside: the binding answers 500 internalError."""

    name: ClassVar[str] = "broken"
    cacheable: ClassVar[bool] = False
    keeps_history: ClassVar[bool] = False

    def resolve(self, did: DID, options: Mapping[str, JsonValue]) -> ResolutionResult:
        raise SSIError("the backing store is gone.")


def _resolver() -> Resolver:
    sources = [
        FileLogSource(VECTORS / n)
        for n in ("five-entry-seconds.jsonl", "deactivated.jsonl")
    ]
    agora = AgoraMethod(sources, clock=lambda: NOW)
    registry = MethodRegistry([KeyMethod(), JWKMethod(), agora, _Broken()])
    return Resolver(registry, cache_ttl=0)


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(_resolver()))


def _get(client: TestClient, did: str, accept: str | None = None, **query: str) -> Any:
    headers = {} if accept is None else {"Accept": accept}
    return client.get(f"/1.0/identifiers/{did}", headers=headers, params=query)


def _error(response: Any) -> str:
    body = response.json()
    assert body["didDocument"] is None
    metadata = body["didResolutionMetadata"]
    assert metadata["problemDetails"]["code"] == metadata["error"]
    return str(metadata["error"])


def test_default_answer_is_the_resolution_result(client: TestClient) -> None:
    response = _get(client, KEY_DID)
    assert response.status_code == 200
    assert response.headers["content-type"] == DID_RESOLUTION
    body = response.json()
    assert body["@context"] == "https://w3id.org/did-resolution/v1"
    assert body["didDocument"]["id"] == KEY_DID
    assert "error" not in body["didResolutionMetadata"]


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (DID_RESOLUTION, DID_RESOLUTION),
        (DID_RESOLUTION_LD, DID_RESOLUTION_LD),
        ("application/json", DID_RESOLUTION),
        ("*/*", DID_RESOLUTION),
        ("text/html;q=0.9, application/did-resolution", DID_RESOLUTION),
    ],
)
def test_result_media_types(client: TestClient, accept: str, content_type: str) -> None:
    response = _get(client, KEY_DID, accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.json()["didDocument"]["id"] == KEY_DID


@pytest.mark.parametrize("accept", ["application/did+json", "application/did+ld+json"])
def test_document_media_types(client: TestClient, accept: str) -> None:
    response = _get(client, KEY_DID, accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == accept
    body = response.json()
    assert body["id"] == KEY_DID
    assert "didResolutionMetadata" not in body


def test_percent_encoded_did_and_options(client: TestClient) -> None:
    response = _get(client, quote(KEY_DID, safe=""), publicKeyFormat="JsonWebKey2020")
    assert response.status_code == 200
    method = response.json()["didDocument"]["verificationMethod"][0]
    assert method["type"] == "JsonWebKey2020"


def test_did_agora_from_the_trusted_logs(client: TestClient) -> None:
    response = _get(client, ACTIVE)
    assert response.status_code == 200
    assert response.json()["didDocumentMetadata"]["versionId"] == "5"
    older = _get(client, ACTIVE, versionId="2")
    assert older.status_code == 200
    assert older.json()["didDocumentMetadata"]["versionId"] == "2"


def test_400_invalid_did(client: TestClient) -> None:
    response = _get(client, "did:Key:nope")
    assert response.status_code == 400
    assert response.headers["content-type"] == DID_RESOLUTION
    assert _error(response) == "invalidDid"
    assert _error(_get(client, "not-a-did")) == "invalidDid"


def test_400_log_option_refused_over_http(client: TestClient) -> None:
    response = _get(client, ACTIVE, log="[]")
    assert response.status_code == 400
    assert _error(response) == "invalidOptions"


def test_404_not_found(client: TestClient) -> None:
    response = _get(client, UNKNOWN_AGORA)
    assert response.status_code == 404
    assert _error(response) == "notFound"


@pytest.mark.parametrize("accept", ["text/html", "application/xml, image/png;q=0.5"])
def test_406_representation_not_supported(client: TestClient, accept: str) -> None:
    response = _get(client, KEY_DID, accept)
    assert response.status_code == 406
    assert _error(response) == "representationNotSupported"


def test_406_json_ld_document_without_context() -> None:
    class _NoContext:
        name: ClassVar[str] = "plain"
        cacheable: ClassVar[bool] = True
        keeps_history: ClassVar[bool] = False

        def resolve(
            self, did: DID, options: Mapping[str, JsonValue]
        ) -> ResolutionResult:
            from ssi.did.document import DIDDocument

            return ResolutionResult(DIDDocument.from_json({"id": str(did)}))

    app = create_app(Resolver(MethodRegistry([_NoContext()])))
    with TestClient(app) as plain:
        ok = _get(plain, "did:plain:abc", "application/did+json")
        assert ok.status_code == 200
        assert ok.json() == {"id": "did:plain:abc"}
        refused = _get(plain, "did:plain:abc", "application/did+ld+json")
        assert refused.status_code == 406
        assert _error(refused) == "representationNotSupported"


@pytest.mark.parametrize("accept", [None, "application/did+json"])
def test_410_deactivated_carries_the_metadata(
    client: TestClient, accept: str | None
) -> None:
    response = _get(client, DEACTIVATED, accept)
    assert response.status_code == 410
    assert response.headers["content-type"] == DID_RESOLUTION
    body = response.json()
    assert body["didDocumentMetadata"]["deactivated"] is True
    assert body["didDocumentMetadata"]["versionId"] == "6"
    assert "error" not in body["didResolutionMetadata"]


def test_501_method_not_supported(client: TestClient) -> None:
    response = _get(client, "did:example:123")
    assert response.status_code == 501
    assert _error(response) == "methodNotSupported"


def test_500_internal_error(client: TestClient) -> None:
    response = _get(client, "did:broken:abc")
    assert response.status_code == 500
    assert _error(response) == "internalError"


def test_methods_listed(client: TestClient) -> None:
    response = client.get("/1.0/methods")
    assert response.status_code == 200
    assert response.json() == ["agora", "broken", "jwk", "key"]


def test_router_mounts_in_another_app() -> None:
    app = FastAPI()
    app.include_router(router(_resolver()))
    with TestClient(app) as other:
        assert _get(other, KEY_DID).status_code == 200
        assert _get(other, "did:example:1").status_code == 501


def test_default_app_resolves_did_key_and_jwk() -> None:
    with TestClient(create_app()) as default:
        assert _get(default, KEY_DID).status_code == 200
        assert _get(default, ACTIVE).status_code == 404


def test_status_table_is_the_spec_table() -> None:
    assert STATUS_FOR_ERROR == {
        "invalidDid": 400,
        "invalidDidUrl": 400,
        "invalidOptions": 400,
        "notFound": 404,
        "representationNotSupported": 406,
        "methodNotSupported": 501,
    }


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, DID_RESOLUTION),
        ("", DID_RESOLUTION),
        ("application/did+json", "application/did+json"),
        (
            'application/ld+json;profile="https://w3id.org/did-resolution"',
            DID_RESOLUTION_LD,
        ),
        ('application/ld+json;profile="https://example.org/other"', None),
        (
            "application/did+json;q=0.5, application/did+ld+json",
            "application/did+ld+json",
        ),
        ("application/did+json;q=0", None),
        ("application/did+json;q=zero", None),
        ("text/plain", None),
    ],
)
def test_negotiate(accept: str | None, chosen: str | None) -> None:
    assert negotiate(accept) == chosen


@given(st.text(max_size=200))
def test_negotiate_never_raises(accept: str) -> None:
    chosen = negotiate(accept)
    assert chosen is None or chosen in {
        DID_RESOLUTION,
        DID_RESOLUTION_LD,
        "application/did+json",
        "application/did+ld+json",
    }


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.text(min_size=1, max_size=80) | st.from_regex(r"did:[a-z]{1,6}:[\w.%-]{0,40}")
)
def test_any_identifier_is_answered_with_a_code(client: TestClient, text: str) -> None:
    # ".." is a dot segment: the client removes it, and the path is another one.
    assume(text not in {".", ".."})
    response = _get(client, quote(text, safe=""))
    assert response.status_code in {200, 400, 404, 410, 501}
    metadata = response.json()["didResolutionMetadata"]
    if response.status_code >= 400 and response.status_code != 410:
        assert STATUS_FOR_ERROR[metadata["error"]] == response.status_code
