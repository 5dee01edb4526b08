"""RDFC-1.0 and JCS wrappers: safe mode, loaders, and bad input mapped to our errors."""

from __future__ import annotations

import pytest
from pyld import jsonld

from ssi.errors import CanonicalizationError, DocumentLoadError, SSIError
from ssi.jsonld import (
    MAX_DEPTH,
    BundledLoader,
    RemoteDocument,
    canonicalize_jcs,
    canonicalize_rdfc,
    expand,
)

V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "https://www.w3.org/ns/credentials/v2"
VOCAB = {"@vocab": "https://example.org/vocab#"}


def _credential(**members):
    document = {
        "@context": [V2],
        "id": "urn:uuid:7a6c5ad0-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:subject"},
    }
    document.update(members)
    return document


def _nested_lists(depth):
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


# --- RDFC-1.0 and safe mode ------------------------------------------------


def test_rdfc_leaves_the_input_untouched():
    document = _credential()
    before = repr(document)
    canonicalize_rdfc(document)
    assert repr(document) == before


def test_rdfc_output_is_sorted_newline_terminated_nquads():
    nquads = canonicalize_rdfc(_credential())
    lines = nquads.splitlines(keepends=True)
    assert lines == sorted(lines)
    assert all(line.endswith(" .\n") for line in lines)


@pytest.mark.parametrize(
    ("document", "needle"),
    [
        pytest.param(
            {"@context": V1, "id": "urn:x", "type": "VerifiableCredential", "oops": 1},
            "oops",
            id="undefined-property",
        ),
        pytest.param(
            {"@context": V1, "id": "urn:x", "type": ["VerifiableCredential", "Foo"]},
            "Foo",
            id="undefined-type",
        ),
        pytest.param(
            {"@context": V1, "id": "relative/id", "type": "VerifiableCredential"},
            "relative/id",
            id="relative-id",
        ),
        pytest.param(
            {
                "@context": [V1],
                "id": "urn:x",
                "type": "VerifiableCredential",
                "issuer": "issuer-without-scheme",
            },
            "issuer-without-scheme",
            id="relative-id-value",
        ),
        pytest.param(
            {"@context": {"gone": None, **VOCAB}, "@id": "urn:x", "gone": 1},
            "no IRI",
            id="null-mapped-term",
        ),
        pytest.param(
            {"@context": VOCAB, "@id": "urn:x", "@unknown": 1},
            "no IRI",
            id="keyword-like-key",
        ),
    ],
)
def test_safe_mode_refuses_what_json_ld_would_drop(document, needle):
    with pytest.raises(CanonicalizationError) as caught:
        canonicalize_rdfc(document)
    assert needle in caught.value.detail
    with pytest.raises(CanonicalizationError):
        expand(document)
    # Plain JSON-LD processing drops the offending statements instead.
    assert isinstance(canonicalize_rdfc(document, safe=False), str)
    assert isinstance(expand(document, safe=False), list)


def test_unsafe_mode_drops_undefined_terms():
    document = {
        "@context": V1,
        "id": "urn:x",
        "type": "VerifiableCredential",
        "oops": 1,
    }
    assert "oops" not in canonicalize_rdfc(document, safe=False)


def test_relative_iris_are_not_resolved_against_an_invented_base():
    document = {"@context": V1, "id": "urn:x", "type": ["VerifiableCredential", "Foo"]}
    assert "example.org/base" not in canonicalize_rdfc(document, safe=False)


def test_json_literals_are_opaque_to_safe_mode():
    document = {
        "@context": {"data": {"@id": "https://e.example/data", "@type": "@json"}},
        "@id": "urn:x",
        "data": {"@id": "relative", "@type": "Undefined", "x": [1, 2.5, None]},
    }
    nquads = canonicalize_rdfc(document)
    assert "rdf-syntax-ns#JSON" in nquads


def test_expand_returns_expanded_json_ld():
    expanded = expand(_credential())
    assert expanded[0]["@type"] == [
        "https://www.w3.org/2018/credentials#VerifiableCredential"
    ]


@pytest.mark.parametrize(
    "document",
    [
        pytest.param({"@context": 5}, id="context-not-object"),
        pytest.param({"@context": {"@version": 2}}, id="bad-version"),
        pytest.param({"@context": VOCAB, "@id": 5}, id="id-not-string"),
        pytest.param({"@context": VOCAB, "@type": {"a": 1}}, id="type-object"),
        pytest.param(
            {"@context": {"a": {"@id": "@context"}}}, id="keyword-redefinition"
        ),
        pytest.param(
            {"@context": {"d": {"@id": "https://e.example/d", "@type": "dt"}}},
            id="relative-type-mapping",
        ),
        pytest.param(
            {
                "@context": {"p": "https://e.example/p"},
                "p": {"@value": "v", "@type": "dt"},
            },
            id="relative-datatype",
        ),
    ],
)
def test_invalid_json_ld_is_a_canonicalization_error(document):
    with pytest.raises(CanonicalizationError) as caught:
        canonicalize_rdfc(document)
    assert caught.value.code == "PROOF_TRANSFORMATION_ERROR"
    assert isinstance(caught.value.__cause__, jsonld.JsonLdError)


# --- Loaders ------------------------------------------------------------


@pytest.mark.parametrize(
    "context",
    ["https://example.com/unknown/v1", "http://www.w3.org/ns/credentials/v2", V2 + "/"],
)
def test_an_unknown_context_is_a_document_load_error(context):
    with pytest.raises(DocumentLoadError) as caught:
        canonicalize_rdfc({"@context": context, "@id": "urn:x"})
    assert context in caught.value.detail
    assert caught.value.__cause__ is not None


def test_extra_contexts_are_used():
    url = "https://example.org/contexts/demo/v1"
    loader = BundledLoader(
        extra={url: {"@context": {"name": "https://schema.org/name"}}}
    )
    nquads = canonicalize_rdfc(
        {"@context": url, "@id": "urn:x", "name": "A"}, loader=loader
    )
    assert nquads == '<urn:x> <https://schema.org/name> "A" .\n'


def test_contexts_are_not_cached_across_loaders():
    url = "https://example.org/contexts/demo/v1"
    document = {"@context": url, "@id": "urn:x", "name": "A"}
    first = BundledLoader(
        extra={url: {"@context": {"name": "https://one.example/name"}}}
    )
    second = BundledLoader(
        extra={url: {"@context": {"name": "https://two.example/name"}}}
    )
    assert "one.example" in canonicalize_rdfc(document, loader=first)
    assert "two.example" in canonicalize_rdfc(document, loader=second)


def test_a_failing_fallback_is_a_document_load_error():
    def broken(url: str) -> RemoteDocument:
        raise RuntimeError("socket exploded")

    loader = BundledLoader(fallback=broken)
    with pytest.raises(DocumentLoadError) as caught:
        canonicalize_rdfc(
            {"@context": "https://example.com/ctx", "@id": "urn:x"}, loader=loader
        )
    assert "https://example.com/ctx" in caught.value.detail


def test_a_context_that_is_not_an_object_is_a_canonicalization_error():
    url = "https://example.org/contexts/list"
    loader = BundledLoader(extra={url: ["not", "an", "object"]})
    with pytest.raises(CanonicalizationError):
        canonicalize_rdfc({"@context": url, "@id": "urn:x"}, loader=loader)


def test_recursion_inside_pyld_is_a_canonicalization_error(monkeypatch):
    def too_deep(self, input_, options):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(jsonld.JsonLdProcessor, "expand", too_deep)
    with pytest.raises(CanonicalizationError, match="nested too deeply"):
        canonicalize_rdfc(_credential())


def test_an_unexpected_pyld_failure_is_a_canonicalization_error(monkeypatch):
    def broken(self, input_, options):
        raise KeyError("@id")

    monkeypatch.setattr(jsonld.JsonLdProcessor, "normalize", broken)
    with pytest.raises(CanonicalizationError) as caught:
        canonicalize_rdfc(_credential(), safe=False)
    assert isinstance(caught.value.__cause__, KeyError)


# --- Bad input --------------------------------------------------------------

NOT_JSON = [
    pytest.param(float("nan"), id="nan"),
    pytest.param(float("inf"), id="infinity"),
    pytest.param(float("-inf"), id="minus-infinity"),
    pytest.param({1: "a"}, id="int-key"),
    pytest.param({("a",): "a"}, id="tuple-key"),
    pytest.param({"a", "b"}, id="set"),
    pytest.param(b"bytes", id="bytes"),
    pytest.param(("a", "b"), id="tuple"),
    pytest.param(object(), id="object"),
    pytest.param("\ud800", id="lone-surrogate"),
    pytest.param({"\udfff": 1}, id="lone-surrogate-key"),
    pytest.param(1j, id="complex"),
]


@pytest.mark.parametrize("value", NOT_JSON)
def test_jcs_refuses_values_that_are_not_json(value):
    with pytest.raises(CanonicalizationError):
        canonicalize_jcs(value)
    with pytest.raises(CanonicalizationError):
        canonicalize_jcs({"nested": [value]})


@pytest.mark.parametrize("value", NOT_JSON)
def test_rdfc_refuses_values_that_are_not_json(value):
    with pytest.raises(CanonicalizationError):
        canonicalize_rdfc({"@context": VOCAB, "@id": "urn:x", "v": value})


@pytest.mark.parametrize("value", [2**53, -(2**53), 2**64, 10**400])
def test_jcs_refuses_integers_beyond_ieee754_precision(value):
    with pytest.raises(CanonicalizationError):
        canonicalize_jcs({"n": value})


@pytest.mark.parametrize("value", [[], "credential", 5, None])
def test_rdfc_document_must_be_an_object(value):
    with pytest.raises(CanonicalizationError):
        canonicalize_rdfc(value)
    with pytest.raises(CanonicalizationError):
        expand(value)


def test_huge_nesting_is_our_error_not_a_recursion_error():
    deep = _nested_lists(100_000)
    with pytest.raises(CanonicalizationError, match="nested"):
        canonicalize_jcs(deep)
    with pytest.raises(CanonicalizationError, match="nested"):
        canonicalize_rdfc({"@context": VOCAB, "v": deep})
    with pytest.raises(CanonicalizationError, match="nested"):
        expand({"@context": VOCAB, "v": deep})


def test_nesting_up_to_the_limit_is_accepted():
    assert (
        canonicalize_jcs(_nested_lists(MAX_DEPTH))
        == b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    )
    with pytest.raises(CanonicalizationError):
        canonicalize_jcs(_nested_lists(MAX_DEPTH + 1))


def test_deep_json_ld_within_the_limit_canonicalizes():
    # Objects inside arrays: two levels each, the deepest that is accepted.
    node: dict = {"@id": "urn:leaf"}
    for _ in range(MAX_DEPTH // 2 - 1):
        node = {"child": [node]}
    node["@context"] = VOCAB
    assert canonicalize_rdfc(node).count("#child>") == MAX_DEPTH // 2 - 1


def test_errors_never_carry_the_document():
    secret = "s3cr3t-" + "x" * 200
    with pytest.raises(SSIError) as caught:
        canonicalize_rdfc({"@context": V1, "id": "urn:x", secret: 1})
    assert secret not in caught.value.detail
    assert len(caught.value.detail) < 200


def test_imported_contexts_are_not_cached_across_loaders():
    # An inline context is cached by its content; what it imports must still
    # come from the loader of each call.
    url = "https://example.org/contexts/imported/v1"
    document = {"@context": {"@import": url}, "@id": "urn:x", "name": "A"}
    first = BundledLoader(extra={url: {"@context": {"name": "https://one.example/n"}}})
    second = BundledLoader(extra={url: {"@context": {"name": "https://two.example/n"}}})
    assert "one.example" in canonicalize_rdfc(document, loader=first)
    assert "two.example" in canonicalize_rdfc(document, loader=second)


def test_a_deeply_nested_remote_context_is_our_error():
    scoped: dict = {"@id": "https://e.example/#a"}
    for _ in range(3000):
        scoped = {"@id": "https://e.example/#a", "@context": {"a": scoped}}

    def deep(url: str) -> RemoteDocument:
        return RemoteDocument(document_url=url, document={"@context": {"a": scoped}})

    loader = BundledLoader(fallback=deep)
    document = {"@context": "https://e.example/deep", "@id": "urn:x", "a": "v"}
    with pytest.raises(CanonicalizationError, match="nested too deeply"):
        canonicalize_rdfc(document, loader=loader)
