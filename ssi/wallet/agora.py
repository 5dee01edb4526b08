"""did:agora in the wallet: DIDs whose log, update keys and next update key
the wallet keeps, and logs of other people's DIDs imported for resolution.

Each operation (create, update, rotate, deactivate) makes the new log entry,
its keys and the DID record in one atomic change of the wallet file. Every
private key (signing keys, the current update key, the committed next update
key) is stored encrypted like any other key of the wallet.

Spec: docs/did-agora.md
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ssi.agora import (
    AgoraLog,
    create_entry,
    deactivate_entry,
    document_for,
    entry_hash,
    rotate_entry,
    set_agreement_key,
    signing_document,
    update_entry,
    validate_entries,
    validate_log,
)
from ssi.errors import (
    InvalidDIDLogError,
    RecordConflictError,
    RecordNotFoundError,
    WalletCorruptedError,
)
from ssi.keys import Ed25519KeyPair, KeyPair, LocalSigner, X25519KeyPair
from ssi.types import JsonObject, JsonValue
from ssi.wallet.model import DIDRecord, check_alias, key_record, now
from ssi.wallet.operations import find_did, find_key, key_pair_of, put_did, put_key
from ssi.wallet.records import Transaction
from ssi.wallet.wallet import Wallet

__all__ = [
    "WalletLogSource",
    "agora_log",
    "create_agora_did",
    "create_agora_did_in",
    "deactivate_agora_did",
    "import_agora_log",
    "prior_signer",
    "rotate_agora_did",
    "update_agora_did",
]

_KIND = "agora"


def _record_id(did: str) -> str:
    return f"{_KIND}/{did}"


def _new_key(tx: Transaction, data: JsonObject | None) -> tuple[str, Ed25519KeyPair]:
    # Every key made for a did:agora DID is listed in its record ("keyIds"),
    # so that removing the DID from the wallet removes them all.
    key = Ed25519KeyPair.generate()
    record = key_record(key, None)
    put_key(tx, record, key)
    if data is not None:
        data["keyIds"] = [*data.get("keyIds", []), record.id]
    return record.id, key


def _new_agreement_key(
    tx: Transaction, data: JsonObject, document: JsonObject
) -> JsonObject:
    # A fresh X25519 key for keyAgreement, #agreement-<n>, numbered apart
    # from the signing keys; earlier ones stay in the wallet (listed in
    # "keyIds") so that messages sent to them still decrypt.
    key = X25519KeyPair.generate()
    record = key_record(key, None)
    put_key(tx, record, key)
    data["keyIds"] = [*data.get("keyIds", []), record.id]
    number = int(data.get("agreementNumber", 0)) + 1
    data["agreementNumber"] = number
    return set_agreement_key(document, key.public_key, fragment=f"agreement-{number}")


def create_agora_did(
    wallet: Wallet,
    *,
    alias: str | None = None,
    services: Sequence[JsonObject] = (),
    when: datetime | None = None,
) -> DIDRecord:
    """Create a did:agora DID: a signing key, an X25519 key-agreement key, an
    update key, a committed next update key, and the first log entry, all
    kept in the wallet.

    Spec: docs/did-agora.md (Create)

    Raises:
        InvalidAliasError: the alias is not valid.
        RecordConflictError: the alias is taken.
    """
    with wallet.transaction() as transaction:
        return create_agora_did_in(
            transaction, alias=alias, services=services, when=when
        )


def create_agora_did_in(
    transaction: Transaction,
    *,
    alias: str | None = None,
    services: Sequence[JsonObject] = (),
    when: datetime | None = None,
) -> DIDRecord:
    """Create a did:agora DID as part of a larger transaction (a community).

    Spec: docs/did-agora.md (Create)

    Raises:
        InvalidAliasError: the alias is not valid.
        RecordConflictError: the alias is taken.
    """
    check_alias(alias)
    signing_id, signing = _new_key(transaction, None)
    update_id, update = _new_key(transaction, None)
    next_id, nxt = _new_key(transaction, None)
    data: JsonObject = {
        "owned": True,
        "updateKey": update_id,
        "nextKey": next_id,
        "keyNumber": 1,
        "keyIds": [signing_id, update_id, next_id],
    }
    document = _new_agreement_key(
        transaction, data, signing_document(signing.public_key, services=services)
    )
    did, entry = create_entry(update, [nxt.public_key], document, when=when)
    record = DIDRecord(did, "agora", alias, signing_id, f"{did}#key-1", now())
    put_did(transaction, record)
    transaction.put(_KIND, _record_id(did), {"did": did, "entries": [entry], **data})
    return record


def _owned(tx: Transaction, reference: str) -> tuple[DIDRecord, JsonObject]:
    record = find_did(tx, reference)
    data = tx.get(_KIND, _record_id(record.did))
    if record.method != "agora" or data is None:
        raise RecordNotFoundError(
            f"{record.did[:80]} is not a did:agora DID of this wallet."
        )
    if not data.get("owned"):
        raise RecordNotFoundError(
            f"the wallet does not hold the keys of {record.did[:80]}."
        )
    return record, data


def _log(data: JsonObject) -> AgoraLog:
    try:
        return validate_log(data["entries"], did=data["did"])
    except (InvalidDIDLogError, KeyError) as exc:
        raise WalletCorruptedError(
            f"the stored log of {data.get('did')} is broken."
        ) from exc


def _active_log(data: JsonObject) -> AgoraLog:
    log = _log(data)
    if log.latest.deactivated:
        raise RecordConflictError(f"{log.did} is deactivated; its log is final.")
    return log


def _append(
    tx: Transaction, record: DIDRecord, data: JsonObject, entry: JsonObject
) -> AgoraLog:
    data["entries"] = [*data["entries"], entry]
    log = _log(data)
    tx.put(_KIND, _record_id(record.did), data)
    return log


def update_agora_did(
    wallet: Wallet,
    reference: str,
    *,
    add_services: Sequence[JsonObject] = (),
    remove_services: Sequence[str] = (),
    add_key: bool = False,
    new_agreement_key: bool = False,
    when: datetime | None = None,
) -> AgoraLog:
    """Append an update: services added or removed, a new verification key
    (used for authentication and assertions), or a new X25519 key-agreement
    key in place of the current one. Signed by the current update key.

    A DID whose document has no ``keyAgreement`` (one created before
    did:agora documents had one) gets its key-agreement key with any update.

    Spec: docs/did-agora.md (Update)

    Raises:
        RecordNotFoundError: not a did:agora DID the wallet controls, or a
            service to remove that is not there.
        RecordConflictError: a service id to add is taken.
    """
    with wallet.transaction() as tx:
        record, data = _owned(tx, reference)
        log = _active_log(data)
        document: JsonObject = dict(log.latest.document or {})
        services = [dict(s) for s in document.get("service", [])]
        ids = {s.get("id") for s in services}
        for name in remove_services:
            wanted = name if name.startswith("#") else "#" + name
            if wanted not in ids:
                raise RecordNotFoundError(f"{record.did} has no service {wanted!r}.")
            services = [s for s in services if s.get("id") != wanted]
            ids.discard(wanted)
        for service in add_services:
            if service.get("id") in ids:
                raise RecordConflictError(
                    f"{record.did} already has service {service['id']!r}."
                )
            services.append(dict(service))
            ids.add(service.get("id"))
        if services:
            document["service"] = services
        else:
            document.pop("service", None)
        if add_key:
            number = int(data.get("keyNumber", 1)) + 1
            data["keyNumber"] = number
            _, key = _new_key(tx, data)
            vm_id = f"#key-{number}"
            document["verificationMethod"] = [
                *document.get("verificationMethod", []),
                {
                    "id": vm_id,
                    "type": "Multikey",
                    "publicKeyMultibase": key.public_key.export_multikey(),
                },
            ]
            for relationship in ("authentication", "assertionMethod"):
                document[relationship] = [*document.get(relationship, []), vm_id]
        if new_agreement_key or not document.get("keyAgreement"):
            document = _new_agreement_key(tx, data, document)
        update = _key(tx, data["updateKey"])
        return _append(tx, record, data, update_entry(log, update, document, when=when))


def rotate_agora_did(
    wallet: Wallet,
    reference: str,
    *,
    compromised: Sequence[str] = (),
    when: datetime | None = None,
) -> AgoraLog:
    """Append a rotation: the committed next key becomes the update key, a new
    next key is committed, the signing key and the key-agreement key are
    replaced by new ones (the wallet keeps the old key-agreement key, to read
    messages sent before the rotation), and the keys in ``compromised``
    (Multikeys, or ids of the DID's verification methods at any version) are
    marked so that every proof made with them fails.

    Spec: docs/did-agora.md (Rotate)

    Raises:
        RecordNotFoundError: not a did:agora DID the wallet controls, or a
            compromised key that the DID never had.
    """
    with wallet.transaction() as tx:
        record, data = _owned(tx, reference)
        log = _active_log(data)
        marked = [_multikey_of(log, record.did, ref) for ref in compromised]
        committed = _key(tx, data["nextKey"])
        next_id, nxt = _new_key(tx, data)
        signing_id, signing = _new_key(tx, data)
        number = int(data.get("keyNumber", 1)) + 1
        services = (log.latest.document or {}).get("service", [])
        document = signing_document(
            signing.public_key, fragment=f"key-{number}", services=services
        )
        document = _new_agreement_key(tx, data, document)
        entry = rotate_entry(
            log, committed, [nxt.public_key], document, compromised=marked, when=when
        )
        data.update(updateKey=data["nextKey"], nextKey=next_id, keyNumber=number)
        rotated = DIDRecord(
            record.did,
            record.method,
            record.alias,
            signing_id,
            f"{record.did}#key-{number}",
            record.created,
        ).to_json()
        del rotated["deactivated"]
        tx.put("did", "did/" + record.did, rotated)
        return _append(tx, record, data, entry)


def deactivate_agora_did(
    wallet: Wallet, reference: str, *, when: datetime | None = None
) -> AgoraLog:
    """Append the final entry, signed by the committed next key.

    Spec: docs/did-agora.md (Deactivate)

    Raises:
        RecordNotFoundError: not a did:agora DID the wallet controls.
    """
    with wallet.transaction() as tx:
        record, data = _owned(tx, reference)
        log = _active_log(data)
        key = _key(tx, data["nextKey"])
        return _append(tx, record, data, deactivate_entry(log, key, when=when))


def agora_log(wallet: Wallet, reference: str) -> list[JsonObject]:
    """Return the log entries of a did:agora DID the wallet holds (owned or
    imported), for publishing.

    Raises:
        RecordNotFoundError: no log for that DID or alias.
    """
    snapshot = wallet.snapshot()
    did = reference
    if not reference.startswith("did:"):
        did = find_did(snapshot, reference).did
    data = snapshot.get(_KIND, _record_id(did))
    if data is not None:
        return list(data["entries"])
    raise RecordNotFoundError(f"the wallet holds no log for {reference[:80]!r}.")


def prior_signer(wallet: Wallet, reference: str) -> LocalSigner:
    """Return a signer for an authentication key of the version before the
    latest one of a did:agora DID of the wallet, its key id naming that
    version (``<did>?versionId=<n>#<fragment>``): the key that announces the
    latest rotation to correspondents (a DIDComm ``from_prior``).

    Spec: https://identity.foundation/didcomm-messaging/spec/v2.1/#did-rotation,
    docs/messaging.md (Rotation)

    Raises:
        RecordNotFoundError: not a did:agora DID the wallet controls, a log
            of one entry, or no key of that version the wallet holds (keys
            marked compromised do not count).
    """
    snapshot = wallet.snapshot()
    record, data = _owned(snapshot, reference)
    log = _log(data)
    if len(log.states) < 2:
        raise RecordNotFoundError(f"{record.did} has no earlier version.")
    prior = log.states[-2]
    document = document_for(record.did, prior)
    for method in document.verification_methods_for("authentication"):
        multikey = method.public_key_multibase
        if multikey is None or multikey in log.compromised:
            continue
        try:
            _, stored = find_key(snapshot, multikey)
        except RecordNotFoundError:
            continue
        fragment = method.id.rpartition("#")[2]
        key_id = f"{record.did}?versionId={prior.version}#{fragment}"
        return LocalSigner(key_pair_of(stored), key_id)
    raise RecordNotFoundError(
        f"the wallet holds no usable key of version {prior.version} of {record.did}."
    )


def import_agora_log(wallet: Wallet, entries: Sequence[JsonValue]) -> AgoraLog:
    """Validate someone's log and keep it for resolution; a longer valid log
    for the same DID replaces a shorter one that it extends, and a shorter one
    changes nothing (the wallet's log is returned).

    Raises:
        InvalidDIDLogError: the log is broken.
        DuplicityError: the log itself forks (both branches valid); copies
            of an entry count once, as in resolution.
        RecordConflictError: the wallet holds a log for that DID from which
            this one forks (resolve both logs to see the duplicity).
    """
    log = validate_entries(list(entries))
    with wallet.transaction() as tx:
        data = tx.get(_KIND, _record_id(log.did))
        if data is not None:
            known = data["entries"]
            given = log.entries()
            common = min(len(known), len(given))
            # Entry hashes, not the objects: variants of a threshold entry that
            # differ only in their proofs are one entry (docs/did-agora.md §3).
            if [entry_hash(e) for e in given[:common]] != [
                entry_hash(e) for e in known[:common]
            ]:
                raise RecordConflictError(
                    f"the log forks from the one the wallet holds for {log.did}."
                )
            if len(known) >= len(given):
                return _log(data)
            data["entries"] = log.entries()
        else:
            data = {"did": log.did, "owned": False, "entries": log.entries()}
        tx.put(_KIND, _record_id(log.did), data)
        return log


def _key(tx: Transaction, key_id: str) -> Ed25519KeyPair:
    key: KeyPair = key_pair_of(find_key(tx, key_id)[1])
    if not isinstance(key, Ed25519KeyPair):
        raise WalletCorruptedError("a did:agora update key is not an Ed25519 key.")
    return key


def _multikey_of(log: AgoraLog, did: str, reference: str) -> str:
    if reference.startswith("z"):
        return reference
    fragment = "#" + reference.split("#", 1)[1] if "#" in reference else "#" + reference
    for state in reversed(log.states):
        for method in (state.document or {}).get("verificationMethod", []):
            if method.get("id") in (fragment, did + fragment):
                return str(method["publicKeyMultibase"])
    raise RecordNotFoundError(f"{did} never had a verification method {fragment!r}.")


class WalletLogSource:
    """The did:agora logs the wallet holds, as a source for resolution."""

    def __init__(self, wallet: Wallet) -> None:
        self.wallet = wallet

    def logs_for(self, did: str) -> list[list[JsonValue]]:
        """Return the wallet's log for ``did``, if it has one."""
        data = self.wallet.snapshot().get(_KIND, _record_id(did))
        return [list(data["entries"])] if data is not None else []
