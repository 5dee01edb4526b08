"""The community demo (examples/community.py) runs to completion and tells
the story it promises: 2 of 3 stewards, five members, a ratified constitution,
a decision with a delegation, a revote and a revoked member's ballot, an
outsider's recount, a failed and a passed amendment, version 2 in force.

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
