"""Stewards in the wallet: the keys a steward holds for a community controlled
by m of n stewards, and the steps each steward takes from their own wallet.

A steward is named (``--as NAME`` on the command line) and holds three keys:
an update key (signs the community's log entries), a committed next update
key (pre-rotation), and an assertion key (signs credentials as
``<community>#steward-i``). :func:`create_steward` makes them and returns the
public package the steward hands to whoever creates the community.

:func:`create_threshold_community` makes the community's first entry, unsigned,
and signs it as one steward; :func:`cosign_entry` adds another steward's
proof; once the entry carries ``threshold`` proofs the wallet keeps the log, so
the community's DID resolves. Credentials of the community (memberships,
status lists, a constitution) are signed by the wallet's steward (one proof)
and completed by the others with :func:`cosign_credential`.

Spec: docs/did-agora.md (4.5 Threshold DIDs), docs/credentials.md (Proof sets
of m)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ssi.agora import (
    AgoraLog,
    Steward,
    add_entry_proof,
    create_threshold_entry,
    did_for_inception,
    entry_hash,
    key_hash,
    reconfigure_entry,
    rotate_steward_entry,
    steward_document,
    validate_log,
)
from ssi.credentials import cosign
from ssi.errors import (
    InvalidDIDLogError,
    MalformedValueError,
    RecordConflictError,
    RecordNotFoundError,
)
from ssi.keys import Ed25519KeyPair, LocalSigner
from ssi.proofs import proofs_of
from ssi.types import JsonObject
from ssi.wallet.model import DIDRecord, check_alias, key_record, now
from ssi.wallet.operations import find_did, find_key, key_pair_of, put_key
from ssi.wallet.records import Transaction
from ssi.wallet.wallet import Wallet

__all__ = [
    "StewardRecord",
    "community_threshold",
    "cosign_credential",
    "cosign_entry",
    "create_steward",
    "create_threshold_community_entry",
    "next_package",
    "proof_count",
    "reconfigure_community",
    "rotate_steward",
    "steward",
    "stewards",
]

_KIND = "steward"


@dataclass(frozen=True, slots=True)
class StewardRecord:
    """A steward the wallet holds the keys of.

    Attributes:
        name: the wallet's name for it (``--as NAME``).
        package: the public package to share (update key, next key hash,
            assertion key).
        communities: the communities it stewards, with its verification
            method in each (``<did>#steward-i``), by DID.
    """

    name: str
    package: Steward
    communities: dict[str, str]

    def to_json(self) -> JsonObject:
        """Return the record as JSON (the package, no secret)."""
        return {
            "name": self.name,
            "package": self.package.to_json(),
            "communities": dict(self.communities),
        }


def _record(data: JsonObject) -> StewardRecord:
    return StewardRecord(
        data["name"],
        Steward.from_json(data["package"]),
        dict(data.get("communities", {})),
    )


def _new_key(tx: Transaction) -> tuple[str, Ed25519KeyPair]:
    key = Ed25519KeyPair.generate()
    record = key_record(key, None)
    put_key(tx, record, key)
    return record.id, key


def create_steward(wallet: Wallet, name: str) -> StewardRecord:
    """Make a steward's keys (update, next update, assertion) and keep them.

    Spec: docs/did-agora.md (4.5 Threshold DIDs)

    Raises:
        InvalidAliasError: the name is not a valid alias.
        RecordConflictError: the wallet has a steward of that name.
    """
    check_alias(name)
    with wallet.transaction() as tx:
        if tx.get(_KIND, f"{_KIND}/{name}") is not None:
            raise RecordConflictError(f"the wallet has a steward {name!r} already.")
        update_id, update = _new_key(tx)
        next_id, nxt = _new_key(tx)
        assertion_id, assertion = _new_key(tx)
        package = Steward(
            update.export_multikey(),
            key_hash(nxt.export_multikey()),
            assertion.export_multikey(),
        )
        data: JsonObject = {
            "name": name,
            "package": package.to_json(),
            "updateKey": update_id,
            "nextKey": next_id,
            "assertionKey": assertion_id,
            "communities": {},
        }
        tx.put(_KIND, f"{_KIND}/{name}", data)
    return _record(data)


def _load(tx: Transaction, name: str) -> JsonObject:
    data = tx.get(_KIND, f"{_KIND}/{name}")
    if data is None:
        raise RecordNotFoundError(
            f"no steward {name[:80]!r} in the wallet; make one with "
            "'agora community steward-key --as NAME'."
        )
    return data


def steward(wallet: Wallet, name: str) -> StewardRecord:
    """Return the steward ``name``.

    Raises:
        RecordNotFoundError: no such steward.
    """
    return _record(_load(wallet.snapshot(), name))


def stewards(wallet: Wallet) -> list[StewardRecord]:
    """Return every steward the wallet holds."""
    return [_record(data) for _, data in wallet.snapshot().records(_KIND)]


def _key(tx: Transaction, key_id: str) -> Ed25519KeyPair:
    key = key_pair_of(find_key(tx, key_id)[1])
    if not isinstance(key, Ed25519KeyPair):
        raise MalformedValueError("a steward key is not an Ed25519 key.")
    return key


def _slot(document: object, assertion_key: str) -> str | None:
    """The fragment of the verification method holding ``assertion_key``."""
    if not isinstance(document, dict):
        return None
    for method in document.get("verificationMethod", []):
        if isinstance(method, dict) and method.get("publicKeyMultibase") == (
            assertion_key
        ):
            fragment = method.get("id")
            return fragment if isinstance(fragment, str) else None
    return None


def _join(tx: Transaction, data: JsonObject, did: str, document: object) -> None:
    """Record that the steward serves ``did`` as the verification method
    holding its assertion key in ``document`` (none: it no longer serves), and
    keep the wallet's DID record of the community signing with that method."""
    communities = data.setdefault("communities", {})
    fragment = _slot(document, data["package"]["assertionKey"])
    if fragment is None:
        if communities.pop(did, None) is not None:
            tx.put(_KIND, f"{_KIND}/{data['name']}", data)
        return
    method = did + fragment if fragment.startswith("#") else fragment
    if communities.get(did) != method:
        communities[did] = method
        tx.put(_KIND, f"{_KIND}/{data['name']}", data)
    body = tx.get("did", "did/" + did)
    if body is None:
        record = DIDRecord(did, "agora", None, data["assertionKey"], method, now())
        body = record.to_json()
        del body["deactivated"]
        tx.put("did", "did/" + did, body)
    elif body.get("keyId") == data["assertionKey"] and (
        body.get("verificationMethod") != method
    ):
        body["verificationMethod"] = method  # the stewards were renumbered
        tx.put("did", "did/" + did, body)


def _known_entries(tx: Transaction, did: str) -> list[JsonObject]:
    found = tx.get("agora", f"agora/{did}")
    return list(found["entries"]) if found is not None else []


def _keep_if_complete(tx: Transaction, did: str, entry: JsonObject) -> bool:
    """Keep the log with ``entry`` appended when it validates; say whether."""
    known = _known_entries(tx, did)
    version = entry.get("version")
    if type(version) is int and 1 <= version <= len(known):
        # The wallet holds that entry already (maybe with other proofs).
        return entry_hash(known[version - 1]) == entry_hash(entry)
    entries = [*known, entry]
    try:
        validate_log(entries, did=did)
    except InvalidDIDLogError:
        return False
    stored = tx.get("agora", f"agora/{did}") or {"did": did, "owned": False}
    stored["entries"] = entries
    tx.put("agora", f"agora/{did}", stored)
    return True


def create_threshold_community_entry(
    tx: Transaction,
    name: str,
    packages: Sequence[Steward],
    *,
    threshold: int,
    alias: str | None,
    when: datetime | None,
) -> tuple[str, JsonObject]:
    """Make a community's first entry signed by the wallet's steward ``name``
    (who is added first to ``packages`` if it is not there), keep the entry
    pending, and give the wallet the community's DID record.

    Raises:
        RecordNotFoundError: no steward ``name``.
        ValueError: unusable stewards or threshold.
    """
    check_alias(alias)
    data = _load(tx, name)
    own = Steward.from_json(data["package"])
    chosen = list(packages)
    if all(p.update_key != own.update_key for p in chosen):
        chosen.insert(0, own)
    did, entry = create_threshold_entry(chosen, threshold=threshold, when=when)
    entry = add_entry_proof(entry, _key(tx, data["updateKey"]))
    _join(tx, data, did, entry["document"])
    if alias is not None:
        body = tx.get("did", "did/" + did)
        if body is not None:
            body["alias"] = alias
            tx.put("did", "did/" + did, body)
    _keep_if_complete(tx, did, entry)
    return did, entry


def cosign_entry(
    wallet: Wallet, entry: JsonObject, name: str
) -> tuple[JsonObject, str, bool]:
    """Add the steward ``name``'s proof to a community's log entry; return the
    entry, the community's DID, and whether the wallet now holds a valid log
    with the entry.

    The steward signs with their update key. Signing the first entry makes
    the steward join the community: the wallet gets its DID record, signing
    with the steward's assertion key.

    Spec: docs/did-agora.md (4.5 Threshold DIDs)

    Raises:
        RecordNotFoundError: no steward ``name``.
        MalformedValueError: not a did:agora log entry, or one the steward's
            key has no part in.
    """
    if not isinstance(entry, dict) or not isinstance(entry.get("updateKeys"), list):
        raise MalformedValueError("this is not a did:agora log entry.")
    with wallet.transaction() as tx:
        data = _load(tx, name)
        _sync(tx, data)
        key = _key(tx, data["updateKey"])
        if entry.get("version") == 1:
            did = did_for_inception(entry)
            if key.export_multikey() not in entry["updateKeys"]:
                raise MalformedValueError(
                    f"steward {name!r} is not one of the entry's update keys."
                )
            _join(tx, data, did, entry.get("document"))
        else:
            did = _community_of(tx, data, entry)
            if key.export_multikey() not in entry["updateKeys"]:
                # The entry rotates, keeps on with new keys or removes this
                # steward: only the committed key may sign it (section 4.5).
                key = _key(tx, data["nextKey"])
        signed = add_entry_proof(entry, key)
        complete = _keep_if_complete(tx, did, signed)
        _sync(tx, data)
        if complete:
            _join_from_log(tx, data, did)
        return signed, did, complete


def _community_of(tx: Transaction, data: JsonObject, entry: JsonObject) -> str:
    for did in data.get("communities", {}):
        known = _known_entries(tx, did)
        version = entry.get("version")
        if type(version) is not int or not 2 <= version <= len(known) + 1:
            continue
        if entry_hash(known[version - 2]) == entry.get("previous"):
            return str(did)
    raise MalformedValueError(
        "the entry does not follow the log of a community this steward serves."
    )


def _sync(tx: Transaction, data: JsonObject) -> None:
    """Finish the steward's rotation once the wallet's log holds it: the
    revealed key becomes the update key, the new key the committed one."""
    pending = data.get("pendingNextKey")
    if not isinstance(pending, str):
        return
    revealed = _key(tx, data["nextKey"]).export_multikey()
    for did in data.get("communities", {}):
        known = _known_entries(tx, did)
        if known and revealed in (known[-1].get("updateKeys") or []):
            fresh = _key(tx, pending).export_multikey()
            data["updateKey"], data["nextKey"] = data["nextKey"], pending
            del data["pendingNextKey"]
            data["package"] = Steward(
                revealed, key_hash(fresh), data["package"]["assertionKey"]
            ).to_json()
            tx.put(_KIND, f"{_KIND}/{data['name']}", data)
            return


def next_package(wallet: Wallet, name: str) -> Steward:
    """Return the package the steward ``name`` will have after the next
    change of the community's keys: the committed next key revealed as the
    update key, and a commitment to a fresh key (made now, kept pending). A
    reconfiguration lists it for a steward who stays; the wallet switches keys
    when it holds the completed entry. Asked again, the same package.

    Spec: docs/did-agora.md (4.5 Threshold DIDs, reconfiguration)

    Raises:
        RecordNotFoundError: no steward ``name``.
    """
    with wallet.transaction() as tx:
        data = _load(tx, name)
        _sync(tx, data)
        return _next_package(tx, data)


def _next_package(tx: Transaction, data: JsonObject) -> Steward:
    pending = data.get("pendingNextKey")
    if not isinstance(pending, str):
        pending, _ = _new_key(tx)
        data["pendingNextKey"] = pending
        tx.put(_KIND, f"{_KIND}/{data['name']}", data)
    return Steward(
        _key(tx, data["nextKey"]).export_multikey(),
        key_hash(_key(tx, pending).export_multikey()),
        data["package"]["assertionKey"],
    )


def reconfigure_community(
    wallet: Wallet,
    reference: str,
    name: str,
    packages: Sequence[Steward],
    *,
    threshold: int,
    when: datetime | None = None,
) -> JsonObject:
    """Start a reconfiguration of a community (its DID or alias): the stewards
    become ``packages`` (stewards who stay give their :func:`next_package`,
    new stewards their first package; a steward left out is removed), m
    becomes ``threshold``, and the document lists one ``#steward-i`` per
    package. The wallet's steward ``name`` is put first, with its next
    package, when no package carries its assertion key. The entry is signed
    with the steward's committed key; the other stewards of the current state
    add theirs with :func:`cosign_entry` (which signs with the committed key)
    until the current m have signed.

    Spec: docs/did-agora.md (4.5 Threshold DIDs, reconfiguration)

    Raises:
        RecordNotFoundError: no steward ``name``, no such community, or no
            valid log of it in the wallet.
        ValueError: unusable stewards or threshold.
    """
    with wallet.transaction() as tx:
        data = _load(tx, name)
        _sync(tx, data)
        did = find_did(tx, reference).did
        log = _valid_log(tx, did)
        chosen = list(packages)
        own = data["package"]["assertionKey"]
        if all(p.assertion_key != own for p in chosen):
            chosen.insert(0, _next_package(tx, data))
        entry = reconfigure_entry(
            log,
            [(p.update_key, p.next_key_hash) for p in chosen],
            threshold=threshold,
            document=steward_document([p.assertion_key for p in chosen]),
            when=when,
        )
        entry = add_entry_proof(entry, _key(tx, data["nextKey"]))
        if _keep_if_complete(tx, did, entry):
            _sync(tx, data)
            _join_from_log(tx, data, did)
        record = tx.get("community", f"community/{did}")
        if record is not None:
            record["threshold"] = threshold
            tx.put("community", f"community/{did}", record)
        return entry


def _valid_log(tx: Transaction, did: str) -> AgoraLog:
    try:
        return validate_log(_known_entries(tx, did), did=did)
    except InvalidDIDLogError as exc:
        raise RecordNotFoundError(
            f"the wallet holds no valid log of {did[:80]}."
        ) from exc


def rotate_steward(
    wallet: Wallet,
    reference: str,
    name: str,
    *,
    compromised: bool = False,
    when: datetime | None = None,
) -> JsonObject:
    """Start the rotation of the steward ``name``'s update key in a community
    (its DID or alias): the entry reveals the committed next key, commits to
    a new one, and is signed by the revealed key; the other stewards cosign it
    (:func:`cosign_entry`) until ``threshold`` have. With ``compromised``, the
    old update key is marked compromised. The wallet switches keys when it
    holds the completed entry.

    Spec: docs/did-agora.md (4.5 Threshold DIDs, steward rotation)

    Raises:
        RecordNotFoundError: no steward ``name``, no such community, or the
            wallet holds no valid log for it.
        RecordConflictError: a rotation of this steward is pending, or the
            steward is not one of the community's update keys.
    """
    with wallet.transaction() as tx:
        data = _load(tx, name)
        _sync(tx, data)
        if isinstance(data.get("pendingNextKey"), str):
            raise RecordConflictError(
                f"a rotation of steward {name!r} is pending; have it cosigned first."
            )
        did = find_did(tx, reference).did
        log = _valid_log(tx, did)
        current = _key(tx, data["updateKey"]).export_multikey()
        if current not in log.latest.update_keys:
            raise RecordConflictError(
                f"steward {name!r} holds no update key of {did[:80]}."
            )
        committed = _key(tx, data["nextKey"])
        fresh_id, fresh = _new_key(tx)
        entry = rotate_steward_entry(
            log,
            log.latest.update_keys.index(current),
            committed.public_key,
            key_hash(fresh.export_multikey()),
            compromised=compromised,
            when=when,
        )
        entry = add_entry_proof(entry, committed)
        data["pendingNextKey"] = fresh_id
        tx.put(_KIND, f"{_KIND}/{name}", data)
        _keep_if_complete(tx, did, entry)
        _sync(tx, data)
        return entry


def cosign_credential(wallet: Wallet, credential: JsonObject, name: str) -> JsonObject:
    """Add the steward ``name``'s proof to a credential its community issues.

    Spec: docs/credentials.md (Proof sets of m)

    Raises:
        RecordNotFoundError: no steward ``name``, or the steward does not
            serve the credential's issuer.
        ProofGenerationError, MalformedValueError: as :func:`ssi.cosign`.
    """
    if not isinstance(credential, dict):
        raise MalformedValueError("a credential must be a JSON object.")
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    with wallet.transaction() as tx:
        data = _load(tx, name)
        method = (
            _join_from_log(tx, data, issuer_id) if isinstance(issuer_id, str) else None
        )
        if method is None and not _known_entries(tx, str(issuer_id)):
            method = data.get("communities", {}).get(issuer_id)
        if not isinstance(method, str):
            raise RecordNotFoundError(
                f"steward {name!r} does not serve {str(issuer_id)[:80]}: import "
                "the community's log ('agora did log import FILE') or cosign its "
                "first entry."
            )
        signer = LocalSigner(_key(tx, data["assertionKey"]), method)
    return cosign(credential, signer)


def _join_from_log(tx: Transaction, data: JsonObject, did: str) -> str | None:
    """Join a community whose log the wallet holds, when the steward's
    assertion key is in its latest document; return the steward's method."""
    entries = _known_entries(tx, did)
    if not entries:
        return None
    try:
        log = validate_log(entries, did=did)
    except InvalidDIDLogError:
        return None
    _join(tx, data, did, log.latest.document)
    method = data.get("communities", {}).get(did)
    return method if isinstance(method, str) else None


def community_threshold(wallet: Wallet, did: str) -> int | None:
    """The threshold of a community whose valid log the wallet holds (None
    when it holds none)."""
    entries = _known_entries(wallet.snapshot(), did)
    if not entries:
        return None
    try:
        return validate_log(entries, did=did).latest.threshold or 1
    except InvalidDIDLogError:
        return None


def proof_count(document: JsonObject) -> int:
    """How many distinct verification methods signed ``document``."""
    try:
        proofs = proofs_of(document)
    except MalformedValueError:
        return 0
    return len({str(p.get("verificationMethod")) for p in proofs})
