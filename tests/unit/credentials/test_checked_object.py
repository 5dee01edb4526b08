"""verify_read of a CheckedObject: the same report as of the object itself,
without checking it as JSON again."""

from __future__ import annotations

import importlib

import pytest

import ssi
from ssi.credentials import CheckedObject, check_json_value, verify_read
from ssi.jsonld.canon import canonicalize_jcs
from ssi.keys import Ed25519KeyPair
from ssi.types import JsonObject

verify_module = importlib.import_module("ssi.credentials.verify")
KEY = Ed25519KeyPair.from_seed(bytes([9]) * 32)


def signed(**subject: object) -> JsonObject:
    signer = ssi.signer(KEY)
    credential: JsonObject = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": signer.key_id.split("#")[0],
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:1", **subject},
    }
    return ssi.issue(credential, signer, created="2024-01-02T00:00:00Z")


def checked(document: JsonObject) -> CheckedObject:
    return CheckedObject(
        document, check_json_value(document), canonicalize_jcs(document)
    )


@pytest.mark.parametrize(
    "subject",
    [
        {},
        {"@context": {"@vocab": "https://example.org/#"}, "name": "A"},
        {"@context": "https://unknown.example/context", "name": "B"},
    ],
)
def test_the_report_is_the_objects_and_json_is_not_checked_again(
    subject: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    document = signed(**subject)
    expected, parsed = verify_read(document)
    item = checked(document)

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("checked again")

    monkeypatch.setattr(verify_module, "check_json_value", refused)
    report, again = verify_read(item)
    assert report.to_json() == expected.to_json()
    assert report.verified == (not subject or "@vocab" in str(subject))
    assert (again is None) == (parsed is None)


def test_a_changed_object_does_not_verify_through_its_checked_form() -> None:
    document = signed()
    document["credentialSubject"]["id"] = "did:example:2"
    report, _ = verify_read(checked(document))
    assert not report.verified
    assert [problem.error.code for problem in report.problems] == [
        ssi.errors.InvalidSignatureError.code
    ]
