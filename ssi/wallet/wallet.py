"""The wallet: keys, DIDs and credentials, encrypted at rest, safe to share
between processes.

Every operation reads the latest wallet file; every change happens in one
transaction of the record store (under the writer's lock, on the latest
file, replaced atomically), so concurrent ``agora`` processes never lose each
other's writes. Opening runs Argon2id once; the open object then serves
everything (signing, storing, the did:agora log source, the status source).

Example:
    >>> wallet = Wallet.create(home, "correct horse battery staple")
    >>> alice = wallet.create_did(alias="alice")
    >>> signer = wallet.signer("alice")
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from pathlib import Path

from ssi.did.methods import did_jwk, did_key
from ssi.did.syntax import parse_did
from ssi.errors import (
    InvalidSecretKeyError,
    RecordNotFoundError,
    WalletExistsError,
)
from ssi.keys import KeyPair, KeyType, LocalKeyAgreer, LocalSigner, generate_key
from ssi.keys import import_key as decode_key
from ssi.types import JsonObject, JsonValue
from ssi.wallet import backup, operations
from ssi.wallet import passphrase as passphrase_module
from ssi.wallet.agreement import key_agreer_of, key_agreers_of
from ssi.wallet.crypto import KDFParams, derive_key, new_data_key, seal
from ssi.wallet.migration import migrate
from ssi.wallet.model import (
    CredentialRecord,
    DIDRecord,
    KeyRecord,
    check_alias,
    credential_from,
    did_from,
    key_from,
    key_record,
    now,
    uuid4,
    valid_kind,
)
from ssi.wallet.operations import (
    find_did,
    find_key,
    is_deactivated,
    key_pair_of,
    put_did,
    put_key,
    signer_of,
)
from ssi.wallet.records import SealedRecordStore, Transaction
from ssi.wallet.storage import Storage
from ssi.wallet.walletfile import WalletFile, header_aad

__all__ = ["CredentialRecord", "DIDRecord", "KeyRecord", "Wallet"]

_SIGNING_TYPES = (KeyType.ED25519, KeyType.P256, KeyType.SECP256K1)
_OWN_KINDS = frozenset({"key", "did", "credential", "vc", "contact"})
"""Record kinds (and id prefixes) the wallet uses itself; not for ``put_record``."""


class Wallet:
    """An open wallet: the data key is in memory, the records on disk.

    Use :meth:`create` or :meth:`open`; never construct directly. The wallet
    is a :class:`~ssi.wallet.records.RecordStore` (:meth:`transaction`,
    :meth:`snapshot`). Once another process changes the passphrase, every
    operation raises ``WrongPassphraseError`` until the wallet is opened again.
    """

    def __init__(self, store: SealedRecordStore, *, migrated: bool = False) -> None:
        self._store = store
        self._migrated = migrated

    def __repr__(self) -> str:
        return f"Wallet(home={str(self._store.storage.home)!r})"

    @property
    def home(self) -> Path:
        """The wallet directory."""
        return self._store.storage.home

    @property
    def migrated(self) -> bool:
        """True when opening this wallet migrated it from schema 1 (a copy of
        the old file is then ``wallet-schema-1-backup.json`` in :attr:`home`)."""
        return self._migrated

    @property
    def store(self) -> SealedRecordStore:
        """The record store behind the wallet."""
        return self._store

    def transaction(self) -> AbstractContextManager[Transaction]:
        """Hold the lock, read the latest records, write once at the end.

        Raises:
            WalletError: the wallet cannot be read or written (see
                ``SealedRecordStore.transaction``).
        """
        return self._store.transaction()

    def snapshot(self) -> Transaction:
        """Return the latest records for reading.

        Raises:
            WalletError: the wallet cannot be read (see ``SealedRecordStore.read``).
        """
        return self._store.snapshot()

    # --- Opening ----------------------------------------------------------

    @staticmethod
    def exists(home: Path | str) -> bool:
        """True when ``home`` holds a wallet file (it is not opened)."""
        return Storage(Path(home)).exists()

    @classmethod
    def create(
        cls, home: Path | str, passphrase: str, *, kdf: KDFParams | None = None
    ) -> Wallet:
        """Create a new, empty wallet in ``home`` (created with mode 0700).

        Raises:
            PassphraseTooShortError: the passphrase is shorter than
                :data:`~ssi.wallet.passphrase.MIN_PASSPHRASE_LENGTH`.
            WalletExistsError: ``home`` already holds a wallet.
            WalletAccessError: the directory or file cannot be written.
        """
        passphrase_module.check_new_passphrase(passphrase)
        storage = Storage(Path(home))
        storage.create_home()
        with storage.locked():
            if storage.exists():
                raise WalletExistsError(f"{storage.home} already holds a wallet.")
            params = kdf or KDFParams.profile("standard")
            data_key = new_data_key()
            wallet_id = "urn:uuid:" + uuid4()
            sealed = seal(
                derive_key(passphrase, params), data_key, header_aad(wallet_id, params)
            )
            store = SealedRecordStore(storage, wallet_id, data_key, sealed)
            store.commit(WalletFile(wallet_id, params, sealed))
        return cls(store)

    @classmethod
    def open(cls, home: Path | str, passphrase: str) -> Wallet:
        """Open the wallet in ``home`` with its passphrase (one Argon2id run).

        A schema 1 wallet is migrated to schema 2 first, after its file is
        copied to ``wallet-schema-1-backup.json`` next to it.

        Raises:
            WalletNotFoundError: no wallet in ``home``.
            WrongPassphraseError: the passphrase does not open it (or its
                header was altered).
            WalletTamperedError: a record was removed, added or rolled back.
            WalletCorruptedError, WalletVersionError, WalletAccessError.
        """
        storage = Storage(Path(home))
        file = storage.read()
        passphrase_key, data_key = passphrase_module.unlock(file, passphrase)
        migrated = file.schema == 1
        if migrated:
            file = migrate(storage, passphrase_key, data_key)
        store = SealedRecordStore(storage, file.wallet_id, data_key, file.data_key)
        store.read()
        return cls(store, migrated=migrated)

    # --- Keys ---------------------------------------------------------------

    def add_key(self, key: KeyPair, *, alias: str | None = None) -> KeyRecord:
        """Store a key pair (its secret encrypted) and return its record.

        Raises:
            RecordConflictError: the alias is taken.
            InvalidAliasError: the alias is not a valid alias.
        """
        record = key_record(key, alias)
        with self.transaction() as transaction:
            put_key(transaction, record, key)
        return record

    def import_key(
        self, encoded: str | Mapping[str, JsonValue], *, alias: str | None = None
    ) -> KeyRecord:
        """Import a key pair from a secret Multikey or a private JWK.

        Spec: https://www.w3.org/TR/cid-1.0/#Multikey,
        https://www.rfc-editor.org/rfc/rfc7517

        Raises:
            KeyMaterialError: the encoding is malformed or unsupported.
            InvalidSecretKeyError: it holds no secret key.
            RecordConflictError: the key (or the alias) is already in the wallet.
            InvalidAliasError: the alias is not a valid alias.
        """
        key = decode_key(encoded)
        if not isinstance(key, KeyPair):
            raise InvalidSecretKeyError(
                "the key has no secret part; only a key pair can be imported."
            )
        with self.transaction() as transaction:
            return operations.import_key(transaction, key, alias)

    def keys(self) -> list[KeyRecord]:
        """Every key, in the order stored."""
        return [key_from(rid, data) for rid, data in self.snapshot().records("key")]

    def key(self, reference: str) -> KeyRecord:
        """Find a key by id, alias, public Multikey, or a DID/DID alias it signs for.

        Raises:
            RecordNotFoundError: nothing matches.
        """
        return key_from(*find_key(self.snapshot(), reference))

    def key_pair(self, reference: str) -> KeyPair:
        """Return the key pair (with its secret) for a key reference.

        Raises:
            RecordNotFoundError: nothing matches.
            WalletCorruptedError: the stored secret is unusable.
        """
        return key_pair_of(find_key(self.snapshot(), reference)[1])

    # --- DIDs -------------------------------------------------------------

    def create_did(
        self,
        *,
        method: str = "key",
        key_type: str = "Ed25519",
        alias: str | None = None,
    ) -> DIDRecord:
        """Generate a key and make a did:key or did:jwk DID for it.

        Raises:
            ValueError: unknown method, or a key type that no cryptosuite here
                signs with (X25519, P-384, P-521).
            InvalidAliasError: the alias is not a valid alias.
            UnsupportedPublicKeyTypeError: ``key_type`` is not a key type.
            RecordConflictError: the alias is taken.
        """
        if method not in ("key", "jwk"):
            raise ValueError(
                f"DID method {method!r} cannot be created here; use key or jwk"
            )
        key = generate_key(key_type)
        if key.key_type not in _SIGNING_TYPES:
            raise ValueError(
                f"{key.key_type} keys cannot sign credentials here (no cryptosuite "
                "of this toolkit uses them); choose Ed25519, P-256 or secp256k1"
            )
        did = did_key(key) if method == "key" else did_jwk(key)
        vm = f"{did}#{did.removeprefix('did:key:')}" if method == "key" else f"{did}#0"
        record_of_key = key_record(key, alias)
        record = DIDRecord(did, method, alias, record_of_key.id, vm, now())
        with self.transaction() as transaction:
            put_did(transaction, record)
            put_key(transaction, record_of_key, key)
        return record

    def add_did(
        self,
        did: str,
        *,
        key: str,
        verification_method: str,
        method: str | None = None,
        alias: str | None = None,
    ) -> DIDRecord:
        """Record a DID whose verification method is a key already in the wallet.

        Raises:
            InvalidDIDError: ``did`` is not a DID.
            InvalidAliasError: the alias is not a valid alias.
            RecordNotFoundError: the key is not in the wallet.
            RecordConflictError: the DID or alias is taken.
        """
        parsed = parse_did(did)
        check_alias(alias)
        with self.transaction() as transaction:
            key_id, _ = find_key(transaction, key)
            record = DIDRecord(
                did, method or parsed.method, alias, key_id, verification_method, now()
            )
            put_did(transaction, record)
        return record

    def dids(self) -> list[DIDRecord]:
        """Every DID, in the order stored, each saying whether it is deactivated."""
        snapshot = self.snapshot()
        return [
            did_from(data, deactivated=is_deactivated(snapshot, data["did"]))
            for _, data in snapshot.records("did")
        ]

    def did(self, reference: str) -> DIDRecord:
        """Find a DID by the DID itself or its alias.

        Raises:
            RecordNotFoundError: nothing matches.
        """
        return find_did(self.snapshot(), reference)

    def signer(self, reference: str) -> LocalSigner:
        """Return a signer for a DID (or alias) of the wallet.

        Raises:
            RecordNotFoundError: no such DID.
            DIDDeactivatedError: the DID is a deactivated did:agora DID.
        """
        return signer_of(self.snapshot(), reference)

    def key_agreers(self, reference: str) -> list[LocalKeyAgreer]:
        """Return an agreer for every key-agreement key the wallet holds for a
        DID (or alias): the current ones first, then a did:agora DID's keys of
        earlier versions, so that messages sent before a rotation decrypt.

        did:key DIDs agree with the X25519 key derived from their Ed25519
        seed; did:jwk DIDs with their X25519 or P-256 key; did:agora DIDs
        with the X25519 key of each version. Other DIDs have none.

        Spec: https://www.w3.org/TR/did-core/#key-agreement, docs/wallet.md

        Raises:
            RecordNotFoundError: no such DID.
            WalletCorruptedError: a stored key or log is damaged.
        """
        return key_agreers_of(self.snapshot(), reference)

    def key_agreer(
        self, reference: str, *, version: int | None = None
    ) -> LocalKeyAgreer:
        """Return the agreer of the key-agreement key a DID (or alias) of the
        wallet lists in its current DID document, or with ``version`` in that
        version of a did:agora DID's document (to announce a rotation under
        the key correspondents still know).

        Spec: https://www.w3.org/TR/did-core/#key-agreement, docs/wallet.md

        Raises:
            RecordNotFoundError: no such DID or version, or no key-agreement
                key of it the wallet holds.
            DIDDeactivatedError: the DID is a deactivated did:agora DID.
            WalletCorruptedError: a stored key or log is damaged.
        """
        return key_agreer_of(self.snapshot(), reference, version=version)

    def remove_did(self, reference: str) -> DIDRecord:
        """Remove a DID from the wallet with the keys only it used, its did:agora
        log and its community record. This is not deactivation: the DID stays
        valid for everyone else; only this wallet forgets it.

        Raises:
            RecordNotFoundError: no such DID.
        """
        with self.transaction() as transaction:
            return operations.remove_did(transaction, reference)

    # --- Credentials -------------------------------------------------------

    def store_credential(
        self, credential: JsonObject, *, direction: str | None = None
    ) -> CredentialRecord:
        """Store a credential; storing the same one again changes nothing.

        ``direction`` is ``issued`` or ``received``; by default ``issued`` when
        the issuer is one of the wallet's DIDs.

        Raises:
            ParsingError, MalformedValueError: not a credential.
            RecordConflictError: another credential has the same ``id``.
            RecordTooLargeError: the credential is over the record size limit
                (nothing is stored).
        """
        with self.transaction() as transaction:
            return operations.store_credential(transaction, credential, direction)

    def credentials(self, *, type: str | None = None) -> list[CredentialRecord]:
        """Every stored credential, or those whose ``type`` includes ``type``."""
        records = [
            credential_from(rid.removeprefix("vc/"), data)
            for rid, data in self.snapshot().records("credential")
        ]
        return [r for r in records if type is None or type in r.types]

    def credential(self, credential_id: str) -> CredentialRecord:
        """Return the stored credential with this id.

        Raises:
            RecordNotFoundError: none has it.
        """
        data = self.snapshot().get("credential", "vc/" + credential_id)
        if data is None:
            raise RecordNotFoundError(
                f"no credential {credential_id[:80]!r} in the wallet."
            )
        return credential_from(credential_id, data)

    def delete_credential(self, credential_id: str) -> None:
        """Delete a stored credential.

        Raises:
            RecordNotFoundError: none has that id.
        """
        with self.transaction() as transaction:
            if not transaction.delete("credential", "vc/" + credential_id):
                raise RecordNotFoundError(
                    f"no credential {credential_id[:80]!r} in the wallet."
                )

    # --- Generic records (for later layers: status lists, DID logs) ----------

    def put_record(self, kind: str, record_id: str, data: JsonObject) -> None:
        """Store or replace an encrypted record of a kind of one's own.

        Raises:
            ValueError: ``kind`` is not 1 to 64 letters, digits, '.', '_' or
                '-', or is one of the wallet's own (key, did, credential, vc,
                contact).
            RecordTooLargeError: the record is over the size limit.
        """
        if not valid_kind(kind) or kind in _OWN_KINDS:
            raise ValueError(
                f"record kind {str(kind)[:40]!r} must be 1 to 64 letters, digits, "
                "'.', '_' or '-', and not one of key, did, credential, vc, contact"
            )
        with self.transaction() as transaction:
            transaction.put(kind, f"{kind}/{record_id}", data)

    def records(self, kind: str) -> list[tuple[str, JsonObject]]:
        """Return ``(record_id, data)`` for every record of ``kind``."""
        prefix = kind + "/"
        return [
            (rid.removeprefix(prefix), data)
            for rid, data in self.snapshot().records(kind)
        ]

    # --- Passphrase and backups ---------------------------------------------

    def change_passphrase(
        self, new_passphrase: str, *, kdf: KDFParams | None = None
    ) -> None:
        """Re-encrypt everything under a new passphrase, new salt and new data key.

        The change is one atomic replacement of the wallet file; if it fails,
        the old passphrase still opens the wallet and this object keeps working.
        Other objects open on the same wallet must open it again.

        Raises:
            PassphraseTooShortError: the new passphrase is too short.
            WalletAccessError: the file cannot be written (nothing changed).
        """
        passphrase_module.change_passphrase(self._store, new_passphrase, kdf)

    def export_backup(self, path: Path | str, passphrase: str) -> int:
        """Write every record to one file encrypted under ``passphrase``.

        The backup has the wallet's format (schema 2, opaque record ids) with
        its own salt and data key; it is written atomically with mode 0600.
        Returns the number of records.

        Raises:
            PassphraseTooShortError: the backup passphrase is too short.
            WalletAccessError: the backup cannot be written.
        """
        return backup.export_backup(self._store, Path(path), passphrase)

    def import_backup(self, path: Path | str, passphrase: str) -> backup.ImportSummary:
        """Merge a backup (schema 1 or 2) into this wallet; nothing already
        here is overwritten.

        Records new to this wallet are added; identical ones are skipped; a
        record whose id or alias is taken by different content is reported as
        a conflict and left out, and so is a DID whose key was left out.

        Raises:
            WalletNotFoundError, WrongPassphraseError, WalletCorruptedError,
            WalletTamperedError, WalletVersionError: the backup cannot be opened.
        """
        return backup.import_backup(self._store, Path(path), passphrase)
