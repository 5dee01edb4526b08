"""The record store behind the wallet: typed records, read and written in
transactions over one sealed file.

A :class:`Transaction` gives ``get`` / ``put`` / ``delete`` / ``records`` on the
latest file. :meth:`RecordStore.transaction` holds the writer's lock for the
whole block and writes the file once at the end (only if something changed);
:meth:`RecordStore.snapshot` reads without the lock and refuses writes.

Every read authenticates the whole file: each record (AES-GCM, bound to its
opaque id), the record set MAC and the version, which must never go back
while a store is open. Each record is decrypted at most once per store (a
plaintext is cached under its opaque id and exact ciphertext), so a command
costs O(n) decryptions, not O(n^2).

Spec: docs/wallet.md (Schema 2)
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Protocol

from ssi.errors import WalletCorruptedError, WalletTamperedError, WrongPassphraseError
from ssi.types import JsonObject
from ssi.wallet.crypto import RecordKeys, SealedBox
from ssi.wallet.sealing import (
    TAMPERED_ADVICE,
    Envelope,
    check_record_set,
    open_envelope,
    seal_envelope,
)
from ssi.wallet.storage import Storage
from ssi.wallet.walletfile import SCHEMA_VERSION, StoredRecord, WalletFile

__all__ = ["RecordStore", "SealedRecordStore", "Transaction"]


class Transaction(Protocol):
    """Typed records of one file, read and changed together.

    A record is named by its ``kind`` and its ``record_id`` (which, by the
    wallet's convention, starts with a prefix such as ``did/`` or ``vc/``).
    """

    def get(self, kind: str, record_id: str) -> JsonObject | None:
        """Return a copy of the record's data, or ``None``."""
        ...

    def put(self, kind: str, record_id: str, data: JsonObject) -> None:
        """Store or replace a record (written when the transaction ends).

        Raises:
            RecordTooLargeError: the record is over the size limit.
        """
        ...

    def delete(self, kind: str, record_id: str) -> bool:
        """Remove a record; return whether it was there."""
        ...

    def records(self, kind: str) -> list[tuple[str, JsonObject]]:
        """Return ``(record_id, data)`` for every record of ``kind``, in the
        order they were first stored."""
        ...


class RecordStore(Protocol):
    """Where the wallet keeps its records."""

    def transaction(self) -> AbstractContextManager[Transaction]:
        """Hold the lock, read the latest records, and write once at the end."""
        ...

    def snapshot(self) -> Transaction:
        """Return the latest records for reading (``put``/``delete`` refused)."""
        ...


class _FileTransaction:
    """A :class:`Transaction` over one parsed and authenticated file."""

    def __init__(
        self, store: SealedRecordStore, file: WalletFile, *, writable: bool
    ) -> None:
        self._store = store
        self.file = file
        self._writable = writable
        self.changed = False
        self._added = 0

    def get(self, kind: str, record_id: str) -> JsonObject | None:
        stored = self.file.records.get(self._store.keys.opaque_id(kind, record_id))
        if stored is None:
            return None
        return copy.deepcopy(self._store.open(stored).data)

    def put(self, kind: str, record_id: str, data: JsonObject) -> None:
        self._check_writable()
        opaque = self._store.keys.opaque_id(kind, record_id)
        existing = self.file.records.get(opaque)
        if existing is not None:
            order = self._store.open(existing).order
        else:
            order = (self.file.version + 1, self._added)
            self._added += 1
        envelope = Envelope(kind, record_id, order, copy.deepcopy(data))
        record = seal_envelope(self._store.keys, self.file.wallet_id, envelope)
        self._store.remember(record, envelope)
        self.file.records[opaque] = record
        self.changed = True

    def delete(self, kind: str, record_id: str) -> bool:
        self._check_writable()
        opaque = self._store.keys.opaque_id(kind, record_id)
        if self.file.records.pop(opaque, None) is None:
            return False
        self.changed = True
        return True

    def records(self, kind: str) -> list[tuple[str, JsonObject]]:
        envelopes = [self._store.open(r) for r in self.file.records.values()]
        return [
            (e.id, copy.deepcopy(e.data))
            for e in sorted(envelopes, key=lambda e: e.order)
            if e.kind == kind
        ]

    def envelopes(self) -> list[Envelope]:
        """Every record, in stored order."""
        opened = [self._store.open(r) for r in self.file.records.values()]
        return sorted(opened, key=lambda e: e.order)

    def _check_writable(self) -> None:
        if not self._writable:
            raise ValueError("a snapshot is read-only; use transaction()")


class SealedRecordStore:
    """The :class:`RecordStore` of a wallet file sealed under a data key.

    Args:
        storage: the wallet directory.
        wallet_id: the id the file must carry.
        data_key: the wallet's data key (the keys of :class:`RecordKeys`
            are derived from it).
        sealed_key: the sealed data key the file must carry; another one means
            the passphrase was changed elsewhere.
    """

    def __init__(
        self,
        storage: Storage,
        wallet_id: str,
        data_key: bytes,
        sealed_key: SealedBox | None,
    ) -> None:
        self.storage = storage
        self.wallet_id = wallet_id
        self.data_key = data_key
        self.keys = RecordKeys.derive(data_key)
        self.sealed_key = sealed_key
        self.version_seen = 0
        self._plain: dict[tuple[str, SealedBox], Envelope] = {}

    def __repr__(self) -> str:
        return f"SealedRecordStore(home={str(self.storage.home)!r})"

    def disk_id(self, kind: str, record_id: str) -> str:
        """Return the opaque id the record has in the file."""
        return self.keys.opaque_id(kind, record_id)

    def rekey(self, data_key: bytes, sealed_key: SealedBox) -> None:
        """Switch to a new data key (after a passphrase change was written)."""
        self.data_key, self.sealed_key = data_key, sealed_key
        self.keys = RecordKeys.derive(data_key)
        self._plain.clear()

    def open(self, record: StoredRecord) -> Envelope:
        """Authenticate and decrypt one record (at most once per ciphertext).

        Raises:
            WalletCorruptedError: the record does not authenticate.
        """
        cache_key = (record.id, record.box)
        envelope = self._plain.get(cache_key)
        if envelope is None:
            envelope = open_envelope(self.keys, self.wallet_id, record)
            self._plain[cache_key] = envelope
        return envelope

    def remember(self, record: StoredRecord, envelope: Envelope) -> None:
        """Cache the plaintext of a record just sealed."""
        self._plain[(record.id, record.box)] = envelope

    def read(self) -> WalletFile:
        """Read the latest file and authenticate all of it.

        Raises:
            WalletNotFoundError, WalletAccessError, WalletVersionError: as
                ``Storage.read``.
            WrongPassphraseError: the passphrase was changed since.
            WalletCorruptedError: the file is another wallet's, or a record
                does not authenticate.
            WalletTamperedError: the record set MAC does not match, or the
                version went back.
        """
        file = self.storage.read()
        if file.wallet_id != self.wallet_id:
            raise WalletCorruptedError(
                "the wallet file was replaced by another wallet."
            )
        if file.schema != SCHEMA_VERSION:
            raise WalletTamperedError(
                f"the wallet file was replaced by an older (schema {file.schema}) "
                "copy while it was open; open it again."
            )
        if self.sealed_key is not None and file.data_key != self.sealed_key:
            raise WrongPassphraseError(
                "the wallet's passphrase was changed (or its key altered) since "
                "it was opened; open it again."
            )
        for record in file.records.values():
            self.open(record)
        check_record_set(self.keys, file)
        if file.version < self.version_seen:
            raise WalletTamperedError(
                f"the wallet went back from version {self.version_seen} to "
                f"{file.version} while it was open; " + TAMPERED_ADVICE
            )
        self.version_seen = file.version
        if len(self._plain) > 2 * len(file.records) + 64:
            live = {(r.id, r.box) for r in file.records.values()}
            self._plain = {k: v for k, v in self._plain.items() if k in live}
        return file

    def snapshot(self) -> _FileTransaction:
        """Return the latest records for reading.

        Raises:
            As :meth:`read`.
        """
        return _FileTransaction(self, self.read(), writable=False)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[_FileTransaction]:
        """Hold the lock, read the latest records, write once if anything changed.

        Nothing is written when the block raises.

        Raises:
            As :meth:`read`, and WalletAccessError or RecordTooLargeError when
            the file cannot be written (it is left as it was).
        """
        with self.storage.locked():
            file = self.read()
            transaction = _FileTransaction(self, file, writable=True)
            yield transaction
            if transaction.changed:
                self.commit(file)

    def commit(self, file: WalletFile) -> None:
        """Write ``file`` as the next version (call under the lock).

        Raises:
            WalletAccessError, RecordTooLargeError: nothing was written.
        """
        file.version += 1
        file.record_set_mac = self.keys.set_mac(file.record_set_message())
        try:
            self.storage.write(file)
        except BaseException:
            file.version -= 1
            raise
        self.version_seen = file.version
