"""CID 1.0 Multikey/JsonWebKey examples and the did:key test vectors."""

from __future__ import annotations

from typing import Any

import pytest

from ssi.encoding import decode_base58btc, decode_base64url, encode_base58btc
from ssi.errors import InvalidPublicKeyError
from ssi.keys import (
    ECKeyPair,
    ECPublicKey,
    Ed25519KeyPair,
    Ed25519PublicKey,
    KeyPair,
    P256KeyPair,
    P256PublicKey,
    P384KeyPair,
    P384PublicKey,
    P521KeyPair,
    P521PublicKey,
    PublicKey,
    Secp256k1KeyPair,
    Secp256k1PublicKey,
    X25519PublicKey,
    decode_jwk,
    decode_multikey,
    decode_public_jwk,
    decode_public_multikey,
    import_key,
)
from tests.vectors import load

CID = load.json_file("multikey", "cid-1.0-examples.json")
ED25519_X25519 = load.json_file("multikey", "did-key-ed25519-x25519.json")
SECP256K1 = load.json_file("multikey", "did-key-secp256k1.json")
NIST = load.json_file("multikey", "did-key-nist-curves.json")
X25519 = load.json_file("multikey", "did-key-x25519.json")

_KEY_MEMBERS = ("kty", "crv", "x", "y")


def _cid_methods(kind: str) -> list[Any]:
    params = []
    for title, methods in CID.items():
        for method in methods:
            if kind in method:
                params.append(pytest.param(method, id=f"{title} {method['id']}"))
    return params


def _multibase(did: str) -> str:
    return did.removeprefix("did:key:")


NIST_CLASSES: dict[str, tuple[type[ECPublicKey], type[ECKeyPair], str]] = {
    # crv: public class, pair class, did:key prefix (did:key spec, section
    # "did:key Method": zDn for P-256, z82 for P-384, z2J9 for P-521).
    "P-256": (P256PublicKey, P256KeyPair, "zDn"),
    "P-384": (P384PublicKey, P384KeyPair, "z82"),
    "P-521": (P521PublicKey, P521KeyPair, "z2J9"),
}


def _nist() -> list[Any]:
    return [
        pytest.param(did, entry["publicKey"], id=did[:20])
        for did, entry in NIST.items()
    ]


# --- CID 1.0 examples ---------------------------------------------------------


@pytest.mark.parametrize("method", _cid_methods("publicKeyMultibase"))
def test_cid_public_key_multibase_round_trips(method: dict[str, Any]) -> None:
    text = method["publicKeyMultibase"]
    key = decode_public_multikey(text)
    assert key.export_multikey() == text
    assert import_key(text) == key


def test_cid_ed25519_multikey_header() -> None:
    text = CID["Multikey encoding of a Ed25519 public key"][0]["publicKeyMultibase"]
    key = decode_public_multikey(text)
    assert isinstance(key, Ed25519PublicKey)
    assert text.startswith("z6Mk")
    payload = decode_base58btc(text[1:])
    assert payload[:2] == bytes.fromhex("ed01")
    assert len(payload) == 34


def test_cid_p256_multikey_header() -> None:
    methods = CID["Key agreement property containing two verification methods"]
    text = methods[0]["publicKeyMultibase"]
    key = decode_public_multikey(text)
    assert isinstance(key, P256PublicKey)
    payload = decode_base58btc(text[1:])
    assert payload[:2] == bytes.fromhex("8024")
    assert len(payload) == 35


@pytest.mark.parametrize("method", _cid_methods("publicKeyJwk"))
def test_cid_public_key_jwk(method: dict[str, Any]) -> None:
    jwk = method["publicKeyJwk"]
    key = decode_public_jwk(jwk)
    assert key.export_jwk() == {k: jwk[k] for k in _KEY_MEMBERS if k in jwk}
    assert decode_public_multikey(key.export_multikey()) == key


def test_cid_jwk_kid_is_its_thumbprint() -> None:
    title = "Authentication property containing three verification methods"
    jwk = CID[title][0]["publicKeyJwk"]
    assert decode_public_jwk(jwk).jwk_thumbprint() == jwk["kid"]


def test_cid_p384_public_and_secret_jwk() -> None:
    public_jwk = CID["JSON Web Key encoding of a secp384r1 (P-384) public key"][0][
        "publicKeyJwk"
    ]
    secret_jwk = CID["JSON Web Key encoding of a secp384r1 (P-384) secret key"][0][
        "secretKeyJwk"
    ]
    public = decode_public_jwk(public_jwk)
    assert isinstance(public, P384PublicKey)
    assert public.export_multikey().startswith("z82")
    pair = decode_jwk(secret_jwk)
    assert isinstance(pair, P384KeyPair)
    assert pair.export_jwk(private=True) == {
        k: secret_jwk[k] for k in (*_KEY_MEMBERS, "d")
    }
    signature = pair.sign(b"m")
    assert len(signature) == 96
    pair.public_key.verify(b"m", signature)


def test_cid_p256_multikey_matches_did_key_jwk() -> None:
    """The CID P-256 Multikey is the first did:key P-256 vector; both agree."""
    methods = CID["Key agreement property containing two verification methods"]
    text = methods[0]["publicKeyMultibase"]
    entry = NIST[f"did:key:{text}"]["publicKey"]
    assert decode_public_multikey(text) == decode_public_jwk(entry["publicKeyJwk"])


# --- did:key Ed25519 and X25519 ----------------------------------------------


@pytest.mark.parametrize("did", list(ED25519_X25519))
def test_did_key_ed25519_from_seed(did: str) -> None:
    entry = ED25519_X25519[did]
    pair = Ed25519KeyPair.from_seed(bytes.fromhex(entry["seed"]))
    assert pair.export_multikey() == _multibase(did)
    assert (
        encode_base58btc(pair.public_key.raw)
        == (entry["verificationKeyPair"]["publicKeyBase58"])
    )
    assert entry["verificationKeyPair"]["id"] == "#" + _multibase(did)


@pytest.mark.parametrize("did", list(ED25519_X25519))
def test_did_key_ed25519_multikey_round_trips(did: str) -> None:
    key = decode_public_multikey(_multibase(did))
    assert isinstance(key, Ed25519PublicKey)
    assert key.export_multikey() == _multibase(did)
    raw = decode_base58btc(
        ED25519_X25519[did]["verificationKeyPair"]["publicKeyBase58"]
    )
    assert key == Ed25519PublicKey(raw)


@pytest.mark.parametrize("did", list(ED25519_X25519))
def test_did_key_ed25519_to_x25519_public(did: str) -> None:
    agreement = ED25519_X25519[did]["keyAgreementKeyPair"]
    public = decode_public_multikey(_multibase(did))
    assert isinstance(public, Ed25519PublicKey)
    derived = public.to_x25519()
    assert encode_base58btc(derived.raw) == agreement["publicKeyBase58"]
    assert "#" + derived.export_multikey() == agreement["id"]
    assert decode_public_multikey(agreement["id"][1:]) == derived


@pytest.mark.parametrize("did", list(ED25519_X25519))
def test_did_key_ed25519_to_x25519_private(did: str) -> None:
    entry = ED25519_X25519[did]
    pair = Ed25519KeyPair.from_seed(bytes.fromhex(entry["seed"]))
    derived = pair.to_x25519()
    agreement = entry["keyAgreementKeyPair"]
    assert encode_base58btc(derived._secret_bytes()) == agreement["privateKeyBase58"]
    assert encode_base58btc(derived.public_key.raw) == agreement["publicKeyBase58"]
    assert derived.public_key == pair.public_key.to_x25519()


@pytest.mark.parametrize("did", list(X25519))
def test_did_key_x25519_multikey(did: str) -> None:
    (method,) = X25519[did]["verificationMethod"]
    key = decode_public_multikey(_multibase(did))
    assert isinstance(key, X25519PublicKey)
    assert key.export_multikey() == _multibase(did)
    assert encode_base58btc(key.raw) == method["publicKeyBase58"]
    assert method["id"] == f"{did}#{_multibase(did)}"


# --- did:key secp256k1 ------------------------------------------------------------


@pytest.mark.parametrize("did", list(SECP256K1))
def test_did_key_secp256k1_multikey_round_trips(did: str) -> None:
    key = decode_public_multikey(_multibase(did))
    assert isinstance(key, Secp256k1PublicKey)
    assert key.export_multikey() == _multibase(did)
    raw = decode_base58btc(SECP256K1[did]["verificationKeyPair"]["publicKeyBase58"])
    assert key.raw == raw
    assert len(raw) == 33


@pytest.mark.parametrize("did", list(SECP256K1))
def test_did_key_secp256k1_private_key(did: str) -> None:
    pair_vector = SECP256K1[did]["verificationKeyPair"]
    secret = decode_base58btc(pair_vector["privateKeyBase58"])
    assert secret.hex() == SECP256K1[did]["seed"]
    pair = Secp256k1KeyPair.from_private_bytes(secret)
    assert pair.export_multikey() == _multibase(did)
    again = decode_multikey(pair.export_multikey(private=True))
    assert again == pair
    pair.verify(b"did:key", pair.sign(b"did:key"))


# --- did:key P-256, P-384 and P-521 ----------------------------------------------


@pytest.mark.parametrize(("did", "vector"), _nist())
def test_did_key_nist_jwk_matches_multikey(did: str, vector: dict[str, Any]) -> None:
    public_class, _, prefix = NIST_CLASSES[vector["publicKeyJwk"]["crv"]]
    from_multikey = decode_public_multikey(_multibase(did))
    from_jwk = decode_public_jwk(vector["publicKeyJwk"])
    assert type(from_multikey) is public_class
    assert _multibase(did).startswith(prefix)
    assert from_multikey == from_jwk
    assert from_jwk.export_multikey() == _multibase(did)
    assert from_multikey.export_jwk() == vector["publicKeyJwk"]


@pytest.mark.parametrize(("did", "vector"), _nist())
def test_did_key_nist_private_jwk(did: str, vector: dict[str, Any]) -> None:
    _, pair_class, _ = NIST_CLASSES[vector["publicKeyJwk"]["crv"]]
    pair = decode_jwk(vector["privateKeyJwk"])
    assert type(pair) is pair_class
    assert pair.export_jwk(private=True) == vector["privateKeyJwk"]
    assert pair.export_multikey() == _multibase(did)
    scalar = decode_base64url(vector["privateKeyJwk"]["d"])
    assert pair_class.from_private_bytes(scalar) == pair
    assert decode_multikey(pair.export_multikey(private=True)) == pair


@pytest.mark.parametrize(("did", "vector"), _nist())
def test_did_key_nist_private_jwk_is_not_a_public_jwk(
    did: str, vector: dict[str, Any]
) -> None:
    with pytest.raises(InvalidPublicKeyError):
        decode_public_jwk(vector["privateKeyJwk"])


def test_every_vector_key_is_a_public_key_or_pair() -> None:
    """A smoke check that the files hold what the tests above assume."""
    keys: list[PublicKey | KeyPair] = [
        decode_multikey(_multibase(did))
        for did in [*ED25519_X25519, *SECP256K1, *X25519]
    ]
    assert len(keys) == 13
    assert all(isinstance(k, PublicKey) for k in keys)
    assert sum(isinstance(k, ECPublicKey) for k in keys) == 5
