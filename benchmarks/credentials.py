"""Credential benchmark: verification and issuance rates, measured honestly.

Every figure is measured in interleaved rounds (see ``common.interleave``):
each round runs every case once, in a rotated order, over documents made for
that round only, and the table shows the median rate, its range over the
rounds, and ratios to two references measured in the same rounds:

- raw Ed25519 verification with ``cryptography`` of distinct keys and
  messages (the floor of any Ed25519 proof check), and
- didkit 0.3.3 (compiled Rust) verifying distinct VC 1.1
  ``Ed25519Signature2020`` credentials it issued, when didkit is installed.

Raw verification with PyNaCl (libsodium, which the library verifies with) is
shown too. "one issuer" verifies distinct credentials of one did:key issuer;
"own did:key" gives every credential its own issuer key, as ballots from
many voters do, so nothing about the issuer is cached.

Targets from issue 10: eddsa-jcs-2022 verification at 1.0x raw
``cryptography`` verification or better for one issuer, 0.8x or better with
an own did:key per credential; eddsa-rdfc-2022 verification at 3x didkit's
or better. Run with ``make bench`` (or ``--rounds``/``--count`` for more).
``--profile TEXT`` runs instead the cases whose name contains TEXT once
each, over ``--count`` distinct documents, under cProfile, and prints the
functions that took the most time of their own.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import cProfile
import json
import os
import pstats
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from common import Case, interleave, print_figures, raw_cases

import ssi
from ssi.credentials import check_json_value
from ssi.keys import Ed25519KeyPair, P256KeyPair

NOW = datetime(2025, 6, 1, tzinfo=UTC)
CREATED = "2025-01-02T00:00:00Z"
RAW = "raw Ed25519 verify (cryptography)"
DIDKIT = "didkit verify (VC 1.1, Ed25519Signature2020)"


def credential(issuer: str, version: str, serial: int = 0) -> dict[str, Any]:
    """A small credential like a membership: five claims, one subject;
    ``serial`` makes each one distinct."""
    identifier = f"urn:uuid:0b5b4a0e-5d7c-4f0e-9d1a-{serial:012x}"
    subject = {
        "id": f"did:example:{serial:x}ebfeb1f712ebc6f1c276e12ec21",
        "name": "Ada Lovelace",
        "memberOf": "https://agora.example/communities/analytical-engines",
        "role": "member",
    }
    if version == "1.1":
        return {
            "@context": ["https://www.w3.org/2018/credentials/v1"],
            "id": identifier,
            "type": ["VerifiableCredential"],
            "issuer": issuer,
            "issuanceDate": "2025-01-01T00:00:00Z",
            "credentialSubject": {"id": subject["id"]},
        }
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "id": identifier,
        "type": ["VerifiableCredential", "MembershipCredential"],
        "issuer": issuer,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": subject,
    }


_serial = iter(range(1 << 60))


def signed_maker(
    suite: str, key_type: str, *, own_issuer: bool
) -> Callable[[int], list[dict[str, Any]]]:
    """Items: ``count`` distinct signed credentials (each with its own key when
    ``own_issuer``)."""
    fixed = _key(key_type)

    def make(count: int) -> list[dict[str, Any]]:
        items = []
        for _ in range(count):
            signer = ssi.signer(_key(key_type) if own_issuer else fixed)
            version = "1.1" if suite == "Ed25519Signature2020" else "2.0"
            unsigned = credential(signer.key_id.split("#")[0], version, next(_serial))
            items.append(ssi.issue(unsigned, signer, suite=suite, created=CREATED))
        return items

    return make


def _key(key_type: str) -> Any:
    if key_type == "P-256":
        return P256KeyPair.from_private_bytes(bytes(range(1, 33)))
    return Ed25519KeyPair.generate()


def verify_all(items: Sequence[object]) -> None:
    for item in items:
        if not ssi.verify(item, now=NOW).verified:  # type: ignore[arg-type]
            raise SystemExit(f"not verified: {ssi.verify(item, now=NOW).to_json()}")  # type: ignore[arg-type]


def issue_case(suite: str, key_type: str, count: int) -> Case:
    signer = ssi.signer(
        P256KeyPair.from_private_bytes(bytes(range(1, 33)))
        if key_type == "P-256"
        else Ed25519KeyPair.from_seed(bytes(range(32)))
    )
    issuer = signer.key_id.split("#")[0]
    version = "1.1" if suite == "Ed25519Signature2020" else "2.0"

    def make(n: int) -> list[dict[str, Any]]:
        return [credential(issuer, version, next(_serial)) for _ in range(n)]

    def run(items: Sequence[object]) -> None:
        for item in items:
            ssi.issue(item, signer, suite=suite, created=CREATED)  # type: ignore[arg-type]

    return Case(f"{suite} issue", make, run, count)


def didkit_case(count: int) -> Case | None:
    """didkit verifying distinct VC 1.1 Ed25519Signature2020 credentials."""
    try:
        import didkit
    except ImportError:
        return None
    # didkit's Rust threads can crash a process that exits at once.
    atexit.register(time.sleep, 0.1)
    loop = asyncio.new_event_loop()
    jwk = didkit.generate_ed25519_key()
    did = didkit.key_to_did("key", jwk)

    async def verification_method() -> str:
        return str(await didkit.key_to_verification_method("key", jwk))

    method = loop.run_until_complete(verification_method())
    options = json.dumps(
        {
            "type": "Ed25519Signature2020",
            "proofPurpose": "assertionMethod",
            "verificationMethod": method,
        }
    )
    verify_options = json.dumps({"proofPurpose": "assertionMethod"})

    def make(n: int) -> list[str]:
        async def issue() -> list[str]:
            return [
                await didkit.issue_credential(
                    json.dumps(credential(did, "1.1", next(_serial))), options, jwk
                )
                for _ in range(n)
            ]

        return loop.run_until_complete(issue())

    def run(items: Sequence[object]) -> None:
        async def verify() -> None:
            for item in items:
                result = json.loads(
                    await didkit.verify_credential(item, verify_options)
                )
                if result["errors"]:
                    raise SystemExit(
                        f"didkit could not verify its own credential: {result}"
                    )

        loop.run_until_complete(verify())

    return Case(DIDKIT, make, run, count)


def profile(cases: Sequence[Case], count: int) -> None:
    """Run each case once over ``count`` distinct items under cProfile and
    print the 30 functions with the most time of their own."""
    if not cases:
        raise SystemExit("no case has that text in its name.")
    for case in cases:
        items = case.make(count)
        profiler = cProfile.Profile()
        profiler.runcall(case.run, items)
        print(f"{case.name}: {count} distinct items")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds")
    parser.add_argument("--count", type=int, default=600, help="documents per round")
    parser.add_argument(
        "--quick", action="store_true", help="verification figures only"
    )
    parser.add_argument(
        "--profile",
        metavar="TEXT",
        help="profile the cases whose name contains TEXT instead of measuring",
    )
    args = parser.parse_args()
    count, slow = args.count, max(20, args.count // 8)

    cases = raw_cases(count)
    peer = didkit_case(slow)
    if peer is not None:
        cases.append(peer)
    cases += [
        Case(
            "eddsa-jcs-2022 verify (one issuer)",
            signed_maker("eddsa-jcs-2022", "Ed25519", own_issuer=False),
            verify_all,
            count,
        ),
        Case(
            "eddsa-jcs-2022 verify (own did:key each)",
            signed_maker("eddsa-jcs-2022", "Ed25519", own_issuer=True),
            verify_all,
            count,
        ),
        Case(
            "eddsa-rdfc-2022 verify (one issuer)",
            signed_maker("eddsa-rdfc-2022", "Ed25519", own_issuer=False),
            verify_all,
            slow,
        ),
        Case(
            "eddsa-rdfc-2022 verify (own did:key each)",
            signed_maker("eddsa-rdfc-2022", "Ed25519", own_issuer=True),
            verify_all,
            slow,
        ),
    ]
    if not args.quick:
        cases += [
            Case(
                "ecdsa-jcs-2019 verify (one issuer)",
                signed_maker("ecdsa-jcs-2019", "P-256", own_issuer=False),
                verify_all,
                count // 2,
            ),
            Case(
                "ecdsa-rdfc-2019 verify (one issuer)",
                signed_maker("ecdsa-rdfc-2019", "P-256", own_issuer=False),
                verify_all,
                slow,
            ),
            Case(
                "Ed25519Signature2020 verify (one issuer)",
                signed_maker("Ed25519Signature2020", "Ed25519", own_issuer=False),
                verify_all,
                slow,
            ),
            issue_case("eddsa-jcs-2022", "Ed25519", count),
            issue_case("eddsa-rdfc-2022", "Ed25519", slow),
            Case(
                "check_json_value (signed credential)",
                signed_maker("eddsa-jcs-2022", "Ed25519", own_issuer=False),
                lambda items: [check_json_value(i) for i in items],  # type: ignore[arg-type]
                count,
            ),
        ]
        presenter = ssi.signer(Ed25519KeyPair.generate())
        make_vc = signed_maker("eddsa-jcs-2022", "Ed25519", own_issuer=False)

        def make_vp(n: int) -> list[dict[str, Any]]:
            return [
                ssi.present(
                    make_vc(1), presenter, challenge="c", domain="d", created=CREATED
                )
                for _ in range(n)
            ]

        def verify_vps(items: Sequence[object]) -> None:
            for item in items:
                report = ssi.verify_presentation(
                    item,
                    challenge="c",
                    domain="d",
                    now=NOW,  # type: ignore[arg-type]
                )
                if not report.verified:
                    raise SystemExit(f"presentation not verified: {report.to_json()}")

        cases.append(
            Case(
                "eddsa-jcs-2022 verify_presentation (one VC)",
                make_vp,
                verify_vps,
                count // 2,
            )
        )

    if args.profile is not None:
        profile([case for case in cases if args.profile in case.name], args.count)
        return
    references = {"x raw cryptography": RAW}
    if peer is not None:
        references["x didkit"] = DIDKIT
    figures = interleave(cases, args.rounds, list(references.values()))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{args.rounds} interleaved rounds; load average {load:.2f} at the end")
    print_figures(figures, references)
    if peer is None:
        print("didkit is not installed: the didkit column is left out.")


if __name__ == "__main__":
    main()
