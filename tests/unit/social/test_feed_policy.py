"""Feed policies: the TOML file read or refused (with the key path and line),
and the treatment each feed entry gets from the decisions in effect."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ssi.cid import object_cid
from ssi.errors import InvalidFeedPolicyError
from ssi.social import (
    DEFAULT_POLICY,
    FEED_POLICY_FILE,
    TREATMENTS,
    FeedPolicy,
    build_feed,
    load_feed_policy,
    moderate_feed,
    post_credential,
    read_feed_policy,
)

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "feed-policy.toml"
ALICE = "did:example:alice"
BOB = "did:example:bob"
C1 = "did:example:c1"
C2 = "did:example:c2"
C3 = "did:example:c3"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, order=True)
class FakeCase:
    community: str
    post: str
    label: str


@dataclass(frozen=True)
class FakeDecision:
    """The fields of a ``Decision`` that feeds read (contract, issue 13)."""

    case: FakeCase
    action: str | None
    state: str = "applied"
    agreeing: tuple[str, ...] = ("did:example:m1", "did:example:m2")
    agreement: int = 2
    panel_size: int = 3

    @property
    def in_effect(self) -> bool:
        return self.state == "applied"

    def to_json(self):
        return {"post": self.case.post, "label": self.case.label, "state": self.state}


def decision(community, post, label, action, state="applied"):
    return FakeDecision(FakeCase(community, post, label), action, state)


# --- Reading ---------------------------------------------------------------------


def test_the_example_file_reads():
    policy = read_feed_policy(EXAMPLE.read_text(encoding="utf-8"))
    first, second = policy.follow
    assert not policy.follow_all
    assert policy.treatment(first, "hide") == "hide"
    assert policy.treatment(second, "hide") == "warn"
    assert policy.treatment(second, "inform") == "ignore"
    assert policy.treatment(second, "warn") == "warn"
    assert policy.treatment(C1, "hide") == "ignore"


def test_follow_all_with_actions_left_out_keeps_each_action():
    policy = read_feed_policy('follow = "all"\n')
    assert policy.follow_all
    assert policy.follow == ()
    assert dict(policy.actions) == {"hide": "hide", "warn": "warn", "inform": "inform"}
    assert policy.treatment(C3, "hide") == "hide"


def test_overrides_win_over_actions_for_their_community_only():
    policy = read_feed_policy(
        f'follow = ["{C1}", "{C2}"]\n'
        '[actions]\nhide = "warn"\ninform = "ignore"\n'
        f'[overrides."{C2}"]\nhide = "hide"\n'
    )
    assert policy.follow == (C1, C2)
    assert policy.treatment(C1, "hide") == "warn"
    assert policy.treatment(C2, "hide") == "hide"
    assert policy.treatment(C2, "inform") == "ignore"
    assert policy.treatment(C2, "warn") == "warn"
    assert policy.treatment(C1, "unknown action") == "ignore"
    assert policy.to_json()["overrides"] == {C2: {"hide": "hide"}}


def test_an_empty_follow_list_follows_nobody():
    policy = read_feed_policy("follow = []\n")
    assert all(policy.treatment(C1, a) == "ignore" for a in ("hide", "warn", "inform"))


BAD = [
    pytest.param(
        'follow = "all"\n[actions\n', "", 2, "not valid TOML at line 2", id="syntax"
    ),
    pytest.param("follow = [\n", "", None, "at the end", id="syntax-at-end"),
    pytest.param(
        "[actions]\nhide = 'hide'\n", "follow", None, "missing", id="no-follow"
    ),
    pytest.param('follow = "everyone"\n', "follow", 1, '"all"', id="follow-word"),
    pytest.param("follow = 3\n", "follow", 1, "an integer", id="follow-type"),
    pytest.param(
        "follow = [3]\n", "follow[0]", 1, "not a community DID", id="did-type"
    ),
    pytest.param(
        '# mine\nfollow = [\n  "did:example:a",\n  "nope",\n]\n',
        "follow[1]",
        4,
        "not a DID",
        id="not-a-did",
    ),
    pytest.param(
        'follow = [\n  "did:example:a",\n  "did:example:b",\n  "did:example:a",\n]\n',
        "follow[2]",
        4,
        "repeats",
        id="followed-twice",
    ),
    pytest.param(
        'follow = "all"\nmoderators = 1\n',
        "moderators",
        2,
        "not a key",
        id="unknown-key",
    ),
    pytest.param(
        'follow = "all"\n[filters]\n', "filters", 2, "not a key", id="unknown-table"
    ),
    pytest.param(
        'follow = "all"\nactions = 3\n', "actions", 2, "an integer", id="actions"
    ),
    pytest.param(
        'follow = "all"\n[actions]\nspam = "hide"\n',
        "actions.spam",
        3,
        "not a label action",
        id="action-unknown",
    ),
    pytest.param(
        'follow = "all"\n\n[actions]\nwarn = "warn"\nhide = "show"\n',
        "actions.hide",
        5,
        '"ignore" leaves the post',
        id="treatment-show",
    ),
    pytest.param(
        'follow = "all"\n[actions]\nhide = true\n',
        "actions.hide",
        3,
        "not one of hide, warn, inform, ignore",
        id="treatment-type",
    ),
    pytest.param(
        'follow = "all"\noverrides = []\n',
        "overrides",
        2,
        "a list, not a table",
        id="overrides-type",
    ),
    pytest.param(
        'follow = "all"\n[overrides."not a did"]\nhide = "warn"\n',
        'overrides."not a did"',
        2,
        "not a DID",
        id="override-did",
    ),
    pytest.param(
        f'follow = ["{C1}"]\n[overrides."{C2}"]\nhide = "warn"\n',
        f'overrides."{C2}"',
        2,
        "does not list",
        id="override-unfollowed",
    ),
    pytest.param(
        f'follow = "all"\n[overrides."{C2}"]\nhide = "hidden"\n',
        f'overrides."{C2}".hide',
        3,
        "not one of",
        id="override-treatment",
    ),
    pytest.param(
        f'follow = "all"\noverrides."{C2}".label = "warn"\n',
        f'overrides."{C2}".label',
        2,
        "not a label action",
        id="override-dotted-key",
    ),
    pytest.param(
        f'follow = "all"\n[overrides]\n"{C2}" = "hide"\n',
        f'overrides."{C2}"',
        3,
        "a string, not a table",
        id="override-not-table",
    ),
    pytest.param(
        'follow = "all"\n[actions]\nhide = 1979-05-27\n',
        "actions.hide",
        3,
        "not one of",
        id="treatment-date",
    ),
]


@pytest.mark.parametrize(("text", "field", "line", "words"), BAD)
def test_a_bad_policy_is_refused_naming_the_field_and_line(text, field, line, words):
    with pytest.raises(InvalidFeedPolicyError) as caught:
        read_feed_policy(text, source="mine.toml")
    error = caught.value
    assert error.code == "invalidFeedPolicy"
    assert error.field == field
    assert error.line == line
    assert words in error.detail
    assert error.detail.startswith("mine.toml")
    if line is not None:
        assert f"line {line}" in error.detail


# --- Loading -----------------------------------------------------------------------


def test_no_file_is_the_default_policy(tmp_path):
    assert load_feed_policy(tmp_path) is DEFAULT_POLICY


def test_the_home_file_is_read(tmp_path):
    (tmp_path / FEED_POLICY_FILE).write_text(f'follow = ["{C1}"]\n', encoding="utf-8")
    assert load_feed_policy(tmp_path).follow == (C1,)


def test_a_file_given_must_exist_and_be_utf8(tmp_path):
    with pytest.raises(InvalidFeedPolicyError, match="cannot be read"):
        load_feed_policy(tmp_path, path=tmp_path / "absent.toml")
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b'follow = "\xe9"\n')
    with pytest.raises(InvalidFeedPolicyError, match="not UTF-8"):
        load_feed_policy(tmp_path, path=latin)


def test_a_bad_home_file_is_refused_with_its_name(tmp_path):
    (tmp_path / FEED_POLICY_FILE).write_text("follow = 1\n", encoding="utf-8")
    with pytest.raises(InvalidFeedPolicyError, match=r"^feed-policy.toml line 1"):
        load_feed_policy(tmp_path)


# --- Moderating a feed ------------------------------------------------------------


def posts(count=3):
    items = []
    for n in range(count):
        credential = post_credential(
            ALICE, f"post {n}", published=T0 + timedelta(minutes=n)
        )
        items.append((object_cid(credential), credential))
    return [cid for cid, _ in items], build_feed(items)


def test_the_default_policy_hides_nothing_and_informs_everything():
    assert set(DEFAULT_POLICY.actions.values()) == {"inform"}
    cids, feed = posts()
    decisions = [
        decision(C1, cids[0], "spam", "hide"),
        decision(C2, cids[1], "nsfw", "warn"),
        decision(C3, cids[1], "satire", "inform"),
    ]
    moderated = moderate_feed(feed, decisions, DEFAULT_POLICY)
    assert [m.treatment for m in moderated.entries] == ["inform", "inform", "show"]
    assert moderated.count("hide") == moderated.count("warn") == 0
    assert [m.entry for m in moderated.entries] == list(feed.entries)


def test_worst_wins_and_decisions_are_listed_worst_first():
    cids, feed = posts()
    policy = read_feed_policy('follow = "all"\n')
    decisions = [
        decision(C1, cids[0], "satire", "inform"),
        decision(C2, cids[0], "spam", "hide"),
        decision(C1, cids[0], "nsfw", "warn"),
        decision(C1, cids[1], "satire", "inform"),
        decision(C1, cids[1], "nsfw", "warn"),
    ]
    moderated = moderate_feed(feed, decisions, policy)
    first = moderated.entry(cids[0])
    assert first.treatment == "hide"
    assert [d.treatment for d in first.decisions] == ["hide", "warn", "inform"]
    assert moderated.entry(cids[1]).treatment == "warn"
    assert moderated.entry(cids[2]).treatment == "show"
    assert moderated.entry(cids[2]).decisions == ()
    document = moderated.to_json()
    assert document["entries"][0]["treatment"] == "hide"
    assert document["entries"][0]["decisions"][0]["treatment"] == "hide"
    assert document["policy"]["follow"] == "all"


@pytest.mark.parametrize(
    "state", ["open", "overturned", "unknownLabel", "noConstitution"]
)
def test_only_decisions_in_effect_count(state):
    cids, feed = posts(1)
    policy = read_feed_policy('follow = "all"\n')
    moderated = moderate_feed(
        feed, [decision(C1, cids[0], "spam", "hide", state)], policy
    )
    assert moderated.entries[0].treatment == "show"


def test_unfollowed_and_ignored_decisions_change_nothing():
    cids, feed = posts(1)
    policy = read_feed_policy(f'follow = ["{C1}"]\n[actions]\nwarn = "ignore"\n')
    decisions = [
        decision(C2, cids[0], "spam", "hide"),
        decision(C1, cids[0], "nsfw", "warn"),
    ]
    moderated = moderate_feed(feed, decisions, policy)
    assert moderated.entries[0].treatment == "show"
    assert moderated.entries[0].decisions == ()


def test_the_same_case_given_twice_counts_once():
    cids, feed = posts(1)
    twice = [decision(C1, cids[0], "spam", "hide")] * 2
    moderated = moderate_feed(feed, twice, read_feed_policy('follow = "all"\n'))
    assert len(moderated.entries[0].decisions) == 1


def edited_feed():
    original = post_credential(ALICE, "first", published=T0)
    cid = object_cid(original)
    edit = post_credential(
        ALICE, "second", published=T0 + timedelta(minutes=1), replaces=cid
    )
    edit_cid = object_cid(edit)
    forged = post_credential(
        BOB, "forged", published=T0 + timedelta(minutes=2), replaces=cid
    )
    forged_cid = object_cid(forged)
    feed = build_feed([(cid, original), (edit_cid, edit), (forged_cid, forged)])
    return cid, edit_cid, forged_cid, feed


def test_a_label_on_any_accepted_version_applies_to_the_post():
    cid, edit_cid, forged_cid, feed = edited_feed()
    entry = feed.entry(cid)
    assert entry.current == edit_cid
    assert entry.edits == (edit_cid,)
    policy = read_feed_policy('follow = "all"\n')
    on_original = moderate_feed(feed, [decision(C1, cid, "spam", "hide")], policy)
    assert on_original.entry(cid).treatment == "hide"
    on_edit = moderate_feed(feed, [decision(C1, edit_cid, "spam", "warn")], policy)
    assert on_edit.entry(cid).treatment == "warn"
    # An edit by someone else is not a version of the post: its label does not
    # reach the post.
    on_forged = moderate_feed(feed, [decision(C1, forged_cid, "spam", "hide")], policy)
    assert on_forged.entry(cid).treatment == "show"


def test_treatments_are_the_documented_ones():
    assert TREATMENTS == ("hide", "warn", "inform", "ignore")
    policy = FeedPolicy((C1,), False, {"hide": "warn"}, {})
    assert policy.follows(C1)
    assert not policy.follows(C2)
    assert policy.treatment(C1, "warn") == "ignore"
