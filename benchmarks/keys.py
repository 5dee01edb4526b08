"""Key and did:key benchmark: rates per key type against raw Ed25519 verification.

The reference is ``cryptography``'s Ed25519 verify called directly, measured in
the same run; every other figure is printed with its ratio to it
(ratio = that rate / reference rate). Run with ``make bench``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric import ed25519

import ssi
from ssi.did.resolution import Resolver

MESSAGE = b"x" * 256


def rate(operation: Callable[[], object], seconds: float) -> float:
    """Return operations per second, running ``operation`` for about ``seconds``."""
    for _ in range(20):
        operation()
    count, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(50):
            operation()
        count += 50
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0, help="time per figure")
    args = parser.parse_args()
    seconds = args.seconds

    raw_key = ed25519.Ed25519PrivateKey.generate()
    raw_public = raw_key.public_key()
    raw_signature = raw_key.sign(MESSAGE)
    reference = rate(lambda: raw_public.verify(raw_signature, MESSAGE), seconds)

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
