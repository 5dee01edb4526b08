"""Moderator mandates: one test per soundness problem, with real signed
credentials (a did:key community; a 2-of-3 did:agora one for the steward
threshold), and a moderator's standing at chosen moments."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

import ssi
from ssi.cid import object_cid
from ssi.social import (
    MANDATE_PROBLEMS,
    STANDINGS,
    check_mandates,
    compute_tally,
    mandate_credential,
    tally_credential,
)
from tests.unit.agora.test_threshold import DID as STEWARDED
from tests.unit.agora.test_threshold import FIRST
from tests.unit.agora.test_threshold_credentials import steward
from tests.unit.social.tally.world import CLOSES, World, key, sign

ELECTED_AT = CLOSES + timedelta(hours=1)
START = CLOSES + timedelta(days=1)
END = START + timedelta(days=60)


class Election:
    """A community that elected members 1 and 2 moderators (2 seats, STV)."""

    def __init__(self) -> None:
        self.world = world = World(6)
        self.moderators = world.members[1], world.members[2]
        self.proposal = world.proposal(
            kind="election", method="stv", candidates=list(self.moderators), seats=2
        )
        self.ballots = [
            world.ballot(i, self.proposal, [self.moderators[i % 2]]) for i in range(6)
        ]
        self.inputs = world.inputs(self.proposal, self.ballots)
        self.result = compute_tally(
            self.proposal, self.inputs, constitution=world.constitution
        )
        assert self.result.passed
        self.tally = self.signed_tally()
        self.indexes = [world.revocation.allocate() for _ in range(3)]
        self.lists = world.status_lists()

    def signed_tally(self, change=None):
        unsigned = tally_credential(
            self.world.members[0], self.result, issued_at=ELECTED_AT
        )
        if change is not None:
            change(unsigned["credentialSubject"]["result"])
        return sign(unsigned, self.world.keys[0])

    def mandate(
        self,
        moderator=None,
        *,
        tally=None,
        start=START,
        end=END,
        index=0,
        signer=None,
        community=None,
    ):
        world = self.world
        unsigned = mandate_credential(
            community or world.community,
            moderator or self.moderators[0],
            election=object_cid(tally or self.tally),
            valid_from=start,
            valid_until=end,
            status=[world.revocation.entry(self.indexes[index])],
        )
        return sign(unsigned, signer or world.community_key)

    def pool(self, *mandates, leave_out=(), extra=()):
        documents = [
            *mandates,
            self.tally,
            self.proposal,
            self.world.constitution,
            *self.lists,
            *extra,
        ]
        return [d for d in documents if not any(d is x for x in leave_out)]

    def book(self, *mandates, recount=False, **pool):
        return check_mandates(
            self.pool(*mandates, **pool),
            community=self.world.community,
            recount=recount,
        )


@pytest.fixture(scope="module")
def election():
    return Election()


def only(book):
    (check,) = book.checks
    return check


# --- Soundness: one test per problem ------------------------------------------------


def test_a_mandate_of_an_elected_moderator_is_sound(election):
    mandate = election.mandate()
    check = only(election.book(mandate))
    assert check.sound, check.detail
    assert check.problem is None
    assert (check.cid, check.moderator) == (object_cid(mandate), election.moderators[0])
    assert check.mandate is not None
    assert check.mandate.election == object_cid(election.tally)


def test_a_recount_that_matches_keeps_the_mandate_sound(election):
    mandate = election.mandate()
    assert only(election.book(mandate, recount=True, extra=election.inputs)).sound


def test_unsigned(election):
    forged = election.mandate()
    forged["validUntil"] = "2026-04-20T00:00:00Z"  # after signing
    assert only(election.book(forged)).problem == "unsigned"


def test_not_community(election):
    other = key(7)
    mandate = election.mandate(community=ssi.did_key(other), signer=other)
    assert only(election.book(mandate)).problem == "notCommunity"


def test_no_election(election):
    mandate = election.mandate()
    book = election.book(mandate, leave_out=[election.tally])
    assert only(book).problem == "noElection"


def test_election_unsigned(election):
    tally = election.signed_tally()
    tally["validFrom"] = "2026-03-19T00:00:00Z"  # after signing
    book = election.book(election.mandate(tally=tally), extra=[tally])
    assert only(book).problem == "electionUnsigned"


def test_not_election(election):
    mandate = election.mandate()
    book = election.book(mandate, leave_out=[election.proposal])
    assert only(book).problem == "notElection"


def test_election_failed(election):
    tally = election.signed_tally(lambda result: result.update(passed=False))
    book = election.book(election.mandate(tally=tally), extra=[tally])
    assert only(book).problem == "electionFailed"


def test_not_elected(election):
    mandate = election.mandate(election.world.members[4])
    assert only(election.book(mandate)).problem == "notElected"


def test_recount_mismatch(election):
    outsider = election.world.members[4]
    tally = election.signed_tally(
        lambda result: result["count"].update(winners=[outsider])
    )
    mandate = election.mandate(outsider, tally=tally)
    assert only(election.book(mandate, extra=[tally])).sound  # taken as signed
    book = election.book(mandate, recount=True, extra=[tally, *election.inputs])
    assert only(book).problem == "recountMismatch"


def test_before_election(election):
    mandate = election.mandate(start=CLOSES - timedelta(hours=1))
    assert only(election.book(mandate)).problem == "beforeElection"


def test_no_constitution(election):
    mandate = election.mandate()
    book = election.book(mandate, leave_out=[election.world.constitution])
    assert only(book).problem == "noConstitution"


def test_a_recount_without_the_constitution_is_no_constitution(election):
    mandate = election.mandate()
    book = election.book(
        mandate,
        recount=True,
        leave_out=[election.world.constitution],
        extra=election.inputs,
    )
    assert only(book).problem == "noConstitution"


def test_past_term(election):
    mandate = election.mandate(end=START + timedelta(days=90, seconds=1))
    assert only(election.book(mandate)).problem == "pastTerm"
    exact = election.mandate(end=START + timedelta(days=90))
    assert only(election.book(exact)).sound


def test_every_problem_code_is_tested():
    tested = {
        name.removeprefix("test_").replace("_", "")
        for name in globals()
        if name.startswith("test_")
    }
    assert {code.lower() for code in MANDATE_PROBLEMS} <= tested


def test_one_steward_proof_of_a_two_of_three_community_is_unsigned(election):
    unsigned = mandate_credential(
        STEWARDED,
        election.moderators[0],
        election=object_cid(election.tally),
        valid_from=START,
        valid_until=END,
        status=[election.world.revocation.entry(election.indexes[0])],
    )
    one = ssi.cosign(unsigned, steward(1), created="2026-03-20T00:00:00Z")
    two = ssi.cosign(one, steward(3), created="2026-03-20T00:00:00Z")
    logs = {STEWARDED: [[FIRST]]}
    book = check_mandates([one], community=STEWARDED, logs=logs)
    assert only(book).problem == "unsigned"
    assert book.standing(election.moderators[0], START) == "invalidMandate"
    # With the second steward's proof the signature holds; the next check
    # then fails, as the pool holds no tally.
    book = check_mandates([two], community=STEWARDED, logs=logs)
    assert only(book).problem == "noElection"
    assert check_mandates([two], community=STEWARDED).checks[0].problem == "unsigned"


# --- Standing at a moment -------------------------------------------------------------


def test_standing_through_the_term(election):
    moderator = election.moderators[0]
    book = election.book(election.mandate())
    assert book.standing(moderator, START - timedelta(seconds=1)) == "notYetValid"
    assert book.standing(moderator, START) == "valid"
    assert book.standing(moderator, END - timedelta(seconds=1)) == "valid"
    assert book.standing(moderator, END) == "expired"
    assert book.moderators(START) == frozenset({moderator})
    assert book.moderators(END) == frozenset()
    assert book.mandate(moderator, START) is book.checks[0]
    assert book.mandate(moderator, END) is None


def test_revoked_from_the_list_version_that_sets_the_bit(election):
    world = election.world
    moderator = election.moderators[0]
    revoked_at = START + timedelta(days=5)
    state = copy.deepcopy(world.revocation)
    state.revoke(election.indexes[0])
    later = sign(
        state.credential(world.community, valid_from=revoked_at), world.community_key
    )
    book = election.book(election.mandate(), extra=[later])
    assert book.standing(moderator, revoked_at - timedelta(seconds=1)) == "valid"
    assert book.standing(moderator, revoked_at) == "revoked"
    assert book.standing(moderator, END + timedelta(days=1)) == "revoked"
    # A list version signed by someone else changes nothing.
    stranger = sign(
        state.credential(world.members[0], valid_from=revoked_at), world.keys[0]
    )
    tampered = copy.deepcopy(later)
    tampered["validFrom"] = "2026-03-20T00:00:00Z"  # backdated after signing
    book = election.book(election.mandate(), extra=[stranger, tampered])
    assert book.standing(moderator, revoked_at) == "valid"
    assert book.standing(moderator, START + timedelta(days=1)) == "valid"


def test_status_unknown_before_any_list_version(election):
    world = election.world
    moderator = election.moderators[0]
    published = START + timedelta(days=2)
    lists = world.status_lists(valid_from=published)
    book = election.book(election.mandate(), leave_out=election.lists, extra=lists)
    assert book.standing(moderator, START) == "statusUnknown"
    assert book.standing(moderator, published) == "valid"


def test_invalid_and_no_mandate(election):
    book = election.book(election.mandate(election.world.members[4]))
    assert book.standing(election.world.members[4], START) == "invalidMandate"
    assert book.standing(election.world.members[5], START) == "noMandate"
    assert book.mandate(election.world.members[4], START) is None


def test_a_sound_mandate_wins_over_an_unsound_one(election):
    moderator = election.moderators[0]
    sound = election.mandate()
    early = election.mandate(start=CLOSES - timedelta(hours=1), index=1)
    book = election.book(sound, early)
    assert sorted(check.problem or "" for check in book.checks) == [
        "",
        "beforeElection",
    ]
    assert book.standing(moderator, START) == "valid"
    assert book.mandate(moderator, START).cid == object_cid(sound)


def test_a_passed_recall_revokes_from_its_close(election):
    world = election.world
    mandate = election.mandate()
    recall = world.proposal(
        kind="recall", method="plurality", recalls=object_cid(mandate),
        title="Recall", opens=START + timedelta(days=1),
        closes=START + timedelta(days=8),
    )  # fmt: skip
    ballots = [
        world.ballot(i, recall, "yes", at=START + timedelta(days=2)) for i in range(4)
    ]
    inputs = world.inputs(recall, ballots)
    result = compute_tally(recall, inputs, constitution=world.constitution)
    assert result.passed
    tally = sign(
        tally_credential(world.members[0], result, issued_at=START + timedelta(days=9)),
        world.keys[0],
    )
    book = election.book(mandate, extra=[recall, tally])
    moderator = election.moderators[0]
    closes = START + timedelta(days=8)
    assert book.checks[0].recalled_at == closes
    assert book.standing(moderator, closes - timedelta(seconds=1)) == "valid"
    assert book.standing(moderator, closes) == "revoked"
    # Without the recall's tally nothing ends the mandate.
    assert election.book(mandate, extra=[recall]).standing(moderator, closes) == "valid"


def test_every_standing_is_a_declared_one(election):
    book = election.book(election.mandate())
    moments = [START - timedelta(days=30), START, END, END + timedelta(days=400)]
    dids = [*election.world.members, "did:example:nobody"]
    assert {book.standing(did, t) for did in dids for t in moments} <= set(STANDINGS)
