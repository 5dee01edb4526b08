"""A 100,000-post bundle verifies with peak memory under 300 MB (``make soak``).

The bundle is packed here, streamed to a file; a child process verifies it
and counts the results, and its peak resident set size is read with
``resource.getrusage(RUSAGE_CHILDREN)`` once it has exited (the children of
this test process run nothing else before it).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ssi.bundle import pack
from tests.unit.bundle.corpus import AUTHORS, build_corpus, post, when

POSTS = 100_000
CEILING_MB = 300


@pytest.mark.soak
def test_a_hundred_thousand_posts_verify_within_300_mb(tmp_path: Path):
    corpus = build_corpus(posts_per_author=1)
    bundle = tmp_path / "big.jsonl"

    def posts():
        for number in range(POSTS):
            author = corpus.authors[number % AUTHORS]
            yield post(author, number, when(60 * number / POSTS))

    with bundle.open("wb") as out:
        summary = pack(posts(), out, logs=corpus.logs())
    assert summary.objects == POSTS
    script = textwrap.dedent(
        """
        import json, sys
        from ssi.bundle import verify_bundle
        from ssi.credentials import FixedClock
        from datetime import datetime, UTC
        clock = FixedClock(datetime(2025, 6, 1, tzinfo=UTC))
        counts = {"items": 0, "verified": 0}
        with verify_bundle(sys.argv[1], clock=clock) as results:
            for result in results:
                counts["items"] += 1
                counts["verified"] += result.verified
        print(json.dumps(counts))
        """
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run(
        [sys.executable, "-c", script, str(bundle)],
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"items": POSTS, "verified": POSTS}
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert peak_kb >= before
    assert peak_kb / 1024 < CEILING_MB, f"peak RSS {peak_kb / 1024:.0f} MB"
    assert bundle.stat().st_size > CEILING_MB * 1024 * 1024 / 4
