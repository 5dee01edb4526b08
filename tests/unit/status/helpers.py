"""Shared test data for ``ssi.status``: keys, credentials, signed status lists.

Everything is deterministic: fixed keys (Ed25519 signatures are
deterministic), fixed proof times and a fixed verifier clock.
"""

from __future__ import annotations

import base64
import gzip
from datetime import UTC, datetime
from typing import Any

import ssi
from ssi.credentials import VC_V2_CONTEXT, parse_credential
from ssi.credentials.model import Credential
from ssi.status import StatusList, StatusListState, build_status_list_credential
from ssi.types import JsonObject
from tests.unit.proofs.doubles import CREATED, NOW, ed25519_key

__all__ = [
    "CREATED",
    "ISSUER",
    "ISSUER_KEY",
    "LIST_URL",
    "NOW",
    "OTHER",
    "OTHER_KEY",
    "bits_set",
    "credential_with",
    "independent_decode",
    "independent_encode",
    "parsed",
    "sign",
    "signed_list",
]

ISSUER_KEY = ed25519_key(31)
OTHER_KEY = ed25519_key(32)
ISSUER = ssi.did_key(ISSUER_KEY)
OTHER = ssi.did_key(OTHER_KEY)
LIST_URL = "https://status.example/lists/1"
LIST_FROM = datetime(2024, 1, 1, tzinfo=UTC)


def sign(document: JsonObject, key: Any = ISSUER_KEY, **options: Any) -> JsonObject:
    """Issue ``document`` with ``key`` (eddsa-jcs-2022 unless told otherwise)."""
    return ssi.issue(document, ssi.signer(key), created=CREATED, **options)


def credential_with(
    *entries: JsonObject, issuer: str = ISSUER, key: Any = ISSUER_KEY
) -> JsonObject:
    """A signed membership credential carrying the given status entries."""
    document: JsonObject = {
        "@context": [VC_V2_CONTEXT],
        "id": "urn:uuid:7d6e3c2a-7b7e-4b43-a6c2-6a7c1f7a0e11",
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:member", "memberOf": "agora"},
        "credentialStatus": list(entries) if len(entries) != 1 else entries[0],
    }
    return sign(document, key)


def parsed(document: JsonObject) -> Credential:
    """The summary of a credential, as ``ssi.verify`` hands it to a checker."""
    return parse_credential(document)


def signed_list(
    status_list: StatusList | StatusListState,
    *,
    url: str = LIST_URL,
    issuer: str = ISSUER,
    key: Any = ISSUER_KEY,
    purpose: str | list[str] = "revocation",
    **options: Any,
) -> JsonObject:
    """A signed status list credential publishing ``status_list`` at ``url``."""
    if isinstance(status_list, StatusListState):
        unsigned = status_list.credential(issuer, valid_from=LIST_FROM, **options)
    else:
        unsigned = build_status_list_credential(
            url, issuer, status_list, purpose=purpose, valid_from=LIST_FROM, **options
        )
    return sign(unsigned, key)


def independent_decode(encoded: str) -> bytes:
    """Decode an encodedList without the library: strip 'u', base64url, gunzip."""
    assert encoded.startswith("u")
    text = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def independent_encode(bits: bytes) -> str:
    """Encode a bitstring without the library: gzip, base64url, 'u'."""
    data = base64.urlsafe_b64encode(gzip.compress(bits)).rstrip(b"=")
    return "u" + data.decode("ascii")


def bits_set(bitstring: bytes) -> list[int]:
    """The indexes of the 1 bits, index 0 being the left-most bit of byte 0."""
    return [
        8 * position + offset
        for position, byte in enumerate(bitstring)
        for offset in range(8)
        if byte & (0x80 >> offset)
    ]
