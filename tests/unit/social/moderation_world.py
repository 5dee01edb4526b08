"""A community with elected moderators, for the moderation decision tests.

Everything is signed for real: a genesis constitution ratified by a passed
amendment, an election tallied and signed, mandates issued by the community
(with a revocation entry each), members' memberships and the community's
status lists (a second version revokes one mandate). The community is a
did:key, or a 2-of-3 did:agora whose stewards co-sign (``stewards=``).
Keys and times are fixed, so the objects are the same on every run.
"""

from __future__ import annotations

import copy
from datetime import timedelta

import ssi
from ssi.cid import object_cid
from ssi.social import (
    appeal_credential,
    compute_tally,
    label_credential,
    mandate_credential,
    membership_credential,
    next_constitution,
    post_credential,
    read_proposal,
    report_credential,
    tally_credential,
    verdict_credential,
)
from ssi.status import StatusListState
from tests.unit.agora.test_threshold import DID as STEWARDED
from tests.unit.agora.test_threshold import FIRST
from tests.unit.agora.test_threshold_credentials import steward
from tests.unit.social.tally.world import (
    CLOSES,
    CREATED,
    RULES,
    T0,
    World,
    key,
    sign,
)

REVOCATIONS = "https://agora.example/status/moderation-revocation"
SUSPENSIONS = "https://agora.example/status/moderation-suspension"
ELECTION_OPENS = CLOSES + timedelta(days=1)
ELECTION_CLOSES = ELECTION_OPENS + timedelta(days=7)
START = ELECTION_CLOSES + timedelta(days=1)
END = START + timedelta(days=60)
SHORT_END = START + timedelta(days=5)
REVOKED = START + timedelta(days=5)
DAY = START + timedelta(days=10)
"""Cases are reported and labelled from this day on."""
AT = START + timedelta(days=40)
"""The moment decisions are asked about."""
TALLIER = key(60)
MODERATION = {
    "labels": [
        {"value": "spam", "action": "hide"},
        {"value": "nsfw", "action": "warn"},
    ],
    "panelSize": 3,
    "agreement": 2,
    "mandateTerm": "P90D",
    "appealPanelSize": 3,
    "appealMajority": ">1/2",
}
SIZE = 14
ELECTED = tuple(range(1, 10))
"""Members 1 to 9 are elected; 8's mandate ends early, 9's is revoked."""
EXPIRES, REVOKES = 8, 9
FORGER, REPORTER, AUTHOR, OTHER = 10, 11, 12, 13


class ModerationWorld:
    """The community, its governance and its moderators."""

    def __init__(self, *, stewards: bool = False) -> None:
        self.world = world = World(SIZE)
        self.stewards = stewards
        self.community = STEWARDED if stewards else world.community
        self.logs = {STEWARDED: [[FIRST]]} if stewards else None
        world.community = self.community
        self.keys, self.members = world.keys, world.members
        self.revocation = StatusListState(REVOCATIONS, purpose="revocation")
        self.suspension = StatusListState(SUSPENSIONS, purpose="suspension")
        self.memberships = [self.membership(i) for i in range(SIZE)]
        self.rules = copy.deepcopy(RULES)
        self.rules["moderation"] = copy.deepcopy(MODERATION)
        self.lists = self.status_lists(T0)
        self.genesis_parts = self.ratify()
        self.genesis = self.genesis_parts[0]
        world.constitution = self.genesis
        self.election, self.election_inputs, self.tally = self.elect()
        self.indexes: dict[int, int] = {}
        self.mandates = {i: self.mandate(i) for i in ELECTED}
        self.revocation.revoke(self.indexes[REVOKES])
        self.lists += self.status_lists(REVOKED)
        self.forged_tally = self.forge_tally()
        self.mandates[FORGER] = self.mandate(FORGER, tally=self.forged_tally)

    # --- signing --------------------------------------------------------------

    def sign_community(self, credential, *, proofs=2):
        if not self.stewards:
            return sign(credential, self.world.community_key)
        for n in (1, 3)[:proofs]:
            credential = ssi.cosign(credential, steward(n), created=CREATED)
        return credential

    def sign_member(self, index, credential):
        return sign(credential, self.keys[index])

    # --- the community --------------------------------------------------------

    def membership(self, index):
        return self.sign_community(
            membership_credential(
                self.community,
                self.members[index],
                role="member",
                valid_from=T0,
                status=[
                    self.revocation.entry(self.revocation.allocate()),
                    self.suspension.entry(self.suspension.allocate()),
                ],
            )
        )

    def status_lists(self, valid_from):
        return [
            self.sign_community(state.credential(self.community, valid_from=valid_from))
            for state in (self.revocation, self.suspension)
        ]

    def tally_of(self, proposal, ballots, constitution):
        inputs = [
            *self.memberships,
            *self.lists,
            *self.world.signals(proposal),
            *ballots,
        ]
        result = compute_tally(
            proposal, inputs, constitution=constitution, logs=self.logs
        )
        assert result.passed, result
        tally = sign(
            tally_credential(
                ssi.did_key(TALLIER),
                result,
                issued_at=result_time(proposal),
            ),
            TALLIER,
        )
        return inputs, tally

    def ratify(self):
        proposal = self.world.proposal(
            kind="amendment", amendment=self.rules, constitution=None
        )
        ballots = [self.world.ballot(i, proposal, "yes") for i in range(SIZE)]
        inputs, tally = self.tally_of(proposal, ballots, None)
        genesis = self.sign_community(
            next_constitution(tally, proposal, None, valid_from=CLOSES)
        )
        return genesis, tally, proposal, inputs

    def elect(self):
        candidates = [self.members[i] for i in ELECTED]
        proposal = self.world.proposal(
            kind="election",
            method="stv",
            candidates=candidates,
            seats=len(candidates),
            opens=ELECTION_OPENS,
            closes=ELECTION_CLOSES,
        )
        ballots = [
            self.world.ballot(
                i,
                proposal,
                candidates[i % len(candidates) :] + candidates[: i % len(candidates)],
                at=ELECTION_OPENS + timedelta(hours=i + 1),
            )
            for i in range(SIZE)
        ]
        inputs, tally = self.tally_of(proposal, ballots, self.genesis)
        winners = tally["credentialSubject"]["result"]["count"]["winners"]
        assert sorted(winners) == sorted(candidates)
        return proposal, inputs, tally

    def forge_tally(self):
        forged = copy.deepcopy(self.tally)
        forged["credentialSubject"]["result"]["count"]["winners"].append(
            self.members[FORGER]
        )
        return forged

    def mandate(self, index, *, tally=None, proofs=2):
        self.indexes[index] = self.revocation.allocate()
        return self.sign_community(
            mandate_credential(
                self.community,
                self.members[index],
                election=object_cid(tally or self.tally),
                valid_from=START,
                valid_until=SHORT_END if index == EXPIRES else END,
                status=[self.revocation.entry(self.indexes[index])],
            ),
            proofs=proofs,
        )

    def governance(self):
        """Everything a decision needs besides the acts on the cases."""
        genesis, genesis_tally, amendment, _ = self.genesis_parts
        return [
            *self.memberships,
            *self.lists,
            genesis,
            genesis_tally,
            amendment,
            self.election,
            self.tally,
            self.forged_tally,
            *self.mandates.values(),
        ]

    # --- acts -------------------------------------------------------------------

    def post(self, content, *, author=AUTHOR, minutes=0):
        return self.sign_member(
            author,
            post_credential(
                self.members[author],
                content,
                community=self.community,
                published=DAY - timedelta(days=1) + timedelta(minutes=minutes),
            ),
        )

    def report(self, index, post, label="spam", *, minutes=0):
        return self.sign_member(
            index,
            report_credential(
                self.members[index],
                community=self.community,
                post=object_cid(post),
                label=label,
                valid_from=DAY + timedelta(minutes=minutes),
                reason="Advertising.",
            ),
        )

    def label(self, did, post, label="spam", *, minutes=0, negated=False):
        index = self.members.index(did)
        return self.sign_member(
            index,
            label_credential(
                did,
                community=self.community,
                post=object_cid(post),
                label=label,
                valid_from=DAY + timedelta(minutes=minutes),
                reason="" if negated else "It sells engines.",
                negated=negated,
            ),
        )

    def appeal(self, index, post, label="spam", *, minutes=0):
        return self.sign_member(
            index,
            appeal_credential(
                self.members[index],
                community=self.community,
                post=object_cid(post),
                label=label,
                valid_from=DAY + timedelta(minutes=minutes),
                reason="It is a real offer.",
            ),
        )

    def verdict(self, did, appeal, value, *, minutes=0):
        index = self.members.index(did)
        return self.sign_member(
            index,
            verdict_credential(
                did,
                community=self.community,
                appeal=object_cid(appeal),
                verdict=value,
                valid_from=DAY + timedelta(minutes=minutes),
            ),
        )


def result_time(proposal):
    """A tally is signed an hour after its vote closes."""
    return read_proposal(proposal).closes + timedelta(hours=1)
