"""Feed policies, for random policies and decisions: a decision the policy
ignores (community not followed, action mapped to ``ignore``, not in effect)
never changes an entry; the treatment is the worst of a direct count; the
default policy hides nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ssi.cid import object_cid
from ssi.social import (
    DEFAULT_POLICY,
    TREATMENTS,
    FeedPolicy,
    build_feed,
    moderate_feed,
    post_credential,
)

COMMUNITIES = ("did:example:c1", "did:example:c2", "did:example:c3")
ACTIONS = ("hide", "warn", "inform")
LABELS = ("spam", "nsfw", "satire")
STATES = ("applied", "applied", "open", "overturned", "unknownLabel")
RANK = {"show": 0, "inform": 1, "warn": 2, "hide": 3}
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class FakeCase:
    community: str
    post: str
    label: str


@dataclass(frozen=True)
class FakeDecision:
    case: FakeCase
    action: str | None
    state: str
    agreeing: tuple[str, ...] = ()
    agreement: int = 2
    panel_size: int = 3

    @property
    def in_effect(self) -> bool:
        return self.state == "applied"

    def to_json(self):
        return {"state": self.state}


def _feed():
    items = []
    for n in range(3):
        credential = post_credential(
            "did:example:alice", f"post {n}", published=T0 + timedelta(minutes=n)
        )
        items.append((object_cid(credential), credential))
    edit = post_credential(
        "did:example:alice",
        "post 0, edited",
        published=T0 + timedelta(minutes=9),
        replaces=items[0][0],
    )
    items.append((object_cid(edit), edit))
    return [cid for cid, _ in items], build_feed(items)


VERSIONS, FEED = _feed()
ROOT = {cid: entry.cid for entry in FEED.entries for cid in (entry.cid, *entry.edits)}

treatments = st.sampled_from(TREATMENTS)


@st.composite
def policies(draw):
    follow_all = draw(st.booleans())
    follow = () if follow_all else tuple(draw(st.sets(st.sampled_from(COMMUNITIES))))
    actions = {a: draw(treatments) for a in ACTIONS}
    followed = sorted(COMMUNITIES if follow_all else follow)
    overridden = draw(st.sets(st.sampled_from(followed))) if followed else set()
    overrides = {
        c: draw(st.dictionaries(st.sampled_from(ACTIONS), treatments))
        for c in sorted(overridden)
    }
    return FeedPolicy(follow, follow_all, actions, overrides)


decisions = st.builds(
    FakeDecision,
    case=st.builds(
        FakeCase,
        st.sampled_from(COMMUNITIES),
        st.sampled_from(VERSIONS),
        st.sampled_from(LABELS),
    ),
    action=st.sampled_from(ACTIONS),
    state=st.sampled_from(STATES),
)


def _ignored(policy, item):
    return (
        not item.in_effect
        or policy.treatment(item.case.community, item.action) == "ignore"
    )


def _cases(moderated):
    return {
        m.entry.cid: (m.treatment, [(d.treatment, d.decision) for d in m.decisions])
        for m in moderated.entries
    }


@settings(max_examples=300, deadline=None)
@given(policies(), st.lists(decisions, max_size=12), st.lists(decisions, max_size=12))
def test_ignored_decisions_never_change_an_entry(policy, kept, extra):
    ignored = [d for d in extra if _ignored(policy, d)]
    before = _cases(moderate_feed(FEED, kept, policy))
    mixed = [*ignored[: len(ignored) // 2], *kept, *ignored[len(ignored) // 2 :]]
    after = _cases(moderate_feed(FEED, mixed, policy))
    assert after == before


@settings(max_examples=300, deadline=None)
@given(policies(), st.lists(decisions, max_size=12))
def test_the_treatment_is_the_worst_of_a_direct_count(policy, given_decisions):
    worst = {entry.cid: "show" for entry in FEED.entries}
    seen = set()
    for item in given_decisions:
        key = (item.case.community, item.case.post, item.case.label)
        if _ignored(policy, item) or key in seen:
            continue
        seen.add(key)
        treatment = policy.treatment(item.case.community, item.action)
        root = ROOT[item.case.post]
        if RANK[treatment] > RANK[worst[root]]:
            worst[root] = treatment
    moderated = moderate_feed(FEED, given_decisions, policy)
    assert {m.entry.cid: m.treatment for m in moderated.entries} == worst
    assert [m.entry for m in moderated.entries] == list(FEED.entries)


@settings(max_examples=100, deadline=None)
@given(st.lists(decisions, max_size=12))
def test_the_default_policy_never_hides_or_warns(given_decisions):
    moderated = moderate_feed(FEED, given_decisions, DEFAULT_POLICY)
    assert {m.treatment for m in moderated.entries} <= {"show", "inform"}
