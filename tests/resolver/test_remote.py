"""resolver.remote: reading the HTTP binding back, with httpx.MockTransport."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from resolver.remote import (
    identifier_url,
    resolve_remote,
    resolve_remote_representation,
)
from ssi.errors import TransportError
from ssi.http_client import make_client

BASE = "https://resolver.example"
DID = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
DOCUMENT = {"@context": ["https://www.w3.org/ns/did/v1"], "id": DID}


def _client(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
    return make_client(transport=httpx.MockTransport(handler))


def _result(document: object, metadata: dict[str, object]) -> dict[str, object]:
    return {
        "@context": "https://w3id.org/did-resolution/v1",
        "didDocument": document,
        "didResolutionMetadata": metadata,
        "didDocumentMetadata": {"versionId": "1"},
    }


def test_identifier_url_encodes_all_but_colons() -> None:
    assert identifier_url(BASE + "/", "did:x:a/b?c") == (
        f"{BASE}/1.0/identifiers/did:x:a%2Fb%3Fc"
    )
    with pytest.raises(TransportError):
        identifier_url("http://resolver.example", DID)


def test_a_resolved_document_is_parsed() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=_result(DOCUMENT, {}))

    with _client(handler) as client:
        result = resolve_remote(BASE, DID, client=client, options={"versionId": "1"})
    assert result.ok
    assert result.did_document is not None
    assert result.did_document.id == DID
    assert result.did_document_metadata == {"versionId": "1"}
    assert seen[0].headers["accept"] == "application/did-resolution"
    assert seen[0].url.params["versionId"] == "1"


def test_a_reported_error_comes_back_as_metadata() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json=_result(None, {"error": "notFound"}))

    with _client(handler) as client:
        result = resolve_remote(BASE, DID, client=client)
    assert result.error == "notFound"
    assert result.did_document is None


def test_a_document_that_is_not_one_is_invalid() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=_result({"id": 5}, {}))

    with _client(handler) as client:
        result = resolve_remote(BASE, DID, client=client)
        representation = resolve_remote_representation(BASE, DID, client=client)
    assert result.error == "invalidDidDocument"
    assert representation.error == "invalidDidDocument"


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(302, headers={"Location": "https://elsewhere.example"}),
        httpx.Response(200, content=b"<html>"),
        httpx.Response(200, json=["not", "a", "result"]),
        httpx.Response(502, json={}),
    ],
)
def test_answers_that_are_not_the_binding_are_transport_errors(
    response: httpx.Response,
) -> None:
    with _client(lambda request: response) as client, pytest.raises(TransportError):
        resolve_remote(BASE, DID, client=client)


def test_unreachable_is_a_transport_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with _client(handler) as client, pytest.raises(TransportError, match="reached"):
        resolve_remote(BASE, DID, client=client)


def test_representation_bytes_are_reserialized() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["accept"] == "application/did+ld+json"
        return httpx.Response(200, content=json.dumps(DOCUMENT).encode())

    with _client(handler) as client:
        result = resolve_remote_representation(
            BASE, DID, accept="application/did+ld+json", client=client
        )
    assert result.error is None
    assert json.loads(result.did_document_stream) == DOCUMENT
    assert result.did_resolution_metadata == {"contentType": "application/did+ld+json"}


def test_representation_errors_and_refusals() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = _result(DOCUMENT, {})
        body["didDocumentMetadata"] = {"deactivated": True}
        return httpx.Response(410, json=body)

    with _client(handler) as client:
        gone = resolve_remote_representation(BASE, DID, client=client)
        refused = resolve_remote_representation(
            BASE, DID, accept="text/html", client=client
        )
    assert json.loads(gone.did_document_stream) == DOCUMENT
    assert gone.did_document_metadata == {"deactivated": True}
    assert refused.error == "representationNotSupported"
