"""A ``@context`` anywhere in a credential or presentation is checked.

Under JCS suites no JSON-LD processing runs, so a context embedded in
``credentialSubject`` (or deeper) would change what the terms mean for a
JSON-LD reader without the verifier noticing. Every embedded ``@context`` is
checked like the top-level one: each URL must be one the document loader
has (the bundled contexts by default), context objects are allowed, and
anything else is refused, with the JSON path of the offending value.

Spec: https://www.w3.org/TR/vc-data-model-2.0/#contexts,
https://www.w3.org/TR/json-ld11/#scoped-contexts
"""

from __future__ import annotations

import pytest

import ssi
from ssi.credentials.json_input import check_json_value, path_to
from ssi.errors import DocumentLoadError, MalformedValueError
from ssi.types import JsonObject, JsonValue
from tests.unit.proofs.doubles import CREATED, NOW, ed25519_key

KEY = ed25519_key(41)
ISSUER = ssi.did_key(KEY)
V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"
UNKNOWN = "https://attacker.example/redefines-name"


def credential(subject: JsonObject, contexts: list[JsonValue] | None = None):
    return {
        "@context": contexts or [V2],
        "id": "urn:uuid:6a1e3b0c-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential"],
        "issuer": ISSUER,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": subject,
    }


def signed(document: JsonObject, suite: str = "eddsa-jcs-2022") -> JsonObject:
    return ssi.issue(document, ssi.signer(KEY), suite=suite, created=CREATED)


def context_problem(report: ssi.VerificationReport) -> ssi.credentials.Problem:
    [problem] = report.all_problems()
    assert problem.check == "context"
    assert problem.code == "MALFORMED_VALUE_ERROR"
    return problem


@pytest.mark.parametrize(
    ("subject", "error", "path"),
    [
        (
            {"@context": UNKNOWN, "name": "Sam"},
            DocumentLoadError,
            "$.credentialSubject.@context",
        ),
        (
            {"@context": [EXAMPLES, UNKNOWN], "name": "Sam"},
            DocumentLoadError,
            "$.credentialSubject.@context[1]",
        ),
        (
            {"@context": None, "name": "Sam"},
            MalformedValueError,
            "$.credentialSubject.@context",
        ),
        (
            {"@context": [], "name": "Sam"},
            MalformedValueError,
            "$.credentialSubject.@context",
        ),
        (
            {"@context": [EXAMPLES, 7], "name": "Sam"},
            MalformedValueError,
            "$.credentialSubject.@context[1]",
        ),
        (
            {"@context": [True], "name": "Sam"},
            MalformedValueError,
            "$.credentialSubject.@context[0]",
        ),
        (
            {"@context": [[EXAMPLES]], "name": "Sam"},
            MalformedValueError,
            "$.credentialSubject.@context[0]",
        ),
        (
            {"name": "Sam", "knows": [{"x": {"@context": UNKNOWN, "name": "Lee"}}]},
            DocumentLoadError,
            "$.credentialSubject.knows[0].x.@context",
        ),
    ],
    ids=[
        "url",
        "url-in-array",
        "null",
        "empty-array",
        "number",
        "boolean",
        "nested-array",
        "deep",
    ],
)
def test_embedded_context_is_refused_with_its_path(subject, error, path):
    report = ssi.verify(signed(credential(subject)), now=NOW)

    assert not report.verified
    problem = context_problem(report)
    assert isinstance(problem.error, error)
    assert path in problem.detail
    assert problem.to_json()["errorCode"] == error.code


def test_a_bundled_embedded_context_verifies_with_an_rdfc_suite():
    document = credential({"@context": EXAMPLES, "name": "Sam"})
    report = ssi.verify(signed(document, "eddsa-rdfc-2022"), now=NOW)
    assert report.verified, report.to_json()


@pytest.mark.parametrize(
    "subject",
    [
        {"@context": EXAMPLES, "name": "Sam"},
        {"@context": [EXAMPLES], "name": "Sam"},
        {"@context": {"name": "https://schema.org/name"}, "name": "Sam"},
    ],
    ids=["bundled-url", "bundled-array", "context-object"],
)
def test_known_or_inline_embedded_context_verifies(subject):
    report = ssi.verify(signed(credential(subject)), now=NOW)
    assert report.verified, report.to_json()


def test_scoped_context_inside_a_top_level_context_object_is_checked():
    scoped = {"Member": {"@id": "https://example.org/Member", "@context": UNKNOWN}}
    document = credential({"name": "Sam"}, [V2, scoped])

    report = ssi.verify(signed(document), now=NOW)

    assert "$.@context[1].Member.@context" in context_problem(report).detail


def test_an_unknown_top_level_context_keeps_its_loader_message():
    document = credential({"name": "Sam"}, [V2, UNKNOWN])
    report = ssi.verify(signed(document), now=NOW)
    problem = context_problem(report)
    assert UNKNOWN in problem.detail


def test_the_proof_s_copy_of_the_contexts_is_accepted():
    secured = signed(credential({"name": "Sam"}, [V2, EXAMPLES]))
    assert secured["proof"]["@context"] == [V2, EXAMPLES]
    assert ssi.verify(secured, now=NOW).verified


def test_a_loader_that_knows_the_context_accepts_it():
    loader = ssi.jsonld.BundledLoader(extra={UNKNOWN: {"@context": {}}})
    secured = signed(credential({"@context": UNKNOWN, "name": "Sam"}))
    assert ssi.verify(secured, now=NOW, loader=loader).verified


# --- Presentations -----------------------------------------------------------------


def presentation(credentials: list[JsonObject], **extra: JsonValue) -> JsonObject:
    unsigned: JsonObject = {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "holder": ISSUER,
        "verifiableCredential": credentials,
        **extra,
    }
    return ssi.proofs.add_proof(
        unsigned,
        ssi.signer(KEY),
        purpose=ssi.proofs.AuthenticationPurpose(challenge="c"),
        created=CREATED,
    )


def verify_presentation(document: JsonObject) -> ssi.VerificationReport:
    return ssi.verify_presentation(document, challenge="c", domain=False, now=NOW)


def test_a_credential_s_embedded_context_fails_that_credential():
    good = signed(credential({"id": ISSUER, "name": "Sam"}))
    bad = signed(credential({"id": ISSUER, "@context": UNKNOWN, "name": "Sam"}))

    report = verify_presentation(presentation([good, bad]))

    assert not report.verified
    assert report.problems == ()
    assert [r.verified for r in report.credentials] == [True, False]
    detail = context_problem(report.credentials[1]).detail
    assert "$.verifiableCredential[1].credentialSubject.@context" in detail


def test_a_single_embedded_credential_is_named_without_index():
    bad = signed(credential({"id": ISSUER, "@context": UNKNOWN, "name": "Sam"}))
    document = presentation(bad)  # type: ignore[arg-type]

    report = verify_presentation(document)

    detail = context_problem(report.credentials[0]).detail
    assert "$.verifiableCredential.credentialSubject.@context" in detail


def test_a_presentation_s_own_embedded_context_fails_the_presentation():
    good = signed(credential({"id": ISSUER, "name": "Sam"}))
    document = presentation([good], termsOfUse={"type": "T", "@context": UNKNOWN})

    report = verify_presentation(document)

    assert not report.verified
    [problem] = report.problems
    assert problem.check == "context"
    assert "$.termsOfUse.@context" in problem.detail
    assert [r.verified for r in report.credentials] == [True]


# --- The walk that finds them ---------------------------------------------------------


def test_check_json_value_returns_the_objects_with_a_context_below_the_top():
    inner = {"@context": EXAMPLES}
    deeper = {"@context": None}
    value = {"@context": [V2], "a": [inner, {"b": deeper}], "c": {"d": 1}}

    found = check_json_value(value)

    assert sorted(map(id, found)) == sorted([id(inner), id(deeper)])
    assert check_json_value({"a": [1, {"b": 2}]}) == ()


def test_the_slow_walk_finds_them_too():
    class Subclass(dict):  # not an exact dict: the fast walk looks closer
        pass

    inner = Subclass({"@context": EXAMPLES})
    value = {"a": inner, "b": 1.5}

    assert check_json_value(value) == (inner,)


def test_path_to_names_an_object_by_identity():
    target = {"x": 1}
    value = {"a": [{"y": 2}, {"b": target}], "odd key": {"x": 1}}

    assert path_to(value, target) == "$.a[1].b"
    assert path_to(value, value["odd key"]) == "$['odd key']"
    assert path_to(value, {"x": 1}) is None
    assert path_to(value, target, path="$.verifiableCredential[0]") == (
        "$.verifiableCredential[0].a[1].b"
    )
