"""Unpacking DIDComm messages: every envelope layer opened and checked, every
failure its own error code.

Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#message-layer-addressing-consistency
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from ssi.encoding import decode_base64url
from ssi.errors import EncodingError, KeyMaterialError, SSIError
from ssi.keys.base import KeyAgreer, PublicKey
from ssi.keys.jwk import decode_public_jwk
from ssi.keys.x25519 import X25519PublicKey
from ssi.messaging._jwe import (
    ANONCRYPT_ALG,
    AUTHCRYPT_ALG,
    CONTENT_ENCRYPTIONS,
    Sealed,
    apv_digest,
    decrypt_content,
    derive_kek,
    kdf_other_info,
    unwrap_key,
)
from ssi.messaging.errors import (
    AttachmentTooLargeError,
    DecryptionFailedError,
    FromMismatchError,
    InvalidFromPriorError,
    MalformedMessageError,
    MessageExpiredError,
    MessageTooLargeError,
    NotForYouError,
    RecipientKeyMismatchError,
    SignatureInvalidError,
    SignerNotSenderError,
    SkidMismatchError,
    UnsupportedMessagingAlgorithmError,
)
from ssi.messaging.keys import (
    DidResolver,
    authentication_key,
    did_of,
    key_agreement_keys,
    memoized,
)
from ssi.messaging.message import (
    ENCRYPTED,
    SIGNED,
    FromPrior,
    Message,
    load_json,
)
from ssi.messaging.pack import (
    AGREEMENT_KEY_TYPES,
    MAX_ATTACHMENT_BYTES,
    MAX_MESSAGE_BYTES,
    SIGNATURE_ALGORITHMS,
)
from ssi.types import JsonObject, JsonValue

__all__ = ["FORWARD_TYPE", "FromPriorChecker", "Unpacked", "unpack"]

FORWARD_TYPE: Final = "https://didcomm.org/routing/2.0/forward"
"""The message type of a routing ``forward`` message."""

FromPriorChecker = Callable[[str, str, DidResolver], FromPrior]
"""Check a ``from_prior`` JWT against the message's ``from``; raise
:class:`InvalidFromPriorError` when it does not hold."""


@dataclass(frozen=True, slots=True)
class Unpacked:
    """A message unpacked, with what its envelopes proved.

    Attributes:
        message: the plaintext message.
        encrypted: some layer was encrypted.
        anoncrypt: a layer was anonymously encrypted (ECDH-ES).
        authcrypt: a layer was authenticated-encrypted (ECDH-1PU).
        sender_kid: the sender key the authcrypt layer proved, or None.
        signed: a layer was signed.
        signer_kid: the key that signed, or None.
        recipient_kid: our key that decrypted (the outermost layer's), or None.
        from_prior: the checked ``from_prior``, or None when there is none.
        forwarded: the message is a routing ``forward`` (for a mediator).

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#message-formats
    """

    message: Message
    encrypted: bool = False
    anoncrypt: bool = False
    authcrypt: bool = False
    sender_kid: str | None = None
    signed: bool = False
    signer_kid: str | None = None
    recipient_kid: str | None = None
    from_prior: FromPrior | None = None
    forwarded: bool = False

    @property
    def sender_proven(self) -> bool:
        """True when an envelope proves the ``from`` DID: authcrypt or a
        signature (both are checked against ``from`` when unpacking).
        """
        return self.message.from_ is not None and (
            (self.authcrypt and self.sender_kid is not None)
            or (self.signed and self.signer_kid is not None)
        )


def _b64(value: JsonValue, what: str) -> bytes:
    if not isinstance(value, str):
        raise MalformedMessageError(f"{what} must be a base64url string.")
    try:
        return decode_base64url(value)
    except EncodingError as exc:
        raise MalformedMessageError(f"{what} is not base64url.") from exc


def _media_type(value: JsonValue, expected: str, what: str) -> None:
    """Check a ``typ``: absent, or ``expected`` with or without ``application/``."""
    if value is None:
        return
    if value not in (expected, expected.removeprefix("application/")):
        raise MalformedMessageError(f"{what} 'typ' is not {expected}.")


def _header(protected: JsonValue, what: str) -> JsonObject:
    header = load_json(_b64(protected, f"The {what} protected header"), what=what)
    if not isinstance(header, dict):
        raise MalformedMessageError(f"The {what} protected header is not an object.")
    if "crit" in header:
        raise UnsupportedMessagingAlgorithmError(
            f"The {what} names critical headers we do not process."
        )
    return header


@dataclass(frozen=True, slots=True)
class _Opened:
    plaintext: bytes
    authcrypt: bool
    sender_kid: str | None
    recipient_kid: str


def _recipient_kids(jwe: JsonObject) -> list[tuple[str, bytes]]:
    recipients = jwe.get("recipients")
    if not isinstance(recipients, list) or not recipients:
        raise MalformedMessageError("The JWE has no 'recipients' array.")
    out: list[tuple[str, bytes]] = []
    for index, item in enumerate(recipients):
        header = item.get("header") if isinstance(item, dict) else None
        kid = header.get("kid") if isinstance(header, dict) else None
        if not isinstance(kid, str):
            raise MalformedMessageError(f"JWE recipient {index} has no string 'kid'.")
        wrapped = _b64(item.get("encrypted_key"), f"JWE recipient {index} key")
        out.append((kid, wrapped))
    return out


def _epk(header: JsonObject) -> PublicKey:
    """Decode the ``epk``. An X25519 key is not probed for small order here:
    the exchange with it refuses such a key (see :func:`_agree`)."""
    epk = header.get("epk")
    if not isinstance(epk, dict):
        raise MalformedMessageError("The JWE protected header has no 'epk' object.")
    try:
        if epk.get("kty") == "OKP" and epk.get("crv") == "X25519" and "d" not in epk:
            return X25519PublicKey.for_exchange(_b64(epk.get("x"), "The JWE 'epk' x"))
        key = decode_public_jwk(epk)
    except KeyMaterialError as exc:
        if exc.code == "unsupportedPublicKeyType":
            raise UnsupportedMessagingAlgorithmError(
                "The JWE 'epk' is on a curve we do not support."
            ) from exc
        raise MalformedMessageError("The JWE 'epk' is not a valid public key.") from exc
    if key.key_type not in AGREEMENT_KEY_TYPES:
        raise UnsupportedMessagingAlgorithmError(
            f"The JWE 'epk' is a {key.key_type} key, not a key-agreement key."
        )
    return key


def _agree(agreer: KeyAgreer, epk: PublicKey, sender_key: PublicKey | None) -> bytes:
    """Return Z (ECDH-ES) or Ze || Zs (ECDH-1PU).

    An ``epk`` of small order is refused here, where its exchange gives the
    all-zero secret (RFC 7748 section 6.1); the comparison also covers a
    :class:`KeyAgreer` that would return that secret instead of raising.
    """
    try:
        ephemeral = agreer.exchange(epk)
    except KeyMaterialError as exc:
        raise MalformedMessageError("The JWE 'epk' is not a valid public key.") from exc
    if hmac.compare_digest(ephemeral, bytes(len(ephemeral))):
        raise MalformedMessageError("The JWE 'epk' is not a valid public key.")
    if sender_key is None:
        return ephemeral
    try:
        return ephemeral + agreer.exchange(sender_key)
    except KeyMaterialError as exc:
        raise DecryptionFailedError("The message could not be decrypted.") from exc


def _sender(
    header: JsonObject, epk: PublicKey, resolve: DidResolver
) -> tuple[str, PublicKey, bytes]:
    """Return the authcrypt sender's kid, key and ``apu`` bytes, checked."""
    apu = _b64(header.get("apu"), "The JWE 'apu'")
    skid = header.get("skid")
    if skid is None:
        try:
            skid = apu.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedMessageError("The JWE 'apu' is not a key id.") from exc
    elif not isinstance(skid, str):
        raise MalformedMessageError("The JWE 'skid' must be a string.")
    elif skid.encode("utf-8") != apu:
        raise SkidMismatchError("The JWE 'skid' and 'apu' name different keys.")
    if did_of(skid) == skid:
        raise MalformedMessageError("The JWE 'skid' must be a DID URL naming a key.")
    ((kid, key),) = key_agreement_keys(skid, resolve)
    if key.key_type != epk.key_type:
        raise MalformedMessageError(
            f"The sender key {skid!r} is not of the 'epk' key type."
        )
    return kid, key, apu


def _decrypt(
    jwe: JsonObject, agreers: Sequence[KeyAgreer], resolve: DidResolver
) -> _Opened:
    header = _header(jwe.get("protected"), "JWE")
    _media_type(header.get("typ"), ENCRYPTED, "The JWE")
    alg, enc = header.get("alg"), header.get("enc")
    if alg not in (ANONCRYPT_ALG, AUTHCRYPT_ALG):
        raise UnsupportedMessagingAlgorithmError(
            f"The JWE 'alg' {alg!r} is not supported."
        )
    if enc not in CONTENT_ENCRYPTIONS or (
        alg == AUTHCRYPT_ALG and enc != "A256CBC-HS512"
    ):
        raise UnsupportedMessagingAlgorithmError(
            f"The JWE 'enc' {enc!r} is not supported with {alg}."
        )
    sealed = Sealed(
        iv=_b64(jwe.get("iv"), "The JWE 'iv'"),
        ciphertext=_b64(jwe.get("ciphertext"), "The JWE 'ciphertext'"),
        tag=_b64(jwe.get("tag"), "The JWE 'tag'"),
    )
    recipients = _recipient_kids(jwe)
    apv = _b64(header.get("apv"), "The JWE 'apv'")
    if not hmac.compare_digest(apv, apv_digest([kid for kid, _ in recipients])):
        raise RecipientKeyMismatchError(
            "The JWE recipients' kids do not match its 'apv'."
        )
    epk = _epk(header)
    mine = [
        (kid, wrapped, agreer)
        for kid, wrapped in recipients
        for agreer in agreers
        if agreer.key_id == kid and agreer.public_key.key_type == epk.key_type
    ]
    if not mine:
        raise NotForYouError("No recipient of the message is a key of ours.")
    sender_kid: str | None = None
    sender_key: PublicKey | None = None
    apu = b""
    if alg == AUTHCRYPT_ALG:
        sender_kid, sender_key, apu = _sender(header, epk, resolve)
    elif "apu" in header:
        apu = _b64(header["apu"], "The JWE 'apu'")
    aad = jwe["protected"].encode("ascii")
    if "aad" in jwe:
        if not isinstance(jwe["aad"], str):
            raise MalformedMessageError("The JWE 'aad' must be a base64url string.")
        aad += b"." + jwe["aad"].encode("ascii")
    other_info = kdf_other_info(
        alg, apu, apv, sealed.tag if alg == AUTHCRYPT_ALG else None
    )
    for kid, wrapped, agreer in mine:
        kek = derive_kek(_agree(agreer, epk, sender_key), other_info)
        try:
            cek = unwrap_key(kek, wrapped)
        except DecryptionFailedError:
            continue
        plaintext = decrypt_content(enc, cek, aad, sealed)
        return _Opened(plaintext, alg == AUTHCRYPT_ALG, sender_kid, kid)
    raise DecryptionFailedError("The message could not be decrypted.")


def _verify(jws: JsonObject, resolve: DidResolver) -> tuple[bytes, str]:
    """Verify every signature of a JWS; return the payload and the first kid."""
    payload_b64 = jws.get("payload")
    payload = _b64(payload_b64, "The JWS 'payload'")
    signatures = jws.get("signatures")
    if not isinstance(signatures, list) or not signatures:
        raise MalformedMessageError("The JWS has no 'signatures' array.")
    kids: list[str] = []
    for index, entry in enumerate(signatures):
        if not isinstance(entry, dict):
            raise MalformedMessageError(f"JWS signature {index} is not an object.")
        protected = entry.get("protected")
        header = _header(protected, "JWS")
        _media_type(header.get("typ"), SIGNED, "The JWS")
        unprotected = entry.get("header", {})
        if not isinstance(unprotected, dict):
            raise MalformedMessageError(
                f"JWS signature {index} header is not an object."
            )
        kid = header.get("kid", unprotected.get("kid"))
        if not isinstance(kid, str):
            raise MalformedMessageError(f"JWS signature {index} has no string 'kid'.")
        alg = header.get("alg")
        if alg not in SIGNATURE_ALGORITHMS:
            raise UnsupportedMessagingAlgorithmError(
                f"The JWS 'alg' {alg!r} is not supported."
            )
        signature = _b64(entry.get("signature"), f"JWS signature {index}")
        key = authentication_key(kid, resolve)
        if key.key_type != SIGNATURE_ALGORITHMS[alg]:
            raise SignatureInvalidError("The message signature is invalid.")
        try:
            key.verify(f"{protected}.{payload_b64}".encode("ascii"), signature)
        except SSIError as exc:
            raise SignatureInvalidError("The message signature is invalid.") from exc
        kids.append(kid)
    if len({did_of(kid) for kid in kids}) != 1:
        raise SignerNotSenderError("The JWS signatures come from different DIDs.")
    return payload, kids[0]


def _check_attachments(message: Message, limit: int) -> None:
    for index, attachment in enumerate(message.attachments):
        size = len(json.dumps(attachment.data, separators=(",", ":")).encode())
        if size > limit:
            raise AttachmentTooLargeError(
                f"Attachment {index} has {size} bytes of data, over the cap of {limit}."
            )


def unpack(
    packed: str | bytes,
    agreers: Sequence[KeyAgreer],
    *,
    resolver: DidResolver | None = None,
    now: datetime | None = None,
    max_bytes: int = MAX_MESSAGE_BYTES,
    max_attachment_bytes: int = MAX_ATTACHMENT_BYTES,
    check_from_prior: FromPriorChecker | None = None,
) -> Unpacked:
    """Open every envelope of a packed message and check what they claim.

    Accepted layerings: plaintext, signed(plaintext), anoncrypt(p),
    authcrypt(p), anoncrypt(authcrypt(p)), where p is a plaintext or a
    signed plaintext. Checks, in order: the size cap; each layer's
    structure and algorithms; for encryption, that ``apv`` matches the
    recipients' kids, that a recipient is one of ``agreers``, that the
    authcrypt ``skid`` agrees with ``apu`` and is a ``keyAgreement`` key of
    its DID; decryption; signatures against the signer's ``authentication``
    key; then that a signed message inside encryption has a ``to``, that
    ``from`` is the ``skid``'s and the signer's DID, that
    ``to`` (when present) names our recipient DID, ``expires_time`` not
    passed, attachments within their cap, and ``from_prior`` (by
    ``check_from_prior``, by default :func:`ssi.messaging.rotation.check_from_prior`
    with the message's attached log).
    Each DID is resolved at most once per call.

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#message-layer-addressing-consistency

    Raises:
        MessagingError: a subclass with the code of the failure (see
            :mod:`ssi.messaging.errors`).
    """
    data = packed.encode("utf-8") if isinstance(packed, str) else bytes(packed)
    if len(data) > max_bytes:
        raise MessageTooLargeError(
            f"The message has {len(data)} bytes, over the cap of {max_bytes}."
        )
    resolve = memoized(resolver)
    anoncrypt = authcrypt = signed = False
    sender_kid = signer_kid = recipient_kid = None
    current = data
    # Each pass opens one layer; the nesting rules allow at most three
    # envelopes, so the loop ends at a plaintext or fails.
    while True:
        obj = load_json(current)
        if not isinstance(obj, dict):
            raise MalformedMessageError("A DIDComm message must be a JSON object.")
        if "ciphertext" in obj:
            opened = _decrypt(obj, agreers, resolve)
            if signed or authcrypt or (anoncrypt and not opened.authcrypt):
                raise MalformedMessageError(
                    "The message's envelopes are nested wrongly."
                )
            if opened.authcrypt:
                authcrypt, sender_kid = True, opened.sender_kid
            else:
                anoncrypt = True
            recipient_kid = recipient_kid or opened.recipient_kid
            current = opened.plaintext
        elif "signatures" in obj or "payload" in obj:
            if signed:
                raise MalformedMessageError("The message is signed twice.")
            current, signer_kid = _verify(obj, resolve)
            signed = True
        else:
            message = Message.from_parsed(obj)
            break
    if signed and (anoncrypt or authcrypt) and not message.to:
        raise MalformedMessageError(
            "A signed message inside encryption must name its recipients in 'to'."
        )
    sender_did = None if message.from_ is None else did_of(message.from_)
    if sender_kid is not None and did_of(sender_kid) != sender_did:
        raise FromMismatchError("The message 'from' is not the DID of its 'skid'.")
    if signer_kid is not None and did_of(signer_kid) != sender_did:
        raise SignerNotSenderError("The message 'from' is not the signer's DID.")
    if recipient_kid is not None and message.to:
        if did_of(recipient_kid) not in {did_of(item) for item in message.to}:
            raise RecipientKeyMismatchError(
                "The message 'to' does not name the DID it was encrypted for."
            )
    moment = now if now is not None else datetime.now(UTC)
    if message.expires_time is not None and message.expires_time < moment.timestamp():
        raise MessageExpiredError(f"The message {message.id!r} has expired.")
    _check_attachments(message, max_attachment_bytes)
    from_prior = None
    if message.from_prior is not None:
        if message.from_ is None:
            raise InvalidFromPriorError("The message's 'from_prior' cannot be checked.")
        if check_from_prior is None:
            from ssi.messaging import rotation

            from_prior = rotation.check_from_prior(
                message.from_prior,
                message.from_,
                resolve,
                log=rotation.attached_log(message),
                now=moment,
            )
        else:
            from_prior = check_from_prior(message.from_prior, message.from_, resolve)
    return Unpacked(
        message=message,
        encrypted=anoncrypt or authcrypt,
        anoncrypt=anoncrypt,
        authcrypt=authcrypt,
        sender_kid=sender_kid,
        signed=signed,
        signer_kid=signer_kid,
        recipient_kid=recipient_kid,
        from_prior=from_prior,
        forwarded=message.type == FORWARD_TYPE,
    )
