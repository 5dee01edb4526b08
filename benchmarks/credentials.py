"""Credential benchmark: issue and verify rates for every cryptosuite.

Every rate is printed with two ratios measured in the same run:
- against raw Ed25519 verification with ``cryptography`` (the floor of any
  Ed25519 proof check), and
- against didkit 0.3.3 (compiled Rust) verifying an equivalent VC 1.1
  ``Ed25519Signature2020`` credential, when didkit is installed.

Targets from issue 3: eddsa-jcs-2022 verification at 0.60 or more of raw
Ed25519 verification; eddsa-rdfc-2022 verification at least as fast as
didkit (ratio >= 1.0). Also measured: ``check_json_value`` on a signed
credential (the single JSON walk every verification starts with, which also
finds embedded ``@context`` members), whose speed tests no longer bound by
the clock (they compare bytecode counts instead), and presentation
verification with eddsa-jcs-2022. Run with ``make bench``.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import json
import time
from datetime import UTC, datetime
from typing import Any

from common import rate, raw_verify_rate

import ssi
from ssi.credentials import check_json_value
from ssi.keys import Ed25519KeyPair, P256KeyPair

NOW = datetime(2025, 6, 1, tzinfo=UTC)
CREATED = "2025-01-02T00:00:00Z"
SUITES = (
    ("eddsa-jcs-2022", "Ed25519"),
    ("eddsa-rdfc-2022", "Ed25519"),
    ("ecdsa-jcs-2019", "P-256"),
    ("ecdsa-rdfc-2019", "P-256"),
    ("Ed25519Signature2020", "Ed25519"),
)


def credential(issuer: str, version: str) -> dict[str, Any]:
    """A small credential like a membership: five claims, one subject."""
    subject = {
        "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
        "name": "Ada Lovelace",
        "memberOf": "https://agora.example/communities/analytical-engines",
        "role": "member",
    }
    if version == "1.1":
        return {
            "@context": ["https://www.w3.org/2018/credentials/v1"],
            "id": "urn:uuid:0b5b4a0e-5d7c-4f0e-9d1a-3f2b6c8e1a77",
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
        "id": "urn:uuid:0b5b4a0e-5d7c-4f0e-9d1a-3f2b6c8e1a77",
        "type": ["VerifiableCredential", "MembershipCredential"],
        "issuer": issuer,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": subject,
    }


def didkit_rate(seconds: float) -> float | None:
    """didkit verifying a VC 1.1 Ed25519Signature2020 credential it issued."""
    try:
        import didkit
    except ImportError:
        return None
    # didkit's Rust threads can crash a process that exits at once.
    atexit.register(time.sleep, 0.1)
    jwk = didkit.generate_ed25519_key()
    did = didkit.key_to_did("key", jwk)
    vc = credential(did, "1.1")

    async def run() -> float:
        vm = await didkit.key_to_verification_method("key", jwk)
        options = {
            "type": "Ed25519Signature2020",
            "proofPurpose": "assertionMethod",
            "verificationMethod": vm,
        }
        signed = await didkit.issue_credential(json.dumps(vc), json.dumps(options), jwk)
        verify_options = json.dumps({"proofPurpose": "assertionMethod"})
        result = json.loads(await didkit.verify_credential(signed, verify_options))
        if result["errors"]:
            raise SystemExit(f"didkit could not verify its own credential: {result}")
        for _ in range(3):
            await didkit.verify_credential(signed, verify_options)
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            await didkit.verify_credential(signed, verify_options)
            count += 1
        return count / (time.perf_counter() - start)

    return asyncio.run(run())


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.5, help="time per figure")
    seconds = parser.parse_args().seconds

    reference = raw_verify_rate(seconds)
    peer = didkit_rate(seconds)

    keys = {
        "Ed25519": Ed25519KeyPair.from_seed(bytes(range(32))),
        "P-256": P256KeyPair.from_private_bytes(bytes(range(1, 33))),
    }
    rows: list[tuple[str, float]] = [("raw cryptography Ed25519 verify", reference)]
    if peer is not None:
        rows.append(("didkit verify (VC 1.1, Ed25519Signature2020)", peer))
    for suite, key_type in SUITES:
        signer = ssi.signer(keys[key_type])
        issuer = signer.key_id.split("#")[0]
        version = "1.1" if suite == "Ed25519Signature2020" else "2.0"
        unsigned = credential(issuer, version)
        signed = ssi.issue(unsigned, signer, suite=suite, created=CREATED)
        report = ssi.verify(signed, now=NOW)
        if not report.verified:
            raise SystemExit(f"{suite}: not verified: {report.to_json()}")
        rows.append(
            (
                f"{suite} issue",
                rate(
                    lambda u=unsigned, s=signer, n=suite: ssi.issue(u, s, suite=n),
                    seconds,
                ),
            )
        )
        rows.append(
            (
                f"{suite} verify",
                rate(lambda v=signed: ssi.verify(v, now=NOW), seconds),
            )
        )
        if suite == "eddsa-jcs-2022":
            rows.append(
                (
                    "check_json_value (signed credential)",
                    rate(lambda v=signed: check_json_value(v), seconds, batch=100),
                )
            )
            vp = ssi.present(
                [signed], signer, challenge="c", domain="d", created=CREATED
            )
            rows.append(
                (
                    f"{suite} verify_presentation (one credential)",
                    rate(
                        lambda p=vp: ssi.verify_presentation(
                            p, challenge="c", domain="d", now=NOW
                        ),
                        seconds,
                    ),
                )
            )

    width = max(len(name) for name, _ in rows)
    header = f"{'operation':<{width}}  {'ops/s':>10}  {'vs raw Ed25519':>14}"
    if peer is not None:
        header += f"  {'vs didkit':>9}"
    print(header)
    for name, value in rows:
        line = f"{name:<{width}}  {value:>10,.0f}  {value / reference:>14.3f}"
        if peer is not None:
            line += f"  {value / peer:>9.3f}"
        print(line)
    if peer is None:
        print("didkit is not installed: the didkit column is left out.")


if __name__ == "__main__":
    main()
