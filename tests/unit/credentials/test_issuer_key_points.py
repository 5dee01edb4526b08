"""A credential whose did:key holds a bad Ed25519 point never verifies.

libsodium's ``crypto_sign_open`` refuses small-order and non-canonical public
keys, but not a key of mixed order (a prime-order point plus a small-order
one): for such a key a signature can be made that it accepts (below). The
prime-order subgroup check of ``Ed25519PublicKey`` is what refuses those, so
it must stay on the verification path; these tests pin that down through
``ssi.verify``.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from typing import Any

import nacl.bindings
import pytest

import ssi
from ssi.encoding import encode_multibase
from ssi.errors import InvalidPublicKeyError
from ssi.keys import Ed25519PublicKey

NOW = datetime(2025, 6, 1, tzinfo=UTC)
L = 2**252 + 27742317777372353535851937790883648493
P = 2**255 - 19

# The points of small order (libsodium's list): orders 1, 2, 4, 4, 8, 8, 8, 8.
SMALL_ORDER = [
    bytes.fromhex(text)
    for text in (
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    )
]
# Non-canonical encodings: y + p for y < 19 (either sign of x). No point of
# prime order has such a small y, so each is off the curve or of small or
# mixed order.
NON_CANONICAL = [
    ((y + P) | sign << 255).to_bytes(32, "little") for y in range(19) for sign in (0, 1)
]


class _RawSigner:
    """Signs as the did:key of any 32 bytes, with a given signing function."""

    algorithm = "EdDSA"

    def __init__(self, raw: bytes, sign: Any) -> None:
        did = "did:key:" + encode_multibase(b"\xed\x01" + raw)
        self.key_id = f"{did}#{did[8:]}"
        self._sign = sign

    def sign(self, data: bytes) -> bytes:
        return bytes(self._sign(data))


def _credential(signer: _RawSigner) -> dict[str, Any]:
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": signer.key_id.split("#")[0],
        "credentialSubject": {"name": "Ada"},
    }
    return ssi.issue(
        unsigned, signer, suite="eddsa-jcs-2022", created="2025-01-02T00:00:00Z"
    )


def _refused(credential: dict[str, Any]) -> None:
    report = ssi.verify(credential, now=NOW)
    assert not report.verified
    assert [(p.check, p.error.code) for p in report.problems] == [
        ("proof", "invalidPublicKey")
    ]


def _scalar() -> int:
    return int.from_bytes(os.urandom(64), "little") % L


def _mixed_order_key() -> tuple[int, bytes]:
    """A secret ``a`` and the key ``aB + T`` with ``T`` of order 8."""
    secret = _scalar()
    prime = nacl.bindings.crypto_scalarmult_ed25519_base_noclamp(
        secret.to_bytes(32, "little")
    )
    return secret, nacl.bindings.crypto_core_ed25519_add(prime, SMALL_ORDER[4])


def _ground_signature(secret: int, key: bytes, data: bytes) -> bytes:
    """An RFC 8032 signature under ``key`` that cofactorless verification
    accepts: ``R`` is drawn again until ``k = H(R, A, M)`` kills the order-8
    part of the key (one try in eight)."""
    while True:
        r = _scalar()
        big_r = nacl.bindings.crypto_scalarmult_ed25519_base_noclamp(
            r.to_bytes(32, "little")
        )
        k = int.from_bytes(hashlib.sha512(big_r + key + data).digest(), "little") % L
        if k % 8 == 0:
            return big_r + ((r + k * secret) % L).to_bytes(32, "little")


def test_a_mixed_order_key_has_signatures_libsodium_accepts() -> None:
    secret, key = _mixed_order_key()
    signature = _ground_signature(secret, key, b"message")
    nacl.bindings.crypto_sign_open(signature + b"message", key)  # does not raise
    with pytest.raises(InvalidPublicKeyError):
        Ed25519PublicKey(key)


def test_a_credential_of_a_mixed_order_did_key_is_refused() -> None:
    secret, key = _mixed_order_key()
    signed: list[tuple[bytes, bytes]] = []

    def sign(data: bytes) -> bytes:
        signature = _ground_signature(secret, key, data)
        signed.append((signature, data))
        return signature

    credential = _credential(_RawSigner(key, sign))
    # The proof is one that libsodium alone would accept.
    [(signature, data)] = signed
    nacl.bindings.crypto_sign_open(signature + data, key)
    _refused(credential)


@pytest.mark.parametrize("key", SMALL_ORDER, ids=lambda k: k.hex()[:8])
def test_a_credential_of_a_small_order_did_key_is_refused(key: bytes) -> None:
    # Any signature: with k * T = 0 for every k, even S = r, R = rB would do.
    _refused(_credential(_RawSigner(key, lambda data: bytes(64))))


@pytest.mark.parametrize("key", NON_CANONICAL, ids=lambda k: k.hex()[:4] + k.hex()[-2:])
def test_a_credential_of_a_non_canonical_did_key_is_refused(key: bytes) -> None:
    _refused(_credential(_RawSigner(key, lambda data: bytes(64))))
