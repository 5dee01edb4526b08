"""Migrating a schema 1 wallet to schema 2, on the first unlock.

Under the writer's lock: the schema 1 file is read again and every record
authenticated; its exact bytes are copied to :data:`SCHEMA1_BACKUP` next to
the wallet (atomically, mode 0600); then the schema 2 file (same wallet id,
KDF parameters and data key, every record sealed again under an opaque id,
version 1) replaces ``wallet.json`` atomically. A process killed at any step
leaves either the schema 1 wallet or the schema 2 wallet, each complete; the
next unlock finishes the job.

Spec: docs/wallet.md (Migration from schema 1)
"""

from __future__ import annotations

from ssi.errors import WrongPassphraseError
from ssi.wallet.crypto import open_box, seal
from ssi.wallet.sealing import build_file, open_file
from ssi.wallet.storage import SCHEMA1_COPY, Storage
from ssi.wallet.walletfile import SCHEMA_VERSION, WalletFile

__all__ = ["SCHEMA1_BACKUP", "checkpoint", "migrate"]

SCHEMA1_BACKUP = SCHEMA1_COPY
"""The copy of the schema 1 wallet a migration leaves next to the wallet."""


def checkpoint(step: str) -> None:
    """Mark a step of the migration (the kill tests replace this function)."""


def migrate(storage: Storage, passphrase_key: bytes, data_key: bytes) -> WalletFile:
    """Rewrite a schema 1 wallet as schema 2, keeping a copy of the old file.

    Returns the file now on disk (already schema 2 if another process
    migrated it first).

    Raises:
        WrongPassphraseError: the file changed since it was unlocked.
        WalletCorruptedError: a schema 1 record does not authenticate.
        WalletAccessError: a file cannot be written (the wallet is unchanged).
    """
    with storage.locked():
        raw = storage.read_bytes()
        file = WalletFile.from_bytes(raw)
        if file.schema == SCHEMA_VERSION:
            return file
        open_box(
            passphrase_key,
            file.data_key,
            file.header_aad(),
            WrongPassphraseError(
                "the wallet changed while it was being opened; open it again."
            ),
        )
        envelopes = open_file(file, data_key)
        checkpoint("before-backup")
        storage.write_bytes_to(
            storage.home / SCHEMA1_BACKUP,
            raw,
            lambda step: checkpoint("backup-" + step),
        )
        checkpoint("backup-written")
        upgraded = WalletFile(file.wallet_id, file.kdf, file.data_key, version=1)
        upgraded.data_key = seal(passphrase_key, data_key, upgraded.header_aad())
        build_file(upgraded, data_key, envelopes, resealing=True)
        storage.write(upgraded, lambda step: checkpoint("wallet-" + step))
        checkpoint("done")
        return upgraded
