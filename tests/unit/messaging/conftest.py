"""Fixtures over the DIDComm v2.1 appendix: its DID documents and secrets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ssi.did.document import DIDDocument
from ssi.errors import DIDNotFoundError
from ssi.keys.base import KeyPair, KeyType
from ssi.keys.ec import ECKeyPair
from ssi.keys.ed25519 import Ed25519KeyPair
from ssi.keys.jwk import decode_jwk
from ssi.keys.signer import LocalKeyAgreer, LocalSigner
from ssi.keys.x25519 import X25519KeyPair
from tests.vectors.load import json_file

APPENDIX_NOW = datetime.fromtimestamp(1516269022, UTC)
"""The appendix message's created_time, before its expires_time."""


class StaticResolver:
    """Resolve DIDs from a fixed set of documents, counting calls."""

    def __init__(self, *documents: DIDDocument) -> None:
        self.documents = {doc.id: doc for doc in documents}
        self.calls = 0

    def __call__(self, did: str) -> DIDDocument:
        self.calls += 1
        try:
            return self.documents[did]
        except KeyError:
            raise DIDNotFoundError(f"no document for {did}") from None


def appendix_secrets(name: str) -> dict[str, KeyPair]:
    """Return the appendix secrets of ``alice`` or ``bob`` by kid (the kid
    member is spelled "kid " in A.2; both are read)."""
    out: dict[str, KeyPair] = {}
    for jwk in json_file("didcomm", f"secrets-{name}.json"):
        kid = jwk.get("kid", jwk.get("kid "))
        members = {k: v for k, v in jwk.items() if k.strip() != "kid"}
        key = decode_jwk(members)
        assert isinstance(key, KeyPair)
        out[kid] = key
    return out


def agreers_of(name: str) -> list[LocalKeyAgreer]:
    """Return a key agreer for every key-agreement secret of ``name``
    (X25519, P-256, P-384, P-521)."""
    return [
        LocalKeyAgreer(key, kid)
        for kid, key in appendix_secrets(name).items()
        if isinstance(key, X25519KeyPair)
        or (isinstance(key, ECKeyPair) and key.key_type != KeyType.SECP256K1)
    ]


def signer_of(kid: str) -> LocalSigner:
    """Return a signer for one of alice's signing keys."""
    return LocalSigner(appendix_secrets("alice")[kid], kid)


@pytest.fixture
def resolver() -> StaticResolver:
    return StaticResolver(
        DIDDocument.from_json(json_file("didcomm", "did-alice.json")),
        DIDDocument.from_json(json_file("didcomm", "did-bob.json")),
    )


class Party:
    """A did:key identity with its signer and key agreer."""

    def __init__(self) -> None:
        from ssi import did_key, generate_key, resolve

        key = generate_key("Ed25519")
        assert isinstance(key, Ed25519KeyPair)
        self.did = did_key(key)
        document = resolve(self.did).did_document
        assert document is not None
        self.document = document
        self.signer = LocalSigner(
            key, document.verification_methods_for("authentication")[0].id
        )
        kid = document.verification_methods_for("keyAgreement")[0].id
        self.agreer = LocalKeyAgreer(key.to_x25519(), kid)


@pytest.fixture
def alice() -> Party:
    return Party()


@pytest.fixture
def bob() -> Party:
    return Party()


@pytest.fixture
def carol() -> Party:
    return Party()
