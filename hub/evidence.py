"""Memberships kept as evidence: their status recorded, not enforced.

A tally lists every membership it judged, a revoked member's included (a
ballot of hers is rejected with the reason ``revoked``), and judges each
member's status as of the times that matter, from every version of the
community's status lists. A hub that refused a membership revoked since
could never serve a recount of a vote that member took part in. So the
hub verifies a ``MembershipCredential`` as every other object (proof,
validity window, a status list that verifies), except that a set status
bit does not refuse it: the credential stays the community's signed
statement, and readers judge its status when it matters.

Spec: docs/hub.md (Verification)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime

from ssi.credentials import Credential, VerificationReport, Verifier
from ssi.social import MEMBERSHIP_TYPE
from ssi.status import BitstringStatusChecker
from ssi.status.check import StatusResult
from ssi.types import JsonObject, JsonValue

__all__ = ["RecordedStatus", "is_membership", "membership_verifier"]


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

    Spec: docs/hub.md (Verification)
    """
    return dataclasses.replace(verifier, status=RecordedStatus(checker))


def is_membership(document: JsonValue) -> bool:
    """Whether a document is a ``MembershipCredential``."""
    if not isinstance(document, dict):
        return False
    types = document.get("type")
    return isinstance(types, list) and MEMBERSHIP_TYPE in types
