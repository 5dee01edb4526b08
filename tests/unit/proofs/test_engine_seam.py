"""A new cryptosuite plugs in without touching the proof engine.

The toy suite (``toy_suite.py``) is written against the ``Cryptosuite``
protocol only and does every step differently from the shipped suites; the
engine runs it through ``ssi.issue`` / ``ssi.verify`` with ``suites=``. The
engine's source names no suite, no transformation and no key encoding.
"""

from __future__ import annotations

import inspect
import re

import pytest

import ssi
import ssi.proofs.data_integrity as engine
from ssi.errors import InvalidSignatureError, ProofVerificationError
from ssi.proofs import SuiteRegistry, check_signature, proofs_of
from ssi.proofs.suites import EddsaJcs2022
from tests.unit.proofs.doubles import CREATED, NOW, ed25519_key, p256_key
from tests.unit.proofs.toy_suite import TOY_CONTEXT, ToySuite, ToyVerifier

ISSUER = ed25519_key(41)


def credential() -> ssi.types.JsonObject:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": ssi.did_key(ISSUER),
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject", "name": "Sam"},
    }


def issued(registry: SuiteRegistry) -> ssi.types.JsonObject:
    return ssi.issue(
        credential(), ssi.signer(ISSUER), suite="toy-2024", registry=registry,
        created=CREATED,
    )  # fmt: skip


def test_the_toy_suite_issues_and_verifies_through_the_public_api():
    registry = SuiteRegistry([ToySuite()])
    secured = issued(registry)
    before = ToyVerifier.checks

    report = ssi.verify(secured, suites=registry, now=NOW)

    assert report.verified, report.to_json()
    assert ToyVerifier.checks == before + 1  # the suite's own verifier checked it
    assert secured["@context"][-1] == TOY_CONTEXT  # issue asked the suite
    assert "@context" not in secured["proof"]  # the toy's proof options
    proof = secured["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "toy-2024"
    assert proof["proofValue"].startswith("u")


def test_the_toy_suite_signs_its_own_hash_data():
    suite = ToySuite()
    secured = issued(SuiteRegistry([suite]))
    options = {k: v for k, v in secured["proof"].items() if k != "proofValue"}
    unsecured = {k: v for k, v in secured.items() if k != "proof"}
    data = suite.hash(
        suite.canonicalize(options, loader=None)
        + b"\n"
        + suite.canonicalize(unsecured, loader=None)
    )

    ISSUER.public_key.verify(
        data, suite.decode_proof_value(secured["proof"]["proofValue"])
    )


def test_the_toy_suite_checks_a_signature_with_a_key_the_caller_holds():
    registry = SuiteRegistry([ToySuite()])
    secured = issued(registry)
    (proof,) = proofs_of(secured)

    check_signature(secured, proof, ISSUER.public_key, registry=registry)
    with pytest.raises(ProofVerificationError, match="toy-2024 cannot use"):
        check_signature(secured, proof, p256_key(5).public_key, registry=registry)
    with pytest.raises(InvalidSignatureError):
        check_signature(secured, proof, ed25519_key(42).public_key, registry=registry)


def test_a_tampered_toy_proof_fails_and_the_shipped_suites_still_work_beside_it():
    registry = SuiteRegistry([ToySuite(), EddsaJcs2022()])
    tampered = issued(registry)
    tampered["credentialSubject"]["name"] = "Mallory"
    shipped = ssi.issue(credential(), ssi.signer(ISSUER), created=CREATED)

    assert not ssi.verify(tampered, suites=registry, now=NOW).verified
    assert ssi.verify(shipped, suites=registry, now=NOW).verified


class _OldProtocolSuite:
    """A suite of the protocol before its steps became methods."""

    name = "old-2023"
    proof_type = "DataIntegrityProof"
    cryptosuite = "old-2023"
    required_algorithm = "EdDSA"
    key_types = ToySuite.key_types
    canonicalize = ToySuite.canonicalize
    hash = ToySuite.hash
    encode_proof_value = ToySuite.encode_proof_value
    decode_proof_value = ToySuite.decode_proof_value


def test_the_registry_refuses_a_suite_without_the_steps_the_engine_calls():
    with pytest.raises(ValueError, match=r"does not declare suite_context\(\)"):
        SuiteRegistry([_OldProtocolSuite()])  # type: ignore[list-item]


@pytest.mark.parametrize(
    "pattern",
    [
        r"jcs",
        r"rdfc",
        r"eddsa",
        r"ecdsa",
        r"ed25519",
        r"signature2020",
        r"multikey",
        r"decode_public",
        r"key_type",
        r"cryptosuite is None",
        r"proof_type ==",
    ],
)
def test_the_engine_names_no_suite_transformation_or_key_encoding(pattern):
    source = inspect.getsource(engine)
    assert not re.search(pattern, source, re.IGNORECASE), pattern
