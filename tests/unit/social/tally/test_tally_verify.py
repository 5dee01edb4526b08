"""verify_tally finds every tampering precisely; voters prove inclusion."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from ssi.cid import object_cid
from ssi.errors import InclusionProofError, TallyError, TallyMismatchError
from ssi.social.tally import compute_tally, read_tally, tally_credential
from ssi.social.tally_verify import (
    Difference,
    InclusionProof,
    inclusion_proof,
    verify_inclusion,
    verify_tally,
)
from tests.unit.social.tally.world import CLOSES, World, key, sign

TALLIER = key(50)
SUBJECT = "$.credentialSubject"


@pytest.fixture(scope="module")
def setup():
    world = World()
    proposal = world.proposal()
    ballots = [world.ballot(i, proposal, c) for i, c in enumerate("aabbca")]
    inputs = world.inputs(proposal, ballots)
    result = compute_tally(proposal, inputs, constitution=world.constitution)
    unsigned = tally_credential(
        __import__("ssi").did_key(TALLIER),
        result,
        issued_at=CLOSES + timedelta(hours=1),
    )
    return world, proposal, inputs, result, unsigned


def check(setup, unsigned):
    world, proposal, inputs, _, _ = setup
    return verify_tally(
        sign(unsigned, TALLIER), proposal, inputs, constitution=world.constitution
    )


def test_an_honest_tally_verifies(setup):
    outcome = check(setup, setup[4])
    assert outcome.verified
    assert outcome.signed
    assert outcome.differences == ()
    outcome.raise_for_differences()


def test_one_count_changed(setup):
    changed = copy.deepcopy(setup[4])
    totals = changed["credentialSubject"]["result"]["count"]["totals"]
    totals["a"] += 1
    outcome = check(setup, changed)
    assert outcome.signed
    assert not outcome.verified
    assert outcome.differences == (
        Difference(f"{SUBJECT}.result.count.totals.a", 3, 4),
    )
    with pytest.raises(TallyMismatchError) as caught:
        outcome.raise_for_differences()
    assert caught.value.code == "tallyMismatch"
    assert caught.value.differences == (
        f"{SUBJECT}.result.count.totals.a: expected 3, found 4",
    )


def test_one_ballot_cid_dropped(setup):
    changed = copy.deepcopy(setup[4])
    counted = changed["credentialSubject"]["result"]["counted"]
    dropped = counted.pop(2)
    outcome = check(setup, changed)
    assert outcome.differences == (
        Difference(f"{SUBJECT}.result.counted.length", 6, 5),
        Difference(f"{SUBJECT}.result.counted[{dropped}]", dropped, "(absent)"),
    )


def test_a_different_merkle_root(setup):
    changed = copy.deepcopy(setup[4])
    real = changed["credentialSubject"]["ballotRoot"]
    changed["credentialSubject"]["ballotRoot"] = "00" * 32
    outcome = check(setup, changed)
    assert outcome.differences == (
        Difference(f"{SUBJECT}.ballotRoot", real, "00" * 32),
    )


def test_an_input_left_out_and_a_count_of_ballots(setup):
    changed = copy.deepcopy(setup[4])
    inputs = changed["credentialSubject"]["inputs"]
    gone = inputs.pop(0)
    changed["credentialSubject"]["countedBallots"] = 7
    outcome = check(setup, changed)
    assert outcome.differences == (
        Difference(f"{SUBJECT}.inputs.length", len(inputs) + 1, len(inputs)),
        Difference(f"{SUBJECT}.inputs[{gone}]", gone, "(absent)"),
        Difference(f"{SUBJECT}.countedBallots", 6, 7),
    )


def test_a_changed_tally_without_a_new_signature(setup):
    world, proposal, inputs, _, unsigned = setup
    signed = sign(unsigned, TALLIER)
    signed["credentialSubject"]["result"]["passed"] = True
    outcome = verify_tally(signed, proposal, inputs, constitution=world.constitution)
    assert not outcome.signed
    assert not outcome.verified
    assert outcome.differences == (Difference(f"{SUBJECT}.result.passed", False, True),)


def test_every_counted_ballot_proves_its_inclusion(setup):
    _, _, _, result, unsigned = setup
    tally = sign(unsigned, TALLIER)
    for cid in result.counted:
        proof = inclusion_proof(tally, cid)
        verify_inclusion(proof, ballot_root=result.ballot_root)
        assert proof.to_json()["size"] == 6
        with pytest.raises(InclusionProofError):
            verify_inclusion(
                InclusionProof(
                    object_cid({"x": 1}),
                    proof.index,
                    proof.size,
                    proof.path,
                    proof.root,
                ),
                ballot_root=result.ballot_root,
            )
    with pytest.raises(InclusionProofError, match="another ballot root"):
        verify_inclusion(proof, ballot_root="11" * 32)


def test_no_proof_for_a_ballot_not_counted(setup):
    _, _, _, _, unsigned = setup
    with pytest.raises(TallyError, match="does not count"):
        inclusion_proof(unsigned, object_cid({"not": "counted"}))
    changed = copy.deepcopy(unsigned)
    changed["credentialSubject"]["ballotRoot"] = "00" * 32
    with pytest.raises(TallyError, match="do not give its ballotRoot"):
        inclusion_proof(
            read_tally(changed), unsigned["credentialSubject"]["result"]["counted"][0]
        )


def test_a_changed_winner_is_reported_whole(setup):
    changed = copy.deepcopy(setup[4])
    changed["credentialSubject"]["result"]["count"]["winners"] = ["b"]
    outcome = check(setup, changed)
    assert outcome.differences == (
        Difference(f"{SUBJECT}.result.count.winners", ["a"], ["b"]),
    )


def test_a_cid_replaced_in_counted_is_named(setup):
    changed = copy.deepcopy(setup[4])
    counted = changed["credentialSubject"]["result"]["counted"]
    gone = counted[0]
    other = object_cid({"forged": 1})
    counted[0] = other
    counted.sort()
    outcome = check(setup, changed)
    assert outcome.differences == tuple(
        sorted(
            [
                Difference(f"{SUBJECT}.result.counted[{gone}]", gone, "(absent)"),
                Difference(f"{SUBJECT}.result.counted[{other}]", "(absent)", other),
            ],
            key=lambda d: d.path,
        )
    )
