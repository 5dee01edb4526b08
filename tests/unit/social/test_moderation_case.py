"""The counting rules of moderation on plain values (``judge_case``): each
rule of docs/moderation.md (Cases and decisions, Appeals) once, with a fake
context; the same rules with real signed credentials are in
test_moderation_decide.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest

from ssi.social import (
    APPEAL_REASONS,
    DECISION_STATES,
    LABEL_REASONS,
    VERDICT_REASONS,
    Case,
    CaseAct,
    CaseFacts,
    Label,
    ModerationRules,
    Threshold,
    draw_panels,
    judge_case,
)
from tests.growth import bytecodes

T0 = datetime(2026, 5, 1, tzinfo=UTC)
AT = T0 + timedelta(days=2)
POST = "bafypost"
CASE = Case("did:example:c", POST, "spam")
AUTHOR = "did:example:author"
MODERATORS = [f"did:example:m{i}" for i in range(8)]
RULES = ModerationRules(
    labels=(Label("spam", "hide"), Label("nsfw", "warn")),
    panel_size=3,
    agreement=2,
    mandate_term=timedelta(days=90),
    appeal_panel_size=3,
    appeal_majority=Threshold(">", Fraction(1, 2)),
)


class Context:
    def __init__(self, standings=None, members=("did:example:r", AUTHOR), rules=RULES):
        self.standings = standings or dict.fromkeys(MODERATORS, "valid")
        self.members = members
        self._rules = rules
        self.asked: list[datetime] = []

    def member(self, did, at):
        return "eligible" if did in self.members else "notMember"

    def standing(self, did, at):
        found = self.standings.get(did, "noMandate")
        return found(at) if callable(found) else found

    def moderators(self, at):
        self.asked.append(at)
        return [d for d in self.standings if self.standing(d, at) == "valid"]

    def rules(self, at):
        return None if self._rules is None else ("bafyconst", self._rules)


DRAW = draw_panels(POST, "spam", MODERATORS, size=3, appeal_size=3, skip=[AUTHOR])
P1, P2, P3 = DRAW.panel
A1, A2, A3 = DRAW.appeal_panel
OUTSIDE = DRAW.order[6]


def at(minutes):
    return T0 + timedelta(minutes=minutes)


def label(cid, actor, minutes, negated=False):
    return CaseAct(cid, actor, at(minutes), "negated" if negated else None)


def facts(labels=(), reports=(), appeals=(), verdicts=None, case=CASE):
    return CaseFacts(
        case,
        author=AUTHOR,
        reports=tuple(reports),
        labels=tuple(labels),
        appeals=tuple(appeals),
        verdicts=verdicts or {},
    )


def reasons(decision):
    return {c.cid: c.reason for c in decision.labels}


def test_the_codes_are_distinct():
    for codes in (LABEL_REASONS, APPEAL_REASONS, VERDICT_REASONS, DECISION_STATES):
        assert len(set(codes)) == len(codes)


def test_k_labels_apply_and_k_minus_one_do_not():
    two = judge_case(facts([label("a", P1, 10), label("b", P2, 20)]), Context(), at=AT)
    assert two.state == "applied"
    assert two.in_effect
    assert two.applied_at == at(20)
    assert two.agreeing == (P1, P2)
    assert two.action == "hide"
    assert two.constitution == "bafyconst"
    assert (two.agreement, two.panel_size) == (2, 3)
    assert two.opened == at(10)
    one = judge_case(facts([label("a", P1, 10)]), Context(), at=AT)
    assert one.state == "open"
    assert one.applied_at is None
    assert not one.in_effect


def test_acts_after_at_are_left_out():
    decision = judge_case(
        facts([label("a", P1, 10), label("b", P2, 20)]), Context(), at=at(15)
    )
    assert decision.state == "open"
    assert [c.cid for c in decision.labels] == ["a"]


def test_a_moderator_counts_once_and_a_withdrawal_takes_back():
    twice = judge_case(
        facts([label("a", P1, 10), label("b", P1, 20)]), Context(), at=AT
    )
    assert twice.state == "open"
    assert reasons(twice) == {"a": "superseded", "b": None}
    withdrawn = judge_case(
        facts([label("a", P1, 10), label("b", P2, 20), label("c", P2, 30, True)]),
        Context(),
        at=AT,
    )
    assert withdrawn.state == "open"
    assert reasons(withdrawn) == {"a": None, "b": "superseded", "c": "withdrawn"}
    assert withdrawn.labels[2].value == "negated"
    # As of before the withdrawal, it was applied.
    before = judge_case(
        facts([label("a", P1, 10), label("b", P2, 20), label("c", P2, 30, True)]),
        Context(),
        at=at(25),
    )
    assert before.state == "applied"


def test_labels_off_the_panel_or_without_a_valid_mandate_do_not_count():
    standings = dict.fromkeys(MODERATORS, "valid")
    standings[P2] = "expired"
    context = Context(standings)
    decision = judge_case(
        facts(
            [
                label("a", P1, 10),
                label("b", P2, 11),
                label("c", OUTSIDE, 12),
                label("d", "did:example:nobody", 13),
            ]
        ),
        context,
        at=AT,
    )
    # With P2's mandate expired at the opening, P2 is not drawn at all.
    assert P2 not in decision.panels.panel
    assert decision.panels.panel == (P1, P3, A1)
    assert reasons(decision) == {
        "a": None,
        "b": "expired",
        "c": "notPanel",
        "d": "notModerator",
    }


def test_a_mandate_judged_at_the_label_s_time():
    standings = dict.fromkeys(MODERATORS, "valid")
    standings[P2] = lambda moment: "valid" if moment < at(15) else "revoked"
    decision = judge_case(
        facts([label("a", P1, 10), label("b", P2, 20)]), Context(standings), at=AT
    )
    assert P2 in decision.panels.panel
    assert reasons(decision) == {"a": None, "b": "revoked"}
    assert decision.state == "open"


def test_reporters_and_the_author_are_skipped_and_open_the_case():
    context = Context(members=(P1, AUTHOR))
    decision = judge_case(
        facts([label("a", P2, 30)], reports=[CaseAct("r", P1, at(5))]),
        context,
        at=AT,
    )
    assert decision.opened == at(5)
    assert context.asked == [at(5)]
    assert P1 in decision.panels.skipped
    assert P1 not in decision.panels.panel
    assert decision.reports[0].counts


def test_a_report_by_a_non_member_neither_opens_nor_skips():
    decision = judge_case(
        facts([label("a", P2, 30)], reports=[CaseAct("r", P1, at(5))]),
        Context(members=()),
        at=AT,
    )
    assert decision.reports[0].reason == "notMember"
    assert decision.opened == at(30)
    assert P1 in decision.panels.panel


def test_a_case_nobody_opened_has_no_panel():
    decision = judge_case(
        facts([label("a", "did:example:nobody", 30)]), Context(), at=AT
    )
    assert decision.state == "open"
    assert decision.panels is None
    assert decision.opened == at(30)
    assert reasons(decision) == {"a": "notModerator"}
    empty = judge_case(facts(), Context(), at=AT)
    assert empty.opened == AT
    assert empty.panels is None


def test_unknown_label_and_no_constitution():
    other = Case("did:example:c", POST, "ads")
    unknown = judge_case(
        facts([label("a", P1, 10), label("b", P2, 20)], case=other), Context(), at=AT
    )
    assert unknown.state == "unknownLabel"
    assert unknown.action is None
    assert unknown.panels is None
    assert not unknown.in_effect
    none = judge_case(facts([label("a", P1, 10)]), Context(rules=None), at=AT)
    assert none.state == "noConstitution"
    assert none.constitution is None
    assert (none.agreement, none.panel_size) == (0, 0)


def applied(extra_labels=()):
    return [label("a", P1, 10), label("b", P2, 20), *extra_labels]


def appeal(cid, actor, minutes):
    return CaseAct(cid, actor, at(minutes))


def verdict(cid, actor, minutes, value):
    return CaseAct(cid, actor, at(minutes), value)


def test_an_appeal_overturned_by_the_majority_of_the_appeal_panel():
    verdicts = {
        "ap": (
            verdict("v1", A1, 40, "overturn"),
            verdict("v2", A2, 50, "overturn"),
            verdict("v3", A3, 60, "uphold"),
        )
    }
    decision = judge_case(
        facts(applied(), appeals=[appeal("ap", AUTHOR, 30)], verdicts=verdicts),
        Context(),
        at=AT,
    )
    assert decision.state == "overturned"
    assert not decision.in_effect
    outcome = decision.appeal
    assert outcome.panel == DRAW.appeal_panel
    assert (outcome.overturn, outcome.uphold) == (2, 1)
    assert outcome.overturned_at == at(50)
    assert not set(outcome.panel) & set(decision.panels.panel)
    # One overturn of three is not a majority.
    upheld = judge_case(
        facts(applied(), appeals=[appeal("ap", AUTHOR, 30)], verdicts=verdicts),
        Context(),
        at=at(45),
    )
    assert upheld.state == "applied"
    assert not upheld.appeal.overturned


def test_verdicts_that_do_not_count():
    standings = dict.fromkeys(MODERATORS, "valid")
    standings[A3] = lambda moment: "valid" if moment < at(35) else "expired"
    verdicts = {
        "ap": (
            verdict("v0", A1, 25, "overturn"),
            verdict("v1", A2, 40, "overturn"),
            verdict("v2", A2, 41, "uphold"),
            verdict("v3", A3, 42, "overturn"),
            verdict("v4", P1, 43, "uphold"),
            verdict("v5", "did:example:nobody", 44, "overturn"),
        )
    }
    decision = judge_case(
        facts(applied(), appeals=[appeal("ap", AUTHOR, 30)], verdicts=verdicts),
        Context(standings),
        at=AT,
    )
    assert [(c.cid, c.reason) for c in decision.appeal.verdicts] == [
        ("v0", "beforeAppeal"),
        ("v1", "superseded"),
        ("v2", None),
        ("v3", "expired"),
        ("v4", "notAppealPanel"),
        ("v5", "notModerator"),
    ]
    assert (decision.appeal.overturn, decision.appeal.uphold) == (0, 1)
    assert decision.state == "applied"


def test_refused_appeals():
    decision = judge_case(
        facts(
            applied(),
            appeals=[
                appeal("early", AUTHOR, 15),
                appeal("other", P3, 30),
                appeal("first", AUTHOR, 31),
                appeal("second", AUTHOR, 32),
            ],
        ),
        Context(),
        at=AT,
    )
    assert decision.appeal.cid == "first"
    assert [(c.cid, c.reason) for c in decision.refused_appeals] == [
        ("early", "noDecision"),
        ("other", "notAuthor"),
        ("second", "secondAppeal"),
    ]
    unknown = judge_case(
        CaseFacts(CASE, labels=tuple(applied()), appeals=(appeal("x", AUTHOR, 30),)),
        Context(),
        at=AT,
    )
    assert [c.reason for c in unknown.refused_appeals] == ["authorUnknown"]


def test_no_appeal_panel():
    few = MODERATORS[:4]
    context = Context(dict.fromkeys(few, "valid"))
    draw = draw_panels(POST, "spam", few, size=3, appeal_size=3)
    labels = [label("a", draw.panel[0], 10), label("b", draw.panel[1], 20)]
    decision = judge_case(
        facts(labels, appeals=[appeal("ap", AUTHOR, 30)]), context, at=AT
    )
    assert decision.panels.appeal_panel == draw.order[3:]
    assert decision.appeal is not None
    context = Context(dict.fromkeys(few[:3], "valid"))
    draw = draw_panels(POST, "spam", few[:3], size=3, appeal_size=3)
    labels = [label("a", draw.panel[0], 10), label("b", draw.panel[1], 20)]
    decision = judge_case(
        facts(labels, appeals=[appeal("ap", AUTHOR, 30)]), context, at=AT
    )
    assert [c.reason for c in decision.refused_appeals] == ["noAppealPanel"]


def test_an_overturn_stays_when_the_panel_labels_again():
    verdicts = {
        "ap": (verdict("v1", A1, 40, "overturn"), verdict("v2", A2, 41, "overturn"))
    }
    relabel = [
        label("c", P1, 50, True),
        label("d", P1, 60),
    ]
    decision = judge_case(
        facts(applied(relabel), appeals=[appeal("ap", AUTHOR, 30)], verdicts=verdicts),
        Context(),
        at=AT,
    )
    assert decision.applied_at == at(60)
    assert decision.appeal.cid == "ap"
    assert decision.state == "overturned"


@pytest.mark.parametrize("count", [10, 100, 1000])
def test_the_work_grows_linearly(count):
    labels = [label(f"l{i}", MODERATORS[i % 8], i, i % 5 == 0) for i in range(count)]
    appeals = [appeal(f"a{i}", AUTHOR, i) for i in range(count)]
    verdicts = {
        f"a{i}": tuple(verdict(f"v{i}-{j}", A1, i + j, "uphold") for j in range(3))
        for i in range(count)
    }
    decision = judge_case(
        facts(labels, appeals=appeals, verdicts=verdicts), Context(), at=at(10**5)
    )
    assert decision.steps <= 4 * count + 3 + len(MODERATORS)


def test_the_worked_example_of_the_docs():
    """docs/moderation.md (Appeals, A worked example), step by step."""
    subject = "bagaaierakq4jfqlxpx3463cpordpv3khqpqiwvc7w7skk3xgk4vtztlcfgwq"
    ada, bob, cy, dee, eve = (
        f"did:example:{name}" for name in ("ada", "bob", "cy", "dee", "eve")
    )
    rules = ModerationRules(
        labels=(Label("spam", "hide"),),
        panel_size=2,
        agreement=2,
        mandate_term=timedelta(days=90),
        appeal_panel_size=1,
        appeal_majority=Threshold(">", Fraction(1, 2)),
    )
    context = Context(dict.fromkeys([ada, bob, cy, dee], "valid"), (bob, eve), rules)

    def t(hour, minute):
        return datetime(2026, 5, 4, hour, minute, tzinfo=UTC)

    facts = CaseFacts(
        Case("did:example:community", subject, "spam"),
        author=eve,
        reports=(CaseAct("r1", bob, t(10, 0)),),
        labels=(
            CaseAct("l1", bob, t(10, 5)),
            CaseAct("l2", cy, t(10, 10)),
            CaseAct("l3", dee, t(10, 20)),
            CaseAct("l4", cy, t(10, 30)),
        ),
        appeals=(CaseAct("a1", eve, t(11, 0)),),
        verdicts={"a1": (CaseAct("v1", ada, t(12, 0), "overturn"),)},
    )
    early = judge_case(facts, context, at=t(10, 25))
    assert early.opened == t(10, 0)
    assert early.panels.panel == (cy, dee)
    assert early.panels.appeal_panel == (ada,)
    assert set(early.panels.skipped) == {bob}
    assert [r.counts for r in early.reports] == [True]
    assert [(c.cid, c.reason) for c in early.labels] == [
        ("l1", "notPanel"),
        ("l2", None),
        ("l3", None),
    ]
    assert (early.state, early.applied_at) == ("applied", t(10, 20))
    later = judge_case(facts, context, at=t(11, 30))
    assert [(c.cid, c.reason) for c in later.labels] == [
        ("l1", "notPanel"),
        ("l2", "superseded"),
        ("l3", None),
        ("l4", None),
    ]
    assert (later.state, later.applied_at) == ("applied", t(10, 30))
    assert later.appeal.cid == "a1"
    assert not later.appeal.overturned
    final = judge_case(facts, context, at=t(12, 0))
    assert final.state == "overturned"
    assert final.appeal.overturned_at == t(12, 0)
    assert (final.appeal.overturn, final.appeal.uphold) == (1, 0)


def _crowded(count):
    """A case with ``count`` labels, appeals refused for lack of a decision,
    and verdicts: the shapes a hostile pool could make large."""
    labels = [label(f"l{i}", MODERATORS[i % 8], i, i % 5 == 0) for i in range(count)]
    appeals = [appeal(f"a{i}", AUTHOR, i) for i in range(count)]
    verdicts = {
        f"a{i}": tuple(verdict(f"v{i}-{j}", A1, i + j, "uphold") for j in range(3))
        for i in range(count)
    }
    return facts(labels, appeals=appeals, verdicts=verdicts)


def test_the_work_on_one_case_grows_no_faster_than_its_acts():
    small, large = _crowded(100), _crowded(400)
    context = Context()
    work = [
        bytecodes(lambda f=f: judge_case(f, context, at=at(10**5)))
        for f in (small, large)
    ]
    assert work[1] < 5 * work[0]


def test_at_needs_a_timezone():
    with pytest.raises(ValueError, match="timezone"):
        judge_case(facts(), Context(), at=datetime(2026, 5, 1))


def test_a_report_after_the_opening_moves_nobody():
    """The panels are drawn once, as the case opens: a panel member who
    reports later keeps their seat (their report reads ``seated``), so a late
    report cannot reshuffle the appeal panel after its verdicts."""
    members = ("did:example:r", AUTHOR, *MODERATORS)
    first = CaseAct("r1", "did:example:r", at(5))
    late = CaseAct("r2", P1, at(30))
    labels = [label("a", P1, 10), label("b", P2, 20)]
    before = judge_case(facts(labels, [first]), Context(members=members), at=at(25))
    after = judge_case(
        facts(labels, [first, late]), Context(members=members), at=at(40)
    )
    assert before.panels == after.panels
    assert P1 in after.panels.panel
    assert {c.cid: c.reason for c in after.reports} == {"r1": None, "r2": "seated"}
    assert after.state == "applied"
    # a moderator off both panels who reports later counts, and moves nobody
    outside = judge_case(
        facts(labels, [first, CaseAct("r3", OUTSIDE, at(30))]),
        Context(members=members),
        at=at(40),
    )
    assert outside.panels == before.panels
    assert {c.cid: c.reason for c in outside.reports} == {"r1": None, "r3": None}


def test_a_reporter_before_the_opening_is_skipped():
    members = ("did:example:r", AUTHOR, *MODERATORS)
    decision = judge_case(
        facts([label("a", P2, 10)], [CaseAct("r1", P1, at(5))]),
        Context(members=members),
        at=AT,
    )
    assert P1 in decision.panels.skipped
    assert P1 not in decision.panels.panel + decision.panels.appeal_panel
