"""The community demo (examples/community.py) runs to completion and tells
the story it promises: 2 of 3 stewards, five members, a ratified constitution,
a decision with a delegation, a revote and a revoked member's ballot, an
outsider's recount, a failed and a passed amendment, version 2 in force;
five moderators elected, a post labelled by two of its panel and hidden
while two labels do not count, an appeal overturned, the post back.

A file of its own: pytest-xdist runs it beside the other examples."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "examples" / "community.py"


@cache
def output() -> str:
    # Throwaway wallets with the cheap key derivation: the story is the same,
    # each of its hundred commands unlocks a wallet in microseconds.
    env = dict(os.environ, AGORA_DEMO_QUICK_KDF="1")
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
    feeds = out.split("$ agora feed")
    assert len(feeds) == 3
    assert "Brass gears, hand-cut" not in feeds[1].split("$ agora")[0]
    assert "Brass gears, hand-cut" in feeds[2].split("$ agora")[0]
    assert "overturned on appeal" in out.split("$ agora moderation log")[1]
