"""Write did:agora log entries: create, update, rotate, deactivate.

Each function returns a signed entry; appending it to the log is the caller's
(the wallet's) business. The signing key must be one the previous entry
authorizes: a current update key for updates, a key committed by
``nextKeyHashes`` for rotations (see :mod:`ssi.agora.log`).

Spec: docs/did-agora.md (Create, Update, Deactivate)
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from ssi.agora.log import SUITE, AgoraLog, did_for_inception, key_hash
from ssi.datetimes import format_date_time
from ssi.keys import Ed25519KeyPair, KeyPair, KeyType, LocalSigner, PublicKey
from ssi.proofs import add_proof
from ssi.types import JsonObject

__all__ = [
    "add_service",
    "create_entry",
    "deactivate_entry",
    "remove_service",
    "rotate_entry",
    "set_agreement_key",
    "signing_document",
    "update_entry",
]


def signing_document(
    key: PublicKey,
    *,
    fragment: str = "key-1",
    services: Sequence[JsonObject] = (),
) -> JsonObject:
    """Return a document state with one Multikey verification method used for
    authentication, assertions and capability invocation.

    Spec: https://www.w3.org/TR/did-core/#verification-methods
    """
    vm_id = "#" + fragment
    state: JsonObject = {
        "verificationMethod": [
            {
                "id": vm_id,
                "type": "Multikey",
                "publicKeyMultibase": key.export_multikey(),
            }
        ],
        "authentication": [vm_id],
        "assertionMethod": [vm_id],
        "capabilityInvocation": [vm_id],
    }
    if services:
        state["service"] = [dict(s) for s in services]
    return state


def set_agreement_key(
    document: JsonObject, key: PublicKey, *, fragment: str
) -> JsonObject:
    """Return a copy of a document state whose ``keyAgreement`` is one X25519
    Multikey verification method, ``#<fragment>``.

    The methods the state listed under ``keyAgreement`` before are dropped
    (from ``verificationMethod`` too, unless another relationship uses them):
    a rotation replaces the key-agreement key; its private key stays with the
    controller, who still needs it to read what was sent to it before.

    Spec: https://www.w3.org/TR/did-core/#key-agreement,
    docs/did-agora.md (Key agreement)

    Raises:
        ValueError: ``key`` is not an X25519 key, or ``fragment`` is already
            the id of another verification method of the state.
    """
    if key.key_type != KeyType.X25519:
        raise ValueError("a did:agora key-agreement key is an X25519 key")
    state = copy.deepcopy(document)
    vm_id = "#" + fragment
    old = state.pop("keyAgreement", [])
    dropped = {entry for entry in old if isinstance(entry, str)}
    for name, value in state.items():
        if name != "verificationMethod" and isinstance(value, list):
            dropped -= {entry for entry in value if isinstance(entry, str)}
    methods = [
        m for m in state.get("verificationMethod", []) if m.get("id") not in dropped
    ]
    if any(m.get("id") == vm_id for m in methods):
        raise ValueError(f"the document already has a verification method {vm_id}")
    methods.append(
        {"id": vm_id, "type": "Multikey", "publicKeyMultibase": key.export_multikey()}
    )
    state["verificationMethod"] = methods
    state["keyAgreement"] = [vm_id]
    return state


def _sign(entry: JsonObject, key: KeyPair) -> JsonObject:
    if not isinstance(key, Ed25519KeyPair):
        raise ValueError("did:agora update keys are Ed25519 keys")
    multikey = key.export_multikey()
    signer = LocalSigner(key, f"did:key:{multikey}#{multikey}")
    return add_proof(entry, signer, suite=SUITE, created=entry["time"])


def _time(when: datetime | None, after: datetime | None = None) -> str:
    """The entry's time, in milliseconds; never at or before ``after`` (the
    previous entry's time), so entries made in quick succession stay ordered."""
    moment = when or datetime.now(UTC)
    if after is not None and when is None and moment <= after:
        moment = after + timedelta(milliseconds=1)
    return format_date_time(moment, milliseconds=True)


def create_entry(
    update_key: KeyPair,
    next_update_keys: Sequence[PublicKey],
    document: JsonObject,
    *,
    when: datetime | None = None,
) -> tuple[str, JsonObject]:
    """Return ``(did, first entry)`` for a new DID.

    ``update_key`` signs the entry and may sign the next one; the hashes of
    ``next_update_keys`` are committed for the first rotation.

    Spec: docs/did-agora.md (Create)
    """
    entry: JsonObject = {
        "version": 1,
        "previous": None,
        "time": _time(when),
        "updateKeys": [update_key.export_multikey()],
        "nextKeyHashes": [key_hash(k.export_multikey()) for k in next_update_keys],
        "document": copy.deepcopy(document),
    }
    signed = _sign(entry, update_key)
    return did_for_inception(signed), signed


def _next(log: AgoraLog, when: datetime | None) -> JsonObject:
    latest = log.latest
    return {
        "version": latest.version + 1,
        "previous": latest.hash,
        "time": _time(when, latest.time),
        "updateKeys": list(latest.update_keys),
        "nextKeyHashes": list(latest.next_key_hashes),
    }


def update_entry(
    log: AgoraLog,
    update_key: KeyPair,
    document: JsonObject,
    *,
    when: datetime | None = None,
) -> JsonObject:
    """Return an entry that replaces the document state, signed by a current
    update key; the key configuration stays as it is.

    Spec: docs/did-agora.md (Update)
    """
    entry = _next(log, when)
    entry["document"] = copy.deepcopy(document)
    return _sign(entry, update_key)


def rotate_entry(
    log: AgoraLog,
    committed_key: KeyPair,
    next_update_keys: Sequence[PublicKey],
    document: JsonObject,
    *,
    compromised: Sequence[str] = (),
    when: datetime | None = None,
) -> JsonObject:
    """Return a rotation: ``committed_key`` (whose hash the latest entry
    committed to) becomes the update key, the hashes of ``next_update_keys``
    are the new commitment, and ``compromised`` lists keys (Multikeys) whose
    proofs are no longer trusted.

    Spec: docs/did-agora.md (Rotate)
    """
    entry = _next(log, when)
    entry["updateKeys"] = [committed_key.export_multikey()]
    entry["nextKeyHashes"] = [key_hash(k.export_multikey()) for k in next_update_keys]
    entry["document"] = copy.deepcopy(document)
    if compromised:
        entry["compromised"] = list(dict.fromkeys(compromised))
    return _sign(entry, committed_key)


def deactivate_entry(
    log: AgoraLog, key: KeyPair, *, when: datetime | None = None
) -> JsonObject:
    """Return the final entry: no document, no keys. With a pre-rotation
    commitment it must be signed by a committed key.

    Spec: docs/did-agora.md (Deactivate)
    """
    entry = _next(log, when)
    entry["updateKeys"] = []
    entry["nextKeyHashes"] = []
    entry["document"] = None
    entry["deactivated"] = True
    return _sign(entry, key)


def add_service(document: JsonObject, service: JsonObject) -> JsonObject:
    """Return a copy of a document state with one more service."""
    state = copy.deepcopy(document)
    state.setdefault("service", []).append(dict(service))
    return state


def remove_service(document: JsonObject, service_id: str) -> JsonObject:
    """Return a copy of a document state without the service ``service_id``
    (``#name`` or ``name``)."""
    wanted = service_id if service_id.startswith("#") else "#" + service_id
    state = copy.deepcopy(document)
    kept = [s for s in state.get("service", []) if s.get("id") != wanted]
    if kept:
        state["service"] = kept
    else:
        state.pop("service", None)
    return state
