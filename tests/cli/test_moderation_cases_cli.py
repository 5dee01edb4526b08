"""``agora moderation log | case``: a community's cases judged from a bundle,
in human and --json modes, in process with CliRunner. The panels shown are
recomputed here with hashlib from the documented formula."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ssi.bundle import pack
from ssi.cid import object_cid
from ssi.social import label_credential
from tests.cli.helpers import one_error
from tests.unit.social.moderation_world import (
    AUTHOR,
    DAY,
    ELECTED,
    EXPIRES,
    OTHER,
    REPORTER,
    REVOKES,
    ModerationWorld,
)
from wallet_cli.app import app
from wallet_cli.commands.governance_inputs import gather_inputs

runner = CliRunner()
LABELLED = DAY + timedelta(hours=1)
"""After the panel's labels, before the appeal."""
LATER = DAY + timedelta(hours=3)
"""After the verdicts."""
CRAFTED = "[bold red]trust me[/] [link=https://x.example]here[/link]"
"""A stated reason a stranger crafted to style the terminal (control
characters are refused when it is read)."""


def invoke(home: Path, *args: str):
    env = {"AGORA_HOME": str(home), "COLUMNS": "1000", "NO_COLOR": "1"}
    return runner.invoke(app, list(args), env=env)


def order(post: str, label: str, moderators) -> list[str]:
    """The draw, as docs/moderation.md writes it: lowest SHA-256 first."""
    return sorted(
        moderators,
        key=lambda did: (
            hashlib.sha256(f"{post}|{label}|{did}".encode()).hexdigest(),
            did,
        ),
    )


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A post reported; two of its panel label it, a moderator off the panel
    too; the author appeals and the appeal panel overturns."""
    root = tmp_path_factory.mktemp("cases")
    world = ModerationWorld()
    post = world.post("Cheap engines, today only")
    post_cid = object_cid(post)
    valid = [world.members[i] for i in ELECTED if i not in (EXPIRES, REVOKES)]
    drawn = order(post_cid, "spam", valid)
    panel, appeal_panel, outside = drawn[:3], drawn[3:6], drawn[6]
    acts = [
        post,
        world.report(REPORTER, post),
        world.label(panel[0], post, minutes=10),
        world.label(panel[1], post, minutes=20),
        world.label(outside, post, minutes=30),
        world.sign_member(
            OTHER,
            label_credential(
                world.members[OTHER],
                community=world.community,
                post=post_cid,
                label="spam",
                valid_from=DAY + timedelta(minutes=40),
                reason=CRAFTED,
            ),
        ),
    ]
    appeal = world.appeal(AUTHOR, post, minutes=90)
    acts.append(appeal)
    acts += [
        world.verdict(appeal_panel[0], appeal, "overturn", minutes=100),
        world.verdict(appeal_panel[1], appeal, "overturn", minutes=110),
    ]
    bundle = root / "moderation.jsonl"
    with bundle.open("wb") as out:
        pack([*world.governance(), *acts], out, require_complete=False)
    return {
        "root": root,
        "world": world,
        "post": post_cid,
        "panel": panel,
        "appeal_panel": appeal_panel,
        "outside": outside,
        "bundle": bundle,
        "appeal": object_cid(appeal),
        "acts": acts,
    }


def log(story, *args: str):
    return invoke(story["root"], "moderation", "log", "--community",
                  story["world"].community, "--bundle", str(story["bundle"]),
                  *args)  # fmt: skip


def case(story, *args: str, label: str = "spam"):
    return invoke(story["root"], "moderation", "case", story["post"], "--label",
                  label, "--community", story["world"].community, "--bundle",
                  str(story["bundle"]), *args)  # fmt: skip


def test_log_json_lists_the_case_applied_by_two_of_its_panel(story):
    result = log(story, "--at", LABELLED.isoformat(), "--json")
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    (decision,) = body["cases"]
    assert (decision["post"], decision["label"]) == (story["post"], "spam")
    assert decision["state"] == "applied"
    assert decision["panel"] == story["panel"]
    assert decision["appealPanel"] == story["appeal_panel"]
    assert decision["agreeing"] == story["panel"][:2]
    reasons = {label["actor"]: label["reason"] for label in decision["labels"]}
    assert reasons == {
        story["panel"][0]: None,
        story["panel"][1]: None,
        story["outside"]: "notPanel",
        story["world"].members[OTHER]: "notModerator",
    }
    assert decision["appeal"] is None


def test_log_text_says_why_each_label_counts_or_not(story):
    result = log(story, "--at", LABELLED.isoformat())
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "1 case" in text
    assert "applied (2 of 3 agree)" in text
    assert "no: notPanel (its author is not on the case's panel)" in text
    assert "It sells engines." in text
    for did in story["panel"]:
        assert did in text


def test_a_stated_reason_is_printed_literally_and_harmlessly(story):
    text = log(story, "--at", LABELLED.isoformat()).stdout
    assert CRAFTED in text
    assert "no: notModerator (its author holds no mandate)" in text
    body = json.loads(case(story, "--at", LABELLED.isoformat(), "--json").stdout)
    assert CRAFTED in body["statements"].values()


def test_log_after_the_verdicts_shows_the_overturn(story):
    result = log(story, "--at", LATER.isoformat(), "--json")
    (decision,) = json.loads(result.stdout)["cases"]
    assert decision["state"] == "overturned"
    assert decision["appeal"]["cid"] == story["appeal"]
    assert decision["appeal"]["overturn"] == 2
    text = log(story, "--at", LATER.isoformat()).stdout
    assert "overturned on appeal" in text
    assert "verdict: overturn" in text


def test_log_needs_inputs(story):
    result = invoke(story["root"], "moderation", "log", "--community",
                    story["world"].community)  # fmt: skip
    one_error(result, "unusableInput", exit_code=2)


def test_case_shows_the_draw_with_each_lot_key(story):
    result = case(story, "--at", LABELLED.isoformat())
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    for did in story["panel"]:
        key = hashlib.sha256(f"{story['post']}|spam|{did}".encode()).hexdigest()
        assert key in text
    assert "skipped (reporter or author)" not in text
    assert "appeal panel" in text
    assert "Advertising." in text
    assert "applied (2 of 3 agree) since" in text


def test_case_json_carries_the_draw_and_the_stated_reasons(story):
    result = case(story, "--at", LATER.isoformat(), "--json")
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["state"] == "overturned"
    roles = {entry["moderator"]: entry["role"] for entry in body["draw"]}
    assert [did for did, role in roles.items() if role == "panel"] == story["panel"]
    assert [d for d, r in roles.items() if r == "appeal panel"] == story["appeal_panel"]
    assert body["statements"][story["appeal"]] == "It is a real offer."


def test_case_with_no_report_or_label_is_not_found(story):
    result = case(story, label="nsfw")
    line = one_error(result, "objectNotFound", exit_code=1)
    assert "nsfw" in line


def test_the_store_gives_moderation_objects_and_the_posts_they_name(story, tmp_path):
    post, report, *_ = story["acts"]
    labels = [
        act for act in story["acts"] if act["credentialSubject"].get("type") == "Label"
    ]
    source = tmp_path / "acts.json"
    source.write_text(json.dumps([post, report, *labels]), encoding="utf-8")
    location = str(tmp_path / "store.sqlite")
    result = invoke(tmp_path, "store", "add", str(source), "--store", location)
    assert result.exit_code == 0, result.stdout
    found = gather_inputs(None, location, None, moderation=True).cids()
    assert {object_cid(post), object_cid(report)} <= found
    assert {object_cid(label) for label in labels} <= found
    governance = gather_inputs(None, location, None).cids()
    assert not governance & {object_cid(post), object_cid(report)}


@pytest.mark.parametrize("command", ["log", "case"])
def test_log_and_case_have_help_with_an_example(tmp_path, command):
    result = invoke(tmp_path, "moderation", command, "--help")
    assert f"Example: agora moderation {command}" in " ".join(result.stdout.split())
