"""verify_proof takes did:key:X#X methods straight from the key, with the
library's own did:key driver only, and establishes the same as resolution."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

import ssi
from ssi.did.methods import core_methods
from ssi.did.methods.key import KeyMethod, did_key_document
from ssi.did.resolution import MethodRegistry, ResolutionResult, Resolver
from ssi.did.syntax import DID
from ssi.encoding import encode_multibase
from ssi.errors import InvalidPublicKeyLengthError
from ssi.multicodec import wrap
from ssi.proofs import AssertionMethodPurpose, proofs_of, verify_proof
from ssi.types import JsonObject, JsonValue
from tests.unit.proofs.doubles import NOW, ed25519_key


class CountingKeyMethod(KeyMethod):
    """The did:key driver under another type: the engine must resolve."""

    calls = 0

    def resolve(self, did: DID, options: Mapping[str, JsonValue]) -> ResolutionResult:
        CountingKeyMethod.calls += 1
        return super().resolve(did, options)


def resolver_with(method: KeyMethod) -> Resolver:
    methods = [m for m in core_methods() if m.name != "key"]
    return Resolver(MethodRegistry([*methods, method]), cache_ttl=0)


def signed(seed: int, suite: str) -> JsonObject:
    signer = ssi.signer(ed25519_key(seed))
    credential: JsonObject = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": signer.key_id.split("#")[0],
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:1"},
    }
    return ssi.issue(credential, signer, suite=suite, created="2024-01-02T00:00:00Z")


@pytest.mark.parametrize("suite", ["eddsa-jcs-2022", "eddsa-rdfc-2022"])
def test_the_fast_path_establishes_what_resolution_does(suite: str) -> None:
    for seed in range(1, 9):
        document = signed(seed, suite)
        proof = proofs_of(document)[0]
        CountingKeyMethod.calls = 0
        slow = verify_proof(
            document,
            proof,
            purpose=AssertionMethodPurpose(),
            resolver=resolver_with(CountingKeyMethod()),
            now=NOW,
        )
        assert CountingKeyMethod.calls == 1
        fast = verify_proof(
            document,
            proof,
            purpose=AssertionMethodPurpose(),
            resolver=resolver_with(KeyMethod()),
            now=NOW,
        )
        assert (fast.method, fast.warnings) == (slow.method, slow.warnings)
        # The controller document: the same DID and verification
        # relationships, without the derived X25519 keyAgreement method.
        assert fast.controller == did_key_document(
            slow.controller.id, enable_encryption_key_derivation=False
        )
        for relationship in (
            "authentication",
            "assertion_method",
            "capability_invocation",
            "capability_delegation",
        ):
            assert getattr(fast.controller, relationship) == getattr(
                slow.controller, relationship
            )


def test_the_fast_path_reports_bad_keys_as_resolution_does() -> None:
    document = signed(3, "eddsa-jcs-2022")
    proof = dict(proofs_of(document)[0])
    short = ed25519_key(4).public_key.raw[:31]
    value = encode_multibase(wrap("ed25519-pub", short))
    proof["verificationMethod"] = f"did:key:{value}#{value}"
    errors = []
    for method in (KeyMethod(), CountingKeyMethod()):
        with pytest.raises(InvalidPublicKeyLengthError) as caught:
            verify_proof(
                document,
                proof,
                purpose=AssertionMethodPurpose(),
                resolver=resolver_with(method),
                now=NOW,
            )
        errors.append(caught.value.detail)
    assert errors[0] == errors[1]


def test_the_stock_driver_is_not_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    original = KeyMethod.resolve

    def resolve(
        self: KeyMethod, did: DID, options: Mapping[str, JsonValue]
    ) -> ResolutionResult:
        asked.append(str(did))
        return original(self, did, options)

    monkeypatch.setattr(KeyMethod, "resolve", resolve)
    document = signed(5, "eddsa-jcs-2022")
    verified = verify_proof(
        document,
        proofs_of(document)[0],
        purpose=AssertionMethodPurpose(),
        resolver=resolver_with(KeyMethod()),
        now=NOW,
    )
    assert asked == []
    assert verified.controller.id == document["issuer"]
