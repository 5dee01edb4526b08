"""Wallet benchmark: unlock time, storing one credential, listing 1,000.

Unlocking (``Wallet.open``) with the ``standard`` Argon2id profile is timed as
the median of ``--runs`` runs and must fall between 0.1 s and 1 s on the
machine running it: faster means the profile protects the passphrase too
little, slower means every ``agora`` command waits too long. The script
prints OK or OUT OF RANGE and exits with status 1 when out of range.

Every figure is also given against raw Ed25519 verification with
``cryptography``, measured in the same run, as ``benchmarks/keys.py`` does:
``ratio`` is that rate / the reference rate, and ``verifications`` is how many
raw verifications the operation costs (time x reference rate). Run with
``make bench``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from common import median_time, raw_verify_rate

import ssi
from ssi.keys import Ed25519KeyPair
from ssi.types import JsonObject
from ssi.wallet import KDF_PROFILES, KDFParams, Wallet

PASSPHRASE = "correct horse battery staple"  # noqa: S105
CREATED = "2025-01-02T00:00:00Z"
UNLOCK_RANGE = (0.1, 1.0)
"""Accepted median unlock time, in seconds, for the standard profile."""
LISTED = 1_000


def membership(issuer: Ed25519KeyPair, number: int) -> JsonObject:
    """A small signed credential, as a community issues to a member."""
    did = ssi.did_key(issuer)
    unsigned: JsonObject = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": f"urn:uuid:00000000-0000-4000-8000-{number:012d}",
        "type": ["VerifiableCredential", "MembershipCredential"],
        "issuer": did,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
            "name": "Ada Lovelace",
            "memberOf": "https://agora.example/communities/analytical-engines",
            "role": "member",
            "memberNumber": number,
        },
    }
    return ssi.issue(unsigned, ssi.signer(issuer), created=CREATED)


def fill(wallet: Wallet, credentials: list[JsonObject]) -> None:
    """Put ``credentials`` in ``wallet`` in one write.

    Storing them one by one through the public API rewrites the whole file
    each time (1,000 stores take minutes) and would measure nothing the
    "store one" figure does not; this setup puts them all in one transaction
    of the wallet's record store, as ``store_credential`` does per credential.
    """
    with wallet.transaction() as transaction:
        for item in credentials:
            data: JsonObject = {
                "credential": item,
                "direction": "received",
                "stored": CREATED,
            }
            transaction.put("credential", "vc/" + str(item["id"]), data)
    if len(wallet.credentials()) != len(credentials):
        raise SystemExit("setup failed: the wallet does not hold the credentials")


def main() -> int:
    """Measure, print the table and the unlock verdict; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="runs per median")
    parser.add_argument(
        "--seconds", type=float, default=1.0, help="time for the reference rate"
    )
    args = parser.parse_args()
    runs = args.runs

    reference = raw_verify_rate(args.seconds)

    issuer = Ed25519KeyPair.from_seed(bytes([7]) * 32)
    credentials = [membership(issuer, n) for n in range(LISTED + 2 * runs + 2)]
    rows: list[tuple[str, float]] = []

    with tempfile.TemporaryDirectory() as scratch:
        empty_home = Path(scratch) / "empty"
        full_home = Path(scratch) / "full"
        Wallet.create(empty_home, PASSPHRASE, kdf=KDFParams.profile("standard"))
        full = Wallet.create(full_home, PASSPHRASE, kdf=KDFParams.profile("standard"))
        fill(full, credentials[:LISTED])
        spare = iter(credentials[LISTED:])

        unlock = median_time(lambda: Wallet.open(empty_home, PASSPHRASE), runs)
        rows.append(("unlock (Wallet.open, standard profile, empty)", unlock))
        rows.append(
            (
                f"unlock (Wallet.open, standard profile, {LISTED:,} credentials)",
                median_time(lambda: Wallet.open(full_home, PASSPHRASE), runs),
            )
        )
        listed = Wallet.open(full_home, PASSPHRASE)
        count = len(listed.credentials())
        rows.append(
            (
                f"list {count:,} credentials (Wallet.credentials)",
                median_time(listed.credentials, runs),
            )
        )
        rows.append(
            (
                f"store one credential ({LISTED:,} in the wallet)",
                median_time(lambda: full.store_credential(next(spare)), runs),
            )
        )
        empty = Wallet.open(empty_home, PASSPHRASE)
        rows.append(
            (
                "store one credential (empty wallet)",
                median_time(lambda: empty.store_credential(next(spare)), runs),
            )
        )

    memory, iterations, lanes = KDF_PROFILES["standard"]
    print(
        f"standard profile: Argon2id {memory // 1024} MiB, {iterations} passes, "
        f"{lanes} lanes; medians of {runs} runs"
    )
    width = max(len(name) for name, _ in rows)
    print(
        f"{'operation':<{width}}  {'seconds':>9}  {'ops/s':>10}  "
        f"{'ratio to raw Ed25519 verify':>27}  {'verifications':>13}"
    )
    print(
        f"{'raw cryptography Ed25519 verify':<{width}}  {1 / reference:>9.6f}  "
        f"{reference:>10,.0f}  {1:>27.3f}  {1:>13,.0f}"
    )
    for name, seconds in rows:
        ops = 1 / seconds
        print(
            f"{name:<{width}}  {seconds:>9.4f}  {ops:>10,.1f}  "
            f"{ops / reference:>27.6f}  {seconds * reference:>13,.0f}"
        )

    low, high = UNLOCK_RANGE
    verdict = "OK" if low <= unlock <= high else "OUT OF RANGE"
    print(f"unlock {unlock:.3f} s (accepted {low}-{high} s): {verdict}")
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
