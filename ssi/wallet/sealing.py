"""Sealing records: what a record holds inside its ciphertext, the size limit,
and building or opening a whole file of sealed records (wallet or backup).

A schema 2 record's plaintext is the compact JSON of its envelope::

    {"kind": "credential", "id": "vc/urn:uuid:...", "order": [3, 0], "data": {...}}

sealed with AES-256-GCM under the record key, with the associated data
``["agora-wallet/v2/record", walletId, opaqueId]`` (compact JSON), where
``opaqueId`` is :meth:`RecordKeys.opaque_id` of the kind and id. ``order`` is
``[version of the write that created the record, position in that write]``,
so listings keep the order records were stored in while the file, sorted by
opaque id, does not show it.

Spec: docs/wallet.md (Schema 2)
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from ssi.encoding import MAX_ENCODED_LENGTH
from ssi.errors import RecordTooLargeError, WalletCorruptedError, WalletTamperedError
from ssi.types import JsonObject
from ssi.wallet.crypto import TAG_BYTES, RecordKeys, open_box, seal
from ssi.wallet.walletfile import StoredRecord, WalletFile

__all__ = [
    "MAX_RECORD_BYTES",
    "MAX_RECORD_ID_BYTES",
    "TAMPERED_ADVICE",
    "Envelope",
    "build_file",
    "check_record_set",
    "check_size",
    "open_envelope",
    "open_file",
    "seal_envelope",
]

MAX_RECORD_ID_BYTES = 4096
"""Longest record id (kind prefix included), as JSON, that the wallet stores."""

_ENVELOPE_OVERHEAD = 8192
"""Upper bound on what the envelope adds to the data: its keys, a kind of up
to 64 characters, an id of up to :data:`MAX_RECORD_ID_BYTES` and the order."""

_MAX_PLAINTEXT = (MAX_ENCODED_LENGTH * 3) // 4 - TAG_BYTES
"""Largest sealed plaintext whose ciphertext the base64url decoder still reads."""

MAX_RECORD_BYTES = _MAX_PLAINTEXT - _ENVELOPE_OVERHEAD
"""Largest record data, as compact JSON (``separators=(",", ":")``, ASCII), that
the wallet stores: 778 224 bytes. Derived from the read side: a sealed envelope
of this size still decodes under :data:`ssi.encoding.MAX_ENCODED_LENGTH`
base64url characters, so every record that was written can be read."""

TAMPERED_ADVICE = (
    "restore it from a backup with `agora backup import FILE` (a migration also "
    "leaves wallet-schema-1-backup.json next to the wallet)."
)


@dataclass(frozen=True, slots=True)
class Envelope:
    """A record in the clear: kind, real id, order and data."""

    kind: str
    id: str
    order: tuple[int, int]
    data: JsonObject


def _compact(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def _aad(wallet_id: str, opaque_id: str) -> bytes:
    return _compact(["agora-wallet/v2/record", wallet_id, opaque_id])


def check_size(record_id: str, data: JsonObject) -> bytes:
    """Return the compact JSON of ``data``, or refuse a record too large to read.

    Raises:
        RecordTooLargeError: the data is over :data:`MAX_RECORD_BYTES` or the
            id over :data:`MAX_RECORD_ID_BYTES`; nothing was written.
    """
    if len(_compact(record_id)) > MAX_RECORD_ID_BYTES:
        raise RecordTooLargeError(
            f"the record id {record_id[:60]!r}... is longer than the "
            f"{MAX_RECORD_ID_BYTES} bytes the wallet stores; nothing was stored."
        )
    encoded = _compact(data)
    if len(encoded) > MAX_RECORD_BYTES:
        raise RecordTooLargeError(
            f"the record {record_id[:60]!r} is {len(encoded)} bytes, over the "
            f"{MAX_RECORD_BYTES} bytes a wallet record may hold; nothing was stored."
        )
    return encoded


def seal_envelope(
    keys: RecordKeys, wallet_id: str, envelope: Envelope, *, resealing: bool = False
) -> StoredRecord:
    """Seal an envelope under its opaque id.

    ``resealing`` (migrating, a new passphrase, a backup: records already in
    a wallet) skips the documented limits (a schema 1 record that was
    readable stays so) and keeps only the read side's hard cap.

    Raises:
        RecordTooLargeError: as :func:`check_size`, or the sealed record would
            be over what the reader decodes.
    """
    if resealing:
        data = _compact(envelope.data)
    else:
        data = check_size(envelope.id, envelope.data)
    opaque = keys.opaque_id(envelope.kind, envelope.id)
    head = _compact(
        {"kind": envelope.kind, "id": envelope.id, "order": list(envelope.order)}
    )
    plaintext = head[:-1] + b',"data":' + data + b"}"
    if len(plaintext) > _MAX_PLAINTEXT:
        raise RecordTooLargeError(
            f"the record {envelope.id[:60]!r} would be {len(plaintext)} bytes "
            f"sealed, over the {_MAX_PLAINTEXT} a wallet reads; nothing was stored."
        )
    return StoredRecord(
        opaque, None, seal(keys.encryption, plaintext, _aad(wallet_id, opaque))
    )


def open_envelope(keys: RecordKeys, wallet_id: str, record: StoredRecord) -> Envelope:
    """Authenticate and decrypt a schema 2 record.

    Raises:
        WalletCorruptedError: the record does not authenticate or is malformed.
    """
    name = f"wallet record {record.id[:60]!r}"
    plaintext = open_box(
        keys.encryption,
        record.box,
        _aad(wallet_id, record.id),
        WalletCorruptedError(f"{name} is damaged."),
    )
    try:
        body = json.loads(plaintext)
    except (ValueError, RecursionError) as exc:
        raise WalletCorruptedError(f"{name} is damaged.") from exc
    if not isinstance(body, dict):
        raise WalletCorruptedError(f"{name} is damaged.")
    kind, real_id, order, data = (body.get(k) for k in ("kind", "id", "order", "data"))
    if (
        not isinstance(kind, str)
        or not isinstance(real_id, str)
        or not isinstance(data, dict)
        or not isinstance(order, list)
        or len(order) != 2
        or not all(type(n) is int for n in order)
        or keys.opaque_id(kind, real_id) != record.id
    ):
        raise WalletCorruptedError(f"{name} is damaged.")
    return Envelope(kind, real_id, (order[0], order[1]), data)


def _schema1_aad(wallet_id: str, kind: str, record_id: str) -> bytes:
    return _compact([wallet_id, kind, record_id])


def _open_schema1(data_key: bytes, wallet_id: str, record: StoredRecord) -> JsonObject:
    kind = record.kind or ""
    name = f"wallet record {record.id[:60]!r}"
    plaintext = open_box(
        data_key,
        record.box,
        _schema1_aad(wallet_id, kind, record.id),
        WalletCorruptedError(f"{name} is damaged."),
    )
    try:
        data = json.loads(plaintext)
    except (ValueError, RecursionError) as exc:
        raise WalletCorruptedError(f"{name} is damaged.") from exc
    if not isinstance(data, dict):
        raise WalletCorruptedError(f"{name} is damaged.")
    return data


def open_file(file: WalletFile, data_key: bytes) -> list[Envelope]:
    """Open every record of a wallet or backup file, in stored order.

    Schema 1 records are opened with their schema 1 associated data; a schema
    2 file must also carry a record set MAC that matches.

    Raises:
        WalletCorruptedError: a record does not authenticate.
        WalletTamperedError: the record set or version does not match the MAC.
    """
    if file.schema == 1:
        return [
            Envelope(
                r.kind or "", r.id, (0, n), _open_schema1(data_key, file.wallet_id, r)
            )
            for n, r in enumerate(file.records.values())
        ]
    keys = RecordKeys.derive(data_key)
    envelopes = [open_envelope(keys, file.wallet_id, r) for r in file.records.values()]
    check_record_set(keys, file)
    return sorted(envelopes, key=lambda e: e.order)


def check_record_set(keys: RecordKeys, file: WalletFile) -> None:
    """Check the record set MAC of a schema 2 file.

    Raises:
        WalletTamperedError: it does not match.
    """
    if not keys.check_set_mac(file.record_set_message(), file.record_set_mac):
        raise WalletTamperedError(
            "the wallet's record set or version is not the one agora last wrote "
            "(a record was removed, added, or replaced by an older copy); "
            + TAMPERED_ADVICE
        )


def build_file(
    file: WalletFile,
    data_key: bytes,
    envelopes: Iterable[Envelope],
    *,
    resealing: bool = False,
) -> WalletFile:
    """Seal ``envelopes`` into ``file`` (its header already set) and MAC the set.

    Raises:
        RecordTooLargeError: a record is over the limit (see
            :func:`seal_envelope` for ``resealing``).
    """
    keys = RecordKeys.derive(data_key)
    file.records = {}
    for envelope in envelopes:
        record = seal_envelope(keys, file.wallet_id, envelope, resealing=resealing)
        file.records[record.id] = record
    file.record_set_mac = keys.set_mac(file.record_set_message())
    return file
