"""Tests for ssi.did.document: the DID document model."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssi.did import (
    RELATIONSHIPS,
    DIDDocument,
    Service,
    VerificationMethod,
)
from ssi.errors import (
    DIDNotFoundError,
    InvalidDIDDocumentError,
    InvalidDIDError,
    InvalidDIDURLError,
)
from tests.vectors import load

ORDER = [
    "@context",
    "id",
    "alsoKnownAs",
    "controller",
    "verificationMethod",
    "authentication",
    "assertionMethod",
    "capabilityDelegation",
    "capabilityInvocation",
    "keyAgreement",
    "service",
]
DID = "did:example:agora"
MB = "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


def _expected_order(source: dict[str, Any]) -> list[str]:
    core = [key for key in ORDER if key in source]
    return core + [key for key in source if key not in ORDER]


def _agora() -> DIDDocument:
    return DIDDocument.from_json(
        load.json_file("did-core", "documents", "agora-all-properties.json")
    )


@pytest.mark.parametrize("path", load.cases("did-core/documents"))
def test_round_trip(path):
    source = json.loads(path.read_text(encoding="utf-8"))
    document = DIDDocument.from_json(source)
    out = document.to_json()
    assert out == source
    assert list(out) == _expected_order(source)
    assert DIDDocument.from_json(out) == document
    assert json.dumps(DIDDocument.from_json(out).to_json()) == json.dumps(out)


@pytest.mark.parametrize("path", load.cases("did-core/relative", "*.source.json"))
def test_relative_urls_become_absolute(path):
    source = json.loads(path.read_text(encoding="utf-8"))
    name = path.name.replace(".source.json", ".absolute.json")
    expected = load.json_file("did-core", "relative", name)
    out = DIDDocument.from_json(source).to_json()
    assert out == expected
    assert list(out) == list(expected)


def _invalid_cases() -> list[Any]:
    cases = load.json_file("did-core", "invalid-documents.json")["cases"]
    return [pytest.param(case, id=case["name"]) for case in cases]


@pytest.mark.parametrize("case", _invalid_cases())
def test_invalid_document(case):
    with pytest.raises(InvalidDIDDocumentError) as info:
        DIDDocument.from_json(case["document"])
    assert info.value.code == case["expect"]
    message = str(info.value)
    assert f" {case['path']} " in message or f" {case['path']}." in message
    assert message.startswith("Invalid DID document: ")
    assert message.endswith(".")
    assert len(message) < 300


def test_private_jwk_values_stay_out_of_messages():
    for case in load.json_file("did-core", "invalid-documents.json")["cases"]:
        if case["name"].startswith("vm-jwk-private"):
            jwk = case["document"]["verificationMethod"][0]["publicKeyJwk"]
            secret = jwk.get("d") or jwk.get("k")
            with pytest.raises(InvalidDIDDocumentError) as info:
                DIDDocument.from_json(case["document"])
            assert secret not in str(info.value)


def test_document_model_fields():
    document = _agora()
    assert document.id == DID
    assert document.controller == (DID, "did:example:council")
    assert document.also_known_as == (
        "https://agora.example/alice",
        "did:example:alice-old",
    )
    assert document.context[2] == {"@vocab": "https://agora.example/vocab#"}
    assert [vm.id for vm in document.verification_method] == [
        f"{DID}#key-1",
        f"{DID}#key-2",
    ]
    assert document.verification_method[0].public_key_multibase == MB
    assert document.verification_method[0].extra == {"expires": "2030-01-01T00:00:00Z"}
    assert document.verification_method[1].public_key_jwk == {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": "VCpo2LMLhn6iWku8MKvSLg2ZAoC-nlOyPVQaO3FxVeQ",
    }
    assert document.authentication[0] == f"{DID}#key-1"
    assert isinstance(document.authentication[1], VerificationMethod)
    assert document.service[0].type == ("AgoraHub", "LinkedDomains")
    assert document.service[0].extra == {"accept": ["application/json"]}
    assert document.service[1].type == "DIDCommMessaging"
    assert document.extra == {"updated": "2024-05-01T00:00:00Z", "agoraHandle": "alice"}


def test_relationships_constant_names_attributes():
    assert list(RELATIONSHIPS) == ORDER[5:10]
    document = _agora()
    for attribute in RELATIONSHIPS.values():
        assert isinstance(getattr(document, attribute), tuple)


def test_find_verification_method():
    document = _agora()
    assert document.find_verification_method(f"{DID}#key-1").id == f"{DID}#key-1"
    assert document.find_verification_method("#key-2").type == "JsonWebKey2020"
    assert document.find_verification_method("#auth-only").id == f"{DID}#auth-only"
    assert (
        document.find_verification_method("#ka-1", "keyAgreement").id == f"{DID}#ka-1"
    )
    assert (
        document.find_verification_method("#key-1", "assertionMethod").id
        == f"{DID}#key-1"
    )
    assert document.find_verification_method("#auth-only", "authentication")


@pytest.mark.parametrize(
    ("url", "relationship"),
    [
        ("#nope", None),
        ("#key-2", "assertionMethod"),
        ("#auth-only", "assertionMethod"),
        ("#ka-1", "authentication"),
        ("did:example:council#key-9", "assertionMethod"),
        ("did:example:other#key-1", None),
    ],
)
def test_find_verification_method_not_found(url, relationship):
    with pytest.raises(DIDNotFoundError) as info:
        _agora().find_verification_method(url, relationship)
    assert info.value.code == "notFound"


def test_find_verification_method_bad_arguments():
    document = _agora()
    with pytest.raises(InvalidDIDURLError):
        document.find_verification_method("#a b")
    with pytest.raises(ValueError, match="unknown relationship"):
        document.find_verification_method("#key-1", "assertion_method")


def test_verification_methods_for():
    document = _agora()
    ids = [vm.id for vm in document.verification_methods_for("authentication")]
    assert ids == [f"{DID}#key-1", f"{DID}#auth-only"]
    # The reference to did:example:council's key is left out: it is not here.
    ids = [vm.id for vm in document.verification_methods_for("assertionMethod")]
    assert ids == [f"{DID}#key-1"]
    assert document.verification_methods_for("keyAgreement")[0].id == f"{DID}#ka-1"
    with pytest.raises(ValueError, match="unknown relationship"):
        document.verification_methods_for("signing")


def test_legacy_public_key_property_is_only_extra():
    document = DIDDocument.from_json(
        load.json_file(
            "did-core",
            "relative",
            "did-key-test-vector-nist-p256-publickey.source.json",
        )
    )
    assert document.verification_methods_for("authentication") == ()
    assert "publicKey" in document.extra
    with pytest.raises(DIDNotFoundError):
        document.find_verification_method(
            str(document.authentication[0]), "authentication"
        )


def test_find_service():
    document = _agora()
    assert document.find_service(f"{DID}#hub").id == f"{DID}#hub"
    assert document.find_service("#files").id == f"{DID}#files"
    assert document.find_service("tagged").id == f"{DID}#tagged"
    other = "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66"
    assert document.find_service(other).id == other
    for missing in ("#nope", "nope", "did:example:agora#key-1", "6e8bc430"):
        with pytest.raises(DIDNotFoundError):
            document.find_service(missing)


def test_find_service_by_fragment_of_another_base():
    document = DIDDocument.from_json(
        load.json_file("did-core", "documents", "did-core-example-20-service.json")
    )
    assert document.find_service("linked-domain").type == "LinkedDomains"
    ambiguous = DIDDocument.from_json(
        {
            "id": "did:example:1",
            "service": [
                {
                    "id": "did:example:2#s",
                    "type": "A",
                    "serviceEndpoint": "https://a.example",
                },
                {
                    "id": "did:example:3#s",
                    "type": "B",
                    "serviceEndpoint": "https://b.example",
                },
            ],
        }
    )
    with pytest.raises(DIDNotFoundError, match="more than one"):
        ambiguous.find_service("s")


def test_verification_method_from_json():
    obj = {"id": "#k", "type": "Multikey", "controller": DID, "publicKeyMultibase": MB}
    vm = VerificationMethod.from_json(obj, base=DID)
    assert vm.id == f"{DID}#k"
    assert vm.to_json() == dict(obj, id=f"{DID}#k")
    with pytest.raises(InvalidDIDDocumentError, match="is not a DID URL"):
        VerificationMethod.from_json(obj)
    with pytest.raises(InvalidDIDError):
        VerificationMethod.from_json(obj, base="not a did")
    jwk = {"kty": "EC", "crv": "P-256", "x": "a", "y": "b"}
    with_jwk = {
        "id": f"{DID}#j",
        "type": "JsonWebKey",
        "controller": DID,
        "publicKeyJwk": jwk,
    }
    assert VerificationMethod.from_json(with_jwk).to_json() == with_jwk


def test_verification_method_to_json_keeps_core_names_first():
    vm = VerificationMethod(
        f"{DID}#k",
        "Multikey",
        DID,
        public_key_multibase=MB,
        extra={"id": "shadow", "x": 1},
    )
    assert vm.to_json() == {
        "id": f"{DID}#k",
        "type": "Multikey",
        "controller": DID,
        "publicKeyMultibase": MB,
        "x": 1,
    }


def test_service_from_json():
    obj = {
        "id": "#s",
        "type": ["A", "B"],
        "serviceEndpoint": {"uri": "https://x.example"},
    }
    service = Service.from_json(obj, base=DID)
    assert service.id == f"{DID}#s"
    assert service.type == ("A", "B")
    assert service.to_json() == dict(obj, id=f"{DID}#s")
    with pytest.raises(InvalidDIDDocumentError, match="is not a URI"):
        Service.from_json(obj)
    with pytest.raises(InvalidDIDDocumentError, match="must be a JSON object"):
        Service.from_json("https://x.example")


def test_from_json_copies_input_and_to_json_copies_output():
    source = load.json_file("did-core", "documents", "agora-all-properties.json")
    kept = copy.deepcopy(source)
    document = DIDDocument.from_json(source)
    source["verificationMethod"][1]["publicKeyJwk"]["x"] = "changed"
    source["service"][0]["serviceEndpoint"].append("https://evil.example")
    source["@context"][2]["@vocab"] = "changed"
    out = document.to_json()
    assert out == kept
    out["verificationMethod"][1]["publicKeyJwk"]["x"] = "changed again"
    out["extra"] = "x"
    assert document.to_json() == kept


def test_single_values_keep_their_shape():
    bare = DIDDocument.from_json({"@context": "c", "id": DID, "controller": DID})
    assert bare.context == ("c",)
    assert bare.controller == (DID,)
    assert bare.to_json() == {"@context": "c", "id": DID, "controller": DID}
    listed = DIDDocument.from_json({"@context": ["c"], "id": DID, "controller": [DID]})
    assert listed.to_json() == {"@context": ["c"], "id": DID, "controller": [DID]}
    assert bare == listed


def test_constructed_document_serializes():
    vm = VerificationMethod(f"{DID}#k", "Multikey", DID, public_key_multibase=MB)
    document = DIDDocument(
        DID,
        context=("https://www.w3.org/ns/did/v1",),
        controller=(DID,),
        verification_method=(vm,),
        assertion_method=("#k",),
        extra={"service": "ignored", "note": 1},
    )
    out = document.to_json()
    assert out == {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": DID,
        "controller": [DID],
        "verificationMethod": [vm.to_json()],
        "assertionMethod": ["#k"],
        "note": 1,
    }
    assert document.find_verification_method(f"{DID}#k", "assertionMethod") == vm
    assert DIDDocument.from_json(out).assertion_method == (f"{DID}#k",)


def test_empty_arrays_are_accepted_and_left_out():
    document = DIDDocument.from_json(
        {"id": DID, "verificationMethod": [], "keyAgreement": [], "service": []}
    )
    assert document.to_json() == {"id": DID}


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
_keys = st.sampled_from([*ORDER, "publicKeyJwk", "type", "serviceEndpoint"])


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(_keys, _json, max_size=6).map(
        lambda d: {"id": "did:example:1", **d}
    )
    | _json
)
def test_from_json_raises_only_invalid_document(obj):
    try:
        document = DIDDocument.from_json(obj)
    except InvalidDIDDocumentError:
        return
    assert DIDDocument.from_json(document.to_json()) == document
