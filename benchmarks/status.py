"""Status list benchmark: revoking and re-signing a list, and checking status.

Figures, each printed with its ratio to raw Ed25519 verification with
``cryptography`` measured in the same run (ratio = that rate / reference rate):

- revoke one entry of a 131,072-entry list that already has 1,000 revoked
  entries, then encode the list and sign the list credential with
  eddsa-jcs-2022 (what an issuer does per revocation);
- one status check with nothing cached (the list credential is fetched from
  memory, verified and decoded);
- status checks for 100,000 credentials (100,000 distinct entries of one list)
  through a ``BitstringStatusChecker`` over a ``CachingStatusSource``: the list
  credential is fetched and verified once, every later check reads the cache;
- a whole ``ssi.verify`` of an eddsa-jcs-2022 credential with and without its
  status check, to show what the check adds.

Run with ``python benchmarks/status.py``.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from typing import Any

from common import median_time, rate, raw_verify_rate

import ssi
from ssi.credentials import parse_credential
from ssi.keys import Ed25519KeyPair
from ssi.status import (
    BitstringStatusChecker,
    CachingStatusSource,
    MemoryStatusSource,
    StatusListState,
)

NOW = datetime(2025, 6, 1, tzinfo=UTC)
CREATED = "2025-01-02T00:00:00Z"
LIST_URL = "https://status.agora.example/lists/1"
CHECKS = 100_000


def membership(issuer: str, entry: dict[str, Any]) -> dict[str, Any]:
    """A small membership credential with one status entry."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:0b5b4a0e-5d7c-4f0e-9d1a-3f2b6c8e1a77",
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:member", "memberOf": "agora"},
        "credentialStatus": entry,
    }


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.5, help="time per figure")
    seconds = parser.parse_args().seconds

    reference = raw_verify_rate(seconds)
    key = Ed25519KeyPair.from_seed(bytes(range(32)))
    signer = ssi.signer(key)
    issuer = ssi.did_key(key)

    # An issuer's list: 101,100 credentials issued, 1,000 of them revoked;
    # the last 100 are revoked while timing, the middle 100,000 are checked.
    state = StatusListState(LIST_URL)
    indexes = [state.allocate() for _ in range(CHECKS + 1_100)]
    for index in indexes[:1_000]:
        state.revoke(index)
    pending = iter(indexes[-100:])

    def revoke_and_sign() -> None:
        state.revoke(next(pending))
        ssi.issue(state.credential(issuer), signer, created=CREATED)

    revoke_seconds = median_time(revoke_and_sign, 50)

    # The verifier's side: one signed list, cached, and 100,000 entries.
    listed = ssi.issue(state.credential(issuer), signer, created=CREATED)
    cache = CachingStatusSource(MemoryStatusSource({LIST_URL: listed}))
    checker = BitstringStatusChecker(cache)
    entries = [state.entry(index) for index in indexes[1_000 : 1_000 + CHECKS]]
    secured = ssi.issue(membership(issuer, entries[0]), signer, created=CREATED)
    summary = parse_credential(secured)

    def verify_list(document: dict[str, Any]) -> ssi.VerificationReport:
        return ssi.verify(document, now=NOW)

    def check_uncached() -> None:
        fresh = BitstringStatusChecker(
            CachingStatusSource(MemoryStatusSource({LIST_URL: listed}))
        )
        fresh.check(summary, entries[0], verify_list=verify_list, now=NOW)

    first_seconds = median_time(check_uncached, 50)
    checker.check(summary, entries[0], verify_list=verify_list, now=NOW)
    start = time.perf_counter()
    for entry in entries:
        checker.check(summary, entry, verify_list=verify_list, now=NOW)
    check_rate = CHECKS / (time.perf_counter() - start)

    report = ssi.verify(secured, now=NOW, status=checker)
    if not report.verified:
        raise SystemExit(f"not verified: {report.to_json()}")
    without_status = ssi.issue(
        {k: v for k, v in membership(issuer, {}).items() if k != "credentialStatus"},
        signer,
        created=CREATED,
    )
    verify_plain = rate(lambda: ssi.verify(without_status, now=NOW), seconds)
    verify_status = rate(lambda: ssi.verify(secured, now=NOW, status=checker), seconds)

    rows: list[tuple[str, float]] = [
        ("raw cryptography Ed25519 verify", reference),
        ("revoke 1 entry + encode + sign 131,072-entry list", 1 / revoke_seconds),
        ("status check, list not cached (verify + decode)", 1 / first_seconds),
        (f"status check, cached list ({CHECKS:,} credentials)", check_rate),
        ("ssi.verify eddsa-jcs-2022, no status", verify_plain),
        ("ssi.verify eddsa-jcs-2022 + status check", verify_status),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'operation':<{width}}  {'ops/s':>10}  {'vs raw Ed25519':>14}")
    for name, value in rows:
        print(f"{name:<{width}}  {value:>10,.0f}  {value / reference:>14.3f}")
    print(
        f"revoke + re-sign: {revoke_seconds * 1000:.2f} ms median; "
        f"list credential {len(listed['credentialSubject']['encodedList']):,} "
        "characters of encodedList."
    )


if __name__ == "__main__":
    main()
