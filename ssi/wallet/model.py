"""What the wallet's records hold (keys, DIDs, credentials), and how a record
is made from stored data; the steps that read or write records inside a
transaction are in :mod:`ssi.wallet.operations`.

Spec: docs/wallet.md
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from ssi.datetimes import format_date_time
from ssi.errors import InvalidAliasError
from ssi.keys import KeyPair
from ssi.types import JsonObject

__all__ = [
    "CredentialRecord",
    "DIDRecord",
    "KeyRecord",
    "check_alias",
    "credential_from",
    "did_from",
    "key_from",
    "key_record",
    "now",
    "uuid4",
    "valid_kind",
]

_ALIAS = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """A key in the wallet, without its secret."""

    id: str
    alias: str | None
    key_type: str
    public_key_multibase: str
    created: str

    def to_json(self) -> JsonObject:
        """Return the record as JSON (no secret)."""
        return {
            "id": self.id,
            "alias": self.alias,
            "keyType": self.key_type,
            "publicKeyMultibase": self.public_key_multibase,
            "created": self.created,
        }


@dataclass(frozen=True, slots=True)
class DIDRecord:
    """A DID the wallet controls, with the key that signs for it.

    ``deactivated`` is true for a did:agora DID whose log ends with a
    deactivation: the wallet no longer signs for it.
    """

    did: str
    method: str
    alias: str | None
    key_id: str
    verification_method: str
    created: str
    deactivated: bool = False

    def to_json(self) -> JsonObject:
        """Return the record as JSON."""
        return {
            "did": self.did,
            "method": self.method,
            "alias": self.alias,
            "keyId": self.key_id,
            "verificationMethod": self.verification_method,
            "created": self.created,
            "deactivated": self.deactivated,
        }


@dataclass(frozen=True, slots=True)
class CredentialRecord:
    """A stored credential and what the wallet knows about it."""

    id: str
    credential: JsonObject
    direction: str
    stored: str
    types: tuple[str, ...]
    issuer: str

    def to_json(self) -> JsonObject:
        """Return the record as JSON, credential included."""
        return {
            "id": self.id,
            "direction": self.direction,
            "stored": self.stored,
            "types": list(self.types),
            "issuer": self.issuer,
            "credential": self.credential,
        }


def uuid4() -> str:
    """Return a random UUID version 4 (from ``secrets``)."""
    raw = bytearray(secrets.token_bytes(16))
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def now() -> str:
    """Return the current time as an XML Schema dateTime (UTC)."""
    return format_date_time(datetime.now(UTC))


def check_alias(alias: str | None) -> None:
    """Refuse an alias that is not 1 to 64 letters, digits, '.', '_' or '-'.

    Raises:
        InvalidAliasError: it is not valid.
    """
    if alias is not None and (
        not isinstance(alias, str)
        or _ALIAS.fullmatch(alias) is None
        or alias.startswith("did:")
    ):
        raise InvalidAliasError(
            f"alias {str(alias)[:40]!r} must be 1 to 64 letters, digits, '.', '_' "
            "or '-', starting with a letter or digit."
        )


def valid_kind(kind: object) -> bool:
    """True when ``kind`` is 1 to 64 letters, digits, '.', '_' or '-'."""
    return isinstance(kind, str) and _ALIAS.fullmatch(kind) is not None


def key_record(key: KeyPair, alias: str | None) -> KeyRecord:
    """Return a new record (fresh id) for a key.

    Raises:
        InvalidAliasError: the alias is not valid.
    """
    check_alias(alias)
    return KeyRecord(
        "key/" + uuid4(), alias, str(key.key_type), key.export_multikey(), now()
    )


def key_from(record_id: str, data: JsonObject) -> KeyRecord:
    """Return the key record stored as ``data``."""
    return KeyRecord(
        record_id,
        data.get("alias"),
        data["keyType"],
        data["publicKeyMultibase"],
        data["created"],
    )


def did_from(data: JsonObject, *, deactivated: bool = False) -> DIDRecord:
    """Return the DID record stored as ``data``."""
    return DIDRecord(
        data["did"],
        data["method"],
        data.get("alias"),
        data["keyId"],
        data["verificationMethod"],
        data["created"],
        deactivated,
    )


def credential_from(record_id: str, data: JsonObject) -> CredentialRecord:
    """Return the credential record stored as ``data``."""
    credential = data["credential"]
    kinds = credential.get("type", [])
    types = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    return CredentialRecord(
        record_id, credential, data["direction"], data["stored"], types, str(issuer_id)
    )
