"""Which objects of a pool are a proposal's inputs.

A tally records the CID of every input it was given, so a recount must be
given the same set. Someone who recounts from a pool of objects (a hub, a
store, several bundles holding other votes too) takes from it exactly the
objects that concern the proposal, by :func:`select_inputs`; a ballot the
tallier left out is then found by the recount, and a ballot of another vote
changes nothing.

Spec: docs/tallies.md (Inputs)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Final

from ssi.cid import object_cid
from ssi.datetimes import parse_date_time
from ssi.errors import SSIError
from ssi.social.proposal import read_proposal
from ssi.types import JsonObject, JsonValue

__all__ = ["select_inputs"]

_BY_PROPOSAL: Final = frozenset({"Ballot", "Signal"})
_BY_COMMUNITY: Final = frozenset({"Delegation"})
_ISSUED_BY_COMMUNITY: Final = frozenset(
    {"MembershipCredential", "BitstringStatusListCredential"}
)


def select_inputs(proposal: JsonObject, pool: Iterable[JsonValue]) -> list[JsonObject]:
    """Return the objects of ``pool`` that are inputs of ``proposal``, once
    each, in the order first found: ballots and signals that name its CID,
    delegations in its community, membership and status list credentials
    its community issued; of those, only the ones whose ``validFrom`` is not
    after the proposal's ``closes`` (nothing later can change its result, so
    a pool that has grown since the vote gives the same inputs).

    Nothing is verified here (the tally verifies what it is given); an
    object that is not a JSON object, or does not say which proposal or
    community it concerns, is left out; one whose ``validFrom`` cannot be
    read is kept (the tally judges it).

    Spec: docs/tallies.md (Inputs)

    Raises:
        ParsingError, MalformedValueError: ``proposal`` is not a proposal.
    """
    read = read_proposal(proposal)
    cid, community = read.cid, read.community
    chosen: dict[str, JsonObject] = {}
    for item in pool:
        if not isinstance(item, dict) or not _concerns(item, cid, community):
            continue
        if _later(item.get("validFrom"), read.closes):
            continue
        try:
            key = object_cid(item)
        except SSIError:
            continue
        chosen.setdefault(key, item)
    return list(chosen.values())


def _concerns(item: JsonObject, proposal: str, community: str) -> bool:
    kinds = _types(item.get("type"))
    subject = item.get("credentialSubject")
    if kinds & _BY_PROPOSAL:
        return isinstance(subject, dict) and subject.get("proposal") == proposal
    if kinds & _BY_COMMUNITY:
        return isinstance(subject, dict) and subject.get("community") == community
    if kinds & _ISSUED_BY_COMMUNITY:
        issuer = item.get("issuer")
        if isinstance(issuer, dict):
            issuer = issuer.get("id")
        return issuer == community
    return False


def _later(value: JsonValue, closes: datetime) -> bool:
    try:
        when = parse_date_time(value, require_timezone=False, path="$.validFrom")
    except SSIError:
        return False
    return when > closes


def _types(value: JsonValue) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, list):
        return frozenset(v for v in value if isinstance(v, str))
    return frozenset()
