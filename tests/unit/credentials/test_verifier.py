"""``ssi.credentials.Verifier``: a frozen, reusable verification configuration."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

import ssi
from ssi.credentials import FixedClock, Verifier, system_clock
from ssi.errors import UnsupportedCryptosuiteError
from ssi.proofs import SuiteRegistry, default_registry
from ssi.types import JsonObject
from tests.unit.proofs.doubles import CREATED, NOW, ed25519_key

KEY = ed25519_key(70)
DID = ssi.did_key(KEY)


def credential(**extra: object) -> JsonObject:
    document: JsonObject = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": DID,
        "validFrom": "2024-01-01T00:00:00Z",
        "validUntil": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": DID},
    }
    document.update(extra)  # type: ignore[arg-type]
    return ssi.issue(document, ssi.signer(KEY), created=CREATED)


def test_verify_agrees_with_the_function():
    document = credential()
    verifier = Verifier(clock=FixedClock(NOW))

    assert (
        verifier.verify(document).to_json() == ssi.verify(document, now=NOW).to_json()
    )
    assert verifier.verify(document).verified


def test_the_clock_decides_validity():
    document = credential()

    late = Verifier(clock=FixedClock(datetime(2026, 1, 1, tzinfo=UTC)))
    generous = dataclasses.replace(late, skew=timedelta(days=400))

    assert [p.code for p in late.verify(document).problems] == ["RANGE_ERROR"]
    assert generous.verify(document).verified


def test_the_default_clock_is_the_system_clock():
    before = datetime.now(UTC)
    assert Verifier().clock is system_clock
    assert before <= system_clock() <= datetime.now(UTC)


def test_the_registry_limits_the_suites():
    document = credential()
    rdfc_only = SuiteRegistry([default_registry().get("eddsa-rdfc-2022")])

    report = Verifier(registry=rdfc_only, clock=FixedClock(NOW)).verify(document)

    assert not report.verified
    [problem] = report.problems
    assert isinstance(problem.error, UnsupportedCryptosuiteError)
    assert "eddsa-jcs-2022" in problem.detail


def test_the_verifier_is_frozen():
    verifier = Verifier()
    with pytest.raises(dataclasses.FrozenInstanceError):
        verifier.skew = timedelta(0)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"clock": "now"}, TypeError),
        ({"skew": 5}, TypeError),
        ({"skew": timedelta(seconds=-1)}, ValueError),
        ({"registry": ["eddsa-jcs-2022"]}, TypeError),
        ({"resolver": object()}, TypeError),
    ],
)
def test_bad_options_are_refused(options, error):
    with pytest.raises(error):
        Verifier(**options)


def test_fixed_clock_needs_an_aware_datetime():
    with pytest.raises(ValueError, match="timezone"):
        FixedClock(datetime(2024, 1, 1))
    with pytest.raises(TypeError):
        FixedClock("2024-01-01")  # type: ignore[arg-type]
    assert FixedClock(NOW)() == NOW


def test_verify_presentation_keeps_the_explicit_challenge_contract():
    document = credential()
    vp = ssi.present(
        [document], ssi.signer(KEY), challenge="c", domain="d", created=CREATED
    )
    verifier = Verifier(clock=FixedClock(NOW))

    report = verifier.verify_presentation(
        vp, challenge="c", domain="d", require_holder_binding=True
    )
    assert report.verified, report.to_json()
    wrong = verifier.verify_presentation(vp, challenge="other", domain="d")
    assert [p.error.code for p in wrong.problems] == ["INVALID_CHALLENGE_ERROR"]
    skipped = verifier.verify_presentation(vp, challenge=False, domain=False)
    assert {w.code for w in skipped.warnings} == {
        "challengeNotChecked",
        "domainNotChecked",
    }
    with pytest.raises(TypeError):
        verifier.verify_presentation(vp, challenge=None, domain="d")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="empty"):
        verifier.verify_presentation(vp, challenge="", domain="d")


def test_bad_input_gets_a_report_not_an_exception():
    report = Verifier().verify(b"\xff not json")

    assert not report.verified
    assert report.problems[0].code == "PARSING_ERROR"


def test_list_issuers_extends_the_status_checker_s_trust():
    from ssi.status import BitstringStatusChecker, MemoryStatusSource, StatusListState
    from tests.unit.status.helpers import (
        LIST_URL,
        OTHER,
        OTHER_KEY,
        credential_with,
        signed_list,
    )

    state = StatusListState(LIST_URL)
    secured = credential_with(state.entry(state.allocate()))
    foreign = signed_list(state, issuer=OTHER, key=OTHER_KEY)
    checker = BitstringStatusChecker(MemoryStatusSource({LIST_URL: foreign}))

    refused = Verifier(status=checker, clock=FixedClock(NOW)).verify(secured)
    trusting = Verifier(status=checker, list_issuers=[OTHER], clock=FixedClock(NOW))

    assert [p.error.code for p in refused.problems] == ["STATUS_VERIFICATION_ERROR"]
    assert trusting.verify(secured).verified
    assert trusting.list_issuers == frozenset({OTHER})
    assert checker.list_issuers == frozenset()  # the caller's checker is unchanged
    assert trusting.status is not checker


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"list_issuers": ["did:example:x"]}, ValueError),
        ({"list_issuers": "did:example:x"}, TypeError),
        ({"list_issuers": [1]}, TypeError),
    ],
)
def test_list_issuers_needs_a_checker_that_takes_them(options, error):
    with pytest.raises(error):
        Verifier(**options)
