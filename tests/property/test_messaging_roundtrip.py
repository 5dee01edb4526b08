"""Any message packs and unpacks back, in every mode; any one-byte change to
an encrypted or signed envelope fails with a messaging error, never a wrong
message."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from ssi import did_key, resolve
from ssi.did.document import DIDDocument
from ssi.keys.ed25519 import Ed25519KeyPair
from ssi.keys.signer import LocalKeyAgreer, LocalSigner
from ssi.messaging import (
    Attachment,
    Message,
    MessagingError,
    pack_anoncrypt,
    pack_authcrypt,
    pack_plaintext,
    pack_signed,
    unpack,
)

RUN = settings(max_examples=40, deadline=None)


class _Party:
    def __init__(self, label: str) -> None:
        key = Ed25519KeyPair.from_seed(hashlib.sha256(label.encode()).digest())
        self.did = did_key(key)
        document = resolve(self.did).did_document
        assert isinstance(document, DIDDocument)
        self.signer = LocalSigner(
            key, document.verification_methods_for("authentication")[0].id
        )
        self.agreer = LocalKeyAgreer(
            key.to_x25519(), document.verification_methods_for("keyAgreement")[0].id
        )


ALICE, BOB = _Party("alice"), _Party("bob")

_text = st.text(max_size=20)
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | _text,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4)
    ),
    max_leaves=12,
)
_attachments = st.lists(
    st.builds(
        Attachment,
        data=st.one_of(
            st.builds(dict, base64=st.just("aGVsbG8")),
            st.builds(dict, json=_json),
        ),
        id=st.none() | _text,
        description=st.none() | _text,
        media_type=st.none() | st.just("text/plain"),
        lastmod_time=st.none() | st.integers(0, 2**40),
    ),
    max_size=2,
)
_messages = st.builds(
    Message,
    id=_text.filter(bool),
    type=st.just("https://example.org/p/1.0/m"),
    body=st.dictionaries(_text, _json, max_size=5),
    from_=st.just(ALICE.did),
    to=st.just((BOB.did,)),
    thid=st.none() | _text,
    pthid=st.none() | _text,
    created_time=st.none() | st.integers(0, 2**40),
    expires_time=st.none() | st.integers(2**40, 2**41),
    attachments=_attachments.map(tuple),
    extra=st.dictionaries(st.sampled_from(["lang", "x_ext", "please_ack"]), _json),
)
_modes = st.sampled_from(
    ["plaintext", "signed", "anon-cbc", "anon-gcm", "anon-xc20p", "auth", "auth-all"]
)


def _pack(message: Message, mode: str) -> str:
    if mode == "plaintext":
        return pack_plaintext(message)
    if mode == "signed":
        return pack_signed(message, ALICE.signer)
    if mode.startswith("anon"):
        enc = {"cbc": "A256CBC-HS512", "gcm": "A256GCM", "xc20p": "XC20P"}
        return pack_anoncrypt(message, [BOB.did], enc=enc[mode.split("-")[1]])
    protect = mode == "auth-all"
    return pack_authcrypt(
        message,
        ALICE.agreer,
        [BOB.did],
        protect_sender=protect,
        sign_with=ALICE.signer if protect else None,
    )


@RUN
@given(message=_messages, mode=_modes)
def test_any_message_round_trips(message, mode):
    result = unpack(_pack(message, mode), [BOB.agreer])
    assert result.message == message
    assert result.sender_proven == (mode in ("signed", "auth", "auth-all"))


@RUN
@given(
    message=_messages,
    mode=st.sampled_from(["signed", "anon-xc20p", "auth"]),
    where=st.floats(0, 1, exclude_max=True),
    bit=st.integers(0, 7),
)
def test_one_changed_byte_never_unpacks_to_another_message(message, mode, where, bit):
    packed = bytearray(_pack(message, mode).encode())
    index = int(where * len(packed))
    packed[index] ^= 1 << bit
    try:
        result = unpack(bytes(packed), [BOB.agreer])
    except MessagingError:
        return
    # A change JSON does not see (whitespace, escapes) may leave it equal.
    assert result.message == message
