"""Status list credentials and status entries: build them, and read untrusted ones.

A credential points at its status with a ``BitstringStatusListEntry`` in
``credentialStatus``; the status itself is published in a
``BitstringStatusListCredential`` whose subject holds the ``encodedList``.
The builders return unsigned JSON (sign the list credential with
``ssi.issue``); the parsers check untrusted JSON and raise
:class:`~ssi.errors.MalformedValueError` for every "MUST" the specification
states about a property, as its algorithms section requires.

Choices where the specification leaves room:

- ``statusListIndex`` is a string of ASCII digits; more than 18 digits
  cannot name an entry of any list this library decodes, so such an index
  fails with ``RANGE_ERROR`` when it is read.
- ``statusSize`` from 1 to 8 bits is supported (a conforming processor may
  support 1 only); a wider entry fails with ``STATUS_VERIFICATION_ERROR``.
- For the ``message`` purpose the list credential's subject repeats
  ``statusSize`` and ``statusMessage`` (the specification's table asks for
  both there; its prose spells the second ``statusMessages``, its context and
  the entry use ``statusMessage``, which is what is written and read here).
  The entry's own ``statusMessage`` is the one a verifier uses: it is what the
  issuer committed to when it issued the credential.
- An entry whose ``type`` is not ``BitstringStatusListEntry`` cannot be
  checked here and fails with ``STATUS_VERIFICATION_ERROR``.

Spec: https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistentry,
https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistcredential
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from ssi.credentials.model import VC_V2_CONTEXT, Credential, parse_credential
from ssi.datetimes import format_date_time
from ssi.errors import MalformedValueError, StatusVerificationError
from ssi.status.bitstring import MAX_STATUS_SIZE, StatusList
from ssi.types import JsonObject, JsonValue

__all__ = [
    "ENTRY_TYPE",
    "LIST_CREDENTIAL_TYPE",
    "LIST_TYPE",
    "STATUS_PURPOSES",
    "StatusListCredential",
    "StatusListEntry",
    "StatusMessage",
    "build_status_entry",
    "build_status_list_credential",
    "default_messages",
    "parse_status_entry",
    "parse_status_list_credential",
]

ENTRY_TYPE: Final = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE: Final = "BitstringStatusListCredential"
LIST_TYPE: Final = "BitstringStatusList"

STATUS_PURPOSES: Final = ("refresh", "revocation", "suspension", "message")
"""The purposes the specification defines; others are allowed but opaque."""

_INDEX: Final = re.compile(r"[0-9]+")
_LONGEST_INDEX: Final = 18
_HEX_STATUS: Final = re.compile(r"0[xX][0-9a-fA-F]+")
_SHOWN: Final = 60


@dataclass(frozen=True, slots=True)
class StatusMessage:
    """One row of ``statusMessage``: a status value and its message.

    Spec: https://www.w3.org/TR/vc-bitstring-status-list/#statusMessage
    """

    status: int
    message: str

    def to_json(self) -> JsonObject:
        """Return the row as JSON: ``{"status": "0x1", "message": "..."}``."""
        return {"status": f"0x{self.status:x}", "message": self.message}


@dataclass(frozen=True, slots=True)
class StatusListEntry:
    """A ``BitstringStatusListEntry`` that has been checked.

    Attributes:
        id: the entry's ``id``, if any (never used to find the status).
        purpose: ``statusPurpose``.
        index: ``statusListIndex`` as an integer (may lie outside the list;
            that is found when the list is read).
        list_credential: ``statusListCredential``, the URL of the list.
        status_size: ``statusSize``, 1 when absent.
        messages: ``statusMessage`` rows, empty when absent.
        reference: ``statusReference`` URLs, empty when absent.

    Spec: https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistentry
    """

    id: str | None
    purpose: str
    index: int
    list_credential: str
    status_size: int = 1
    messages: tuple[StatusMessage, ...] = ()
    reference: tuple[str, ...] = ()

    def __reduce__(
        self,
    ) -> tuple[
        type[StatusListEntry],
        tuple[
            str | None,
            str,
            int,
            str,
            int,
            tuple[StatusMessage, ...],
            tuple[str, ...],
        ],
    ]:
        """Pickle as a constructor call: small and quick to load (tallies
        ship these back from worker processes by the hundred thousand)."""
        return (
            StatusListEntry,
            (
                self.id,
                self.purpose,
                self.index,
                self.list_credential,
                self.status_size,
                self.messages,
                self.reference,
            ),
        )

    def message_for(self, value: int) -> str:
        """Return the message for a status value.

        Without ``statusMessage`` the messages are "unset" (0) and "set" (1).
        """
        for row in self.messages:
            if row.status == value:
                return row.message
        if not self.messages and value in (0, 1):
            return ("unset", "set")[value]
        return "undefined"


@dataclass(frozen=True, slots=True)
class StatusListCredential:
    """A ``BitstringStatusListCredential`` that has been checked (not verified).

    Attributes:
        credential: the credential's summary (issuer, validity, ...).
        purposes: the subject's ``statusPurpose`` values.
        encoded_list: the subject's ``encodedList``, not yet decoded.
        ttl: the subject's ``ttl`` in milliseconds, if given.
        status_size: the subject's ``statusSize``, if given.

    Spec: https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistcredential
    """

    credential: Credential
    purposes: tuple[str, ...]
    encoded_list: str
    ttl: int | None
    status_size: int | None

    @property
    def issuer(self) -> str:
        """The list credential's issuer."""
        return self.credential.issuer

    @property
    def id(self) -> str | None:
        """The list credential's ``id``, if it has one."""
        return self.credential.id


def default_messages(status_size: int) -> tuple[StatusMessage, ...]:
    """Return placeholder rows ``0x0`` .. ``0x(2**size - 1)``, all "undefined".

    The specification lets ``undefined`` stand for a value not yet given a
    meaning; replace the rows you use before issuing.
    """
    _check_status_size(status_size)
    return tuple(StatusMessage(value, "undefined") for value in range(1 << status_size))


def build_status_entry(
    list_url: str,
    index: int,
    *,
    purpose: str = "revocation",
    status_size: int = 1,
    messages: Sequence[StatusMessage] = (),
    entry_id: str | None = None,
    reference: str | Sequence[str] | None = None,
) -> JsonObject:
    """Return the ``credentialStatus`` entry that points at ``index`` of a list.

    ``statusSize`` and ``statusMessage`` are written when ``status_size`` is
    more than 1 (then ``messages`` must give one row per value) or when
    ``messages`` are given. No ``id`` is written unless ``entry_id`` is given:
    the specification does not need one, and fewer identifiers correlate less.

    Spec: https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistentry

    Raises:
        ValueError: a negative index, or messages that do not fit the size.
    """
    if type(index) is not int or index < 0:
        raise ValueError("a status list index is an integer of 0 or more.")
    _check_status_size(status_size)
    _check_messages(messages, status_size)
    entry: JsonObject = {}
    if entry_id is not None:
        entry["id"] = entry_id
    entry["type"] = ENTRY_TYPE
    entry["statusPurpose"] = purpose
    entry["statusListIndex"] = str(index)
    entry["statusListCredential"] = list_url
    if status_size > 1 or messages:
        entry["statusSize"] = status_size
        entry["statusMessage"] = [row.to_json() for row in messages]
    if reference is not None:
        entry["statusReference"] = (
            reference if isinstance(reference, str) else list(reference)
        )
    return entry


def build_status_list_credential(
    list_url: str,
    issuer: str,
    status_list: StatusList,
    *,
    purpose: str | Sequence[str] = "revocation",
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    ttl: int | None = None,
    messages: Sequence[StatusMessage] = (),
) -> JsonObject:
    """Return an unsigned ``BitstringStatusListCredential`` publishing ``status_list``.

    The credential's ``id`` is ``list_url`` (the ``statusListCredential`` of
    the entries) and its subject's ``id`` is ``list_url#list``. Sign the
    result with ``ssi.issue`` and publish it at ``list_url``.

    Args:
        list_url: where the list will be published.
        issuer: the issuer's DID (the signer's controller).
        status_list: the bitstring to publish.
        purpose: one purpose, or several for a list that serves more than one.
        valid_from, valid_until: the list's validity period, if any.
        ttl: milliseconds before a verifier should fetch the list again.
        messages: for the ``message`` purpose, one row per status value.

    Spec: https://www.w3.org/TR/vc-bitstring-status-list/#generate-algorithm

    Raises:
        ValueError: an empty purpose, a negative ``ttl``, or messages that do
            not fit the list's status size.
    """
    purposes = [purpose] if isinstance(purpose, str) else list(purpose)
    if not purposes or not all(isinstance(p, str) and p for p in purposes):
        raise ValueError("a status list needs one or more purposes.")
    if ttl is not None and (type(ttl) is not int or ttl < 0):
        raise ValueError("ttl is a number of milliseconds, 0 or more.")
    _check_messages(messages, status_list.status_size)
    subject: JsonObject = {
        "id": f"{list_url}#list",
        "type": LIST_TYPE,
        "statusPurpose": purposes[0] if len(purposes) == 1 else purposes,
        "encodedList": status_list.encode(),
    }
    if ttl is not None:
        subject["ttl"] = ttl
    if "message" in purposes or status_list.status_size > 1:
        subject["statusSize"] = status_list.status_size
        if messages:
            subject["statusMessage"] = [row.to_json() for row in messages]
    credential: JsonObject = {
        "@context": [VC_V2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": issuer,
    }
    if valid_from is not None:
        credential["validFrom"] = format_date_time(valid_from)
    if valid_until is not None:
        credential["validUntil"] = format_date_time(valid_until)
    credential["credentialSubject"] = subject
    return credential


def parse_status_entry(
    value: JsonValue, *, path: str = "$.credentialStatus"
) -> StatusListEntry:
    """Check a ``credentialStatus`` entry from an untrusted credential.

    Spec: https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistentry

    Raises:
        StatusVerificationError: the entry is not a ``BitstringStatusListEntry``,
            or its ``statusSize`` is wider than this library supports.
        MalformedValueError: a property breaks a "MUST" of the specification.
    """
    if not isinstance(value, dict):
        raise MalformedValueError(f"{path} must be an object.")
    types = value.get("type")
    type_list = types if isinstance(types, list) else [types]
    if ENTRY_TYPE not in type_list:
        raise StatusVerificationError(
            f"{path}.type is {_show(types)}; only {ENTRY_TYPE} can be checked."
        )
    entry_id = value.get("id")
    if entry_id is not None and not isinstance(entry_id, str):
        raise MalformedValueError(f"{path}.id must be a string.")
    purpose = _purpose(value.get("statusPurpose"), f"{path}.statusPurpose")
    index = _index(value.get("statusListIndex"), f"{path}.statusListIndex")
    list_url = value.get("statusListCredential")
    if not isinstance(list_url, str) or ":" not in list_url:
        raise MalformedValueError(f"{path}.statusListCredential must be a URL.")
    if entry_id is not None and entry_id == list_url:
        raise MalformedValueError(f"{path}.id must not be the URL of the status list.")
    status_size = 1
    if "statusSize" in value:
        status_size = _status_size(value["statusSize"], f"{path}.statusSize")
    messages: tuple[StatusMessage, ...] = ()
    if "statusMessage" in value:
        messages = _messages(value["statusMessage"], status_size, path)
    elif status_size > 1:
        raise MalformedValueError(
            f"{path}.statusMessage is missing; it is required when statusSize "
            "is more than 1."
        )
    reference: tuple[str, ...] = ()
    if "statusReference" in value:
        reference = _references(value["statusReference"], f"{path}.statusReference")
    return StatusListEntry(
        id=entry_id,
        purpose=purpose,
        index=index,
        list_credential=list_url,
        status_size=status_size,
        messages=messages,
        reference=reference,
    )


def parse_status_list_credential(document: JsonValue) -> StatusListCredential:
    """Check a ``BitstringStatusListCredential`` (its shape, not its proof).

    Spec: https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistcredential

    Raises:
        ParsingError: the document is not a JSON object.
        MalformedValueError: it breaks the VC data model or a "MUST" of the
            status list data model.
    """
    credential = parse_credential(document)
    if LIST_CREDENTIAL_TYPE not in credential.types:
        raise MalformedValueError(
            f"$.type does not include {LIST_CREDENTIAL_TYPE}; the document is "
            "not a status list credential."
        )
    if len(credential.subjects) != 1:
        raise MalformedValueError(
            "$.credentialSubject must be exactly one BitstringStatusList."
        )
    subject = credential.subjects[0]
    path = "$.credentialSubject"
    if subject.get("type") != LIST_TYPE:
        raise MalformedValueError(f"{path}.type must be {LIST_TYPE}.")
    raw_purposes = subject.get("statusPurpose")
    items = raw_purposes if isinstance(raw_purposes, list) else [raw_purposes]
    if not items:
        raise MalformedValueError(f"{path}.statusPurpose must not be empty.")
    purposes = tuple(_purpose(item, f"{path}.statusPurpose") for item in items)
    encoded = subject.get("encodedList")
    if not isinstance(encoded, str):
        raise MalformedValueError(f"{path}.encodedList must be a string.")
    ttl = subject.get("ttl")
    if ttl is not None and (type(ttl) is not int or ttl < 0):
        raise MalformedValueError(
            f"{path}.ttl must be a number of milliseconds, 0 or more."
        )
    status_size = None
    if "statusSize" in subject:
        status_size = _status_size(subject["statusSize"], f"{path}.statusSize")
    return StatusListCredential(
        credential=credential,
        purposes=purposes,
        encoded_list=encoded,
        ttl=ttl,
        status_size=status_size,
    )


# --- Helpers ---------------------------------------------------------------------


def _purpose(value: JsonValue, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise MalformedValueError(f"{path} must be a non-empty string.")
    return value


def _index(value: JsonValue, path: str) -> int:
    if not isinstance(value, str) or _INDEX.fullmatch(value) is None:
        raise MalformedValueError(
            f"{path} must be a base-10 integer of 0 or more, written as a string."
        )
    if len(value) > _LONGEST_INDEX:
        # Larger than any list can hold; reading it fails with RANGE_ERROR.
        return 1 << 62
    return int(value)


def _status_size(value: JsonValue, path: str) -> int:
    if type(value) is not int or value < 1:
        raise MalformedValueError(f"{path} must be an integer greater than zero.")
    if value > MAX_STATUS_SIZE:
        raise StatusVerificationError(
            f"{path} is {value}; this library supports entries of 1 to "
            f"{MAX_STATUS_SIZE} bits."
        )
    return value


def _messages(
    value: JsonValue, status_size: int, path: str
) -> tuple[StatusMessage, ...]:
    field = f"{path}.statusMessage"
    expected = 1 << status_size
    if not isinstance(value, list) or len(value) != expected:
        raise MalformedValueError(
            f"{field} must be an array of {expected} entries, one per value "
            f"of a {status_size}-bit status."
        )
    rows: list[StatusMessage] = []
    seen: set[int] = set()
    for position, row in enumerate(value):
        row_path = f"{field}[{position}]"
        if not isinstance(row, dict):
            raise MalformedValueError(f"{row_path} must be an object.")
        status = row.get("status")
        if not isinstance(status, str) or _HEX_STATUS.fullmatch(status) is None:
            raise MalformedValueError(
                f"{row_path}.status must be a hexadecimal string such as '0x1'."
            )
        number = int(status[2:], 16) if len(status) <= 10 else expected
        if number >= expected or number in seen:
            raise MalformedValueError(
                f"{row_path}.status {_show(status)} is outside the {status_size}-bit "
                "range or repeats an earlier row."
            )
        message = row.get("message")
        if not isinstance(message, str):
            raise MalformedValueError(f"{row_path}.message must be a string.")
        seen.add(number)
        rows.append(StatusMessage(number, message))
    return tuple(rows)


def _references(value: JsonValue, path: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(i, str) and ":" in i for i in items):
        raise MalformedValueError(f"{path} must be a URL or an array of URLs.")
    return tuple(items)


def _check_status_size(status_size: int) -> None:
    if type(status_size) is not int or not 1 <= status_size <= MAX_STATUS_SIZE:
        raise ValueError(f"status_size must be an integer from 1 to {MAX_STATUS_SIZE}.")


def _check_messages(messages: Sequence[StatusMessage], status_size: int) -> None:
    expected = 1 << status_size
    if status_size > 1 and not messages:
        raise ValueError(
            f"a {status_size}-bit status needs {expected} messages, one per value."
        )
    if messages and (
        len(messages) != expected
        or sorted(row.status for row in messages) != list(range(expected))
    ):
        raise ValueError(
            f"messages must give each value 0 to {expected - 1} exactly once."
        )


def _show(value: JsonValue) -> str:
    text = value if isinstance(value, str) else repr(value)
    if len(text) > _SHOWN:
        text = text[: _SHOWN - 3] + "..."
    return ascii(text)
