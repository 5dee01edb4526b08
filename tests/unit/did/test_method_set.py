"""The explicit DID method set (issue 10): nothing registers on import, one
factory builds the set, did:agora's codes live in ``ssi.agora``, and a
resolver over the set is rebuilt in worker processes from its pickle."""

from __future__ import annotations

import pickle
from concurrent.futures import ProcessPoolExecutor

import ssi
import ssi.agora
import ssi.methods
from ssi.agora import FileLogSource, error_from_metadata, is_log_error_code
from ssi.credentials import FixedClock, Verifier
from ssi.did.resolution import (
    MethodRegistry,
    ResolutionResult,
    Resolver,
    failure_error,
)
from ssi.did.resolution import error_from_metadata as did_error_from_metadata
from ssi.errors import (
    DIDNotFoundError,
    DuplicityError,
    InvalidDIDLogError,
    LogTooLargeError,
    MethodNotSupportedError,
    ResolverInternalError,
)
from tests.unit.agora.builders import NOW, S1, LogBuilder, at, key, write_log


def test_importing_did_agora_registers_nothing():
    assert ssi.agora.AgoraMethod.name == "agora"
    assert Resolver().registry.names == ("jwk", "key")
    assert Resolver().resolve("did:agora:zQmNope").error == "methodNotSupported"


def test_the_factory_builds_a_fresh_full_set_with_its_sources(tmp_path):
    first = ssi.methods.default_methods(agora_sources=[FileLogSource(tmp_path)])
    second = ssi.methods.default_methods()

    assert first.names == ("agora", "jwk", "key")
    assert first.get("agora") is not second.get("agora")
    assert [s.path for s in first.get("agora").sources] == [tmp_path]
    assert second.get("agora").sources == []


def test_the_top_level_shortcut_resolves_did_agora_from_the_log_option():
    built = LogBuilder()

    result = ssi.methods.resolve(built.did, log=built.entries)

    assert result.ok
    assert result.did_document.id == built.did
    assert ssi.methods.default_resolver() is ssi.methods.default_resolver()


def test_resolver_traits_come_from_the_method():
    resolver = Resolver(ssi.methods.default_methods())

    assert resolver.keeps_history("did:agora:zQmX")
    assert not resolver.keeps_history("did:key:z6Mk")
    assert resolver._cacheable("did:key:z6Mk")
    assert not resolver._cacheable("did:agora:zQmX")


def test_the_did_layer_maps_only_did_codes():
    metadata = {"error": "duplicity", "errorMessage": "forked."}

    assert isinstance(did_error_from_metadata({"error": "notFound"}), DIDNotFoundError)
    error = did_error_from_metadata(metadata)
    assert type(error) is ResolverInternalError
    assert error.detail == "forked."


def test_ssi_agora_maps_its_log_codes():
    duplicity = error_from_metadata(
        {
            "error": "duplicity",
            "errorMessage": "forked.",
            "logEntry": 3,
            "duplicity": {"logEntry": 3, "entries": [{"a": 1}]},
        }
    )
    size = error_from_metadata({"error": "invalidLogSize", "logEntry": 2})
    proof = error_from_metadata({"error": "invalidLogProof", "logEntry": True})
    other = error_from_metadata({"error": "methodNotSupported"})

    assert isinstance(duplicity, DuplicityError)
    assert duplicity.metadata["duplicity"]["entries"] == [{"a": 1}]
    assert isinstance(size, LogTooLargeError)
    assert size.entry == 2
    assert type(proof) is InvalidDIDLogError
    assert (proof.code, proof.entry) == ("invalidLogProof", None)
    assert isinstance(other, MethodNotSupportedError)
    assert [is_log_error_code(c) for c in ("unauthorizedLogKey", "notFound", 3)] == [
        True,
        False,
        False,
    ]


def test_a_failed_result_keeps_the_very_error():
    error = DuplicityError("forked.", entry=2, evidence=[{"x": 1}])
    result = ResolutionResult.failure(error)

    assert failure_error(result) is error
    assert result == ResolutionResult(None, result.did_resolution_metadata)
    assert isinstance(
        failure_error(ResolutionResult(None, {"error": "notFound"})), DIDNotFoundError
    )


def _credential(built: LogBuilder) -> dict:
    signer = ssi.LocalSigner(key(S1), f"{built.did}#key-1")
    return ssi.issue(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": built.did,
            "validFrom": "2024-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:holder"},
        },
        signer,
        created=at(0.5),
    )


def test_a_did_agora_verifier_is_rebuilt_in_worker_processes(tmp_path):
    built = LogBuilder()
    write_log(tmp_path, "alice.jsonl", built.entries)
    methods = ssi.methods.default_methods(
        agora_sources=[FileLogSource(tmp_path)], agora_clock=FixedClock(NOW)
    )
    verifier = Verifier(resolver=Resolver(methods), clock=FixedClock(NOW))
    documents = [_credential(built), _credential(LogBuilder(signing=12))]

    blob = pickle.dumps(verifier)
    with ProcessPoolExecutor(1) as executor:
        reports = verifier.verify_many(documents, executor=executor)

    assert b"Lock" not in blob
    assert [r.verified for r in reports] == [True, False]
    assert [p.error.code for p in reports[1].problems] == ["notFound"]
    assert [r.to_json() for r in reports] == [
        verifier.verify(d).to_json() for d in documents
    ]


def test_a_registry_pickles_with_its_methods(tmp_path):
    registry = MethodRegistry(
        ssi.methods.default_methods(agora_sources=[FileLogSource(tmp_path)]).get(name)
        for name in ("key", "agora")
    )

    copy = pickle.loads(pickle.dumps(registry))  # noqa: S301 - bytes made here

    assert copy.names == ("agora", "key")
    assert copy.get("agora").sources[0].path == tmp_path
