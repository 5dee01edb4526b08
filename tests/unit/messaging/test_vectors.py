"""The DIDComm Messaging v2.1 appendix vectors decrypt and verify."""

from __future__ import annotations

import dataclasses

import pytest

from ssi.messaging import (
    Message,
    NotForYouError,
    unpack,
)
from tests.unit.messaging.conftest import APPENDIX_NOW, agreers_of
from tests.vectors.load import json_file, text

# Erratum (tests/vectors/didcomm/README.md): the envelopes of appendix C.2 and
# C.3 carry the C.1 message with type "http://..." where C.1 shows "https://".
PLAINTEXT = dataclasses.replace(
    Message.from_json(json_file("didcomm", "plaintext.json")),
    type="http://example.com/protocols/lets_do_lunch/1.0/proposal",
)


@pytest.mark.parametrize(
    ("name", "kid"),
    [
        ("signed-eddsa.json", "did:example:alice#key-1"),
        ("signed-es256.json", "did:example:alice#key-2"),
        ("signed-es256k.json", "did:example:alice#key-3"),
    ],
)
def test_signed_vectors_verify(name, kid, resolver):
    result = unpack(text("didcomm", name), [], resolver=resolver, now=APPENDIX_NOW)
    assert result.message == PLAINTEXT
    assert result.signed
    assert result.signer_kid == kid
    assert not result.encrypted
    assert result.sender_proven


@pytest.mark.parametrize(
    "kid",
    [
        "did:example:bob#key-x25519-1",
        "did:example:bob#key-x25519-2",
        "did:example:bob#key-x25519-3",
    ],
)
def test_anoncrypt_x25519_xc20p_opens_for_each_recipient(kid, resolver):
    (agreer,) = [a for a in agreers_of("bob") if a.key_id == kid]
    result = unpack(
        text("didcomm", "anoncrypt-x25519-xc20p.json"),
        [agreer],
        resolver=resolver,
        now=APPENDIX_NOW,
    )
    assert result.message == PLAINTEXT
    assert (result.anoncrypt, result.authcrypt, result.signed) == (True, False, False)
    assert result.recipient_kid == kid
    assert not result.sender_proven


@pytest.mark.parametrize(
    "kid",
    [
        "did:example:bob#key-x25519-1",
        "did:example:bob#key-x25519-2",
        "did:example:bob#key-x25519-3",
    ],
)
def test_authcrypt_x25519_opens_and_proves_alice(kid, resolver):
    (agreer,) = [a for a in agreers_of("bob") if a.key_id == kid]
    result = unpack(
        text("didcomm", "authcrypt-x25519-a256cbc-hs512.json"),
        [agreer],
        resolver=resolver,
        now=APPENDIX_NOW,
    )
    assert result.message == PLAINTEXT
    assert result.authcrypt
    assert not result.anoncrypt
    assert result.sender_kid == "did:example:alice#key-x25519-1"
    assert result.recipient_kid == kid
    assert result.sender_proven


@pytest.mark.parametrize(
    "kid", ["did:example:bob#key-p256-1", "did:example:bob#key-p256-2"]
)
def test_authcrypt_p256_of_signed_opens_and_verifies(kid, resolver):
    (agreer,) = [a for a in agreers_of("bob") if a.key_id == kid]
    result = unpack(
        text("didcomm", "authcrypt-p256-a256cbc-hs512-signed.json"),
        [agreer],
        resolver=resolver,
        now=APPENDIX_NOW,
    )
    assert result.message == PLAINTEXT
    assert result.authcrypt
    assert result.signed
    assert result.sender_kid == "did:example:alice#key-p256-1"
    assert result.signer_kid == "did:example:alice#key-1"


@pytest.mark.parametrize(
    ("name", "kid"),
    [
        ("anoncrypt-p384-a256cbc-hs512.json", "did:example:bob#key-p384-1"),
        ("anoncrypt-p384-a256cbc-hs512.json", "did:example:bob#key-p384-2"),
        ("anoncrypt-p521-a256gcm.json", "did:example:bob#key-p521-1"),
        ("anoncrypt-p521-a256gcm.json", "did:example:bob#key-p521-2"),
    ],
)
def test_anoncrypt_p384_and_p521_open_for_each_recipient(name, kid, resolver):
    (agreer,) = [a for a in agreers_of("bob") if a.key_id == kid]
    result = unpack(
        text("didcomm", name), [agreer], resolver=resolver, now=APPENDIX_NOW
    )
    assert result.message == PLAINTEXT
    assert (result.anoncrypt, result.authcrypt, result.signed) == (True, False, False)
    assert result.recipient_kid == kid


def test_anoncrypt_p521_of_authcrypt_p521_of_signed_opens(resolver):
    """The last C.3 example: anoncrypt (P-521, XC20P) around authcrypt around
    a signed message. Erratum (tests/vectors/didcomm/README.md): its prose
    says X25519 for both layers; both are P-521."""
    agreers = [a for a in agreers_of("bob") if a.key_id == "did:example:bob#key-p521-1"]
    result = unpack(
        text("didcomm", "anoncrypt-p521-xc20p-authcrypt-x25519-signed.json"),
        agreers,
        resolver=resolver,
        now=APPENDIX_NOW,
    )
    assert result.message == PLAINTEXT
    assert (result.anoncrypt, result.authcrypt, result.signed) == (True, True, True)
    assert result.sender_kid == "did:example:alice#key-p521-1"
    assert result.signer_kid == "did:example:alice#key-1"
    assert result.recipient_kid == "did:example:bob#key-p521-1"
    assert result.sender_proven


@pytest.mark.parametrize(
    ("name", "curve"),
    [
        ("anoncrypt-p384-a256cbc-hs512.json", "P-521"),
        ("anoncrypt-p521-a256gcm.json", "P-384"),
    ],
)
def test_a_key_of_another_curve_does_not_open(name, curve, resolver):
    agreers = [a for a in agreers_of("bob") if a.public_key.key_type.value == curve]
    assert agreers
    with pytest.raises(NotForYouError):
        unpack(text("didcomm", name), agreers, resolver=resolver, now=APPENDIX_NOW)


def test_each_did_is_resolved_once_per_unpack(resolver):
    unpack(
        text("didcomm", "authcrypt-p256-a256cbc-hs512-signed.json"),
        agreers_of("bob"),
        resolver=resolver,
        now=APPENDIX_NOW,
    )
    assert resolver.calls == 1
