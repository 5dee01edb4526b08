"""Issuing side of status lists: random index allocation and the list's state.

Indexes are drawn uniformly at random among the unused ones, with
``secrets``, so that an index says nothing about when a credential was issued
or how many were issued before it (the specification's herd privacy).

:class:`StatusListState` is everything an issuer keeps about one list: its
URL, purpose, entry width, which indexes are allocated and the current
status values. It serializes to JSON (:meth:`StatusListState.to_json`) so a
wallet can store it, and produces the entries to put in credentials and the
unsigned list credential to sign and publish. Typical use::

    state = StatusListState("https://agora.example/status/1")
    index = state.allocate()
    credential["credentialStatus"] = state.entry(index)
    ...
    state.revoke(index)
    signed = ssi.issue(state.credential(issuer_did), signer)  # publish it

Spec: https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistentry,
https://www.w3.org/TR/vc-bitstring-status-list/#generate-algorithm
"""

from __future__ import annotations

import bisect
import secrets
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from datetime import datetime
from typing import Final

from ssi.errors import (
    MalformedValueError,
    SSIError,
    StatusListFullError,
)
from ssi.status.bitstring import MIN_ENTRIES, StatusList
from ssi.status.credential import (
    StatusMessage,
    build_status_entry,
    build_status_list_credential,
)
from ssi.types import JsonObject, JsonValue

__all__ = ["STATE_TYPE", "StatusListState", "allocate"]

STATE_TYPE: Final = "AgoraStatusListState"
"""The ``type`` of a serialized :class:`StatusListState`."""

_STATE_VERSION: Final = 1
_DRAWS: Final = 64
_DENSE: Final = 16  # Use the exact method once fewer than 1/16 of indexes are free.


def allocate(used: AbstractSet[int], length: int) -> int:
    """Return an index in ``range(length)`` not in ``used``, uniformly at random.

    While at least a sixteenth of the list is free, indexes are drawn with
    ``secrets.randbelow`` until a free one comes up (16 draws at most on
    average, 64 at most before switching methods); on a fuller list the
    used indexes are sorted and a free one is picked by its rank with a
    binary search (about a millisecond for a full list of 131,072). Both
    ways every free index is equally likely. Values of
    ``used`` outside ``range(length)`` are ignored.

    Spec: https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistentry
    (statusListIndex: "Implementations SHOULD assign indexes randomly")

    Raises:
        StatusListFullError: every index is used.
        ValueError: ``length`` is not a positive integer.
    """
    if type(length) is not int or length <= 0:
        raise ValueError("length must be a positive integer.")
    if len(used) * _DENSE <= length * (_DENSE - 1):
        for _ in range(_DRAWS):
            index = secrets.randbelow(length)
            if index not in used:
                return index
    taken = sorted(used)
    low, high = bisect.bisect_left(taken, 0), bisect.bisect_left(taken, length)
    if low or high < len(taken):
        taken = taken[low:high]
    free = length - len(taken)
    if free <= 0:
        raise StatusListFullError(f"all {length} indexes of the status list are used.")
    # Pick the rank-th free index. Before taken[k] lie taken[k] - k free
    # indexes (a non-decreasing count); the first k where that count exceeds
    # the rank is how many used indexes precede the free one.
    rank = secrets.randbelow(free)
    before = bisect.bisect_right(range(len(taken)), rank, key=lambda k: taken[k] - k)
    return rank + before


class StatusListState:
    """An issuer's record of one status list; serializable with :meth:`to_json`.

    Attributes:
        url: where the list credential is published (``statusListCredential``).
        purpose: the list's ``statusPurpose`` (one per list).
        status_size: bits per entry (1, or more for ``message``).
        messages: for ``message`` lists, the meaning of each value.

    Spec: https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistcredential
    """

    __slots__ = ("_allocated", "_statuses", "messages", "purpose", "status_size", "url")

    def __init__(
        self,
        url: str,
        *,
        purpose: str = "revocation",
        length: int = MIN_ENTRIES,
        status_size: int = 1,
        messages: Sequence[StatusMessage] = (),
    ) -> None:
        """Start an empty list: nothing allocated, every status 0.

        Raises:
            ValueError: an empty URL or purpose, a length below 131,072 or not
                a multiple of 8, or messages that do not fit ``status_size``
                (a list of more than one bit needs one message per value).
        """
        if not url or not purpose:
            raise ValueError("a status list needs a URL and a purpose.")
        self.url = url
        self.purpose = purpose
        self.status_size = status_size
        self.messages = tuple(messages)
        self._statuses = StatusList(length, status_size)
        self._allocated: set[int] = set()
        # Checks the messages against the size (raises ValueError).
        build_status_entry(url, 0, status_size=status_size, messages=self.messages)

    @property
    def length(self) -> int:
        """The number of entries in the list."""
        return self._statuses.length

    @property
    def allocated(self) -> frozenset[int]:
        """The indexes handed out so far."""
        return frozenset(self._allocated)

    @property
    def status_list(self) -> StatusList:
        """A copy of the current status values."""
        return self._statuses.copy()

    def allocate(self) -> int:
        """Reserve a random unused index and return it.

        Raises:
            StatusListFullError: every index is allocated; start a new list.
        """
        index = allocate(self._allocated, self.length)
        self._allocated.add(index)
        return index

    def entry(self, index: int, *, entry_id: str | None = None) -> JsonObject:
        """Return the ``credentialStatus`` entry for an allocated index.

        Raises:
            ValueError: ``index`` was not allocated from this list.
        """
        self._check_allocated(index)
        return build_status_entry(
            self.url,
            index,
            purpose=self.purpose,
            status_size=self.status_size,
            messages=self.messages,
            entry_id=entry_id,
        )

    def status(self, index: int) -> int:
        """Return the current status value at ``index``.

        Raises:
            StatusRangeError: ``index`` is outside the list.
        """
        return self._statuses.get(index)

    def revoke(self, index: int) -> None:
        """Mark a credential revoked (permanent).

        Raises:
            ValueError: this is not a revocation list, or ``index`` was not
                allocated.
        """
        self._need("revocation")
        self._check_allocated(index)
        self._statuses.set(index, 1)

    def suspend(self, index: int) -> None:
        """Mark a credential suspended (reversible with :meth:`reinstate`).

        Raises:
            ValueError: this is not a suspension list, or ``index`` was not
                allocated.
        """
        self._need("suspension")
        self._check_allocated(index)
        self._statuses.set(index, 1)

    def reinstate(self, index: int) -> None:
        """Lift a suspension.

        Raises:
            ValueError: this is not a suspension list (revocation cannot be
                undone), or ``index`` was not allocated.
        """
        self._need("suspension")
        self._check_allocated(index)
        self._statuses.set(index, 0)

    def set_message(self, index: int, value: int) -> None:
        """Set the status value of a ``message`` list entry.

        Raises:
            ValueError: this is not a message list, ``index`` was not
                allocated, or ``value`` does not fit in ``status_size`` bits.
        """
        self._need("message")
        self._check_allocated(index)
        self._statuses.set(index, value)

    def credential(
        self,
        issuer: str,
        *,
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
        ttl: int | None = None,
    ) -> JsonObject:
        """Return the unsigned ``BitstringStatusListCredential`` for this list.

        Sign it with ``ssi.issue`` and publish the result at :attr:`url`.

        Spec: https://www.w3.org/TR/vc-bitstring-status-list/#generate-algorithm
        """
        return build_status_list_credential(
            self.url,
            issuer,
            self._statuses,
            purpose=self.purpose,
            valid_from=valid_from,
            valid_until=valid_until,
            ttl=ttl,
            messages=self.messages,
        )

    def to_json(self) -> JsonObject:
        """Return the state as JSON (allocation and statuses as encoded bitstrings)."""
        allocated = StatusList(self.length)
        for index in self._allocated:
            allocated.set(index, 1)
        body: JsonObject = {
            "type": STATE_TYPE,
            "version": _STATE_VERSION,
            "url": self.url,
            "statusPurpose": self.purpose,
            "statusSize": self.status_size,
            "length": self.length,
            "allocatedList": allocated.encode(),
            "encodedList": self._statuses.encode(),
        }
        if self.messages:
            body["statusMessage"] = [row.to_json() for row in self.messages]
        return body

    @classmethod
    def from_json(cls, value: JsonValue) -> StatusListState:
        """Read a state written by :meth:`to_json` (from disk: untrusted).

        Raises:
            MalformedValueError: the value is not a state of a known version,
                or its parts are inconsistent.
        """
        if not isinstance(value, dict) or value.get("type") != STATE_TYPE:
            raise MalformedValueError(f"the value is not an {STATE_TYPE}.")
        if value.get("version") != _STATE_VERSION:
            raise MalformedValueError(
                f"the status list state has version {value.get('version')!r}; "
                f"this library reads version {_STATE_VERSION}."
            )
        try:
            messages = _messages(value.get("statusMessage", []))
            url, purpose = value["url"], value["statusPurpose"]
            if not isinstance(url, str) or not isinstance(purpose, str):
                raise TypeError("url")
            state = cls(
                url,
                purpose=purpose,
                length=value["length"],
                status_size=value["statusSize"],
                messages=messages,
            )
            length = state.length
            statuses = StatusList.decode(
                value["encodedList"],
                status_size=state.status_size,
                min_entries=length,
            )
            allocated = StatusList.decode(value["allocatedList"], min_entries=length)
        except (KeyError, TypeError, ValueError, SSIError) as exc:
            raise MalformedValueError(
                f"the status list state is damaged ({type(exc).__name__})."
            ) from exc
        if statuses.length != length or allocated.length != length:
            raise MalformedValueError(
                "the status list state's bitstrings do not match its length."
            )
        state._statuses = statuses
        state._allocated = _set_indexes(allocated.to_bytes())
        return state

    def __repr__(self) -> str:
        return (
            f"StatusListState({self.url!r}, purpose={self.purpose!r}, "
            f"length={self.length}, allocated={len(self._allocated)})"
        )

    def _need(self, purpose: str) -> None:
        if self.purpose != purpose:
            raise ValueError(
                f"this is a {self.purpose!r} list; the operation needs a "
                f"{purpose!r} list."
            )

    def _check_allocated(self, index: int) -> None:
        if index not in self._allocated:
            raise ValueError(f"index {index!r} was not allocated from this list.")


def _messages(value: JsonValue) -> tuple[StatusMessage, ...]:
    if not isinstance(value, list):
        raise TypeError("statusMessage")
    rows = []
    for row in value:
        status, message = row["status"], row["message"]
        if not isinstance(status, str) or not isinstance(message, str):
            raise TypeError("statusMessage")
        rows.append(StatusMessage(int(status, 16), message))
    return tuple(rows)


def _set_indexes(bits: bytes) -> set[int]:
    """Return the indexes of the 1 bits (index 0 is the left-most bit)."""
    found: set[int] = set()
    for position, byte in enumerate(bits):
        if byte:
            base = position * 8
            found.update(
                base + offset for offset in range(8) if byte & (0x80 >> offset)
            )
    return found
