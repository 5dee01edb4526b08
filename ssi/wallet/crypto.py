"""Wallet encryption: Argon2id to derive a key from the passphrase, AES-256-GCM
for every record.

The passphrase-derived key only wraps a random data key; records are sealed
with the data key, each under a fresh 96-bit nonce and bound (as associated
data) to the wallet and the record, so a record cannot be moved or renamed
without failing authentication.

Schema 2 derives three keys from the data key with HKDF-SHA256 (one per
purpose, see :class:`RecordKeys`): records are sealed under the first, their
opaque on-disk ids are HMAC-SHA256 tags under the second, and the set MAC of
the header is an HMAC-SHA256 under the third.

Spec: https://www.rfc-editor.org/rfc/rfc9106 (Argon2),
https://nvlpubs.nist.gov/nistpubs/Legacy/SP/nistspecialpublication800-38d.pdf (GCM),
https://www.rfc-editor.org/rfc/rfc5869 (HKDF), https://www.rfc-editor.org/rfc/rfc2104
(HMAC), docs/wallet.md (Schema 2)
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ssi.encoding import decode_base64url, encode_base64url
from ssi.errors import EncodingError, SSIError, WalletCorruptedError
from ssi.types import JsonObject

__all__ = [
    "KDF_PROFILES",
    "TAG_BYTES",
    "KDFParams",
    "RecordKeys",
    "SealedBox",
    "derive_key",
    "new_data_key",
    "open_box",
    "seal",
]

_NONCE = 12
_KEY = 32
TAG_BYTES = 16
"""Bytes an AES-GCM ciphertext adds to its plaintext (the authentication tag)."""
_RECORD_INFO = b"agora-wallet/v2/record-encryption"
_ID_INFO = b"agora-wallet/v2/record-id"
_SET_INFO = b"agora-wallet/v2/record-set-mac"


@dataclass(frozen=True, slots=True)
class KDFParams:
    """Argon2id parameters, stored in the wallet next to the data they protect.

    ``memory_kib`` is the memory cost in KiB, ``iterations`` the time cost,
    ``lanes`` the parallelism; ``salt`` is 16 random bytes.
    """

    memory_kib: int
    iterations: int
    lanes: int
    salt: bytes

    @classmethod
    def profile(cls, name: str) -> KDFParams:
        """Return fresh parameters (new salt) for a named cost profile.

        Raises:
            ValueError: the profile is unknown.
        """
        try:
            memory, iterations, lanes = KDF_PROFILES[name]
        except KeyError:
            raise ValueError(f"unknown KDF profile {name!r}") from None
        return cls(memory, iterations, lanes, secrets.token_bytes(16))

    def with_new_salt(self) -> KDFParams:
        """Return the same costs with a fresh salt."""
        return KDFParams(
            self.memory_kib, self.iterations, self.lanes, secrets.token_bytes(16)
        )

    def to_json(self) -> JsonObject:
        """Return the parameters as stored in the wallet file."""
        return {
            "name": "argon2id",
            "memoryKiB": self.memory_kib,
            "iterations": self.iterations,
            "lanes": self.lanes,
            "salt": encode_base64url(self.salt),
        }

    @classmethod
    def from_json(cls, value: object) -> KDFParams:
        """Read stored parameters, refusing values out of sane bounds.

        Raises:
            WalletCorruptedError: the parameters are malformed or absurd.
        """
        if not isinstance(value, dict) or value.get("name") != "argon2id":
            raise WalletCorruptedError(
                "the wallet's key derivation parameters are unreadable."
            )
        try:
            memory, iterations, lanes = (
                value["memoryKiB"],
                value["iterations"],
                value["lanes"],
            )
            salt = decode_base64url(value["salt"])
        except (KeyError, TypeError, EncodingError) as exc:
            raise WalletCorruptedError(
                "the wallet's key derivation parameters are unreadable."
            ) from exc
        for number, low, high in (
            (memory, 8, 4 * 1024 * 1024),
            (iterations, 1, 64),
            (lanes, 1, 64),
        ):
            if type(number) is not int or not low <= number <= high:
                raise WalletCorruptedError(
                    "the wallet's key derivation parameters are out of range."
                )
        if len(salt) < 16 or memory < 8 * lanes:
            raise WalletCorruptedError("the wallet's key derivation salt is unusable.")
        return cls(memory, iterations, lanes, salt)


KDF_PROFILES: dict[str, tuple[int, int, int]] = {
    "standard": (128 * 1024, 3, 4),
    "test": (64, 1, 1),
}
"""Cost profiles: ``standard`` (128 MiB, 3 passes, 4 lanes: about 0.25 s to unlock
on the development machine; ``make bench`` measures it) and ``test`` (cheap, for
automated tests only; never for a wallet that holds real keys)."""


def derive_key(passphrase: str, params: KDFParams) -> bytes:
    """Derive the 32-byte key-encryption key from a passphrase with Argon2id."""
    kdf = Argon2id(
        salt=params.salt,
        length=_KEY,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return kdf.derive(passphrase.encode("utf-8"))


def new_data_key() -> bytes:
    """Return a fresh random 32-byte data key."""
    return secrets.token_bytes(_KEY)


@dataclass(frozen=True, slots=True)
class SealedBox:
    """A nonce and an AES-256-GCM ciphertext (with its tag)."""

    nonce: bytes
    ciphertext: bytes

    def to_json(self) -> JsonObject:
        """Return the box as stored: base64url nonce and ciphertext."""
        return {
            "nonce": encode_base64url(self.nonce),
            "ciphertext": encode_base64url(self.ciphertext),
        }

    @classmethod
    def from_json(cls, value: object, what: str) -> SealedBox:
        """Read a stored box.

        Raises:
            WalletCorruptedError: the box is malformed.
        """
        try:
            if not isinstance(value, dict):
                raise TypeError(what)
            nonce = decode_base64url(value["nonce"])
            ciphertext = decode_base64url(value["ciphertext"])
        except (KeyError, TypeError, EncodingError) as exc:
            raise WalletCorruptedError(f"{what} is unreadable.") from exc
        if len(nonce) != _NONCE or len(ciphertext) < 16:
            raise WalletCorruptedError(f"{what} is unreadable.")
        return cls(nonce, ciphertext)


def seal(key: bytes, plaintext: bytes, associated_data: bytes) -> SealedBox:
    """Encrypt and authenticate ``plaintext`` under a fresh random nonce."""
    nonce = secrets.token_bytes(_NONCE)
    return SealedBox(nonce, AESGCM(key).encrypt(nonce, plaintext, associated_data))


def open_box(
    key: bytes, box: SealedBox, associated_data: bytes, failure: SSIError
) -> bytes:
    """Decrypt and authenticate a box, or raise ``failure``.

    The caller names the failure: a wrong passphrase for the wrapped data key,
    a damaged record for the others.

    Raises:
        SSIError: ``failure``, when the box does not authenticate.
    """
    try:
        return AESGCM(key).decrypt(box.nonce, box.ciphertext, associated_data)
    except InvalidTag as exc:
        raise failure from exc


def _hkdf(data_key: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=_KEY, salt=None, info=info).derive(
        data_key
    )


def _hmac(key: bytes, message: bytes) -> bytes:
    tag = hmac.HMAC(key, hashes.SHA256())
    tag.update(message)
    return tag.finalize()


@dataclass(frozen=True, slots=True, repr=False)
class RecordKeys:
    """The schema 2 keys derived from a data key with HKDF-SHA256 (no salt).

    ``encryption`` (info ``agora-wallet/v2/record-encryption``) seals records,
    ``record_id`` (info ``agora-wallet/v2/record-id``) makes opaque ids and
    ``record_set`` (info ``agora-wallet/v2/record-set-mac``) makes the set MAC.

    Spec: https://www.rfc-editor.org/rfc/rfc5869, docs/wallet.md (Schema 2)
    """

    encryption: bytes
    record_id: bytes
    record_set: bytes

    def __repr__(self) -> str:
        return "RecordKeys(...)"

    @classmethod
    def derive(cls, data_key: bytes) -> RecordKeys:
        """Derive the three keys from a wallet's (or a backup's) data key."""
        return cls(
            _hkdf(data_key, _RECORD_INFO),
            _hkdf(data_key, _ID_INFO),
            _hkdf(data_key, _SET_INFO),
        )

    def opaque_id(self, kind: str, record_id: str) -> str:
        """Return the on-disk id of a record: base64url(HMAC-SHA256(id key,
        UTF-8 of ``kind``, a zero byte, UTF-8 of ``record_id``))."""
        message = kind.encode("utf-8") + b"\0" + record_id.encode("utf-8")
        return encode_base64url(_hmac(self.record_id, message))

    def set_mac(self, message: bytes) -> bytes:
        """Return HMAC-SHA256 of ``message`` under the set key."""
        return _hmac(self.record_set, message)

    def check_set_mac(self, message: bytes, tag: bytes) -> bool:
        """True when ``tag`` is the set MAC of ``message`` (constant time)."""
        check = hmac.HMAC(self.record_set, hashes.SHA256())
        check.update(message)
        try:
            check.verify(tag)
        except InvalidSignature:
            return False
        return True
