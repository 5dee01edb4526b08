"""Key and did:key benchmark: rates per key type against raw Ed25519 verification.

The reference is ``cryptography``'s Ed25519 verify called directly, measured in
the same run; every other figure is printed with its ratio to it
(ratio = that rate / reference rate). Run with ``make bench``.
"""

from __future__ import annotations

import argparse

from common import rate, raw_verify_rate

import ssi
from ssi.did.resolution import Resolver

MESSAGE = b"x" * 256


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0, help="time per figure")
    args = parser.parse_args()
    seconds = args.seconds

    reference = raw_verify_rate(seconds)

    rows: list[tuple[str, float]] = [("raw cryptography Ed25519 verify", reference)]
    for key_type in ("Ed25519", "P-256", "secp256k1"):
        key = ssi.generate_key(key_type)
        public = key.public_key
        signature = key.sign(MESSAGE)
        rows.append((f"{key_type} sign", rate(lambda k=key: k.sign(MESSAGE), seconds)))
        rows.append(
            (
                f"{key_type} verify",
                rate(lambda p=public, s=signature: p.verify(MESSAGE, s), seconds),
            )
        )

    for key_type in ("Ed25519", "P-256"):
        did = ssi.did_key(ssi.generate_key(key_type))
        uncached = Resolver(cache_ttl=0)
        cached = Resolver()
        rows.append(
            (
                f"did:key resolve ({key_type}, no cache)",
                rate(lambda r=uncached, d=did: r.resolve(d), seconds),
            )
        )
        rows.append(
            (
                f"did:key resolve ({key_type}, cached)",
                rate(lambda r=cached, d=did: r.resolve(d), seconds),
            )
        )

    width = max(len(name) for name, _ in rows)
    print(f"{'operation':<{width}}  {'ops/s':>12}  {'ratio to raw Ed25519 verify':>28}")
    for name, value in rows:
        print(f"{name:<{width}}  {value:>12,.0f}  {value / reference:>28.3f}")


if __name__ == "__main__":
    main()
