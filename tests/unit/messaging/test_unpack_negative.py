"""The negative table of issue 15: each failure of unpacking has its own code,
and nothing is decrypted with a wrong key or a sender accepted unproven."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ssi.encoding import decode_base64url, encode_base64url
from ssi.errors import KeyMaterialError
from ssi.keys.ec import Secp256k1KeyPair
from ssi.keys.signer import LocalKeyAgreer
from ssi.keys.x25519 import X25519KeyPair, X25519PublicKey
from ssi.messaging import (
    Attachment,
    FromPrior,
    Message,
    MessagingError,
    pack_anoncrypt,
    pack_authcrypt,
    pack_plaintext,
    pack_signed,
    unpack,
)
from ssi.messaging.keys import memoized
from ssi.messaging.pack import _encrypt, _recipients


def _message(sender, *to, **kwargs) -> Message:
    return Message.new(
        "https://example.org/t/1.0/m", {"n": 1}, from_=sender, to=to, **kwargs
    )


def _flip(text: str) -> str:
    """Change one byte of a base64url value, keeping it canonical."""
    raw = bytearray(decode_base64url(text))
    raw[len(raw) // 2] ^= 0x01
    return encode_base64url(bytes(raw))


def _edit(packed: str, change) -> str:
    jwe = json.loads(packed)
    change(jwe)
    return json.dumps(jwe)


def _edit_header(packed: str, change) -> str:
    def apply(jwe):
        header = json.loads(decode_base64url(jwe["protected"]))
        change(header)
        jwe["protected"] = encode_base64url(json.dumps(header).encode())

    return _edit(packed, apply)


def _assert_code(code, call):
    with pytest.raises(MessagingError) as caught:
        call()
    assert caught.value.code == code, caught.value


@pytest.fixture
def authcrypt(alice, bob):
    return pack_authcrypt(_message(alice.did, bob.did), alice.agreer, [bob.did])


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("ciphertext", "decryptionFailed"),
        ("tag", "decryptionFailed"),
        ("iv", "decryptionFailed"),
        ("encrypted_key", "decryptionFailed"),
        ("protected", "decryptionFailed"),
        ("epk", "decryptionFailed"),
        ("kid", "recipientKeyMismatch"),
        ("apv", "recipientKeyMismatch"),
        ("skid", "skidMismatch"),
        ("alg", "unsupportedAlgorithm"),
        ("enc", "unsupportedAlgorithm"),
    ],
)
def test_tampered_authcrypt_fails_with_its_code(case, code, authcrypt, bob):
    def recipient(jwe):
        jwe["recipients"][0]["encrypted_key"] = _flip(
            jwe["recipients"][0]["encrypted_key"]
        )

    def kid(jwe):
        jwe["recipients"][0]["header"]["kid"] = bob.did + "#other"

    other = LocalKeyAgreer(X25519KeyPair.generate(), "").public_key.export_jwk()
    edits = {
        "ciphertext": lambda p: _edit(
            p, lambda j: j.update(ciphertext=_flip(j["ciphertext"]))
        ),
        "tag": lambda p: _edit(p, lambda j: j.update(tag=_flip(j["tag"]))),
        "iv": lambda p: _edit(p, lambda j: j.update(iv=_flip(j["iv"]))),
        "encrypted_key": lambda p: _edit(p, recipient),
        # The same header, serialized differently: the AAD changes.
        "protected": lambda p: _edit_header(p, lambda h: None),
        "epk": lambda p: _edit_header(p, lambda h: h.update(epk=other)),
        "kid": lambda p: _edit(p, kid),
        "apv": lambda p: _edit_header(p, lambda h: h.update(apv=_flip(h["apv"]))),
        "skid": lambda p: _edit_header(p, lambda h: h.update(skid=h["skid"] + "x")),
        "alg": lambda p: _edit_header(p, lambda h: h.update(alg="RSA-OAEP-256")),
        "enc": lambda p: _edit_header(p, lambda h: h.update(enc="A128GCM")),
    }
    tampered = edits[case](authcrypt)
    _assert_code(code, lambda: unpack(tampered, [bob.agreer]))


def test_tampered_anoncrypt_tag_fails(alice, bob):
    packed = pack_anoncrypt(_message(alice.did, bob.did), [bob.did], enc="XC20P")
    tampered = _edit(packed, lambda j: j.update(tag=_flip(j["tag"])))
    _assert_code("decryptionFailed", lambda: unpack(tampered, [bob.agreer]))


def test_message_for_someone_else(authcrypt, carol):
    _assert_code("notForYou", lambda: unpack(authcrypt, [carol.agreer]))


def test_agreer_claiming_the_recipient_kid_with_a_wrong_key_never_decrypts(
    authcrypt, bob
):
    impostor = LocalKeyAgreer(X25519KeyPair.generate(), bob.agreer.key_id)
    _assert_code("decryptionFailed", lambda: unpack(authcrypt, [impostor]))


def test_sender_key_not_in_senders_document(alice, bob):
    forged = LocalKeyAgreer(X25519KeyPair.generate(), alice.did + "#not-there")
    packed = pack_authcrypt(_message(alice.did, bob.did), forged, [bob.did])
    _assert_code("senderKeyNotInDocument", lambda: unpack(packed, [bob.agreer]))


def test_sender_key_under_authentication_only(alice, bob):
    # The kid of alice's Ed25519 key is in her document, not under keyAgreement.
    forged = LocalKeyAgreer(X25519KeyPair.generate(), alice.signer.key_id)
    packed = pack_authcrypt(_message(alice.did, bob.did), forged, [bob.did])
    _assert_code("senderKeyNotInDocument", lambda: unpack(packed, [bob.agreer]))


def test_from_differing_from_the_skid_did(alice, bob, carol):
    # Carol authcrypts (proving carol) a message that claims to be from alice.
    message = _message(alice.did, bob.did)
    keys = _recipients([bob.did], memoized(None), None)
    payload = pack_plaintext(message).encode()
    packed = _encrypt(payload, keys, enc="A256CBC-HS512", sender=carol.agreer)
    _assert_code("fromMismatch", lambda: unpack(packed, [bob.agreer]))


def test_authcrypt_without_from_proves_nobody(alice, bob):
    message = Message.new("https://example.org/t/1.0/m", {}, to=[bob.did])
    keys = _recipients([bob.did], memoized(None), None)
    packed = _encrypt(
        pack_plaintext(message).encode(), keys, enc="A256CBC-HS512", sender=alice.agreer
    )
    _assert_code("fromMismatch", lambda: unpack(packed, [bob.agreer]))


def _jws(message: Message | str, signer) -> str:
    """Sign a message, or any text as the payload, by hand."""
    text = message if isinstance(message, str) else pack_plaintext(message)
    payload = encode_base64url(text.encode())
    protected = encode_base64url(
        b'{"typ":"application/didcomm-signed+json","alg":"EdDSA"}'
    )
    signature = signer.sign(f"{protected}.{payload}".encode())
    return json.dumps(
        {
            "payload": payload,
            "signatures": [
                {
                    "protected": protected,
                    "signature": encode_base64url(signature),
                    "header": {"kid": signer.key_id},
                }
            ],
        }
    )


def test_signer_not_sender(alice, bob, carol):
    packed = _jws(_message(alice.did, bob.did), carol.signer)
    _assert_code("signerNotSender", lambda: unpack(packed, []))


def test_signature_over_changed_payload(alice, bob):
    packed = pack_signed(_message(alice.did, bob.did), alice.signer)
    other = encode_base64url(pack_plaintext(_message(alice.did, bob.did)).encode())
    tampered = _edit(packed, lambda j: j.update(payload=other))
    _assert_code("signatureInvalid", lambda: unpack(tampered, []))


def test_signature_by_a_key_agreement_kid(alice, bob):
    packed = _jws(_message(alice.did, bob.did), alice.signer)
    moved = _edit(
        packed, lambda j: j["signatures"][0]["header"].update(kid=alice.agreer.key_id)
    )
    _assert_code("senderKeyNotInDocument", lambda: unpack(moved, []))


def test_to_not_naming_the_recipient(alice, bob, carol):
    packed = pack_authcrypt(_message(alice.did, carol.did), alice.agreer, [bob.did])
    _assert_code("recipientKeyMismatch", lambda: unpack(packed, [bob.agreer]))


def test_expired_message(alice, bob):
    message = _message(alice.did, bob.did, expires_time=1_700_000_000)
    packed = pack_authcrypt(message, alice.agreer, [bob.did])
    late = datetime.fromtimestamp(1_700_000_001, UTC)
    _assert_code("messageExpired", lambda: unpack(packed, [bob.agreer], now=late))
    early = datetime.fromtimestamp(1_700_000_000, UTC)
    assert unpack(packed, [bob.agreer], now=early).message == message


def test_oversized_message(authcrypt, bob):
    _assert_code(
        "messageTooLarge",
        lambda: unpack(authcrypt, [bob.agreer], max_bytes=len(authcrypt) - 1),
    )


def test_oversized_attachment(alice, bob):
    big = Attachment(data={"base64": "QUFB" * 300}, id="a")
    packed = pack_authcrypt(
        _message(alice.did, bob.did, attachments=[big]), alice.agreer, [bob.did]
    )
    _assert_code(
        "attachmentTooLarge",
        lambda: unpack(packed, [bob.agreer], max_attachment_bytes=1000),
    )
    assert unpack(packed, [bob.agreer], max_attachment_bytes=2000).message.attachments


def test_unresolvable_sender(bob):
    ghost = LocalKeyAgreer(X25519KeyPair.generate(), "did:example:ghost#k")
    message = _message("did:example:ghost", bob.did)
    keys = _recipients([bob.did], memoized(None), None)
    packed = _encrypt(
        pack_plaintext(message).encode(), keys, enc="A256CBC-HS512", sender=ghost
    )
    _assert_code("unresolvableDid", lambda: unpack(packed, [bob.agreer]))


def test_from_prior_without_a_checker_is_refused(alice, bob):
    message = _message(alice.did, bob.did, from_prior="a.b.c")
    _assert_code("invalidFromPrior", lambda: unpack(pack_plaintext(message), []))


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[1, 2]",
        '{"id": 1, "type": "t"}',
        '{"id": "1", "type": "t", "body": []}',
        '{"id": "1", "type": "t", "to": "did:example:bob"}',
        '{"id": "1", "type": "t", "from": "did:example:a#frag"}',
        '{"id": "1", "type": "t", "created_time": "now"}',
        '{"id": "1", "type": "t", "created_time": true}',
        '{"id": "1", "type": "t", "attachments": [{"data": {}}]}',
        '{"id": "1", "id": "2", "type": "t"}',
        '{"id": "1", "type": "t", "body": {"n": NaN}}',
        '{"id": "1", "type": "t", "body": ' + "[" * 100 + "]" * 100 + "}",
        "[" * 100_000 + "]" * 100_000,
        '{"ciphertext": "x", "protected": "!"}',
        '{"payload": "e30", "signatures": []}',
        b"\xff\xfe".decode("latin-1"),
    ],
)
def test_malformed_input(text):
    _assert_code("malformedMessage", lambda: unpack(text, []))


def test_non_utf8_bytes():
    _assert_code("malformedMessage", lambda: unpack(b'{"id": "\xff"}', []))


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("no-recipients", "malformedMessage"),
        ("recipient-without-kid", "malformedMessage"),
        ("encrypted-key-not-string", "malformedMessage"),
        ("header-not-object", "malformedMessage"),
        ("wrong-typ", "malformedMessage"),
        ("crit", "unsupportedAlgorithm"),
        ("no-epk", "malformedMessage"),
        ("bad-epk", "malformedMessage"),
        ("ed25519-epk", "unsupportedAlgorithm"),
        ("p384-epk-not-on-curve", "malformedMessage"),
        ("p192-epk", "unsupportedAlgorithm"),
        ("secp256k1-epk", "unsupportedAlgorithm"),
        ("skid-not-string", "malformedMessage"),
        ("skid-a-bare-did", "malformedMessage"),
        ("no-apu", "malformedMessage"),
        ("apu-only", None),
        ("aad-not-string", "malformedMessage"),
    ],
)
def test_malformed_jwe(case, code, authcrypt, alice, bob):
    def header(change):
        return lambda p: _edit_header(p, change)

    def skid_did(h):
        h["skid"] = alice.did
        h["apu"] = encode_base64url(alice.did.encode())

    ed25519 = alice.signer.key.public_key.export_jwk()
    p384 = {"kty": "EC", "crv": "P-384", "x": "A" * 64, "y": "A" * 64}
    p192 = {"kty": "EC", "crv": "P-192", "x": "A" * 32, "y": "A" * 32}
    secp256k1 = Secp256k1KeyPair.generate().export_jwk()
    edits = {
        "no-recipients": lambda p: _edit(p, lambda j: j.pop("recipients")),
        "recipient-without-kid": lambda p: _edit(
            p, lambda j: j["recipients"][0].update(header={})
        ),
        "encrypted-key-not-string": lambda p: _edit(
            p, lambda j: j["recipients"][0].update(encrypted_key=5)
        ),
        "header-not-object": lambda p: _edit(
            p, lambda j: j.update(protected=encode_base64url(b"[]"))
        ),
        "wrong-typ": header(lambda h: h.update(typ="application/json")),
        "crit": header(lambda h: h.update(crit=["exp"])),
        "no-epk": header(lambda h: h.pop("epk")),
        "bad-epk": header(lambda h: h["epk"].update(x="AAAA")),
        "ed25519-epk": header(lambda h: h.update(epk=ed25519)),
        "p384-epk-not-on-curve": header(lambda h: h.update(epk=p384)),
        "p192-epk": header(lambda h: h.update(epk=p192)),
        "secp256k1-epk": header(lambda h: h.update(epk=secp256k1)),
        "skid-not-string": header(lambda h: h.update(skid=5)),
        "skid-a-bare-did": header(skid_did),
        "no-apu": header(lambda h: h.pop("apu")),
        # Without skid the sender is read from apu; the header changed, so
        # the content no longer authenticates.
        "apu-only": header(lambda h: h.pop("skid")),
        "aad-not-string": lambda p: _edit(p, lambda j: j.update(aad=5)),
    }
    tampered = edits[case](authcrypt)
    _assert_code(code or "decryptionFailed", lambda: unpack(tampered, [bob.agreer]))


def _two_signatures(first, second, message) -> str:
    one = json.loads(_jws(message, first))
    two = json.loads(_jws(message, second))
    one["signatures"] += two["signatures"]
    return json.dumps(one)


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("signature-not-object", "malformedMessage"),
        ("header-not-object", "malformedMessage"),
        ("no-kid", "malformedMessage"),
        ("wrong-typ", "malformedMessage"),
        ("alg-hs256", "unsupportedAlgorithm"),
        ("alg-es256-on-ed25519", "signatureInvalid"),
        ("payload-not-base64url", "malformedMessage"),
        ("signed-twice", "malformedMessage"),
    ],
)
def test_malformed_jws(case, code, alice, bob):
    message = _message(alice.did, bob.did)
    packed = pack_signed(message, alice.signer)

    def protected(value: bytes):
        return lambda j: j["signatures"][0].update(protected=encode_base64url(value))

    edits = {
        "signature-not-object": lambda: _edit(
            packed, lambda j: j.update(signatures=[1])
        ),
        "header-not-object": lambda: _edit(
            packed, lambda j: j["signatures"][0].update(header=[])
        ),
        "no-kid": lambda: _edit(packed, lambda j: j["signatures"][0].pop("header")),
        "wrong-typ": lambda: _edit(packed, protected(b'{"typ":"JWT","alg":"EdDSA"}')),
        "alg-hs256": lambda: _edit(packed, protected(b'{"alg":"HS256"}')),
        "alg-es256-on-ed25519": lambda: _edit(packed, protected(b'{"alg":"ES256"}')),
        "payload-not-base64url": lambda: _edit(packed, lambda j: j.update(payload="*")),
        "signed-twice": lambda: _jws(packed, alice.signer),
    }
    _assert_code(code, lambda: unpack(edits[case](), []))


def test_signatures_from_two_dids(alice, bob):
    packed = _two_signatures(alice.signer, bob.signer, _message(alice.did, bob.did))
    _assert_code("signerNotSender", lambda: unpack(packed, []))


def test_encryption_inside_a_signature_is_refused(alice, bob):
    inner = pack_anoncrypt(_message(alice.did, bob.did), [bob.did])
    _assert_code(
        "malformedMessage", lambda: unpack(_jws(inner, alice.signer), [bob.agreer])
    )


def test_authcrypt_inside_authcrypt_is_refused(alice, bob):
    inner = pack_authcrypt(_message(alice.did, bob.did), alice.agreer, [bob.did])
    keys = _recipients([bob.did], memoized(None), None)
    outer = _encrypt(inner.encode(), keys, enc="A256CBC-HS512", sender=alice.agreer)
    _assert_code("malformedMessage", lambda: unpack(outer, [bob.agreer]))


def test_signed_inside_encryption_without_to(alice, bob):
    message = Message.new("https://example.org/t/1.0/m", {}, from_=alice.did)
    packed = pack_anoncrypt(pack_signed(message, alice.signer), [bob.did])
    _assert_code("malformedMessage", lambda: unpack(packed, [bob.agreer]))
    with pytest.raises(ValueError, match="'to'"):
        pack_authcrypt(message, alice.agreer, [bob.did], sign_with=alice.signer)


def test_from_prior_goes_to_the_checker(alice, bob):
    seen = []

    def check(jwt, sender, resolve):
        seen.append((jwt, sender, resolve(alice.did).id))
        return FromPrior(
            iss="did:example:old", sub=sender, iat=1, kid="did:example:old#k"
        )

    message = _message(alice.did, bob.did, from_prior="a.b.c")
    result = unpack(pack_signed(message, alice.signer), [], check_from_prior=check)
    assert seen == [("a.b.c", alice.did, alice.did)]
    assert result.from_prior == FromPrior(
        "did:example:old", alice.did, 1, "did:example:old#k"
    )


def test_a_resolver_failing_with_any_library_error_is_unresolvable(authcrypt, bob):
    def broken(did):
        raise KeyMaterialError(f"cannot read {did}")

    _assert_code(
        "unresolvableDid", lambda: unpack(authcrypt, [bob.agreer], resolver=broken)
    )


# X25519 u-coordinates of small order (Bernstein, "Curve25519: new
# Diffie-Hellman speed records", and libsodium's blocklist): 0, 1, the two
# points of order 8, p - 1, p and p + 1, and two with the top bit set, which
# RFC 7748 masks off. The test checks each against the constructor's probe.
SMALL_ORDER = [
    "00" * 32,
    "01" + "00" * 31,
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    "ec" + "ff" * 30 + "7f",
    "ed" + "ff" * 30 + "7f",
    "ee" + "ff" * 30 + "7f",
    "01" + "00" * 30 + "80",
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880",
]


@pytest.mark.parametrize("point", SMALL_ORDER)
@pytest.mark.parametrize("mode", ["authcrypt", "anoncrypt"])
def test_an_epk_of_small_order_is_refused_and_nothing_decrypts(point, mode, alice, bob):
    raw = bytes.fromhex(point)
    with pytest.raises(KeyMaterialError):
        X25519PublicKey(raw)
    message = _message(alice.did, bob.did)
    packed = (
        pack_authcrypt(message, alice.agreer, [bob.did])
        if mode == "authcrypt"
        else pack_anoncrypt(message, [bob.did])
    )
    small = {"kty": "OKP", "crv": "X25519", "x": encode_base64url(raw)}
    tampered = _edit_header(packed, lambda h: h.update(epk=small))
    _assert_code("malformedMessage", lambda: unpack(tampered, [bob.agreer]))


class _ZeroAgreer:
    """A KeyAgreer that returns the all-zero secret instead of raising."""

    def __init__(self, inner: LocalKeyAgreer) -> None:
        self.key_id = inner.key_id
        self.public_key = inner.public_key

    def exchange(self, peer) -> bytes:
        return bytes(32)


def test_an_all_zero_secret_from_any_agreer_is_refused(authcrypt, bob):
    _assert_code(
        "malformedMessage", lambda: unpack(authcrypt, [_ZeroAgreer(bob.agreer)])
    )
