"""The result of a tally, and its canonical JSON.

A :class:`TallyResult` holds everything :func:`ssi.social.tally.compute_tally`
decided: the proposal's validity, who was eligible, every ballot that was
rejected and why, every other input that was not used and why, where the
delegated weight went, the count, quorum, threshold and whether the proposal
passed, and the Merkle root of the counted ballots' CIDs. Its
:meth:`TallyResult.to_json` is canonical: arrays in a fixed order (by CID,
by DID), fractions as ``"p/q"`` strings, times in UTC with ``Z``, no floats,
so the same inputs give the same JCS bytes on every machine and in every
input order (:meth:`TallyResult.canonical_bytes`).

Spec: docs/tallies.md (TallyResult JSON)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Final

from ssi.datetimes import format_date_time
from ssi.jsonld.canon import canonicalize_jcs
from ssi.types import JsonObject, JsonValue

__all__ = [
    "REJECTION_CODES",
    "IgnoredInput",
    "LostWeight",
    "RejectedBallot",
    "TallyResult",
    "format_fraction",
]

REJECTION_CODES: Final = (
    "unreadable",
    "wrongProposal",
    "badSignature",
    "notMember",
    "revoked",
    "suspended",
    "statusUnknown",
    "outsideWindow",
    "malformedChoice",
    "superseded",
)
"""Why a ballot is not counted, in order of precedence (the first that
applies is reported)."""


def format_fraction(value: Fraction) -> str:
    """Write a fraction as ``"p/q"`` in lowest terms (``"1/1"``, ``"0/1"``).

    Spec: docs/tallies.md (TallyResult JSON)
    """
    return f"{value.numerator}/{value.denominator}"


@dataclass(frozen=True, slots=True)
class RejectedBallot:
    """A ballot that was not counted.

    Attributes:
        cid: the ballot's CID.
        voter: its issuer, when it could be read.
        code: the reason, one of :data:`REJECTION_CODES`.
    """

    cid: str
    voter: str | None
    code: str

    def to_json(self) -> JsonObject:
        """Return the rejection as JSON (``voter`` left out when unknown)."""
        out: JsonObject = {"cid": self.cid, "code": self.code}
        if self.voter is not None:
            out["voter"] = self.voter
        return out


@dataclass(frozen=True, slots=True)
class IgnoredInput:
    """An input other than a ballot that the tally did not use.

    Attributes:
        cid: its CID.
        kind: its kind (``membership``, ``delegation``, ``signal``,
            ``statusList``, ``other``).
        code: why: ``unreadable``, ``badSignature``, ``wrongCommunity``,
            ``wrongProposal`` (a signal for another proposal),
            ``delegationOff``, ``afterCloses``, ``notMember`` (a delegator
            not eligible at the close) or ``unknownType``.
    """

    cid: str
    kind: str
    code: str

    def to_json(self) -> JsonObject:
        """Return the entry as JSON."""
        return {"cid": self.cid, "code": self.code, "kind": self.kind}


@dataclass(frozen=True, slots=True)
class LostWeight:
    """A delegator whose weight counts for nobody, and why (``cycle`` or
    ``noVoter``)."""

    delegator: str
    reason: str

    def to_json(self) -> JsonObject:
        """Return the entry as JSON."""
        return {"delegator": self.delegator, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class TallyResult:
    """What a tally decided (see the module docstring and docs/tallies.md).

    Attributes:
        proposal: the proposal's CID.
        community: the community's DID.
        constitution: the CID of the constitution counted under; None for a
            genesis ratification (counted under the rules it proposes).
        kind: the decision kind.
        method: the counting method.
        opens, closes: the voting window.
        proposal_valid: whether the proposal was valid (``check_proposal``
            and its own signature).
        proposal_problems: ``(code, message)`` per reason it is not.
        eligible: members eligible at ``closes``.
        counted: the counted ballots' CIDs, sorted.
        counted_weight: the weight they carried (ballots plus delegations).
        rejected: every ballot not counted, by CID.
        ignored: every other input not used, by CID.
        delegated: delegators whose weight reached a voter.
        lost: delegators whose weight counts for nobody, by DID.
        cycles: delegation cycles with no voter on them.
        quorum: the quorum rule (a share of ``eligible``).
        turnout: ``counted_weight / eligible`` (0 when nobody is eligible).
        threshold: the threshold rule text (``">1/2"``, ``">=2/3"``, ``"none"``).
        support: the count's ``support`` (None where the method has none).
        quorum_met, threshold_met, passed: the decision.
        count: the counting result's JSON; None when nothing was counted
            (an invalid proposal).
        ballot_root: the hex RFC 9162 root of the counted ballots' CIDs.
        inputs: every distinct input's CID, sorted (recorded in the Tally
            credential beside the result, not inside it).
    """

    proposal: str
    community: str
    constitution: str | None
    kind: str
    method: str
    opens: datetime
    closes: datetime
    proposal_valid: bool
    proposal_problems: tuple[tuple[str, str], ...]
    eligible: int
    counted: tuple[str, ...]
    counted_weight: int
    rejected: tuple[RejectedBallot, ...]
    ignored: tuple[IgnoredInput, ...]
    delegated: int
    lost: tuple[LostWeight, ...]
    cycles: tuple[tuple[str, ...], ...]
    quorum: Fraction
    turnout: Fraction
    threshold: str
    support: Fraction | None
    quorum_met: bool
    threshold_met: bool
    passed: bool
    count: JsonObject | None
    ballot_root: str
    inputs: tuple[str, ...] = ()

    def to_json(self) -> JsonObject:
        """Return the result as canonical JSON (docs/tallies.md).

        Spec: docs/tallies.md (TallyResult JSON)
        """
        out: JsonObject = {
            "proposal": self.proposal,
            "community": self.community,
            "constitution": self.constitution,
            "kind": self.kind,
            "method": self.method,
            "opens": format_date_time(self.opens),
            "closes": format_date_time(self.closes),
            "proposalValid": self.proposal_valid,
            "proposalProblems": [
                {"code": code, "message": message}
                for code, message in self.proposal_problems
            ],
            "eligible": self.eligible,
            "countedBallots": len(self.counted),
            "countedWeight": self.counted_weight,
            "counted": list(self.counted),
            "rejected": [item.to_json() for item in self.rejected],
            "ignored": [item.to_json() for item in self.ignored],
            "delegation": {
                "delegated": self.delegated,
                "lost": [item.to_json() for item in self.lost],
                "cycles": [list(cycle) for cycle in self.cycles],
            },
            "quorum": {
                "required": format_fraction(self.quorum),
                "turnout": format_fraction(self.turnout),
                "met": self.quorum_met,
            },
            "threshold": {
                "rule": self.threshold,
                "support": None
                if self.support is None
                else format_fraction(self.support),
                "met": self.threshold_met,
            },
            "passed": self.passed,
            "count": self.count,
            "ballotRoot": self.ballot_root,
        }
        return out

    def canonical_bytes(self) -> bytes:
        """Return the JCS (RFC 8785) bytes of :meth:`to_json`.

        Spec: https://www.rfc-editor.org/rfc/rfc8785
        """
        return canonicalize_jcs(self.to_json())


def fraction_json(value: JsonValue) -> Fraction | None:
    """Read a ``"p/q"`` or decimal string as an exact fraction; None if not one.

    Spec: docs/governance.md (Fractions)
    """
    if not isinstance(value, str):
        return None
    try:
        return Fraction(value)
    except (ValueError, ZeroDivisionError):
        return None
