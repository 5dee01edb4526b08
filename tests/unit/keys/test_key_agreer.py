"""The key-agreement seam: LocalKeyAgreer over X25519 and P-256."""

from __future__ import annotations

import pytest

from ssi.errors import InvalidPublicKeyError, UnsupportedAlgorithmError
from ssi.keys import (
    Ed25519KeyPair,
    KeyAgreer,
    LocalKeyAgreer,
    P256KeyPair,
    Secp256k1KeyPair,
    X25519KeyPair,
)


def test_x25519_agreers_reach_the_same_secret() -> None:
    alice, bob = X25519KeyPair.generate(), X25519KeyPair.generate()
    a = LocalKeyAgreer(alice, "did:example:alice#x")
    b = LocalKeyAgreer(bob, "did:example:bob#x")
    assert isinstance(a, KeyAgreer)
    assert a.exchange(b.public_key) == b.exchange(a.public_key)
    assert len(a.exchange(b.public_key)) == 32
    assert a.key_id == "did:example:alice#x"
    assert a.exchange(b.public_key) != a.exchange(X25519KeyPair.generate().public_key)


def test_p256_agreers_reach_the_same_secret() -> None:
    alice, bob = P256KeyPair.generate(), P256KeyPair.generate()
    a = LocalKeyAgreer(alice, "did:example:alice#p")  # type: ignore[arg-type]
    b = LocalKeyAgreer(bob, "did:example:bob#p")  # type: ignore[arg-type]
    assert a.exchange(b.public_key) == b.exchange(a.public_key)
    assert len(a.exchange(b.public_key)) == 32


def test_mixed_key_types_are_refused() -> None:
    x = LocalKeyAgreer(X25519KeyPair.generate(), "k")
    p = LocalKeyAgreer(P256KeyPair.generate(), "k")  # type: ignore[arg-type]
    with pytest.raises(InvalidPublicKeyError):
        x.exchange(p.public_key)
    with pytest.raises(InvalidPublicKeyError):
        p.exchange(x.public_key)
    with pytest.raises(InvalidPublicKeyError):
        p.exchange(Secp256k1KeyPair.generate().public_key)


def test_signing_keys_cannot_agree() -> None:
    with pytest.raises(UnsupportedAlgorithmError):
        LocalKeyAgreer(Ed25519KeyPair.generate(), "k")  # type: ignore[arg-type]


def test_repr_shows_no_secret() -> None:
    key = X25519KeyPair.generate()
    text = repr(LocalKeyAgreer(key, "did:example:a#x"))
    assert key.export_multikey(private=True) not in text
    assert "did:example:a#x" in text
