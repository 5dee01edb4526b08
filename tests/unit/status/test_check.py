"""Status checking end to end: ``ssi.verify(..., status=BitstringStatusChecker(...))``.

Every failure names its spec error: STATUS_RETRIEVAL_ERROR,
STATUS_VERIFICATION_ERROR, STATUS_LIST_LENGTH_ERROR, RANGE_ERROR,
MALFORMED_VALUE_ERROR; a set revocation or suspension bit is ``revoked`` or
``suspended``.

Spec: https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm
"""

from __future__ import annotations

import base64
import copy
import gzip
from datetime import UTC, datetime, timedelta

import pytest

import ssi
from ssi.credentials import Check, VerificationReport
from ssi.errors import (
    CredentialRevokedError,
    CredentialSuspendedError,
    MalformedValueError,
    StatusListLengthError,
    StatusRangeError,
    StatusRetrievalError,
    StatusVerificationError,
)
from ssi.status import (
    MIN_ENTRIES,
    BitstringStatusChecker,
    CachingStatusSource,
    MemoryStatusSource,
    StatusList,
    StatusListState,
    StatusMessage,
    StatusResult,
    build_status_entry,
    build_status_list_credential,
    check_status,
)
from tests.unit.status.helpers import (
    CREATED,
    ISSUER,
    LIST_URL,
    NOW,
    OTHER,
    OTHER_KEY,
    credential_with,
    independent_encode,
    parsed,
    sign,
    signed_list,
)

MESSAGES = [
    StatusMessage(0, "pending_review"),
    StatusMessage(1, "accepted"),
    StatusMessage(2, "rejected"),
    StatusMessage(3, "undefined"),
]


def _verify(secured: dict, *lists: dict, **options) -> VerificationReport:
    source = MemoryStatusSource({d["id"]: d for d in lists})
    checker = BitstringStatusChecker(source, **options)
    return ssi.verify(secured, now=NOW, status=checker)


def _status_check(report: VerificationReport, name: str = "status") -> Check:
    [check] = [c for c in report.checks if c.name == name]
    return check


def _only_problem(report: VerificationReport):
    assert not report.verified
    [problem] = report.problems
    assert problem.check == "status"
    return problem


def _revocation_state() -> tuple[StatusListState, int]:
    state = StatusListState(LIST_URL)
    return state, state.allocate()


# --- Revocation ----------------------------------------------------------------------


def test_credential_not_revoked_verifies_and_says_so():
    state, index = _revocation_state()
    secured = credential_with(state.entry(index))

    report = _verify(secured, signed_list(state))

    assert report.verified, report.to_json()
    assert _status_check(report).detail == "revocation: not revoked"
    assert report.warnings == ()


def test_revoked_credential_fails_with_a_clear_problem():
    state, index = _revocation_state()
    secured = credential_with(state.entry(index))
    state.revoke(index)

    problem = _only_problem(_verify(secured, signed_list(state)))

    assert isinstance(problem.error, CredentialRevokedError)
    assert problem.detail.startswith("the credential has been revoked")
    assert problem.to_json()["errorCode"] == "revoked"
    assert problem.code == "CRYPTOGRAPHIC_SECURITY_ERROR"


def test_revocation_list_signed_with_rdfc_verifies_too():
    state, index = _revocation_state()
    secured = credential_with(state.entry(index))
    state.revoke(index)
    listed = sign(state.credential(ISSUER), suite="eddsa-rdfc-2022")

    problem = _only_problem(_verify(secured, listed))

    assert problem.error.code == "revoked"


def test_other_entries_of_a_list_are_not_affected():
    state, index = _revocation_state()
    neighbour = state.allocate()
    state.revoke(neighbour)

    report = _verify(credential_with(state.entry(index)), signed_list(state))

    assert report.verified


# --- Suspension ---------------------------------------------------------------------


def test_suspended_then_reinstated():
    state = StatusListState(LIST_URL, purpose="suspension")
    index = state.allocate()
    secured = credential_with(state.entry(index))
    source = MemoryStatusSource()
    checker = BitstringStatusChecker(source)

    state.suspend(index)
    source.add(signed_list(state))
    suspended = ssi.verify(secured, now=NOW, status=checker)
    state.reinstate(index)
    source.add(signed_list(state))
    reinstated = ssi.verify(secured, now=NOW, status=checker)

    problem = _only_problem(suspended)
    assert isinstance(problem.error, CredentialSuspendedError)
    assert problem.to_json()["errorCode"] == "suspended"
    assert "suspended" in problem.detail
    assert reinstated.verified
    assert _status_check(reinstated).detail == "suspension: not suspended"


def test_one_list_with_two_purposes_serves_both_entries():
    status_list = StatusList()
    status_list.set(20, 1)
    listed = signed_list(status_list, purpose=["revocation", "suspension"])
    revocation = build_status_entry(LIST_URL, 10)
    suspension = build_status_entry(LIST_URL, 20, purpose="suspension")

    report = _verify(credential_with(revocation, suspension), listed)

    assert _status_check(report, "status[0]").passed
    assert _status_check(report, "status[0]").detail == "revocation: not revoked"
    [problem] = report.problems
    assert problem.check == "status[1]"
    assert isinstance(problem.error, CredentialSuspendedError)


# --- Messages -------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "text"), [(0, "pending_review"), (2, "rejected")])
def test_message_status_is_reported_and_does_not_fail(value, text):
    state = StatusListState(
        LIST_URL, purpose="message", status_size=2, messages=MESSAGES
    )
    index = state.allocate()
    secured = credential_with(state.entry(index))
    state.set_message(index, value)

    report = _verify(secured, signed_list(state))

    assert report.verified, report.to_json()
    assert _status_check(report).detail == f"message: {value:#x} {text!r}"
    assert report.warnings == (
        f"status message {value:#x}: {text!r} (status list {LIST_URL}).",
    )


def test_message_entries_of_three_bits():
    messages = [StatusMessage(v, f"step {v}") for v in range(8)]
    state = StatusListState(
        LIST_URL, purpose="message", status_size=3, messages=messages
    )
    indexes = [state.allocate() for _ in range(8)]
    for value, index in enumerate(indexes):
        state.set_message(index, value)
    listed = signed_list(state)

    for value, index in enumerate(indexes):
        report = _verify(credential_with(state.entry(index)), listed)
        assert _status_check(report).detail == f"message: {value:#x} 'step {value}'"


def test_status_size_of_the_list_must_match_the_entry():
    state = StatusListState(
        LIST_URL, purpose="message", status_size=2, messages=MESSAGES
    )
    index = state.allocate()
    wrong_entry = build_status_entry(
        LIST_URL,
        index,
        purpose="message",
        messages=[StatusMessage(0, "a"), StatusMessage(1, "b")],
    )

    problem = _only_problem(_verify(credential_with(wrong_entry), signed_list(state)))

    assert isinstance(problem.error, StatusVerificationError)
    assert "2-bit" in problem.detail


def test_refresh_status_is_information():
    status_list = StatusList()
    status_list.set(4, 1)
    listed = signed_list(status_list, purpose="refresh")

    report = _verify(
        credential_with(build_status_entry(LIST_URL, 4, purpose="refresh")), listed
    )

    assert report.verified
    assert _status_check(report).detail == "refresh: update available"
    assert "refresh service" in report.warnings[0]


def test_unknown_purpose_set_fails_closed_and_unset_passes():
    status_list = StatusList()
    status_list.set(4, 1)
    listed = signed_list(status_list, purpose="membershipLapsed")

    unset = _verify(
        credential_with(build_status_entry(LIST_URL, 3, purpose="membershipLapsed")),
        listed,
    )
    set_ = _verify(
        credential_with(build_status_entry(LIST_URL, 4, purpose="membershipLapsed")),
        listed,
    )

    assert unset.verified
    assert _status_check(unset).detail == "membershipLapsed: 0x0 'unset'"
    problem = _only_problem(set_)
    assert isinstance(problem.error, StatusVerificationError)
    assert "meaning is unknown" in problem.detail


# --- The list must be the right one ---------------------------------------------------


def test_wrong_purpose_is_a_status_verification_error():
    state, index = _revocation_state()
    entry = {**state.entry(index), "statusPurpose": "suspension"}

    problem = _only_problem(_verify(credential_with(entry), signed_list(state)))

    assert problem.error.code == "STATUS_VERIFICATION_ERROR"
    assert "not for suspension" in problem.detail


def test_list_signed_by_someone_else_is_refused_unless_trusted():
    state, index = _revocation_state()
    secured = credential_with(state.entry(index))
    foreign = signed_list(state, issuer=OTHER, key=OTHER_KEY)

    refused = _verify(secured, foreign)
    trusted = _verify(secured, foreign, list_issuers=[OTHER])

    problem = _only_problem(refused)
    assert problem.error.code == "STATUS_VERIFICATION_ERROR"
    assert f"issued by {OTHER}" in problem.detail
    assert trusted.verified


def test_list_naming_the_issuer_but_signed_by_another_key_fails_its_proof():
    state, index = _revocation_state()
    unsigned = state.credential(ISSUER)
    with pytest.raises(ssi.ProofGenerationError):
        sign(unsigned, OTHER_KEY)  # ssi.issue itself refuses: the key is not ISSUER's
    forged = sign({**unsigned, "issuer": OTHER}, OTHER_KEY)
    forged["issuer"] = ISSUER  # claim the issuer after signing

    problem = _only_problem(_verify(credential_with(state.entry(index)), forged))

    assert problem.error.code == "STATUS_VERIFICATION_ERROR"
    assert "did not verify" in problem.detail


def test_tampered_list_credential_does_not_verify():
    state, index = _revocation_state()
    secured = credential_with(state.entry(index))
    state.revoke(index)
    listed = signed_list(state)
    tampered = copy.deepcopy(listed)
    tampered["credentialSubject"]["encodedList"] = StatusList().encode()  # unrevoke

    problem = _only_problem(_verify(secured, tampered))

    assert isinstance(problem.error, StatusVerificationError)
    assert "did not verify" in problem.detail


def test_unsigned_list_credential_does_not_verify():
    state, index = _revocation_state()

    problem = _only_problem(
        _verify(credential_with(state.entry(index)), state.credential(ISSUER))
    )

    assert problem.error.code == "STATUS_VERIFICATION_ERROR"


def test_expired_list_is_refused():
    state, index = _revocation_state()
    expired = signed_list(state, valid_until=datetime(2024, 3, 1, tzinfo=UTC))

    problem = _only_problem(_verify(credential_with(state.entry(index)), expired))

    assert problem.error.code == "STATUS_VERIFICATION_ERROR"
    assert "expired" in problem.detail


def test_list_not_valid_yet_is_refused():
    state, index = _revocation_state()
    unsigned = state.credential(ISSUER, valid_from=NOW + timedelta(days=2))

    problem = _only_problem(
        _verify(credential_with(state.entry(index)), sign(unsigned))
    )

    assert problem.error.code == "STATUS_VERIFICATION_ERROR"
    assert "not valid yet" in problem.detail


def test_list_served_under_another_lists_url_is_refused():
    state, index = _revocation_state()
    other = signed_list(StatusList(), url="https://status.example/lists/2")
    source = MemoryStatusSource({LIST_URL: other})

    report = ssi.verify(
        credential_with(state.entry(index)),
        now=NOW,
        status=BitstringStatusChecker(source),
    )

    problem = _only_problem(report)
    assert problem.error.code == "STATUS_VERIFICATION_ERROR"
    assert "another list" in problem.detail


def test_document_that_is_not_a_status_list_credential_is_malformed():
    state, index = _revocation_state()
    unsigned = state.credential(ISSUER)
    unsigned["type"] = ["VerifiableCredential"]

    problem = _only_problem(
        _verify(credential_with(state.entry(index)), sign(unsigned))
    )

    assert isinstance(problem.error, MalformedValueError)
    assert problem.code == "MALFORMED_VALUE_ERROR"


def test_list_credential_with_its_own_status_is_not_checked_recursively():
    state, index = _revocation_state()
    unsigned = state.credential(ISSUER)
    unsigned["credentialStatus"] = build_status_entry(LIST_URL, 0)

    problem = _only_problem(
        _verify(credential_with(state.entry(index)), sign(unsigned))
    )

    assert problem.error.code == "STATUS_VERIFICATION_ERROR"
    assert "no status source" in problem.detail


# --- Retrieval, length, range, encoding -----------------------------------------------


def test_missing_list_is_a_retrieval_error():
    state, index = _revocation_state()

    problem = _only_problem(_verify(credential_with(state.entry(index))))

    assert isinstance(problem.error, StatusRetrievalError)
    assert problem.to_json()["errorCode"] == "STATUS_RETRIEVAL_ERROR"


def test_index_out_of_range_is_a_range_error():
    state, _ = _revocation_state()
    entry = build_status_entry(LIST_URL, MIN_ENTRIES)

    problem = _only_problem(_verify(credential_with(entry), signed_list(state)))

    assert isinstance(problem.error, StatusRangeError)
    assert problem.code == "RANGE_ERROR"
    assert problem.to_json()["errorCode"] == "RANGE_ERROR"


def test_malformed_encoded_list_is_a_malformed_value_error():
    unsigned = build_status_list_credential(LIST_URL, ISSUER, StatusList())
    unsigned["credentialSubject"]["encodedList"] = "uNotGzipAtAll"

    problem = _only_problem(
        _verify(credential_with(build_status_entry(LIST_URL, 1)), sign(unsigned))
    )

    assert isinstance(problem.error, MalformedValueError)
    assert problem.code == "MALFORMED_VALUE_ERROR"


def test_short_list_is_a_length_error():
    unsigned = build_status_list_credential(LIST_URL, ISSUER, StatusList())
    unsigned["credentialSubject"]["encodedList"] = independent_encode(bytes(1024))

    problem = _only_problem(
        _verify(credential_with(build_status_entry(LIST_URL, 1)), sign(unsigned))
    )

    assert isinstance(problem.error, StatusListLengthError)
    assert problem.to_json()["errorCode"] == "STATUS_LIST_LENGTH_ERROR"


def test_lower_minimum_from_an_ecosystem_specification():
    bits = bytearray(1024)
    bits[0] = 0x80
    unsigned = build_status_list_credential(LIST_URL, ISSUER, StatusList())
    unsigned["credentialSubject"]["encodedList"] = independent_encode(bytes(bits))

    problem = _only_problem(
        _verify(
            credential_with(build_status_entry(LIST_URL, 0)),
            sign(unsigned),
            min_entries=8192,
        )
    )

    assert problem.error.code == "revoked"


def test_malformed_entry_fails_the_status_check():
    entry = {**build_status_entry(LIST_URL, 1), "statusListIndex": 1}

    problem = _only_problem(_verify(credential_with(entry)))

    assert problem.code == "MALFORMED_VALUE_ERROR"


def test_unsupported_entry_type_fails_the_status_check():
    entry = {**build_status_entry(LIST_URL, 1), "type": "StatusList2021Entry"}

    problem = _only_problem(_verify(credential_with(entry)))

    assert problem.error.code == "STATUS_VERIFICATION_ERROR"


def test_a_checker_that_crashes_fails_the_check():
    class Broken:
        def check(self, credential, entry, *, verify_list, now):
            raise RuntimeError("bug")

    report = ssi.verify(
        credential_with(build_status_entry(LIST_URL, 1)), now=NOW, status=Broken()
    )

    problem = _only_problem(report)
    assert problem.error.code == "STATUS_VERIFICATION_ERROR"
    assert "unexpectedly" in problem.detail


def test_source_returning_a_non_object_is_a_retrieval_error():
    class Odd:
        def get(self, url):
            return ["not", "an", "object"]

    report = ssi.verify(
        credential_with(build_status_entry(LIST_URL, 1)),
        now=NOW,
        status=BitstringStatusChecker(Odd()),
    )

    assert _only_problem(report).error.code == "STATUS_RETRIEVAL_ERROR"


# --- Presentations --------------------------------------------------------------------


def test_presentation_checks_the_status_of_each_credential():
    state, index = _revocation_state()
    secured = credential_with(state.entry(index))
    state.revoke(index)
    holder = ssi.signer(OTHER_KEY)
    presentation = ssi.present([secured], holder, challenge="c", created=CREATED)
    checker = BitstringStatusChecker(MemoryStatusSource({LIST_URL: signed_list(state)}))

    report = ssi.verify_presentation(
        presentation, challenge="c", domain=False, now=NOW, status=checker
    )

    assert not report.verified
    [problem] = report.all_problems()
    assert problem.error.code == "revoked"


# --- check_status and the checker's memory --------------------------------------------


class CountingVerifier:
    """A verify_list that counts calls and verifies like ssi.verify."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, document: dict) -> VerificationReport:
        self.calls += 1
        return ssi.verify(document, now=NOW)


def test_check_status_returns_the_algorithms_result():
    state, index = _revocation_state()
    secured = credential_with(state.entry(index))
    state.revoke(index)

    result = check_status(
        parsed(secured),
        state.entry(index),
        source=MemoryStatusSource({LIST_URL: signed_list(state)}),
        verify_list=CountingVerifier(),
        now=NOW,
    )

    assert result == StatusResult(
        purpose="revocation",
        index=index,
        value=1,
        message="set",
        list_credential=LIST_URL,
    )
    assert not result.valid
    assert result.detail == "revocation: revoked"


def test_check_status_refuses_a_list_whose_verification_failed():
    def refuse(document: dict) -> VerificationReport:
        return VerificationReport("credential", (Check("proof", False, "no"),))

    state, index = _revocation_state()
    with pytest.raises(StatusVerificationError, match="did not verify"):
        check_status(
            parsed(credential_with(state.entry(index))),
            state.entry(index),
            source=MemoryStatusSource({LIST_URL: signed_list(state)}),
            verify_list=refuse,
            now=NOW,
        )


def test_a_cached_list_is_verified_once_for_many_credentials():
    state = StatusListState(LIST_URL)
    indexes = [state.allocate() for _ in range(20)]
    state.revoke(indexes[0])
    inner = MemoryStatusSource({LIST_URL: signed_list(state)})
    checker = BitstringStatusChecker(CachingStatusSource(inner))
    verifier = CountingVerifier()
    credential = parsed(credential_with(state.entry(indexes[0])))

    values = [
        checker.status(credential, state.entry(i), verify_list=verifier, now=NOW).value
        for i in indexes
    ]

    assert values == [1] + [0] * 19
    assert verifier.calls == 1


def test_the_checker_verifies_again_when_the_list_changes_or_time_passes():
    state, index = _revocation_state()
    source = MemoryStatusSource({LIST_URL: signed_list(state)})
    checker = BitstringStatusChecker(source, memo_ttl=timedelta(minutes=5))
    verifier = CountingVerifier()
    credential = parsed(credential_with(state.entry(index)))
    entry = state.entry(index)

    def value(now: datetime = NOW) -> int:
        return checker.status(credential, entry, verify_list=verifier, now=now).value

    assert value() == 0
    assert value(NOW + timedelta(minutes=4)) == 0
    assert verifier.calls == 1
    assert value(NOW + timedelta(minutes=6)) == 0  # past the memo's lifetime
    assert verifier.calls == 2
    assert value(NOW - timedelta(minutes=1)) == 0  # a clock before the memo
    assert verifier.calls == 3
    state.revoke(index)
    source.add(signed_list(state))  # a new document: verified again
    assert value(NOW - timedelta(minutes=1)) == 1
    assert verifier.calls == 4
    checker.forget()
    assert value(NOW - timedelta(minutes=1)) == 1
    assert verifier.calls == 5


def test_a_remembered_list_still_expires():
    state, index = _revocation_state()
    until = NOW + timedelta(minutes=1)
    source = MemoryStatusSource({LIST_URL: signed_list(state, valid_until=until)})
    checker = BitstringStatusChecker(source, memo_ttl=timedelta(hours=1))
    credential = parsed(credential_with(state.entry(index)))
    verifier = CountingVerifier()

    checker.status(credential, state.entry(index), verify_list=verifier, now=NOW)
    with pytest.raises(StatusVerificationError, match="has expired"):
        checker.status(
            credential,
            state.entry(index),
            verify_list=verifier,
            now=NOW + timedelta(minutes=10),  # past validUntil and the skew
        )
    assert verifier.calls == 1  # refused from memory, without verifying again


def test_gzip_header_details_do_not_matter():
    """A time stamp, another level or an OS byte in the GZIP header change nothing."""
    bits = bytearray(MIN_ENTRIES // 8)
    bits[1] = 0x01  # index 15
    compressed = gzip.compress(bytes(bits), compresslevel=1, mtime=1_700_000_000)
    unsigned = build_status_list_credential(LIST_URL, ISSUER, StatusList())
    unsigned["credentialSubject"]["encodedList"] = "u" + base64.urlsafe_b64encode(
        compressed
    ).rstrip(b"=").decode("ascii")

    report = _verify(credential_with(build_status_entry(LIST_URL, 15)), sign(unsigned))

    assert _only_problem(report).error.code == "revoked"
