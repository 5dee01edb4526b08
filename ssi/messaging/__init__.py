"""DIDComm Messaging v2.1: plaintext, signed, anoncrypt and authcrypt messages
between DIDs.

Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/, docs/messaging.md
"""

from ssi.messaging.errors import (
    AttachmentTooLargeError,
    DecryptionFailedError,
    ForwardInvalidError,
    FromMismatchError,
    InvalidFromPriorError,
    MalformedMessageError,
    MessageExpiredError,
    MessageTooLargeError,
    MessagingError,
    NotForYouError,
    RecipientKeyMismatchError,
    SenderKeyNotInDocumentError,
    SignatureInvalidError,
    SignerNotSenderError,
    SkidMismatchError,
    UnresolvableDIDError,
    UnsupportedMessagingAlgorithmError,
)
from ssi.messaging.keys import (
    DidResolver,
    authentication_key,
    default_resolver,
    key_agreement_keys,
)
from ssi.messaging.message import (
    ENCRYPTED,
    PLAINTEXT,
    SIGNED,
    Attachment,
    FromPrior,
    Message,
)
from ssi.messaging.pack import (
    MAX_ATTACHMENT_BYTES,
    MAX_MESSAGE_BYTES,
    pack_anoncrypt,
    pack_authcrypt,
    pack_plaintext,
    pack_signed,
)
from ssi.messaging.unpack import FORWARD_TYPE, FromPriorChecker, Unpacked, unpack

__all__ = [
    "ENCRYPTED",
    "FORWARD_TYPE",
    "MAX_ATTACHMENT_BYTES",
    "MAX_MESSAGE_BYTES",
    "PLAINTEXT",
    "SIGNED",
    "Attachment",
    "AttachmentTooLargeError",
    "DecryptionFailedError",
    "DidResolver",
    "ForwardInvalidError",
    "FromMismatchError",
    "FromPrior",
    "FromPriorChecker",
    "InvalidFromPriorError",
    "MalformedMessageError",
    "Message",
    "MessageExpiredError",
    "MessageTooLargeError",
    "MessagingError",
    "NotForYouError",
    "RecipientKeyMismatchError",
    "SenderKeyNotInDocumentError",
    "SignatureInvalidError",
    "SignerNotSenderError",
    "SkidMismatchError",
    "Unpacked",
    "UnresolvableDIDError",
    "UnsupportedMessagingAlgorithmError",
    "authentication_key",
    "default_resolver",
    "key_agreement_keys",
    "pack_anoncrypt",
    "pack_authcrypt",
    "pack_plaintext",
    "pack_signed",
    "unpack",
]
