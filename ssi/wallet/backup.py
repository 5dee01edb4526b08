"""Backups: the whole wallet in one file, sealed under a backup passphrase.

A backup has the schema 2 wallet format with its own salt and data key (so
its record ids differ from the wallet's); importing also reads schema 1
backups. Import merges: nothing already in the wallet is overwritten.

Spec: docs/wallet.md (Backups)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ssi.errors import RecordTooLargeError
from ssi.types import JsonObject
from ssi.wallet.crypto import derive_key, new_data_key, seal
from ssi.wallet.passphrase import check_new_passphrase, unlock
from ssi.wallet.records import SealedRecordStore
from ssi.wallet.sealing import build_file, open_file
from ssi.wallet.storage import Storage
from ssi.wallet.walletfile import WalletFile, header_aad

__all__ = ["ImportSummary", "export_backup", "import_backup"]


@dataclass(slots=True)
class ImportSummary:
    """What :meth:`Wallet.import_backup` did with each record id."""

    added: list[str]
    unchanged: list[str]
    conflicts: list[str]

    def __init__(self) -> None:
        self.added, self.unchanged, self.conflicts = [], [], []

    def to_json(self) -> JsonObject:
        """Return the summary as JSON."""
        return {
            "added": self.added,
            "unchanged": self.unchanged,
            "conflicts": self.conflicts,
        }


def export_backup(store: SealedRecordStore, path: Path, passphrase: str) -> int:
    """Write every record to one file sealed under ``passphrase``; return the
    number of records.

    Raises:
        PassphraseTooShortError: the backup passphrase is too short.
        WalletAccessError: the backup cannot be written.
    """
    check_new_passphrase(passphrase)
    snapshot = store.snapshot()
    envelopes = snapshot.envelopes()
    file = snapshot.file
    params = file.kdf.with_new_salt()
    backup_key = new_data_key()
    sealed = seal(
        derive_key(passphrase, params),
        backup_key,
        header_aad(file.wallet_id, params),
    )
    backup = WalletFile(file.wallet_id, params, sealed, version=1)
    build_file(backup, backup_key, envelopes, resealing=True)
    Storage(path.parent).write_to(path, backup)
    return len(envelopes)


def import_backup(
    store: SealedRecordStore, path: Path, passphrase: str
) -> ImportSummary:
    """Merge a backup (schema 1 or 2) into the store.

    Records new to the wallet are added; identical ones are skipped; a record
    whose id or alias is taken by different content is a conflict and left
    out, and so is a DID whose key was left out.

    Raises:
        WalletNotFoundError, WrongPassphraseError, WalletCorruptedError,
        WalletTamperedError, WalletVersionError: the backup cannot be opened.
    """
    backup = Storage(path.parent).read_from(path)
    _, backup_key = unlock(backup, passphrase)
    incoming = open_file(backup, backup_key)
    summary = ImportSummary()
    aliases: dict[str, set[object]] = {}
    with store.transaction() as transaction:
        # Keys first, so that each DID can be checked against its key.
        for envelope in sorted(incoming, key=lambda e: e.kind != "key"):
            kind, record_id, data = envelope.kind, envelope.id, envelope.data
            existing = transaction.get(kind, record_id)
            if existing is not None:
                target = summary.unchanged if existing == data else summary.conflicts
                target.append(record_id)
                continue
            alias = data.get("alias")
            if kind not in aliases:
                aliases[kind] = {d.get("alias") for _, d in transaction.records(kind)}
            if alias is not None and alias in aliases[kind]:
                summary.conflicts.append(record_id)
                continue
            if kind == "did" and transaction.get("key", str(data.get("keyId"))) is None:
                summary.conflicts.append(record_id)
                continue
            try:
                transaction.put(kind, record_id, data)
            except RecordTooLargeError:
                # A schema 1 backup may hold a record over today's limit.
                summary.conflicts.append(record_id)
                continue
            aliases[kind].add(alias)
            summary.added.append(record_id)
    return summary
