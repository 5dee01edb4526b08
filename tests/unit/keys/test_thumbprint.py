"""RFC 7638 JWK thumbprints: published values, and jwcrypto as an oracle for EC.

RFC 7638's own example (section 3.1) is an RSA key, which the library does
not support; it serves to check the oracle and the refusal. OKP thumbprints are
checked against RFC 8037 A.3 in ``test_rfc_vectors.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from jwcrypto import jwk as jwcrypto_jwk

from ssi.errors import UnsupportedPublicKeyTypeError
from ssi.keys import (
    ECPublicKey,
    KeyType,
    decode_public_jwk,
    decode_public_multikey,
    generate_key,
    import_key,
)
from tests.unit.keys.conftest import FIXED
from tests.vectors import load

RSA = load.json_file("rfc7638", "3.1-rsa-example.json")


def _jwcrypto_thumbprint(members: dict[str, Any]) -> str:
    thumbprint: str = jwcrypto_jwk.JWK(**members).thumbprint()
    return thumbprint


def _published_ec_jwks() -> list[Any]:
    params = []
    nist = load.json_file("multikey", "did-key-nist-curves.json")
    for did, entry in nist.items():
        jwk = entry["publicKey"]["publicKeyJwk"]
        if jwk["crv"] == "P-256":
            params.append(pytest.param(jwk, id=f"did:key {did[8:20]}"))
    cid = load.json_file("multikey", "cid-1.0-examples.json")
    for title, methods in cid.items():
        for method in methods:
            jwk = method.get("publicKeyJwk")
            if jwk is not None and jwk["kty"] == "EC" and jwk["crv"] == "P-256":
                params.append(pytest.param(jwk, id=f"cid {title[:30]}"))
    secp256k1 = load.json_file("multikey", "did-key-secp256k1.json")
    for did in secp256k1:
        key = decode_public_multikey(did.removeprefix("did:key:"))
        params.append(pytest.param(key.export_jwk(), id=f"did:key {did[8:20]}"))
    return params


def test_rfc7638_example_checks_the_oracle() -> None:
    assert _jwcrypto_thumbprint(RSA["jwk"]) == RSA["thumbprint"]


def test_rfc7638_example_rsa_key_is_unsupported() -> None:
    with pytest.raises(UnsupportedPublicKeyTypeError):
        import_key(RSA["jwk"])


@pytest.mark.parametrize("jwk", _published_ec_jwks())
def test_published_ec_key_thumbprint_matches_jwcrypto(jwk: dict[str, Any]) -> None:
    key = decode_public_jwk(jwk)
    assert isinstance(key, ECPublicKey)
    assert key.jwk_thumbprint() == _jwcrypto_thumbprint(jwk)


@pytest.mark.parametrize("key_type", [KeyType.P256, KeyType.SECP256K1], ids=str)
def test_fixed_ec_key_thumbprint_matches_jwcrypto(key_type: KeyType) -> None:
    public = FIXED[key_type].public_key
    assert public.jwk_thumbprint() == _jwcrypto_thumbprint(public.export_jwk())


@pytest.mark.parametrize("key_type", [KeyType.P256, KeyType.SECP256K1], ids=str)
def test_generated_ec_key_thumbprint_matches_jwcrypto(key_type: KeyType) -> None:
    for _ in range(10):
        public = generate_key(key_type).public_key
        assert public.jwk_thumbprint() == _jwcrypto_thumbprint(public.export_jwk())


@pytest.mark.parametrize("key_type", [KeyType.ED25519, KeyType.X25519], ids=str)
def test_okp_key_thumbprint_matches_jwcrypto(key_type: KeyType) -> None:
    public = FIXED[key_type].public_key
    assert public.jwk_thumbprint() == _jwcrypto_thumbprint(public.export_jwk())


def test_thumbprint_ignores_optional_members() -> None:
    cid = load.json_file("multikey", "cid-1.0-examples.json")
    title = "Verification methods using publicKeyJwk and publicKeyMultibase"
    jwk = cid[title][1]["publicKeyJwk"]
    assert {"kid", "alg"} <= set(jwk)
    bare = {k: jwk[k] for k in ("kty", "crv", "x", "y")}
    assert decode_public_jwk(jwk).jwk_thumbprint() == _jwcrypto_thumbprint(bare)


def test_thumbprint_is_the_same_for_the_key_pair_and_its_public_key() -> None:
    pair = FIXED[KeyType.P256]
    public = decode_public_jwk(pair.export_jwk())
    assert public.jwk_thumbprint() == pair.public_key.jwk_thumbprint()
