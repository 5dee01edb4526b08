"""The decision table of docs/moderation.md with real signed credentials: one
case per rule, all decided from one pool verified once (ModerationEvidence);
the panels recomputed with a few lines of hashlib; the m-1 steward row on a
2-of-3 did:agora community."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import timedelta

import pytest

from ssi.cid import object_cid
from ssi.social import (
    Case,
    ModerationEvidence,
    decide,
    draw_panels,
    moderation,
    moderation_log,
)
from tests.unit.social.moderation_world import (
    AT,
    AUTHOR,
    DAY,
    EXPIRES,
    FORGER,
    OTHER,
    REPORTER,
    REVOKES,
)

VALID = range(1, 8)
"""The moderators whose mandates are valid from DAY on (8 expired, 9 revoked)."""


def minutes(n):
    return DAY + timedelta(minutes=n)


class Table:
    """One post per row, its acts, and the evidence of them all."""

    def __init__(self, world) -> None:
        self.world = world
        self.moderators = [world.members[i] for i in VALID]
        self.posts = {}
        self.acts = []
        self.extra = []

    def row(self, name, *, reporters=(REPORTER,), label="spam"):
        post = self.world.post(f"Row {name}: buy cheap engines now")
        self.posts[name] = post
        for index in reporters:
            self.acts.append(self.world.report(index, post, label))
        skip = [self.world.members[i] for i in reporters] + [self.world.members[AUTHOR]]
        return post, draw_panels(
            object_cid(post), label, self.moderators, size=3, appeal_size=3, skip=skip
        )

    def add(self, *acts):
        self.acts.extend(acts)
        return acts

    def case(self, name, label="spam"):
        return Case(self.world.community, object_cid(self.posts[name]), label)

    def pool(self):
        return [*self.world.governance(), *self.posts.values(), *self.acts]


def build_table(world):
    table = Table(world)
    label, members = world.label, world.members

    post, draw = table.row("k")
    table.add(
        label(draw.panel[0], post, minutes=10), label(draw.panel[1], post, minutes=20)
    )

    post, draw = table.row("k-1")
    table.add(label(draw.panel[0], post, minutes=10))

    post, draw = table.row("duplicate")
    table.add(
        label(draw.panel[0], post, minutes=10), label(draw.panel[0], post, minutes=20)
    )

    post, draw = table.row("withdrawn")
    table.add(
        label(draw.panel[0], post, minutes=10),
        label(draw.panel[1], post, minutes=20),
        label(draw.panel[1], post, minutes=30, negated=True),
    )

    post, draw = table.row("not panel")
    table.add(
        label(draw.panel[0], post, minutes=10), label(draw.order[5], post, minutes=20)
    )

    for name, index in (
        ("expired", EXPIRES),
        ("revoked", REVOKES),
        ("no election", FORGER),
        ("not moderator", OTHER),
    ):
        post, draw = table.row(name)
        table.add(
            label(draw.panel[0], post, minutes=10),
            label(members[index], post, minutes=20),
        )

    # The first of the draw without the reporter reports; the panel moves on.
    post, first = table.row("reporter on panel", reporters=())
    reporter = members.index(first.panel[0])
    post, draw = table.row("reporter on panel", reporters=(REPORTER, reporter))
    table.add(
        label(first.panel[0], post, minutes=10),
        label(draw.panel[0], post, minutes=20),
        label(draw.panel[1], post, minutes=30),
    )

    post, draw = table.row("appeal")
    appeals = table.add(
        world.appeal(OTHER, post, minutes=40),
        world.appeal(AUTHOR, post, minutes=50),
        world.appeal(AUTHOR, post, minutes=60),
        world.appeal(AUTHOR, post, minutes=5),
    )
    heard = appeals[1]
    table.add(
        label(draw.panel[0], post, minutes=10),
        label(draw.panel[1], post, minutes=20),
        world.verdict(draw.appeal_panel[0], heard, "overturn", minutes=70),
        world.verdict(draw.panel[2], heard, "overturn", minutes=75),
        world.verdict(draw.appeal_panel[1], heard, "overturn", minutes=80),
        world.verdict(draw.appeal_panel[2], heard, "uphold", minutes=90),
    )

    post, draw = table.row("unsigned")
    forged = copy.deepcopy(label(draw.panel[1], post, minutes=20))
    forged["credentialSubject"]["reason"] = "Changed after signing."
    table.add(label(draw.panel[0], post, minutes=10), forged)
    table.forged = forged

    post, draw = table.row("unknown label", label="ads")
    table.add(
        label(draw.panel[0], post, "ads", minutes=10),
        label(draw.panel[1], post, "ads", minutes=20),
    )
    return table


@pytest.fixture(scope="module")
def table(moderation_world):
    table = build_table(moderation_world)
    table.evidence = ModerationEvidence.from_objects(
        table.pool(), community=moderation_world.community, at=AT
    )
    return table


def decided(table, name, label="spam", at=AT):
    return table.evidence.decide(table.case(name, label), at=at)


def reasons(decision):
    return [(c.actor, c.reason) for c in decision.labels]


def test_k_reached(table):
    decision = decided(table, "k")
    panel = decision.panels.panel
    assert decision.state == "applied"
    assert decision.in_effect
    assert decision.action == "hide"
    assert decision.agreeing == panel[:2]
    assert decision.applied_at == minutes(20)
    assert decision.opened == DAY
    assert decision.constitution == table.evidence.constitutions[0]
    assert (decision.agreement, decision.panel_size) == (2, 3)
    assert decision.author == table.world.members[AUTHOR]
    assert [r.counts for r in decision.reports] == [True]
    # Before the second label it was not applied yet.
    assert decided(table, "k", at=minutes(15)).state == "open"


def test_k_minus_one(table):
    decision = decided(table, "k-1")
    assert decision.state == "open"
    assert not decision.in_effect
    assert decision.applied_at is None


def test_a_duplicate_label_by_one_moderator_counts_once(table):
    decision = decided(table, "duplicate")
    panel = decision.panels.panel
    assert decision.state == "open"
    assert reasons(decision) == [(panel[0], "superseded"), (panel[0], None)]


def test_a_withdrawn_label(table):
    decision = decided(table, "withdrawn")
    panel = decision.panels.panel
    assert decision.state == "open"
    assert reasons(decision) == [
        (panel[0], None),
        (panel[1], "superseded"),
        (panel[1], "withdrawn"),
    ]
    assert decision.labels[2].value == "negated"
    assert decided(table, "withdrawn", at=minutes(25)).state == "applied"


def test_a_label_by_a_moderator_off_the_panel(table):
    decision = decided(table, "not panel")
    assert decision.state == "open"
    assert reasons(decision)[1] == (decision.panels.order[5], "notPanel")


@pytest.mark.parametrize(
    ("row", "index", "reason"),
    [
        ("expired", EXPIRES, "expired"),
        ("revoked", REVOKES, "revoked"),
        ("no election", FORGER, "invalidMandate"),
        ("not moderator", OTHER, "notModerator"),
    ],
)
def test_labels_by_moderators_without_a_valid_mandate(table, row, index, reason):
    decision = decided(table, row)
    did = table.world.members[index]
    assert decision.state == "open"
    assert reasons(decision) == [(decision.panels.panel[0], None), (did, reason)]
    assert did not in decision.panels.order


def test_the_forged_mandate_cites_a_tally_that_does_not_verify(table):
    forger = table.world.members[FORGER]
    (check,) = [c for c in table.evidence.mandates.checks if c.moderator == forger]
    assert check.problem == "electionUnsigned"


def test_a_reporter_on_the_panel_is_skipped(table):
    decision = decided(table, "reporter on panel")
    reporter = decision.reports[1].actor
    assert decision.reports[1].counts
    assert reporter in decision.panels.skipped
    assert reporter not in decision.panels.panel
    assert reasons(decision)[0] == (reporter, "notPanel")
    assert decision.state == "applied"
    assert decision.agreeing == decision.panels.panel[:2]


def test_an_appeal_is_heard_by_a_disjoint_panel_and_overturns(table):
    decision = decided(table, "appeal")
    world = table.world
    appeal = decision.appeal
    assert appeal is not None
    assert appeal.appellant == world.members[AUTHOR]
    assert appeal.time == minutes(50)
    assert appeal.panel == decision.panels.appeal_panel
    assert not set(appeal.panel) & set(decision.panels.panel)
    assert [(c.reason, c.value) for c in appeal.verdicts] == [
        (None, "overturn"),
        ("notAppealPanel", "overturn"),
        (None, "overturn"),
        (None, "uphold"),
    ]
    assert (appeal.overturn, appeal.uphold) == (2, 1)
    assert appeal.overturned
    assert appeal.overturned_at == minutes(80)
    assert decision.state == "overturned"
    assert not decision.in_effect
    assert decided(table, "appeal", at=minutes(75)).state == "applied"


def test_appeals_refused(table):
    decision = decided(table, "appeal")
    world = table.world
    assert [(c.actor, c.time, c.reason) for c in decision.refused_appeals] == [
        (world.members[AUTHOR], minutes(5), "noDecision"),
        (world.members[OTHER], minutes(40), "notAuthor"),
        (world.members[AUTHOR], minutes(60), "secondAppeal"),
    ]


def test_an_unsigned_label_is_left_out(table):
    decision = decided(table, "unsigned")
    forged = object_cid(table.forged)
    assert forged not in [c.cid for c in decision.labels]
    assert (forged, "unsigned") in table.evidence.ignored
    assert decision.state == "open"


def test_a_label_outside_the_vocabulary(table):
    decision = decided(table, "unknown label", "ads")
    assert decision.state == "unknownLabel"
    assert decision.action is None
    assert not decision.in_effect


def independent_panels(subject, label, moderators, skip, n, n_appeal):
    """docs/moderation.md (Panels by verifiable lot), in a few lines."""
    keyed = sorted(
        (hashlib.sha256(f"{subject}|{label}|{d}".encode()).hexdigest(), d)
        for d in set(moderators)
    )
    order = [d for _, d in keyed if d not in skip]
    return tuple(order[:n]), tuple(order[n : n + n_appeal])


def test_every_panel_is_the_documented_one(table):
    decisions = moderation_log(table.evidence, at=AT)
    assert [d.case for d in decisions] == sorted(d.case for d in decisions)
    assert len(decisions) == len(table.posts)
    checked = 0
    for decision in decisions:
        if decision.panels is None:
            continue
        skip = {r.actor for r in decision.reports if r.counts} | {decision.author}
        valid = table.evidence.mandates.moderators(decision.opened)
        assert valid == frozenset(table.moderators)
        panel, appeal = independent_panels(
            decision.case.post, decision.case.label, valid, skip, 3, 3
        )
        assert decision.panels.panel == panel
        assert decision.panels.appeal_panel == appeal
        checked += 1
    assert checked == len(decisions) - 1  # all but the unknown label


def test_the_appeal_panel_never_overlaps_over_many_draws(table):
    valid = table.evidence.mandates.moderators(DAY)
    for n in range(300):
        subject = object_cid({"content": f"post {n}"})
        skip = {table.moderators[n % 7]}
        drawn = draw_panels(subject, "spam", valid, size=3, appeal_size=3, skip=skip)
        assert len(drawn.panel) == 3
        assert len(drawn.appeal_panel) == 3
        assert not set(drawn.panel) & set(drawn.appeal_panel)
        assert not skip & (set(drawn.panel) | set(drawn.appeal_panel))


def test_decide_from_a_pool_equals_decide_from_evidence(table):
    case = table.case("appeal")
    assert decide(case, table.pool(), at=AT) == table.evidence.decide(case, at=AT)
    assert decide(case, table.evidence, at=AT) == table.evidence.decide(case, at=AT)
    # the name the issue gives it: ssi.social.moderation.decide
    assert moderation.decide(case, table.pool(), at=AT) == decide(
        case, table.pool(), at=AT
    )


def test_the_decision_as_json(table):
    found = decided(table, "appeal").to_json()
    assert json.loads(json.dumps(found)) == found
    assert found["state"] == "overturned"
    assert found["inEffect"] is False
    assert found["appeal"]["overturnedAt"] == "2026-04-06T01:20:00Z"
    assert [a["reason"] for a in found["refusedAppeals"]] == [
        "noDecision",
        "notAuthor",
        "secondAppeal",
    ]


def test_the_case_is_of_the_evidence_s_community(table):
    with pytest.raises(ValueError, match="another community"):
        table.evidence.decide(Case("did:example:other", "p", "spam"), at=AT)


def test_one_steward_proof_short_of_the_threshold(stewarded_world):
    world = stewarded_world
    table = Table(world)
    short = world.mandate(1, proofs=1)
    post, draw = table.row("m-1")
    moderator = world.members[1]
    panel = [d for d in draw.order if d != moderator][:2]
    table.add(
        world.label(moderator, post, minutes=5),
        world.label(panel[0], post, minutes=10),
        world.label(panel[1], post, minutes=20),
    )
    pool = [d for d in table.pool() if d is not world.mandates[1]] + [short]
    evidence = ModerationEvidence.from_objects(
        pool, community=world.community, logs=world.logs, at=AT
    )
    (check,) = [c for c in evidence.mandates.checks if c.moderator == moderator]
    assert check.problem == "unsigned"
    decision = evidence.decide(table.case("m-1"), at=AT)
    assert reasons(decision) == [
        (moderator, "invalidMandate"),
        (panel[0], None),
        (panel[1], None),
    ]
    assert moderator not in decision.panels.order
    assert decision.state == "applied"
    assert decision.constitution == evidence.constitutions[0]


def test_each_document_is_verified_once_and_deciding_verifies_nothing(
    table, monkeypatch
):
    from ssi.credentials.verifier import Verifier

    seen = []
    verify_read, verify = Verifier.verify_read, Verifier.verify

    def counting_read(self, credential):
        seen.append(object_cid(credential))
        return verify_read(self, credential)

    def counting(self, credential):
        seen.append(object_cid(credential))
        return verify(self, credential)

    monkeypatch.setattr(Verifier, "verify_read", counting_read)
    monkeypatch.setattr(Verifier, "verify", counting)
    world = table.world
    evidence = ModerationEvidence.from_objects(
        table.pool(), community=world.community, at=AT
    )
    acts = {object_cid(act) for act in table.acts}
    assert acts <= set(seen)
    assert [cid for cid in seen if cid in acts] == sorted(acts, key=seen.index)
    posts = {object_cid(post) for post in table.posts.values()}
    assert posts <= set(seen)
    assert len([cid for cid in seen if cid in posts]) == len(posts)
    seen.clear()
    moderation_log(evidence, at=AT)
    moderation_log(evidence, at=minutes(30))
    assert seen == []


def test_an_executor_gives_the_same_evidence(table):
    from concurrent.futures import ThreadPoolExecutor

    world = table.world
    with ThreadPoolExecutor(2) as executor:
        evidence = ModerationEvidence.from_objects(
            table.pool(), community=world.community, at=AT, executor=executor
        )
    assert moderation_log(evidence, at=AT) == moderation_log(table.evidence, at=AT)
    assert evidence.ignored == table.evidence.ignored


def test_objects_of_another_community_are_ignored(table, stewarded_world):
    other = Table(stewarded_world)
    post, draw = other.row("elsewhere")
    other.add(stewarded_world.label(draw.panel[0], post, minutes=10))
    pool = [*table.pool(), *other.acts]
    evidence = ModerationEvidence.from_objects(
        pool, community=table.world.community, at=AT
    )
    assert evidence.cases() == table.evidence.cases()


@pytest.mark.parametrize("count", [100, 1000])
def test_deciding_is_linear_in_the_cases(table, count):
    """Synthetic cases over the real mandates: the work per case is bounded
    by the acts on it and the moderators drawn, whatever the number of cases."""
    from ssi.social import CaseAct, CaseFacts

    evidence = table.evidence
    world = table.world
    moderators = table.moderators
    facts = {}
    for n in range(count):
        case = Case(world.community, object_cid({"n": n}), "spam")
        labels = tuple(
            CaseAct(f"l{n}-{i}", moderators[(n + i) % 7], minutes(10 + i))
            for i in range(4)
        )
        report = CaseAct(f"r{n}", world.members[REPORTER], DAY)
        facts[case] = CaseFacts(case, reports=(report,), labels=labels)
    synthetic = ModerationEvidence(
        world.community,
        evidence.mandates,
        electorate=evidence.electorate,
        constitutions=evidence.versions,
        facts=facts,
    )
    decisions = moderation_log(synthetic, at=AT)
    assert len(decisions) == count
    per_case = {d.steps for d in decisions}
    assert max(per_case) <= 2 * 5 + len(moderators)
    assert sum(d.in_effect for d in decisions) > 0


def test_without_a_constitution_in_force_nothing_is_decided(table):
    world = table.world
    ratifier = world.genesis_parts[1]  # the genesis stays, its tally goes
    pool = [d for d in table.pool() if d is not ratifier]
    evidence = ModerationEvidence.from_objects(pool, community=world.community, at=AT)
    assert evidence.constitutions == ()
    decision = evidence.decide(table.case("k"), at=AT)
    assert decision.state == "noConstitution"
    assert decision.panels is None
    assert not decision.in_effect
    assert {c.reason for c in decision.labels} == {"notPanel"}


def test_a_recount_of_the_election_and_the_genesis(table):
    world = table.world
    inputs = [*world.election_inputs, *world.genesis_parts[3]]
    evidence = ModerationEvidence.from_objects(
        [*table.pool(), *inputs], community=world.community, at=AT, recount=True
    )
    assert evidence.constitutions == table.evidence.constitutions
    assert moderation_log(evidence, at=AT) == moderation_log(table.evidence, at=AT)


def test_the_work_of_a_log_grows_with_the_cases_not_faster(table):
    from ssi.social import CaseAct, CaseFacts
    from tests.growth import bytecodes

    world = table.world
    evidence = table.evidence

    def synthetic(count):
        facts = {}
        for n in range(count):
            case = Case(world.community, object_cid({"n": n}), "spam")
            labels = tuple(
                CaseAct(f"l{n}-{i}", table.moderators[(n + i) % 7], minutes(10 + i))
                for i in range(3)
            )
            report = CaseAct(f"r{n}", world.members[REPORTER], minutes(n % 9))
            facts[case] = CaseFacts(case, reports=(report,), labels=labels)
        return ModerationEvidence(
            world.community,
            evidence.mandates,
            electorate=evidence.electorate,
            constitutions=evidence.versions,
            facts=facts,
        )

    logs = [synthetic(count) for count in (25, 100)]
    work = [bytecodes(lambda e=e: moderation_log(e, at=AT)) for e in logs]
    assert sum(d.in_effect for d in moderation_log(logs[1], at=AT)) > 25
    assert work[1] < 4.5 * work[0]


class _Failing:
    """An executor that cannot ship a chunk, or whose chunks fail."""

    def __init__(self, *, submit):
        self.fail_submit = submit

    def submit(self, fn, *args):
        from concurrent.futures import Future

        if self.fail_submit:
            raise TypeError("cannot ship")
        future = Future()
        future.set_exception(RuntimeError("worker died"))
        return future


@pytest.mark.parametrize("submit", [True, False])
def test_chunks_an_executor_fails_are_checked_here(table, submit):
    world = table.world
    evidence = ModerationEvidence.from_objects(
        table.pool(), community=world.community, at=AT, executor=_Failing(submit=submit)
    )
    assert moderation_log(evidence, at=AT) == moderation_log(table.evidence, at=AT)


def test_what_cannot_be_read_is_ignored(table):
    world = table.world
    post, draw = Table(world).row("k")
    unreadable = world.label(draw.panel[0], post, minutes=10)
    unreadable.pop("proof")
    unreadable["credentialSubject"].pop("reason")
    unreadable = world.sign_member(world.members.index(draw.panel[0]), unreadable)
    no_cid = {
        "type": ["VerifiableCredential", "Report"],
        "credentialSubject": {"community": world.community},
        "note": float("nan"),
    }
    pool = [*table.pool(), unreadable, no_cid, 42, "text", unreadable]
    evidence = ModerationEvidence.from_objects(pool, community=world.community, at=AT)
    assert (object_cid(unreadable), "malformed") in evidence.ignored
    assert moderation_log(evidence, at=AT) == moderation_log(table.evidence, at=AT)
