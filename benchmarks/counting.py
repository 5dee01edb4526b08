"""Counting benchmark: 1,000,000 ranked ballots over 10 options, every method,
as a share of the time to verify the same number of ballot signatures.

The ballots are drawn once from a seeded numpy Generator (random rankings of
10 options, biased so that the count has a clear shape; nearly all are
distinct, which is the hard case: identical ballots are added up before
counting) and converted to each method's shape (plurality: the first choice;
approval, PAV, Phragmén: the first three; score and STAR: scores 5, 4, 3, 3,
2, 2, 1, 1, 0, 0 by position; quadratic: 7, 5, 3 votes for the first three;
the ranked methods and STV: the ranking). Each method's count is timed as the
median of ``--runs`` runs, with checking included (``count`` checks every
ballot).

The reference is measured in the same run, in interleaved rounds: raw Ed25519
verification with ``cryptography`` over distinct keys and messages, and
``Verifier.verify`` over distinct signed ballot credentials (eddsa-jcs-2022,
one did:key voter each). The share printed for a method is its counting time
divided by (per-ballot verification time x 1,000,000): the target is at most
0.05 (5 %) of the time to verify the ballots for every method.

Run with ``python benchmarks/counting.py`` (``--ballots``, ``--sample``,
``--runs``, ``--rounds``).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
from common import Case, interleave, median_time, raw_cases

import ssi
from ssi.credentials import FixedClock, Verifier
from ssi.keys import Ed25519KeyPair
from ssi.social import METHODS, count

NOW = datetime(2026, 6, 1, tzinfo=UTC)
PROPOSAL = "bagaaierasords4njcts6vs7qvdjfcvgnume4hqohf65zsfguprqphs3icwea"
OPTIONS = [f"option-{i}" for i in range(10)]
SCORES = [5, 4, 3, 3, 2, 2, 1, 1, 0, 0]
MULTI = {"stv", "pav", "seq-phragmen"}


def rankings(n: int, seed: int) -> list[list[str]]:
    """``n`` full rankings of OPTIONS, mostly distinct."""
    generator = np.random.default_rng(seed)
    noise = generator.random((n, len(OPTIONS))) + np.arange(len(OPTIONS)) * 0.08
    names = np.array(OPTIONS, dtype=object)
    return [list(row) for row in names[np.argsort(noise, axis=1)]]


def shaped(method: str, ranked: list[list[str]]) -> Sequence[Any]:
    """The ballots in ``method``'s choice shape."""
    if method == "plurality":
        return [r[0] for r in ranked]
    if method in {"approval", "pav", "seq-phragmen"}:
        return [r[:3] for r in ranked]
    if method in {"score", "star"}:
        return [dict(zip(r, SCORES, strict=True)) for r in ranked]
    if method == "quadratic":
        return [{r[0]: 7, r[1]: 5, r[2]: 3} for r in ranked]
    return ranked


def ballots(n: int, offset: int = 0) -> list[dict[str, Any]]:
    """``n`` distinct signed ballot credentials, one did:key voter each."""
    documents = []
    for index in range(offset, offset + n):
        key = Ed25519KeyPair.from_seed(index.to_bytes(32, "big"))
        ranking = OPTIONS[index % 10 :] + OPTIONS[: index % 10]
        documents.append(
            ssi.issue(
                {
                    "@context": ["https://www.w3.org/ns/credentials/v2"],
                    "type": ["VerifiableCredential"],
                    "issuer": ssi.did_key(key),
                    "validFrom": "2026-05-01T00:00:00Z",
                    "credentialSubject": {
                        "type": "Ballot",
                        "proposal": PROPOSAL,
                        "choice": ranking,
                    },
                },
                ssi.signer(key),
                created="2026-05-01T00:00:00Z",
            )
        )
    return documents


def main() -> None:
    """Time every method, then the references, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=2000, help="verified per round")
    parser.add_argument("--runs", type=int, default=3, help="counts per method")
    parser.add_argument("--rounds", type=int, default=3, help="verification rounds")
    options = parser.parse_args()

    ranked = rankings(options.ballots, seed=2026)
    times: dict[str, float] = {}
    for method in METHODS:
        data = shaped(method, ranked)
        seats = 3 if method in MULTI else 1

        def run(
            data: Sequence[Any] = data, method: str = method, seats: int = seats
        ) -> None:
            count(method, OPTIONS, data, seats=seats, seed=PROPOSAL)

        times[method] = median_time(run, options.runs)
        del data

    verifier = Verifier(resolver=ssi.Resolver(), clock=FixedClock(NOW))
    offsets = iter(range(0, 10**9, options.sample))

    def make(n: int) -> list[dict[str, Any]]:
        return ballots(n, next(offsets))

    def verify(items: Sequence[object]) -> None:
        for item in items:
            if not verifier.verify(item).verified:
                raise SystemExit("a benchmark ballot did not verify")

    cases = [
        *raw_cases(options.sample)[:1],
        Case("ssi.verify ballot credential", make, verify, options.sample),
    ]
    figures = interleave(cases, options.rounds, [])
    raw_rate = figures[0].median
    verify_rate = figures[1].median
    n = options.ballots
    print(
        f"reference, {options.rounds} interleaved rounds of {options.sample} "
        f"distinct items: raw Ed25519 verify {raw_rate:,.0f}/s "
        f"({1e6 / raw_rate:.0f} us), ssi.verify of a ballot credential "
        f"{verify_rate:,.0f}/s ({1e6 / verify_rate:.0f} us)"
    )
    print(
        f"counting {n:,} ranked ballots over {len(OPTIONS)} options "
        f"(median of {options.runs}); share = count time / (verify time x {n:,})"
    )
    header = ("method", "count s", "share of ssi.verify", "share of raw")
    print(f"{header[0]:<14}  {header[1]:>8}  {header[2]:>20}  {header[3]:>12}")
    for method, seconds in times.items():
        of_verify = seconds / (n / verify_rate)
        of_raw = seconds / (n / raw_rate)
        print(f"{method:<14}  {seconds:>8.2f}  {of_verify:>20.4f}  {of_raw:>12.4f}")
    worst = max(times.values()) / (n / raw_rate)
    print(f"worst share of raw verification: {worst:.4f} (target <= 0.05)")


if __name__ == "__main__":
    main()
