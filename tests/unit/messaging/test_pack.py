"""Packing and unpacking our own messages, every mode, did:key and appendix DIDs."""

from __future__ import annotations

import json

import pytest

from ssi.encoding import decode_base64url
from ssi.messaging import (
    ENCRYPTED,
    Message,
    NotForYouError,
    pack_anoncrypt,
    pack_authcrypt,
    pack_plaintext,
    pack_signed,
    unpack,
)
from ssi.messaging._jwe import apv_for
from tests.unit.messaging.conftest import APPENDIX_NOW, agreers_of, signer_of
from tests.vectors.load import json_file


def _message(sender: str, *to: str) -> Message:
    return Message.new(
        "https://example.org/chat/1.0/text",
        {"text": "hello, world"},
        from_=sender,
        to=to,
    )


def _protected(packed: str) -> dict:
    return json.loads(decode_base64url(json.loads(packed)["protected"]))


def test_plaintext_round_trip(alice, bob):
    message = _message(alice.did, bob.did)
    result = unpack(pack_plaintext(message), [])
    assert result.message == message
    assert not (result.encrypted)
    assert not (result.signed)
    assert not (result.sender_proven)


def test_signed_round_trip(alice, bob):
    message = _message(alice.did, bob.did)
    result = unpack(pack_signed(message, alice.signer), [])
    assert result.message == message
    assert result.signer_kid == alice.signer.key_id
    assert result.sender_proven


@pytest.mark.parametrize("enc", ["A256CBC-HS512", "A256GCM", "XC20P"])
def test_anoncrypt_round_trip(enc, alice, bob):
    message = _message(alice.did, bob.did)
    packed = pack_anoncrypt(message, [bob.did], enc=enc)
    header = _protected(packed)
    assert header["alg"] == "ECDH-ES+A256KW"
    assert header["enc"] == enc
    assert header["typ"] == ENCRYPTED
    assert "apu" not in header
    assert "skid" not in header
    result = unpack(packed, [bob.agreer])
    assert result.message == message
    assert result.anoncrypt
    assert not result.sender_proven
    assert result.recipient_kid == bob.agreer.key_id


def test_authcrypt_headers_as_the_spec_computes_them(resolver):
    (alice,) = [a for a in agreers_of("alice") if a.key_id.endswith("x25519-1")]
    message = Message.from_json(json_file("didcomm", "plaintext.json"))
    packed = pack_authcrypt(message, alice, ["did:example:bob"], resolver=resolver)
    header = _protected(packed)
    kids = [r["header"]["kid"] for r in json.loads(packed)["recipients"]]
    assert kids == [f"did:example:bob#key-x25519-{i}" for i in (1, 2, 3)]
    assert header["alg"] == "ECDH-1PU+A256KW"
    assert header["enc"] == "A256CBC-HS512"
    assert header["skid"] == alice.key_id
    assert decode_base64url(header["apu"]) == alice.key_id.encode()
    assert header["apv"] == apv_for(kids)
    assert header["epk"]["crv"] == "X25519"
    for agreer in agreers_of("bob"):
        if agreer.key_id not in kids:
            continue
        result = unpack(packed, [agreer], resolver=resolver, now=APPENDIX_NOW)
        assert result.message == message
        assert result.authcrypt
        assert result.sender_proven
        assert result.sender_kid == alice.key_id
        assert result.recipient_kid == agreer.key_id


def test_one_envelope_is_for_one_did(alice, bob, carol):
    with pytest.raises(ValueError, match="one DID"):
        pack_authcrypt(
            _message(alice.did, bob.did, carol.did), alice.agreer, [bob.did, carol.did]
        )


def test_authcrypt_signed_and_sender_protected(alice, bob):
    message = _message(alice.did, bob.did)
    packed = pack_authcrypt(
        message, alice.agreer, [bob.did], protect_sender=True, sign_with=alice.signer
    )
    header = _protected(packed)
    assert header["alg"] == "ECDH-ES+A256KW"
    assert "skid" not in header
    result = unpack(packed, [bob.agreer])
    assert (result.anoncrypt, result.authcrypt, result.signed) == (True, True, True)
    assert result.message == message
    assert result.signer_kid == alice.signer.key_id


def test_anoncrypt_of_signed(alice, bob):
    message = _message(alice.did, bob.did)
    packed = pack_anoncrypt(pack_signed(message, alice.signer), [bob.did])
    result = unpack(packed, [bob.agreer])
    assert result.anoncrypt
    assert result.signed
    assert result.sender_proven


def test_appendix_p256_authcrypt_to_all_of_bobs_p256_keys(resolver):
    alice = next(a for a in agreers_of("alice") if a.key_id.endswith("p256-1"))
    message = Message.from_json(json_file("didcomm", "plaintext.json"))
    packed = pack_authcrypt(message, alice, ["did:example:bob"], resolver=resolver)
    kids = [r["header"]["kid"] for r in json.loads(packed)["recipients"]]
    assert kids == ["did:example:bob#key-p256-1", "did:example:bob#key-p256-2"]
    for agreer in agreers_of("bob"):
        if agreer.key_id in kids:
            result = unpack(packed, [agreer], resolver=resolver, now=APPENDIX_NOW)
            assert result.sender_kid == alice.key_id


def test_appendix_anoncrypt_to_a_did_uses_all_its_x25519_keys(resolver):
    message = Message.from_json(json_file("didcomm", "plaintext.json"))
    packed = pack_anoncrypt(
        pack_signed(message, signer_of("did:example:alice#key-2")),
        ["did:example:bob"],
        resolver=resolver,
    )
    kids = [r["header"]["kid"] for r in json.loads(packed)["recipients"]]
    assert kids == [f"did:example:bob#key-x25519-{i}" for i in (1, 2, 3)]
    assert _protected(packed)["epk"]["crv"] == "X25519"


def test_someone_elses_key_does_not_open(alice, bob, carol):
    packed = pack_authcrypt(_message(alice.did, bob.did), alice.agreer, [bob.did])
    with pytest.raises(NotForYouError):
        unpack(packed, [carol.agreer])


@pytest.mark.parametrize("kid", ["did:example:alice#key-2", "did:example:alice#key-3"])
def test_signed_with_ecdsa_keys(kid, resolver):
    message = Message.from_json(json_file("didcomm", "plaintext.json"))
    packed = pack_signed(message, signer_of(kid))
    protected = json.loads(packed)["signatures"][0]["protected"]
    assert json.loads(decode_base64url(protected))["alg"] in ("ES256", "ES256K")
    result = unpack(packed, [], resolver=resolver, now=APPENDIX_NOW)
    assert result.signer_kid == kid
    assert result.message == message
