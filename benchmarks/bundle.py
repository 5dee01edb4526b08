"""``verify_bundle`` benchmark: posts per second, in one process and on two.

Each figure is a ratio to raw Ed25519 verification with ``cryptography`` on
one core (``common.raw_verify_rate``), measured in the same round. Rounds are
interleaved (raw, in-process, a pool of 2, then again), and each round
verifies a bundle of posts no earlier round verified: 20 authors, eight of
them did:agora (four rotating their keys midway), a did:agora community with
a status list, and a third of some members' posts in that community (so
the membership rule runs). The bundle is packed before the clock runs; the
figure covers reading it from memory, the first pass (logs, status lists,
memberships, each verified once), parsing, CIDs, verification and results.

The pool figure includes shipping lines and results between processes; the
pool is started and warmed before the first round. With 2 processes the
ideal is twice the in-process ratio, on a machine with two idle cores.

Run with ``python benchmarks/bundle.py`` (``--count``, ``--rounds``).
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from common import raw_verify_rate

import ssi
from ssi.agora import create_entry, rotate_entry, signing_document, validate_log
from ssi.bundle import MemoryLogSource, pack, verify_bundle
from ssi.credentials import FixedClock
from ssi.datetimes import format_date_time
from ssi.keys import Ed25519KeyPair, LocalSigner
from ssi.social import AGORA_CONTEXT, membership_credential
from ssi.status import (
    MemoryStatusSource,
    StatusList,
    build_status_entry,
    build_status_list_credential,
)

T0 = datetime(2025, 1, 1, tzinfo=UTC)
CLOCK = FixedClock(datetime(2026, 1, 1, tzinfo=UTC))
ROTATION = T0 + timedelta(days=100)
LIST_URL = "https://community.example/status/1"
AUTHORS = 20
MEMBERS = (1, 13, 17)


def _key(seed: int) -> Ed25519KeyPair:
    return Ed25519KeyPair.from_seed(seed.to_bytes(4, "big") * 8)


class World:
    """The authors, their logs and signers, and the community."""

    def __init__(self) -> None:
        self.logs = MemoryLogSource()
        self.signers: list[list[tuple[datetime, LocalSigner]]] = []
        self.dids: list[str] = []
        for n in range(AUTHORS):
            if n < 12:
                key = _key(n + 1)
                self.dids.append(ssi.did_key(key))
                self.signers.append([(T0, ssi.signer(key))])
            else:
                self._agora(n, rotate=n >= 16)
        self.community, community_signer = self._agora(900, rotate=False, keep=False)
        status = StatusList()
        self.memberships = [
            ssi.issue(
                membership_credential(
                    self.community,
                    self.dids[member],
                    valid_from=T0,
                    status=build_status_entry(LIST_URL, index),
                ),
                community_signer,
                created=format_date_time(T0),
            )
            for index, member in enumerate(MEMBERS)
        ]
        self.lists = MemoryStatusSource(
            {
                LIST_URL: ssi.issue(
                    build_status_list_credential(
                        LIST_URL, self.community, status, valid_from=T0
                    ),
                    community_signer,
                    created=format_date_time(T0),
                )
            }
        )

    def _agora(
        self, n: int, *, rotate: bool, keep: bool = True
    ) -> tuple[str, LocalSigner]:
        update, nxt, after = _key(n + 1000), _key(n + 2000), _key(n + 3000)
        first_key, second_key = _key(n + 4000), _key(n + 5000)
        born = T0 - timedelta(days=1)
        did, entry = create_entry(
            update, [nxt.public_key], signing_document(first_key.public_key), when=born
        )
        entries = [entry]
        signers = [(born, LocalSigner(first_key, f"{did}#key-1"))]
        if rotate:
            log = validate_log(entries, did=did)
            entries.append(
                rotate_entry(
                    log,
                    nxt,
                    [after.public_key],
                    signing_document(second_key.public_key, fragment="key-2"),
                    when=ROTATION,
                )
            )
            signers.append((ROTATION, LocalSigner(second_key, f"{did}#key-2")))
        self.logs.add(did, entries)
        if keep:
            self.dids.append(did)
            self.signers.append(signers)
        return did, signers[0][1]

    def posts(self, count: int, offset: int) -> list[dict[str, Any]]:
        """``count`` distinct posts, numbered from ``offset``."""
        documents = []
        for number in range(offset, offset + count):
            author = number % AUTHORS
            moment = T0 + timedelta(seconds=number * 1.7 % (200 * 86400))
            signer = [s for start, s in self.signers[author] if start <= moment][-1]
            subject: dict[str, Any] = {
                "content": f"post {number}: a few words about the weather today",
                "mediaType": "text/plain",
                "tags": ["bench"],
            }
            if author in MEMBERS and number % 3 == 0:
                subject["community"] = self.community
            documents.append(
                ssi.issue(
                    {
                        "@context": [
                            "https://www.w3.org/ns/credentials/v2",
                            AGORA_CONTEXT,
                        ],
                        "type": ["VerifiableCredential", "Post"],
                        "issuer": self.dids[author],
                        "validFrom": format_date_time(moment),
                        "credentialSubject": subject,
                    },
                    signer,
                    suite="eddsa-jcs-2022",
                    created=format_date_time(moment),
                )
            )
        return documents

    def bundle(self, count: int, offset: int) -> bytes:
        out = io.BytesIO()
        pack(
            self.posts(count, offset),
            out,
            logs=self.logs,
            status_lists=self.lists,
            memberships=self.memberships,
        )
        return out.getvalue()


def measure(bundle: bytes, count: int, executor: Executor | None) -> float:
    """Posts per second for one ``verify_bundle`` over ``bundle``."""
    start = time.perf_counter()
    with verify_bundle(io.BytesIO(bundle), clock=CLOCK, executor=executor) as results:
        verified = sum(result.verified for result in results)
    elapsed = time.perf_counter() - start
    if verified != count:
        raise SystemExit(f"only {verified} of {count} benchmark posts verified")
    return count / elapsed


def main() -> None:
    """Run the interleaved rounds and print medians and ranges."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="posts per bundle")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=1.0, help="per raw figure")
    options = parser.parse_args()

    world = World()
    modes = ("in-process", "pool of 2")
    ratios: dict[str, list[float]] = {mode: [] for mode in modes}
    raws: list[float] = []
    bundles = [
        world.bundle(options.count, (1 + index) * options.count)
        for index in range(options.rounds)
    ]
    with ProcessPoolExecutor(2) as two:
        executors: dict[str, Executor | None] = {"in-process": None, "pool of 2": two}
        warm = world.bundle(512, 0)
        for executor in executors.values():
            measure(warm, 512, executor)
        for index in range(options.rounds):
            raw = raw_verify_rate(options.seconds)
            raws.append(raw)
            order = list(modes) if index % 2 == 0 else list(reversed(modes))
            for mode in order:
                rate = measure(bundles[index], options.count, executors[mode])
                ratios[mode].append(rate / raw)
            bundles[index] = b""

    print(
        f"raw Ed25519 verify (cryptography, 1 core): median "
        f"{statistics.median(raws):,.0f}/s, range {min(raws):,.0f}-{max(raws):,.0f}/s"
    )
    print(
        f"verify_bundle, {options.count} distinct posts per bundle (20 authors, "
        f"8 did:agora, 4 rotated), {options.rounds} interleaved rounds; ratio to "
        "raw (median, range):"
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
