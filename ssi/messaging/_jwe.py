"""The JWE machinery of DIDComm encryption, composed from maintained libraries.

- Content encryption: ``A256CBC-HS512`` and ``A256GCM`` by jwcrypto
  (``jwcrypto.jwa.JWA``), ``XC20P`` (XChaCha20-Poly1305) by PyNaCl (libsodium).
- Key agreement: X25519, P-256, P-384 or P-521 ECDH through the
  :class:`ssi.keys.KeyAgreer` seam (``cryptography`` underneath); ``Z`` is
  32, 32, 48 or 66 bytes, the KEK 256 bits for every curve.
- Key derivation: the Concat KDF with SHA-256 (``cryptography``'s
  ``ConcatKDFHash``), its ``otherinfo`` laid out by RFC 7518 section 4.6.2 and,
  for ECDH-1PU, draft-madden-jose-ecdh-1pu-04 section 2.3 (the tag appended
  to ``SuppPubInfo`` in key-wrapping mode).
- Key wrap: AES key wrap (RFC 3394, ``cryptography``'s ``aes_key_wrap``).

jwcrypto's own JWE cannot be used whole: it gives each recipient its own
ephemeral key, where DIDComm requires one ``epk`` in the protected header for
all recipients, and it has no ECDH-1PU.

Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#ecdh-1pu-key-wrapping-and-common-protected-headers,
https://www.rfc-editor.org/rfc/rfc7518#section-4.6,
https://datatracker.ietf.org/doc/html/draft-madden-jose-ecdh-1pu-04
"""

from __future__ import annotations

import hashlib
import secrets
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import nacl.bindings
import nacl.exceptions
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash
from cryptography.hazmat.primitives.keywrap import (
    InvalidUnwrap,
    aes_key_unwrap,
    aes_key_wrap,
)
from jwcrypto.common import JWException
from jwcrypto.jwa import JWA

from ssi.encoding import encode_base64url
from ssi.messaging.errors import (
    DecryptionFailedError,
    UnsupportedMessagingAlgorithmError,
)

__all__ = [
    "ANONCRYPT_ALG",
    "AUTHCRYPT_ALG",
    "CONTENT_ENCRYPTIONS",
    "Sealed",
    "apv_digest",
    "apv_for",
    "decrypt_content",
    "derive_kek",
    "encrypt_content",
    "kdf_other_info",
    "unwrap_key",
    "wrap_key",
]

ANONCRYPT_ALG: Final = "ECDH-ES+A256KW"
AUTHCRYPT_ALG: Final = "ECDH-1PU+A256KW"
CONTENT_ENCRYPTIONS: Final = ("A256CBC-HS512", "A256GCM", "XC20P")
"""The content encryptions DIDComm lists: required, recommended, optional."""

_CEK_BYTES: Final = {"A256CBC-HS512": 64, "A256GCM": 32, "XC20P": 32}
_XC20P_NONCE: Final = 24
_KEK_BITS: Final = 256


@dataclass(frozen=True, slots=True)
class Sealed:
    """The output of content encryption: ``iv``, ``ciphertext`` and ``tag``."""

    iv: bytes
    ciphertext: bytes
    tag: bytes


def _check_enc(enc: str) -> None:
    if enc not in _CEK_BYTES:
        raise UnsupportedMessagingAlgorithmError(
            f"The content encryption {enc!r} is not supported."
        )


def new_cek(enc: str) -> bytes:
    """Return a fresh content-encryption key for ``enc``."""
    _check_enc(enc)
    return secrets.token_bytes(_CEK_BYTES[enc])


def encrypt_content(enc: str, cek: bytes, aad: bytes, plaintext: bytes) -> Sealed:
    """Encrypt ``plaintext`` with ``cek`` under ``enc``, authenticating ``aad``."""
    _check_enc(enc)
    if enc == "XC20P":
        nonce = secrets.token_bytes(_XC20P_NONCE)
        sealed = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
            plaintext, aad, nonce, cek
        )
        return Sealed(nonce, sealed[:-16], sealed[-16:])
    iv, ciphertext, tag = JWA.encryption_alg(enc).encrypt(cek, aad, plaintext)
    return Sealed(iv, ciphertext, tag)


def decrypt_content(enc: str, cek: bytes, aad: bytes, sealed: Sealed) -> bytes:
    """Decrypt and authenticate; every failure is one opaque error.

    Raises:
        UnsupportedMessagingAlgorithmError: ``enc`` is not supported.
        DecryptionFailedError: the tag does not authenticate.
    """
    _check_enc(enc)
    if len(cek) != _CEK_BYTES[enc]:
        raise DecryptionFailedError("The message could not be decrypted.")
    try:
        if enc == "XC20P":
            if len(sealed.iv) != _XC20P_NONCE:
                raise DecryptionFailedError("The message could not be decrypted.")
            plain: bytes = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
                sealed.ciphertext + sealed.tag, aad, sealed.iv, cek
            )
            return plain
        out: bytes = JWA.encryption_alg(enc).decrypt(
            cek, aad, sealed.iv, sealed.ciphertext, sealed.tag
        )
        return out
    except (
        JWException,
        InvalidSignature,
        InvalidTag,
        nacl.exceptions.CryptoError,
        ValueError,
    ) as exc:
        raise DecryptionFailedError("The message could not be decrypted.") from exc


def _length_prefixed(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def kdf_other_info(alg: str, apu: bytes, apv: bytes, tag: bytes | None) -> bytes:
    """Return the Concat KDF ``otherinfo`` of an envelope (the same for all
    its recipients): AlgorithmID (``alg``) || PartyUInfo (``apu``) ||
    PartyVInfo (``apv``) || SuppPubInfo (keydatalen = 256, as 32-bit big
    endian; for ECDH-1PU followed by the length-prefixed ``tag``), each of
    the first three prefixed by its 32-bit big-endian length; SuppPrivInfo
    is empty.

    Spec: https://www.rfc-editor.org/rfc/rfc7518#section-4.6.2,
    https://datatracker.ietf.org/doc/html/draft-madden-jose-ecdh-1pu-04#section-2.3
    """
    supp_pub = struct.pack(">I", _KEK_BITS)
    if tag is not None:
        supp_pub += _length_prefixed(tag)
    return (
        _length_prefixed(alg.encode("ascii"))
        + _length_prefixed(apu)
        + _length_prefixed(apv)
        + supp_pub
    )


def derive_kek(shared: bytes, other_info: bytes) -> bytes:
    """Derive the 256-bit key-encryption key with the Concat KDF (SHA-256).

    ``shared`` is Z (ECDH-ES) or Ze || Zs (ECDH-1PU); ``other_info`` is
    :func:`kdf_other_info` of the envelope.

    Spec: https://www.rfc-editor.org/rfc/rfc7518#section-4.6.2
    """
    kdf = ConcatKDFHash(
        algorithm=hashes.SHA256(), length=_KEK_BITS // 8, otherinfo=other_info
    )
    return kdf.derive(shared)


def wrap_key(kek: bytes, cek: bytes) -> bytes:
    """Wrap the content-encryption key with AES key wrap (A256KW)."""
    return aes_key_wrap(kek, cek)


def unwrap_key(kek: bytes, wrapped: bytes) -> bytes:
    """Unwrap the content-encryption key.

    Raises:
        DecryptionFailedError: the wrapped key does not check.
    """
    try:
        return aes_key_unwrap(kek, wrapped)
    except (InvalidUnwrap, ValueError) as exc:
        raise DecryptionFailedError("The message could not be decrypted.") from exc


def apv_digest(kids: Sequence[str]) -> bytes:
    """Return the bytes of ``apv``: SHA-256(the recipients' kids, sorted,
    joined by ``.``).

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#ecdh-es-key-wrapping-and-common-protected-headers
    """
    joined = ".".join(sorted(kids)).encode("utf-8")
    return hashlib.sha256(joined).digest()


def apv_for(kids: Sequence[str]) -> str:
    """Return ``apv`` as the header carries it: base64url of :func:`apv_digest`.

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#ecdh-es-key-wrapping-and-common-protected-headers
    """
    return encode_base64url(apv_digest(kids))
