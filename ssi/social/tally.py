"""Tallies: count a proposal from its signed inputs, sign the result, check it.

:func:`compute_tally` takes a proposal, the constitution it is counted under
and its inputs (ballots, signals, delegations, memberships, the community's
status list credentials; did:agora logs beside them) and decides, by the
rules of docs/tallies.md: which inputs verified, who was eligible at the
close, which ballots count and why each other one does not, where delegated
weight goes, the count (``ssi.social.counting.count``, seeded with the
proposal's CID), quorum and threshold, and the Merkle root of the counted
ballots. Signatures are checked in this process or on any executor.

:func:`tally_credential` wraps a result in an unsigned ``Tally`` credential
for a tallier to sign; :func:`verify_tally` recomputes a tally from the same
inputs and lists every field that differs; :func:`inclusion_proof` gives a
voter the RFC 9162 proof that their ballot is among the counted ones.

Spec: docs/tallies.md
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Final

from ssi.cid import object_cid
from ssi.credentials.verifier import Verifier
from ssi.errors import MalformedValueError, SSIError
from ssi.social import _fields as f
from ssi.social import merkle
from ssi.social.ballot import Ballot, Delegation
from ssi.social.counting import check_choice, count
from ssi.social.delegation import choose_delegations, resolve_delegations
from ssi.social.proposal import Proposal, Signal, read_proposal
from ssi.social.proposal_check import check_proposal
from ssi.social.tally_eligibility import Electorate
from ssi.social.tally_inputs import CheckedInput, check_inputs, tally_verifier
from ssi.social.tally_result import (
    IgnoredInput,
    LostWeight,
    RejectedBallot,
    TallyResult,
    fraction_json,
)
from ssi.social.tally_rules import CountingRules, counting_rules
from ssi.types import JsonObject, JsonValue

__all__ = [
    "TALLY_TYPE",
    "Tally",
    "compute_tally",
    "read_tally",
    "tally_credential",
]

TALLY_TYPE: Final = "Tally"
"""The credential type of a tally."""
_YES_NO: Final = ("amendment", "recall")


def compute_tally(
    proposal: JsonObject,
    inputs: Sequence[JsonValue],
    *,
    constitution: JsonObject | None,
    logs: Mapping[str, Sequence[Sequence[JsonValue]]] | None = None,
    verifier: Verifier | None = None,
    executor: Executor | None = None,
    at: datetime | None = None,
    superseded_at: datetime | None = None,
    chunk_size: int = 256,
) -> TallyResult:
    """Count ``proposal`` from ``inputs`` under ``constitution``.

    Args:
        proposal: the signed proposal.
        inputs: ballots, signals, delegations, memberships and the
            community's status list credentials, in any order.
        constitution: the signed constitution the proposal cites; None for
            a genesis ratification (the proposal cites none and is counted
            under the rules it proposes).
        logs: did:agora logs by DID, for the default verifier.
        verifier: verifies every input's proof (default:
            :func:`ssi.social.tally_inputs.tally_verifier` over ``logs``).
        executor: runs the verification in chunks (a process pool, Dask).
        at: the verifier's clock (default: the proposal's ``closes``).
        superseded_at: when the cited constitution was superseded, if it
            was (``check_proposal``'s rule).
        chunk_size: inputs per task shipped to the executor.

    Spec: docs/tallies.md

    Raises:
        ParsingError, MalformedValueError: the proposal or constitution is
            not one.
        InvalidConstitutionError: the rules are inconsistent.
        TallyError: the constitution is not the one the proposal cites, or
            is missing.
    """
    read = read_proposal(proposal)
    proposal_cid = object_cid(proposal)
    rules = counting_rules(read, constitution)
    moment = at or read.closes
    verifier = verifier or tally_verifier(logs, at=moment)
    with _collector_paused():
        checked = check_inputs(
            list(inputs), verifier=verifier, executor=executor, chunk_size=chunk_size
        )
        own = check_inputs([proposal], verifier=verifier)
        return _decide(read, proposal_cid, rules, checked, own, superseded_at)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block, then restore it.

    A tally holds every input document and builds a result for each; the
    collector would walk all of them again and again as the results pile up
    (about an eighth of a one-process tally's time at N = 20,000). What a
    tally allocates holds no reference cycles, so reference counting frees
    it all the same. Not nested-safe across threads: another thread's
    ``gc.enable()`` inside the block resumes collection early, nothing worse.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _decide(
    read: Proposal,
    proposal_cid: str,
    rules: CountingRules,
    checked: list[CheckedInput],
    own: list[CheckedInput],
    superseded_at: datetime | None,
) -> TallyResult:
    community, closes = read.community, read.closes
    electorate = Electorate(community, checked)
    ignored: list[IgnoredInput] = []
    signals: list[Signal] = []
    for item in checked:
        if item.kind == "signal":
            code = _unusable(item)
            signal = item.value
            if code is None and isinstance(signal, Signal):
                if signal.proposal == proposal_cid:
                    signals.append(signal)
                    continue
                code = "wrongProposal"
            ignored.append(IgnoredInput(item.cid, item.kind, code or "unreadable"))
        elif item.kind in ("membership", "statusList"):
            code = _unusable(item)
            if code is None and item.issuer != community:
                code = "wrongCommunity"
            if code is not None:
                ignored.append(IgnoredInput(item.cid, item.kind, code))
        elif item.kind == "other":
            ignored.append(IgnoredInput(item.cid, item.kind, "unknownType"))
    check = check_proposal(
        read,
        rules.parsed,
        signals=signals,
        members=electorate,
        superseded_at=superseded_at,
    )
    problems = [(p.code, p.message) for p in check.reasons]
    if not own or not own[0].signed:
        problems.insert(0, ("badSignature", "the proposal's proof does not verify."))
    valid = not problems
    counted, rejected = _ballots(read, proposal_cid, rules, checked, electorate)
    voters = {ballot.voter for _, ballot in counted}
    chosen_inputs: list[tuple[Delegation, str]] = []
    for item in checked:
        if item.kind != "delegation":
            continue
        code = _delegation_code(item, community, closes, electorate, rules)
        if code is None:
            assert isinstance(item.value, Delegation)  # noqa: S101 - kind's reader
            chosen_inputs.append((item.value, item.cid))
        else:
            ignored.append(IgnoredInput(item.cid, item.kind, code))
    chosen = choose_delegations(chosen_inputs, tags=read.tags, closes=closes)
    outcome = resolve_delegations(chosen, voters)
    weights = [outcome.weights[ballot.voter] for _, ballot in counted]
    counted_weight = sum(weights)
    eligible = electorate.count(closes)
    turnout = Fraction(counted_weight, eligible) if eligible else Fraction(0)
    count_json: JsonObject | None = None
    support: Fraction | None = None
    winners: tuple[str, ...] = ()
    if valid:
        result = count(
            read.method,
            list(read.option_ids),
            [ballot.choice_json() for _, ballot in counted],
            seats=read.seats or 1,
            weights=weights,
            seed=proposal_cid,
            max_score=rules.max_score,
            voice_credits=rules.voice_credits,
        )
        count_json = result.to_json()
        support = result.support
        winners = tuple(result.winners)
    quorum_met = turnout >= rules.quorum
    threshold_met = rules.threshold_passes(support)
    passed = valid and quorum_met and threshold_met and bool(winners)
    if read.kind in _YES_NO:
        passed = passed and winners == ("yes",)
    counted_cids = tuple(cid for cid, _ in counted)
    root = merkle.merkle_root(merkle.ballot_leaves(counted_cids)).hex()
    return TallyResult(
        proposal=proposal_cid,
        community=community,
        constitution=read.constitution,
        kind=read.kind,
        method=read.method,
        opens=read.opens,
        closes=closes,
        proposal_valid=valid,
        proposal_problems=tuple(problems),
        eligible=eligible,
        counted=counted_cids,
        counted_weight=counted_weight,
        rejected=tuple(sorted(rejected, key=lambda r: r.cid)),
        ignored=tuple(sorted(ignored, key=lambda i: i.cid)),
        delegated=len(outcome.reached),
        lost=tuple(LostWeight(d, r) for d, r in outcome.lost.items()),
        cycles=outcome.cycles,
        quorum=rules.quorum,
        turnout=turnout,
        threshold=rules.threshold,
        support=support,
        quorum_met=quorum_met,
        threshold_met=threshold_met,
        passed=passed,
        count=count_json,
        ballot_root=root,
        inputs=tuple(item.cid for item in checked),
    )


def _unusable(item: CheckedInput) -> str | None:
    if item.value is None:
        return "unreadable"
    if not item.signed:
        return "badSignature"
    return None


def _delegation_code(
    item: CheckedInput,
    community: str,
    closes: datetime,
    electorate: Electorate,
    rules: CountingRules,
) -> str | None:
    code = _unusable(item)
    if code is not None:
        return code
    delegation = item.value
    assert isinstance(delegation, Delegation)  # noqa: S101 - kind's reader
    if delegation.community != community:
        return "wrongCommunity"
    if not rules.delegation:
        return "delegationOff"
    if delegation.at > closes:
        return "afterCloses"
    if electorate.standing(delegation.delegator, closes).code != "eligible":
        return "notMember"
    return None


def _ballots(
    read: Proposal,
    proposal_cid: str,
    rules: CountingRules,
    checked: list[CheckedInput],
    electorate: Electorate,
) -> tuple[list[tuple[str, Ballot]], list[RejectedBallot]]:
    """Apply the ballot rules; return the counted ``(cid, ballot)`` pairs in
    CID order and the rejections."""
    rejected: list[RejectedBallot] = []
    candidates: dict[str, list[tuple[datetime, str, Ballot]]] = {}
    options = list(read.option_ids)
    for item in checked:
        if item.kind != "ballot":
            continue
        if item.value is None:
            reason = "malformedChoice" if item.choice_error else "unreadable"
            rejected.append(RejectedBallot(item.cid, item.issuer, reason))
            continue
        ballot = item.value
        assert isinstance(ballot, Ballot)  # noqa: S101 - kind's reader
        code = _ballot_code(
            item, ballot, read, proposal_cid, rules, options, electorate
        )
        if code is not None:
            rejected.append(RejectedBallot(item.cid, ballot.voter, code))
            continue
        candidates.setdefault(ballot.voter, []).append(
            (ballot.cast_at, item.cid, ballot)
        )
    counted: list[tuple[str, Ballot]] = []
    for voter, found in candidates.items():
        found.sort(key=lambda entry: entry[:2])
        keep = found[-1] if rules.revoting else found[0]
        counted.append((keep[1], keep[2]))
        rejected.extend(
            RejectedBallot(cid, voter, "superseded")
            for _, cid, _ in found
            if cid != keep[1]
        )
    counted.sort(key=lambda pair: pair[0])
    return counted, rejected


def _ballot_code(
    item: CheckedInput,
    ballot: Ballot,
    read: Proposal,
    proposal_cid: str,
    rules: CountingRules,
    options: list[str],
    electorate: Electorate,
) -> str | None:
    if ballot.proposal != proposal_cid:
        return "wrongProposal"
    if not item.signed:
        return "badSignature"
    standing = electorate.standing(ballot.voter, read.closes).code
    if standing != "eligible":
        return standing
    if not read.opens <= ballot.cast_at <= read.closes:
        return "outsideWindow"
    try:
        check_choice(
            read.method,
            options,
            ballot.choice_json(),
            max_score=rules.max_score,
            voice_credits=rules.voice_credits,
        )
    except SSIError:
        return "malformedChoice"
    return None


def tally_credential(
    tallier: str, result: TallyResult, *, issued_at: datetime
) -> JsonObject:
    """Return an unsigned ``Tally`` credential by ``tallier`` recording
    ``result``, the Merkle root of the counted ballots and every input's CID.

    Spec: docs/tallies.md (Tally credential)

    Raises:
        MalformedValueError: ``tallier`` is not a DID.
        ValueError: ``issued_at`` has no timezone.
    """
    subject: JsonObject = {
        "type": TALLY_TYPE,
        "proposal": result.proposal,
        "community": result.community,
        "result": result.to_json(),
        "ballotRoot": result.ballot_root,
        "countedBallots": len(result.counted),
        "inputs": list(result.inputs),
    }
    credential = f.build(TALLY_TYPE, tallier, issued_at, subject)
    read_tally(credential)
    return credential


_TALLY_MEMBERS: Final = frozenset(
    {
        "type",
        "proposal",
        "community",
        "result",
        "ballotRoot",
        "countedBallots",
        "inputs",
    }
)


@dataclass(frozen=True, slots=True)
class Tally:
    """What a tally credential says (read by :func:`read_tally`).

    Attributes:
        tallier: who signed it.
        issued_at: its ``validFrom``.
        proposal: the proposal's CID.
        community: the community's DID.
        result: the recorded :class:`TallyResult` JSON.
        ballot_root: the hex Merkle root of the counted ballots.
        counted_ballots: how many were counted.
        inputs: every input's CID, sorted.
    """

    tallier: str
    issued_at: datetime
    proposal: str
    community: str
    result: JsonObject
    ballot_root: str
    counted_ballots: int
    inputs: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """What the result says: whether the proposal passed."""
        return self.result.get("passed") is True

    @property
    def counted(self) -> tuple[str, ...]:
        """The counted ballots' CIDs the result lists."""
        found = self.result.get("counted")
        return (
            tuple(c for c in found if isinstance(c, str))
            if isinstance(found, list)
            else ()
        )

    def support(self) -> Fraction | None:
        """The recorded support, if any."""
        threshold = self.result.get("threshold")
        if not isinstance(threshold, dict):
            return None
        return fraction_json(threshold.get("support"))


def read_tally(credential: JsonValue) -> Tally:
    """Read a tally credential (its proof is not checked here).

    Spec: docs/tallies.md (Tally credential)

    Raises:
        ParsingError: not a JSON object.
        MalformedValueError: not a tally, or a field breaks a rule; the
            message names the field's path.
        InvalidCIDError: a CID field is not an object CID.
    """
    _, tallier, issued_at, subject = f.envelope(credential, TALLY_TYPE, _TALLY_MEMBERS)
    path = f.SUBJECT
    for key in sorted(_TALLY_MEMBERS - {"type"}):
        if key not in subject:
            raise MalformedValueError(f"{path}.{key} is required.")
    if subject.get("type", TALLY_TYPE) != TALLY_TYPE:
        raise MalformedValueError(f"{path}.type must be {TALLY_TYPE}.")
    result = subject["result"]
    if not isinstance(result, dict):
        raise MalformedValueError(f"{path}.result must be an object.")
    root = f.string(subject["ballotRoot"], f"{path}.ballotRoot")
    if len(root) != 2 * merkle.HASH_SIZE or root.strip("0123456789abcdef"):
        raise MalformedValueError(
            f"{path}.ballotRoot must be 64 lowercase hexadecimal digits."
        )
    counted = subject["countedBallots"]
    if not isinstance(counted, int) or isinstance(counted, bool) or counted < 0:
        raise MalformedValueError(
            f"{path}.countedBallots must be a non-negative integer."
        )
    items = subject["inputs"]
    if not isinstance(items, list):
        raise MalformedValueError(f"{path}.inputs must be an array.")
    inputs = tuple(f.cid(item, f"{path}.inputs[{i}]") for i, item in enumerate(items))
    if list(inputs) != sorted(set(inputs)):
        raise MalformedValueError(f"{path}.inputs must be sorted, each CID once.")
    return Tally(
        tallier=tallier,
        issued_at=issued_at,
        proposal=f.cid(subject["proposal"], f"{path}.proposal"),
        community=f.did(subject["community"], f"{path}.community"),
        result=result,
        ballot_root=root,
        counted_ballots=counted,
        inputs=inputs,
    )
