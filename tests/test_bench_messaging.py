"""The messaging benchmark runs, tiny: its round trips (authcrypt to one and
to several recipients) are checked by the benchmark itself, and every figure
is printed with its ratio to raw X25519. Speed is measured by ``make bench``,
not here."""

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
    assert "4 distinct messages per case per round, 1 rounds, 1 and 3 recipients" in out
    assert "round trips checked" in out
    for name in (
        "authcrypt pack, 1 recipient",
        "authcrypt unpack, 1 recipient",
        "authcrypt pack, 3 recipients",
        "authcrypt unpack, 3 recipients",
    ):
        assert re.search(
            re.escape(name) + r"\s+[\d,]+\s+[\d,]+-[\d,]+\s+\d+\.\d\d \(", out
        )
        assert re.search(re.escape(name) + r": costs \d+\.\d raw exchanges", out)
    assert "authcrypt pack, 3 recipients: costs" in out
    assert "(needs 6 + 1 key)" in out
