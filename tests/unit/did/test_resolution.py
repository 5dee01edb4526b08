"""Resolver: registry dispatch, error metadata, TTL cache, representations."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest

import ssi
from ssi.did import DIDDocument
from ssi.did.resolution import (
    DID_JSON,
    DID_LD_JSON,
    MethodRegistry,
    ResolutionResult,
    Resolver,
    normalize_options,
)
from ssi.did.syntax import DID
from ssi.errors import (
    DIDNotFoundError,
    InvalidDIDError,
    MethodNotSupportedError,
    SSIError,
)
from ssi.types import JsonValue


class CountingMethod:
    """A did:test driver that counts calls and serves one document."""

    name = "test"
    cacheable = True
    keeps_history = False

    def __init__(self) -> None:
        self.calls = 0

    def resolve(self, did: DID, options: Mapping[str, JsonValue]) -> ResolutionResult:
        self.calls += 1
        if did.method_specific_id == "missing":
            raise DIDNotFoundError(f"{did} does not exist.")
        if did.method_specific_id == "broken":
            raise SSIError("something below failed.")
        if did.method_specific_id == "nodoc":
            return ResolutionResult(None, {}, {})
        document = {"id": str(did)}
        if did.method_specific_id != "nocontext":
            document = {"@context": "https://www.w3.org/ns/did/v1", **document}
        return ResolutionResult(
            DIDDocument.from_json(document), {}, {"options": dict(options)}
        )


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def method() -> CountingMethod:
    return CountingMethod()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def resolver(method: CountingMethod, clock: FakeClock) -> Resolver:
    return Resolver(MethodRegistry([method]), cache_ttl=60, cache_size=2, clock=clock)


def test_resolves_through_the_registered_method(resolver, method):
    result = resolver.resolve("did:test:alice")
    assert result.ok
    assert result.did_document is not None
    assert result.did_document.id == "did:test:alice"
    assert method.calls == 1


@pytest.mark.parametrize(
    ("did", "code"),
    [
        ("", "invalidDid"),
        ("did:test:", "invalidDid"),
        ("DID:test:x", "invalidDid"),
        ("did:test:alice#key-1", "invalidDid"),
        ("did:other:alice", "methodNotSupported"),
        ("did:test:missing", "notFound"),
        ("did:test:broken", "internalError"),
        ("did:test:nodoc", "internalError"),
    ],
)
def test_bad_input_is_answered_with_an_error_code(resolver, did, code):
    result = resolver.resolve(did)
    assert not result.ok
    assert result.did_document is None
    assert result.error == code
    assert result.did_resolution_metadata["errorMessage"]
    assert result.did_resolution_metadata["problemDetails"]["type"].endswith(
        result.did_resolution_metadata["problemDetails"]["type"].split("#")[-1]
    )


@pytest.mark.parametrize(
    "value", [None, 42, ["did:key:z"], {"id": "did:x:y"}, b"did:x:y"]
)
def test_non_string_input_is_invalid_did(resolver, value):
    assert resolver.resolve(value).error == "invalidDid"


def test_successes_are_cached_until_the_ttl_passes(resolver, method, clock):
    resolver.resolve("did:test:alice")
    resolver.resolve("did:test:alice")
    assert method.calls == 1
    clock.now += 59.9
    resolver.resolve("did:test:alice")
    assert method.calls == 1
    clock.now += 0.2
    resolver.resolve("did:test:alice")
    assert method.calls == 2


def test_failures_are_not_cached(resolver, method):
    resolver.resolve("did:test:missing")
    resolver.resolve("did:test:missing")
    assert method.calls == 2


def test_no_cache_option_and_clear_cache(resolver, method):
    resolver.resolve("did:test:alice")
    resolver.resolve("did:test:alice", no_cache=True)
    assert method.calls == 2
    resolver.clear_cache()
    resolver.resolve("did:test:alice")
    assert method.calls == 3


def test_cache_keeps_the_most_recently_used(resolver, method):
    for name in ("a", "b", "a", "c"):
        resolver.resolve(f"did:test:{name}")
    assert method.calls == 3
    resolver.resolve("did:test:a")
    assert method.calls == 3
    resolver.resolve("did:test:b")
    assert method.calls == 4


def test_options_are_part_of_the_cache_key_and_passed_in_camel_case(resolver, method):
    first = resolver.resolve("did:test:alice", public_key_format="JsonWebKey2020")
    resolver.resolve("did:test:alice", publicKeyFormat="Multikey")
    assert method.calls == 2
    assert first.did_document_metadata["options"] == {
        "publicKeyFormat": "JsonWebKey2020"
    }


def test_cached_results_cannot_be_altered_by_callers(resolver):
    first = resolver.resolve("did:test:alice")
    first.did_document_metadata["options"]["evil"] = True
    second = resolver.resolve("did:test:alice")
    assert "evil" not in second.did_document_metadata["options"]


def test_zero_ttl_disables_the_cache(method):
    resolver = Resolver(MethodRegistry([method]), cache_ttl=0)
    resolver.resolve("did:test:alice")
    resolver.resolve("did:test:alice")
    assert method.calls == 2


def test_registry_refuses_duplicates_and_reports_unknown_methods(method):
    registry = MethodRegistry([method])
    assert "test" in registry
    assert registry.names == ("test",)
    with pytest.raises(ValueError, match="already registered"):
        registry.register(CountingMethod())
    registry.register(CountingMethod(), replace=True)
    with pytest.raises(MethodNotSupportedError):
        registry.get("nope")


class _Undeclared(CountingMethod):
    cacheable = None  # type: ignore[assignment]


class _HistoryUndeclared(CountingMethod):
    keeps_history = "yes"  # type: ignore[assignment]


@pytest.mark.parametrize(
    ("driver", "attribute"),
    [(_Undeclared, "cacheable"), (_HistoryUndeclared, "keeps_history")],
)
def test_registry_refuses_a_driver_that_does_not_declare_what_the_resolver_asks(
    driver, attribute
):
    with pytest.raises(ValueError, match=f"does not declare {attribute} as a bool"):
        MethodRegistry([driver()])


def test_the_resolver_reads_what_each_shipped_driver_declares():
    import ssi.methods

    resolver = Resolver(ssi.methods.default_methods())
    declared = {
        name: (resolver.registry.get(name).cacheable,
               resolver.registry.get(name).keeps_history)
        for name in resolver.registry.names
    }  # fmt: skip
    assert declared == {
        "agora": (False, True),
        "jwk": (True, False),
        "key": (True, False),
    }
    assert resolver.keeps_history("did:agora:zQmX")
    assert not resolver.keeps_history("did:jwk:e30")
    assert not resolver._cacheable("did:agora:zQmX")
    assert resolver._cacheable("did:key:z6Mk")


def test_default_registry_has_key_and_jwk_and_the_full_set_adds_agora():
    # Issue 10: nothing registers on import; the full set is built explicitly.
    import ssi.methods

    assert Resolver().registry.names == ("jwk", "key")
    assert ssi.methods.default_methods().names == ("agora", "jwk", "key")


@pytest.mark.parametrize(
    "accept", [DID_JSON, DID_LD_JSON, f"{DID_LD_JSON}; charset=utf-8"]
)
def test_representations_are_json_bytes(resolver, accept):
    result = resolver.resolve_representation("did:test:alice", accept=accept)
    assert result.error is None
    assert result.did_resolution_metadata["contentType"] == accept.split(";")[0]
    document = json.loads(result.did_document_stream)
    assert document["id"] == "did:test:alice"
    assert document["@context"] == "https://www.w3.org/ns/did/v1"


@pytest.mark.parametrize(
    "accept", ["text/html", "application/json", "application/did+cbor"]
)
def test_unknown_representation_is_refused(resolver, accept):
    result = resolver.resolve_representation("did:test:alice", accept=accept)
    assert result.error == "representationNotSupported"
    assert result.did_document_stream == b""


def test_json_ld_needs_a_context(resolver):
    assert (
        resolver.resolve_representation("did:test:nocontext", accept=DID_JSON).error
        is None
    )
    result = resolver.resolve_representation("did:test:nocontext", accept=DID_LD_JSON)
    assert result.error == "representationNotSupported"


def test_representation_of_a_failure_carries_the_error(resolver):
    result = resolver.resolve_representation("did:other:x")
    assert result.error == "methodNotSupported"
    assert result.did_document_stream == b""


def test_result_serializes_as_the_http_binding_body(resolver):
    body = resolver.resolve("did:test:alice").to_json()
    assert body["@context"] == "https://w3id.org/did-resolution/v1"
    assert body["didDocument"]["id"] == "did:test:alice"
    failure = resolver.resolve("did:nope:x").to_json()
    assert failure["didDocument"] is None
    assert failure["didResolutionMetadata"]["error"] == "methodNotSupported"


def test_failure_builds_problem_details():
    result = ResolutionResult.failure(InvalidDIDError("'x' is not a DID."))
    assert result.did_resolution_metadata["problemDetails"] == {
        "type": "https://www.w3.org/ns/did#INVALID_DID",
        "title": "Invalid DID",
        "detail": "'x' is not a DID.",
        "code": "invalidDid",
    }


def test_normalize_options():
    assert normalize_options(
        {"public_key_format": 1, "versionId": 2, "no_cache": 3}
    ) == {
        "publicKeyFormat": 1,
        "versionId": 2,
        "noCache": 3,
    }


def test_module_level_resolve_uses_a_shared_resolver():
    key = ssi.generate_key("Ed25519")
    assert ssi.resolve(ssi.did_key(key)).ok
    assert ssi.resolve_representation(ssi.did_jwk(key)).error is None
