"""Hub benchmark: ingest over HTTP per worker process, as a ratio to raw
Ed25519 verification, and the latency of a feed page under a push load.

Everything pushed is made before any clock runs: distinct ``Post``
credentials (eddsa-jcs-2022, ``AUTHORS`` did:key authors, a community, one
in five a reply to an earlier post of its batch), written as request bodies
(JSON arrays of ``--batch`` objects). Hubs are real processes
(``agora hub serve`` on a free loopback port, the rate limit lifted), each
on a fresh store: an SQLite file in a temporary folder, or a fresh schema on
the PostgreSQL server ``--postgres`` names (dropped after the hub stops).

**Ingest.** For each configuration (SQLite and PostgreSQL, 1 and 2 worker
processes) and each of ``--rounds`` rounds, a new hub is started, warmed up
with a few small pushes, and sent ``--count`` objects no hub has seen, with
``2 x workers`` requests in flight; the clock runs from the first request
until the last answer, when every object is stored (the store commits
before it answers; the benchmark checks that every answer says ``stored``).
The reference, raw ``cryptography`` Ed25519 verification of ``--count``
distinct keys, messages and signatures in this process (one core), is
measured in the same rounds, in the rotated order of ``common.interleave``.
The message is 64 bytes: what eddsa-jcs-2022 signs (the SHA-256 digests of
the proof options and of the document). The figure is objects per second
per worker process over raw verifications per second, per round; the
issue's target is 0.5 or better. The client (this process) and the hub's
workers (and, for PostgreSQL, the server) share the machine's cores: the
output says how many. So a second figure does not depend on what else the
cores run: objects per CPU second of the hub's processes (user and system
time of the server process and its workers, read with psutil, over the
same span) over raw verifications per CPU second of this process; the
PostgreSQL server's own CPU time is not in it.

**Feed latency.** In each round a new hub (SQLite, ``--feed-workers``) is
given a community of ``--posts`` posts (one in five a reply). One page of
``GET /communities/{did}/feed`` is then asked ``--requests`` times back to
back with nothing else running (idle), as many times while another process
pushes new posts of the same community continuously (loaded: a body of
``--batch`` posts every ``batch / --load-rate`` seconds, back to back when
the hub is slower, from a pool of ``--load`` posts; the feed requests start
once the first push is stored), and as many times idle again. The loaded
samples are compared with the idle ones before and after (pooled), since
every post pushed makes the store, and the feed built from all of its
records, larger; the output says how many posts were pushed meanwhile. The
page asked is the first (the oldest threads), which the load does not
change. Percentiles are nearest-rank.

Run with ``python benchmarks/hub_service.py`` (``--count``, ``--rounds``,
``--batch``, ``--posts``, ``--load``, ``--load-rate``, ``--requests``,
``--feed-workers``, ``--postgres``, ``--backends``, ``--workers``,
``--json``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psutil
import psycopg
from common import raw_cases
from psycopg import sql

import ssi
from hub.launch import LocalHub, launch
from ssi.cid import object_cid
from ssi.datetimes import format_date_time
from ssi.keys import Ed25519KeyPair
from ssi.social import post_credential

AUTHORS = 50
T0 = datetime(2026, 5, 1, tzinfo=UTC)
START_SECONDS = 90.0
RAW = "raw Ed25519 verify (cryptography)"
KEYS = [Ed25519KeyPair.from_seed(bytes([7, n]) * 16) for n in range(AUTHORS)]
DIDS = [ssi.did_key(key) for key in KEYS]
SIGNERS = [ssi.signer(key) for key in KEYS]
COMMUNITY = ssi.did_key(Ed25519KeyPair.from_seed(b"hub-bench-community-key-32-bytes"))


_numbers = itertools.count()


class Posts:
    """Makes signed posts no other call in this process made (one counter)."""

    def make(self, count: int, *, replies: bool = True) -> list[dict[str, Any]]:
        """``count`` posts in ``COMMUNITY``; with ``replies``, one in five
        replies to an earlier post of the same call."""
        made: list[dict[str, Any]] = []
        cids: list[str] = []
        for index in range(count):
            number = next(_numbers)
            author = number % AUTHORS
            moment = T0 + timedelta(seconds=number)
            options: dict[str, Any] = {"community": COMMUNITY}
            if replies and index >= 5 and index % 5 == 4:
                options = {"in_reply_to": cids[index - 1 - (number % 4)]}
            words = " ".join(f"word{(number * 7 + n) % 5000}" for n in range(14))
            signed = ssi.issue(
                post_credential(
                    DIDS[author],
                    f"Post {number}: {words}",
                    published=moment,
                    tags=[f"topic-{number % 23}"],
                    **options,
                ),
                SIGNERS[author],
                suite="eddsa-jcs-2022",
                created=format_date_time(moment),
            )
            made.append(signed)
            cids.append(object_cid(signed))
        return made


def bodies(documents: Sequence[dict[str, Any]], batch: int) -> list[bytes]:
    """Request bodies of ``batch`` objects each (JSON arrays).

    Replies come after what they reply to, so every reply's parent is in an
    earlier or the same body."""
    return [
        json.dumps(list(documents[i : i + batch])).encode()
        for i in range(0, len(documents), batch)
    ]


# --- hub processes -------------------------------------------------------------------


Hub = LocalHub


def start_hub(folder: Path, db: str, workers: int) -> Hub:
    """Start ``agora hub serve`` on a free port; return when every worker
    process has started and ``/healthz`` answers."""
    log = folder / f"hub-{secrets.token_hex(4)}.log"

    def every_worker_started(hub: LocalHub) -> bool:
        return log.read_text(errors="replace").count("startup complete") >= workers

    try:
        return launch(
            ["--db", db, "--workers", str(workers), "--rate", "1000000"],
            output=log,
            seconds=START_SECONDS,
            ready=every_worker_started,
        )
    except RuntimeError as exc:
        raise SystemExit(str(exc)) from exc


@contextmanager
def store(backend: str, folder: Path, postgres: str) -> Iterator[str]:
    """A fresh store location: an SQLite file, or a PostgreSQL schema that is
    dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / ('hub-' + secrets.token_hex(4) + '.sqlite')}"
        return
    schema = "agora_bench_" + secrets.token_hex(6)
    mark = "&" if "?" in postgres else "?"
    try:
        yield f"{postgres}{mark}schema={schema}"
    finally:
        with psycopg.connect(postgres, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    sql.Identifier(schema)
                )
            )


def push(url: str, payloads: Sequence[bytes], in_flight: int) -> dict[str, int]:
    """POST every body to ``url``/objects, ``in_flight`` at a time; return
    the outcomes counted."""
    counts = {"stored": 0, "present": 0, "rejected": 0}
    limits = httpx.Limits(
        max_connections=in_flight, max_keepalive_connections=in_flight
    )
    with httpx.Client(base_url=url, timeout=300, limits=limits) as client:

        def send(body: bytes) -> dict[str, Any]:
            response = client.post(
                "/objects", content=body, headers={"content-type": "application/json"}
            )
            if response.status_code != 200:
                raise SystemExit(
                    f"the hub answered {response.status_code}: {response.text[:300]}"
                )
            answer: dict[str, Any] = response.json()
            return answer

        with ThreadPoolExecutor(in_flight) as pool:
            for answer in pool.map(send, payloads):
                for outcome in counts:
                    counts[outcome] += int(answer[outcome])
    return counts


# --- ingest --------------------------------------------------------------------------


@dataclass
class Config:
    """One hub configuration of the ingest figures."""

    backend: str
    workers: int

    @property
    def name(self) -> str:
        label = "SQLite" if self.backend == "sqlite" else "PostgreSQL"
        return f"hub ingest, {label}, {self.workers} worker{'s' * (self.workers > 1)}"


def cpu_seconds(process: subprocess.Popen[bytes]) -> float:
    """CPU time (user and system) used so far by a hub process and its
    worker processes."""
    root = psutil.Process(process.pid)
    total = 0.0
    for member in (root, *root.children(recursive=True)):
        try:
            times = member.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def ingest_round(
    config: Config,
    payloads: Sequence[bytes],
    warmup: Sequence[bytes],
    count: int,
    folder: Path,
    postgres: str,
) -> tuple[float, float]:
    """Start a hub on a fresh store, warm it, push ``payloads``; return
    objects stored per second of wall time and per CPU second of the hub's
    processes."""
    with store(config.backend, folder, postgres) as location:
        hub = start_hub(folder, location, config.workers)
        try:
            push(hub.url, warmup, 2 * config.workers)
            cpu = cpu_seconds(hub.process)
            start = time.perf_counter()
            counts = push(hub.url, payloads, 2 * config.workers)
            elapsed = time.perf_counter() - start
            # CPU times tick in hundredths of a second: a tiny run may show 0.
            cpu = max(cpu_seconds(hub.process) - cpu, 0.01)
        finally:
            hub.stop()
    if counts["stored"] != count:
        raise SystemExit(f"{config.name}: {counts} of {count} objects")
    return count / elapsed, count / cpu


def run_ingest(
    options: argparse.Namespace, folder: Path, say: Callable[[str], None]
) -> dict[str, Any]:
    """The ingest figures: rates per round and ratios to the raw reference."""
    configs = [
        Config(backend, workers)
        for backend in options.backends
        for workers in options.workers
    ]
    posts = Posts()
    started = time.perf_counter()
    raw = raw_cases(options.count)[0]
    plans = []
    for _ in range(options.rounds):
        plan: dict[str, Any] = {RAW: raw.make(options.count)}
        for config in configs:
            warm = posts.make(8 * config.workers, replies=False)
            plan[config.name] = (
                bodies(posts.make(options.count), options.batch),
                bodies(warm, 4),
            )
        plans.append(plan)
    say(
        f"ingest: {options.count} distinct posts per hub and round "
        f"({len(configs)} configurations x {options.rounds} rounds, made in "
        f"{time.perf_counter() - started:.0f} s), batches of {options.batch}, "
        f"2 requests in flight per worker"
    )
    names = [RAW, *(config.name for config in configs)]
    rates: dict[str, list[float]] = {name: [] for name in names}
    cpu_rates: dict[str, list[float]] = {name: [] for name in names}
    for index, plan in enumerate(plans):
        order = names[index % len(names) :] + names[: index % len(names)]
        for name in order:
            if name == RAW:
                cpu, start = time.process_time(), time.perf_counter()
                raw.run(plan[RAW])
                rates[RAW].append(options.count / (time.perf_counter() - start))
                cpu_rates[RAW].append(options.count / (time.process_time() - cpu))
                continue
            config = next(c for c in configs if c.name == name)
            payloads, warmup = plan[name]
            wall, cpu_rate = ingest_round(
                config, payloads, warmup, options.count, folder, options.postgres
            )
            rates[name].append(wall)
            cpu_rates[name].append(cpu_rate)
            say(
                f"  round {index + 1}: {name}: {wall:,.0f} objects/s, "
                f"{cpu_rate:,.0f} per CPU second of the hub"
            )
    figures = []
    for config in configs:
        per_worker = [
            mine / config.workers / reference
            for mine, reference in zip(rates[config.name], rates[RAW], strict=True)
        ]
        per_cpu = [
            mine / reference
            for mine, reference in zip(
                cpu_rates[config.name], cpu_rates[RAW], strict=True
            )
        ]
        figures.append(
            {
                "name": config.name,
                "backend": config.backend,
                "workers": config.workers,
                "objects_per_second": summary(rates[config.name]),
                "per_worker_ratio_to_raw_verify": summary(per_worker),
                "objects_per_hub_cpu_second": summary(cpu_rates[config.name]),
                "per_cpu_second_ratio_to_raw_verify": summary(per_cpu),
            }
        )
    return {
        "count": options.count,
        "batch": options.batch,
        "rounds": options.rounds,
        "raw_verify_per_second": summary(rates[RAW]),
        "raw_verify_per_cpu_second": summary(cpu_rates[RAW]),
        "target_per_worker_ratio": 0.5,
        "configurations": figures,
    }


# --- feed latency --------------------------------------------------------------------


def _pusher(
    url: str, payloads: list[bytes], every: float, stop: Any, pushed: Any
) -> None:
    """The load: push the bodies one request at a time, one every ``every``
    seconds (or back to back when the hub is slower), until ``stop`` is set;
    count the objects stored in ``pushed`` (-1 when every body was sent
    before ``stop``)."""
    limits = httpx.Limits(max_connections=1)
    with httpx.Client(base_url=url, timeout=300, limits=limits) as client:
        due = time.monotonic()
        for body in payloads:
            time.sleep(max(0.0, due - time.monotonic()))
            due += every
            if stop.is_set():
                return
            response = client.post(
                "/objects", content=body, headers={"content-type": "application/json"}
            )
            response.raise_for_status()
            with pushed.get_lock():
                pushed.value += int(response.json()["stored"])
    with pushed.get_lock():
        pushed.value = -1


def latencies(client: httpx.Client, path: str, count: int) -> list[float]:
    """Ask ``path`` ``count`` times, one after the other; return the seconds
    each answer took."""
    times: list[float] = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(
                f"the feed answered {response.status_code}: {response.text[:300]}"
            )
    return times


def loaded_latencies(
    client: httpx.Client, path: str, count: int, load: list[bytes], every: float
) -> tuple[list[float], int, float]:
    """Ask ``path`` ``count`` times while another process pushes ``load``
    (a body every ``every`` seconds); return the seconds each answer took,
    the objects stored meanwhile and the seconds that took."""
    context = multiprocessing.get_context("fork")
    stop, pushed = context.Event(), context.Value("q", 0)
    url = str(client.base_url).rstrip("/")
    pusher = context.Process(target=_pusher, args=(url, load, every, stop, pushed))
    pusher.start()
    try:
        while pushed.value == 0 and pusher.is_alive():
            time.sleep(0.005)  # measure from the first push that was stored
        start, first = time.perf_counter(), int(pushed.value)
        times = latencies(client, path, count)
        elapsed, stored = time.perf_counter() - start, int(pushed.value)
    finally:
        stop.set()
        pusher.join(timeout=300)
    if pusher.exitcode != 0:
        raise SystemExit("the load process failed")
    if stored < 0:
        raise SystemExit(
            "the load ran out before the feed requests ended: raise --load"
        )
    return times, stored, (stored - first) / elapsed


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..1)."""
    ordered = sorted(values)
    rank = max(1, round(share * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def run_feed(
    options: argparse.Namespace, folder: Path, say: Callable[[str], None]
) -> dict[str, Any]:
    """The feed latency figures, idle and under load, per round."""
    posts = Posts()
    started = time.perf_counter()
    plans = [
        (
            bodies(posts.make(options.posts), options.batch),
            bodies(posts.make(options.load, replies=False), options.batch),
        )
        for _ in range(options.rounds)
    ]
    say(
        f"feed: a community of {options.posts} posts on a new hub each round; "
        f"another process pushes up to {options.load_rate:,.0f} more a second "
        f"while the feed is asked (made in {time.perf_counter() - started:.0f} s)"
    )
    rounds = []
    threads = 0
    for community, load in plans:
        threads, result = _feed_round(options, folder, community, load)
        rounds.append(result)
        say(
            f"  round {len(rounds)}: idle p50 {result['idle_p50_ms']:.1f} "
            f"p99 {result['idle_p99_ms']:.1f} ms, loaded p50 "
            f"{result['loaded_p50_ms']:.1f} p99 {result['loaded_p99_ms']:.1f} "
            f"ms; {result['pushed_meanwhile']} posts pushed meanwhile "
            f"({result['load_objects_per_second']:,.0f}/s), "
            f"{result['posts_after']} in the store after"
        )
    figure = {
        name: summary([round_[name] for round_ in rounds])
        for name in (
            "idle_p50_ms",
            "idle_p99_ms",
            "loaded_p50_ms",
            "loaded_p99_ms",
            "p50_ratio",
            "p99_ratio",
        )
    }
    return {
        "posts": options.posts,
        "load_pool_per_round": options.load,
        "load_rate_asked": options.load_rate,
        "workers": options.feed_workers,
        "backend": "sqlite",
        "threads_on_page": threads,
        "rounds": rounds,
        **figure,
    }


def _feed_round(
    options: argparse.Namespace,
    folder: Path,
    community: list[bytes],
    load: list[bytes],
) -> tuple[int, dict[str, Any]]:
    """One round on a new hub: the community pushed, the feed asked idle,
    under load, and idle again; return the threads on the page and the
    round's figures."""
    path = f"/communities/{COMMUNITY}/feed"
    every = options.batch / options.load_rate
    with store("sqlite", folder, options.postgres) as location:
        hub = start_hub(folder, location, options.feed_workers)
        try:
            counts = push(hub.url, community, 1)
            if counts["stored"] != options.posts:
                raise SystemExit(f"the community was not stored: {counts}")
            with httpx.Client(base_url=hub.url, timeout=120) as client:
                threads = len(client.get(path).json()["threads"])
                latencies(client, path, 5)  # warm up
                before = latencies(client, path, options.requests)
                loaded, pushed, rate = loaded_latencies(
                    client, path, options.requests, load, every
                )
                after = latencies(client, path, options.requests)
        finally:
            hub.stop()
    return threads, {
        "pushed_meanwhile": pushed,
        "load_objects_per_second": rate,
        "posts_after": options.posts + pushed,
        **_latency_round(before + after, loaded),
    }


def _latency_round(idle: list[float], loaded: list[float]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "idle_requests": len(idle),
        "loaded_requests": len(loaded),
        "idle_p50_ms": 1000 * percentile(idle, 0.5),
        "idle_p99_ms": 1000 * percentile(idle, 0.99),
        "loaded_p50_ms": 1000 * percentile(loaded, 0.5),
        "loaded_p99_ms": 1000 * percentile(loaded, 0.99),
    }
    result["p50_ratio"] = result["loaded_p50_ms"] / result["idle_p50_ms"]
    result["p99_ratio"] = result["loaded_p99_ms"] / result["idle_p99_ms"]
    return result


def summary(values: Sequence[float]) -> dict[str, float]:
    """Median and range."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def _shown(values: dict[str, float], form: str = ",.0f") -> str:
    return f"{values['median']:{form}} ({values['min']:{form}}-{values['max']:{form}})"


def main() -> None:
    """Make the objects, run the rounds, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--load", type=int, default=6000)
    parser.add_argument("--load-rate", type=float, default=500.0)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--feed-workers", type=int, default=1)
    parser.add_argument("--postgres", default="postgresql://127.0.0.1:5432/test")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--json", action="store_true", help="Print JSON only.")
    options = parser.parse_args()
    options.backends = [
        name.strip() for name in options.backends.split(",") if name.strip()
    ]
    if not set(options.backends) <= {"sqlite", "postgresql"}:
        raise SystemExit("--backends takes sqlite and/or postgresql")
    options.workers = [int(n) for n in options.workers.split(",")]

    def say(line: str) -> None:
        print(line, file=sys.stderr if options.json else sys.stdout, flush=True)

    cores = os.cpu_count() or 1
    start = time.perf_counter()
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="agora-hub-bench-") as temporary:
        folder = Path(temporary)
        ingest = run_ingest(options, folder, say)
        feed = run_feed(options, folder, say)
    after = os.getloadavg()
    result = {
        "cores": cores,
        "shared": (
            f"the client (this process), every hub worker process and the "
            f"PostgreSQL server share {cores} cores"
        ),
        "load_average": {"before": load[0], "after": after[0]},
        "ingest": ingest,
        "feed": feed,
        "seconds": time.perf_counter() - start,
    }
    if options.json:
        print(json.dumps(result, indent=2))
        return
    say(
        f"{options.rounds} interleaved rounds; {result['shared']}; load average "
        f"{load[0]:.2f} before, {after[0]:.2f} after (1 min)"
    )
    raw = _shown(ingest["raw_verify_per_second"])
    say(f"raw Ed25519 verify (cryptography, one core): {raw} /s")
    say(
        f"{'configuration':<34}  {'objects/s':>22}  {'per worker / raw':>17}  "
        f"{'per hub CPU s / raw':>19}"
    )
    for figure in ingest["configurations"]:
        say(
            f"{figure['name']:<34}  {_shown(figure['objects_per_second']):>22}  "
            f"{_shown(figure['per_worker_ratio_to_raw_verify'], '.2f'):>17}  "
            f"{_shown(figure['per_cpu_second_ratio_to_raw_verify'], '.2f'):>19}"
        )
    say(
        f"feed page ({feed['threads_on_page']} threads) of a community of "
        f"{feed['posts']} posts, {feed['workers']} worker(s), SQLite, "
        f"median (range) over {options.rounds} rounds:"
    )
    for name in ("idle_p50_ms", "idle_p99_ms", "loaded_p50_ms", "loaded_p99_ms"):
        say(f"  {name:<14} {_shown(feed[name], '.1f')}")
    say(f"  p50 loaded / idle {_shown(feed['p50_ratio'], '.2f')}")
    say(f"  p99 loaded / idle {_shown(feed['p99_ratio'], '.2f')}")
    say(f"(whole run {result['seconds']:.0f} s)")


if __name__ == "__main__":
    main()
