"""Ballot and delegation credentials: built, read back, refused with paths."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from ssi.cid import object_cid
from ssi.errors import InvalidCIDError, MalformedValueError
from ssi.social.ballot import (
    ballot_credential,
    delegation_credential,
    read_ballot,
    read_delegation,
)

VOTER = "did:example:voter"
OTHER = "did:example:other"
COMMUNITY = "did:example:community"
PROPOSAL = object_cid({"proposal": 1})
AT = datetime(2026, 3, 12, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("choice", "read"),
    [
        ("a", "a"),
        (["a", "c", "b"], ("a", "c", "b")),
        ([], ()),
        ({"b": 2, "a": 5}, (("a", 5), ("b", 2))),
    ],
)
def test_every_choice_shape_round_trips(choice, read):
    credential = ballot_credential(VOTER, PROPOSAL, choice, cast_at=AT)
    assert credential["credentialSubject"] == {
        "type": "Ballot",
        "proposal": PROPOSAL,
        "choice": choice,
    }
    ballot = read_ballot(credential)
    assert (ballot.voter, ballot.proposal, ballot.choice, ballot.cast_at) == (
        VOTER,
        PROPOSAL,
        read,
        AT,
    )
    assert ballot.choice_json() == (
        choice if choice != {"b": 2, "a": 5} else {"a": 5, "b": 2}
    )


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        (["a", "a"], r"choice\[1\] repeats"),
        (3, "must be an option id"),
        ({"a": -1}, "between 0"),
        ({"a": 1.5}, "must be an integer"),
        ({"a": True}, "must be an integer"),
        ("", "must not be empty"),
        (["a", 7], r"choice\[1\] must be a string"),
    ],
)
def test_choices_of_no_shape_are_refused_with_their_path(choice, message):
    with pytest.raises(MalformedValueError, match=message) as caught:
        ballot_credential(VOTER, PROPOSAL, choice, cast_at=AT)
    assert "$.credentialSubject.choice" in caught.value.detail


def test_a_ballot_needs_a_proposal_cid_and_its_own_type():
    with pytest.raises(InvalidCIDError, match="proposal"):
        ballot_credential(VOTER, "not-a-cid", "a", cast_at=AT)
    credential = ballot_credential(VOTER, PROPOSAL, "a", cast_at=AT)
    wrong = copy.deepcopy(credential)
    wrong["credentialSubject"]["type"] = "Signal"
    with pytest.raises(MalformedValueError, match="type must be Ballot"):
        read_ballot(wrong)
    missing = copy.deepcopy(credential)
    del missing["credentialSubject"]["choice"]
    with pytest.raises(MalformedValueError, match="choice is required"):
        read_ballot(missing)


def test_delegations_and_withdrawals():
    given = delegation_credential(VOTER, COMMUNITY, OTHER, tag="budget", at=AT)
    read = read_delegation(given)
    assert (read.delegator, read.delegate, read.tag, read.withdrawn) == (
        VOTER,
        OTHER,
        "budget",
        False,
    )
    withdrawal = delegation_credential(VOTER, COMMUNITY, None, at=AT)
    assert withdrawal["credentialSubject"] == {
        "type": "Delegation",
        "community": COMMUNITY,
        "withdrawn": True,
    }
    assert read_delegation(withdrawal).withdrawn


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"delegate": VOTER}, "cannot delegate to themself"),
        ({"delegate": "nobody"}, "delegate must be a DID"),
        ({"withdrawn": False}, "withdrawn must be true"),
        ({"withdrawn": True}, "must be absent from a withdrawal"),
        ({"tag": ""}, "tag must not be empty"),
    ],
)
def test_bad_delegations_are_refused(change, message):
    credential = delegation_credential(VOTER, COMMUNITY, OTHER, at=AT)
    credential["credentialSubject"].update(change)
    with pytest.raises(MalformedValueError, match=message):
        read_delegation(credential)
