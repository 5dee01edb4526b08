"""A small community with signed governance objects, for the tally tests.

Keys come from fixed seeds and every time is fixed, so the objects are the
same on every run (Ed25519 signatures are deterministic).
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import ssi
from ssi.cid import object_cid
from ssi.keys import Ed25519KeyPair
from ssi.social.ballot import ballot_credential, delegation_credential
from ssi.social.community import membership_credential
from ssi.social.proposal import Option, proposal_credential, signal_credential
from ssi.status import StatusListState

T0 = datetime(2026, 3, 1, tzinfo=UTC)
OPENS = T0 + timedelta(days=10)
CLOSES = OPENS + timedelta(days=7)
CREATED = "2026-02-01T00:00:00Z"
REVOCATIONS = "https://agora.example/status/revocation"
SUSPENSIONS = "https://agora.example/status/suspension"

RULES = {
    "preamble": "We decide together.",
    "proposers": ["member"],
    "signals": {"count": 2},
    "votingPeriod": {"min": "P1D", "max": "P14D"},
    "revoting": True,
    "delegation": True,
    "maxScore": 5,
    "voiceCredits": 100,
    "kinds": {
        "ordinary": {
            "methods": ["plurality", "approval", "schulze"],
            "quorum": "1/3",
            "threshold": ">1/2",
        },
        "amendment": {"methods": ["plurality"], "quorum": "1/2", "threshold": ">=2/3"},
        "election": {"methods": ["stv"], "quorum": "1/4", "threshold": "none"},
        "recall": {"methods": ["plurality"], "quorum": "1/3", "threshold": ">1/2"},
    },
    "moderation": {
        "labels": [{"value": "spam", "action": "hide"}],
        "panelSize": 5,
        "agreement": 3,
        "mandateTerm": "P90D",
        "appealPanelSize": 5,
        "appealMajority": ">1/2",
    },
}


def key(seed: int) -> Ed25519KeyPair:
    return Ed25519KeyPair.from_seed(seed.to_bytes(2, "big") * 16)


def sign(credential, signer_key):
    return ssi.issue(credential, ssi.signer(signer_key), created=CREATED)


class World:
    """A community of ``size`` members (did:key each), its status lists and
    a constitution; builders for the objects a tally reads."""

    def __init__(self, size: int = 6, *, rules=None) -> None:
        self.community_key = key(1)
        self.community = ssi.did_key(self.community_key)
        self.keys = [key(100 + i) for i in range(size)]
        self.members = [ssi.did_key(k) for k in self.keys]
        self.revocation = StatusListState(REVOCATIONS, purpose="revocation")
        self.suspension = StatusListState(SUSPENSIONS, purpose="suspension")
        self.status_index: dict[str, tuple[int, int]] = {}
        self.memberships = [self.membership(i) for i in range(size)]
        self.rules = copy.deepcopy(rules or RULES)
        self.constitution = sign(
            {
                "@context": [
                    "https://www.w3.org/ns/credentials/v2",
                    "https://w3id.org/agora/v1",
                ],
                "type": ["VerifiableCredential", "Constitution"],
                "issuer": self.community,
                "validFrom": "2026-01-01T00:00:00Z",
                "credentialSubject": {
                    "id": self.community,
                    "type": "Constitution",
                    "version": 1,
                    "rules": self.rules,
                    "ratifiedBy": object_cid({"genesis": "stand-in"}),
                },
            },
            self.community_key,
        )

    def membership(
        self, index: int, *, role: str = "member", valid_until=None, did=None
    ):
        revocation = self.revocation.allocate()
        suspension = self.suspension.allocate()
        member = did or self.members[index]
        self.status_index[member] = (revocation, suspension)
        return sign(
            membership_credential(
                self.community,
                member,
                role=role,
                valid_from=T0,
                valid_until=valid_until,
                status=[
                    self.revocation.entry(revocation),
                    self.suspension.entry(suspension),
                ],
            ),
            self.community_key,
        )

    def revoke(self, index: int) -> None:
        self.revocation.revoke(self.status_index[self.members[index]][0])

    def suspend(self, index: int) -> None:
        self.suspension.suspend(self.status_index[self.members[index]][1])

    def status_lists(self, valid_from=T0):
        return [
            sign(
                state.credential(self.community, valid_from=valid_from),
                self.community_key,
            )
            for state in (self.revocation, self.suspension)
        ]

    def proposal(
        self, *, author: int = 0, method="plurality", kind="ordinary", **extra
    ):
        options = {
            "community": self.community,
            "constitution": object_cid(self.constitution),
            "kind": kind,
            "title": "Paint the hall",
            "body": "Which colour?",
            "method": method,
            "opens": OPENS,
            "closes": CLOSES,
        }
        if kind == "ordinary":
            options["options"] = [
                Option("a", "Red"),
                Option("b", "Green"),
                Option("c", "Blue"),
            ]
        options.update(extra)
        return sign(
            proposal_credential(self.members[author], valid_from=T0, **options),
            self.keys[author],
        )

    def signals(self, proposal, members=(1, 2)):
        cid = object_cid(proposal)
        return [
            sign(
                signal_credential(
                    self.members[i], cid, valid_from=OPENS - timedelta(days=1)
                ),
                self.keys[i],
            )
            for i in members
        ]

    def ballot(self, voter: int, proposal, choice, *, at=None):
        return sign(
            ballot_credential(
                self.members[voter],
                object_cid(proposal),
                choice,
                cast_at=at or OPENS + timedelta(hours=voter + 1),
            ),
            self.keys[voter],
        )

    def delegation(self, delegator: int, delegate: int | None, *, tag=None, at=None):
        return sign(
            delegation_credential(
                self.members[delegator],
                self.community,
                None if delegate is None else self.members[delegate],
                tag=tag,
                at=at or T0 + timedelta(days=1),
            ),
            self.keys[delegator],
        )

    def inputs(self, proposal, ballots=(), extra=()):
        return [
            *self.memberships,
            *self.status_lists(),
            *self.signals(proposal),
            *ballots,
            *extra,
        ]
