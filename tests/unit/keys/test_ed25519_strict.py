"""Ed25519 verification refuses malleated and degenerate signatures.

Verification runs on libsodium, which is stricter than RFC 8032 requires; these
cases pin the refusals that matter whichever library does the work.
"""

from __future__ import annotations

import nacl.bindings
import pytest

from ssi.errors import InvalidPublicKeyError, InvalidSignatureError
from ssi.keys import Ed25519KeyPair, Ed25519PublicKey, X25519PublicKey

# The group order L (RFC 8032 section 5.1).
L = 2**252 + 27742317777372353535851937790883648493
MESSAGE = b"ballot for proposal 7"


@pytest.fixture
def pair() -> Ed25519KeyPair:
    return Ed25519KeyPair.from_seed(bytes(range(32)))


def test_a_valid_signature_verifies(pair: Ed25519KeyPair) -> None:
    pair.public_key.verify(MESSAGE, pair.sign(MESSAGE))


def test_s_plus_l_is_refused(pair: Ed25519KeyPair) -> None:
    # The same signature with S + L satisfies the group equation; accepting
    # it would make signatures malleable (RFC 8032 section 5.1.7 step 1).
    signature = pair.sign(MESSAGE)
    s = int.from_bytes(signature[32:], "little") + L
    malleated = signature[:32] + s.to_bytes(32, "little")
    with pytest.raises(InvalidSignatureError):
        pair.public_key.verify(MESSAGE, malleated)


@pytest.mark.parametrize(
    "r",
    [bytes(32), bytes([1]) + bytes(31), bytes(31) + b"\x80"],
    ids=["zero", "identity", "negative-zero"],
)
def test_small_order_r_with_zero_s_is_refused(pair: Ed25519KeyPair, r: bytes) -> None:
    with pytest.raises(InvalidSignatureError):
        pair.public_key.verify(MESSAGE, r + bytes(32))


@pytest.mark.parametrize("length", [0, 63, 65])
def test_wrong_length_is_refused(pair: Ed25519KeyPair, length: int) -> None:
    with pytest.raises(InvalidSignatureError):
        pair.public_key.verify(MESSAGE, bytes(length))


def test_flipped_message_bit_is_refused(pair: Ed25519KeyPair) -> None:
    signature = pair.sign(MESSAGE)
    with pytest.raises(InvalidSignatureError):
        pair.public_key.verify(b"B" + MESSAGE[1:], signature)


def test_x25519_map_equals_libsodium_and_the_checked_constructor() -> None:
    for seed in range(20):
        public = Ed25519KeyPair.from_seed(bytes([seed]) * 32).public_key
        mapped = public.to_x25519()
        expected = nacl.bindings.crypto_sign_ed25519_pk_to_curve25519(public.raw)
        assert mapped.raw == expected
        assert mapped == X25519PublicKey(expected)
        assert isinstance(public, Ed25519PublicKey)


def test_a_key_pair_does_not_check_its_own_public_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A derived key [s]B is in the prime-order subgroup by construction, so
    building a key pair skips the point check (as costly as half a
    verification); a key built from bytes is checked once and not mapped to
    X25519 until asked; the image is mapped once and equals the pair's."""
    checks: list[bytes] = []
    maps: list[bytes] = []
    real_check = nacl.bindings.crypto_core_ed25519_is_valid_point
    real_map = nacl.bindings.crypto_sign_ed25519_pk_to_curve25519

    def counting_check(raw: bytes) -> bool:
        checks.append(raw)
        return bool(real_check(raw))

    def counting_map(raw: bytes) -> bytes:
        maps.append(raw)
        return bytes(real_map(raw))

    monkeypatch.setattr(
        nacl.bindings, "crypto_core_ed25519_is_valid_point", counting_check
    )
    monkeypatch.setattr(
        nacl.bindings, "crypto_sign_ed25519_pk_to_curve25519", counting_map
    )
    pairs = [Ed25519KeyPair.from_seed(bytes([seed]) * 32) for seed in range(8)]
    pairs.append(Ed25519KeyPair.generate())
    assert checks == maps == []
    for pair in pairs:
        checked = Ed25519PublicKey(pair.public_key.raw)
        assert checks.pop() == pair.public_key.raw  # the constructor checks
        assert maps == []  # and does not map
        assert checked == pair.public_key
        assert hash(checked) == hash(pair.public_key)
        mapped = pair.public_key.to_x25519()
        assert maps.pop() == pair.public_key.raw
        assert mapped == checked.to_x25519() == pair.to_x25519().public_key
        assert maps.pop() == pair.public_key.raw  # the checked key, once
        assert pair.public_key.to_x25519() == mapped
        assert checked.to_x25519() == mapped
        assert maps == []
        assert checks == []
        signature = pair.sign(MESSAGE)
        checked.verify(MESSAGE, signature)
        pair.public_key.verify(MESSAGE, signature)


def test_the_public_key_constructor_still_refuses_a_mixed_order_point() -> None:
    # aB + T with T of order 8: on the curve, not in the prime-order subgroup.
    prime = Ed25519KeyPair.from_seed(bytes(32)).public_key.raw
    torsion = bytes.fromhex(
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"
    )
    mixed = nacl.bindings.crypto_core_ed25519_add(prime, torsion)
    with pytest.raises(InvalidPublicKeyError):
        Ed25519PublicKey(mixed)
