"""Whether a proposal is valid under a constitution's rules, with reasons.

:func:`check_proposal` takes inputs that were already verified (the
proposal, its signals, the rules of the constitution it cites, and who was a
member with which role when) and returns a :class:`ProposalCheck`: valid or
not, every rule broken as a :class:`ProposalProblem` with a reason code, the
members whose signals counted and how many were required.

Spec: docs/governance.md (Proposal validity)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Protocol

from ssi.social.proposal import FIXED_OPTIONS, Proposal, Signal
from ssi.social.rule_values import format_duration
from ssi.social.rules import ConstitutionRules

__all__ = [
    "PROPOSAL_PROBLEM_CODES",
    "MemberRoles",
    "ProposalCheck",
    "ProposalProblem",
    "check_proposal",
]

PROPOSAL_PROBLEM_CODES: Final = (
    "notMember",
    "proposerNotAllowed",
    "supersededConstitution",
    "methodNotAllowed",
    "wrongOptions",
    "votingPeriod",
    "notEnoughSignals",
)
"""The reason codes of an invalid proposal, in the order they are reported."""


class MemberRoles(Protocol):
    """Who was a member of the community, with which role, at a time."""

    def role(self, did: str, at: datetime) -> str | None:
        """Return the role of ``did`` if it was a valid member at ``at``,
        else ``None``."""
        ...

    def count(self, at: datetime) -> int:
        """Return how many members were eligible at ``at``."""
        ...


@dataclass(frozen=True, slots=True)
class ProposalProblem:
    """One rule a proposal breaks: a code of :data:`PROPOSAL_PROBLEM_CODES`
    and a sentence saying why."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class ProposalCheck:
    """The result of :func:`check_proposal`.

    Attributes:
        valid: true when no rule is broken.
        reasons: every rule broken, in the order of
            :data:`PROPOSAL_PROBLEM_CODES`.
        counted_signals: the DIDs whose signals counted, sorted.
        required_signals: how many were required.
    """

    valid: bool
    reasons: tuple[ProposalProblem, ...]
    counted_signals: tuple[str, ...]
    required_signals: int

    @property
    def codes(self) -> tuple[str, ...]:
        """The reason codes, in order."""
        return tuple(problem.code for problem in self.reasons)


def check_proposal(
    proposal: Proposal,
    rules: ConstitutionRules,
    *,
    signals: Sequence[Signal],
    members: MemberRoles,
    superseded_at: datetime | None,
) -> ProposalCheck:
    """Check a proposal against the rules of the constitution it cites.

    For a genesis ratification (no ``constitution``) pass the rules it
    proposes (``parse_rules(proposal.amendment)``). ``superseded_at`` is
    when the cited constitution stopped being in force (``None`` if it
    still is). The inputs are taken as verified; the community of the
    proposal, of the constitution and of ``members`` are the caller's to
    match.

    The rules, each with its code:

    - ``notMember``: the author was not a member at the proposal's time
      (``validFrom``); ``proposerNotAllowed``: their role then is not one of
      ``proposers``.
    - ``supersededConstitution``: the constitution was superseded at or
      before ``opens``.
    - ``methodNotAllowed``: the constitution does not define the kind, or
      the kind does not allow the method.
    - ``wrongOptions``: what is decided does not fit the kind (an election
      with more seats than candidates, fewer than two distinct options, an
      amendment without rules, a recall without a mandate).
    - ``votingPeriod``: ``closes - opens`` is outside the voting period.
    - ``notEnoughSignals``: fewer counted signals than required. A signal
      counts if it names this proposal's CID, its time is at or before
      ``opens``, and its signer was a member at that time; each member counts
      once. Required: the rule's count, or ``ceil(share * members at opens)``.

    Spec: docs/governance.md (Proposal validity)
    """
    problems: list[ProposalProblem] = []
    role = members.role(proposal.author, proposal.created)
    if role is None:
        problems.append(
            ProposalProblem(
                "notMember",
                f"{proposal.author} was not a member when the proposal was made.",
            )
        )
    elif role not in rules.proposers:
        problems.append(
            ProposalProblem(
                "proposerNotAllowed",
                f"the role {role!r} may not propose (allowed: "
                f"{', '.join(rules.proposers)}).",
            )
        )
    if superseded_at is not None and superseded_at <= proposal.opens:
        problems.append(
            ProposalProblem(
                "supersededConstitution",
                "the constitution it cites was superseded before the vote opened.",
            )
        )
    kind = rules.kind(proposal.kind)
    if kind is None:
        problems.append(
            ProposalProblem(
                "methodNotAllowed",
                f"the constitution defines no kind {proposal.kind!r}.",
            )
        )
    elif not kind.allows(proposal.method):
        problems.append(
            ProposalProblem(
                "methodNotAllowed",
                f"the kind {proposal.kind} allows {', '.join(kind.methods)}, not "
                f"{proposal.method}.",
            )
        )
    wrong = _wrong_options(proposal)
    if wrong is not None:
        problems.append(ProposalProblem("wrongOptions", wrong))
    length = proposal.closes - proposal.opens
    period = rules.voting_period
    if not period.allows(length):
        problems.append(
            ProposalProblem(
                "votingPeriod",
                f"the vote lasts {_show_length(length)}; the constitution "
                f"allows {format_duration(period.min)} to "
                f"{format_duration(period.max)}.",
            )
        )
    counted = _counted_signals(proposal, signals, members)
    required = rules.signals.required(members.count(proposal.opens))
    if len(counted) < required:
        problems.append(
            ProposalProblem(
                "notEnoughSignals",
                f"{len(counted)} member(s) signalled by the opening; "
                f"{required} are required.",
            )
        )
    return ProposalCheck(
        valid=not problems,
        reasons=tuple(problems),
        counted_signals=counted,
        required_signals=required,
    )


def _counted_signals(
    proposal: Proposal, signals: Sequence[Signal], members: MemberRoles
) -> tuple[str, ...]:
    counted: set[str] = set()
    for signal in signals:
        if (
            signal.proposal == proposal.cid
            and signal.time <= proposal.opens
            and signal.signer not in counted
            and members.role(signal.signer, signal.time) is not None
        ):
            counted.add(signal.signer)
    return tuple(sorted(counted))


def _wrong_options(proposal: Proposal) -> str | None:
    if proposal.kind == "amendment":
        return None if proposal.amendment is not None else "an amendment needs rules."
    if proposal.kind == "recall":
        return None if proposal.recalls is not None else "a recall names a mandate."
    if proposal.kind == "election":
        if not proposal.candidates or proposal.seats is None:
            return "an election needs candidates and seats."
        if len(set(proposal.candidates)) != len(proposal.candidates):
            return "a candidate is listed twice."
        if not 1 <= proposal.seats <= len(proposal.candidates):
            return (
                f"{proposal.seats} seat(s) for {len(proposal.candidates)} "
                "candidate(s): there must be at least one seat and no more "
                "seats than candidates."
            )
        return None
    ids = [option.id for option in proposal.options]
    if len(ids) < len(FIXED_OPTIONS) or len(set(ids)) != len(ids):
        return "a proposal needs at least two options with distinct ids."
    return None


def _show_length(length: timedelta) -> str:
    if length < timedelta(0):
        return "a negative time"
    return format_duration(timedelta(days=length.days, seconds=length.seconds))
