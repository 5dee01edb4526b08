"""select_inputs: a recount from a pool takes exactly the proposal's inputs,
so other votes in the same pool change nothing and a ballot the tallier left
out is found."""

from __future__ import annotations

from datetime import timedelta

import ssi
from ssi.cid import object_cid
from ssi.social import select_inputs
from ssi.social.tally import compute_tally, tally_credential
from ssi.social.tally_verify import verify_tally
from tests.unit.social.tally.world import CLOSES, World, key, sign

TALLIER = key(61)


def test_the_pool_gives_exactly_the_inputs():
    world = World()
    proposal = world.proposal()
    other = world.proposal(title="Another vote")
    ballots = [world.ballot(i, proposal, "a") for i in range(3)]
    elsewhere = [world.ballot(i, other, "b") for i in range(3)]
    foreign = []
    for document in (*world.memberships[:2], *world.status_lists()):
        moved = {k: v for k, v in document.items() if k != "proof"}
        moved["issuer"] = ssi.did_key(key(7))
        foreign.append(sign(moved, key(7)))
    inputs = world.inputs(proposal, ballots)
    pool = [
        *elsewhere,
        *world.signals(other),
        *foreign,
        proposal,
        {"not": "a credential"},
        [1, 2],
        "text",
        *inputs,
        *inputs,
    ]
    chosen = select_inputs(proposal, pool)
    assert sorted(object_cid(c) for c in chosen) == sorted(
        {object_cid(i) for i in inputs}
    )


def test_a_recount_from_a_pool_matches_and_finds_a_left_out_ballot():
    world = World()
    proposal = world.proposal()
    other = world.proposal(title="Another vote")
    ballots = [world.ballot(i, proposal, c) for i, c in enumerate("aab")]
    inputs = world.inputs(proposal, ballots)
    pool = [*inputs, *(world.ballot(i, other, "c") for i in range(4))]
    constitution = world.constitution

    def signed(given):
        result = compute_tally(proposal, given, constitution=constitution)
        credential = tally_credential(ssi.did_key(TALLIER), result, issued_at=CLOSES)
        return sign(credential, TALLIER)

    honest = signed(inputs)
    outcome = verify_tally(
        honest, proposal, select_inputs(proposal, pool), constitution=constitution
    )
    assert outcome.verified
    censored = signed([i for i in inputs if i is not ballots[2]])
    outcome = verify_tally(
        censored, proposal, select_inputs(proposal, pool), constitution=constitution
    )
    assert not outcome.verified
    paths = {d.path for d in outcome.differences}
    assert "$.credentialSubject.result.countedBallots" in paths


def test_nothing_dated_after_the_close_is_an_input():
    world = World()
    proposal = world.proposal()
    on_time = world.ballot(0, proposal, "a")
    late = world.ballot(1, proposal, "b", at=CLOSES + timedelta(seconds=1))
    later_lists = world.status_lists(valid_from=CLOSES + timedelta(days=1))
    newcomer = {k: v for k, v in world.membership(2).items() if k != "proof"} | {
        "validFrom": "2099-01-01T00:00:00Z"
    }
    pool = [on_time, late, *later_lists, sign(newcomer, world.community_key)]
    assert select_inputs(proposal, pool) == [on_time]
