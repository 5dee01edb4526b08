"""The VC Data Model 2.0 and 1.1 rules: spec examples pass, broken documents fail
with the exact error class and a message naming the offending path."""

from __future__ import annotations

import copy
import dataclasses
import re
from datetime import UTC, datetime

import pytest

from ssi import datetimes
from ssi.credentials.model import (
    VC_V1_CONTEXT,
    VC_V2_CONTEXT,
    Credential,
    Presentation,
    parse_credential,
    parse_date_time,
    parse_presentation,
    validate_for_issue,
)
from ssi.errors import CredentialError, MalformedValueError, ParsingError
from tests.vectors import load

ERRORS = {"MALFORMED_VALUE_ERROR": MalformedValueError, "PARSING_ERROR": ParsingError}

INVALID = load.json_file("vc-model", "invalid.json")
VALID = load.json_file("vc-model", "valid.json")
DATES = load.json_file("vc-model", "date-times.json")


# --- Building documents from the vector tables ------------------------------------


def _pointer(pointer):
    """Split an RFC 6901 JSON Pointer into keys and indexes."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    return [int(p) if p.isdigit() else p for p in parts]


def _walk(document, parts):
    for part in parts:
        document = document[part]
    return document


def _document(case, bases):
    if "document" in case:
        return copy.deepcopy(case["document"])
    document = copy.deepcopy(bases[case["base"]])
    for pointer in case.get("delete", []):
        *parent, last = _pointer(pointer)
        del _walk(document, parent)[last]
    for pointer, value in case.get("set", {}).items():
        *parent, last = _pointer(pointer)
        container = _walk(document, parent)
        if isinstance(container, list) and last == len(container):
            container.append(copy.deepcopy(value))
        else:
            container[last] = copy.deepcopy(value)
    return document


def _parse(kind, document):
    return (
        parse_credential(document)
        if kind == "credential"
        else parse_presentation(document)
    )


def _names_path(message, path):
    """Tell whether ``message`` names ``path`` itself, not a longer path."""
    return re.search(re.escape(path) + r"(?![\w.\[@])", message) is not None


# --- Spec examples ---------------------------------------------------------------


@pytest.mark.parametrize("file", load.cases("vc-model/v2-examples"))
def test_vc_2_0_spec_examples_are_valid(file):
    document = load.json_file("vc-model", "v2-examples", file.name)
    snapshot = copy.deepcopy(document)
    credential = parse_credential(document)
    assert credential.version == "2.0"
    assert credential.document is document
    assert document == snapshot
    issuer = document["issuer"]
    assert credential.issuer == (issuer["id"] if isinstance(issuer, dict) else issuer)
    subjects = document["credentialSubject"]
    assert len(credential.subjects) == (
        len(subjects) if isinstance(subjects, list) else 1
    )
    assert credential.id == document.get("id")
    assert ("proof" in document) == bool(credential.proofs)


@pytest.mark.parametrize("file", load.cases("vc-model/v1-examples"))
def test_vc_1_1_spec_examples_are_valid(file):
    document = load.json_file("vc-model", "v1-examples", file.name)
    credential = parse_credential(document)
    assert credential.version == "1.1"
    assert credential.valid_from == datetime(2010, 1, 1, 19, 23, 24, tzinfo=UTC)
    assert credential.issuer == document["issuer"]


def test_spec_examples_cover_the_main_features():
    names = {p.values[0].name for p in load.cases("vc-model/v2-examples")}
    assert len(names) >= 15


# --- Invalid documents -------------------------------------------------------------


def test_the_invalid_table_is_large_and_covers_both_kinds():
    cases = INVALID["cases"]
    assert len(cases) >= 40
    assert {case["kind"] for case in cases} == {"credential", "presentation"}
    assert {case["expect"] for case in cases} == set(ERRORS)


@pytest.mark.parametrize(
    "case", INVALID["cases"], ids=[f"{c['kind']}: {c['why']}" for c in INVALID["cases"]]
)
def test_invalid_documents_get_their_code_and_path(case):
    document = _document(case, INVALID["bases"])
    with pytest.raises(CredentialError) as caught:
        _parse(case["kind"], document)
    error = caught.value
    assert type(error) is ERRORS[case["expect"]]
    assert error.code == case["expect"]
    assert _names_path(error.detail, case["path"]), error.detail
    # One sentence, no full document echoed back.
    assert error.detail.endswith(".")
    assert len(error.detail) < 300


def test_every_base_document_of_the_invalid_table_is_valid():
    bases = INVALID["bases"]
    assert parse_credential(bases["v2"]).version == "2.0"
    assert parse_credential(bases["v1"]).version == "1.1"
    assert parse_presentation(bases["vp2"]).version == "2.0"
    assert parse_presentation(bases["vp1"]).version == "1.1"


# --- Valid documents ---------------------------------------------------------------


def _summary(parsed, field):
    value = getattr(parsed, field)
    if isinstance(value, datetime):
        return value.isoformat()
    if field == "types":
        return list(value)
    if isinstance(value, tuple):
        return len(value)
    return value


@pytest.mark.parametrize(
    "case", VALID["cases"], ids=[f"{c['kind']}: {c['why']}" for c in VALID["cases"]]
)
def test_valid_documents_give_their_summary(case):
    document = _document(case, VALID["bases"])
    parsed = _parse(case["kind"], document)
    for field, expected in case["expect"].items():
        assert _summary(parsed, field) == expected, field


# --- Date-times --------------------------------------------------------------------


@pytest.mark.parametrize(
    "case", DATES["valid"], ids=[f"{c['input']} ({c['why']})" for c in DATES["valid"]]
)
def test_date_time_valid_forms(case):
    moment = parse_date_time(
        case["input"], require_timezone=case["timezone"], path="$.validFrom"
    )
    assert moment.tzinfo is UTC
    assert moment.isoformat() == case["utc"]


@pytest.mark.parametrize(
    "case",
    DATES["invalid"],
    ids=[f"{c['input']!r} ({c['why']})" for c in DATES["invalid"]],
)
def test_date_time_invalid_forms(case):
    with pytest.raises(MalformedValueError) as caught:
        parse_date_time(case["input"], require_timezone=case["timezone"], path="$.x.y")
    assert caught.value.code == case["expect"]
    assert _names_path(caught.value.detail, "$.x.y")


def test_date_time_tables_are_large_enough():
    assert len(DATES["valid"]) >= 15
    assert len(DATES["invalid"]) >= 30


def test_a_date_time_without_offset_is_utc_when_allowed():
    moment = parse_date_time("2024-07-12T12:00:00", require_timezone=False, path="$")
    assert moment == datetime(2024, 7, 12, 12, tzinfo=UTC)


@pytest.mark.parametrize("case", DATES["valid"], ids=lambda c: c["input"])
def test_a_date_time_read_with_an_offset_required_reads_the_same_without(case):
    """Read first as a dateTimeStamp, then as a dateTime (the cache answers
    the second from the first): the same moment; a value without an offset,
    read as a dateTime, is still refused as a dateTimeStamp."""
    datetimes._PARSED.clear()
    text = case["input"]
    if text.endswith("Z") or re.search(r"[+-][0-9]{2}:[0-9]{2}$", text):
        stamp = parse_date_time(text, require_timezone=True, path="$")
        assert parse_date_time(text, require_timezone=False, path="$") == stamp
        assert stamp.isoformat() == case["utc"]
    else:
        parse_date_time(text, require_timezone=False, path="$")
        with pytest.raises(MalformedValueError):
            parse_date_time(text, require_timezone=True, path="$")


# --- The summary objects -----------------------------------------------------------


def test_summaries_are_frozen_values():
    credential = parse_credential(INVALID["bases"]["v2"])
    assert isinstance(credential, Credential)
    with pytest.raises(dataclasses.FrozenInstanceError):
        credential.issuer = "did:example:other"  # type: ignore[misc]
    assert not hasattr(credential, "__dict__")
    presentation = parse_presentation(INVALID["bases"]["vp2"])
    assert isinstance(presentation, Presentation)
    assert (
        presentation.credentials[0].document
        is presentation.document["verifiableCredential"][0]
    )


def test_base_context_constants():
    assert VC_V2_CONTEXT == "https://www.w3.org/ns/credentials/v2"
    assert VC_V1_CONTEXT == "https://www.w3.org/2018/credentials/v1"


def test_validate_for_issue_is_parse_credential():
    document = INVALID["bases"]["v2"]
    assert validate_for_issue(document) == parse_credential(document)
    with pytest.raises(MalformedValueError):
        validate_for_issue({**document, "issuer": 5})


def test_parse_credential_uses_the_given_path():
    document = {**INVALID["bases"]["v2"], "issuer": "not a url"}
    with pytest.raises(
        MalformedValueError, match=re.escape("$.verifiableCredential[3].issuer")
    ):
        parse_credential(document, path="$.verifiableCredential[3]")


def test_values_that_are_not_json_are_parsing_errors():
    document = {
        **INVALID["bases"]["v2"],
        "credentialSubject": {"when": datetime(2024, 1, 1, tzinfo=UTC)},
    }
    with pytest.raises(ParsingError, match=re.escape("$.credentialSubject.when")):
        parse_credential(document)
    document = {**INVALID["bases"]["v2"], "credentialSubject": {"x": float("nan")}}
    with pytest.raises(ParsingError):
        parse_credential(document)


def test_nesting_beyond_the_limit_is_a_parsing_error():
    deep: object = "leaf"
    for _ in range(70):
        deep = [deep]
    document = {**INVALID["bases"]["v2"], "credentialSubject": {"deep": deep}}
    with pytest.raises(ParsingError, match="deeper than 64"):
        parse_credential(document)
    presentation = copy.deepcopy(INVALID["bases"]["vp2"])
    presentation["verifiableCredential"][0]["credentialSubject"] = {"deep": deep}
    with pytest.raises(ParsingError, match="deeper than 64"):
        parse_presentation(presentation)


def test_the_input_document_is_not_modified():
    document = _document(VALID["cases"][0], VALID["bases"])
    snapshot = copy.deepcopy(document)
    parse_credential(document)
    assert document == snapshot
    presentation = copy.deepcopy(VALID["bases"]["vp2"])
    snapshot = copy.deepcopy(presentation)
    parse_presentation(presentation)
    assert presentation == snapshot


def test_messages_do_not_echo_long_values():
    secret_looking = "x" * 500
    document = {**INVALID["bases"]["v2"], "id": secret_looking}
    with pytest.raises(MalformedValueError) as caught:
        parse_credential(document)
    assert secret_looking not in caught.value.detail
    assert len(caught.value.detail) < 200
