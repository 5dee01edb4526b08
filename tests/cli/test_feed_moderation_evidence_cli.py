"""``agora feed`` judges real evidence (the decision tests' community: a
ratified constitution, an STV election, mandates): a member reports two
posts and two of each three-member panel label them; under a policy that
follows the community the spam post is hidden and the gory one is behind a
warning; without a policy both are only labelled; an appeal by the author
that the appeal panel upholds keeps the post hidden, one it overturns brings
it back. Evidence is read from a bundle (``--bundle``) or from the store."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from ssi.bundle import BundleWriter
from ssi.cid import object_cid
from ssi.credentials import FixedClock, Verifier
from ssi.datetimes import format_date_time
from ssi.social import draw_panels
from ssi.status import BitstringStatusChecker, MemoryStatusSource
from ssi.store import SQLiteStore
from tests.cli.test_feed_cli import invoke
from tests.unit.social.moderation_world import (
    AT,
    AUTHOR,
    DAY,
    REPORTER,
    ModerationWorld,
)

VALID = range(1, 8)
"""Members whose mandates are valid on DAY (8's ended, 9's was revoked)."""


class Cases:
    """Three posts by AUTHOR; spam and gore reported and labelled by two of
    each panel; a third post left alone."""

    def __init__(self, *, stewards: bool = False) -> None:
        self.world = world = ModerationWorld(stewards=stewards)
        moderators = [world.members[i] for i in VALID]
        skip = (world.members[REPORTER], world.members[AUTHOR])
        self.posts = {
            name: world.post(text, minutes=n)
            for n, (name, text) in enumerate(
                (
                    ("spam", "Buy cheap engines now"),
                    ("gore", "The crash, in detail"),
                    ("plain", "Engines at dawn"),
                )
            )
        }
        self.acts = []
        self.panels = {}
        for label, name in (("spam", "spam"), ("nsfw", "gore")):
            post = self.posts[name]
            self.acts.append(world.report(REPORTER, post, label))
            draw = draw_panels(
                object_cid(post), label, moderators, size=3, appeal_size=3, skip=skip
            )
            self.panels[label] = draw
            for seat, did in enumerate(draw.panel[:2]):
                self.acts.append(world.label(did, post, label, minutes=seat + 1))

    def cid(self, name):
        return object_cid(self.posts[name])

    def appeal(self, verdict):
        """The author's appeal on spam and the appeal panel's verdicts."""
        world = self.world
        appeal = world.appeal(AUTHOR, self.posts["spam"], "spam", minutes=60)
        verdicts = [
            world.verdict(did, appeal, verdict, minutes=61 + n)
            for n, did in enumerate(self.panels["spam"].appeal_panel)
        ]
        return [appeal, *verdicts]

    def store(self, home: Path, *extra) -> None:
        """Store the posts (and ``extra``), verified as of AT."""
        world = self.world
        source = MemoryStatusSource()
        for status_list in world.lists[-2:]:
            source.add(status_list)
        verifier = Verifier(clock=FixedClock(AT), status=BitstringStatusChecker(source))
        home.mkdir(parents=True, exist_ok=True)
        with SQLiteStore(home / "store.sqlite") as store:
            store.add([*self.posts.values(), *extra], verifier=verifier)

    def bundle(self, path: Path, *extra) -> Path:
        """A bundle of the evidence: governance, memberships, lists, acts."""
        world = self.world
        with path.open("wb") as out:
            writer = BundleWriter(out)
            for status_list in world.lists:
                writer.status_list(status_list)
            for membership in world.memberships:
                writer.membership(membership)
            for document in world.governance():
                if document not in world.memberships and document not in world.lists:
                    writer.object(document)
            for document in (*self.acts, *extra):
                writer.object(document)
        return path


@pytest.fixture(scope="module")
def cases():
    return Cases()


@pytest.fixture(scope="module")
def stewarded():
    return Cases(stewards=True)


def follow(home: Path, cases: Cases) -> None:
    (home / "feed-policy.toml").write_text(
        f'follow = ["{cases.world.community}"]\n', encoding="utf-8"
    )


def feed_json(home: Path, *args: str) -> dict:
    result = invoke(home, "feed", "--at", format_date_time(AT), "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def treatments(body: dict) -> dict[str, str]:
    return {entry["cid"]: entry["treatment"] for entry in body["entries"]}


def test_the_policy_hides_spam_and_warns_of_gore(tmp_path, cases):
    cases.store(tmp_path)
    follow(tmp_path, cases)
    bundle = str(cases.bundle(tmp_path / "evidence.jsonl"))
    result = invoke(tmp_path, "feed", "--at", format_date_time(AT), "--bundle", bundle)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    spam = cases.cid("spam")
    assert (
        f'● hidden: label "spam", 2 of 3 moderators agreed; case {spam} spam' in lines
    )
    assert "Buy cheap engines now" not in result.stdout
    assert 'warning: label "nsfw", 2 of 3 moderators agreed' in result.stdout
    assert "Engines at dawn" in result.stdout
    body = feed_json(tmp_path, "--bundle", bundle)
    assert treatments(body) == {
        spam: "hide",
        cases.cid("gore"): "warn",
        cases.cid("plain"): "show",
    }
    hidden = next(e for e in body["entries"] if e["cid"] == spam)
    decision = hidden["decisions"][0]["decision"]
    assert decision["state"] == "applied"
    assert sorted(decision["agreeing"]) == sorted(cases.panels["spam"].panel[:2])
    assert hidden["post"] is None


def test_the_store_holds_the_evidence_too(tmp_path, cases):
    world = cases.world
    cases.store(tmp_path, *world.governance(), *cases.acts)
    follow(tmp_path, cases)
    assert treatments(feed_json(tmp_path))[cases.cid("spam")] == "hide"


def test_before_the_labels_nothing_is_hidden(tmp_path, cases):
    cases.store(tmp_path)
    follow(tmp_path, cases)
    bundle = str(cases.bundle(tmp_path / "evidence.jsonl"))
    early = format_date_time(DAY - timedelta(minutes=1))
    result = invoke(tmp_path, "feed", "--at", early, "--json", "--bundle", bundle)
    assert result.exit_code == 0, result.output
    assert set(treatments(json.loads(result.stdout)).values()) == {"show"}


def test_without_a_policy_labels_are_only_shown(tmp_path, cases):
    cases.store(tmp_path)
    bundle = str(cases.bundle(tmp_path / "evidence.jsonl"))
    result = invoke(tmp_path, "feed", "--at", format_date_time(AT), "--bundle", bundle)
    assert result.exit_code == 0, result.output
    assert "Buy cheap engines now" in result.stdout
    assert "label: spam (2 of 3 moderators agreed)" in result.stdout
    assert "label: nsfw (2 of 3 moderators agreed)" in result.stdout


@pytest.mark.parametrize(
    ("verdict", "treatment"), [("uphold", "hide"), ("overturn", "show")]
)
def test_an_overturned_label_brings_the_post_back(tmp_path, cases, verdict, treatment):
    cases.store(tmp_path)
    follow(tmp_path, cases)
    assert len(cases.panels["spam"].appeal_panel) == 3
    bundle = cases.bundle(tmp_path / "evidence.jsonl", *cases.appeal(verdict))
    body = feed_json(tmp_path, "--bundle", str(bundle))
    assert treatments(body)[cases.cid("spam")] == treatment


def test_a_did_agora_community_is_judged_with_its_log(tmp_path, stewarded):
    stewarded.store(tmp_path)
    follow(tmp_path, stewarded)
    bundle = str(stewarded.bundle(tmp_path / "evidence.jsonl"))
    # Without the community's log its mandates and memberships cannot be
    # verified: nothing counts.
    blind = feed_json(tmp_path, "--bundle", bundle)
    assert set(treatments(blind).values()) == {"show"}
    log = tmp_path / "community.jsonl"
    (entries,) = stewarded.world.logs[stewarded.world.community]
    log.write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    body = feed_json(tmp_path, "--bundle", bundle, "--log", str(log))
    assert treatments(body)[stewarded.cid("spam")] == "hide"


def test_an_unusable_log_file_is_refused_even_without_cases(tmp_path, cases):
    cases.store(tmp_path)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    result = invoke(tmp_path, "feed", "--log", str(bad))
    assert result.exit_code == 2
    assert "bad.jsonl" in result.stderr
