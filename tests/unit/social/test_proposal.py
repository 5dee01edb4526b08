"""Proposals and signals: built, secured by both EdDSA suites, read back,
malformed ones refused naming the field; and the validity check, one reason
code per rule broken."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

import ssi
from ssi.cid import object_cid
from ssi.errors import InvalidCIDError, InvalidConstitutionError, MalformedValueError
from ssi.keys import Ed25519KeyPair
from ssi.social import (
    AGORA_CONTEXT,
    PROPOSAL_PROBLEM_CODES,
    Option,
    Signal,
    check_proposal,
    parse_rules,
    proposal_credential,
    read_proposal,
    read_signal,
    signal_credential,
)
from tests.unit.social.test_constitution import wire_rules

KEY = Ed25519KeyPair.from_seed(bytes([31]) * 32)
SIGNER = ssi.signer(KEY)
AUTHOR = SIGNER.key_id.split("#")[0]
COMMUNITY = "did:example:engines"
CONSTITUTION = object_cid({"a constitution": 1})
MANDATE = object_cid({"a mandate": 1})
MADE = datetime(2025, 3, 1, tzinfo=UTC)
OPENS = datetime(2025, 3, 3, tzinfo=UTC)
CLOSES = datetime(2025, 3, 10, tzinfo=UTC)
CREATED = "2025-03-01T00:00:00Z"
NOW = datetime(2025, 6, 1, tzinfo=UTC)
SUITES = ["eddsa-jcs-2022", "eddsa-rdfc-2022"]
RULES = parse_rules(wire_rules())
BOB, CAROL, DAVE = "did:example:bob", "did:example:carol", "did:example:dave"


def ordinary(**changes):
    options = {
        "community": COMMUNITY,
        "constitution": CONSTITUTION,
        "kind": "ordinary",
        "title": "Buy a lathe",
        "body": "We need a *lathe*.",
        "method": "schulze",
        "opens": OPENS,
        "closes": CLOSES,
        "valid_from": MADE,
        "options": [Option("a", "Buy"), Option("b", "Rent"), Option("c", "Neither")],
        "tags": ["budget"],
    }
    options.update(changes)
    return proposal_credential(AUTHOR, **options)


def election(**changes):
    options = {"kind": "election", "method": "stv", "options": (), "seats": 1}
    options.update(changes)
    return ordinary(candidates=[BOB, CAROL], **options)


def amendment(**changes):
    options = {"kind": "amendment", "method": "plurality", "options": ()}
    options.update(changes)
    return ordinary(amendment=wire_rules(), **options)


def recall(**changes):
    return ordinary(
        kind="recall", method="plurality", options=(), recalls=MANDATE, **changes
    )


# --- Shapes and round trips ------------------------------------------------------


def test_the_proposal_wire_shape():
    assert ordinary() == {
        "@context": ["https://www.w3.org/ns/credentials/v2", AGORA_CONTEXT],
        "type": ["VerifiableCredential", "Proposal"],
        "issuer": AUTHOR,
        "validFrom": "2025-03-01T00:00:00Z",
        "credentialSubject": {
            "type": "Proposal",
            "community": COMMUNITY,
            "constitution": CONSTITUTION,
            "kind": "ordinary",
            "title": "Buy a lathe",
            "body": "We need a *lathe*.",
            "method": "schulze",
            "opens": "2025-03-03T00:00:00Z",
            "closes": "2025-03-10T00:00:00Z",
            "tags": ["budget"],
            "options": [
                {"id": "a", "name": "Buy"},
                {"id": "b", "name": "Rent"},
                {"id": "c", "name": "Neither"},
            ],
        },
    }


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize(
    ("build", "ids"),
    [
        (ordinary, ("a", "b", "c")),
        (election, (BOB, CAROL)),
        (amendment, ("yes", "no")),
        (recall, ("yes", "no")),
    ],
    ids=["ordinary", "election", "amendment", "recall"],
)
def test_every_kind_round_trips(suite, build, ids):
    signed = ssi.issue(build(), SIGNER, suite=suite, created=CREATED)
    report = ssi.verify(signed, now=NOW)
    assert report.verified, report.to_json()
    proposal = read_proposal(signed)
    assert proposal.option_ids == ids
    assert proposal.cid == object_cid(signed)
    assert proposal.author == AUTHOR
    assert (proposal.opens, proposal.closes, proposal.created) == (OPENS, CLOSES, MADE)
    assert proposal.to_json()["optionIds"] == list(ids)


def test_the_fields_of_each_kind_are_read():
    assert read_proposal(ordinary()).options[1] == Option("b", "Rent")
    assert read_proposal(ordinary()).tags == ("budget",)
    assert read_proposal(election()).seats == 1
    assert read_proposal(amendment()).amendment == wire_rules()
    assert read_proposal(recall()).recalls == MANDATE
    genesis = read_proposal(amendment(constitution=None))
    assert genesis.constitution is None
    assert "constitution" not in genesis.to_json()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: s.update(title="Sell the lathe"),
        lambda s: s["options"][0].update(name="Steal"),
        lambda s: s.update(closes="2025-03-11T00:00:00Z"),
        lambda s: s.update(method="borda"),
        lambda s: s.update(constitution=MANDATE),
    ],
    ids=["title", "option-name", "closes", "method", "constitution"],
)
def test_rdfc_signs_the_proposal_terms(tamper):
    signed = ssi.issue(ordinary(), SIGNER, suite="eddsa-rdfc-2022", created=CREATED)
    tamper(signed["credentialSubject"])
    assert not ssi.verify(signed, now=NOW).verified


@pytest.mark.parametrize("suite", SUITES)
def test_a_ballot_signs_and_verifies_with_the_agora_terms(suite):
    ballot = {
        "@context": ["https://www.w3.org/ns/credentials/v2", AGORA_CONTEXT],
        "type": ["VerifiableCredential", "Ballot"],
        "issuer": AUTHOR,
        "validFrom": "2025-03-04T00:00:00Z",
        "credentialSubject": {
            "type": "Ballot",
            "proposal": object_cid(ordinary()),
            "choice": ["a", "c", "b"],
        },
    }
    signed = ssi.issue(ballot, SIGNER, suite=suite, created=CREATED)
    assert ssi.verify(signed, now=NOW).verified
    signed["credentialSubject"]["choice"] = ["c", "a", "b"]
    assert not ssi.verify(signed, now=NOW).verified


@pytest.mark.parametrize("suite", SUITES)
def test_a_signal_round_trips(suite):
    cid = object_cid(ordinary())
    unsigned = signal_credential(BOB, cid, valid_from=MADE)
    assert unsigned["credentialSubject"] == {"type": "Signal", "proposal": cid}
    unsigned["issuer"] = AUTHOR
    signed = ssi.issue(unsigned, SIGNER, suite=suite, created=CREATED)
    assert ssi.verify(signed, now=NOW).verified
    assert read_signal(signed) == Signal(AUTHOR, cid, MADE)


# --- Malformed proposals -----------------------------------------------------------


def _subject(change):
    def tamper(credential):
        change(credential["credentialSubject"])
        return credential

    return tamper


MALFORMED = [
    ("no-constitution", ordinary, lambda s: s.pop("constitution"), MalformedValueError,
     "$.credentialSubject.constitution"),
    ("bad-constitution", ordinary, lambda s: s.update(constitution="x"),
     InvalidCIDError,
     "$.credentialSubject.constitution"),
    ("unknown-method", ordinary, lambda s: s.update(method="dictator"),
     MalformedValueError, "$.credentialSubject.method"),
    ("bad-kind", ordinary, lambda s: s.update(kind="Ordinary"), MalformedValueError,
     "$.credentialSubject.kind"),
    ("closes-before-opens", ordinary, lambda s: s.update(closes="2025-03-02T00:00:00Z"),
     MalformedValueError, "$.credentialSubject.closes"),
    ("opens-without-zone", ordinary, lambda s: s.update(opens="2025-03-02T00:00:00"),
     MalformedValueError, "$.credentialSubject.opens"),
    ("one-option", ordinary, lambda s: s.update(options=[{"id": "a", "name": "A"}]),
     MalformedValueError, "$.credentialSubject.options"),
    ("repeated-option", ordinary,
     lambda s: s.update(options=[{"id": "a", "name": "A"}, {"id": "a", "name": "B"}]),
     MalformedValueError, "$.credentialSubject.options[1].id"),
    ("option-member", ordinary,
     lambda s: s["options"][0].update(score=1), MalformedValueError,
     "$.credentialSubject.options[0].'score'"),
    ("options-in-election", election, lambda s: s.update(options=[]),
     MalformedValueError, "$.credentialSubject.options"),
    ("no-seats", election, lambda s: s.pop("seats"), MalformedValueError,
     "$.credentialSubject.seats"),
    ("zero-seats", election, lambda s: s.update(seats=0), MalformedValueError,
     "$.credentialSubject.seats"),
    ("no-candidates", election, lambda s: s.update(candidates=[]),
     MalformedValueError, "$.credentialSubject.candidates"),
    ("repeated-candidate", election, lambda s: s.update(candidates=[BOB, BOB]),
     MalformedValueError, "$.credentialSubject.candidates[1]"),
    ("candidate-not-did", election, lambda s: s.update(candidates=["bob"]),
     MalformedValueError, "$.credentialSubject.candidates[0]"),
    ("no-amendment", amendment, lambda s: s.pop("amendment"), MalformedValueError,
     "$.credentialSubject.amendment"),
    ("inconsistent-amendment", amendment,
     lambda s: s["amendment"]["kinds"]["amendment"].update(threshold=">3/2"),
     InvalidConstitutionError,
     "$.credentialSubject.amendment.kinds.amendment.threshold"),
    ("recall-not-cid", recall, lambda s: s.update(recalls="m"), InvalidCIDError,
     "$.credentialSubject.recalls"),
    ("no-title", ordinary, lambda s: s.pop("title"), MalformedValueError,
     "$.credentialSubject.title"),
    ("blank-title", ordinary, lambda s: s.update(title=" "), MalformedValueError,
     "$.credentialSubject.title"),
    ("body-too-long", ordinary, lambda s: s.update(body="x" * 65537),
     MalformedValueError, "$.credentialSubject.body"),
    ("subject-type", ordinary, lambda s: s.update(type="Post"), MalformedValueError,
     "$.credentialSubject.type"),
    ("community-not-did", ordinary, lambda s: s.update(community="engines"),
     MalformedValueError, "$.credentialSubject.community"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("build", "change", "error", "path"),
    [case[1:] for case in MALFORMED],
    ids=[case[0] for case in MALFORMED],
)
def test_a_malformed_proposal_is_refused_naming_the_field(build, change, error, path):
    credential = build()
    change(credential["credentialSubject"])
    with pytest.raises(error) as caught:
        read_proposal(credential)
    assert caught.value.detail.startswith(path), caught.value.detail


def test_a_malformed_signal_is_refused():
    credential = signal_credential(BOB, CONSTITUTION, valid_from=MADE)
    credential["credentialSubject"]["proposal"] = "p"
    with pytest.raises(InvalidCIDError):
        read_signal(credential)
    del credential["credentialSubject"]["proposal"]
    with pytest.raises(MalformedValueError, match="proposal is required"):
        read_signal(credential)


# --- Validity ----------------------------------------------------------------------


class Roster:
    """Members by DID: (role, joined, left) - the MemberRoles seam."""

    def __init__(self, members):
        self.members = members
        self.calls = 0

    def role(self, did, at):
        self.calls += 1
        entry = self.members.get(did)
        if entry is None:
            return None
        role, joined, left = entry
        return role if joined <= at and (left is None or at < left) else None

    def count(self, at):
        return sum(1 for did in self.members if self.role(did, at) is not None)


EARLY = datetime(2025, 1, 1, tzinfo=UTC)
ROSTER = {
    AUTHOR: ("member", EARLY, None),
    BOB: ("member", EARLY, None),
    CAROL: ("member", EARLY, None),
    DAVE: ("observer", EARLY, None),
}


def signal(who, cid, at=MADE):
    return Signal(who, cid, at)


def check(proposal=None, *, signals=None, roster=ROSTER, rules=RULES, superseded=None):
    proposal = proposal or read_proposal(ordinary())
    if signals is None:
        signals = [signal(BOB, proposal.cid), signal(CAROL, proposal.cid)]
    return check_proposal(
        proposal,
        rules,
        signals=signals,
        members=Roster(roster),
        superseded_at=superseded,
    )


def test_a_proposal_with_enough_signals_is_valid():
    result = check()
    assert result.valid
    assert result.reasons == ()
    assert result.counted_signals == tuple(sorted([BOB, CAROL]))
    assert result.required_signals == 2


def test_signals_count_once_per_member_before_opens_from_members_for_this_cid():
    proposal = read_proposal(ordinary())
    other = object_cid({"another proposal": 1})
    signals = [
        signal(BOB, proposal.cid),
        signal(BOB, proposal.cid, MADE + timedelta(hours=1)),  # Twice: counts once.
        signal(CAROL, proposal.cid, OPENS + timedelta(seconds=1)),  # After opens.
        signal("did:example:stranger", proposal.cid),  # Not a member.
        signal(DAVE, other),  # Another proposal.
    ]
    result = check(proposal, signals=signals)
    assert result.counted_signals == (BOB,)
    assert result.codes == ("notEnoughSignals",)
    assert not result.valid


def test_a_signal_at_opens_counts_and_membership_is_judged_at_signal_time():
    proposal = read_proposal(ordinary())
    roster = dict(ROSTER, **{CAROL: ("member", MADE + timedelta(days=1), None)})
    early = [signal(BOB, proposal.cid, OPENS), signal(CAROL, proposal.cid, MADE)]
    assert check(proposal, signals=early, roster=roster).counted_signals == (BOB,)
    late = [signal(BOB, proposal.cid, OPENS), signal(CAROL, proposal.cid, OPENS)]
    assert check(proposal, signals=late, roster=roster).valid


def test_a_share_of_members_is_rounded_up():
    rules = parse_rules(dict(wire_rules(), signals={"share": "1/2"}))
    proposal = read_proposal(ordinary())
    # Four members at opens: ceil(1/2 * 4) = 2.
    assert check(proposal, rules=rules).required_signals == 2
    roster = dict(ROSTER, **{"did:example:erin": ("member", EARLY, None)})
    # Five: ceil(5/2) = 3, and two signals are not enough.
    result = check(proposal, rules=rules, roster=roster)
    assert result.required_signals == 3
    assert result.codes == ("notEnoughSignals",)


@pytest.mark.parametrize(
    ("superseded", "valid"),
    [(None, True), (OPENS + timedelta(seconds=1), True), (OPENS, False),
     (MADE, False)],
)  # fmt: skip
def test_a_constitution_superseded_before_opens_invalidates(superseded, valid):
    result = check(superseded=superseded)
    assert result.valid is valid
    assert result.codes == (() if valid else ("supersededConstitution",))


def test_a_method_the_kind_does_not_allow():
    result = check(read_proposal(ordinary(method="borda")))
    assert result.codes == ("methodNotAllowed",)
    assert "schulze" in result.reasons[0].message


def test_a_kind_the_constitution_does_not_define():
    result = check(read_proposal(ordinary(kind="budget")))
    assert result.codes == ("methodNotAllowed",)


def test_the_proposer_must_be_a_member_with_an_allowed_role():
    roster = dict(ROSTER, **{AUTHOR: ("observer", EARLY, None)})
    assert check(roster=roster).codes == ("proposerNotAllowed",)
    roster = dict(ROSTER, **{AUTHOR: ("member", EARLY, MADE)})
    assert check(roster=roster).codes == ("notMember",)


@pytest.mark.parametrize(
    ("closes", "valid"),
    [
        (OPENS + timedelta(days=1), True),
        (OPENS + timedelta(days=14), True),
        (OPENS + timedelta(days=1) - timedelta(seconds=1), False),
        (OPENS + timedelta(days=14, milliseconds=1), False),
    ],
)
def test_the_voting_period_bounds_are_inclusive(closes, valid):
    result = check(read_proposal(ordinary(closes=closes)))
    assert result.codes == (() if valid else ("votingPeriod",))


def test_an_election_with_more_seats_than_candidates():
    proposal = read_proposal(election(seats=3))
    result = check(proposal)
    assert result.codes == ("wrongOptions",)
    hand_made = replace(read_proposal(ordinary()), options=(Option("a", "A"),))
    assert check(hand_made).codes == ("wrongOptions",)
    no_rules = replace(read_proposal(amendment()), amendment=None)
    assert check(no_rules).codes == ("wrongOptions",)


def test_a_genesis_is_checked_under_the_rules_it_proposes():
    proposal = read_proposal(amendment(constitution=None))
    rules = parse_rules(proposal.amendment)
    signals = [signal(BOB, proposal.cid), signal(CAROL, proposal.cid)]
    assert check(proposal, rules=rules, signals=signals).valid


def test_every_rule_broken_is_reported_in_order():
    roster = dict(ROSTER, **{AUTHOR: ("observer", EARLY, None)})
    proposal = read_proposal(
        election(seats=3, method="irv", closes=OPENS + timedelta(days=30))
    )
    result = check(proposal, roster=roster, superseded=MADE, signals=[])
    assert result.codes == (
        "proposerNotAllowed",
        "supersededConstitution",
        "methodNotAllowed",
        "wrongOptions",
        "votingPeriod",
        "notEnoughSignals",
    )
    assert set(result.codes) <= set(PROPOSAL_PROBLEM_CODES)
    assert all(problem.message for problem in result.reasons)
