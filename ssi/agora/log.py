"""The did:agora log: hash-chained, signed entries, and their validation.

A log is a sequence of JSON objects (one per line in a ``.jsonl`` file). Entry
``n`` (``version`` n, from 1) names the hash of entry ``n - 1``, its time, the
update keys allowed to sign entry ``n + 1``, hashes of the keys committed for
the next rotation, the DID document state, and is signed with
``eddsa-jcs-2022`` by a key entry ``n - 1`` authorized. The DID is the hash of
the first entry without its proof, so it cannot be claimed without the keys
that signed it. An entry with a ``threshold`` (m) makes the DID a threshold
DID: the next entry carries a proof set by m distinct authorized keys (the
rules are in :mod:`ssi.agora.threshold`).

Validation walks the log from the first entry and stops at the first broken
link with an :class:`~ssi.errors.InvalidDIDLogError` whose ``code`` says what
broke and whose ``entry`` says where; a log is accepted whole or not at all.

Spec: docs/did-agora.md
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ssi.agora.hashes import MULTIHASH_SHA256 as _MULTIHASH_SHA256
from ssi.agora.hashes import fail as _fail
from ssi.agora.hashes import key_hash
from ssi.agora.hashes import multihash as _multihash
from ssi.agora.lines import MAX_LOG_ENTRIES, parse_line, split_lines
from ssi.agora.threshold import (
    authorize_inception,
    authorize_threshold,
    check_threshold,
)
from ssi.datetimes import parse_date_time
from ssi.did.document import DIDDocument
from ssi.encoding import decode_multibase, encode_multibase
from ssi.errors import EncodingError, InvalidDIDLogError, LogTooLargeError, SSIError
from ssi.jsonld.canon import canonicalize_jcs, canonicalize_jcs_with_and_without
from ssi.keys import Ed25519PublicKey, PublicKey, decode_public_multikey
from ssi.proofs import Cryptosuite, check_signature, default_registry
from ssi.types import JsonObject, JsonValue

__all__ = [
    "ENTRY_KEYS",
    "AgoraLog",
    "LogState",
    "build_document",
    "did_for_inception",
    "entry_hash",
    "key_hash",
    "parse_line",
    "split_lines",
    "validate_log",
]

METHOD_PREFIX = "did:agora:"
DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
SUITE = "eddsa-jcs-2022"
ENTRY_KEYS = frozenset(
    {
        "version",
        "previous",
        "time",
        "updateKeys",
        "nextKeyHashes",
        "document",
        "compromised",
        "deactivated",
        "threshold",
        "proof",
    }
)
"""The members an entry may have."""


def entry_hash(entry: JsonObject) -> str:
    """Return the multibase multihash (SHA-256) of an entry: over the whole
    entry, proof included; for an entry with a ``threshold``, over the entry
    without its proof (its proof set can then not be varied to fork the log).

    Spec: docs/did-agora.md (Entry hash)
    """
    if "threshold" in entry:
        return _multihash(
            canonicalize_jcs({k: v for k, v in entry.items() if k != "proof"})
        )
    return _multihash(canonicalize_jcs(entry))


def entry_digest(entry: JsonObject, canonical: tuple[bytes, bytes]) -> bytes:
    """The entry hash as bytes (a multihash), from the entry's JCS bytes
    without and with its proof (see :func:`entry_hash`)."""
    data = canonical[0] if "threshold" in entry else canonical[1]
    return _MULTIHASH_SHA256 + hashlib.sha256(data).digest()


def did_for_inception(entry: JsonObject) -> str:
    """Return the DID that a first entry creates: ``did:agora:`` and the
    multibase multihash of the entry without its proof.

    Spec: docs/did-agora.md (Identifier)
    """
    unsigned = {k: v for k, v in entry.items() if k != "proof"}
    return METHOD_PREFIX + _multihash(canonicalize_jcs(unsigned))


@dataclass(frozen=True, slots=True)
class LogState:
    """The DID's state after one entry."""

    version: int
    time: datetime
    time_text: str
    digest: bytes
    """The multihash (SHA-256) of the entry, proof included."""
    document: JsonObject | None
    update_keys: tuple[str, ...]
    next_key_hashes: tuple[str, ...]
    deactivated: bool
    entry: JsonObject
    threshold: int | None = None
    """The entry's ``threshold`` (m of the update keys), None when it has none."""

    @property
    def hash(self) -> str:
        """The entry hash as the next entry names it (multibase base58btc)."""
        return encode_multibase(self.digest)


@dataclass(frozen=True, slots=True)
class AgoraLog:
    """A validated log: every state, and every key marked compromised."""

    did: str
    states: tuple[LogState, ...]
    compromised: frozenset[str] = field(default_factory=frozenset)

    @property
    def latest(self) -> LogState:
        """The state after the last entry."""
        return self.states[-1]

    def entries(self) -> list[JsonObject]:
        """The log's entries, in order."""
        return [state.entry for state in self.states]


def _string_list(entry: JsonObject, name: str, version: int) -> tuple[str, ...]:
    value = entry.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail("invalidLogEntry", version, f"{name} must be an array of strings.")
    if len(set(value)) != len(value):
        raise _fail("invalidLogEntry", version, f"{name} repeats a value.")
    return tuple(value)


@functools.lru_cache(maxsize=4096)
def _decode_key(multikey: str) -> PublicKey:
    # The same update keys appear in entry after entry; decoding (and the
    # curve-point check) is a large part of validating an entry.
    return decode_public_multikey(multikey)


@functools.lru_cache(maxsize=4096)
def _is_multibase(value: str) -> bool:
    # Commitments repeat from entry to entry until the next rotation.
    try:
        decode_multibase(value)
    except EncodingError:
        return False
    return True


def _update_key(multikey: str, version: int) -> Ed25519PublicKey:
    try:
        key = _decode_key(multikey)
    except SSIError as exc:
        raise _fail(
            "invalidLogEntry", version, f"update key is unusable: {exc.detail}"
        ) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise _fail("invalidLogEntry", version, "update keys must be Ed25519 keys.")
    return key


def _signing_key(
    proof: JsonValue, version: int, time_text: str
) -> tuple[str, PublicKey]:
    if not isinstance(proof, dict):
        raise _fail("invalidLogSignature", version, "the entry has no proof.")
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != SUITE:
        raise _fail("invalidLogSignature", version, f"the proof must be {SUITE}.")
    if proof.get("proofPurpose") != "assertionMethod":
        raise _fail(
            "invalidLogSignature",
            version,
            "the proof's purpose must be assertionMethod.",
        )
    if proof.get("created") != time_text:
        raise _fail(
            "invalidLogTime",
            version,
            "the proof's created time is not the entry's time.",
        )
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not method.startswith("did:key:"):
        raise _fail(
            "invalidLogSignature", version, "the proof must name a did:key update key."
        )
    multikey, _, fragment = method.removeprefix("did:key:").partition("#")
    if fragment != multikey:
        raise _fail(
            "invalidLogSignature",
            version,
            "the proof's verificationMethod is malformed.",
        )
    return multikey, _update_key(multikey, version)


def _signing_keys(
    proof: JsonValue, version: int, time_text: str, *, proof_set: bool
) -> list[tuple[str, PublicKey, JsonObject]]:
    """The proofs of an entry with their keys: one proof, or (when
    ``proof_set``) a non-empty array of proofs. A proof that repeats an
    earlier one (same key, same ``proofValue``) is listed once."""
    if not isinstance(proof, list):
        multikey, key = _signing_key(proof, version, time_text)
        return [(multikey, key, proof)]
    if not proof_set:
        raise _fail(
            "invalidLogSignature",
            version,
            "a proof set (an array of proofs) needs a threshold.",
        )
    if not proof:
        raise _fail("invalidLogSignature", version, "the entry has no proof.")
    found: list[tuple[str, PublicKey, JsonObject]] = []
    seen: set[tuple[str, str]] = set()
    for item in proof:
        if not isinstance(item, dict):
            raise _fail("invalidLogSignature", version, "a proof is not an object.")
        multikey, key = _signing_key(item, version, time_text)
        mark = (multikey, str(item.get("proofValue")))
        if mark not in seen:
            seen.add(mark)
            found.append((multikey, key, item))
    return found


def build_document(
    did: str, state: JsonObject | None, version: int, *, threshold: int | None = None
) -> DIDDocument:
    """Return the DID document of one state: the state plus ``@context``,
    ``id``, each verification method's ``controller`` and, for a threshold
    above 1, ``threshold``.

    The document shares nothing with ``state``.

    Spec: docs/did-agora.md (DID document state)

    Raises:
        InvalidDIDLogError: the result is not a conforming DID document
            (``invalidLogEntry`` with the entry number).
    """
    fresh = None if state is None else json.loads(json.dumps(state))
    return _conforming(did, fresh, version, threshold)


def _conforming(
    did: str, state: JsonObject | None, version: int, threshold: int | None = None
) -> DIDDocument:
    # Validation only checks the result and drops it, so the state is copied
    # shallowly here (DIDDocument.from_json does not change its input).
    document: JsonObject = {"@context": [DID_CONTEXT, MULTIKEY_CONTEXT], "id": did}
    if threshold is not None and threshold > 1 and state is not None:
        document["threshold"] = threshold
    if state is not None:
        template = dict(state)
        methods = template.get("verificationMethod")
        if isinstance(methods, list):
            template["verificationMethod"] = [
                dict(m, controller=did)
                if isinstance(m, dict) and "controller" not in m
                else m
                for m in methods
            ]
        document.update(template)
    try:
        return DIDDocument.from_json(document)
    except SSIError as exc:
        raise _fail(
            "invalidLogEntry", version, f"the document is not valid: {exc.detail}"
        ) from exc


def _check_document(value: JsonValue, version: int) -> JsonObject:
    if not isinstance(value, dict):
        raise _fail("invalidLogEntry", version, "document must be an object.")
    if "id" in value or "@context" in value or "threshold" in value:
        raise _fail(
            "invalidLogEntry",
            version,
            "document holds the state only; resolution adds its id, @context "
            "and threshold.",
        )
    return value


@dataclass(frozen=True, slots=True)
class _Rules:
    """What every entry of one validation is checked against."""

    did: str | None
    now: datetime | None
    skew: timedelta
    suite: Cryptosuite


def _rules(did: str | None, now: datetime | None, skew: timedelta) -> _Rules:
    return _Rules(did, now, skew, default_registry().get(SUITE))


def _canonical(entry: JsonObject) -> tuple[bytes, bytes] | None:
    """The JCS bytes of an entry without and with its proof, or None when it
    has no proof or is not canonical JSON (validation then says which)."""
    if "proof" not in entry:
        return None
    try:
        return canonicalize_jcs_with_and_without(entry, "proof")
    except SSIError:
        return None


def _check_entry(
    entry: JsonValue,
    version: int,
    previous: LogState | None,
    compromised: Container[str],
    rules: _Rules,
    canonical: tuple[bytes, bytes] | None = None,
) -> tuple[LogState, tuple[str, ...], str]:
    """Validate one entry as the ``version``-th, after ``previous``.

    Returns the state after it, the keys it marks compromised, and the DID it
    creates (for the first entry; empty otherwise). ``canonical`` is the
    entry's JCS bytes (without and with its proof) when already known.
    """
    if not isinstance(entry, dict):
        raise _fail("invalidLogEntry", version, "an entry must be a JSON object.")
    unknown = set(entry) - ENTRY_KEYS
    if unknown:
        raise _fail(
            "invalidLogEntry", version, f"unknown member {min(unknown, key=repr)!r}."
        )
    if previous is not None and previous.deactivated:
        raise _fail(
            "logAfterDeactivation", version, "the DID was deactivated before it."
        )
    if type(entry.get("version")) is not int or entry.get("version") != version:
        raise _fail("invalidLogVersion", version, f"its version must be {version}.")
    if not _names_previous(entry.get("previous"), previous):
        raise _fail(
            "invalidLogHash",
            version,
            "it does not name the hash of the entry before it.",
        )
    time_text = entry.get("time")
    try:
        time = parse_date_time(time_text, require_timezone=True, path="time")
    except SSIError as exc:
        raise _fail("invalidLogTime", version, exc.detail) from exc
    if previous is not None and time <= previous.time:
        raise _fail(
            "invalidLogTime", version, "its time is not after the entry before it."
        )
    if rules.now is not None and time > rules.now + rules.skew:
        raise _fail("invalidLogTime", version, "its time is in the future.")
    time_text = str(time_text)  # parse_date_time accepted it, so it is a string
    update_keys = _string_list(entry, "updateKeys", version)
    next_hashes = _string_list(entry, "nextKeyHashes", version)
    marked = _string_list(entry, "compromised", version)
    deactivated = entry.get("deactivated", False)
    if type(deactivated) is not bool:
        raise _fail("invalidLogEntry", version, "deactivated must be a boolean.")
    document = None
    if deactivated:
        if entry.get("document") is not None or update_keys or next_hashes:
            raise _fail(
                "invalidLogEntry",
                version,
                "a deactivating entry has no document and no keys.",
            )
    else:
        document = _check_document(entry.get("document"), version)
        if not update_keys:
            raise _fail("invalidLogEntry", version, "it names no update key.")
        for multikey in update_keys:
            _update_key(multikey, version)
    for value in next_hashes:
        if not _is_multibase(value):
            raise _fail("invalidLogEntry", version, "a next key hash is malformed.")
    threshold = check_threshold(entry, update_keys, next_hashes, version)
    proofs = _signing_keys(
        entry.get("proof"),
        version,
        time_text,
        proof_set=threshold is not None
        or (previous is not None and previous.threshold is not None),
    )
    if canonical is None:
        try:
            canonical = canonicalize_jcs_with_and_without(entry, "proof")
        except SSIError as exc:
            raise _fail(
                "invalidLogEntry", version, "the entry is not canonical JSON."
            ) from exc
    unsigned_bytes, signed_bytes = canonical
    signers = list(dict.fromkeys(signer for signer, _, _ in proofs))
    if any(signer in compromised for signer in signers):
        raise _fail("unauthorizedLogKey", version, "it is signed by a compromised key.")
    derived = ""
    if previous is None:
        if threshold is not None:
            authorize_inception(signers, update_keys, threshold, version)
        elif signers[0] not in update_keys:
            raise _fail(
                "unauthorizedLogKey",
                version,
                "the first entry must be signed by its own update key.",
            )
        derived = METHOD_PREFIX + _multihash(unsigned_bytes)
        if rules.did is not None and derived != rules.did:
            raise _fail(
                "invalidLogHash",
                version,
                f"the log creates {derived}, not {rules.did}.",
            )
    elif previous.threshold is not None:
        authorize_threshold(
            (previous.update_keys, previous.next_key_hashes, previous.threshold),
            signers,
            (update_keys, next_hashes, threshold, marked),
            version,
        )
    else:
        for signer in signers:
            _authorize(
                previous, signer, (update_keys, next_hashes, threshold), marked, version
            )
    for _, key, proof in proofs:
        try:
            check_signature(
                entry,
                proof,
                key,
                suite=rules.suite,
                canonical_document=unsigned_bytes,
            )
        except SSIError as exc:
            raise _fail(
                "invalidLogSignature", version, "its signature does not verify."
            ) from exc
    state = LogState(
        version=version,
        time=time,
        time_text=time_text,
        digest=entry_digest(entry, (unsigned_bytes, signed_bytes)),
        document=document,
        update_keys=update_keys,
        next_key_hashes=next_hashes,
        deactivated=deactivated,
        entry=entry,
        threshold=threshold,
    )
    return state, marked, derived


def _check_count(count: int) -> None:
    """Refuse a log of more than ``MAX_LOG_ENTRIES`` entries (docs/did-agora.md
    5.1.1), before any work on them."""
    if count > MAX_LOG_ENTRIES:
        raise LogTooLargeError(
            f"the log holds more than {MAX_LOG_ENTRIES} entries ({count})."
        )


def validate_log(
    entries: Sequence[JsonValue],
    *,
    did: str | None = None,
    now: datetime | None = None,
    skew: timedelta = timedelta(minutes=5),
) -> AgoraLog:
    """Validate a whole log, in order, and return its states.

    Args:
        entries: the entries, first to last.
        did: the DID the log must create (checked against the first entry).
        now: entries timed after ``now + skew`` are refused (default: not checked).
        skew: tolerance for clocks that drift.

    Spec: docs/did-agora.md (Read)

    Raises:
        InvalidDIDLogError: with ``code`` ``invalidLogEntry`` (malformed),
            ``invalidLogVersion``, ``invalidLogHash``, ``invalidLogTime``,
            ``unauthorizedLogKey``, ``invalidLogSignature`` or
            ``logAfterDeactivation``, and the entry number.
        LogTooLargeError: more than :data:`MAX_LOG_ENTRIES` entries.
    """
    if not entries:
        raise InvalidDIDLogError("the log is empty.", code="invalidLogEntry", entry=1)
    _check_count(len(entries))
    rules = _rules(did, now, skew)
    states: list[LogState] = []
    compromised: set[str] = set()
    previous: LogState | None = None
    derived = ""
    for index, entry in enumerate(entries):
        previous, marked, created = _check_entry(
            entry, index + 1, previous, compromised, rules
        )
        derived = created or derived
        compromised.update(marked)
        states.append(previous)
    return AgoraLog(derived, tuple(states), frozenset(compromised))


def _names_previous(value: JsonValue, previous: LogState | None) -> bool:
    """True when ``value`` is the entry hash of ``previous`` (null for entry 1).

    The hash is compared as bytes: decoding the named hash costs less than
    encoding every entry's."""
    if previous is None:
        return value is None
    if not isinstance(value, str):
        return False
    try:
        return decode_multibase(value) == previous.digest
    except EncodingError:
        return False


def _authorize(
    previous: LogState,
    signer: str,
    configuration: tuple[tuple[str, ...], tuple[str, ...], int | None],
    marked: tuple[str, ...],
    version: int,
) -> None:
    """Check that ``signer`` may sign an entry after ``previous``.

    With a pre-rotation commitment in ``previous``, a current update key may
    only sign entries that keep the key configuration, mark nothing
    compromised and do not deactivate: everything else is a rotation, which
    must be signed by a committed key and may only reveal committed keys.
    Without a commitment, a current update key may do anything.
    """
    update_keys, next_hashes, threshold = configuration
    committed = set(previous.next_key_hashes)
    current = signer in previous.update_keys
    if current:
        if not committed:
            return
        keeps = (
            update_keys == previous.update_keys
            and next_hashes == previous.next_key_hashes
            and threshold is None
            and not marked
        )
        if keeps:
            return
    if key_hash(signer) in committed:
        if any(key_hash(k) not in committed for k in update_keys):
            raise _fail(
                "unauthorizedLogKey",
                version,
                "a rotation may only reveal update keys committed before it.",
            )
        return
    if current:
        raise _fail(
            "unauthorizedLogKey",
            version,
            "changing keys, marking keys compromised or deactivating needs a key "
            "committed in the entry before it.",
        )
    raise _fail(
        "unauthorizedLogKey", version, "it is signed by a key that was not authorized."
    )
