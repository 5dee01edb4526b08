"""Agora quickstart: keys of every type, did:key and did:jwk DIDs, resolution,
signatures, and a credential issued, presented and verified, all offline.

Run it with ``make demo``.
"""

from __future__ import annotations

import ssi

MESSAGE = b"Hello from Agora: a message signed by a key its owner controls."


def short(text: str, width: int = 72) -> str:
    """Shorten long identifiers for display."""
    return text if len(text) <= width else text[: width - 12] + "..." + text[-9:]


def main() -> None:
    """Walk through the foundation of the toolkit and print what happens."""
    print("Agora quickstart\n================\n")
    for key_type in ("Ed25519", "X25519", "P-256", "secp256k1"):
        key = ssi.generate_key(key_type)
        print(f"{key_type} key")
        print(f"  public Multikey  {key.export_multikey()}")
        print(f"  JWK thumbprint   {key.public_key.jwk_thumbprint()}")
        for make in (ssi.did_key, ssi.did_jwk):
            did = make(key)
            result = ssi.resolve(did)
            if not result.ok or result.did_document is None:
                raise SystemExit(f"could not resolve {did}: {result.error}")
            document = result.did_document
            methods = ", ".join(vm.type for vm in document.verification_method)
            relations = [
                name
                for name, entries in (
                    ("assertionMethod", document.assertion_method),
                    ("authentication", document.authentication),
                    ("keyAgreement", document.key_agreement),
                )
                if entries
            ]
            print(f"  {short(did)}")
            print(f"    resolved: {methods}; {', '.join(relations)}")
        if key.algorithm is None:
            print("  (key agreement only: X25519 keys do not sign)\n")
            continue
        signature = key.sign(MESSAGE)
        key.public_key.verify(MESSAGE, signature)
        print(
            f"  signed {len(MESSAGE)} bytes with {key.algorithm}: "
            f"{len(signature)}-byte signature verifies"
        )
        try:
            key.public_key.verify(MESSAGE + b"!", signature)
        except ssi.InvalidSignatureError:
            print("  the same signature over a changed message is refused\n")
        else:
            raise SystemExit("a changed message verified: this must never happen")

    credentials()

    bad = ssi.resolve("did:key:not-base58")
    print(f"Resolving a malformed DID answers with an error code: {bad.error}")
    unknown = ssi.resolve("did:example:123")
    print(f"Resolving an unsupported method: {unknown.error}")


def credentials() -> None:
    """Issue a credential, present it, verify both, and show a tampered copy fail."""
    print("Verifiable credentials\n----------------------")
    community = ssi.signer(ssi.generate_key("Ed25519"))
    member = ssi.signer(ssi.generate_key("Ed25519"))
    community_did = community.key_id.split("#")[0]
    member_did = member.key_id.split("#")[0]
    credential = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "type": ["VerifiableCredential", "MembershipCredential"],
        "issuer": community_did,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": member_did, "role": "member"},
    }
    for suite in ("eddsa-jcs-2022", "eddsa-rdfc-2022"):
        signed = ssi.issue(credential, community, suite=suite)
        report = ssi.verify(signed)
        checks = ", ".join(check.name for check in report.checks)
        print(f"  {suite}: verified={report.verified} ({checks})")
    tampered = dict(signed, credentialSubject={"id": member_did, "role": "admin"})
    report = ssi.verify(tampered)
    problem = report.problems[0]
    print(
        f"  a tampered copy: verified={report.verified}, {problem.code}: "
        f"{problem.detail}"
    )
    presentation = ssi.present(
        [signed], member, challenge="8f2c", domain="agora.example"
    )
    report = ssi.verify_presentation(
        presentation, challenge="8f2c", domain="agora.example"
    )
    print(f"  presentation with the verifier's challenge: verified={report.verified}")
    report = ssi.verify_presentation(
        presentation, challenge="other", domain="agora.example"
    )
    print(
        f"  replayed to another challenge: verified={report.verified} "
        f"({report.problems[0].error.code})\n"
    )


if __name__ == "__main__":
    main()
