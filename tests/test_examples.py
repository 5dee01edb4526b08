"""Every example script runs to completion."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(script):
    completed = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "Traceback" not in completed.stderr


def test_quickstart_shows_each_key_type_and_its_dids():
    script = next(p for p in EXAMPLES if p.name == "quickstart.py")
    out = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    for key_type in ("Ed25519", "X25519", "P-256", "secp256k1"):
        assert f"{key_type} key" in out
    assert out.count("did:key:") == 4
    assert out.count("did:jwk:") == 4
    assert out.count("signature verifies") == 3
    assert "invalidDid" in out
    assert "methodNotSupported" in out
