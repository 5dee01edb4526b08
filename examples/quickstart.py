"""Agora quickstart: keys of every type, did:key and did:jwk DIDs, resolution,
and a signature made and checked, all offline.

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

    bad = ssi.resolve("did:key:not-base58")
    print(f"Resolving a malformed DID answers with an error code: {bad.error}")
    unknown = ssi.resolve("did:example:123")
    print(f"Resolving an unsupported method: {unknown.error}")


if __name__ == "__main__":
    main()
