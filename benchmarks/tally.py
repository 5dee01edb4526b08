"""Tally benchmark: a full tally of N signed ballots from N distinct voters.

Each voter has their own did:key and a membership credential from one
community (a single-key did:key community: the m-of-n community DID is
verified the same way, once per process, through the tally's cached
resolver), carrying a revocation status entry; the community publishes one
status list. Every voter casts one plurality ballot. The inputs (2N + 3
signed credentials, plus the proposal) are generated once, outside every
timed part, and cached under ``benchmarks/.cache`` (gitignored).

Timed: ``compute_tally`` in this process and on a pool of 2 processes (the
pool started and warmed first), and raw Ed25519 verification with
``cryptography`` on the same number of processes, interleaved round by
round (raw 1, tally 1, raw 2, tally 2). The figure is signatures checked per
second: the tally checks every ballot, membership, status list, signal and
the proposal (and would check did:agora log entries; there are none here),
and its rate is divided by the raw rate on the same number of processes.
The results on 1 and 2 processes must be byte-identical (canonical JSON).
Target: 0.7 or more of the raw rate.

Run with ``make bench-tally N=100000`` or ``python benchmarks/tally.py
--count N`` (``--rounds``, ``--raw-sample``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

import ssi  # noqa: E402
from ssi.cid import object_cid  # noqa: E402
from ssi.keys import Ed25519KeyPair  # noqa: E402
from ssi.social.ballot import ballot_credential  # noqa: E402
from ssi.social.community import AGORA_CONTEXT, membership_credential  # noqa: E402
from ssi.status import (  # noqa: E402
    StatusList,
    build_status_entry,
    build_status_list_credential,
)

CACHE = ROOT / ".cache"
VC = "https://www.w3.org/ns/credentials/v2"
T0 = datetime(2026, 3, 1, tzinfo=UTC)
OPENS = datetime(2026, 3, 11, tzinfo=UTC)
CLOSES = datetime(2026, 3, 18, tzinfo=UTC)
CREATED = "2026-02-01T00:00:00Z"
LIST_URL = "https://agora.example/status/revocation"
OPTIONS = ("a", "b", "c")
RULES: dict[str, Any] = {
    "preamble": "We decide together.",
    "proposers": ["member"],
    "signals": {"count": 2},
    "votingPeriod": {"min": "P1D", "max": "P14D"},
    "revoting": True,
    "delegation": True,
    "maxScore": 5,
    "voiceCredits": 100,
    "kinds": {
        "ordinary": {"methods": ["plurality"], "quorum": "1/3", "threshold": ">1/2"},
        "amendment": {"methods": ["plurality"], "quorum": "1/2", "threshold": ">=2/3"},
        "election": {"methods": ["stv"], "quorum": "1/4", "threshold": "none"},
        "recall": {"methods": ["plurality"], "quorum": "1/3", "threshold": ">1/2"},
    },
    "moderation": {
        "labels": [{"value": "spam", "action": "hide"}],
        "panelSize": 5,
        "agreement": 3,
        "mandateTerm": "P90D",
        "appealPanelSize": 5,
        "appealMajority": ">1/2",
    },
}


def key(index: int) -> Ed25519KeyPair:
    """The key of voter ``index`` (the community is -1)."""
    return Ed25519KeyPair.from_seed((index + 2).to_bytes(8, "big") * 4)


def sign(credential: dict[str, Any], signer: Ed25519KeyPair) -> dict[str, Any]:
    return ssi.issue(credential, ssi.signer(signer), created=CREATED)


def envelope(type_name: str, issuer: str, at: datetime, subject: dict[str, Any]):
    return {
        "@context": [VC, AGORA_CONTEXT],
        "type": ["VerifiableCredential", type_name],
        "issuer": issuer,
        "validFrom": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": subject,
    }


def header() -> dict[str, Any]:
    """The community's constitution and the proposal (fixed for every N)."""
    community_key = key(-1)
    community = ssi.did_key(community_key)
    constitution = sign(
        envelope(
            "Constitution",
            community,
            T0,
            {
                "id": community,
                "type": "Constitution",
                "version": 1,
                "rules": RULES,
                "ratifiedBy": object_cid({"benchmark": "genesis"}),
            },
        ),
        community_key,
    )
    proposal = sign(
        envelope(
            "Proposal",
            ssi.did_key(key(0)),
            T0,
            {
                "type": "Proposal",
                "community": community,
                "constitution": object_cid(constitution),
                "kind": "ordinary",
                "title": "Paint the hall",
                "body": "Which colour?",
                "method": "plurality",
                "opens": "2026-03-11T00:00:00Z",
                "closes": "2026-03-18T00:00:00Z",
                "options": [{"id": o, "name": o.upper()} for o in OPTIONS],
            },
        ),
        key(0),
    )
    return {"constitution": constitution, "proposal": proposal}


def voter_lines(task: tuple[int, int, str]) -> list[str]:
    """The membership and the ballot of voters ``start`` to ``stop - 1``."""
    start, stop, proposal_cid = task
    community_key = key(-1)
    community = ssi.did_key(community_key)
    lines = []
    for index in range(start, stop):
        voter = key(index)
        did = ssi.did_key(voter)
        membership = membership_credential(
            community,
            did,
            valid_from=T0,
            status=build_status_entry(LIST_URL, index),
        )
        ballot = ballot_credential(
            did,
            proposal_cid,
            OPTIONS[index * 7 % 10 % 3],
            cast_at=OPENS + timedelta(seconds=index),
        )
        lines.append(json.dumps(sign(membership, community_key)))
        lines.append(json.dumps(sign(ballot, voter)))
    return lines


def generate(count: int, path: Path) -> None:
    """Write the inputs of ``count`` voters to ``path`` (gzip JSON lines)."""
    made = header()
    proposal_cid = object_cid(made["proposal"])
    community_key = key(-1)
    community = ssi.did_key(community_key)
    length = max(131_072, (count + 7) // 8 * 8)
    status_list = sign(
        build_status_list_credential(
            LIST_URL, community, StatusList(length), valid_from=T0
        ),
        community_key,
    )
    signals = [
        sign(
            envelope(
                "Signal",
                ssi.did_key(key(i)),
                OPENS - timedelta(days=1),
                {"type": "Signal", "proposal": proposal_cid},
            ),
            key(i),
        )
        for i in (1, 2)
    ]
    step = 2000
    tasks = [(s, min(s + step, count), proposal_cid) for s in range(0, count, step)]
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".partial")
    with gzip.open(temporary, "wt", encoding="utf-8", compresslevel=1) as out:
        out.write(json.dumps(made) + "\n")
        out.write(json.dumps(status_list) + "\n")
        for signal in signals:
            out.write(json.dumps(signal) + "\n")
        with ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            for done, lines in enumerate(pool.map(voter_lines, tasks), start=1):
                out.write("\n".join(lines) + "\n")
                print(f"\rgenerated {min(done * step, count):,} voters", end="")
    print()
    temporary.rename(path)


def load(count: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The header and the inputs of ``count`` voters, generated once."""
    path = CACHE / f"tally-{count}.jsonl.gz"
    if not path.exists():
        generate(count, path)
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        made = json.loads(next(handle))
        inputs = [json.loads(line) for line in handle]
    return made, inputs


def raw_items(count: int) -> list[tuple[bytes, bytes, bytes]]:
    """Distinct keys, messages and signatures for the raw reference."""
    items = []
    for _ in range(count):
        private = ed25519.Ed25519PrivateKey.generate()
        message = os.urandom(64)
        items.append(
            (private.public_key().public_bytes_raw(), message, private.sign(message))
        )
    return items


def raw_verify(items: list[tuple[bytes, bytes, bytes]]) -> int:
    for public, message, signature in items:
        ed25519.Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    return len(items)


def raw_rate(items, pool: ProcessPoolExecutor | None, processes: int) -> float:
    """Raw verifications per second on ``processes`` processes."""
    if pool is None:
        start = time.perf_counter()
        raw_verify(items)
        return len(items) / (time.perf_counter() - start)
    share = len(items) // processes
    parts = [items[i * share : (i + 1) * share] for i in range(processes)]
    start = time.perf_counter()
    done = sum(pool.map(raw_verify, parts))
    return done / (time.perf_counter() - start)


def warm(_: int) -> int:
    """Import the library in a worker before any clock runs."""
    import ssi.social.tally  # noqa: F401

    return os.getpid()


def main() -> None:
    """Generate (once), then run the interleaved rounds and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=int(os.environ.get("N", 100_000)))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--raw-sample", type=int, default=20_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    from ssi.social.tally import compute_tally
    from ssi.social.tally_inputs import tally_verifier

    made, inputs = load(args.count)
    proposal, constitution = made["proposal"], made["constitution"]
    signatures = len(inputs) + 1  # every input and the proposal
    print(
        f"{args.count:,} voters: {len(inputs):,} inputs, {signatures:,} signatures "
        f"({args.count:,} ballots, {args.count:,} memberships, 1 status list, "
        f"2 signals, the proposal; 0 did:agora log entries)"
    )
    if args.profile:
        import cProfile
        import pstats

        cProfile.runctx(
            "compute_tally(proposal, inputs, constitution=constitution)",
            globals(),
            locals(),
            "/tmp/tally.prof",  # noqa: S108 - a local profiling aid
        )
        pstats.Stats("/tmp/tally.prof").sort_stats("tottime").print_stats(25)  # noqa: S108
        return
    raw = raw_items(args.raw_sample)
    figures: dict[str, list[float]] = {}
    results: dict[int, bytes] = {}
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(warm, range(4)))
        for round_index in range(args.rounds):
            for processes in (1, 2):
                executor = pool if processes == 2 else None
                reference = raw_rate(raw, executor, processes)
                verifier = tally_verifier(at=CLOSES)
                start = time.perf_counter()
                verifier.verify_many(
                    [proposal, *inputs], executor=executor, chunk_size=512
                )
                plain = signatures / (time.perf_counter() - start)
                figures.setdefault(f"verify {processes}", []).append(plain / reference)
                start = time.perf_counter()
                result = compute_tally(
                    proposal,
                    inputs,
                    constitution=constitution,
                    executor=executor,
                    chunk_size=512,
                )
                elapsed = time.perf_counter() - start
                rate = signatures / elapsed
                results.setdefault(processes, result.canonical_bytes())
                if results[processes] != result.canonical_bytes():
                    raise SystemExit("two rounds gave different results")
                figures.setdefault(f"raw {processes}", []).append(reference)
                figures.setdefault(f"tally {processes}", []).append(rate)
                figures.setdefault(f"ratio {processes}", []).append(rate / reference)
                figures.setdefault(f"seconds {processes}", []).append(elapsed)
                print(
                    f"round {round_index + 1}, {processes} process(es): tally "
                    f"{elapsed:.1f} s = {rate:,.0f} signatures/s; raw "
                    f"{reference:,.0f}/s; ratio {rate / reference:.2f} (Verifier."
                    f"verify_many alone: {plain / reference:.2f})"
                )
    if results[1] != results[2]:
        raise SystemExit("1 and 2 processes gave different results")
    counted = json.loads(results[1])["countedBallots"]
    print(f"\ncounted ballots: {counted:,}; results on 1 and 2 processes identical")
    print(
        f"medians of {args.rounds} round(s), ratios with their ranges\n"
        f"{'processes':>9}  {'tally sig/s':>12}  {'raw sig/s':>10}  "
        f"{'tally / raw':>17}  {'verify_many / raw':>17}"
    )
    for processes in (1, 2):
        median = {
            name: statistics.median(figures[f"{name} {processes}"])
            for name in ("tally", "raw", "ratio", "verify")
        }
        ratio = figures[f"ratio {processes}"]
        plain = figures[f"verify {processes}"]
        print(
            f"{processes:>9}  {median['tally']:>12,.0f}  {median['raw']:>10,.0f}  "
            f"{median['ratio']:>5.2f} ({min(ratio):.2f}-{max(ratio):.2f})  "
            f"{median['verify']:>5.2f} ({min(plain):.2f}-{max(plain):.2f})"
        )


if __name__ == "__main__":
    main()
