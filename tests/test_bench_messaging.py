"""The messaging benchmark runs, tiny: its round trips (authcrypt to a DID,
and to a DID with several keys) are checked by the benchmark itself, and
every figure is printed with its ratio to raw X25519. Speed is measured by
``make bench``, not here."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "messaging.py"


def test_the_benchmark_runs_tiny():
    completed = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--count",
            "4",
            "--rounds",
            "1",
            "--recipients",
            "3",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr + completed.stdout
    out = completed.stdout
    assert "4 distinct messages per case per round, 1 rounds, N = 3" in out
    assert "round trips checked" in out
    needs = {
        "authcrypt pack, 1 recipient": "2 + 1 key",
        "authcrypt unpack, 1 recipient": "2",
        "authcrypt pack, 3 recipient DIDs": "6 + 3 keys",
        "authcrypt pack, 1 DID with 3 keys": "6 + 1 key",
        "authcrypt unpack, 1 DID with 3 keys": "2",
    }
    for name, floor in needs.items():
        row = re.escape(name) + r"\s+[\d,]+\s+[\d,]+-[\d,]+\s+\d+\.\d\d \("
        assert re.search(row, out), name
        cost = re.escape(name) + r": costs \d+\.\d raw exchanges \(needs "
        assert re.search(cost + re.escape(floor) + r"\)", out), name
