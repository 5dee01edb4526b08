"""DIDComm encryption on P-384 and P-521, the curves DIDComm Messaging v2.1
lists beside X25519 and P-256: round trips in every mode, the spec's sizes,
and invalid-curve points refused before any key agreement."""

from __future__ import annotations

import json

import pytest

from ssi import did_jwk, resolve
from ssi.did.document import DIDDocument
from ssi.encoding import decode_base64url, encode_base64url
from ssi.errors import InvalidPublicKeyError
from ssi.keys import (
    ECKeyPair,
    KeyType,
    P256KeyPair,
    P384KeyPair,
    P521KeyPair,
    PublicKey,
)
from ssi.keys.signer import LocalKeyAgreer
from ssi.messaging import (
    Message,
    MessagingError,
    UnsupportedMessagingAlgorithmError,
    pack_anoncrypt,
    pack_authcrypt,
    unpack,
)
from ssi.messaging._jwe import derive_kek, kdf_other_info
from tests.unit.messaging.conftest import StaticResolver

CURVES = {"P-384": (P384KeyPair, 48), "P-521": (P521KeyPair, 66)}


class JwkParty:
    """A did:jwk identity on one curve: its key is its keyAgreement key."""

    def __init__(self, pair_class: type[ECKeyPair]) -> None:
        self.key = pair_class.generate()
        self.did = did_jwk(self.key)
        document = resolve(self.did).did_document
        assert document is not None
        (method,) = document.verification_methods_for("keyAgreement")
        self.agreer = LocalKeyAgreer(self.key, method.id)


class CountingAgreer:
    """A key agreer that counts its exchanges."""

    def __init__(self, inner: LocalKeyAgreer) -> None:
        self.inner = inner
        self.exchanges = 0

    @property
    def key_id(self) -> str:
        return self.inner.key_id

    @property
    def public_key(self) -> PublicKey:
        return self.inner.public_key

    def exchange(self, peer: PublicKey) -> bytes:
        self.exchanges += 1
        return self.inner.exchange(peer)


def _message(sender: str, recipient: str) -> Message:
    return Message.new(
        "https://example.org/t/1.0/m", {"n": 1}, from_=sender, to=(recipient,)
    )


def _header(packed: str) -> dict:
    return json.loads(decode_base64url(json.loads(packed)["protected"]))


def _with_epk(packed: str, epk: dict) -> str:
    jwe = json.loads(packed)
    header = json.loads(decode_base64url(jwe["protected"]))
    header["epk"] = epk
    jwe["protected"] = encode_base64url(json.dumps(header).encode())
    return json.dumps(jwe)


@pytest.fixture(params=sorted(CURVES))
def curve(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize("enc", ["A256CBC-HS512", "A256GCM", "XC20P"])
def test_anoncrypt_round_trips(curve: str, enc: str) -> None:
    pair_class, size = CURVES[curve]
    alice, bob = JwkParty(pair_class), JwkParty(pair_class)
    message = _message(alice.did, bob.did)
    packed = pack_anoncrypt(message, [bob.did], enc=enc)
    epk = _header(packed)["epk"]
    assert (epk["kty"], epk["crv"]) == ("EC", curve)
    assert len(decode_base64url(epk["x"])) == len(decode_base64url(epk["y"])) == size
    result = unpack(packed, [bob.agreer])
    assert result.message == message
    assert result.recipient_kid == bob.agreer.key_id
    assert (result.anoncrypt, result.authcrypt) == (True, False)


def test_authcrypt_round_trips_and_protects_the_sender(curve: str) -> None:
    pair_class, _ = CURVES[curve]
    alice, bob = JwkParty(pair_class), JwkParty(pair_class)
    message = _message(alice.did, bob.did)
    for protect in (False, True):
        packed = pack_authcrypt(
            message, alice.agreer, [bob.did], protect_sender=protect
        )
        assert _header(packed)["epk"]["crv"] == curve
        assert ("skid" in _header(packed)) is not protect
        result = unpack(packed, [bob.agreer])
        assert result.message == message
        assert result.authcrypt
        assert result.sender_kid == alice.agreer.key_id
        assert result.sender_proven


def test_ecdh_secret_has_the_curve_length_and_the_kek_256_bits(curve: str) -> None:
    """Z is the x-coordinate (48 or 66 bytes); the Concat KDF turns it, and
    Ze || Zs for ECDH-1PU, into a 256-bit A256KW key (RFC 7518 4.6.2)."""
    pair_class, size = CURVES[curve]
    a, b = pair_class.generate(), pair_class.generate()
    z = a.exchange(b.public_key)
    assert len(z) == size
    assert z == b.exchange(a.public_key)
    for shared, tag in ((z, None), (z + z, b"\x00" * 32)):
        kek = derive_kek(shared, kdf_other_info("ECDH-ES+A256KW", b"", b"", tag))
        assert len(kek) == 32


def test_a_sender_of_another_curve_is_refused_at_packing() -> None:
    alice, bob = JwkParty(P384KeyPair), JwkParty(P256KeyPair)
    with pytest.raises(UnsupportedMessagingAlgorithmError):
        pack_authcrypt(_message(alice.did, bob.did), alice.agreer, [bob.did])


def test_a_key_agreer_refuses_a_peer_of_another_curve() -> None:
    p384, p521 = JwkParty(P384KeyPair), JwkParty(P521KeyPair)
    with pytest.raises(InvalidPublicKeyError) as caught:
        p384.agreer.exchange(p521.key.public_key)
    assert caught.value.code == "invalidPublicKey"


def test_anoncrypt_prefers_p384_over_p256_as_the_spec_orders_them() -> None:
    p256, p384 = P256KeyPair.generate(), P384KeyPair.generate()
    did = "did:example:both"
    methods = [
        {
            "id": f"{did}#{name}",
            "type": "JsonWebKey2020",
            "controller": did,
            "publicKeyJwk": key.export_jwk(),
        }
        for name, key in (("p256", p256), ("p384", p384))
    ]
    document = DIDDocument.from_json(
        {
            "id": did,
            "verificationMethod": methods,
            "keyAgreement": [m["id"] for m in methods],
        }
    )
    resolver = StaticResolver(document)
    packed = pack_anoncrypt(_message("did:example:a", did), [did], resolver=resolver)
    assert _header(packed)["epk"]["crv"] == "P-384"
    kids = [r["header"]["kid"] for r in json.loads(packed)["recipients"]]
    assert kids == [f"{did}#p384"]
    result = unpack(packed, [LocalKeyAgreer(p384, f"{did}#p384")], resolver=resolver)
    assert result.recipient_kid == f"{did}#p384"


def _off_curve(epk: dict) -> dict:
    y = bytearray(decode_base64url(epk["y"]))
    y[-1] ^= 0x01
    return {**epk, "y": encode_base64url(bytes(y))}


def _x_is_the_field_prime(epk: dict) -> dict:
    size = len(decode_base64url(epk["x"]))
    prime = 2**521 - 1 if size == 66 else 2**384 - 2**128 - 2**96 + 2**32 - 1
    return {**epk, "x": encode_base64url(prime.to_bytes(size, "big"))}


def _p256_coordinates(epk: dict) -> dict:
    other = P256KeyPair.generate().public_key.export_jwk()
    return {**epk, "x": other["x"], "y": other["y"]}


def _zero_point(epk: dict) -> dict:
    size = len(decode_base64url(epk["x"]))
    zero = encode_base64url(bytes(size))
    return {**epk, "x": zero, "y": zero}


@pytest.mark.parametrize(
    "attack", [_off_curve, _x_is_the_field_prime, _p256_coordinates, _zero_point]
)
@pytest.mark.parametrize("mode", ["anoncrypt", "authcrypt"])
def test_invalid_curve_epk_is_refused_before_key_agreement(
    curve: str, mode: str, attack
) -> None:
    """An invalid-curve attack sends an ``epk`` off the curve to learn the
    recipient's key from the answers; the point is refused before any ECDH."""
    pair_class, _ = CURVES[curve]
    alice, bob = JwkParty(pair_class), JwkParty(pair_class)
    message = _message(alice.did, bob.did)
    packed = (
        pack_anoncrypt(message, [bob.did])
        if mode == "anoncrypt"
        else pack_authcrypt(message, alice.agreer, [bob.did])
    )
    tampered = _with_epk(packed, attack(_header(packed)["epk"]))
    counting = CountingAgreer(bob.agreer)
    with pytest.raises(MessagingError) as caught:
        unpack(tampered, [counting])
    assert caught.value.code == "malformedMessage"
    assert counting.exchanges == 0


def test_every_curve_the_spec_names_is_an_agreement_type() -> None:
    from ssi.messaging.pack import AGREEMENT_KEY_TYPES

    assert AGREEMENT_KEY_TYPES == (
        KeyType.X25519,
        KeyType.P384,
        KeyType.P256,
        KeyType.P521,
    )
