"""Key agreement with the wallet's keys: every ``keyAgreement`` key the
wallet holds for one of its DIDs, as a :class:`~ssi.keys.KeyAgreer` whose
private key stays in memory and is never written anywhere but the sealed
wallet file.

Which keys a DID has is read from its DID documents, as a correspondent
resolves them:

- did:key: the X25519 key derived from the Ed25519 key (the document's
  ``keyAgreement`` method); its private key is derived from the Ed25519 seed
  each time, never stored.
- did:jwk: the DID's own key when the document lists it under
  ``keyAgreement`` (an X25519, P-256, P-384 or P-521 JWK without ``"use": "sig"``).
- did:agora: the X25519 key of every version of the log, the current one
  first, so that messages sent before a rotation still decrypt.

Spec: https://www.w3.org/TR/did-core/#key-agreement,
https://w3c-ccg.github.io/did-method-key/#encryption-method-creation-algorithm,
docs/did-agora.md (Key agreement), docs/wallet.md (Key agreement)
"""

from __future__ import annotations

from ssi.agora import AgoraLog, document_for, validate_log
from ssi.did.document import DIDDocument, VerificationMethod
from ssi.did.methods import did_jwk_document, did_key_document
from ssi.errors import (
    DIDDeactivatedError,
    InvalidDIDLogError,
    KeyMaterialError,
    RecordNotFoundError,
    WalletCorruptedError,
)
from ssi.keys import (
    Ed25519KeyPair,
    KeyPair,
    LocalKeyAgreer,
    P256KeyPair,
    P384KeyPair,
    P521KeyPair,
    X25519KeyPair,
    decode_public_jwk,
    decode_public_multikey,
)
from ssi.types import JsonObject
from ssi.wallet.model import DIDRecord
from ssi.wallet.operations import find_did, find_key, key_pair_of
from ssi.wallet.records import Transaction

__all__ = ["key_agreer_of", "key_agreers_of"]

_AgreementKey = X25519KeyPair | P256KeyPair | P384KeyPair | P521KeyPair


def key_agreers_of(tx: Transaction, reference: str) -> list[LocalKeyAgreer]:
    """Return an agreer for every ``keyAgreement`` key the wallet holds for a
    DID (or alias) of the wallet: the current ones first, then those of
    earlier did:agora versions, newest first.

    A deactivated did:agora DID keeps the agreers of its earlier versions
    (to read old messages); a DID of another method, or whose keys the wallet
    does not hold, has none.

    Raises:
        RecordNotFoundError: no such DID in the wallet.
        WalletCorruptedError: a stored key or log is damaged.
    """
    record = find_did(tx, reference)
    current, earlier = _documents(tx, record)
    keys = _private_keys(tx, record)
    agreers: list[LocalKeyAgreer] = []
    seen: set[str] = set()
    for document in [*current, *earlier]:
        for method in document.verification_methods_for("keyAgreement"):
            if method.id in seen:
                continue
            key = keys.get(_public_multikey(method) or "")
            if key is not None:
                seen.add(method.id)
                agreers.append(LocalKeyAgreer(key, method.id))
    return agreers


def key_agreer_of(
    tx: Transaction, reference: str, *, version: int | None = None
) -> LocalKeyAgreer:
    """Return the agreer of the key-agreement key a DID (or alias) of the
    wallet lists now: what a sender of authenticated messages uses; with
    ``version``, the key version ``version`` of a did:agora DID listed (to
    announce a rotation under the key correspondents still know).

    Raises:
        RecordNotFoundError: no such DID, no such version, or the document
            lists no key-agreement key the wallet holds (a did:agora DID
            created before its documents had one gets it with its next update).
        DIDDeactivatedError: the DID is a deactivated did:agora DID.
        WalletCorruptedError: a stored key or log is damaged.
    """
    record = find_did(tx, reference)
    if record.deactivated:
        raise DIDDeactivatedError(
            f"{record.did[:80]} is deactivated; it has no key-agreement key."
        )
    current = (
        _documents(tx, record)[0]
        if version is None
        else [_version_document(tx, record, version)]
    )
    ids = {m.id for d in current for m in d.verification_methods_for("keyAgreement")}
    for agreer in key_agreers_of(tx, reference):
        if agreer.key_id in ids:
            return agreer
    hint = " (run: agora did update --new-agreement-key)" * (record.method == "agora")
    raise RecordNotFoundError(
        f"the wallet holds no key-agreement key for {record.did[:80]}{hint}."
    )


def _documents(
    tx: Transaction, record: DIDRecord
) -> tuple[list[DIDDocument], list[DIDDocument]]:
    """The DID's current document (none if deactivated) and earlier ones."""
    if record.method == "key":
        return [did_key_document(record.did)], []
    if record.method == "jwk":
        return [did_jwk_document(record.did)], []
    if record.method != "agora":
        return [], []
    data = tx.get("agora", "agora/" + record.did)
    if data is None:
        return [], []
    log = _validated(record, data)
    try:
        documents = [
            document_for(record.did, state)
            for state in reversed(log.states)
            if state.document is not None
        ]
    except InvalidDIDLogError as exc:
        raise WalletCorruptedError(
            f"the stored log of {record.did[:80]} is broken."
        ) from exc
    if log.latest.deactivated:
        return [], documents
    return documents[:1], documents[1:]


def _version_document(tx: Transaction, record: DIDRecord, version: int) -> DIDDocument:
    """The document of one version of a did:agora DID of the wallet."""
    data = tx.get("agora", "agora/" + record.did)
    if record.method == "agora" and data is not None:
        log = _validated(record, data)
        for state in log.states:
            if state.version == version and state.document is not None:
                return document_for(record.did, state)
    raise RecordNotFoundError(f"{record.did[:80]} has no version {version}.")


def _validated(record: DIDRecord, data: JsonObject) -> AgoraLog:
    try:
        return validate_log(data["entries"], did=record.did)
    except (InvalidDIDLogError, KeyError, TypeError) as exc:
        raise WalletCorruptedError(
            f"the stored log of {record.did[:80]} is broken."
        ) from exc


def _private_keys(tx: Transaction, record: DIDRecord) -> dict[str, _AgreementKey]:
    """The wallet's key-agreement key pairs that may belong to the DID, by
    public Multikey: the DID's own key (and, for Ed25519, the X25519 key
    derived from it) and every key its did:agora record lists."""
    keys: dict[str, _AgreementKey] = {}

    def add(key: KeyPair) -> None:
        if isinstance(key, Ed25519KeyPair):
            if record.method == "key":
                derived = key.to_x25519()
                keys[derived.public_key.export_multikey()] = derived
        elif isinstance(key, _AgreementKey):
            keys[key.public_key.export_multikey()] = key

    add(key_pair_of(find_key(tx, record.key_id)[1]))
    data = tx.get("agora", "agora/" + record.did)
    for key_id in (data or {}).get("keyIds", []):
        stored = tx.get("key", str(key_id))
        if stored is not None and stored.get("keyType") == "X25519":
            add(key_pair_of(stored))
    return keys


def _public_multikey(method: VerificationMethod) -> str | None:
    """The method's public key as a Multikey, or None when it has none we read."""
    try:
        if method.public_key_multibase is not None:
            return decode_public_multikey(method.public_key_multibase).export_multikey()
        if method.public_key_jwk is not None:
            return decode_public_jwk(method.public_key_jwk).export_multikey()
    except KeyMaterialError:
        return None
    return None
