"""The wallet file format: schema 2 (written) and schema 1 (read, to migrate it).

Schema 2::

    {"format": "agora-wallet", "schema": 2, "walletId": "urn:uuid:...",
     "kdf": {Argon2id parameters and salt},
     "dataKey": {nonce, ciphertext},      # data key sealed by the passphrase key
     "version": 7,                        # +1 on every write
     "recordSetMac": "...",               # HMAC over walletId, version, records
     "records": [{"id", "nonce", "ciphertext"}, ...]}   # sorted by id

Every record ``id`` is opaque (43 base64url characters, an HMAC-SHA256 tag);
the record's kind, real id and data are inside its ciphertext. Schema 1 had
``{"id", "kind", "nonce", "ciphertext"}`` records with the real id and kind in
the clear, and no version or set MAC.

Spec: docs/wallet.md (Schema 2)
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ssi.encoding import decode_base64url, encode_base64url
from ssi.errors import EncodingError, WalletCorruptedError, WalletVersionError
from ssi.types import JsonObject
from ssi.wallet.crypto import KDFParams, SealedBox

__all__ = [
    "FORMAT",
    "SCHEMA_VERSION",
    "StoredRecord",
    "WalletFile",
    "header_aad",
    "record_set_message",
]

FORMAT = "agora-wallet"
SCHEMA_VERSION = 2
_OPAQUE = re.compile(r"[A-Za-z0-9_-]{43}")
_RECORD_FIELDS = {
    1: {"id", "kind", "nonce", "ciphertext"},
    2: {"id", "nonce", "ciphertext"},
}


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """One encrypted record as stored.

    In schema 2, ``id`` is the opaque on-disk id and ``kind`` is ``None``; in
    schema 1 both were the record's real id and kind.
    """

    id: str
    kind: str | None
    box: SealedBox

    def digest(self) -> str:
        """Return SHA-256 (hex) of the record's nonce and ciphertext."""
        return hashlib.sha256(self.box.nonce + self.box.ciphertext).hexdigest()


@dataclass(slots=True)
class WalletFile:
    """The parsed wallet file (or backup)."""

    wallet_id: str
    kdf: KDFParams
    data_key: SealedBox
    records: dict[str, StoredRecord] = field(default_factory=dict)
    schema: int = SCHEMA_VERSION
    version: int = 0
    record_set_mac: bytes = b""

    def header_aad(self) -> bytes:
        """The associated data that binds the sealed data key to the header."""
        return header_aad(self.wallet_id, self.kdf, self.schema)

    def record_set_message(self) -> bytes:
        """The bytes the set MAC authenticates (see :func:`record_set_message`)."""
        return record_set_message(self.wallet_id, self.version, self.records.values())

    def to_bytes(self) -> bytes:
        """Serialize the file (schema 2 only; schema 1 is never written)."""
        if self.schema != SCHEMA_VERSION:
            raise ValueError("only schema 2 wallet files are written")
        body: JsonObject = {
            "format": FORMAT,
            "schema": self.schema,
            "walletId": self.wallet_id,
            "kdf": self.kdf.to_json(),
            "dataKey": self.data_key.to_json(),
            "version": self.version,
            "recordSetMac": encode_base64url(self.record_set_mac),
            "records": [
                {"id": r.id, **r.box.to_json()}
                for r in sorted(self.records.values(), key=lambda r: r.id)
            ],
        }
        return (json.dumps(body, indent=1) + "\n").encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> WalletFile:
        """Parse a wallet file of schema 1 or 2.

        Raises:
            WalletCorruptedError: truncated, altered, or not a wallet file.
            WalletVersionError: written with a newer schema.
        """
        try:
            body = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise WalletCorruptedError(
                "the wallet file is damaged (it is not complete JSON)."
            ) from exc
        if not isinstance(body, dict) or body.get("format") != FORMAT:
            raise WalletCorruptedError("the wallet file is not an Agora wallet.")
        schema = body.get("schema")
        if type(schema) is not int or schema < 1:
            raise WalletCorruptedError("the wallet file has no valid schema version.")
        if schema > SCHEMA_VERSION:
            raise WalletVersionError(
                f"the wallet uses schema {schema}, newer than the {SCHEMA_VERSION} "
                "this version of agora reads; upgrade agora."
            )
        wallet_id = body.get("walletId")
        records_value = body.get("records")
        if not isinstance(wallet_id, str) or not isinstance(records_value, list):
            raise WalletCorruptedError("the wallet file's header is damaged.")
        version, mac = 0, b""
        if schema == 2:
            version, mac = _version_and_mac(body)
        records: dict[str, StoredRecord] = {}
        for item in records_value:
            record = _record(item, schema)
            if record.id in records:
                raise WalletCorruptedError("the wallet holds a record twice.")
            records[record.id] = record
        return cls(
            wallet_id=wallet_id,
            kdf=KDFParams.from_json(body.get("kdf")),
            data_key=SealedBox.from_json(
                body.get("dataKey"), "the wallet's sealed key"
            ),
            records=records,
            schema=schema,
            version=version,
            record_set_mac=mac,
        )


def _version_and_mac(body: JsonObject) -> tuple[int, bytes]:
    version = body.get("version")
    if type(version) is not int or not 0 <= version < 2**53:
        raise WalletCorruptedError("the wallet file's version is damaged.")
    value = body.get("recordSetMac")
    try:
        if not isinstance(value, str):
            raise EncodingError("not a string")
        mac = decode_base64url(value)
    except EncodingError as exc:
        raise WalletCorruptedError(
            "the wallet file's record set MAC is damaged."
        ) from exc
    if len(mac) != 32:
        raise WalletCorruptedError("the wallet file's record set MAC is damaged.")
    return version, mac


def _record(item: object, schema: int) -> StoredRecord:
    if not isinstance(item, dict):
        raise WalletCorruptedError("a wallet record is damaged.")
    record_id, kind = item.get("id"), item.get("kind")
    if not isinstance(record_id, str):
        raise WalletCorruptedError("a wallet record is damaged.")
    name = f"wallet record {record_id[:60]!r}"
    if set(item) != _RECORD_FIELDS[schema]:
        raise WalletCorruptedError(f"{name} is damaged (unexpected fields).")
    if schema == 1 and not isinstance(kind, str):
        raise WalletCorruptedError(f"{name} is damaged.")
    if schema == 2 and _OPAQUE.fullmatch(record_id) is None:
        raise WalletCorruptedError(f"{name} is damaged (not an opaque id).")
    box = SealedBox.from_json(item, name)
    return StoredRecord(record_id, kind if schema == 1 else None, box)


def header_aad(wallet_id: str, kdf: KDFParams, schema: int = SCHEMA_VERSION) -> bytes:
    """The associated data that binds a sealed data key to a wallet header.

    Spec: docs/wallet.md (Schema 2)
    """
    header = {
        "format": FORMAT,
        "schema": schema,
        "walletId": wallet_id,
        "kdf": kdf.to_json(),
    }
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()


def record_set_message(
    wallet_id: str, version: int, records: Iterable[StoredRecord]
) -> bytes:
    """The bytes the record set MAC authenticates.

    The compact JSON (no spaces) of ``["agora-wallet/v2/record-set", walletId,
    version, [[id, digest], ...]]`` with the pairs sorted by id, where digest
    is the lowercase hex SHA-256 of the record's nonce followed by its
    ciphertext (both raw bytes).

    Spec: docs/wallet.md (Schema 2)
    """
    pairs = sorted((r.id, r.digest()) for r in records)
    return json.dumps(
        ["agora-wallet/v2/record-set", wallet_id, version, [list(p) for p in pairs]],
        separators=(",", ":"),
    ).encode("utf-8")
