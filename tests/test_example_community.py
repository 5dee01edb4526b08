"""The community demo (examples/community.py) runs to completion and tells
the story it promises: 2 of 3 stewards, five members, a ratified constitution,
a decision with a delegation, a revote and a revoked member's ballot, an
outsider's recount, a failed and a passed amendment, version 2 in force;
five moderators elected, a post labelled by two of its panel and hidden
while two labels do not count, an appeal overturned, the post back; then the
community's objects on hub A, hub B following it, and a newcomer who reads
and recounts from hub B.

A file of its own: pytest-xdist runs it beside the other examples."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import httpx
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "examples" / "community.py"


@cache
def output() -> str:
    # Throwaway wallets with the cheap key derivation: the story is the same,
    # each of its hundred commands unlocks a wallet in microseconds. The
    # commands run inside the demo's process: Python's start-up and imports,
    # most of a command's cost, are paid once (the hubs are processes).
    env = dict(os.environ, AGORA_DEMO_QUICK_KDF="1", AGORA_DEMO_IN_PROCESS="1")
    completed = subprocess.run(
        [sys.executable, str(SCRIPT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "Traceback" not in completed.stderr
    return completed.stdout


@cache
def flat() -> str:
    """The output with its lines joined: explanations are wrapped."""
    return " ".join(line.strip() for line in output().splitlines())


def test_the_community_needs_two_of_three_stewards():
    out = flat()
    assert "2 proofs meet the threshold of 2, the entry is complete" in out
    assert (
        "Anyone checks dee's membership with the log and the status lists: "
        "verified=True" in out
    )
    assert "with ada's proof alone: verified=False (insufficientProofs)" in out


def test_the_founders_ratify_and_version_one_is_issued():
    out = flat()
    assert (
        "$TMP/genesis-tally.json: eve counts the vote and signs the result: passed=True"
        in out
    )
    assert "constitution version 1, ratifiedBy the tally" in out


def test_the_decision_counts_delegation_revote_and_revocation():
    out = output()
    assert (
        "$TMP/meeting-tally.json: eve counts the vote and signs the result: passed=True"
        in out
    )
    assert re.search(r"voter\s+\$CY.*\n\s+reason\s+superseded", out)
    assert re.search(r"voter\s+eve \(\$EVE, own DID\)\n\s+reason\s+revoked", out)
    assert "counted      3 ballots, weight 4" in out
    assert "winners      park" in out


def test_the_outsider_recount_matches_and_catches_a_forgery():
    out = output()
    assert "recount   matches" in out
    text = flat()
    assert "verified=True" in text.split("ada asks for proof")[1][:400]
    assert (
        "verified=False, $.credentialSubject.result.count.winners: expected "
        '["park"], found ["pub"]' in text
    )


def test_sixty_percent_fails_and_eighty_passes():
    out = flat()
    assert "support 60.0 % (3/5), rule >=2/3: NOT met" in out
    assert (
        "$TMP/longer-votes-tally.json: eve counts the vote and signs the result: "
        "passed=False" in out
    )
    assert "support 80.0 % (4/5), rule >=2/3: met" in out
    assert "harassment: hide" in out
    row = r"version\s+{}\s+CID\s+bagaaiera[a-z2-7]+\s+valid from\s+\S+\s+ratified by"
    assert re.search(row.format(1) + r"\s+\S+\s+state\s+superseded", output())
    assert re.search(row.format(2) + r"\s+\S+\s+state\s+in force", output())


def test_every_command_names_its_wallet():
    lines = output().splitlines()
    commands = [i for i, line in enumerate(lines) if line.startswith("    $ agora")]
    assert len(commands) > 60
    for index in commands:
        assert lines[index - 1].startswith("  [wallet $TMP/"), lines[index - 1]


def test_five_moderators_are_elected_and_mandated():
    out = flat()
    assert "ada, bob, cy, dee and fay are elected, gus is not" in out
    assert "mandates, issued by ada with her steward key and cosigned by bob" in out
    assert re.search(r"moderator mandate\s.*\s+proofs\s+2\b", output(), re.S)


def test_two_of_the_panel_apply_the_label_and_two_labels_do_not_count():
    out = output()
    case = out.split("$ agora moderation case")[1].split("$ agora mandate verify")[0]
    assert re.search(r"decision\s+applied \(2 of 3 agree\) since", case)
    assert "no: notPanel (its author is not on the case's panel)" in case
    assert "no: expired (its author's mandate had ended)" in case
    assert len(re.findall(r"counts\s+yes", case)) == 3
    verified = out.split("$ agora mandate verify")[1]
    assert "mandate does NOT hold" in verified
    assert "the mandate's term is over at that time." in verified


def test_the_feed_hides_the_post_then_shows_it_after_the_appeal():
    out = output()
    feeds = out.split("$ agora feed --community")
    assert len(feeds) == 3
    assert "Brass gears, hand-cut" not in feeds[1].split("$ agora")[0]
    assert "Brass gears, hand-cut" in feeds[2].split("$ agora")[0]
    assert "overturned on appeal" in out.split("$ agora moderation log")[1]


def hub_chapter() -> str:
    return output().split("The community on two hubs\n", 1)[1]


def test_the_hubs_listen_on_loopback_ports_and_are_stopped():
    chapter = hub_chapter()
    urls = re.findall(r"(hub [AB]) listens at (http://127\.0\.0\.1:\d+) ", chapter)
    assert [name for name, _ in urls] == ["hub A", "hub B"]
    assert urls[0][1] != urls[1][1]
    assert "--follow $HUB_A" in chapter
    assert chapter.count("--at 2") >= 2  # both hubs judge as of day 20
    assert "hub A and hub B are stopped." in " ".join(chapter.split())
    for _, url in urls:
        with pytest.raises(httpx.HTTPError):
            httpx.get(url + "/healthz", timeout=2)


def test_hub_a_stores_the_objects_and_keeps_the_expired_mandate():
    chapter = hub_chapter()
    push = chapter.split("$ agora hub push $TMP/engines-all.jsonl --to $HUB_A\n")[1]
    assert "RANGE_ERROR" not in push.split("$ agora")[0]
    assert push.startswith("    63 stored, 0 already present, 0 rejected, by $HUB_A")
    assert "is no longer in force on day 20, but it is kept as evidence" in " ".join(
        chapter.split()
    )
    assert "1 stored, 0 already present, 0 rejected, by $HUB_A" in chapter


def test_hub_b_copies_every_object_of_hub_a():
    progress = re.findall(r"hub B holds (\d+) of the (\d+) objects of hub A", output())
    assert progress
    held, total = progress[-1]
    assert held == total
    assert int(total) == 64 + 7 + 3  # objects, memberships, status lists


def test_a_fresh_wallet_reads_and_recounts_from_hub_b():
    chapter = hub_chapter()
    lines = chapter.splitlines()
    reads = [i for i, line in enumerate(lines) if "--hub $HUB_B" in line]
    assert len(reads) == 3
    for index in reads:
        start = max(i for i in range(index + 1) if lines[i].startswith("    $ agora"))
        assert lines[start - 1] == "  [wallet $TMP/ida]"
    feed = chapter.split("$ agora feed --hub $HUB_B")[1].split("$ agora")[0]
    assert "1 thread, 1 post, 0 orphans, 0 ignored objects" in feed
    assert "Brass gears, hand-cut" in feed
    shown = chapter.split("$ agora proposal show")[1].split("$ agora")[0]
    assert "proposal (ordinary), verified" in shown
    assert "Where shall we meet?" in shown
    assert len(re.findall(r"type\s+Ballot", shown)) == 5
    assert len(re.findall(r"type\s+Tally", shown)) == 1
    assert "9 objects refer to the proposal on $HUB_B; 0 did not verify" in shown
    recount = chapter.split("$ agora tally verify")[1]
    assert "tally verified" in recount
    assert re.search(r"recount\s+matches", recount)
