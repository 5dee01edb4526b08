"""Parties for the rotation and routing tests: did:key people and mediators,
did:agora people whose logs the tests write, and resolvers over them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ssi.agora import (
    create_entry,
    document_for,
    resolve_log,
    rotate_entry,
    signing_document,
)
from ssi.did.document import DIDDocument
from ssi.errors import DIDNotFoundError
from ssi.keys import Ed25519KeyPair, LocalKeyAgreer, LocalSigner, X25519KeyPair
from ssi.messaging.keys import default_resolver
from ssi.types import JsonObject, JsonValue

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class KeyParty:
    """A did:key party: its Ed25519 key signs, the derived X25519 key agrees."""

    key: Ed25519KeyPair = field(default_factory=Ed25519KeyPair.generate)

    @property
    def did(self) -> str:
        return "did:key:" + self.key.public_key.export_multikey()

    @property
    def signer(self) -> LocalSigner:
        multikey = self.key.public_key.export_multikey()
        return LocalSigner(self.key, f"{self.did}#{multikey}")

    @property
    def agreer(self) -> LocalKeyAgreer:
        x25519 = self.key.to_x25519()
        return LocalKeyAgreer(
            x25519, f"{self.did}#{x25519.public_key.export_multikey()}"
        )


def agora_state(auth: Ed25519KeyPair, agreement: X25519KeyPair, n: int) -> JsonObject:
    """Return a did:agora document state: ``#key-n`` for authentication and
    assertions, ``#agreement-n`` for key agreement."""
    state = signing_document(auth.public_key, fragment=f"key-{n}")
    state["verificationMethod"].append(
        {
            "id": f"#agreement-{n}",
            "type": "Multikey",
            "publicKeyMultibase": agreement.public_key.export_multikey(),
        }
    )
    state["keyAgreement"] = [f"#agreement-{n}"]
    return state


@dataclass
class AgoraParty:
    """A did:agora party that rotates its keys; version n has ``#key-n`` and
    ``#agreement-n``."""

    update: list[Ed25519KeyPair] = field(default_factory=list)
    auth: list[Ed25519KeyPair] = field(default_factory=list)
    agreement: list[X25519KeyPair] = field(default_factory=list)
    entries: list[JsonObject] = field(default_factory=list)
    did: str = ""

    @classmethod
    def create(cls) -> AgoraParty:
        party = cls()
        party.update = [Ed25519KeyPair.generate(), Ed25519KeyPair.generate()]
        party.auth = [Ed25519KeyPair.generate()]
        party.agreement = [X25519KeyPair.generate()]
        state = agora_state(party.auth[0], party.agreement[0], 1)
        party.did, first = create_entry(
            party.update[0], [party.update[1].public_key], state, when=T0
        )
        party.entries = [first]
        return party

    @property
    def version(self) -> int:
        return len(self.entries)

    def rotate(self, *, compromised: Sequence[str] = ()) -> JsonObject:
        """Rotate to the committed update key and fresh document keys."""
        log = resolve_log(self.did, [self.entries])
        self.update.append(Ed25519KeyPair.generate())
        self.auth.append(Ed25519KeyPair.generate())
        self.agreement.append(X25519KeyPair.generate())
        n = self.version + 1
        entry = rotate_entry(
            log,
            self.update[n - 1],
            [self.update[n].public_key],
            agora_state(self.auth[-1], self.agreement[-1], n),
            compromised=compromised,
            when=T0 + timedelta(days=n),
        )
        self.entries.append(entry)
        return entry

    def signer(self, version: int, *, versioned: bool = True) -> LocalSigner:
        query = f"?versionId={version}" if versioned else ""
        return LocalSigner(self.auth[version - 1], f"{self.did}{query}#key-{version}")

    def agreer(self, version: int) -> LocalKeyAgreer:
        return LocalKeyAgreer(
            self.agreement[version - 1], f"{self.did}#agreement-{version}"
        )


class Resolver:
    """Resolve did:agora DIDs from the logs it knows (a copy of each), other
    DIDs from fixed documents or the default methods; count calls."""

    def __init__(
        self,
        logs: dict[str, Sequence[JsonValue]] | None = None,
        documents: Sequence[DIDDocument] = (),
    ) -> None:
        self.logs = {did: list(log) for did, log in (logs or {}).items()}
        self.documents = {doc.id: doc for doc in documents}
        self.calls = 0

    def __call__(self, did: str) -> DIDDocument:
        self.calls += 1
        if did in self.documents:
            return self.documents[did]
        if did.startswith("did:agora:"):
            if did not in self.logs:
                raise DIDNotFoundError(f"no log for {did}")
            return document_for(did, resolve_log(did, [self.logs[did]]).latest)
        return default_resolver(did)
