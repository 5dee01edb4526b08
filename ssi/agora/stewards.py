"""Write entries of threshold did:agora DIDs (m of n stewards), one proof at a
time.

A community's stewards keep their keys in separate wallets. Each one hands
out a :class:`Steward` package (their public update key, the hash of their
next update key, and their assertion key); the entries below are built
unsigned from those, and each steward adds their proof with
:func:`add_entry_proof` before passing the entry on. The entry is valid once
it carries proofs by ``threshold`` stewards (see :mod:`ssi.agora.threshold`).

Spec: docs/did-agora.md (4.5 Threshold DIDs)
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ssi.agora.hashes import MULTIHASH_SHA256
from ssi.agora.log import SUITE, AgoraLog, did_for_inception
from ssi.agora.operations import _next, _time
from ssi.encoding import decode_multibase
from ssi.errors import MalformedValueError, ProofGenerationError, SSIError
from ssi.keys import (
    Ed25519KeyPair,
    Ed25519PublicKey,
    KeyPair,
    LocalSigner,
    PublicKey,
    decode_public_multikey,
)
from ssi.proofs import add_proof, proofs_of
from ssi.types import JsonObject, JsonValue

__all__ = [
    "Steward",
    "add_entry_proof",
    "create_threshold_entry",
    "reconfigure_entry",
    "rotate_steward_entry",
    "steward_document",
    "threshold_update_entry",
]

_HASH_LENGTH = 34
"""Bytes of a key hash: the SHA-256 multihash prefix and 32 bytes."""


@dataclass(frozen=True, slots=True)
class Steward:
    """What a steward shares to take part in a community's DID.

    Attributes:
        update_key: the steward's current update key (Ed25519 Multikey).
        next_key_hash: the key hash of their next update key (pre-rotation).
        assertion_key: the key they sign credentials with (Multikey).
    """

    update_key: str
    next_key_hash: str
    assertion_key: str

    def to_json(self) -> JsonObject:
        """Return the package as JSON (``updateKey``, ``nextKeyHash``,
        ``assertionKey``)."""
        return {
            "type": "AgoraSteward",
            "updateKey": self.update_key,
            "nextKeyHash": self.next_key_hash,
            "assertionKey": self.assertion_key,
        }

    @classmethod
    def from_json(cls, value: JsonValue) -> Steward:
        """Read a package written by :meth:`to_json`.

        Spec: docs/did-agora.md (4.5 Threshold DIDs)

        Raises:
            MalformedValueError: a member is missing or not a string.
        """
        if not isinstance(value, dict) or value.get("type") != "AgoraSteward":
            raise MalformedValueError("a steward package is an AgoraSteward object.")
        members = []
        for name in ("updateKey", "nextKeyHash", "assertionKey"):
            member = value.get(name)
            if not isinstance(member, str) or not member:
                raise MalformedValueError(f"the steward package has no {name}.")
            members.append(member)
        try:
            update = decode_public_multikey(members[0])
            decode_public_multikey(members[2])
            digest = decode_multibase(members[1])
        except SSIError as exc:
            raise MalformedValueError(
                f"the steward package holds an unusable key: {exc.detail}"
            ) from exc
        if not isinstance(update, Ed25519PublicKey):
            raise MalformedValueError("a steward's update key is an Ed25519 key.")
        if len(digest) != _HASH_LENGTH or not digest.startswith(MULTIHASH_SHA256):
            raise MalformedValueError(
                "the steward package's nextKeyHash is not a key hash."
            )
        return cls(*members)


def steward_document(assertion_keys: Sequence[str]) -> JsonObject:
    """Return a document state with one verification method per steward,
    ``#steward-1`` ... ``#steward-n``, each in ``assertionMethod``.

    Spec: docs/did-agora.md (4.5 Threshold DIDs)
    """
    methods = [
        {"id": f"#steward-{i}", "type": "Multikey", "publicKeyMultibase": key}
        for i, key in enumerate(assertion_keys, start=1)
    ]
    return {
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }


def create_threshold_entry(
    stewards: Sequence[Steward],
    *,
    threshold: int,
    document: JsonObject | None = None,
    when: datetime | None = None,
) -> tuple[str, JsonObject]:
    """Return ``(did, first entry)`` of a DID controlled by ``threshold`` of
    ``stewards``, unsigned: ``threshold`` of them must add their proofs.

    The document defaults to :func:`steward_document` of their assertion keys.

    Spec: docs/did-agora.md (4.5 Threshold DIDs)

    Raises:
        ValueError: no steward, a repeated key, or a threshold out of range.
    """
    _check_stewards([s.update_key for s in stewards], threshold)
    entry: JsonObject = {
        "version": 1,
        "previous": None,
        "time": _time(when),
        "updateKeys": [s.update_key for s in stewards],
        "nextKeyHashes": [s.next_key_hash for s in stewards],
        "threshold": threshold,
        "document": copy.deepcopy(
            document or steward_document([s.assertion_key for s in stewards])
        ),
    }
    return did_for_inception(entry), entry


def _check_stewards(keys: Sequence[str], threshold: int) -> None:
    if not keys:
        raise ValueError("a threshold DID needs at least one steward")
    if len(set(keys)) != len(keys):
        raise ValueError("two stewards share an update key")
    if not 1 <= threshold <= len(keys):
        raise ValueError(f"the threshold must be from 1 to {len(keys)}")


def _threshold_of(log: AgoraLog) -> int:
    threshold = log.latest.threshold
    if threshold is None:
        raise ValueError(f"{log.did} has no threshold; use the single-key operations")
    return threshold


def threshold_update_entry(
    log: AgoraLog, document: JsonObject, *, when: datetime | None = None
) -> JsonObject:
    """Return an unsigned update of a threshold DID: a new document state,
    the same keys and threshold; ``threshold`` current stewards must sign it.

    Spec: docs/did-agora.md (4.5 Threshold DIDs)

    Raises:
        ValueError: the DID has no threshold.
    """
    entry = _next(log, when)
    entry["threshold"] = _threshold_of(log)
    entry["document"] = copy.deepcopy(document)
    return entry


def rotate_steward_entry(
    log: AgoraLog,
    index: int,
    revealed_key: PublicKey,
    next_key_hash: str,
    *,
    document: JsonObject | None = None,
    compromised: bool = False,
    when: datetime | None = None,
) -> JsonObject:
    """Return an unsigned steward rotation: update key ``index`` (from 0) is
    replaced by ``revealed_key`` (the key its commitment named), with the new
    commitment ``next_key_hash``; with ``compromised`` the old key is marked
    compromised. ``revealed_key`` signs it, and current keys of other
    stewards until there are ``threshold`` proofs.

    Spec: docs/did-agora.md (4.5 Threshold DIDs)

    Raises:
        ValueError: the DID has no threshold, or no update key ``index``.
    """
    entry = _next(log, when)
    entry["threshold"] = _threshold_of(log)
    keys, hashes = entry["updateKeys"], entry["nextKeyHashes"]
    if not 0 <= index < len(keys) or len(hashes) != len(keys):
        raise ValueError(f"the DID has no committed update key {index}")
    old = keys[index]
    keys[index] = revealed_key.export_multikey()
    hashes[index] = next_key_hash
    entry["document"] = copy.deepcopy(
        log.latest.document if document is None else document
    )
    if compromised:
        entry["compromised"] = [old]
    return entry


def reconfigure_entry(
    log: AgoraLog,
    stewards: Sequence[tuple[str, str]],
    *,
    threshold: int,
    document: JsonObject,
    compromised: Sequence[str] = (),
    when: datetime | None = None,
) -> JsonObject:
    """Return an unsigned reconfiguration: new stewards (``(update key,
    next key hash)`` pairs), a new threshold, a new document. Stewards of
    the previous state sign it with their committed (next) keys, at least the
    previous threshold of them.

    Spec: docs/did-agora.md (4.5 Threshold DIDs)

    Raises:
        ValueError: the stewards or the threshold are unusable.
    """
    _check_stewards([key for key, _ in stewards], threshold)
    entry = _next(log, when)
    entry["updateKeys"] = [key for key, _ in stewards]
    entry["nextKeyHashes"] = [digest for _, digest in stewards]
    entry["threshold"] = threshold
    entry["document"] = copy.deepcopy(document)
    if compromised:
        entry["compromised"] = list(dict.fromkeys(compromised))
    return entry


def add_entry_proof(entry: JsonObject, key: KeyPair) -> JsonObject:
    """Return ``entry`` with one more proof, by ``key``, beside those it
    carries (a proof set; the proofs do not cover each other). An entry the
    key signed already is returned unchanged.

    Spec: docs/did-agora.md (4.5 Threshold DIDs)

    Raises:
        ProofGenerationError: the key is not an Ed25519 key.
    """
    if not isinstance(key, Ed25519KeyPair):
        raise ProofGenerationError("did:agora update keys are Ed25519 keys.")
    multikey = key.export_multikey()
    method = f"did:key:{multikey}#{multikey}"
    existing = proofs_of(entry)
    if any(p.get("verificationMethod") == method for p in existing):
        return copy.deepcopy(entry)
    unsigned = {k: v for k, v in entry.items() if k != "proof"}
    signer = LocalSigner(key, method)
    signed = add_proof(unsigned, signer, suite=SUITE, created=entry["time"])
    signed["proof"] = [*copy.deepcopy(existing), signed["proof"]]
    return signed
