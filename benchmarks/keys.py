"""Key and did:key benchmark: rates per key type against raw Ed25519 verification.

Measured in interleaved rounds over distinct keys and messages (see
``common.interleave``); every figure is printed with its median, range and
its ratio to raw ``cryptography`` Ed25519 verification measured in the same
rounds. did:key figures resolve DIDs never seen before (nothing cached):
the whole document through the resolver, and the verification method of
``did:key:X#X`` straight from the key (``did_key_verification_method``).
Run with ``make bench``.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

from common import Case, interleave, print_figures, raw_cases

import ssi
from ssi.did.methods.key import did_key_verification_method
from ssi.did.resolution import Resolver
from ssi.keys import KeyPair

RAW = "raw Ed25519 verify (cryptography)"


def signing_cases(key_type: str, count: int) -> list[Case]:
    def make(n: int) -> list[tuple[KeyPair, bytes, bytes]]:
        items = []
        for _ in range(n):
            key = ssi.generate_key(key_type)
            message = os.urandom(256)
            items.append((key, message, key.sign(message)))
        return items

    def sign(items: Sequence[object]) -> None:
        for key, message, _ in items:  # type: ignore[misc]
            key.sign(message)

    def verify(items: Sequence[object]) -> None:
        for key, message, signature in items:  # type: ignore[misc]
            key.public_key.verify(message, signature)

    return [
        Case(f"{key_type} sign", make, sign, count),
        Case(f"{key_type} verify (ssi)", make, verify, count),
    ]


def did_key_cases(key_type: str, count: int) -> list[Case]:
    def make(n: int) -> list[str]:
        return [ssi.did_key(ssi.generate_key(key_type)) for _ in range(n)]

    def resolve(items: Sequence[object]) -> None:
        resolver = Resolver()
        for did in items:
            if resolver.resolve(did).did_document is None:  # type: ignore[arg-type]
                raise SystemExit(f"{did} did not resolve")

    def method(items: Sequence[object]) -> None:
        for did in items:
            url = f"{did}#{str(did).removeprefix('did:key:')}"
            if did_key_verification_method(url) is None:
                raise SystemExit(f"{url} has no fast path")

    return [
        Case(f"did:key resolve, new DIDs ({key_type})", make, resolve, count),
        Case(f"did:key#key method, new DIDs ({key_type})", make, method, count),
    ]


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--count", type=int, default=300, help="items per round")
    args = parser.parse_args()
    cases = raw_cases(args.count)
    for key_type in ("Ed25519", "P-256", "secp256k1"):
        cases += signing_cases(key_type, args.count)
    for key_type in ("Ed25519", "P-256"):
        cases += did_key_cases(key_type, args.count)
    figures = interleave(cases, args.rounds, [RAW])
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{args.rounds} interleaved rounds; load average {load:.2f} at the end")
    print_figures(figures, {"x raw cryptography": RAW})


if __name__ == "__main__":
    main()
