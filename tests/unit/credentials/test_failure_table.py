"""The verification failure table: each case in ``tests/vectors/vc-failures``
gets a report that is not verified and names the expected VC 2.0 problem type
and precise error code, and the call never raises.

Credentials and presentations are issued here, by Ed25519 keys derived from the
fixed seeds in the table, and checked against the table's fixed ``now``, so a
failure reproduces exactly.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

import pytest

import ssi
import ssi.errors
from ssi.credentials.report import PROBLEM_TYPES
from ssi.did.methods import KeyMethod
from ssi.keys import Ed25519KeyPair, LocalSigner
from ssi.proofs import add_proof, purpose_for
from tests.growth import bytecodes
from tests.vectors import load

TABLE = load.json_file("vc-failures", "cases.json")
CASES: list[dict[str, Any]] = TABLE["cases"]
NOW = datetime.fromisoformat(TABLE["now"])
CREATED: str = TABLE["created"]
KEYS = {
    name: Ed25519KeyPair.from_seed(bytes.fromhex(seed))
    for name, seed in TABLE["keys"].items()
}
ISSUER = ssi.did_key(KEYS["A"])
ISSUER_METHOD = f"{ISSUER}#{ISSUER.removeprefix('did:key:')}"
KEY_AGREEMENT_METHOD = f"{ISSUER}#{KEYS['A'].to_x25519().public_key.export_multikey()}"
UNKNOWN_CONTEXT = "https://example.com/unknown/v1"
BOTH_SUITES = ("eddsa-jcs-2022", "eddsa-rdfc-2022")


# --- Test doubles: a DID method serving fixed documents --------------------------


def _test_document(did: str, relationships: tuple[str, ...]) -> ssi.DIDDocument:
    method = f"{did}#key-1"
    document: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/multikey/v1",
        ],
        "id": did,
        "verificationMethod": [
            {
                "id": method,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": KEYS["A"].public_key.export_multikey(),
            }
        ],
    }
    for relationship in relationships:
        document[relationship] = [method]
    return ssi.DIDDocument.from_json(document)


class _FixedMethod:
    """did:test: key A, under the relationships each DID's name says."""

    name: ClassVar[str] = "test"
    cacheable: ClassVar[bool] = True
    keeps_history: ClassVar[bool] = False
    documents: ClassVar[dict[str, ssi.DIDDocument]] = {
        "did:test:auth-only": _test_document("did:test:auth-only", ("authentication",)),
        "did:test:assert-ok": _test_document(
            "did:test:assert-ok", ("authentication", "assertionMethod")
        ),
    }

    def resolve(self, did: ssi.DID, options: Mapping[str, Any]) -> ssi.ResolutionResult:
        try:
            return ssi.ResolutionResult(did_document=self.documents[str(did)])
        except KeyError:
            raise ssi.DIDNotFoundError(f"{did} is not a test DID.") from None


def _resolver(name: str | None) -> ssi.Resolver | None:
    if name is None:
        return None
    assert name == "auth-only"
    return ssi.Resolver(ssi.MethodRegistry([KeyMethod(), _FixedMethod()]), cache_ttl=0)


def _loader(name: str | None) -> ssi.BundledLoader | None:
    if name is None:
        return None
    assert name == "knows-unknown-context"
    return ssi.BundledLoader(extra={UNKNOWN_CONTEXT: {"@context": {}}})


# --- Mutations ------------------------------------------------------------------


def _parent(document: Any, path: list[str | int]) -> tuple[Any, str | int]:
    for step in path[:-1]:
        document = document[step]
    return document, path[-1]


def _apply(document: dict[str, Any], operations: list[dict[str, Any]]) -> None:
    for operation in operations:
        parent, last = _parent(document, operation["path"])
        op = operation["op"]
        if op == "set":
            parent[last] = copy.deepcopy(operation["value"])
        elif op == "delete":
            del parent[last]
        elif op == "append":
            parent[last] = [*parent[last], operation["value"]]
        elif op == "change-char":
            text, index = parent[last], operation["index"]
            other = "A" if text[index] != "A" else "B"
            parent[last] = text[:index] + other + text[index + 1 :]
        elif op == "replace-prefix":
            parent[last] = operation["prefix"] + parent[last][1:]
        elif op == "truncate":
            parent[last] = parent[last][: operation["length"]]
        elif op == "repeat":
            parent[last] = [
                copy.deepcopy(parent[last]) for _ in range(operation["times"])
            ]
        else:
            raise AssertionError(f"unknown operation {op!r}")


# --- Building each case's input -------------------------------------------------


def _verification_method(name: str) -> str:
    return {"issuer": ISSUER_METHOD, "issuer-key-agreement": KEY_AGREEMENT_METHOD}.get(
        name, name
    )


def _credential(case: dict[str, Any], suite: str) -> dict[str, Any]:
    unsigned = copy.deepcopy(TABLE["credential"])
    _apply(unsigned, case.get("unsigned", []))
    sign = case.get("sign", {})
    created = sign.get("created", CREATED)
    loader = _loader(sign.get("loader"))
    if "key" in sign or "verificationMethod" in sign:
        signer = LocalSigner(
            KEYS[sign.get("key", "A")],
            _verification_method(sign.get("verificationMethod", "issuer")),
        )
        return add_proof(
            unsigned,
            signer,
            suite=suite,
            purpose=purpose_for(sign.get("proofPurpose", "assertionMethod")),
            created=created,
            expires=sign.get("expires"),
            loader=loader,
        )
    return ssi.issue(
        unsigned,
        ssi.signer(KEYS["A"]),
        suite=suite,
        created=created,
        proof_purpose=sign.get("proofPurpose", "assertionMethod"),
        expires=sign.get("expires"),
        loader=loader,
    )


def _presentation(case: dict[str, Any], suite: str) -> dict[str, Any]:
    credential = _credential({}, suite)
    _apply(credential, case.get("credential", []))
    options = {**TABLE["presentation"], **case.get("present", {})}
    return ssi.present(
        [credential],
        ssi.signer(KEYS["A"]),
        challenge=options["challenge"],
        domain=options["domain"],
        suite=suite,
        created=CREATED,
    )


def _raw_input(spec: dict[str, Any]) -> Any:
    if "bytes" in spec:
        return spec["bytes"].encode("utf-8")
    if "hex" in spec:
        return bytes.fromhex(spec["hex"])
    if "text" in spec:
        return spec["text"]
    if "value" in spec:
        return spec["value"]
    shape, size = spec["generate"], spec.get("size") or spec["depth"]
    if shape == "long-string":
        return b'{"a": "' + b"x" * size + b'"}'
    if shape == "deep-arrays":
        return "[" * size + "]" * size
    if shape == "deep-objects":
        return '{"a": ' * size + "1" + "}" * size
    if shape == "deep-value":
        value: list[Any] = []
        for _ in range(size):
            value = [value]
        return {"a": value}
    raise AssertionError(f"unknown generated input {shape!r}")


def _build(case: dict[str, Any], suite: str | None) -> Any:
    if case["base"] == "input":
        return _raw_input(case["input"])
    assert suite is not None
    if case["base"] == "credential":
        document = _credential(case, suite)
    else:
        document = _presentation(case, suite)
    _apply(document, case.get("secured", []))
    return document


def _verify(case: dict[str, Any], document: Any) -> list[ssi.VerificationReport]:
    """Return the report of each verifier that applies to the case."""
    if case["base"] == "credential":
        resolver = _resolver(case.get("resolver"))
        return [ssi.verify(document, now=NOW, resolver=resolver)]
    expected = {**TABLE["presentation"], **case.get("verify", {})}
    presentation = ssi.verify_presentation(
        document,
        challenge=expected["challenge"],
        domain=expected["domain"],
        require_holder_binding=expected.get("requireHolderBinding", False),
        now=NOW,
    )
    if case["base"] == "presentation":
        return [presentation]
    return [ssi.verify(document, now=NOW), presentation]


# --- The table ------------------------------------------------------------------


def _params() -> list[Any]:
    params = []
    for case in CASES:
        for suite in case.get("suites", [None]):
            name = case["id"] if suite is None else f"{case['id']}[{suite}]"
            params.append(pytest.param(case, suite, id=name))
    return params


def _summary(report: ssi.VerificationReport) -> list[tuple[str, str, str, str]]:
    return [(p.check, p.code, p.error.code, p.detail) for p in report.all_problems()]


def _matches(problem: ssi.Problem, expect: dict[str, str]) -> bool:
    check = expect["check"]
    if problem.check != check and not problem.check.startswith(check + "["):
        return False
    if problem.code != expect["problem"]:
        return False
    if "errorCode" in expect and problem.error.code != expect["errorCode"]:
        return False
    if "errorClass" in expect:
        return isinstance(problem.error, getattr(ssi.errors, expect["errorClass"]))
    return True


def test_the_table_covers_the_cases():
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 40
    assert {case["base"] for case in CASES} == {"credential", "presentation", "input"}
    for case in CASES:
        assert case["expect"]["problem"] in PROBLEM_TYPES
        if case["base"] != "input":
            assert set(case["suites"]) <= set(BOTH_SUITES)


def test_the_fixed_key_is_the_issuer():
    assert TABLE["credential"]["issuer"] == ISSUER


@pytest.mark.parametrize(("case", "suite"), _params())
def test_failure_gets_its_problem(case, suite):
    document = _build(case, suite)
    reports = _verify(case, document)
    expect = case["expect"]
    for report in reports:
        assert report.verified is False
        problems = report.all_problems()
        assert any(_matches(p, expect) for p in problems), _summary(report)
        assert not any(p.check == "verification" for p in problems), _summary(report)
        body = json.loads(json.dumps(report.to_json()))
        assert body["verified"] is False
    if case.get("boundedWork"):
        # A guard against a slide into quadratic work, without a clock.
        spec = case["input"]
        key = "size" if "size" in spec else "depth"
        inputs = [_raw_input({**spec, key: spec[key] // 4}), document]
        work = [bytecodes(lambda d=d: _verify(case, d)) for d in inputs]
        assert work[0] == work[1]


# --- Controls: without its mutation each base verifies --------------------------


@pytest.mark.parametrize("suite", BOTH_SUITES)
def test_the_base_credential_verifies(suite):
    report = ssi.verify(_credential({}, suite), now=NOW)
    assert report.verified, _summary(report)


@pytest.mark.parametrize("suite", BOTH_SUITES)
def test_the_base_presentation_verifies(suite):
    options = TABLE["presentation"]
    report = ssi.verify_presentation(
        _presentation({}, suite),
        challenge=options["challenge"],
        domain=options["domain"],
        now=NOW,
    )
    assert report.verified, _summary(report)
    assert len(report.credentials) == 1


@pytest.mark.parametrize("suite", BOTH_SUITES)
def test_only_the_context_is_wrong(suite):
    case = next(c for c in CASES if c["id"] == "context-not-bundled")
    document = _build(case, suite)
    report = ssi.verify(document, now=NOW, loader=_loader("knows-unknown-context"))
    assert report.verified, _summary(report)


@pytest.mark.parametrize("suite", BOTH_SUITES)
def test_the_test_resolver_verifies_an_authorized_key(suite):
    case = {
        "unsigned": [{"op": "set", "path": ["issuer"], "value": "did:test:assert-ok"}],
        "sign": {"verificationMethod": "did:test:assert-ok#key-1"},
    }
    report = ssi.verify(
        _credential(case, suite), now=NOW, resolver=_resolver("auth-only")
    )
    assert report.verified, _summary(report)
