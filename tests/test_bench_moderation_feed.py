"""The moderated feed benchmark runs, tiny: its world is built (an election
counted, mandates, reports and labels by drawn panels), the moderated feed
is the expected one (the benchmark checks it itself) and the ratio is
printed. Speed is measured by ``make bench``, not here."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "moderation_feed.py"


def test_the_benchmark_runs_tiny():
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--posts", "60", "--cases", "6", "--rounds", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr + completed.stdout
    out = completed.stdout
    assert "60 distinct posts" in out
    assert "6 cases" in out
    # Six cases, labels cycling hide, warn, inform: two of each.
    assert "2 hidden, 2 behind a warning, 2 labelled" in out
    assert re.search(r"time with moderation / time without, median \(range\): \d", out)
