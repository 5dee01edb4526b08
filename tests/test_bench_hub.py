"""The hub benchmark runs, tiny: real hub processes on SQLite and on a fresh
PostgreSQL schema store every object pushed (the benchmark checks it
itself), the feed is asked idle and under a push load, and the JSON output
has every figure. Speed is measured by ``make bench``, not here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psycopg

from tests.pg import postgres_url

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "hub_service.py"
RANGE = {"median", "min", "max"}


def _is_range(value: object) -> bool:
    return (
        isinstance(value, dict)
        and set(value) == RANGE
        and all(isinstance(number, float) and number > 0 for number in value.values())
        and value["min"] <= value["median"] <= value["max"]
    )


def _bench_schemas(url: str) -> set[str]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT schema_name FROM information_schema.schemata "
            "WHERE schema_name LIKE 'agora_bench_%'"
        ).fetchall()
    return {row[0] for row in rows}


def test_the_benchmark_runs_tiny():
    url = postgres_url()
    before = _bench_schemas(url)
    completed = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            *("--count", "24", "--rounds", "1", "--batch", "8"),
            *(
                "--posts",
                "20",
                "--load",
                "400",
                "--load-rate",
                "100000",
                "--requests",
                "3",
            ),
            *("--workers", "1", "--postgres", url, "--json"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr + completed.stdout
    result = json.loads(completed.stdout)
    assert result["cores"] >= 1
    assert f"share {result['cores']} cores" in result["shared"]
    ingest = result["ingest"]
    assert (ingest["count"], ingest["batch"], ingest["rounds"]) == (24, 8, 1)
    assert ingest["target_per_worker_ratio"] == 0.5
    assert _is_range(ingest["raw_verify_per_second"])
    assert _is_range(ingest["raw_verify_per_cpu_second"])
    configurations = ingest["configurations"]
    assert [(c["backend"], c["workers"]) for c in configurations] == [
        ("sqlite", 1),
        ("postgresql", 1),
    ]
    for figure in configurations:
        for name in (
            "objects_per_second",
            "per_worker_ratio_to_raw_verify",
            "objects_per_hub_cpu_second",
            "per_cpu_second_ratio_to_raw_verify",
        ):
            assert _is_range(figure[name]), (figure["name"], name)
    feed = result["feed"]
    assert (feed["posts"], feed["load_pool_per_round"], feed["workers"]) == (20, 400, 1)
    # 20 posts, one in five a reply from the sixth on: 17 threads.
    assert feed["threads_on_page"] == 17
    assert len(feed["rounds"]) == 1
    only = feed["rounds"][0]
    assert only["idle_requests"] == 6  # 3 before the load, 3 after
    assert only["loaded_requests"] == 3
    assert 0 < only["pushed_meanwhile"] <= 400
    assert only["posts_after"] == 20 + only["pushed_meanwhile"]
    assert only["load_objects_per_second"] >= 0
    for name in ("idle_p50_ms", "idle_p99_ms", "loaded_p50_ms", "loaded_p99_ms"):
        assert _is_range(feed[name]), name
        assert feed[name]["median"] == only[name]
    assert only["idle_p50_ms"] <= only["idle_p99_ms"]
    assert feed["p50_ratio"]["median"] == only["loaded_p50_ms"] / only["idle_p50_ms"]
    # The benchmark's PostgreSQL schemas are dropped after it.
    assert _bench_schemas(url) <= before
