"""The constitution in force: the genesis ratified under its own rules, each
later version by a passed amendment counted under the one it replaces."""

from __future__ import annotations

import copy
import dataclasses
from datetime import timedelta

import pytest

import ssi
from ssi.cid import object_cid
from ssi.errors import ConstitutionNotInForceError
from ssi.social.tally import compute_tally, tally_credential
from ssi.social.tally_constitution import constitution_in_force, next_constitution
from tests.unit.social.tally.world import CLOSES, World, key, sign

TALLIER = key(60)


def ratify(world, constitution, rules, choices):
    """An amendment proposing ``rules`` under ``constitution`` (None: the
    genesis), voted with ``choices``, tallied and signed."""
    proposal = world.proposal(
        kind="amendment",
        amendment=rules,
        constitution=None if constitution is None else object_cid(constitution),
    )
    words = {"y": "yes", "n": "no"}
    ballots = [world.ballot(i, proposal, words[c]) for i, c in enumerate(choices)]
    result = compute_tally(
        proposal, world.inputs(proposal, ballots), constitution=constitution
    )
    tally = sign(
        tally_credential(
            ssi.did_key(TALLIER), result, issued_at=CLOSES + timedelta(hours=1)
        ),
        TALLIER,
    )
    return proposal, result, tally


@pytest.fixture(scope="module")
def chain():
    world = World()
    genesis_p, genesis_r, genesis_t = ratify(world, None, world.rules, "yyyyyn")
    assert genesis_r.passed
    genesis = sign(next_constitution(genesis_t, genesis_p, None), world.community_key)
    amended = copy.deepcopy(world.rules)
    amended["revoting"] = False
    second_p, second_r, second_t = ratify(world, genesis, amended, "yyyyyy")
    assert second_r.passed
    second = sign(next_constitution(second_t, second_p, genesis), world.community_key)
    return world, [genesis, second], [genesis_t, second_t], [genesis_p, second_p]


def test_the_chain_from_the_genesis(chain):
    world, constitutions, tallies, proposals = chain
    found = constitution_in_force(
        constitutions, tallies, proposals, community=world.community
    )
    assert found.chain == tuple(object_cid(c) for c in constitutions)
    assert found.in_force == object_cid(constitutions[1])
    assert found.refused == ()
    assert constitutions[1]["credentialSubject"]["version"] == 2
    assert constitutions[1]["credentialSubject"]["replaces"] == object_cid(
        constitutions[0]
    )


def test_the_genesis_alone_is_in_force_without_the_second_tally(chain):
    world, constitutions, tallies, proposals = chain
    found = constitution_in_force(
        constitutions, tallies[:1], proposals, community=world.community
    )
    assert found.in_force == object_cid(constitutions[0])
    assert found.refused == (
        (
            object_cid(constitutions[1]),
            "the tally it cites (ratifiedBy) is not given.",
        ),
    )


def test_a_failed_amendment_yields_no_constitution(chain):
    world, constitutions, _, _ = chain
    rules = copy.deepcopy(world.rules)
    rules["delegation"] = False
    proposal, result, tally = ratify(world, constitutions[1], rules, "yyynnn")
    assert not result.passed
    with pytest.raises(ConstitutionNotInForceError, match="did not pass"):
        next_constitution(tally, proposal, constitutions[1])


def test_a_constitution_whose_rules_were_not_voted_is_refused(chain):
    world, constitutions, tallies, proposals = chain
    forged = copy.deepcopy(constitutions[1])
    forged.pop("proof")
    forged["credentialSubject"]["rules"]["revoting"] = True
    forged["credentialSubject"]["rules"]["preamble"] = "The stewards decide."
    forged = sign(forged, world.community_key)
    found = constitution_in_force(
        [constitutions[0], forged], tallies, proposals, community=world.community
    )
    assert found.in_force == object_cid(constitutions[0])
    assert found.refused == (
        (object_cid(forged), "its rules are not those the amendment proposed."),
    )


def test_nothing_in_force(chain):
    world, constitutions, _, proposals = chain
    with pytest.raises(ConstitutionNotInForceError, match="not given"):
        constitution_in_force(constitutions, [], proposals, community=world.community)
    other = World()
    other.community_key = key(3)
    with pytest.raises(ConstitutionNotInForceError, match="not issued by"):
        constitution_in_force(
            constitutions, [], proposals, community=ssi.did_key(key(3))
        )


def test_a_forged_tally_ratifies_nothing_once_recounted(chain):
    world, constitutions, tallies, proposals = chain
    rules = copy.deepcopy(world.rules)
    rules["preamble"] = "The stewards decide everything."
    proposal = world.proposal(
        kind="amendment", amendment=rules, constitution=object_cid(constitutions[1])
    )
    ballots = [world.ballot(i, proposal, c) for i, c in enumerate(["yes", "no", "no"])]
    inputs = world.inputs(proposal, ballots)
    honest = compute_tally(proposal, inputs, constitution=constitutions[1])
    assert not honest.passed
    lie = dataclasses.replace(honest, passed=True, threshold_met=True)
    tally = sign(
        tally_credential(
            ssi.did_key(TALLIER), lie, issued_at=CLOSES + timedelta(hours=1)
        ),
        TALLIER,
    )
    third = sign(
        next_constitution(tally, proposal, constitutions[1]), world.community_key
    )
    everything = [*constitutions, third]
    # Taken as signed, the lie goes through: the reason inputs= exists.
    trusting = constitution_in_force(
        everything, [*tallies, tally], [*proposals, proposal], community=world.community
    )
    assert trusting.in_force == object_cid(third)
    recounted = constitution_in_force(
        everything,
        [*tallies, tally],
        [*proposals, proposal],
        community=world.community,
        inputs=[*inputs, *_all_inputs(world, proposals)],
    )
    assert recounted.in_force == object_cid(constitutions[1])
    ((cid, why),) = recounted.refused
    assert cid == object_cid(third)
    assert why.startswith("the tally it cites does not match its inputs")
    assert "passed" in why


def _all_inputs(world, proposals):
    """The inputs of the chain fixture's two votes, as ratify cast them."""
    found = []
    for proposal, choices in zip(proposals, ["yyyyyn", "yyyyyy"], strict=True):
        words = {"y": "yes", "n": "no"}
        ballots = [world.ballot(i, proposal, words[c]) for i, c in enumerate(choices)]
        found.extend(world.inputs(proposal, ballots))
    return found


def test_a_version_cannot_take_effect_before_its_vote_closed(chain):
    world, constitutions, tallies, proposals = chain
    with pytest.raises(ConstitutionNotInForceError, match="before the vote"):
        next_constitution(
            tallies[1],
            proposals[1],
            constitutions[0],
            valid_from=CLOSES - timedelta(hours=1),
        )
    early = copy.deepcopy(constitutions[1])
    early.pop("proof")
    early["validFrom"] = "2000-01-01T00:00:00Z"
    early = sign(early, world.community_key)
    found = constitution_in_force(
        [constitutions[0], early], tallies, proposals, community=world.community
    )
    assert found.in_force == object_cid(constitutions[0])
    assert found.refused == (
        (object_cid(early), "it takes effect before the vote that ratified it closed."),
    )
