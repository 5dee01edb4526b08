"""Which constitution is in force: decisions take effect by evidence.

A constitution credential is in force only if its ``ratifiedBy`` names a
tally that verified and passed, for a proposal of kind ``amendment`` whose
``amendment`` rules are JCS-equal to the constitution's ``rules``, in the
same community; for the genesis (version 1, no ``replaces``) that proposal
cites no constitution, and for a later version it cites the version the
constitution ``replaces``, which must itself be in force. Whoever signs a
constitution cannot make a decision that was not taken.

:func:`constitution_in_force` walks the versions given from the genesis and
returns the latest one that is in force, with the reason each other version
is not. :func:`next_constitution` builds (unsigned) the version a passed
amendment yields.

Given the tallies' inputs (``inputs=``), every ratifying tally is recounted
with :func:`ssi.social.tally_verify.verify_tally` and a tally that does not
match them ratifies nothing; without them, the counts are taken as their
talliers signed them (say so to whoever relies on the answer). A version
takes effect no earlier than the close of the vote that ratified it.

Spec: docs/tallies.md (Constitution in force), docs/governance.md
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ssi.cid import object_cid
from ssi.credentials.verifier import Verifier
from ssi.datetimes import format_date_time
from ssi.errors import ConstitutionNotInForceError, SSIError
from ssi.jsonld.canon import canonicalize_jcs
from ssi.social.constitution import constitution_credential, read_constitution
from ssi.social.proposal import read_proposal
from ssi.social.tally import read_tally
from ssi.social.tally_inputs import signature_verified, tally_verifier
from ssi.social.tally_select import select_inputs
from ssi.social.tally_verify import verify_tally
from ssi.types import JsonObject, JsonValue

__all__ = ["ConstitutionChain", "constitution_in_force", "next_constitution"]


@dataclass(frozen=True, slots=True)
class ConstitutionChain:
    """The outcome of :func:`constitution_in_force`.

    Attributes:
        in_force: the CID of the latest version in force.
        chain: the CIDs of the versions in force, genesis first.
        refused: ``(cid, reason)`` for each version given that is not in
            force, by CID.
    """

    in_force: str
    chain: tuple[str, ...]
    refused: tuple[tuple[str, str], ...]


def constitution_in_force(
    constitutions: Sequence[JsonObject],
    tallies: Sequence[JsonObject],
    proposals: Sequence[JsonObject],
    *,
    community: str,
    logs: Mapping[str, Sequence[Sequence[JsonValue]]] | None = None,
    verifier: Verifier | None = None,
    inputs: Sequence[JsonValue] | None = None,
    at: datetime | None = None,
) -> ConstitutionChain:
    """Return the constitution of ``community`` in force given the evidence.

    Every constitution and tally must verify, with ``verifier`` (default:
    did:key, did:jwk and did:agora over ``logs``, ``{did: [log, ...]}``, as
    a tally verifies, now); the proposals are matched by CID. With
    ``inputs`` (a pool holding the ballots, signals, delegations,
    memberships and status lists of the ratifying votes, and anything else),
    each ratifying tally is recounted from its proposal's inputs among them
    (:func:`~ssi.social.tally_select.select_inputs`) and must match. ``at``
    (default now) is the moment asked about: a version whose ``validFrom``
    is later is not in force yet.

    Spec: docs/tallies.md (Constitution in force)

    Raises:
        ConstitutionNotInForceError: no version given is in force (the
            message gives each one's reason).
    """
    moment = at or datetime.now(UTC)
    checker = verifier or tally_verifier(logs, at=moment)
    tally_by_cid = {object_cid(t): t for t in tallies}
    proposal_by_cid = {object_cid(p): p for p in proposals}
    refused: dict[str, str] = {}
    ratified: dict[str, tuple[int, str | None]] = {}
    recount = (
        None
        if inputs is None
        else _Recount(inputs, logs, {object_cid(c): c for c in constitutions})
    )
    for document in constitutions:
        cid = object_cid(document)
        try:
            version, replaces = _ratified(
                document,
                community,
                tally_by_cid,
                proposal_by_cid,
                checker,
                recount,
                moment,
            )
        except _RefusedError as exc:
            refused[cid] = str(exc)
            continue
        ratified[cid] = (version, replaces)
    chain: list[str] = []
    current: str | None = None
    while True:
        following = sorted(
            cid for cid, (_, replaces) in ratified.items() if replaces == current
        )
        if not following:
            break
        if len(following) > 1:
            for cid in following:
                refused[cid] = "two ratified versions replace the same one."
            break
        current = following[0]
        chain.append(current)
    for cid in ratified:
        if cid not in chain and cid not in refused:
            refused[cid] = "it does not chain back to a ratified genesis."
    if not chain:
        reasons = "; ".join(f"{cid}: {why}" for cid, why in sorted(refused.items()))
        raise ConstitutionNotInForceError(
            f"no constitution of {community[:80]} is in force "
            f"({reasons or 'none given'})."
        )
    return ConstitutionChain(
        in_force=chain[-1],
        chain=tuple(chain),
        refused=tuple(sorted(refused.items())),
    )


class _RefusedError(Exception):
    """Why one constitution is not in force (internal)."""


@dataclass(frozen=True, slots=True)
class _Recount:
    """What recounting a ratifying tally needs (internal)."""

    inputs: Sequence[JsonValue]
    logs: Mapping[str, Sequence[Sequence[JsonValue]]] | None
    constitutions: Mapping[str, JsonObject]

    def check(
        self, tally: JsonObject, proposal: JsonObject, replaced: str | None
    ) -> None:
        previous = None
        if replaced is not None:
            previous = self.constitutions.get(replaced)
            if previous is None:
                raise _RefusedError("the version it replaces is not given.")
        try:
            outcome = verify_tally(
                tally,
                proposal,
                select_inputs(proposal, self.inputs),
                constitution=previous,
                logs=self.logs,
            )
        except SSIError as exc:
            raise _RefusedError(
                f"the tally it cites cannot be recounted: {exc.detail}"
            ) from exc
        if not outcome.verified:
            first = (
                str(outcome.differences[0])
                if outcome.differences
                else "its proof does not verify"
            )
            raise _RefusedError(
                f"the tally it cites does not match its inputs ({first})."
            )


def _ratified(
    document: JsonObject,
    community: str,
    tallies: dict[str, JsonObject],
    proposals: dict[str, JsonObject],
    checker: Verifier,
    recount: _Recount | None,
    moment: datetime,
) -> tuple[int, str | None]:
    try:
        constitution = read_constitution(document)
    except SSIError as exc:
        raise _RefusedError(f"not a constitution: {exc.detail}") from exc
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict):
        raise _RefusedError("not a constitution.")
    if document.get("issuer") != community:
        raise _RefusedError("it is not issued by the community.")
    if not signature_verified(checker.verify(document)):
        raise _RefusedError("its proof does not verify.")
    ratified_by = subject.get("ratifiedBy")
    tally = tallies.get(ratified_by) if isinstance(ratified_by, str) else None
    if tally is None:
        raise _RefusedError("the tally it cites (ratifiedBy) is not given.")
    try:
        read_t = read_tally(tally)
    except SSIError as exc:
        raise _RefusedError(f"the tally it cites is not a tally: {exc.detail}") from exc
    if not signature_verified(checker.verify(tally)):
        raise _RefusedError("the tally it cites does not verify.")
    if not read_t.passed or read_t.result.get("kind") != "amendment":
        raise _RefusedError("the tally it cites is not a passed amendment.")
    proposal = proposals.get(read_t.proposal)
    if proposal is None:
        raise _RefusedError("the proposal of the tally it cites is not given.")
    try:
        read_p = read_proposal(proposal)
    except SSIError as exc:
        raise _RefusedError(
            f"the tally's proposal is not a proposal: {exc.detail}"
        ) from exc
    if read_p.kind != "amendment" or read_p.community != community:
        raise _RefusedError(
            "the tally's proposal is not an amendment of the community."
        )
    rules = subject.get("rules")
    if read_p.amendment is None or not _same(read_p.amendment, rules):
        raise _RefusedError("its rules are not those the amendment proposed.")
    replaces = subject.get("replaces")
    replaced = replaces if isinstance(replaces, str) else None
    if read_p.constitution != replaced:
        raise _RefusedError(
            "the amendment was counted under another constitution than the one "
            "it replaces."
        )
    if constitution.valid_from < read_p.closes:
        raise _RefusedError("it takes effect before the vote that ratified it closed.")
    if recount is not None:
        recount.check(tally, proposal, replaced)
    if constitution.valid_from > moment:
        raise _RefusedError(
            f"it takes effect only at {format_date_time(constitution.valid_from)}."
        )
    version = subject.get("version")
    return (version if isinstance(version, int) else 0), replaced


def _same(first: JsonValue, second: JsonValue) -> bool:
    try:
        return canonicalize_jcs(first) == canonicalize_jcs(second)
    except SSIError:
        return False


def next_constitution(
    tally: JsonObject,
    proposal: JsonObject,
    previous: JsonObject | None,
    *,
    valid_from: datetime | None = None,
) -> JsonObject:
    """Return the unsigned constitution a passed amendment yields: the
    proposal's rules, the next version, ``ratifiedBy`` the tally and
    ``replaces`` the previous version (none for the genesis).

    Spec: docs/tallies.md (Constitution in force)

    Raises:
        ConstitutionNotInForceError: the tally did not pass, or is not for
            this amendment.
        ParsingError, MalformedValueError: an argument is not what it should be.
    """
    read_t = read_tally(tally)
    read_p = read_proposal(proposal)
    if read_t.proposal != object_cid(proposal) or read_p.amendment is None:
        raise ConstitutionNotInForceError("the tally is not for this amendment.")
    if not read_t.passed:
        raise ConstitutionNotInForceError("the amendment did not pass.")
    if valid_from is None:
        valid_from = max(datetime.now(UTC), read_p.closes)
    elif valid_from < read_p.closes:
        raise ConstitutionNotInForceError(
            "a constitution cannot take effect before the vote that ratified it "
            f"closed ({format_date_time(read_p.closes)})."
        )
    version = 1
    replaces: str | None = None
    if previous is not None:
        version = read_constitution(previous).version + 1
        replaces = object_cid(previous)
    return constitution_credential(
        read_p.community,
        read_p.amendment,
        version=version,
        ratified_by=object_cid(tally),
        replaces=replaces,
        valid_from=valid_from,
    )
