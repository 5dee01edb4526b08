"""The errors of DIDComm messaging: one class, and one code, per failure.

Every class derives from :class:`MessagingError` (an :class:`ssi.errors.SSIError`),
so callers catch one class and read ``code``; the problem ``type`` is
``urn:agora:error:<code>``.

::

    MessagingError                      malformedMessage (base)
    ├── MalformedMessageError           malformedMessage
    ├── MessageTooLargeError            messageTooLarge
    ├── AttachmentTooLargeError         attachmentTooLarge
    ├── UnsupportedMessagingAlgorithmError  unsupportedAlgorithm
    ├── NotForYouError                  notForYou
    ├── DecryptionFailedError           decryptionFailed
    ├── RecipientKeyMismatchError       recipientKeyMismatch
    ├── SenderKeyNotInDocumentError     senderKeyNotInDocument
    ├── SkidMismatchError               skidMismatch
    ├── FromMismatchError               fromMismatch
    ├── SignatureInvalidError           signatureInvalid
    ├── SignerNotSenderError            signerNotSender
    ├── MessageExpiredError             messageExpired
    ├── InvalidFromPriorError           invalidFromPrior
    ├── ForwardInvalidError             forwardInvalid
    └── UnresolvableDIDError            unresolvableDid

Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#problem-reports,
docs/messaging.md
"""

from __future__ import annotations

from typing import ClassVar

from ssi.errors import SSIError

__all__ = [
    "AttachmentTooLargeError",
    "DecryptionFailedError",
    "ForwardInvalidError",
    "FromMismatchError",
    "InvalidFromPriorError",
    "MalformedMessageError",
    "MessageExpiredError",
    "MessageTooLargeError",
    "MessagingError",
    "NotForYouError",
    "RecipientKeyMismatchError",
    "SenderKeyNotInDocumentError",
    "SignatureInvalidError",
    "SignerNotSenderError",
    "SkidMismatchError",
    "UnresolvableDIDError",
    "UnsupportedMessagingAlgorithmError",
]

_AGORA = "urn:agora:error:"


class MessagingError(SSIError):
    """A DIDComm message could not be packed or unpacked; ``code`` says why.

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/
    """

    code: ClassVar[str] = "malformedMessage"
    type_uri: ClassVar[str] = _AGORA + "malformedMessage"
    title: ClassVar[str] = "Messaging error"

    def __init_subclass__(cls, **kwargs: object) -> None:
        """Give each subclass the problem type URI of its own code."""
        super().__init_subclass__(**kwargs)
        cls.type_uri = _AGORA + cls.code


class MalformedMessageError(MessagingError):
    """A message or envelope is not well-formed: bad JSON, a wrong type, a
    missing member, too deep a nesting, or an unknown envelope.

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#message-headers
    """

    code = "malformedMessage"
    title = "Malformed message"


class MessageTooLargeError(MessagingError):
    """A packed or plaintext message is over the size cap (``max_bytes``)."""

    code = "messageTooLarge"
    title = "Message too large"


class AttachmentTooLargeError(MessagingError):
    """An attachment's inline data is over the attachment size cap."""

    code = "attachmentTooLarge"
    title = "Attachment too large"


class UnsupportedMessagingAlgorithmError(MessagingError):
    """An envelope names an algorithm, curve or media type we do not support.

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#curves-and-content-encryption-algorithms
    """

    code = "unsupportedAlgorithm"
    title = "Unsupported algorithm"


class NotForYouError(MessagingError):
    """No recipient of an encrypted message is one of the caller's keys."""

    code = "notForYou"
    title = "Message not for this recipient"


class DecryptionFailedError(MessagingError):
    """Decryption failed: the tag, ciphertext, protected header or wrapped key
    was altered. Deliberately opaque about which.
    """

    code = "decryptionFailed"
    title = "Decryption failed"


class RecipientKeyMismatchError(MessagingError):
    """A recipient ``kid`` is not a ``keyAgreement`` key of the DID it names,
    or its key differs from the key that decrypted, or the plaintext ``to``
    does not name the recipient DID.

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#message-layer-addressing-consistency
    """

    code = "recipientKeyMismatch"
    title = "Recipient key mismatch"


class SenderKeyNotInDocumentError(MessagingError):
    """The sender key (``skid``, or a signer ``kid``) is not listed in the
    sender's DID document under the relationship it needs.

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#key-ids-kid-and-skid-headers-references-in-the-did-document
    """

    code = "senderKeyNotInDocument"
    title = "Sender key not in DID document"


class SkidMismatchError(MessagingError):
    """The ``skid`` header disagrees with ``apu``.

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#message-layer-addressing-consistency
    """

    code = "skidMismatch"
    title = "Sender key id mismatch"


class FromMismatchError(MessagingError):
    """The plaintext ``from`` is not the DID of the authcrypt sender key
    (``skid``).

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#message-layer-addressing-consistency
    """

    code = "fromMismatch"
    title = "Sender does not match from"


class SignatureInvalidError(MessagingError):
    """A signed message's signature does not verify. Deliberately opaque."""

    code = "signatureInvalid"
    title = "Invalid signature"


class SignerNotSenderError(MessagingError):
    """The signer's DID is not the plaintext ``from``, or not the authcrypt
    sender.

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#message-layer-addressing-consistency
    """

    code = "signerNotSender"
    title = "Signer is not the sender"


class MessageExpiredError(MessagingError):
    """The message's ``expires_time`` has passed."""

    code = "messageExpired"
    title = "Message expired"


class InvalidFromPriorError(MessagingError):
    """A ``from_prior`` rotation JWT is malformed, unsigned by the prior DID,
    or does not name the message's ``from`` as its ``sub``.

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#did-rotation
    """

    code = "invalidFromPrior"
    title = "Invalid from_prior"


class ForwardInvalidError(MessagingError):
    """A routing ``forward`` message is malformed.

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#routing-protocol-20
    """

    code = "forwardInvalid"
    title = "Invalid forward message"


class UnresolvableDIDError(MessagingError):
    """A DID the message names (sender, recipient, signer) does not resolve."""

    code = "unresolvableDid"
    title = "Unresolvable DID"
