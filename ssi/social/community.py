"""Communities and their membership credentials.

A community is a DID of its own (did:agora by default) that admits members by
issuing ``MembershipCredential``s and takes membership back through a
Bitstring Status List. The credential names the community, the member and
their role, and carries a ``credentialStatus`` entry; its terms come from the
vendored Agora context, so both ``eddsa-jcs-2022`` and ``eddsa-rdfc-2022``
secure it.

This module only builds and reads the credentials; signing and verifying are
``ssi.credentials``' business.

Spec: docs/vocabulary.md
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ssi.credentials.model import VC_V2_CONTEXT, Credential, parse_credential
from ssi.datetimes import format_date_time
from ssi.errors import MalformedValueError
from ssi.types import JsonObject

__all__ = [
    "AGORA_CONTEXT",
    "MEMBERSHIP_TYPE",
    "Membership",
    "membership_credential",
    "read_membership",
]

AGORA_CONTEXT = "https://w3id.org/agora/v1"
"""The Agora vocabulary context (vendored; see docs/vocabulary.md)."""
MEMBERSHIP_TYPE = "MembershipCredential"
"""The credential type of a membership."""


@dataclass(frozen=True, slots=True)
class Membership:
    """What a membership credential says."""

    credential_id: str | None
    community: str
    member: str
    role: str
    community_name: str | None
    valid_from: datetime | None
    valid_until: datetime | None
    status: tuple[JsonObject, ...]

    def __reduce__(
        self,
    ) -> tuple[
        type[Membership],
        tuple[
            str | None,
            str,
            str,
            str,
            str | None,
            datetime | None,
            datetime | None,
            tuple[JsonObject, ...],
        ],
    ]:
        """Pickle as a constructor call: small and quick to load (tallies
        ship these back from worker processes by the hundred thousand)."""
        return (
            Membership,
            (
                self.credential_id,
                self.community,
                self.member,
                self.role,
                self.community_name,
                self.valid_from,
                self.valid_until,
                self.status,
            ),
        )


def membership_credential(
    community: str,
    member: str,
    *,
    role: str = "member",
    community_name: str | None = None,
    credential_id: str | None = None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    status: JsonObject | Sequence[JsonObject] | None = None,
) -> JsonObject:
    """Return an unsigned ``MembershipCredential`` issued by ``community``.

    Spec: docs/vocabulary.md (MembershipCredential)

    Raises:
        MalformedValueError: the result does not meet the VC data model (a
            DID that is not a URL, ``valid_until`` before ``valid_from``).
    """
    subject: JsonObject = {
        "id": member,
        "type": "CommunityMember",
        "community": community,
        "role": role,
    }
    if community_name is not None:
        subject["communityName"] = community_name
    credential: JsonObject = {"@context": [VC_V2_CONTEXT, AGORA_CONTEXT]}
    if credential_id is not None:
        credential["id"] = credential_id
    credential["type"] = ["VerifiableCredential", MEMBERSHIP_TYPE]
    credential["issuer"] = community
    credential["validFrom"] = format_date_time(valid_from or datetime.now(UTC))
    if valid_until is not None:
        credential["validUntil"] = format_date_time(valid_until)
    credential["credentialSubject"] = subject
    if status is not None:
        entries = [status] if isinstance(status, dict) else list(status)
        credential["credentialStatus"] = copy.deepcopy(
            entries[0] if len(entries) == 1 else entries
        )
    parse_credential(credential)
    return credential


def read_membership(
    credential: JsonObject, *, parsed: Credential | None = None
) -> Membership:
    """Read a membership credential (its proof is not checked here).

    Args:
        credential: the membership credential.
        parsed: what ``parse_credential`` returned for this very document
            (``Verifier.verify_read`` hands it back), so it is not parsed
            again; ignored when it is the summary of another object.

    Spec: docs/vocabulary.md (MembershipCredential)

    Raises:
        ParsingError, MalformedValueError: not a membership credential.
    """
    if parsed is None or parsed.document is not credential:
        parsed = parse_credential(credential)
    if MEMBERSHIP_TYPE not in parsed.types:
        raise MalformedValueError("$.type does not name MembershipCredential.")
    contexts = credential.get("@context")
    if not isinstance(contexts, list) or AGORA_CONTEXT not in contexts:
        raise MalformedValueError(f"$.@context does not include {AGORA_CONTEXT}.")
    if len(parsed.subjects) != 1:
        raise MalformedValueError("$.credentialSubject must name one member.")
    subject = parsed.subjects[0]
    community, role = subject.get("community"), subject.get("role", "member")
    if community != parsed.issuer:
        raise MalformedValueError(
            "$.credentialSubject.community must be the issuing community."
        )
    if not isinstance(role, str) or not role:
        raise MalformedValueError("$.credentialSubject.role must be a string.")
    name = subject.get("communityName")
    return Membership(
        credential_id=parsed.id,
        community=parsed.issuer,
        member=str(subject.get("id")),
        role=role,
        community_name=name if isinstance(name, str) else None,
        valid_from=parsed.valid_from,
        valid_until=parsed.valid_until,
        status=parsed.status,
    )
