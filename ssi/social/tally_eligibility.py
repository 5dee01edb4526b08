"""Who may vote: the community's members as of a moment, from signed evidence.

An :class:`Electorate` is built from a tally's verified inputs: the
membership credentials the community issued and its status list credentials.
A member is eligible at time ``t`` when they hold a membership credential
that

1. verified (its proof) and was issued by the community (the proposal's);
2. is valid at ``t``: ``validFrom <= t`` and, if it has one, ``t <
   validUntil``;
3. is neither revoked nor suspended as of ``t``: for each of its
   ``credentialStatus`` entries of purpose ``revocation`` or ``suspension``,
   the status list credential named by the entry, issued by the community,
   verified, with the latest ``validFrom`` not after ``t`` (ties: the larger
   CID), has the entry's bit clear. No such list among the inputs makes the
   status unknown, and the membership does not count (fail closed).

A member with several memberships is eligible if any of them is; their role
is that of the eligible membership with the latest ``validFrom`` (ties: the
larger CID). It satisfies the ``MemberRoles`` protocol of
``ssi.social.proposal`` (``role(did, at)``, ``count(at)``).

Spec: docs/tallies.md (Eligibility)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from ssi.social._status_history import StatusHistory
from ssi.social.community import Membership
from ssi.social.tally_inputs import CheckedInput
from ssi.status.credential import StatusListCredential, StatusListEntry

__all__ = ["STANDINGS", "Electorate", "Standing"]

STANDINGS: Final = ("eligible", "notMember", "revoked", "suspended", "statusUnknown")
"""A member's standing at a moment. A DID with no eligible membership gets,
of the memberships valid at that moment, the first of ``revoked``,
``suspended``, ``statusUnknown`` that one of them has, else ``notMember``; a
ballot is rejected with that name."""
_RANK: Final = {name: index for index, name in enumerate(STANDINGS)}


@dataclass(frozen=True, slots=True)
class Standing:
    """A DID's standing at a moment, and the role of its eligible membership."""

    code: str
    role: str | None = None
    membership: str | None = None


@dataclass(frozen=True, slots=True)
class _Member:
    cid: str
    membership: Membership
    entries: tuple[StatusListEntry | None, ...]


class Electorate:
    """The community's members, judged as of any moment.

    Args:
        community: the community's DID.
        inputs: the tally's checked inputs; memberships and status lists
            that verified and that the community issued are used.
    """

    def __init__(self, community: str, inputs: Iterable[CheckedInput]) -> None:
        self.community = community
        self._members: dict[str, list[_Member]] = {}
        self._history = StatusHistory()
        self._cache: dict[tuple[str, datetime], Standing] = {}
        for item in inputs:
            if not item.signed or item.value is None or item.issuer != community:
                continue
            if item.kind == "membership" and isinstance(item.value, Membership):
                if item.value.community == community:
                    self._members.setdefault(item.value.member, []).append(
                        _Member(item.cid, item.value, item.entries)
                    )
            elif item.kind == "statusList" and isinstance(
                item.value, StatusListCredential
            ):
                self._history.add(item.cid, item.value)

    def members(self) -> list[str]:
        """Every DID that holds a membership credential of the community."""
        return sorted(self._members)

    def standing(self, did: str, at: datetime) -> Standing:
        """Return ``did``'s standing at ``at`` (see the module's rules).

        Spec: docs/tallies.md (Eligibility)
        """
        key = (did, at)
        found = self._cache.get(key)
        if found is not None:
            return found
        eligible: list[tuple[datetime, str, Membership]] = []
        codes: list[str] = []
        for member in self._members.get(did, ()):
            code = self._membership_standing(member, at)
            if code == "eligible":
                since = member.membership.valid_from or at
                eligible.append((since, member.cid, member.membership))
            else:
                codes.append(code)
        if eligible:
            _, cid, membership = max(eligible, key=lambda item: item[:2])
            best = Standing("eligible", membership.role, cid)
        else:
            worst = [c for c in STANDINGS[2:] if c in codes]
            best = Standing(worst[0] if worst else "notMember")
        self._cache[key] = best
        return best

    def role(self, did: str, at: datetime) -> str | None:
        """The role of ``did``'s eligible membership at ``at``; None if none.

        Spec: docs/tallies.md (Eligibility)
        """
        return self.standing(did, at).role

    def count(self, at: datetime) -> int:
        """How many members are eligible at ``at``.

        Spec: docs/tallies.md (Eligibility)
        """
        return sum(
            1 for did in self._members if self.standing(did, at).code == "eligible"
        )

    def _membership_standing(self, member: _Member, at: datetime) -> str:
        membership = member.membership
        if membership.valid_from is None or membership.valid_from > at:
            return "notMember"
        if membership.valid_until is not None and at >= membership.valid_until:
            return "notMember"
        worst = "eligible"
        for entry in member.entries:
            code = self._entry_standing(entry, at)
            if _RANK[code] > _RANK[worst]:
                worst = code
        return worst

    def _entry_standing(self, entry: StatusListEntry | None, at: datetime) -> str:
        if entry is None:
            return "statusUnknown"
        if entry.purpose not in ("revocation", "suspension"):
            return "eligible"
        value = self._history.status(entry, at)
        if value is None:
            return "statusUnknown"
        if value == 0:
            return "eligible"
        return "revoked" if entry.purpose == "revocation" else "suspended"
