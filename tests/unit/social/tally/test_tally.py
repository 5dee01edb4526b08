"""compute_tally: one case per rejection reason, eligibility as of the close,
revoting, quorum and threshold, order independence, and the same result on
one and two processes."""

from __future__ import annotations

import copy
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssi.cid import object_cid
from ssi.errors import InvalidConstitutionError, TallyError
from ssi.social.tally import compute_tally
from ssi.social.tally_result import REJECTION_CODES
from tests.unit.social.tally.world import CLOSES, OPENS, T0, World, key, sign

CHOICES = "aabbca"


def tally(world, proposal, ballots, extra=(), **options):
    return compute_tally(
        proposal,
        world.inputs(proposal, ballots, extra),
        constitution=world.constitution,
        **options,
    )


def plain_ballots(world, proposal):
    return [world.ballot(i, proposal, c) for i, c in enumerate(CHOICES)]


# One case per rejection reason: each builds one extra ballot (after possibly
# changing the world) and names the code it must get.


def unreadable(world, proposal):
    ballot = world.ballot(5, proposal, "a", at=OPENS + timedelta(days=2))
    del ballot["credentialSubject"]["proposal"]
    return ballot


def wrong_proposal(world, proposal):
    return world.ballot(5, world.proposal(title="Another"), "a")


def bad_signature(world, proposal):
    ballot = world.ballot(5, proposal, "a", at=OPENS + timedelta(days=2))
    ballot["credentialSubject"]["choice"] = "b"
    return ballot


def not_member(world, proposal):
    outsider = key(999)
    world.keys.append(outsider)
    world.members.append(__import__("ssi").did_key(outsider))
    return world.ballot(len(world.members) - 1, proposal, "a")


def revoked(world, proposal):
    world.revoke(5)
    return None


def suspended(world, proposal):
    world.suspend(5)
    return None


def status_unknown(world, proposal):
    other = World(size=1)
    other.community_key = world.community_key
    outsider = key(998)
    world.keys.append(outsider)
    world.members.append(__import__("ssi").did_key(outsider))
    membership = world.membership(0, did=world.members[-1])
    membership_doc = copy.deepcopy(membership)
    for entry in membership_doc["credentialStatus"]:
        entry["statusListCredential"] = "https://agora.example/status/elsewhere"
    world.memberships.append(sign(_unsigned(membership_doc), world.community_key))
    return world.ballot(len(world.members) - 1, proposal, "a")


def _unsigned(document):
    document = dict(document)
    document.pop("proof", None)
    return document


def outside_window(world, proposal):
    return world.ballot(5, proposal, "a", at=CLOSES + timedelta(seconds=1))


def malformed_choice(world, proposal):
    return world.ballot(5, proposal, "z", at=OPENS + timedelta(days=2))


def superseded(world, proposal):
    return world.ballot(
        5, proposal, "a", at=OPENS - timedelta(days=1) + timedelta(days=1)
    )


CASES = {
    "unreadable": unreadable,
    "wrongProposal": wrong_proposal,
    "badSignature": bad_signature,
    "notMember": not_member,
    "revoked": revoked,
    "suspended": suspended,
    "statusUnknown": status_unknown,
    "outsideWindow": outside_window,
    "malformedChoice": malformed_choice,
    "superseded": superseded,
}


def test_the_table_covers_every_reason():
    assert set(CASES) == set(REJECTION_CODES)


@pytest.mark.parametrize("code", list(CASES))
def test_failure_table(code):
    world = World()
    proposal = world.proposal()
    ballots = plain_ballots(world, proposal)
    extra = CASES[code](world, proposal)
    if extra is not None:
        ballots.append(extra)
        target = object_cid(extra)
    else:
        target = object_cid(ballots[5])
    result = tally(world, proposal, ballots)
    rejected = {r.cid: r.code for r in result.rejected}
    if code == "superseded":
        # The extra ballot is the earlier one: the later one (hour 6) counts.
        assert rejected == {target: "superseded"}
        assert object_cid(ballots[5]) in result.counted
        return
    assert rejected == {target: code}
    assert target not in result.counted
    expected = 5 if code in ("revoked", "suspended") else 6
    assert len(result.counted) == expected


def test_without_revoting_the_first_ballot_counts():
    rules = copy.deepcopy(World().rules)
    rules["revoting"] = False
    world = World(rules=rules)
    proposal = world.proposal()
    first = world.ballot(0, proposal, "c", at=OPENS + timedelta(hours=1))
    later = world.ballot(0, proposal, "a", at=OPENS + timedelta(hours=9))
    result = tally(world, proposal, [first, later])
    assert result.counted == (object_cid(first),)
    assert [(r.cid, r.code) for r in result.rejected] == [
        (object_cid(later), "superseded")
    ]


def test_status_as_of_the_close_uses_the_latest_list_not_after_it():
    world = World()
    proposal = world.proposal()
    before = world.status_lists(valid_from=T0)
    world.revoke(0)
    after = world.status_lists(valid_from=CLOSES + timedelta(days=1))
    ballots = plain_ballots(world, proposal)
    result = compute_tally(
        proposal,
        [*world.memberships, *before, *after, *world.signals(proposal), *ballots],
        constitution=world.constitution,
    )
    assert not result.rejected  # the revocation came after the close
    world.revoke(1)
    at_close = world.status_lists(valid_from=CLOSES)
    result = compute_tally(
        proposal,
        [*world.memberships, *before, *at_close, *world.signals(proposal), *ballots],
        constitution=world.constitution,
    )
    assert {r.code for r in result.rejected} == {"revoked"}
    assert len(result.rejected) == 2


def test_an_expired_membership_is_no_membership():
    world = World()
    world.memberships[4] = world.membership(4, valid_until=CLOSES)
    proposal = world.proposal()
    result = tally(world, proposal, plain_ballots(world, proposal))
    assert [r.code for r in result.rejected] == ["notMember"]
    assert result.eligible == 5


def test_quorum_threshold_and_passing():
    world = World(size=9)
    proposal = world.proposal()
    ballots = [world.ballot(i, proposal, "a") for i in range(2)]
    result = tally(world, proposal, ballots)
    assert (result.turnout, result.quorum_met) == (Fraction(2, 9), False)
    assert result.support == 1
    assert result.threshold_met
    assert not result.passed
    ballots.append(world.ballot(2, proposal, "a"))
    result = tally(world, proposal, ballots)
    assert result.quorum_met
    assert result.passed
    assert result.to_json()["quorum"] == {
        "required": "1/3",
        "turnout": "1/3",
        "met": True,
    }


def test_an_invalid_proposal_is_not_counted():
    world = World()
    proposal = world.proposal()
    inputs = [*world.memberships, *world.status_lists(), *world.signals(proposal)[:1]]
    result = compute_tally(proposal, inputs, constitution=world.constitution)
    assert not result.proposal_valid
    assert result.count is None
    assert not result.passed
    assert [code for code, _ in result.proposal_problems] == ["notEnoughSignals"]


def test_a_proposal_with_a_bad_signature_is_invalid():
    world = World()
    proposal = world.proposal()
    inputs = world.inputs(proposal)
    proposal["credentialSubject"]["title"] = "Changed"
    result = compute_tally(proposal, inputs, constitution=world.constitution)
    assert result.proposal_problems[0][0] == "badSignature"


def test_the_constitution_must_be_the_one_cited():
    world = World()
    proposal = world.proposal()
    other = copy.deepcopy(world.constitution)
    other["credentialSubject"]["version"] = 2
    with pytest.raises(TallyError, match="not the one the proposal cites"):
        compute_tally(proposal, [], constitution=other)
    with pytest.raises(TallyError, match="give it"):
        compute_tally(proposal, [], constitution=None)


def test_inputs_not_used_are_listed_with_a_reason():
    world = World()
    proposal = world.proposal()
    foreign = World()
    foreign.community_key = key(2)
    stray_signal = world.signals(world.proposal(title="Other"))[0]
    bad_membership = copy.deepcopy(world.memberships[0])
    bad_membership["validFrom"] = "2026-01-02T00:00:00Z"
    other = sign(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": world.members[0],
            "credentialSubject": {"id": world.members[1]},
        },
        world.keys[0],
    )
    result = tally(
        world,
        proposal,
        plain_ballots(world, proposal),
        [stray_signal, bad_membership, other],
    )
    assert {(i.cid, i.kind, i.code) for i in result.ignored} == {
        (object_cid(stray_signal), "signal", "wrongProposal"),
        (object_cid(bad_membership), "membership", "badSignature"),
        (object_cid(other), "other", "unknownType"),
    }


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.randoms(use_true_random=False))
def test_any_input_order_gives_byte_identical_results(order):
    world = World()
    proposal = world.proposal()
    ballots = plain_ballots(world, proposal)
    ballots.append(world.ballot(0, proposal, "c", at=OPENS + timedelta(hours=8)))
    ballots.append(world.delegation(3, 0))
    inputs = world.inputs(proposal, ballots)
    expected = compute_tally(proposal, inputs, constitution=world.constitution)
    shuffled = list(inputs) + inputs[:3]  # duplicates count once
    order.shuffle(shuffled)
    again = compute_tally(proposal, shuffled, constitution=world.constitution)
    assert again.canonical_bytes() == expected.canonical_bytes()
    assert again.inputs == expected.inputs


def test_one_and_two_processes_give_the_same_result():
    world = World()
    proposal = world.proposal()
    inputs = world.inputs(proposal, plain_ballots(world, proposal))
    here = compute_tally(proposal, inputs, constitution=world.constitution)
    with ProcessPoolExecutor(max_workers=2) as pool:
        there = compute_tally(
            proposal,
            inputs,
            constitution=world.constitution,
            executor=pool,
            chunk_size=3,
        )
    assert there.canonical_bytes() == here.canonical_bytes()


def test_delegation_in_a_tally():
    world = World(size=8)
    proposal = world.proposal(tags=["budget"])
    ballots = [world.ballot(0, proposal, "a"), world.ballot(1, proposal, "b")]
    delegations = [
        world.delegation(2, 3),  # 2 -> 3 -> 0: a chain
        world.delegation(3, 0),
        world.delegation(4, 1, tag="budget"),  # scoped to the proposal's tag
        world.delegation(4, 0),
        world.delegation(5, 6),  # 5 <-> 6: a cycle
        world.delegation(6, 5),
        world.delegation(1, 0),  # overridden by 1's own ballot
    ]
    result = tally(world, proposal, [*ballots, *delegations])
    assert result.count["totals"] == {"a": 3, "b": 2, "c": 0}
    assert result.counted_weight == 5
    assert result.delegated == 3
    members = world.members
    assert result.cycles == (tuple(sorted([members[5], members[6]])),)
    assert {(x.delegator, x.reason) for x in result.lost} == {
        (members[5], "cycle"),
        (members[6], "cycle"),
    }
    off = copy.deepcopy(world.rules)
    off["delegation"] = False
    plain = World(size=8, rules=off)
    proposal = plain.proposal(tags=["budget"])
    result = tally(
        plain,
        proposal,
        [plain.ballot(0, proposal, "a"), plain.delegation(2, 0)],
    )
    assert result.counted_weight == 1
    assert [i.code for i in result.ignored] == ["delegationOff"]


@pytest.mark.parametrize(
    ("rule", "support", "passes"),
    [
        ("none", None, True),
        (">1/2", Fraction(1, 2), False),
        (">1/2", Fraction(501, 1000), True),
        (">=2/3", Fraction(2, 3), True),
        (">=2/3", Fraction(665, 1000), False),
        (">=0.5", Fraction(1, 2), True),
        (">1/2", None, False),
    ],
)
def test_thresholds(rule, support, passes):
    from ssi.social.tally_rules import threshold_passes

    assert threshold_passes(rule, support) is passes


@pytest.mark.parametrize("rule", ["1/2", ">x", "=>1/2", ">1/0"])
def test_a_threshold_of_no_form_is_refused(rule):
    from ssi.social.tally_rules import threshold_passes

    with pytest.raises(InvalidConstitutionError, match="threshold"):
        threshold_passes(rule, Fraction(1))


def test_roles_and_several_memberships():
    from ssi.social.tally_eligibility import Electorate
    from ssi.social.tally_inputs import check_inputs, tally_verifier

    world = World(size=2)
    steward = world.membership(0, role="steward")
    world.revoke(1)
    inputs = [*world.memberships, steward, *world.status_lists()]
    checked = check_inputs(inputs, verifier=tally_verifier(at=CLOSES))
    electorate = Electorate(world.community, checked)
    # Both start at T0: the larger CID gives the role.
    later = max(object_cid(steward), object_cid(world.memberships[0]))
    expected = "steward" if later == object_cid(steward) else "member"
    assert electorate.standing(world.members[0], CLOSES).role == expected
    assert electorate.role(world.members[0], CLOSES) == expected
    assert electorate.standing(world.members[1], CLOSES).code == "revoked"
    assert electorate.standing("did:example:nobody", CLOSES).code == "notMember"
    assert electorate.count(CLOSES) == 1
    assert electorate.members() == sorted(world.members)
    # Before the membership's validFrom, no membership.
    assert electorate.standing(world.members[0], T0 - timedelta(days=1)).code == (
        "notMember"
    )


def test_the_stored_result_is_recomputed_byte_for_byte():
    from tests.vectors import load

    world = World(size=8)
    proposal = world.proposal(tags=["budget"])
    ballots = [world.ballot(i, proposal, c) for i, c in enumerate("aabca")]
    ballots.append(world.ballot(0, proposal, "c", at=OPENS + timedelta(hours=9)))
    ballots += [world.delegation(5, 0), world.delegation(6, 7), world.delegation(7, 6)]
    inputs = world.inputs(proposal, ballots)
    result = compute_tally(proposal, inputs[::-1], constitution=world.constitution)
    assert result.canonical_bytes() == load.data("tally", "world-result.json")


def test_a_did_agora_voter_is_verified_from_the_logs_given():
    from ssi.agora import create_entry, signing_document
    from ssi.keys import LocalSigner
    from ssi.social.ballot import ballot_credential

    world = World()
    update, signing = key(700), key(701)
    did, first = create_entry(
        update, [key(702).public_key], signing_document(signing.public_key), when=T0
    )
    world.memberships.append(world.membership(0, did=did))
    proposal = world.proposal()
    ballot = ssi_issue(
        ballot_credential(did, object_cid(proposal), "c", cast_at=OPENS),
        LocalSigner(signing, f"{did}#key-1"),
    )
    inputs = world.inputs(proposal, [ballot])
    counted = compute_tally(
        proposal, inputs, constitution=world.constitution, logs={did: [[first]]}
    )
    assert counted.counted == (object_cid(ballot),)
    without = compute_tally(proposal, inputs, constitution=world.constitution)
    assert [(r.cid, r.code) for r in without.rejected] == [
        (object_cid(ballot), "badSignature")
    ]


def ssi_issue(credential, signer):
    import ssi

    return ssi.issue(credential, signer, created="2026-03-11T00:00:00Z")


def test_junk_inputs_are_listed_not_raised():
    world = World()
    proposal = world.proposal()
    junk = [
        1,
        "text",
        None,
        [],
        {},
        {"type": "Ballot"},
        {"type": ["VerifiableCredential", "Ballot"], "credentialSubject": 5},
        {"type": ["VerifiableCredential", "MembershipCredential"], "issuer": 7},
        {"type": ["VerifiableCredential", "Delegation"], "proof": "x"},
    ]
    result = tally(world, proposal, plain_ballots(world, proposal), junk)
    assert len(result.counted) == 6
    codes = {i.cid: (i.kind, i.code) for i in result.ignored}
    rejected = {r.cid: r.code for r in result.rejected}
    for item in junk[4:]:
        cid = object_cid(item)
        assert codes.get(cid, ("ballot", rejected.get(cid))) in {
            ("other", "unknownType"),
            ("ballot", "unreadable"),
            ("membership", "unreadable"),
            ("delegation", "unreadable"),
        }


class _BrokenExecutor:
    """An executor whose every task fails, or cannot even be submitted."""

    def __init__(self, *, refuse: bool) -> None:
        self.refuse = refuse

    def submit(self, fn, *args):
        from concurrent.futures import Future

        if self.refuse:
            raise RuntimeError("cannot ship")
        future = Future()
        future.set_exception(RuntimeError("worker died"))
        return future


@pytest.mark.parametrize("refuse", [True, False])
def test_chunks_an_executor_fails_are_checked_here(refuse):
    world = World()
    proposal = world.proposal()
    inputs = world.inputs(proposal, plain_ballots(world, proposal))
    here = compute_tally(proposal, inputs, constitution=world.constitution)
    there = compute_tally(
        proposal,
        inputs,
        constitution=world.constitution,
        executor=_BrokenExecutor(refuse=refuse),
        chunk_size=4,
    )
    assert there.canonical_bytes() == here.canonical_bytes()
