"""Evidence kept: memberships with their status recorded, not enforced, and
credentials whose validity period has ended, their expiry recorded.

A tally lists every membership it judged, a revoked member's included (a
ballot of hers is rejected with the reason ``revoked``), and judges each
member's status as of the times that matter, from every version of the
community's status lists. A hub that refused a membership revoked since
could never serve a recount of a vote that member took part in. So the
hub verifies a ``MembershipCredential`` as every other object (proof,
validity window, a status list that verifies), except that a set status
bit does not refuse it: the credential stays the community's signed
statement, and readers judge its status when it matters.

The same holds for time. A moderation case judges each act by the mandates
in force when it was done, so a hub that refused a mandate whose
``validUntil`` has passed could serve no case that cites it.
:class:`ExpiryRecorded` keeps a credential whose only failed check is that
its validity period ended before the verification time (proofs, issuer,
status and everything else pass): its ``validity`` check passes with a
detail that says it has expired, and a warning says so. Nothing else is
let through: a credential not yet valid, one with any other problem, and
every presentation are judged as before. Readers verify again as of the
time that matters, so nothing kept this way is presented as in force.

Spec: docs/hub.md (POST /objects)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from datetime import datetime, timedelta
from typing import Final

from ssi.credentials import (
    Check,
    CheckedObject,
    Credential,
    VerificationReport,
    Verifier,
    load_json,
)
from ssi.credentials.verifier import DEFAULT_CHUNK_SIZE
from ssi.datetimes import format_date_time, parse_date_time
from ssi.errors import SSIError, ValidityRangeError
from ssi.social import MEMBERSHIP_TYPE
from ssi.status import BitstringStatusChecker
from ssi.status.check import StatusResult
from ssi.types import JsonObject, JsonValue

__all__ = [
    "EXPIRED_WARNING",
    "ExpiryRecorded",
    "RecordedStatus",
    "expiry_recorded",
    "is_membership",
    "membership_verifier",
    "only_validity_failed",
    "record_expiry",
]

EXPIRED_WARNING: Final = "expired: kept as evidence, not in force"
"""The warning a report gets when :func:`record_expiry` keeps a credential."""


@dataclasses.dataclass(frozen=True)
class RecordedStatus:
    """A status checker that reads a credential's status without refusing
    it: the list must be found and verify, a set value is only reported.

    Spec: https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm
    """

    checker: BitstringStatusChecker

    def check(
        self,
        credential: Credential,
        entry: JsonObject,
        *,
        verify_list: Callable[[JsonObject], VerificationReport],
        now: datetime,
    ) -> StatusResult:
        """Return the entry's status, set or not.

        Raises:
            StatusError, MalformedValueError: the status cannot be established
                (no list, a list that does not verify, a bad entry).
        """
        return self.checker.status(credential, entry, verify_list=verify_list, now=now)


def membership_verifier(
    verifier: Verifier, checker: BitstringStatusChecker
) -> Verifier:
    """Return ``verifier`` with the status of memberships recorded, not
    enforced (through ``checker``'s lists).

    Spec: docs/hub.md (POST /objects)
    """
    return dataclasses.replace(verifier, status=RecordedStatus(checker))


def is_membership(document: JsonValue) -> bool:
    """Whether a document is a ``MembershipCredential``."""
    if not isinstance(document, dict):
        return False
    types = document.get("type")
    return isinstance(types, list) and MEMBERSHIP_TYPE in types


def only_validity_failed(report: VerificationReport) -> bool:
    """Whether a credential's report failed its ``validity`` check and
    nothing else (one range problem, every other check passed)."""
    failed = [check.name for check in report.checks if not check.passed]
    return (
        report.kind == "credential"
        and not report.credentials
        and failed == ["validity"]
        and len(report.problems) == 1
        and report.problems[0].check == "validity"
        and isinstance(report.problems[0].error, ValidityRangeError)
    )


def record_expiry(
    report: VerificationReport,
    *,
    valid_from: datetime | None,
    valid_until: datetime | None,
    now: datetime,
    skew: timedelta,
) -> VerificationReport:
    """Return ``report`` with an expiry recorded, not enforced: when its
    only problem is that ``valid_until`` is before ``now`` (beyond
    ``skew``), the ``validity`` check passes with a detail naming the end
    of the validity period and the report gets :data:`EXPIRED_WARNING`.
    Any other report is returned as it is.

    Spec: docs/hub.md (POST /objects)
    """
    if not only_validity_failed(report) or valid_until is None:
        return report
    if not now - skew > valid_until:
        return report
    if valid_from is not None and now + skew < valid_from:
        return report
    detail = (
        f"expired at {format_date_time(valid_until)}, before "
        f"{format_date_time(now)}; recorded, not enforced"
    )
    checks = tuple(
        Check("validity", True, detail) if check.name == "validity" else check
        for check in report.checks
    )
    return dataclasses.replace(
        report,
        checks=checks,
        problems=(),
        warnings=(*report.warnings, EXPIRED_WARNING),
    )


def _period(document: JsonValue) -> tuple[datetime | None, datetime | None]:
    """A credential's validity period as its document states it (None
    where a bound is absent or unreadable)."""
    if isinstance(document, str | bytes):
        try:
            document = load_json(document)
        except SSIError:
            return None, None
    if not isinstance(document, dict):
        return None, None
    bounds: list[datetime | None] = []
    for name in ("validFrom", "validUntil"):
        try:
            value = document.get(name)
            bounds.append(
                None
                if value is None
                else parse_date_time(value, require_timezone=True, path=name)
            )
        except SSIError:
            bounds.append(None)
    return bounds[0], bounds[1]


@dataclasses.dataclass(frozen=True, slots=True)
class ExpiryRecorded(Verifier):
    """A verifier that keeps credentials whose validity period has ended,
    their expiry recorded (:func:`record_expiry`); presentations and every
    other problem are judged as :class:`~ssi.credentials.Verifier` does.

    Spec: docs/hub.md (POST /objects)
    """

    def verify(self, credential: JsonValue | str | bytes) -> VerificationReport:
        """Verify a credential, recording an expiry instead of refusing it."""
        report = Verifier.verify(self, credential)
        return self._recorded(report, *_period(credential))

    def verify_read(
        self, credential: JsonValue | str | bytes | CheckedObject
    ) -> tuple[VerificationReport, Credential | None]:
        """Verify as :meth:`verify` does; return the parsed credential too."""
        report, parsed = Verifier.verify_read(self, credential)
        if parsed is not None:
            period = parsed.valid_from, parsed.valid_until
        elif isinstance(credential, CheckedObject):
            period = _period(credential.document)
        else:
            period = _period(credential)
        return self._recorded(report, *period), parsed

    def verify_many(
        self,
        credentials: Iterable[JsonValue | str | bytes],
        *,
        executor: Executor | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> list[VerificationReport]:
        """Verify many credentials as :meth:`verify` does, in input order."""
        items = list(credentials)
        reports = Verifier.verify_many(
            self, items, executor=executor, chunk_size=chunk_size
        )
        return [
            self._recorded(report, *_period(item))
            for report, item in zip(reports, items, strict=True)
        ]

    def _recorded(
        self,
        report: VerificationReport,
        valid_from: datetime | None,
        valid_until: datetime | None,
    ) -> VerificationReport:
        if not only_validity_failed(report):
            return report
        return record_expiry(
            report,
            valid_from=valid_from,
            valid_until=valid_until,
            now=self.clock(),
            skew=self.skew,
        )


def expiry_recorded(verifier: Verifier) -> ExpiryRecorded:
    """Return ``verifier`` as an :class:`ExpiryRecorded` with the same
    configuration (resolver, status checker, clock, skew...).

    Spec: docs/hub.md (POST /objects)
    """
    if isinstance(verifier, ExpiryRecorded):
        return verifier
    fields = {f.name: getattr(verifier, f.name) for f in dataclasses.fields(verifier)}
    fields["list_issuers"] = frozenset()  # already given to the status checker
    return ExpiryRecorded(**fields)
