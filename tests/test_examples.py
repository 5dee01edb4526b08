"""Every example script runs to completion, and the quickstart shows what it
promises."""

from __future__ import annotations

import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.py"))


@cache
def run(script: Path) -> subprocess.CompletedProcess[str]:
    """Run an example once per test session (the quickstart takes seconds)."""
    return subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(script):
    completed = run(script)
    assert completed.returncode == 0, completed.stderr
    assert "Traceback" not in completed.stderr


def test_quickstart_shows_each_key_type_and_its_dids():
    out = run(next(p for p in EXAMPLES if p.name == "quickstart.py")).stdout
    for key_type in ("Ed25519", "X25519", "P-256", "secp256k1"):
        assert f"{key_type} key" in out
    assert out.count("did:key:") == 4
    assert out.count("did:jwk:") == 4
    assert out.count("signature verifies") == 3
    assert "invalidDid" in out
    assert "methodNotSupported" in out


def test_quickstart_runs_a_community_with_revocation():
    out = run(next(p for p in EXAMPLES if p.name == "quickstart.py")).stdout
    assert "a verifier with only the published files: verified=True" in out
    assert "bob's presentation: verified=False, revoked:" in out


def test_quickstart_names_the_wallet_of_each_step_and_cuts_no_line():
    out = run(next(p for p in EXAMPLES if p.name == "quickstart.py")).stdout
    lines = out.splitlines()
    commands = [i for i, line in enumerate(lines) if line.startswith("    $ agora")]
    assert len(commands) > 20
    for index in commands:
        assert lines[index - 1].startswith("  [wallet $TMP/"), lines[index - 1]
    # Nothing is shortened with an ellipsis: identifiers and details are whole.
    assert "..." not in out
    # Every file a command writes is explained on a line of its own.
    for index in commands:
        command = lines[index]
        while command.endswith("\\"):
            index += 1
            command = command[:-1] + lines[index].strip()
        if "--out " in command:
            written = command.split("--out ", 1)[1].split()[0]
            explained = [
                line
                for line in lines
                if written in line
                and "$ agora" not in line
                and not line.startswith("        ")
            ]
            assert explained, written
