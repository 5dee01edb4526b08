"""Passphrases: the minimum length, unlocking the data key, and changing the
passphrase (a new salt, a new data key, every record sealed again).

Spec: https://www.rfc-editor.org/rfc/rfc9106 (Argon2), docs/wallet.md
(Passphrase and cost)
"""

from __future__ import annotations

from ssi.errors import PassphraseTooShortError, WrongPassphraseError
from ssi.wallet.crypto import (
    KDFParams,
    SealedBox,
    derive_key,
    new_data_key,
    open_box,
    seal,
)
from ssi.wallet.records import SealedRecordStore
from ssi.wallet.sealing import build_file
from ssi.wallet.walletfile import WalletFile

__all__ = [
    "MIN_PASSPHRASE_LENGTH",
    "change_passphrase",
    "check_new_passphrase",
    "unlock",
]

MIN_PASSPHRASE_LENGTH = 8
"""Fewest characters (Unicode code points) a new wallet or backup passphrase has."""


def check_new_passphrase(passphrase: str) -> None:
    """Refuse a new passphrase shorter than :data:`MIN_PASSPHRASE_LENGTH`.

    Raises:
        TypeError: it is not a string.
        PassphraseTooShortError: it is too short.
    """
    if not isinstance(passphrase, str):
        raise ValueError("a passphrase must be a string")
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise PassphraseTooShortError(
            f"a passphrase needs at least {MIN_PASSPHRASE_LENGTH} characters; "
            f"this one has {len(passphrase)}."
        )


def unlock(file: WalletFile, passphrase: str) -> tuple[bytes, bytes]:
    """Derive the passphrase key (one Argon2id run) and open the data key.

    Returns ``(passphrase key, data key)``.

    Raises:
        WrongPassphraseError: the passphrase does not open the file (or its
            header was altered).
    """
    key = derive_key(passphrase, file.kdf)
    data_key = open_box(
        key,
        file.data_key,
        file.header_aad(),
        WrongPassphraseError("the passphrase does not open this wallet."),
    )
    return key, data_key


def change_passphrase(
    store: SealedRecordStore, new_passphrase: str, kdf: KDFParams | None
) -> None:
    """Re-seal the whole wallet under a new passphrase, salt and data key, in
    one atomic replacement; the store switches to the new key once written.

    Raises:
        PassphraseTooShortError: the new passphrase is too short.
        WalletAccessError: the file cannot be written (nothing changed).
    """
    check_new_passphrase(new_passphrase)
    new_key = new_data_key()
    with store.transaction() as transaction:
        envelopes = transaction.envelopes()
        file = transaction.file
        params = (kdf or file.kdf).with_new_salt()
        sealed: SealedBox = seal(
            derive_key(new_passphrase, params),
            new_key,
            WalletFile(file.wallet_id, params, file.data_key).header_aad(),
        )
        changed = WalletFile(file.wallet_id, params, sealed, version=file.version + 1)
        build_file(changed, new_key, envelopes, resealing=True)
        store.storage.write(changed)
    # Only once the file holds the new key does the store switch to it.
    store.rekey(new_key, sealed)
    store.version_seen = changed.version
