"""Ballots and delegations: what a member casts on a proposal, and whom they
let vote for them.

A ballot is a credential issued by the voter, of type ``Ballot``, naming the
proposal's CID and a ``choice`` whose shape depends on the proposal's
counting method (one option id; a set or a ranking of option ids; scores or
quadratic votes by option id). ``validFrom`` is the time it was cast. This
module checks the shape a choice can have at all (a string, an array of
distinct strings, an object of non-negative integers); whether it fits the
method and the options is the counting module's rule
(``ssi.social.counting.check_choice``), applied when the tally knows the
proposal.

A delegation is a credential issued by the delegator, of type
``Delegation``, naming the community and the delegate, for every decision or
only those of proposals carrying its ``tag``. A withdrawal is a delegation
with ``"withdrawn": true`` and no delegate. ``validFrom`` is the time of the
act; the latest one per delegator and scope counts (docs/tallies.md).

This module only builds and reads the credentials; signing and verifying are
``ssi.credentials``' business.

Spec: docs/tallies.md (Ballots, Delegations)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from ssi.credentials.model import Credential
from ssi.errors import MalformedValueError
from ssi.social import _fields as f
from ssi.types import JsonObject, JsonValue

__all__ = [
    "BALLOT_TYPE",
    "DELEGATION_TYPE",
    "MAX_CHOICE_ITEMS",
    "Ballot",
    "Delegation",
    "ballot_credential",
    "delegation_credential",
    "read_ballot",
    "read_delegation",
]

BALLOT_TYPE: Final = "Ballot"
"""The credential type of a ballot."""
DELEGATION_TYPE: Final = "Delegation"
"""The credential type of a delegation (or its withdrawal)."""
MAX_CHOICE_ITEMS: Final = 1024
"""The most option ids (or scored options) a choice may name."""
MAX_OPTION_ID: Final = 2048
"""The longest option id, in code points (a candidate's DID is an option id)."""
MAX_SCORE_VALUE: Final = 2**53 - 1
"""The largest integer a score may be (the largest JSON carries exactly)."""
_TAG_LENGTH: Final = 64

_BALLOT_MEMBERS: Final = frozenset({"type", "proposal", "choice"})
_DELEGATION_MEMBERS: Final = frozenset(
    {"type", "community", "delegate", "tag", "withdrawn"}
)

Choice = str | tuple[str, ...] | tuple[tuple[str, int], ...]
"""A choice as read: one option id; option ids in the ballot's order; or
``(option id, value)`` pairs sorted by option id (scores, quadratic votes)."""


@dataclass(frozen=True, slots=True)
class Ballot:
    """What a ballot says (read by :func:`read_ballot`).

    Attributes:
        voter: the voter's DID (the credential's issuer).
        proposal: the CID of the proposal it votes on.
        choice: the choice, in the shape read (see ``Choice``).
        cast_at: the time it was cast (``validFrom``), in UTC.
    """

    voter: str
    proposal: str
    choice: Choice
    cast_at: datetime

    def __reduce__(self) -> tuple[type[Ballot], tuple[str, str, Choice, datetime]]:
        """Pickle as a constructor call: small and quick to load (tallies
        ship these back from worker processes by the hundred thousand)."""
        return (Ballot, (self.voter, self.proposal, self.choice, self.cast_at))

    def choice_json(self) -> JsonValue:
        """Return the choice as it appears on the wire."""
        return choice_to_json(self.choice)


@dataclass(frozen=True, slots=True)
class Delegation:
    """What a delegation says (read by :func:`read_delegation`).

    Attributes:
        delegator: who delegates (the credential's issuer).
        community: the community it is given in.
        delegate: whom the delegator's weight goes to; None for a withdrawal.
        tag: the proposals' tag it is limited to; None for every decision.
        at: the time of the act (``validFrom``), in UTC.
    """

    delegator: str
    community: str
    delegate: str | None
    tag: str | None
    at: datetime

    def __reduce__(
        self,
    ) -> tuple[type[Delegation], tuple[str, str, str | None, str | None, datetime]]:
        """Pickle as a constructor call: small and quick to load (tallies
        ship these back from worker processes by the hundred thousand)."""
        return (
            Delegation,
            (self.delegator, self.community, self.delegate, self.tag, self.at),
        )

    @property
    def withdrawn(self) -> bool:
        """True for a withdrawal (no delegate)."""
        return self.delegate is None


def choice_to_json(choice: Choice) -> JsonValue:
    """Return a choice as JSON: a string, an array, or an object of integers.

    Spec: docs/tallies.md (Ballots)
    """
    if isinstance(choice, str):
        return choice
    if choice and isinstance(choice[0], tuple):
        return {str(pair[0]): int(pair[1]) for pair in choice}
    return [str(item) for item in choice]


def ballot_credential(
    voter: str, proposal: str, choice: JsonValue, *, cast_at: datetime
) -> JsonObject:
    """Return an unsigned ``Ballot`` credential by ``voter``.

    Spec: docs/tallies.md (Ballots)

    Raises:
        MalformedValueError: the choice has no possible shape, or a field
            breaks a rule; the message names its path.
        InvalidCIDError: ``proposal`` is not an object CID.
        ValueError: ``cast_at`` has no timezone.
    """
    subject: JsonObject = {"type": BALLOT_TYPE, "proposal": proposal, "choice": choice}
    credential = f.build(BALLOT_TYPE, voter, cast_at, subject)
    read_ballot(credential)
    return credential


def read_ballot(credential: JsonValue, *, parsed: Credential | None = None) -> Ballot:
    """Read a ballot (its proof is not checked here: verify it first).

    Args:
        credential: the ballot credential.
        parsed: what ``parse_credential`` returned for this very document
            (``Verifier.verify_read`` hands it back), so it is not parsed
            again; ignored when it is the summary of another object.

    Spec: docs/tallies.md (Ballots)

    Raises:
        ParsingError: not a JSON object.
        MalformedValueError: not a ballot, or a field breaks a rule; the
            message names the field's path.
        InvalidCIDError: ``proposal`` is not an object CID.
    """
    _, voter, cast_at, subject = f.envelope(
        credential, BALLOT_TYPE, _BALLOT_MEMBERS, parsed=parsed
    )
    _subject_type(subject, BALLOT_TYPE)
    path = f.SUBJECT
    for key in ("proposal", "choice"):
        if key not in subject:
            raise MalformedValueError(f"{path}.{key} is required.")
    return Ballot(
        voter=voter,
        proposal=f.cid(subject["proposal"], f"{path}.proposal"),
        choice=read_choice(subject["choice"], f"{path}.choice"),
        cast_at=cast_at,
    )


def read_choice(value: JsonValue, path: str) -> Choice:
    """Check that a choice has one of the possible shapes, and return it.

    Spec: docs/tallies.md (Ballots)

    Raises:
        MalformedValueError: none of them; the message names the path.
    """
    if isinstance(value, str):
        return _option_id(value, path)
    if isinstance(value, list):
        items = f.array(value, path, MAX_CHOICE_ITEMS)
        ids = tuple(_option_id(item, f"{path}[{i}]") for i, item in enumerate(items))
        if len(set(ids)) != len(ids):
            seen: set[str] = set()
            for index, item in enumerate(ids):
                if item in seen:
                    raise MalformedValueError(
                        f"{path}[{index}] repeats {f.show(item)}; each option may "
                        "appear once."
                    )
                seen.add(item)
        return ids
    if isinstance(value, dict):
        if len(value) > MAX_CHOICE_ITEMS:
            raise MalformedValueError(
                f"{path} scores {len(value)} options; at most {MAX_CHOICE_ITEMS} "
                "are allowed."
            )
        pairs: list[tuple[str, int]] = []
        for key, number in value.items():
            _option_id(key, f"{path} key")
            where = f"{path}.{f.show(key)}"
            if not isinstance(number, int) or isinstance(number, bool):
                raise MalformedValueError(
                    f"{where} must be an integer, not {f.kind(number)}."
                )
            if not 0 <= number <= MAX_SCORE_VALUE:
                raise MalformedValueError(
                    f"{where} must be between 0 and {MAX_SCORE_VALUE}, not {number}."
                )
            pairs.append((key, number))
        return tuple(sorted(pairs))
    raise MalformedValueError(
        f"{path} must be an option id, an array of option ids or an object of "
        f"integers, not {f.kind(value)}."
    )


def delegation_credential(
    delegator: str,
    community: str,
    delegate: str | None,
    *,
    tag: str | None = None,
    at: datetime,
) -> JsonObject:
    """Return an unsigned ``Delegation`` credential by ``delegator``.

    ``delegate=None`` makes a withdrawal of the delegator's delegation for
    that scope (``tag``, or every decision).

    Spec: docs/tallies.md (Delegations)

    Raises:
        MalformedValueError: a field breaks a rule (not a DID, a delegator
            delegating to themself, a bad tag); the message names its path.
        ValueError: ``at`` has no timezone.
    """
    subject: JsonObject = {"type": DELEGATION_TYPE, "community": community}
    if delegate is None:
        subject["withdrawn"] = True
    else:
        subject["delegate"] = delegate
    if tag is not None:
        subject["tag"] = tag
    credential = f.build(DELEGATION_TYPE, delegator, at, subject)
    read_delegation(credential)
    return credential


def read_delegation(
    credential: JsonValue, *, parsed: Credential | None = None
) -> Delegation:
    """Read a delegation or a withdrawal (its proof is not checked here).

    Args:
        credential: the delegation credential.
        parsed: what ``parse_credential`` returned for this very document
            (``Verifier.verify_read`` hands it back), so it is not parsed
            again; ignored when it is the summary of another object.

    Spec: docs/tallies.md (Delegations)

    Raises:
        ParsingError: not a JSON object.
        MalformedValueError: not a delegation, or a field breaks a rule; the
            message names the field's path.
    """
    _, delegator, at, subject = f.envelope(
        credential, DELEGATION_TYPE, _DELEGATION_MEMBERS, parsed=parsed
    )
    _subject_type(subject, DELEGATION_TYPE)
    path = f.SUBJECT
    if "community" not in subject:
        raise MalformedValueError(f"{path}.community is required.")
    community = f.did(subject["community"], f"{path}.community")
    withdrawn = subject.get("withdrawn", False)
    if withdrawn is not True and "withdrawn" in subject:
        raise MalformedValueError(
            f"{path}.withdrawn must be true when present, not {f.kind(withdrawn)}."
        )
    delegate: str | None = None
    if withdrawn:
        if "delegate" in subject:
            raise MalformedValueError(
                f"{path}.delegate must be absent from a withdrawal."
            )
    else:
        if "delegate" not in subject:
            raise MalformedValueError(
                f"{path}.delegate is required (or withdrawn: true)."
            )
        delegate = f.did(subject["delegate"], f"{path}.delegate")
        if delegate == delegator:
            raise MalformedValueError(
                f"{path}.delegate is the delegator; a member cannot delegate to "
                "themself."
            )
    tag: str | None = None
    if "tag" in subject:
        tag = f.short_text(subject["tag"], f"{path}.tag", _TAG_LENGTH)
    return Delegation(
        delegator=delegator, community=community, delegate=delegate, tag=tag, at=at
    )


def _subject_type(subject: JsonObject, type_name: str) -> None:
    if subject.get("type", type_name) != type_name:
        raise MalformedValueError(
            f"{f.SUBJECT}.type must be {type_name}, not {f.show(str(subject['type']))}."
        )


def _option_id(value: JsonValue, path: str) -> str:
    return f.short_text(value, path, MAX_OPTION_ID)
