"""Fixed key pairs built from published vectors, one per key type.

Unit tests use these instead of fresh randomness, so a failure reproduces.
"""

from __future__ import annotations

import pytest

from ssi.encoding import decode_base58btc, decode_base64url
from ssi.keys import (
    Ed25519KeyPair,
    KeyPair,
    KeyType,
    P256KeyPair,
    P384KeyPair,
    P521KeyPair,
    Secp256k1KeyPair,
    X25519KeyPair,
)
from tests.vectors import load


def fixed_key_pairs() -> dict[KeyType, KeyPair]:
    """Return one key pair per key type, each from a published vector."""
    ed25519 = load.json_file("rfc8032", "test-1.json")
    curve25519 = load.json_file("rfc8037", "rfc7748-6.1-curve25519.json")
    nist = load.json_file("multikey", "did-key-nist-curves.json")
    by_curve = {}
    for entry in nist.values():
        by_curve.setdefault(entry["publicKey"]["privateKeyJwk"]["crv"], entry)
    p256, p384, p521 = (
        by_curve[crv]["publicKey"]["privateKeyJwk"]
        for crv in ("P-256", "P-384", "P-521")
    )
    k1 = load.json_file("multikey", "did-key-secp256k1.json")
    k1_secret = next(iter(k1.values()))["verificationKeyPair"]["privateKeyBase58"]
    return {
        KeyType.ED25519: Ed25519KeyPair.from_seed(bytes.fromhex(ed25519["secret_key"])),
        KeyType.X25519: X25519KeyPair.from_private_bytes(
            bytes.fromhex(curve25519["alice_private"])
        ),
        KeyType.P256: P256KeyPair.from_private_bytes(decode_base64url(p256["d"])),
        KeyType.P384: P384KeyPair.from_private_bytes(decode_base64url(p384["d"])),
        KeyType.P521: P521KeyPair.from_private_bytes(decode_base64url(p521["d"])),
        KeyType.SECP256K1: Secp256k1KeyPair.from_private_bytes(
            decode_base58btc(k1_secret)
        ),
    }


FIXED = fixed_key_pairs()
SIGNING_TYPES = [
    KeyType.ED25519,
    KeyType.P256,
    KeyType.P384,
    KeyType.P521,
    KeyType.SECP256K1,
]


@pytest.fixture(params=list(FIXED), ids=str)
def key_pair(request: pytest.FixtureRequest) -> KeyPair:
    """Each fixed key pair in turn."""
    return FIXED[request.param]


@pytest.fixture(params=SIGNING_TYPES, ids=str)
def signing_key(request: pytest.FixtureRequest) -> KeyPair:
    """Each fixed key pair that can sign, in turn."""
    return FIXED[request.param]
