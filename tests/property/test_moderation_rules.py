"""Property tests for the counting rules of moderation (``judge_case``), on
plain values: no signing, so hypothesis can try many cases.

For random moderators (with random mandate standings), random labels and
k <= n, the decision equals a direct count written here from
docs/moderation.md; a label by a DID outside the panel never changes it; the
appeal panel never shares a member with the panel; the work is linear."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from ssi.social import (
    Case,
    CaseAct,
    CaseFacts,
    Label,
    ModerationRules,
    Threshold,
    judge_case,
)

RUN = settings(max_examples=200, deadline=None)
T0 = datetime(2026, 5, 1, tzinfo=UTC)
POST = "bagaaierakq4jfqlxpx3463cpordpv3khqpqiwvc7w7skk3xgk4vtztlcfgwq"
CASE = Case("did:example:community", POST, "spam")
AUTHOR = "did:example:author"
REPORTER = "did:example:reporter"
STANDINGS = ("valid", "expired", "revoked", "notYetValid", "invalidMandate")


def rules(n, k, n_appeal=3, majority=">1/2"):
    operator, fraction = (
        (">=", majority[2:]) if majority[1] == "=" else (">", majority[1:])
    )
    return ModerationRules(
        labels=(Label("spam", "hide"),),
        panel_size=n,
        agreement=k,
        mandate_term=timedelta(days=90),
        appeal_panel_size=n_appeal,
        appeal_majority=Threshold(operator, Fraction(fraction)),
    )


class Context:
    """Mandate standings fixed in time; members are the reporter and author."""

    def __init__(self, standings, rules):
        self.standings = standings
        self._rules = rules

    def member(self, did, at):
        return "eligible" if did in (REPORTER, AUTHOR) else "notMember"

    def standing(self, did, at):
        return self.standings.get(did, "noMandate")

    def moderators(self, at):
        return [did for did, s in self.standings.items() if s == "valid"]

    def rules(self, at):
        return ("bafyconstitution", self._rules)


def direct_panel(moderators, n):
    """The documented draw, again in a few lines of hashlib."""
    keyed = sorted(
        (hashlib.sha256(f"{POST}|spam|{d}".encode()).hexdigest(), d)
        for d in set(moderators) - {REPORTER, AUTHOR}
    )
    return [d for _, d in keyed][:n]


def direct_count(labels, standings, panel, k):
    """Each DID's latest label (time, CID) counts when it is not a
    withdrawal, its author's mandate is valid and its author is on the panel."""
    latest = {}
    for label in sorted(labels, key=lambda a: (a.time, a.cid)):
        latest[label.actor] = label
    counting = sorted(
        (
            label
            for did, label in latest.items()
            if label.value != "negated"
            and standings.get(did) == "valid"
            and did in panel
        ),
        key=lambda a: (a.time, a.cid),
    )
    applied_at = counting[k - 1].time if len(counting) >= k else None
    return {label.actor for label in counting}, applied_at


@st.composite
def worlds(draw):
    names = draw(st.lists(st.integers(0, 40), min_size=1, max_size=12, unique=True))
    standings = {f"did:example:m{i}": draw(st.sampled_from(STANDINGS)) for i in names}
    n = draw(st.integers(1, 7))
    k = draw(st.integers(1, n))
    actors = [*standings, "did:example:outsider", REPORTER]
    labels = draw(
        st.lists(
            st.builds(
                lambda i, actor, minute, negated: CaseAct(
                    f"bafylabel{i}",
                    actor,
                    T0 + timedelta(minutes=minute),
                    "negated" if negated else None,
                ),
                st.integers(0, 10**6),
                st.sampled_from(actors),
                st.integers(1, 30),
                st.booleans(),
            ),
            max_size=25,
            unique_by=lambda a: a.cid,
        )
    )
    return standings, n, k, labels


def facts(labels, appeals=(), verdicts=None):
    report = CaseAct("bafyreport", REPORTER, T0)
    return CaseFacts(
        CASE,
        author=AUTHOR,
        reports=(report,),
        labels=tuple(labels),
        appeals=tuple(appeals),
        verdicts=verdicts or {},
    )


AT = T0 + timedelta(days=1)


@RUN
@given(worlds())
def test_the_decision_is_a_direct_count(world):
    standings, n, k, labels = world
    decision = judge_case(facts(labels), Context(standings, rules(n, k)), at=AT)
    panel = direct_panel([d for d, s in standings.items() if s == "valid"], n)
    agreeing, applied_at = direct_count(labels, standings, panel, k)
    assert decision.panels is not None
    assert list(decision.panels.panel) == panel
    assert set(decision.agreeing) == agreeing
    assert len(decision.agreeing) == len(agreeing)
    assert decision.applied_at == applied_at
    assert decision.state == ("applied" if applied_at else "open")
    assert decision.in_effect == (len(agreeing) >= k)
    assert decision.opened == T0
    for counted in decision.labels:
        assert counted.counts == (counted.reason is None)
        assert counted.counts == (
            counted.actor in agreeing
            and counted.cid
            in {label.cid for label in labels if label.actor in agreeing}
            and counted.reason is None
        )
    assert len([c for c in decision.labels if c.counts]) == len(agreeing)


@RUN
@given(
    worlds(),
    st.lists(
        st.tuples(
            st.sampled_from(["did:example:x", "did:example:y", "did:example:m99"]),
            st.integers(0, 40),
            st.booleans(),
            st.integers(0, 10**6),
        ),
        max_size=10,
    ),
)
def test_no_label_by_a_non_panel_did_changes_the_decision(world, extra):
    standings, n, k, labels = world
    context = Context(standings, rules(n, k))
    before = judge_case(facts(labels), context, at=AT)
    assert before.panels is not None
    outside = [did for did in standings if did not in before.panels.panel]
    added = [
        CaseAct(
            f"bafyextra{index}-{seed}",
            outside[seed % len(outside)] if outside and pick else did,
            T0 + timedelta(minutes=minute),
            "negated" if seed % 3 == 0 else None,
        )
        for index, (did, minute, pick, seed) in enumerate(extra)
    ]
    after = judge_case(facts([*labels, *added]), context, at=AT)
    assert after.state == before.state
    assert after.agreeing == before.agreeing
    assert after.applied_at == before.applied_at
    assert after.panels == before.panels
    for counted in after.labels:
        if counted.cid.startswith("bafyextra"):
            assert not counted.counts


@RUN
@given(
    st.lists(st.integers(0, 10**6), min_size=0, max_size=40, unique=True),
    st.integers(1, 9),
    st.integers(1, 9),
    st.text(max_size=12),
)
def test_the_appeal_panel_never_overlaps_the_panel(names, n, n_appeal, post):
    standings = {f"did:example:m{i}": "valid" for i in names}
    case = Case("did:example:community", post or "p", "spam")
    decision = judge_case(
        CaseFacts(case, author=AUTHOR, reports=(CaseAct("r", REPORTER, T0),)),
        Context(standings, rules(n, 1, n_appeal)),
        at=AT,
    )
    assert decision.panels is not None
    panel, appeal = set(decision.panels.panel), set(decision.panels.appeal_panel)
    assert not panel & appeal
    assert len(panel) == min(n, len(names))
    assert len(appeal) == min(n_appeal, max(0, len(names) - n))


@RUN
@given(
    worlds(), st.lists(st.booleans(), max_size=6), st.sampled_from([">1/2", ">=2/3"])
)
def test_an_appeal_overturns_by_the_documented_majority(world, votes, majority):
    standings, n, k, labels = world
    context = Context(standings, rules(n, k, 3, majority))
    first = judge_case(facts(labels), context, at=AT)
    appeal = CaseAct("bafyappeal", AUTHOR, T0 + timedelta(hours=1))
    assert first.panels is not None
    members = list(first.panels.appeal_panel)
    verdicts = tuple(
        CaseAct(
            f"bafyverdict{i}",
            members[i % len(members)] if members else "did:example:x",
            T0 + timedelta(hours=2, minutes=i),
            "overturn" if vote else "uphold",
        )
        for i, vote in enumerate(votes)
    )
    decision = judge_case(
        facts(labels, [appeal], {"bafyappeal": verdicts}), context, at=AT
    )
    if not first.in_effect or not members:
        assert decision.appeal is None
        assert [c.reason for c in decision.refused_appeals] == [
            "noDecision" if not first.in_effect else "noAppealPanel"
        ]
        assert decision.state == first.state
        return
    latest = {}
    for verdict in verdicts:
        latest[verdict.actor] = verdict.value
    overturn = sum(1 for value in latest.values() if value == "overturn")
    threshold = rules(n, k, 3, majority).appeal_majority
    expected = threshold.passes(Fraction(overturn, len(members)))
    assert decision.appeal is not None
    assert decision.appeal.overturn == overturn
    assert decision.appeal.overturned == expected
    assert decision.state == ("overturned" if expected else "applied")
    assert decision.in_effect == (not expected)


@RUN
@given(worlds())
def test_the_work_is_linear_in_the_acts(world):
    standings, n, k, labels = world
    decision = judge_case(facts(labels), Context(standings, rules(n, k)), at=AT)
    assert decision.steps <= 3 * (len(labels) + 1) + len(standings)
