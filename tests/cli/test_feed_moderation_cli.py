"""``agora feed`` with moderation: the policy file (default, --policy, refused),
hidden posts as placeholders (--show-hidden), warnings, inform labels, --json,
--no-moderation, escaping. The decisions come from a stand-in for the
moderation log here (the real evidence is judged in
test_feed_moderation_evidence_cli.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from ssi.bundle import BundleWriter
from ssi.cid import object_cid
from ssi.social import DEFAULT_POLICY, build_feed, post_credential, read_feed_policy
from tests.cli.test_feed_cli import ADA, BOB, T0, fill, invoke, signed
from wallet_cli.commands import feed_moderation

C1 = "did:example:gardeners"
C2 = "did:example:cyclists"


@dataclass(frozen=True)
class FakeCase:
    community: str
    post: str
    label: str


@dataclass(frozen=True)
class FakeDecision:
    case: FakeCase
    action: str
    state: str = "applied"
    agreeing: tuple[str, ...] = ("did:example:m1", "did:example:m2")
    agreement: int = 2
    panel_size: int = 3
    extra: dict = field(default_factory=dict)

    @property
    def in_effect(self) -> bool:
        return self.state == "applied"

    def to_json(self):
        return {
            "community": self.case.community,
            "post": self.case.post,
            "label": self.case.label,
            "state": self.state,
        }


@pytest.fixture
def posts(tmp_path):
    objects = [
        signed(post_credential(ADA, "Buy cheap engines", published=T0), 0),
        signed(
            post_credential(
                BOB, "Gory engine crash", published=T0 + timedelta(minutes=1)
            ),
            1,
        ),
        signed(
            post_credential(
                ADA, "Engines are people", published=T0 + timedelta(minutes=2)
            ),
            0,
        ),
        signed(
            post_credential(BOB, "Plain post", published=T0 + timedelta(minutes=3)),
            1,
        ),
    ]
    fill(tmp_path, *objects)
    return [object_cid(o) for o in objects]


@pytest.fixture
def decided(monkeypatch, posts):
    """Three decisions in effect (hide, warn, inform) and one overturned."""
    decisions = [
        FakeDecision(FakeCase(C1, posts[0], "spam"), "hide"),
        FakeDecision(FakeCase(C1, posts[1], "gore"), "warn"),
        FakeDecision(FakeCase(C2, posts[2], "satire"), "inform"),
        FakeDecision(FakeCase(C1, posts[3], "spam"), "hide", state="overturned"),
    ]
    calls = []

    def judged(documents, communities, *, logs, at, authors):
        calls.append((list(communities), at))
        assert set(authors) == set(posts)
        return decisions

    stand_ins = [
        {
            "type": ["VerifiableCredential", "Label"],
            "credentialSubject": {"community": c},
        }
        for c in (C1, C2)
    ]
    monkeypatch.setattr(feed_moderation, "moderation_documents", lambda _: stand_ins)
    monkeypatch.setattr(feed_moderation, "feed_decisions", judged)
    return calls


FOLLOW_ALL = 'follow = "all"\n'


def test_no_policy_file_hides_nothing_and_shows_labels(tmp_path, posts, decided):
    result = invoke(tmp_path, "feed")
    assert result.exit_code == 0, result.output
    text = result.stdout
    for content in ("Buy cheap engines", "Gory engine crash", "Engines are people"):
        assert content in text
    assert "hidden" not in text
    assert "warning" not in text
    assert "label: spam (2 of 3 moderators agreed)" in text
    assert "label: gore (2 of 3 moderators agreed)" in text
    assert "label: satire" in text
    assert text.splitlines()[0] == "4 threads, 4 posts, 0 orphans, 0 ignored objects"


def test_a_hidden_post_is_one_line_naming_label_k_of_n_and_case(
    tmp_path, posts, decided
):
    (tmp_path / "feed-policy.toml").write_text(FOLLOW_ALL, encoding="utf-8")
    result = invoke(tmp_path, "feed", "--at", "2026-02-01T00:00:00Z")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.splitlines()[0].endswith("; 1 hidden, 1 behind a warning")
    placeholder = (
        f'● hidden: label "spam", 2 of 3 moderators agreed; case {posts[0]} spam'
    )
    assert placeholder in text.splitlines()
    assert "Buy cheap engines" not in text
    assert decided[0][1].isoformat() == "2026-02-01T00:00:00+00:00"
    # A warned post comes after its notice line.
    lines = text.splitlines()
    notice = next(i for i, line in enumerate(lines) if "warning: " in line)
    assert 'label "gore", 2 of 3 moderators agreed' in lines[notice]
    assert "Gory engine crash" in lines[notice + 1]
    assert "label: satire (2 of 3 moderators agreed)" in text
    # An overturned decision does nothing.
    assert "Plain post" in text


def test_show_hidden_reveals_the_post_still_marked(tmp_path, posts, decided):
    (tmp_path / "feed-policy.toml").write_text(FOLLOW_ALL, encoding="utf-8")
    result = invoke(tmp_path, "feed", "--show-hidden")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    marked = next(i for i, line in enumerate(lines) if "hidden: " in line)
    assert "Buy cheap engines" in "\n".join(lines[marked + 1 : marked + 3])


def test_json_carries_treatment_and_decisions(tmp_path, posts, decided):
    (tmp_path / "feed-policy.toml").write_text(FOLLOW_ALL, encoding="utf-8")
    body = json.loads(invoke(tmp_path, "feed", "--json").stdout)
    by_cid = {entry["cid"]: entry for entry in body["entries"]}
    hidden = by_cid[posts[0]]
    assert hidden["treatment"] == "hide"
    assert hidden["post"] is None
    assert hidden["decisions"] == [
        {
            "treatment": "hide",
            "decision": {
                "community": C1,
                "post": posts[0],
                "label": "spam",
                "state": "applied",
            },
        }
    ]
    assert by_cid[posts[1]]["treatment"] == "warn"
    assert by_cid[posts[2]]["treatment"] == "inform"
    assert by_cid[posts[3]]["treatment"] == "show"
    assert by_cid[posts[3]]["decisions"] == []
    assert body["policy"]["follow"] == "all"
    revealed = json.loads(invoke(tmp_path, "feed", "--json", "--show-hidden").stdout)
    first = next(e for e in revealed["entries"] if e["cid"] == posts[0])
    assert first["post"]["content"] == "Buy cheap engines"


def test_policy_file_option_and_overrides(tmp_path, posts, decided):
    policy = tmp_path / "mine.toml"
    policy.write_text(
        f'follow = ["{C1}"]\n[overrides."{C1}"]\nhide = "warn"\nwarn = "ignore"\n',
        encoding="utf-8",
    )
    body = json.loads(
        invoke(tmp_path, "feed", "--json", "--policy", str(policy)).stdout
    )
    treatments = {e["cid"]: e["treatment"] for e in body["entries"]}
    assert treatments == {
        posts[0]: "warn",
        posts[1]: "show",
        posts[2]: "show",  # C2 is not followed
        posts[3]: "show",
    }
    assert decided[-1][0] == [C1]


def test_no_moderation_reads_no_policy_and_no_evidence(tmp_path, posts, decided):
    (tmp_path / "feed-policy.toml").write_text("not toml [", encoding="utf-8")
    result = invoke(tmp_path, "feed", "--no-moderation", "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert {e["treatment"] for e in body["entries"]} == {"show"}
    assert body["policy"] is None
    assert decided == []


def test_a_bad_policy_stops_the_command_with_field_and_line(tmp_path, posts, decided):
    (tmp_path / "feed-policy.toml").write_text(
        'follow = "all"\n[actions]\nhide = "shun"\n', encoding="utf-8"
    )
    result = invoke(tmp_path, "feed")
    assert result.exit_code == 2
    assert "error[invalidFeedPolicy]" in result.stderr
    assert "feed-policy.toml line 3: actions.hide" in result.stderr
    problem = json.loads(invoke(tmp_path, "feed", "--json").stderr.splitlines()[-1])
    assert problem["code"] == "invalidFeedPolicy"
    missing = invoke(tmp_path, "feed", "--policy", str(tmp_path / "none.toml"))
    assert missing.exit_code == 2
    assert "cannot be read" in missing.stderr


def test_a_log_file_that_cannot_be_read_is_unusable_input(tmp_path, posts, decided):
    result = invoke(tmp_path, "feed", "--log", str(tmp_path / "absent.jsonl"))
    assert result.exit_code == 2
    assert "error[unusableInput]" in result.stderr


def test_stranger_text_in_labels_is_escaped(tmp_path, posts, monkeypatch):
    evil = "[red]spam[/red]\x1b[2J\u202e"
    decisions = [FakeDecision(FakeCase(C1, posts[0], evil), "hide")]
    stand_in = {"type": ["VerifiableCredential", "Label"], "credentialSubject": {}}
    stand_in["credentialSubject"]["community"] = C1
    monkeypatch.setattr(feed_moderation, "moderation_documents", lambda _: [stand_in])
    monkeypatch.setattr(feed_moderation, "feed_decisions", lambda *a, **k: decisions)
    (tmp_path / "feed-policy.toml").write_text(FOLLOW_ALL, encoding="utf-8")
    for args in (("feed",), ("feed", "--show-hidden")):
        result = invoke(tmp_path, *args)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.stdout
        assert "\u202e" not in result.stdout
        assert "[red]spam[/red]" in result.stdout


def test_the_evidence_names_communities_signers_and_bundled_objects(tmp_path):
    vc = "VerifiableCredential"
    documents = [
        {
            "type": [vc, "Label"],
            "issuer": "did:example:m1",
            "credentialSubject": {"community": C1, "post": "a CID"},
        },
        {
            "type": [vc, "Report"],
            "issuer": {"id": "did:example:r1"},
            "credentialSubject": {"community": C2, "post": "not a CID"},
        },
        {
            "type": [vc, "ModeratorMandate"],
            "issuer": "did:example:third",
            "credentialSubject": {"community": "did:example:third"},
        },
    ]
    assert feed_moderation.followed_communities(documents, DEFAULT_POLICY) == [C2, C1]
    # Only communities with a case (a report or label) and followed.
    listed = read_feed_policy(f'follow = ["did:example:third", "{C1}"]\n')
    assert feed_moderation.followed_communities(documents, listed) == [C1]
    assert feed_moderation.signers(documents) == {
        "did:example:m1",
        "did:example:r1",
        "did:example:third",
    }
    path = tmp_path / "evidence.jsonl"
    with path.open("wb") as out:
        writer = BundleWriter(out)
        for document in documents:
            writer.object(document)
        writer.object({"type": [vc, "Post"], "credentialSubject": {}})
    logs = {}
    found = feed_moderation.bundle_evidence([path], logs)
    assert found == documents
    assert logs == {}


def test_the_authors_are_every_version_of_the_feeds_posts():
    original = post_credential(ADA, "first", published=T0)
    cid = object_cid(original)
    edit = post_credential(
        ADA, "second", published=T0 + timedelta(minutes=1), replaces=cid
    )
    reply = post_credential(
        BOB, "reply", published=T0 + timedelta(minutes=2), in_reply_to=cid
    )
    feed = build_feed([(object_cid(o), o) for o in (original, edit, reply)])
    assert feed_moderation.feed_authors(feed) == {
        cid: ADA,
        object_cid(edit): ADA,
        object_cid(reply): BOB,
    }
