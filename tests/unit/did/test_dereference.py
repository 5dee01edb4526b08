"""Tests for ssi.did.dereference: DID URL dereferencing inside a document."""

from __future__ import annotations

from typing import Any

import pytest

from ssi.did import (
    DIDDocument,
    Service,
    VerificationMethod,
    dereference_in_document,
    parse_did_url,
)
from ssi.errors import (
    DIDNotFoundError,
    InvalidDIDDocumentError,
    InvalidDIDURLError,
    SSIError,
)
from tests.vectors import load

ERRORS: dict[str, type[SSIError]] = {
    "notFound": DIDNotFoundError,
    "invalidDidUrl": InvalidDIDURLError,
}
KINDS = {
    "document": DIDDocument,
    "verificationMethod": VerificationMethod,
    "service": Service,
}


def _document(name: str) -> DIDDocument:
    return DIDDocument.from_json(load.json_file("did-core", "documents", name))


def _cases() -> list[Any]:
    cases = load.json_file("did-core", "dereference.json")["cases"]
    return [
        pytest.param(case, id=f"{case['document'][:12]}:{case['url']}")
        for case in cases
    ]


@pytest.mark.parametrize("case", _cases())
def test_dereference(case):
    document = _document(case["document"])
    if "expect" in case:
        with pytest.raises(ERRORS[case["expect"]]) as info:
            dereference_in_document(document, case["url"])
        assert type(info.value) is ERRORS[case["expect"]]
        assert str(info.value).endswith(".")
        return
    result = dereference_in_document(document, case["url"])
    if case["kind"] == "url":
        assert result == case["value"]
    else:
        assert isinstance(result, KINDS[case["kind"]])
        if case["kind"] == "document":
            assert result is document
        else:
            assert not isinstance(result, (str, DIDDocument))
            assert result.id == case["id"]


def test_accepts_a_parsed_did_url():
    document = _document("did-resolution-dereferencing-example.json")
    url = parse_did_url("did:example:123456789abcdefghi#messages")
    result = dereference_in_document(document, url)
    assert isinstance(result, Service)
    assert result.service_endpoint == "https://example.com/messages/8377464"


def test_relative_path_reference_is_a_path():
    document = _document("did-resolution-dereferencing-example.json")
    with pytest.raises(DIDNotFoundError, match="path"):
        dereference_in_document(document, "/keys")


def test_non_string_url_is_invalid():
    document = _document("did-resolution-dereferencing-example.json")
    with pytest.raises(InvalidDIDURLError):
        dereference_in_document(document, 42)  # type: ignore[arg-type]


def test_document_with_invalid_id():
    document = DIDDocument("not-a-did")
    with pytest.raises(InvalidDIDDocumentError):
        dereference_in_document(document, "did:example:1")


def test_service_endpoint_must_be_absolute():
    document = DIDDocument(
        "did:example:1",
        service=(Service("did:example:1#s", "X", "relative/path"),),
    )
    with pytest.raises(InvalidDIDDocumentError, match="absolute URI"):
        dereference_in_document(document, "did:example:1?service=s")


def test_endpoint_without_authority():
    document = DIDDocument(
        "did:example:1",
        service=(Service("did:example:1#s", "X", ["urn:example:base"]),),
    )
    url = "did:example:1?service=s&relativeRef=%2Fpart#f"
    assert dereference_in_document(document, url) == "urn:example:base/part#f"
