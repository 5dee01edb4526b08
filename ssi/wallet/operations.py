"""The steps that read or write keys, DIDs and credentials inside one
transaction of the record store, shared by the wallet, did:agora and
communities (so that each operation is one lock and one write).

Spec: docs/wallet.md
"""

from __future__ import annotations

import hashlib

from ssi.credentials import parse_credential
from ssi.errors import (
    DIDDeactivatedError,
    RecordConflictError,
    RecordNotFoundError,
    WalletCorruptedError,
)
from ssi.jsonld.canon import canonicalize_jcs
from ssi.keys import KeyPair, LocalSigner, decode_multikey
from ssi.types import JsonObject
from ssi.wallet.model import (
    CredentialRecord,
    DIDRecord,
    KeyRecord,
    credential_from,
    did_from,
    key_record,
    now,
)
from ssi.wallet.records import Transaction

__all__ = [
    "alias_taken",
    "find_did",
    "find_key",
    "import_key",
    "is_deactivated",
    "key_pair_of",
    "put_did",
    "put_key",
    "remove_did",
    "signer_of",
    "store_credential",
]


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


def remove_did(transaction: Transaction, reference: str) -> DIDRecord:
    """Remove a DID with the keys only it used, its did:agora log (and every
    key the log lists or shows) and its community record.

    Raises:
        RecordNotFoundError: no such DID.
    """
    record = find_did(transaction, reference)
    transaction.delete("did", "did/" + record.did)
    key_ids, public_keys = {record.key_id}, set[str]()
    log = transaction.get("agora", "agora/" + record.did)
    if log is not None:
        key_ids |= {str(log.get(k)) for k in ("updateKey", "nextKey")}
        key_ids |= {str(k) for k in log.get("keyIds", [])}
        for entry in log.get("entries", []):
            document = entry.get("document") or {}
            for method in document.get("verificationMethod", []):
                public_keys.add(str(method.get("publicKeyMultibase")))
        transaction.delete("agora", "agora/" + record.did)
    transaction.delete("community", "community/" + record.did)
    in_use = {data["keyId"] for _, data in transaction.records("did")}
    for rid, data in transaction.records("key"):
        mine = rid in key_ids or data.get("publicKeyMultibase") in public_keys
        if mine and rid not in in_use:
            transaction.delete("key", rid)
    return record


def store_credential(
    transaction: Transaction, credential: JsonObject, direction: str | None
) -> CredentialRecord:
    """Store a credential unless the same one is there; return its record.

    Raises:
        ParsingError, MalformedValueError: not a credential.
        RecordConflictError: another credential has the same ``id``.
        RecordTooLargeError: the credential is over the record size limit.
        ValueError: ``direction`` is not ``issued``, ``received`` or ``None``.
    """
    parsed = parse_credential(credential)
    if direction not in (None, "issued", "received"):
        raise ValueError("direction must be 'issued' or 'received'")
    record_id = (
        parsed.id
        or "urn:sha256:" + hashlib.sha256(canonicalize_jcs(credential)).hexdigest()
    )
    if direction is None:
        mine = {data["did"] for _, data in transaction.records("did")}
        direction = "issued" if parsed.issuer in mine else "received"
    old = transaction.get("credential", "vc/" + record_id)
    if old is not None:
        if old["credential"] != credential:
            raise RecordConflictError(
                f"another credential with id {record_id[:80]!r} is stored."
            )
        return credential_from(record_id, old)
    data: JsonObject = {
        "credential": credential,
        "direction": direction,
        "stored": now(),
    }
    transaction.put("credential", "vc/" + record_id, data)
    return credential_from(record_id, data)


def import_key(transaction: Transaction, key: KeyPair, alias: str | None) -> KeyRecord:
    """Store an imported key pair unless the wallet holds it already.

    Raises:
        RecordConflictError: the key (or the alias) is already in the wallet.
        InvalidAliasError: the alias is not a valid alias.
    """
    record = key_record(key, alias)
    for rid, data in transaction.records("key"):
        if data.get("publicKeyMultibase") == record.public_key_multibase:
            raise RecordConflictError(f"the key is already in the wallet as {rid}.")
    put_key(transaction, record, key)
    return record
