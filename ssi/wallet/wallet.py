"""The wallet: keys, DIDs and credentials, encrypted at rest, safe to share
between processes.

Every operation re-reads the wallet file; every change happens under the
writer's lock on the latest file and replaces it atomically, so concurrent
``agora`` processes never lose each other's writes.

Example:
    >>> wallet = Wallet.create(home, "correct horse battery staple")
    >>> alice = wallet.create_did(alias="alice")
    >>> signer = wallet.signer("alice")
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from ssi.credentials import parse_credential
from ssi.datetimes import format_date_time
from ssi.did.methods import did_jwk, did_key
from ssi.did.syntax import parse_did
from ssi.errors import (
    InvalidAliasError,
    RecordConflictError,
    RecordNotFoundError,
    WalletCorruptedError,
    WalletExistsError,
    WrongPassphraseError,
)
from ssi.jsonld.canon import canonicalize_jcs
from ssi.keys import KeyPair, KeyType, LocalSigner, decode_multikey, generate_key
from ssi.types import JsonObject
from ssi.wallet.crypto import (
    KDFParams,
    SealedBox,
    derive_key,
    new_data_key,
    open_box,
    seal,
)
from ssi.wallet.storage import Storage, StoredRecord, WalletFile, header_aad

__all__ = [
    "CredentialRecord",
    "DIDRecord",
    "KeyRecord",
    "Wallet",
]

_T = TypeVar("_T")
_ALIAS = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_SIGNING_TYPES = (KeyType.ED25519, KeyType.P256, KeyType.SECP256K1)
_OWN_KINDS = frozenset({"key", "did", "credential", "vc"})
"""Record kinds (and id prefixes) the wallet uses itself; not for ``put_record``."""


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """A key in the wallet, without its secret."""

    id: str
    alias: str | None
    key_type: str
    public_key_multibase: str
    created: str

    def to_json(self) -> JsonObject:
        """Return the record as JSON (no secret)."""
        return {
            "id": self.id,
            "alias": self.alias,
            "keyType": self.key_type,
            "publicKeyMultibase": self.public_key_multibase,
            "created": self.created,
        }


@dataclass(frozen=True, slots=True)
class DIDRecord:
    """A DID the wallet controls, with the key that signs for it."""

    did: str
    method: str
    alias: str | None
    key_id: str
    verification_method: str
    created: str

    def to_json(self) -> JsonObject:
        """Return the record as JSON."""
        return {
            "did": self.did,
            "method": self.method,
            "alias": self.alias,
            "keyId": self.key_id,
            "verificationMethod": self.verification_method,
            "created": self.created,
        }


@dataclass(frozen=True, slots=True)
class CredentialRecord:
    """A stored credential and what the wallet knows about it."""

    id: str
    credential: JsonObject
    direction: str
    stored: str
    types: tuple[str, ...]
    issuer: str

    def to_json(self) -> JsonObject:
        """Return the record as JSON, credential included."""
        return {
            "id": self.id,
            "direction": self.direction,
            "stored": self.stored,
            "types": list(self.types),
            "issuer": self.issuer,
            "credential": self.credential,
        }


class Wallet:
    """An open wallet: the data key is in memory, the records on disk.

    Use :meth:`create` or :meth:`open`; never construct directly. Once another
    process changes the passphrase, every operation raises
    ``WrongPassphraseError`` until the wallet is opened again.
    """

    def __init__(
        self,
        storage: Storage,
        wallet_id: str,
        data_key: bytes,
        sealed_key: SealedBox | None = None,
    ) -> None:
        self._storage = storage
        self._wallet_id = wallet_id
        self._data_key = data_key
        self._sealed_key = sealed_key
        # Plaintexts by (id, kind, box): a record whose stored form changed in
        # any way is authenticated again, never served from here.
        self._plain: dict[tuple[str, str, SealedBox], JsonObject] = {}

    def __repr__(self) -> str:
        return f"Wallet(home={str(self._storage.home)!r})"

    @property
    def home(self) -> Path:
        """The wallet directory."""
        return self._storage.home

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
            WalletExistsError: ``home`` already holds a wallet.
            WalletAccessError: the directory or file cannot be written.
        """
        _check_passphrase(passphrase)
        storage = Storage(Path(home))
        storage.create_home()
        with storage.locked():
            if storage.exists():
                raise WalletExistsError(f"{storage.home} already holds a wallet.")
            params = kdf or KDFParams.profile("standard")
            data_key = new_data_key()
            wallet_id = "urn:uuid:" + _uuid()
            sealed = seal(
                derive_key(passphrase, params), data_key, header_aad(wallet_id, params)
            )
            storage.write(WalletFile(wallet_id, params, sealed))
        return cls(storage, wallet_id, data_key, sealed)

    @classmethod
    def open(cls, home: Path | str, passphrase: str) -> Wallet:
        """Open the wallet in ``home`` with its passphrase.

        Raises:
            WalletNotFoundError: no wallet in ``home``.
            WrongPassphraseError: the passphrase does not open it (or its
                header was altered).
            WalletCorruptedError, WalletVersionError, WalletAccessError.
        """
        storage = Storage(Path(home))
        file = storage.read()
        data_key = _unwrap(file, passphrase)
        wallet = cls(storage, file.wallet_id, data_key, file.data_key)
        for record in file.records.values():
            wallet._decrypt(record)
        return wallet

    # --- Keys ---------------------------------------------------------------

    def add_key(self, key: KeyPair, *, alias: str | None = None) -> KeyRecord:
        """Store a key pair (its secret encrypted) and return its record.

        Raises:
            RecordConflictError: the alias is taken.
            InvalidAliasError: the alias is not a valid alias.
        """
        record = _key_record(key, alias)
        self._update(lambda file: self._put_key(file, record, key))
        return record

    def keys(self) -> list[KeyRecord]:
        """Every key, in the order stored."""
        return [_key_from(rid, data) for rid, data in self._all("key")]

    def key(self, reference: str) -> KeyRecord:
        """Find a key by id, alias, public Multikey, or a DID/DID alias it signs for.

        Raises:
            RecordNotFoundError: nothing matches.
        """
        return _key_from(*self._find_key(reference))

    def key_pair(self, reference: str) -> KeyPair:
        """Return the key pair (with its secret) for a key reference.

        Raises:
            RecordNotFoundError: nothing matches.
            WalletCorruptedError: the stored secret is unusable.
        """
        _, data = self._find_key(reference)
        try:
            key = decode_multikey(data["secretKeyMultibase"])
        except Exception as exc:  # any decoding failure means a damaged record
            raise WalletCorruptedError("a stored key is damaged.") from exc
        if not isinstance(key, KeyPair):
            raise WalletCorruptedError("a stored key has no secret.")
        return key

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
            ValueError: unknown method, or a key type that cannot sign.
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
                f"{key.key_type} keys cannot sign; choose another key type"
            )
        did = did_key(key) if method == "key" else did_jwk(key)
        vm = f"{did}#{did.removeprefix('did:key:')}" if method == "key" else f"{did}#0"
        key_record = _key_record(key, alias)
        did_record = DIDRecord(did, method, alias, key_record.id, vm, _now())

        def change(file: WalletFile) -> None:
            self._put_did(file, did_record)
            self._put_key(file, key_record, key)

        self._update(change)
        return did_record

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
        _check_alias(alias)
        key_id, _ = self._find_key(key)
        record = DIDRecord(
            did, method or parsed.method, alias, key_id, verification_method, _now()
        )
        self._update(lambda file: self._put_did(file, record))
        return record

    def dids(self) -> list[DIDRecord]:
        """Every DID, in the order stored."""
        return [_did_from(data) for _, data in self._all("did")]

    def did(self, reference: str) -> DIDRecord:
        """Find a DID by the DID itself or its alias.

        Raises:
            RecordNotFoundError: nothing matches.
        """
        for _, data in self._all("did"):
            if reference in (data["did"], data.get("alias")):
                return _did_from(data)
        raise RecordNotFoundError(f"no DID {reference[:80]!r} in the wallet.")

    def signer(self, reference: str) -> LocalSigner:
        """Return a signer for a DID (or alias) of the wallet.

        Raises:
            RecordNotFoundError: no such DID.
        """
        record = self.did(reference)
        return LocalSigner(self.key_pair(record.key_id), record.verification_method)

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
        """
        parsed = parse_credential(credential)
        if direction is None:
            mine = {record.did for record in self.dids()}
            direction = "issued" if parsed.issuer in mine else "received"
        if direction not in ("issued", "received"):
            raise ValueError("direction must be 'issued' or 'received'")
        record_id = (
            parsed.id
            or "urn:sha256:" + hashlib.sha256(canonicalize_jcs(credential)).hexdigest()
        )
        data: JsonObject = {
            "credential": credential,
            "direction": direction,
            "stored": _now(),
        }

        def change(file: WalletFile) -> CredentialRecord:
            existing = file.records.get("vc/" + record_id)
            if existing is not None:
                old = self._decrypt(existing)
                if old["credential"] != credential:
                    raise RecordConflictError(
                        f"another credential with id {record_id[:80]!r} is stored."
                    )
                return _credential_from(record_id, old)
            self._put(file, "credential", "vc/" + record_id, data)
            return _credential_from(record_id, data)

        return self._update(change)

    def credentials(self, *, type: str | None = None) -> list[CredentialRecord]:
        """Every stored credential, or those whose ``type`` includes ``type``."""
        records = [
            _credential_from(rid.removeprefix("vc/"), data)
            for rid, data in self._all("credential")
        ]
        return [r for r in records if type is None or type in r.types]

    def credential(self, credential_id: str) -> CredentialRecord:
        """Return the stored credential with this id.

        Raises:
            RecordNotFoundError: none has it.
        """
        for rid, data in self._all("credential"):
            if rid.removeprefix("vc/") == credential_id:
                return _credential_from(credential_id, data)
        raise RecordNotFoundError(
            f"no credential {credential_id[:80]!r} in the wallet."
        )

    def delete_credential(self, credential_id: str) -> None:
        """Delete a stored credential.

        Raises:
            RecordNotFoundError: none has that id.
        """

        def change(file: WalletFile) -> None:
            if file.records.pop("vc/" + credential_id, None) is None:
                raise RecordNotFoundError(
                    f"no credential {credential_id[:80]!r} in the wallet."
                )

        self._update(change)

    # --- Generic records (for later layers: status lists, DID logs) ----------

    def put_record(self, kind: str, record_id: str, data: JsonObject) -> None:
        """Store or replace an encrypted record of a kind of one's own.

        Raises:
            ValueError: ``kind`` is not 1 to 64 letters, digits, '.', '_' or
                '-', or is one of the wallet's own (key, did, credential, vc).
        """
        if (
            not isinstance(kind, str)
            or _ALIAS.fullmatch(kind) is None
            or kind in _OWN_KINDS
        ):
            raise ValueError(
                f"record kind {str(kind)[:40]!r} must be 1 to 64 letters, digits, "
                "'.', '_' or '-', and not one of key, did, credential, vc"
            )
        self._update(lambda file: self._put(file, kind, f"{kind}/{record_id}", data))

    def records(self, kind: str) -> list[tuple[str, JsonObject]]:
        """Return ``(record_id, data)`` for every record of ``kind``."""
        prefix = kind + "/"
        return [(rid.removeprefix(prefix), data) for rid, data in self._all(kind)]

    # --- Passphrase and backups ---------------------------------------------

    def change_passphrase(
        self, new_passphrase: str, *, kdf: KDFParams | None = None
    ) -> None:
        """Re-encrypt everything under a new passphrase, new salt and new data key.

        The change is one atomic replacement of the wallet file; if it fails,
        the old passphrase still opens the wallet and this object keeps working.
        Other objects open on the same wallet must open it again.

        Raises:
            ValueError: the new passphrase is empty.
            WalletAccessError: the file cannot be written (nothing changed).
        """
        _check_passphrase(new_passphrase)
        new_key = new_data_key()

        def change(file: WalletFile) -> SealedBox:
            plain = [(r, self._decrypt(r)) for r in file.records.values()]
            file.kdf = (kdf or file.kdf).with_new_salt()
            file.data_key = seal(
                derive_key(new_passphrase, file.kdf), new_key, file.header_aad()
            )
            file.records = {
                record.id: _sealed(
                    new_key, self._wallet_id, record.kind, record.id, data
                )
                for record, data in plain
            }
            return file.data_key

        sealed = self._update(change)
        # Only once the file holds the new key does this object switch to it.
        self._data_key, self._sealed_key = new_key, sealed
        self._plain.clear()

    def export_backup(self, path: Path | str, passphrase: str) -> int:
        """Write every record to one file encrypted under ``passphrase``.

        The backup has the wallet's format with its own salt and data key; it is
        written atomically with mode 0600. Returns the number of records.
        """
        _check_passphrase(passphrase)
        target = Path(path)
        file = self._read()
        plain = [(r, self._decrypt(r)) for r in file.records.values()]
        params = file.kdf.with_new_salt()
        backup_key = new_data_key()
        sealed = seal(
            derive_key(passphrase, params),
            backup_key,
            header_aad(file.wallet_id, params),
        )
        backup = WalletFile(file.wallet_id, params, sealed)
        for record, data in plain:
            backup.records[record.id] = _sealed(
                backup_key, file.wallet_id, record.kind, record.id, data
            )
        Storage(target.parent).write_to(target, backup)
        return len(plain)

    def import_backup(self, path: Path | str, passphrase: str) -> ImportSummary:
        """Merge a backup into this wallet; nothing already here is overwritten.

        Records new to this wallet are added; identical ones are skipped; a
        record whose id or alias is taken by different content is reported as
        a conflict and left out, and so is a DID whose key was left out.

        Raises:
            WalletNotFoundError, WrongPassphraseError, WalletCorruptedError,
            WalletVersionError: the backup cannot be opened.
        """
        source = Path(path)
        backup = Storage(source.parent).read_from(source)
        backup_key = _unwrap(backup, passphrase)
        incoming = [
            (r, _open_record(backup_key, backup.wallet_id, r))
            for r in backup.records.values()
        ]

        def change(file: WalletFile) -> ImportSummary:
            summary = ImportSummary()
            # Keys first, so that each DID can be checked against its key.
            for record, data in sorted(
                incoming, key=lambda item: item[0].kind != "key"
            ):
                existing = file.records.get(record.id)
                if existing is not None:
                    if self._decrypt(existing) == data:
                        summary.unchanged.append(record.id)
                    else:
                        summary.conflicts.append(record.id)
                    continue
                alias = data.get("alias")
                if alias is not None and self._alias_taken(file, record.kind, alias):
                    summary.conflicts.append(record.id)
                    continue
                if record.kind == "did" and data.get("keyId") not in file.records:
                    summary.conflicts.append(record.id)
                    continue
                self._put(file, record.kind, record.id, data)
                summary.added.append(record.id)
            return summary

        return self._update(change)

    # --- Internals ------------------------------------------------------------

    def _read(self) -> WalletFile:
        file = self._storage.read()
        if file.wallet_id != self._wallet_id:
            raise WalletCorruptedError(
                "the wallet file was replaced by another wallet."
            )
        if self._sealed_key is not None and file.data_key != self._sealed_key:
            raise WrongPassphraseError(
                "the wallet's passphrase was changed (or its key altered) since "
                "it was opened; open it again."
            )
        if len(self._plain) > 2 * len(file.records) + 64:
            # Drop what no longer is in the file, so the cache cannot grow
            # without bound in a long-lived process.
            live = {(r.id, r.kind, r.box) for r in file.records.values()}
            self._plain = {k: v for k, v in self._plain.items() if k in live}
        return file

    def _update(self, change: Callable[[WalletFile], _T]) -> _T:
        with self._storage.locked():
            file = self._read()
            before = (file.kdf, file.data_key, dict(file.records))
            result = change(file)
            # A change that changed nothing (the same credential stored again,
            # an import of what is here) leaves the file alone.
            if (file.kdf, file.data_key, file.records) != before:
                self._storage.write(file)
        return result

    def _all(self, kind: str) -> Iterable[tuple[str, JsonObject]]:
        file = self._read()
        return [
            (r.id, self._decrypt(r)) for r in file.records.values() if r.kind == kind
        ]

    def _decrypt(self, record: StoredRecord) -> JsonObject:
        cache_key = (record.id, record.kind, record.box)
        cached = self._plain.get(cache_key)
        if cached is None:
            cached = _open_record(self._data_key, self._wallet_id, record)
            self._plain[cache_key] = cached
        return copy.deepcopy(cached)

    def _put(
        self, file: WalletFile, kind: str, record_id: str, data: JsonObject
    ) -> None:
        record = _sealed(self._data_key, self._wallet_id, kind, record_id, data)
        file.records[record_id] = record
        self._plain[(record_id, kind, record.box)] = copy.deepcopy(data)

    def _alias_taken(self, file: WalletFile, kind: str, alias: str) -> bool:
        return any(
            r.kind == kind and self._decrypt(r).get("alias") == alias
            for r in file.records.values()
        )

    def _put_key(self, file: WalletFile, record: KeyRecord, key: KeyPair) -> None:
        if record.alias is not None and self._alias_taken(file, "key", record.alias):
            raise RecordConflictError(f"the key alias {record.alias!r} is taken.")
        data = record.to_json()
        del data["id"]
        data["secretKeyMultibase"] = key.export_multikey(private=True)
        self._put(file, "key", record.id, data)

    def _put_did(self, file: WalletFile, record: DIDRecord) -> None:
        if "did/" + record.did in file.records:
            raise RecordConflictError(f"{record.did[:80]} is already in the wallet.")
        if record.alias is not None and self._alias_taken(file, "did", record.alias):
            raise RecordConflictError(f"the DID alias {record.alias!r} is taken.")
        self._put(file, "did", "did/" + record.did, record.to_json())

    def _find_key(self, reference: str) -> tuple[str, JsonObject]:
        keys = list(self._all("key"))
        for rid, data in keys:
            if reference in (rid, data.get("alias"), data.get("publicKeyMultibase")):
                return rid, data
        for _, data in self._all("did"):
            if reference in (data["did"], data.get("alias")):
                for rid, key_data in keys:
                    if rid == data["keyId"]:
                        return rid, key_data
        raise RecordNotFoundError(f"no key {reference[:80]!r} in the wallet.")


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


def _check_passphrase(passphrase: str) -> None:
    if not isinstance(passphrase, str) or not passphrase:
        raise ValueError("a passphrase must be a non-empty string")


def _unwrap(file: WalletFile, passphrase: str) -> bytes:
    return open_box(
        derive_key(passphrase, file.kdf),
        file.data_key,
        file.header_aad(),
        WrongPassphraseError("the passphrase does not open this wallet."),
    )


def _aad(wallet_id: str, kind: str, record_id: str) -> bytes:
    return json.dumps([wallet_id, kind, record_id], separators=(",", ":")).encode()


def _sealed(
    key: bytes, wallet_id: str, kind: str, record_id: str, data: JsonObject
) -> StoredRecord:
    plaintext = json.dumps(data, separators=(",", ":")).encode("utf-8")
    return StoredRecord(
        record_id, kind, seal(key, plaintext, _aad(wallet_id, kind, record_id))
    )


def _open_record(key: bytes, wallet_id: str, record: StoredRecord) -> JsonObject:
    plaintext = open_box(
        key,
        record.box,
        _aad(wallet_id, record.kind, record.id),
        WalletCorruptedError(f"wallet record {record.id[:60]!r} is damaged."),
    )
    try:
        data = json.loads(plaintext)
    except ValueError as exc:
        raise WalletCorruptedError(
            f"wallet record {record.id[:60]!r} is damaged."
        ) from exc
    if not isinstance(data, dict):
        raise WalletCorruptedError(f"wallet record {record.id[:60]!r} is damaged.")
    return data


def _uuid() -> str:
    raw = bytearray(secrets.token_bytes(16))
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _now() -> str:
    return format_date_time(datetime.now(UTC))


def _check_alias(alias: str | None) -> None:
    if alias is not None and (
        not isinstance(alias, str)
        or _ALIAS.fullmatch(alias) is None
        or alias.startswith("did:")
    ):
        raise InvalidAliasError(
            f"alias {str(alias)[:40]!r} must be 1 to 64 letters, digits, '.', '_' "
            "or '-', starting with a letter or digit."
        )


def _key_record(key: KeyPair, alias: str | None) -> KeyRecord:
    _check_alias(alias)
    return KeyRecord(
        "key/" + _uuid(), alias, str(key.key_type), key.export_multikey(), _now()
    )


def _key_from(record_id: str, data: JsonObject) -> KeyRecord:
    return KeyRecord(
        record_id,
        data.get("alias"),
        data["keyType"],
        data["publicKeyMultibase"],
        data["created"],
    )


def _did_from(data: JsonObject) -> DIDRecord:
    return DIDRecord(
        data["did"],
        data["method"],
        data.get("alias"),
        data["keyId"],
        data["verificationMethod"],
        data["created"],
    )


def _credential_from(record_id: str, data: JsonObject) -> CredentialRecord:
    credential = data["credential"]
    kinds = credential.get("type", [])
    types = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    return CredentialRecord(
        record_id, credential, data["direction"], data["stored"], types, str(issuer_id)
    )
