"""Packing DIDComm messages: plaintext, signed (JWS), anoncrypt and authcrypt
(JWE, General JSON serialization).

Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#message-formats
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Final

from ssi.encoding import encode_base64url
from ssi.keys.base import KeyAgreer, KeyType, PublicKey, Signer
from ssi.keys.ec import ECKeyPair, P256KeyPair, P384KeyPair, P521KeyPair
from ssi.keys.signer import LocalKeyAgreer
from ssi.keys.x25519 import X25519KeyPair
from ssi.messaging._jwe import (
    ANONCRYPT_ALG,
    AUTHCRYPT_ALG,
    apv_digest,
    derive_kek,
    encrypt_content,
    kdf_other_info,
    new_cek,
    wrap_key,
)
from ssi.messaging.errors import (
    MessageTooLargeError,
    UnsupportedMessagingAlgorithmError,
)
from ssi.messaging.keys import DidResolver, did_of, key_agreement_keys, memoized
from ssi.messaging.message import ENCRYPTED, SIGNED, Message
from ssi.types import JsonObject

__all__ = [
    "AGREEMENT_KEY_TYPES",
    "MAX_ATTACHMENT_BYTES",
    "MAX_MESSAGE_BYTES",
    "SIGNATURE_ALGORITHMS",
    "pack_anoncrypt",
    "pack_authcrypt",
    "pack_plaintext",
    "pack_signed",
]

MAX_MESSAGE_BYTES: Final = 1 << 20
"""The largest packed message (1 MiB) that is packed or unpacked by default."""
MAX_ATTACHMENT_BYTES: Final = 1 << 18
"""The largest inline attachment ``data`` (256 KiB of JSON) by default."""
SIGNATURE_ALGORITHMS: Final = {
    "EdDSA": KeyType.ED25519,
    "ES256": KeyType.P256,
    "ES256K": KeyType.SECP256K1,
}
"""JWS algorithms of signed messages, with the key type each needs."""
AGREEMENT_KEY_TYPES: Final = (KeyType.X25519, KeyType.P384, KeyType.P256, KeyType.P521)
"""Key-agreement key types, in order of preference when recipients have several:
the spec's table order (X25519, P-384, then P-256, "deprecated in favor of
P-384"), then the optional P-521."""
_EPHEMERAL: Final[dict[KeyType, type[ECKeyPair]]] = {
    KeyType.P256: P256KeyPair,
    KeyType.P384: P384KeyPair,
    KeyType.P521: P521KeyPair,
}


def _dumps(value: JsonObject) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def _capped(data: bytes) -> bytes:
    if len(data) > MAX_MESSAGE_BYTES:
        raise MessageTooLargeError(
            f"The message has {len(data)} bytes, over the cap of {MAX_MESSAGE_BYTES}."
        )
    return data


def pack_plaintext(message: Message) -> str:
    """Return the plaintext message as compact JSON.

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#didcomm-plaintext-messages

    Raises:
        MessageTooLargeError: the message is over :data:`MAX_MESSAGE_BYTES`.
    """
    return _capped(message.to_bytes()).decode()


def pack_signed(message: Message, signer: Signer) -> str:
    """Sign a message: a JWS in General JSON serialization whose protected
    header is ``{"typ": SIGNED, "alg": ...}`` and whose unprotected header
    names the signer's ``kid``.

    The signer must be a key of the message's ``from`` DID (listed under its
    ``authentication``, for the recipient to accept it).

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#didcomm-signed-messages

    Raises:
        UnsupportedMessagingAlgorithmError: the signer's algorithm is not one
            of :data:`SIGNATURE_ALGORITHMS`.
        MessageTooLargeError: the result would be over the cap.
        ValueError: the message has no ``from``, or the signer's DID differs.
    """
    if signer.algorithm not in SIGNATURE_ALGORITHMS:
        raise UnsupportedMessagingAlgorithmError(
            f"DIDComm signed messages do not use {signer.algorithm!r}."
        )
    if message.from_ is None or did_of(message.from_) != did_of(signer.key_id):
        raise ValueError("A signed message's 'from' must be the signer's DID.")
    payload = encode_base64url(message.to_bytes())
    protected = encode_base64url(_dumps({"typ": SIGNED, "alg": signer.algorithm}))
    signature = signer.sign(f"{protected}.{payload}".encode("ascii"))
    jws: JsonObject = {
        "payload": payload,
        "signatures": [
            {
                "protected": protected,
                "signature": encode_base64url(signature),
                "header": {"kid": signer.key_id},
            }
        ],
    }
    return _capped(_dumps(jws)).decode()


def _recipients(
    to: Sequence[str], resolve: DidResolver, key_type: KeyType | None
) -> list[tuple[str, PublicKey]]:
    """Pick the recipients' keys: every ``keyAgreement`` key of one type.

    With ``key_type`` None, the first type of :data:`AGREEMENT_KEY_TYPES`
    that every recipient has.
    """
    if not to:
        raise ValueError("An encrypted message needs at least one recipient.")
    if len({did_of(item) for item in to}) != 1:
        raise ValueError(
            "An encrypted message is for one DID (its keys or some of them); "
            "pack it once per recipient DID."
        )
    found = [key_agreement_keys(item, resolve) for item in to]
    types = (key_type,) if key_type is not None else AGREEMENT_KEY_TYPES
    for candidate in types:
        chosen = [
            [(kid, key) for kid, key in keys if key.key_type == candidate]
            for keys in found
        ]
        if all(chosen):
            out: list[tuple[str, PublicKey]] = []
            seen: set[str] = set()
            for keys in chosen:
                for kid, key in keys:
                    if kid not in seen:
                        seen.add(kid)
                        out.append((kid, key))
            return out
    names = ", ".join(str(t) for t in types)
    raise UnsupportedMessagingAlgorithmError(
        f"Not every recipient has a keyAgreement key of type {names}."
    )


def _ephemeral(key_type: KeyType) -> LocalKeyAgreer:
    if key_type == KeyType.X25519:
        return LocalKeyAgreer(X25519KeyPair.generate(), "")
    return LocalKeyAgreer(_EPHEMERAL[key_type].generate(), "")


def _encrypt(
    payload: bytes,
    recipients: list[tuple[str, PublicKey]],
    *,
    enc: str,
    sender: KeyAgreer | None,
) -> str:
    """Build the JWE: one ``epk``, ``apv`` (and for authcrypt ``skid``,
    ``apu``) in the protected header, the content encrypted once, the CEK
    wrapped for each recipient (ECDH-1PU: with the tag in the KDF).
    """
    key_type = recipients[0][1].key_type
    epk = _ephemeral(key_type)
    apv = apv_digest([kid for kid, _ in recipients])
    header: JsonObject = {
        "epk": epk.public_key.export_jwk(),
        "apv": encode_base64url(apv),
    }
    apu = b""
    if sender is not None:
        apu = sender.key_id.encode("utf-8")
        header["skid"] = sender.key_id
        header["apu"] = encode_base64url(apu)
    header["typ"] = ENCRYPTED
    header["enc"] = enc
    header["alg"] = ANONCRYPT_ALG if sender is None else AUTHCRYPT_ALG
    protected = encode_base64url(_dumps(header))
    cek = new_cek(enc)
    sealed = encrypt_content(enc, cek, protected.encode("ascii"), payload)
    other_info = kdf_other_info(
        header["alg"], apu, apv, sealed.tag if sender is not None else None
    )
    wrapped: list[JsonObject] = []
    for kid, key in recipients:
        shared = epk.exchange(key)
        if sender is not None:
            shared += sender.exchange(key)
        kek = derive_kek(shared, other_info)
        wrapped.append(
            {
                "encrypted_key": encode_base64url(wrap_key(kek, cek)),
                "header": {"kid": kid},
            }
        )
    jwe: JsonObject = {
        "ciphertext": encode_base64url(sealed.ciphertext),
        "protected": protected,
        "recipients": wrapped,
        "tag": encode_base64url(sealed.tag),
        "iv": encode_base64url(sealed.iv),
    }
    return _capped(_dumps(jwe)).decode()


def pack_anoncrypt(
    message_or_packed: Message | str,
    to: Sequence[str],
    *,
    resolver: DidResolver | None = None,
    enc: str = "A256CBC-HS512",
) -> str:
    """Encrypt anonymously (ECDH-ES+A256KW) for every ``keyAgreement`` key of
    the recipients.

    ``message_or_packed`` is a plaintext message, or a message packed
    already (signed, or authcrypt to hide the sender). ``to`` names one
    recipient DID, as the spec requires (a message for several DIDs is
    packed once for each): the DID itself (all its keys of the chosen type:
    the first of :data:`AGREEMENT_KEY_TYPES` it has: X25519, P-384, P-256,
    P-521) or DID URLs naming some of its keys.
    ``enc`` is ``A256CBC-HS512`` (required), ``A256GCM`` (recommended) or
    ``XC20P`` (optional).

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#anonymous-encryption

    Raises:
        UnresolvableDIDError: a recipient DID does not resolve.
        SenderKeyNotInDocumentError: a kid is not a ``keyAgreement`` key.
        UnsupportedMessagingAlgorithmError: ``enc`` is unknown, or the
            recipients share no key type.
        MessageTooLargeError: the result would be over the cap.
        ValueError: ``to`` is empty or names several DIDs.
    """
    payload = (
        message_or_packed.to_bytes()
        if isinstance(message_or_packed, Message)
        else message_or_packed.encode("utf-8")
    )
    recipients = _recipients(to, memoized(resolver), None)
    return _encrypt(_capped(payload), recipients, enc=enc, sender=None)


def pack_authcrypt(
    message: Message,
    sender: KeyAgreer,
    to: Sequence[str],
    *,
    resolver: DidResolver | None = None,
    protect_sender: bool = False,
    sign_with: Signer | None = None,
) -> str:
    """Encrypt and authenticate the sender (ECDH-1PU+A256KW, A256CBC-HS512)
    for every ``keyAgreement`` key of the recipient of the sender key's type.

    ``to`` names one recipient DID, as for :func:`pack_anoncrypt`.

    The message's ``from`` must be the DID of ``sender.key_id`` (the
    ``skid``). With ``sign_with`` the message is signed first
    (authcrypt(sign(plaintext)); the spec advises against it, since authcrypt
    proves the sender already); with ``protect_sender`` the result is
    anoncrypted again to the same recipients, hiding the ``skid``.

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#sender-authenticated-encryption

    Raises:
        UnresolvableDIDError: a recipient DID does not resolve.
        SenderKeyNotInDocumentError: a kid is not a ``keyAgreement`` key.
        UnsupportedMessagingAlgorithmError: a recipient has no key of the
            sender's key type.
        MessageTooLargeError: the result would be over the cap.
        ValueError: ``to`` is empty or names several DIDs, ``from`` is not
            the sender's DID, or a message to sign has no ``to``.
    """
    if message.from_ is None or did_of(message.from_) != did_of(sender.key_id):
        raise ValueError("An authcrypt message's 'from' must be the sender's DID.")
    if sign_with is not None and not message.to:
        raise ValueError("A message signed and encrypted must name its 'to'.")
    resolve = memoized(resolver)
    payload = (
        pack_signed(message, sign_with).encode("utf-8")
        if sign_with is not None
        else message.to_bytes()
    )
    recipients = _recipients(to, resolve, sender.public_key.key_type)
    packed = _encrypt(_capped(payload), recipients, enc="A256CBC-HS512", sender=sender)
    if protect_sender:
        packed = _encrypt(
            _capped(packed.encode("utf-8")),
            recipients,
            enc="A256CBC-HS512",
            sender=None,
        )
    return packed
