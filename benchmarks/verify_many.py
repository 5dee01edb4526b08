"""``Verifier.verify_many`` benchmark: credentials per second on 1 and 2 processes.

Each figure is a ratio to raw Ed25519 verification with ``cryptography`` on
one core (``common.raw_verify_rate``), measured in the same run. Rounds are
interleaved (raw, in-process, a pool of 1, a pool of 2, then again), so a
machine whose load changes during the run affects every figure alike; each
round verifies credentials no earlier round verified (distinct subjects and
ids, a handful of did:key issuers as a real feed has). The medians and the
ranges over rounds are printed.

The pool figures include shipping the documents and the reports between
processes; the pools are started and warmed (each worker has built its
verifier) before the first round. With 2 processes the ideal is twice the
in-process ratio, on a machine with two idle cores.

Run with ``python benchmarks/verify_many.py`` (``--count``, ``--rounds``).
"""

from __future__ import annotations

import argparse
import statistics
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from datetime import UTC, datetime
from typing import Any

from common import raw_verify_rate

import ssi
from ssi.credentials import FixedClock, Verifier
from ssi.keys import Ed25519KeyPair

NOW = datetime(2025, 6, 1, tzinfo=UTC)
CREATED = "2025-01-02T00:00:00Z"
ISSUERS = 5


def corpus(count: int, offset: int) -> list[dict[str, Any]]:
    """``count`` distinct eddsa-jcs-2022 credentials by a few did:key issuers."""
    keys = [
        Ed25519KeyPair.from_seed(bytes([seed]) * 32) for seed in range(1, 1 + ISSUERS)
    ]
    documents = []
    for index in range(offset, offset + count):
        key = keys[index % ISSUERS]
        documents.append(
            ssi.issue(
                {
                    "@context": ["https://www.w3.org/ns/credentials/v2"],
                    "id": f"urn:uuid:00000000-0000-4000-8000-{index:012d}",
                    "type": ["VerifiableCredential"],
                    "issuer": ssi.did_key(key),
                    "validFrom": "2025-01-01T00:00:00Z",
                    "credentialSubject": {
                        "id": f"did:example:member-{index}",
                        "name": "Ada Lovelace",
                    },
                },
                ssi.signer(key),
                created=CREATED,
            )
        )
    return documents


def measure(
    verifier: Verifier, documents: list[dict[str, Any]], executor: Executor | None
) -> float:
    """Credentials per second for one ``verify_many`` call over ``documents``."""
    start = time.perf_counter()
    reports = verifier.verify_many(documents, executor=executor, chunk_size=64)
    elapsed = time.perf_counter() - start
    if not all(report.verified for report in reports):
        raise SystemExit("a benchmark credential did not verify")
    return len(documents) / elapsed


def main() -> None:
    """Run the interleaved rounds and print medians and ranges."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=4000, help="credentials per run")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.0, help="per raw figure")
    options = parser.parse_args()

    verifier = Verifier(resolver=ssi.Resolver(), clock=FixedClock(NOW))
    modes = ("in-process", "pool of 1", "pool of 2")
    ratios: dict[str, list[float]] = {mode: [] for mode in modes}
    raws: list[float] = []
    fn, args = verifier.initializer()
    with (
        ProcessPoolExecutor(1, initializer=fn, initargs=args) as one,
        ProcessPoolExecutor(2, initializer=fn, initargs=args) as two,
    ):
        warm = corpus(256, 10**9)
        executors: dict[str, Executor | None] = {
            "in-process": None,
            "pool of 1": one,
            "pool of 2": two,
        }
        for executor in executors.values():
            measure(verifier, warm, executor)
        offset = 0
        for _ in range(options.rounds):
            raw = raw_verify_rate(options.seconds)
            raws.append(raw)
            for mode, executor in executors.items():
                documents = corpus(options.count, offset)
                offset += options.count
                ratios[mode].append(measure(verifier, documents, executor) / raw)

    print(
        f"raw Ed25519 verify (cryptography, 1 core): median "
        f"{statistics.median(raws):,.0f}/s, range {min(raws):,.0f}-{max(raws):,.0f}/s"
    )
    print(
        f"verify_many, {options.count} distinct eddsa-jcs-2022 credentials per "
        f"run, {options.rounds} interleaved rounds; ratio to raw (median, range):"
    )
    for mode in modes:
        values = ratios[mode]
        print(
            f"  {mode:<11} {statistics.median(values):.3f}  "
            f"({min(values):.3f}-{max(values):.3f})  "
            f"~{statistics.median(values) * statistics.median(raws):,.0f}/s"
        )


if __name__ == "__main__":
    main()
