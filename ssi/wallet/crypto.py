"""Wallet encryption: Argon2id to derive a key from the passphrase, AES-256-GCM
for every record.

The passphrase-derived key only wraps a random data key; records are sealed
with the data key, each under a fresh 96-bit nonce and bound (as associated
data) to the wallet and the record, so a record cannot be moved or renamed
without failing authentication.

Spec: https://www.rfc-editor.org/rfc/rfc9106 (Argon2),
https://nvlpubs.nist.gov/nistpubs/Legacy/SP/nistspecialpublication800-38d.pdf (GCM)
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from ssi.encoding import decode_base64url, encode_base64url
from ssi.errors import EncodingError, SSIError, WalletCorruptedError
from ssi.types import JsonObject

__all__ = [
    "KDF_PROFILES",
    "KDFParams",
    "SealedBox",
    "derive_key",
    "new_data_key",
    "open_box",
    "seal",
]

_NONCE = 12
_KEY = 32


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
