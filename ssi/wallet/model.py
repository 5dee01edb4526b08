"""What the wallet's records hold (keys, DIDs, credentials) and the steps that
read or write them inside one transaction, shared by the wallet, did:agora
and communities.

Spec: docs/wallet.md
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from ssi.datetimes import format_date_time
from ssi.errors import (
    DIDDeactivatedError,
    InvalidAliasError,
    RecordConflictError,
    RecordNotFoundError,
    WalletCorruptedError,
)
from ssi.keys import KeyPair, LocalSigner, decode_multikey
from ssi.types import JsonObject
from ssi.wallet.records import Transaction

__all__ = [
    "CredentialRecord",
    "DIDRecord",
    "KeyRecord",
    "check_alias",
    "credential_from",
    "did_from",
    "find_did",
    "find_key",
    "is_deactivated",
    "key_from",
    "key_pair_of",
    "key_record",
    "now",
    "put_did",
    "put_key",
    "signer_of",
    "uuid4",
]

_ALIAS = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


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
    """A DID the wallet controls, with the key that signs for it.

    ``deactivated`` is true for a did:agora DID whose log ends with a
    deactivation: the wallet no longer signs for it.
    """

    did: str
    method: str
    alias: str | None
    key_id: str
    verification_method: str
    created: str
    deactivated: bool = False

    def to_json(self) -> JsonObject:
        """Return the record as JSON."""
        return {
            "did": self.did,
            "method": self.method,
            "alias": self.alias,
            "keyId": self.key_id,
            "verificationMethod": self.verification_method,
            "created": self.created,
            "deactivated": self.deactivated,
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


def uuid4() -> str:
    """Return a random UUID version 4 (from ``secrets``)."""
    raw = bytearray(secrets.token_bytes(16))
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def now() -> str:
    """Return the current time as an XML Schema dateTime (UTC)."""
    return format_date_time(datetime.now(UTC))


def check_alias(alias: str | None) -> None:
    """Refuse an alias that is not 1 to 64 letters, digits, '.', '_' or '-'.

    Raises:
        InvalidAliasError: it is not valid.
    """
    if alias is not None and (
        not isinstance(alias, str)
        or _ALIAS.fullmatch(alias) is None
        or alias.startswith("did:")
    ):
        raise InvalidAliasError(
            f"alias {str(alias)[:40]!r} must be 1 to 64 letters, digits, '.', '_' "
            "or '-', starting with a letter or digit."
        )


def valid_kind(kind: object) -> bool:
    """True when ``kind`` is 1 to 64 letters, digits, '.', '_' or '-'."""
    return isinstance(kind, str) and _ALIAS.fullmatch(kind) is not None


def key_record(key: KeyPair, alias: str | None) -> KeyRecord:
    """Return a new record (fresh id) for a key.

    Raises:
        InvalidAliasError: the alias is not valid.
    """
    check_alias(alias)
    return KeyRecord(
        "key/" + uuid4(), alias, str(key.key_type), key.export_multikey(), now()
    )


def key_from(record_id: str, data: JsonObject) -> KeyRecord:
    """Return the key record stored as ``data``."""
    return KeyRecord(
        record_id,
        data.get("alias"),
        data["keyType"],
        data["publicKeyMultibase"],
        data["created"],
    )


def did_from(data: JsonObject, *, deactivated: bool = False) -> DIDRecord:
    """Return the DID record stored as ``data``."""
    return DIDRecord(
        data["did"],
        data["method"],
        data.get("alias"),
        data["keyId"],
        data["verificationMethod"],
        data["created"],
        deactivated,
    )


def credential_from(record_id: str, data: JsonObject) -> CredentialRecord:
    """Return the credential record stored as ``data``."""
    credential = data["credential"]
    kinds = credential.get("type", [])
    types = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    return CredentialRecord(
        record_id, credential, data["direction"], data["stored"], types, str(issuer_id)
    )


def alias_taken(tx: Transaction, kind: str, alias: str) -> bool:
    """True when a record of ``kind`` has this alias."""
    return any(data.get("alias") == alias for _, data in tx.records(kind))


def put_key(tx: Transaction, record: KeyRecord, key: KeyPair) -> None:
    """Store a key (its secret sealed with the record).

    Raises:
        RecordConflictError: the alias is taken.
    """
    if record.alias is not None and alias_taken(tx, "key", record.alias):
        raise RecordConflictError(f"the key alias {record.alias!r} is taken.")
    data = record.to_json()
    del data["id"]
    data["secretKeyMultibase"] = key.export_multikey(private=True)
    tx.put("key", record.id, data)


def put_did(tx: Transaction, record: DIDRecord) -> None:
    """Store a new DID record.

    Raises:
        RecordConflictError: the DID or its alias is taken.
    """
    if tx.get("did", "did/" + record.did) is not None:
        raise RecordConflictError(f"{record.did[:80]} is already in the wallet.")
    if record.alias is not None and alias_taken(tx, "did", record.alias):
        raise RecordConflictError(f"the DID alias {record.alias!r} is taken.")
    data = record.to_json()
    del data["deactivated"]
    tx.put("did", "did/" + record.did, data)


def is_deactivated(tx: Transaction, did: str) -> bool:
    """True when the wallet's did:agora log of ``did`` ends with a deactivation."""
    if not did.startswith("did:agora:"):
        return False
    log = tx.get("agora", "agora/" + did)
    entries = log.get("entries") if log is not None else None
    if not isinstance(entries, list) or not entries:
        return False
    last = entries[-1]
    return isinstance(last, dict) and last.get("deactivated") is True


def find_did(tx: Transaction, reference: str) -> DIDRecord:
    """Find a DID by the DID itself or its alias.

    Raises:
        RecordNotFoundError: nothing matches.
    """
    data = tx.get("did", "did/" + reference) if reference.startswith("did:") else None
    if data is None:
        data = next(
            (
                d
                for _, d in tx.records("did")
                if reference in (d["did"], d.get("alias"))
            ),
            None,
        )
    if data is None:
        raise RecordNotFoundError(f"no DID {reference[:80]!r} in the wallet.")
    return did_from(data, deactivated=is_deactivated(tx, data["did"]))


def find_key(tx: Transaction, reference: str) -> tuple[str, JsonObject]:
    """Find a key by id, alias, public Multikey, or a DID/DID alias it signs for.

    Raises:
        RecordNotFoundError: nothing matches.
    """
    if reference.startswith("key/"):
        data = tx.get("key", reference)
        if data is not None:
            return reference, data
    keys = tx.records("key")
    for rid, data in keys:
        if reference in (rid, data.get("alias"), data.get("publicKeyMultibase")):
            return rid, data
    for _, data in tx.records("did"):
        if reference in (data["did"], data.get("alias")):
            for rid, key_data in keys:
                if rid == data["keyId"]:
                    return rid, key_data
    raise RecordNotFoundError(f"no key {reference[:80]!r} in the wallet.")


def key_pair_of(data: JsonObject) -> KeyPair:
    """Return the key pair stored as ``data``.

    Raises:
        WalletCorruptedError: the stored secret is unusable.
    """
    try:
        key = decode_multikey(data["secretKeyMultibase"])
    except Exception as exc:  # any decoding failure means a damaged record
        raise WalletCorruptedError("a stored key is damaged.") from exc
    if not isinstance(key, KeyPair):
        raise WalletCorruptedError("a stored key has no secret.")
    return key


def signer_of(tx: Transaction, reference: str) -> LocalSigner:
    """Return a signer for a DID (or alias) of the wallet.

    Raises:
        RecordNotFoundError: no such DID, or its key is missing.
        DIDDeactivatedError: the DID is a deactivated did:agora DID.
    """
    record = find_did(tx, reference)
    if record.deactivated:
        raise DIDDeactivatedError(
            f"{record.did[:80]} is deactivated; the wallet no longer signs for it."
        )
    _, data = find_key(tx, record.key_id)
    return LocalSigner(key_pair_of(data), record.verification_method)
