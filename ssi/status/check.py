"""Check a credential's status: the specification's validate algorithm.

:func:`check_status` follows the algorithm step by step for one
``credentialStatus`` entry: obtain the status list credential from a
:class:`~ssi.status.sources.StatusSource`, verify it with the same pipeline as
any credential (``verify_list``, which ``ssi.verify`` supplies with status
checking off, so lists are not checked recursively), check that it is a list
for this entry, decode it and read the entry's value.

Beyond the algorithm, and on the safe side of what it leaves to the verifier:

- the list credential's issuer must be the credential's issuer, or one of the
  ``list_issuers`` the verifier trusts for lists (the specification allows
  them to differ and leaves trust to the verifier);
- a list credential with an ``id`` must name the URL it was fetched from, so
  one valid list of an issuer cannot be served in place of another;
- the list's own ``statusSize``, when given, must equal the entry's.

:class:`BitstringStatusChecker` is what ``ssi.verify(..., status=...)`` takes:
it runs the same checks, remembers each verified list for a while (keyed by
the list document's digest, so a changed document is verified again), and
turns a set revocation or suspension bit into an error.

Spec: https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm,
https://www.w3.org/TR/vc-bitstring-status-list/#processing-errors
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from ssi.credentials.model import Credential
from ssi.credentials.report import VerificationReport
from ssi.errors import (
    CredentialRevokedError,
    CredentialSuspendedError,
    SSIError,
    StatusRetrievalError,
    StatusVerificationError,
)
from ssi.proofs import DEFAULT_SKEW
from ssi.status.bitstring import MIN_ENTRIES, StatusList
from ssi.status.credential import (
    StatusListCredential,
    StatusListEntry,
    parse_status_entry,
    parse_status_list_credential,
)
from ssi.status.sources import MemoryStatusSource, StatusSource
from ssi.types import JsonObject

__all__ = [
    "BitstringStatusChecker",
    "StatusResult",
    "VerifyList",
    "check_status",
    "raise_for_status",
]

VerifyList = Callable[[JsonObject], VerificationReport]
"""Verifies a status list credential: ``ssi.verify`` with its options, status off."""

_SHOWN: Final = 120


@dataclass(frozen=True, slots=True)
class StatusResult:
    """The status of one ``credentialStatus`` entry.

    Attributes:
        purpose: the entry's ``statusPurpose``.
        index: the entry's ``statusListIndex``.
        value: the status value read from the list.
        message: the value's ``statusMessage`` text ("set"/"unset" without one).
        list_credential: the URL of the status list credential.

    Spec: https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm
    (the result map: status, purpose, valid, message)
    """

    purpose: str
    index: int
    value: int
    message: str
    list_credential: str

    @property
    def valid(self) -> bool:
        """The algorithm's ``valid``: true when the value is 0."""
        return self.value == 0

    @property
    def detail(self) -> str:
        """One line for the report, such as ``revocation: not revoked``."""
        set_ = self.value != 0
        if self.purpose == "revocation":
            return "revocation: revoked" if set_ else "revocation: not revoked"
        if self.purpose == "suspension":
            return "suspension: suspended" if set_ else "suspension: not suspended"
        if self.purpose == "refresh":
            return "refresh: update available" if set_ else "refresh: up to date"
        return f"{_cut(self.purpose)}: {self.value:#x} {_cut(self.message)!r}"

    @property
    def warnings(self) -> tuple[str, ...]:
        """Information that does not fail verification (messages, refresh)."""
        if self.purpose == "message":
            return (
                f"status message {self.value:#x}: {_cut(self.message)!r} "
                f"(status list {_cut(self.list_credential)}).",
            )
        if self.purpose == "refresh" and self.value:
            return (
                "an updated credential is available from the issuer's refresh service.",
            )
        return ()


def check_status(
    credential: Credential,
    entry: JsonObject,
    *,
    source: StatusSource,
    verify_list: VerifyList,
    now: datetime,
    skew: timedelta = DEFAULT_SKEW,
    list_issuers: Collection[str] = (),
    min_entries: int = MIN_ENTRIES,
) -> StatusResult:
    """Return the status of ``credential`` for one of its status entries.

    Args:
        credential: the (parsed) credential whose status is checked.
        entry: one of its ``credentialStatus`` objects.
        source: where to get the status list credential.
        verify_list: verifies the list credential (proof, validity period).
        now: the verification time.
        skew: tolerance for the list's validity period.
        list_issuers: issuers trusted to publish lists for any credential,
            besides the credential's own issuer.
        min_entries: the fewest entries a list may have.

    Spec: https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm

    Raises:
        StatusRetrievalError: the list credential cannot be obtained.
        StatusVerificationError: it does not verify, is not valid at ``now``,
            is not this entry's list (URL, issuer, purpose, status size), or
            the entry is not a ``BitstringStatusListEntry``.
        MalformedValueError: the entry, the list credential or its
            ``encodedList`` is malformed.
        StatusListLengthError: the list is too short (or too long).
        StatusRangeError: the index lies outside the list.
    """
    parsed = parse_status_entry(entry)
    document = _fetch(parsed.list_credential, source)
    verified = _verify(parsed.list_credential, document, verify_list)
    return _read(
        credential, parsed, verified, now, skew, frozenset(list_issuers), min_entries
    )


def raise_for_status(result: StatusResult) -> None:
    """Raise if the status means the credential must not be accepted.

    A set ``revocation`` or ``suspension`` value fails; so does a set value of
    a purpose this library does not know (its meaning cannot be judged).
    ``message`` and ``refresh`` statuses are information and never fail.

    Raises:
        CredentialRevokedError: the credential is revoked.
        CredentialSuspendedError: the credential is suspended.
        StatusVerificationError: an unknown purpose has a value other than 0.
    """
    if result.value == 0 or result.purpose in ("message", "refresh"):
        return
    where = f"index {result.index} of status list {_cut(result.list_credential)}"
    if result.purpose == "revocation":
        raise CredentialRevokedError(f"the credential has been revoked ({where}).")
    if result.purpose == "suspension":
        raise CredentialSuspendedError(f"the credential is suspended ({where}).")
    raise StatusVerificationError(
        f"status purpose {_cut(result.purpose)!r} is set to {result.value:#x} "
        f"({where}) and its meaning is unknown to this verifier."
    )


class BitstringStatusChecker:
    """Checks Bitstring Status List entries for ``ssi.verify(..., status=...)``.

    Args:
        source: where status list credentials come from.
        list_issuers: issuers trusted to publish lists for any credential,
            besides each credential's own issuer.
        min_entries: the fewest entries a list may have.
        memo_ttl: how long a verified list is reused without verifying it
            again (only while the document is unchanged and within its
            validity period, and never for a clock earlier than when it
            was verified).
        memo_size: how many verified lists are remembered.

    A checker remembers lists verified with the ``verify_list`` of earlier
    calls; use one checker per verification policy (accepted suites,
    resolver).

    Spec: https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm
    """

    def __init__(
        self,
        source: StatusSource,
        *,
        list_issuers: Collection[str] = (),
        min_entries: int = MIN_ENTRIES,
        memo_ttl: timedelta = timedelta(minutes=5),
        memo_size: int = 256,
    ) -> None:
        self.source = source
        self.list_issuers = frozenset(list_issuers)
        self.min_entries = min_entries
        self._memo_ttl = memo_ttl
        self._memo_size = memo_size
        self._memo: dict[str, tuple[bytes, datetime, _VerifiedList]] = {}
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, object]:
        """Pickle the configuration only: the remembered lists and the lock
        stay behind (a verifier is shipped to worker processes this way)."""
        state = {k: v for k, v in vars(self).items() if k not in ("_memo", "_lock")}
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        """Rebuild a pickled checker with nothing remembered yet."""
        vars(self).update(state)
        self._memo = {}
        self._lock = threading.Lock()

    def with_list_issuers(self, issuers: Collection[str]) -> BitstringStatusChecker:
        """Return a checker like this one that also trusts ``issuers`` to
        publish lists (``ssi.credentials.Verifier(list_issuers=...)`` calls it);
        it remembers no list yet.

        Spec: https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm
        """
        return BitstringStatusChecker(
            self.source,
            list_issuers=self.list_issuers | frozenset(issuers),
            min_entries=self.min_entries,
            memo_ttl=self._memo_ttl,
            memo_size=self._memo_size,
        )

    def status(
        self,
        credential: Credential,
        entry: JsonObject,
        *,
        verify_list: VerifyList,
        now: datetime,
    ) -> StatusResult:
        """Return the entry's status, as :func:`check_status` does.

        Raises:
            StatusError, MalformedValueError: as :func:`check_status`.
        """
        parsed = parse_status_entry(entry)
        url = parsed.list_credential
        document = _fetch(url, self.source)
        digest = _digest(document)
        with self._lock:
            remembered = self._memo.get(url)
        if (
            remembered is not None
            and remembered[0] == digest
            and remembered[1] <= now <= remembered[1] + self._memo_ttl
        ):
            verified = remembered[2]
        else:
            verified = _verify(url, document, verify_list)
            with self._lock:
                self._memo.pop(url, None)
                while len(self._memo) >= self._memo_size:
                    del self._memo[next(iter(self._memo))]
                self._memo[url] = (digest, now, verified)
        return _read(
            credential,
            parsed,
            verified,
            now,
            DEFAULT_SKEW,
            self.list_issuers,
            self.min_entries,
        )

    def check(
        self,
        credential: Credential,
        entry: JsonObject,
        *,
        verify_list: VerifyList,
        now: datetime,
    ) -> StatusResult:
        """Return the entry's status, raising when it rules the credential out.

        This is the ``StatusChecker`` protocol of ``ssi.credentials.verify``.

        Raises:
            CredentialRevokedError, CredentialSuspendedError: the status is set.
            StatusError, MalformedValueError: the status cannot be established.
        """
        result = self.status(credential, entry, verify_list=verify_list, now=now)
        raise_for_status(result)
        return result

    def forget(self) -> None:
        """Drop every remembered list, so the next checks verify them again."""
        with self._lock:
            self._memo.clear()


# --- The algorithm's steps ---------------------------------------------------------


class _VerifiedList:
    """A list credential that verified, with its bitstring decoded on demand."""

    __slots__ = ("_decoded", "_lock", "list", "url")

    def __init__(self, url: str, parsed: StatusListCredential) -> None:
        self.url = url
        self.list = parsed
        self._decoded: dict[tuple[int, int], StatusList] = {}
        self._lock = threading.Lock()

    def decoded(self, status_size: int, min_entries: int) -> StatusList:
        key = (status_size, min_entries)
        with self._lock:
            found = self._decoded.get(key)
        if found is None:
            found = StatusList.decode(
                self.list.encoded_list,
                status_size=status_size,
                min_entries=min_entries,
            )
            with self._lock:
                self._decoded[key] = found
        return found


def _fetch(url: str, source: StatusSource) -> JsonObject:
    """Step 4, first half: dereference ``statusListCredential``."""
    try:
        document = source.get(url)
    except StatusRetrievalError:
        raise
    except SSIError as exc:
        raise StatusRetrievalError(
            f"the status list credential {_cut(url)} could not be obtained: "
            f"{exc.detail}"
        ) from exc
    if not isinstance(document, dict):
        raise StatusRetrievalError(
            f"the status list credential {_cut(url)} is not a JSON object."
        )
    return document


def _verify(url: str, document: JsonObject, verify_list: VerifyList) -> _VerifiedList:
    """Step 4, second half: every proof verifies; then the data model holds."""
    report = verify_list(document)
    if not report.verified:
        problems = report.all_problems()
        reason = problems[0].detail if problems else "a check did not pass."
        raise StatusVerificationError(
            f"the status list credential {_cut(url)} did not verify: {reason}"
        )
    parsed = parse_status_list_credential(document)
    if parsed.id is not None and parsed.id != url:
        raise StatusVerificationError(
            f"the status list credential fetched from {_cut(url)} has the id "
            f"{_cut(parsed.id)}; it is another list."
        )
    return _VerifiedList(url, parsed)


def _read(
    credential: Credential,
    entry: StatusListEntry,
    verified: _VerifiedList,
    now: datetime,
    skew: timedelta,
    list_issuers: frozenset[str],
    min_entries: int,
) -> StatusResult:
    """Steps 5 to 13: match the list to the entry, decode, read the value."""
    listed = verified.list
    url = verified.url
    summary = listed.credential
    if summary.valid_from is not None and now + skew < summary.valid_from:
        raise StatusVerificationError(
            f"the status list credential {_cut(url)} is not valid yet."
        )
    if summary.valid_until is not None and now - skew > summary.valid_until:
        raise StatusVerificationError(
            f"the status list credential {_cut(url)} has expired."
        )
    if listed.issuer != credential.issuer and listed.issuer not in list_issuers:
        raise StatusVerificationError(
            f"the status list credential {_cut(url)} is issued by "
            f"{_cut(listed.issuer)}, not by the credential's issuer "
            f"{_cut(credential.issuer)}."
        )
    if entry.purpose not in listed.purposes:
        raise StatusVerificationError(
            f"the status list credential {_cut(url)} is for "
            f"{', '.join(map(_cut, listed.purposes))}, not for "
            f"{_cut(entry.purpose)}."
        )
    if listed.status_size is not None and listed.status_size != entry.status_size:
        raise StatusVerificationError(
            f"the status list credential {_cut(url)} has {listed.status_size}-bit "
            f"entries; the credential's entry says {entry.status_size}."
        )
    status_list = verified.decoded(entry.status_size, min_entries)
    value = status_list.get(entry.index)
    return StatusResult(
        purpose=entry.purpose,
        index=entry.index,
        value=value,
        message=entry.message_for(value),
        list_credential=url,
    )


def _digest(document: JsonObject) -> bytes:
    try:
        text = json.dumps(
            document, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
    except (TypeError, ValueError) as exc:
        raise StatusRetrievalError(
            "the status list credential is not plain JSON."
        ) from exc
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def _cut(text: str) -> str:
    """Shorten untrusted text for a message and escape what is not printable."""
    if len(text) > _SHOWN:
        text = text[: _SHOWN - 3] + "..."
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


if TYPE_CHECKING:  # The checker fits the protocol that ssi.verify takes.
    from ssi.credentials.verify import StatusChecker

    _CHECKER: StatusChecker = BitstringStatusChecker(MemoryStatusSource())
