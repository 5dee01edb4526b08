"""Build did:agora logs deterministically for the tests: fixed keys, fixed times.

Keys come from fixed seeds (``key(n)``); times are whole days after ``T0``
(``at(n)``). ``LogBuilder`` appends entries made by the library's operations
and keeps the validated log, so each step signs against the right state.
``resign`` signs an arbitrary entry the way the library does, for tampering
and for entries the operations would never make.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ssi.agora import (
    AgoraLog,
    AgoraMethod,
    FileLogSource,
    LogSource,
    add_service,
    create_entry,
    deactivate_entry,
    rotate_entry,
    signing_document,
    update_entry,
    validate_log,
)
from ssi.agora.log import SUITE
from ssi.datetimes import format_date_time
from ssi.did.document import DIDDocument
from ssi.did.methods import KeyMethod
from ssi.did.resolution import MethodRegistry, ResolutionResult, Resolver
from ssi.did.syntax import parse_did
from ssi.keys import Ed25519KeyPair, LocalSigner
from ssi.proofs import add_proof
from ssi.types import JsonObject, JsonValue

T0 = datetime(2024, 1, 1, tzinfo=UTC)
"""The time of the first entry of every log the tests build."""

NOW = datetime(2025, 1, 1, tzinfo=UTC)
"""The verifier's and resolver's clock: after every entry the tests make."""

# Seeds: update keys 1-9, signing keys (verification methods) 11-19,
# attacker keys 21-29.
U1, U2, U3, U4, U5 = 1, 2, 3, 4, 5
S1, S2, S3 = 11, 12, 13
ATTACKER = 21


def key(seed: int) -> Ed25519KeyPair:
    """Return the fixed Ed25519 key pair of ``seed`` (1-255)."""
    return Ed25519KeyPair.from_seed(bytes([seed]) * 32)


def multikey(seed: int) -> str:
    """Return the Multikey of the fixed key ``seed``."""
    return key(seed).public_key.export_multikey()


def at(days: float) -> datetime:
    """Return ``T0`` plus ``days`` days."""
    return T0 + timedelta(days=days)


def text(when: datetime) -> str:
    """Return a datetime as the library writes entry times (milliseconds, ``Z``)."""
    return format_date_time(when, milliseconds=True)


def service(name: str) -> JsonObject:
    """Return a service state ``#name`` with a fixed endpoint."""
    return {
        "id": "#" + name,
        "type": "LinkedDomains",
        "serviceEndpoint": f"https://{name}.example",
    }


def resign(entry: JsonObject, seed: int, *, created: str | None = None) -> JsonObject:
    """Return ``entry`` with its proof replaced by one made with key ``seed``,
    exactly as the library signs entries (``created`` defaults to ``time``)."""
    signer_key = key(seed)
    mk = signer_key.public_key.export_multikey()
    unsigned = {k: v for k, v in entry.items() if k != "proof"}
    signer = LocalSigner(signer_key, f"did:key:{mk}#{mk}")
    return add_proof(unsigned, signer, suite=SUITE, created=created or entry["time"])


class LogBuilder:
    """Append entries to a log, keeping its validated state."""

    def __init__(
        self,
        *,
        update: int = U1,
        next_keys: Sequence[int] = (U2,),
        signing: int = S1,
        when: datetime = T0,
    ) -> None:
        self.document = signing_document(key(signing).public_key)
        self.did, first = create_entry(
            key(update),
            [key(s).public_key for s in next_keys],
            self.document,
            when=when,
        )
        self.entries: list[JsonObject] = [first]
        self.log: AgoraLog = validate_log(self.entries, did=self.did)

    def _append(self, entry: JsonObject) -> JsonObject:
        self.entries.append(entry)
        self.log = validate_log(self.entries, did=self.did)
        return entry

    def update(
        self, seed: int, when: datetime, document: JsonObject | None = None
    ) -> JsonObject:
        """Append a plain update signed by ``seed``."""
        if document is not None:
            self.document = copy.deepcopy(document)
        return self._append(update_entry(self.log, key(seed), self.document, when=when))

    def add_service(self, seed: int, when: datetime, name: str) -> JsonObject:
        """Append an update adding the service ``#name``."""
        return self.update(seed, when, add_service(self.document, service(name)))

    def rotate(
        self,
        seed: int,
        next_keys: Sequence[int],
        when: datetime,
        *,
        signing: int | None = None,
        compromised: Sequence[str] = (),
    ) -> JsonObject:
        """Append a rotation signed by the committed key ``seed``; with
        ``signing`` the document's ``#key-1`` becomes that key."""
        if signing is not None:
            services = self.document.get("service", [])
            self.document = signing_document(key(signing).public_key, services=services)
        entry = rotate_entry(
            self.log,
            key(seed),
            [key(s).public_key for s in next_keys],
            self.document,
            compromised=compromised,
            when=when,
        )
        return self._append(entry)

    def deactivate(self, seed: int, when: datetime) -> JsonObject:
        """Append the deactivating entry signed by ``seed``."""
        return self._append(deactivate_entry(self.log, key(seed), when=when))


def five_entry_log() -> LogBuilder:
    """The log the tamper suite works on.

    1. create: update key U1, commitment to U2, signing key S1;
    2. update by U1: adds the service ``#hub``;
    3. rotate by U2: commitment to U3, signing key S2;
    4. update by U2: adds the service ``#blog``;
    5. rotate by U3: commitment to U4, marks S1 and U1 compromised.
    """
    builder = LogBuilder()
    builder.add_service(U1, at(1), "hub")
    builder.rotate(U2, [U3], at(2), signing=S2)
    builder.add_service(U2, at(3), "blog")
    builder.rotate(U3, [U4], at(4), compromised=[multikey(S1), multikey(U1)])
    return builder


def jsonl(entries: Sequence[JsonValue]) -> str:
    """Return entries as JSON Lines text."""
    return "".join(json.dumps(e) + "\n" for e in entries)


def write_log(folder: Path, name: str, entries: Sequence[JsonValue]) -> Path:
    """Write a ``.jsonl`` log file into ``folder`` and return its path."""
    path = folder / name
    path.write_text(jsonl(entries), encoding="utf-8")
    return path


class StaticLogSource:
    """A ``LogSource`` double: logs held in memory, by DID."""

    def __init__(self, logs: Mapping[str, Sequence[Sequence[JsonValue]]]) -> None:
        self.logs = {did: [list(log) for log in found] for did, found in logs.items()}

    def logs_for(self, did: str) -> list[list[JsonValue]]:
        """Return copies of the logs held for ``did``."""
        return copy.deepcopy(self.logs.get(did, []))


def resolver_for(*sources: LogSource | Path | str, now: datetime = NOW) -> Resolver:
    """Return an uncached resolver for did:key and did:agora over ``sources``
    (``LogSource`` objects, or folders/files for a ``FileLogSource``)."""
    made: list[LogSource] = [
        FileLogSource(s) if isinstance(s, Path | str) else s for s in sources
    ]
    agora = AgoraMethod(made, clock=lambda: now)
    return Resolver(MethodRegistry([KeyMethod(), agora]), cache_ttl=0)


def resolve_with(
    entries: Sequence[JsonValue] | str, did: str, **options: JsonValue
) -> ResolutionResult:
    """Resolve ``did`` with the given log through a fresh resolver."""
    log: JsonValue = entries if isinstance(entries, str) else list(entries)
    return resolver_for().resolve(did, log=log, **options)


def method_resolve(
    method: AgoraMethod, did: str, **options: JsonValue
) -> ResolutionResult:
    """Call the driver directly (it raises instead of reporting)."""
    return method.resolve(parse_did(did), options)


def vector_logs() -> dict[str, tuple[list[JsonObject], JsonObject]]:
    """The logs stored in ``tests/vectors/did-agora``, with what resolving
    each one must give (regenerated by ``make_vectors.py`` there)."""
    five = five_entry_log()
    deactivated = five_entry_log()
    deactivated.deactivate(U4, at(5))
    owner = LogBuilder()
    owner.add_service(U1, at(1), "hub")
    evil = update_entry(
        owner.log, key(U1), add_service(owner.document, service("evil")), when=at(2)
    )
    honest = rotate_entry(
        owner.log,
        key(U2),
        [key(U3).public_key],
        owner.document,
        compromised=[multikey(U1)],
        when=at(2.5),
    )
    return {
        "five-entry.jsonl": (
            five.entries,
            {
                "did": five.did,
                "versionId": "5",
                "compromisedKeys": sorted([multikey(S1), multikey(U1)]),
            },
        ),
        "deactivated.jsonl": (
            deactivated.entries,
            {
                "did": deactivated.did,
                "versionId": "6",
                "deactivated": True,
                "compromisedKeys": sorted([multikey(S1), multikey(U1)]),
            },
        ),
        "forked.jsonl": (
            [*owner.entries, evil, honest],
            {"did": owner.did, "error": "duplicity", "logEntry": 3},
        ),
    }


def document_of(result: ResolutionResult) -> DIDDocument:
    """Return the resolved document, failing the test when there is none."""
    assert result.did_document is not None, result.did_resolution_metadata
    return result.did_document
