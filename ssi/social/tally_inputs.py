"""A tally's inputs: each credential named, verified and read, in one pass.

:func:`check_inputs` takes the credentials a tally is computed from (ballots,
signals, delegations, memberships, the community's status list credentials,
in any order, duplicates allowed) and gives, for each distinct one, its CID,
its kind, whether its proof verified, and what it says. The work runs in
this process or, chunk by chunk, on any ``concurrent.futures.Executor``: each
worker builds the verifier once from its pickled description and sends back
only the small read values, never the documents.

A proof is judged alone here (parsing, data model, contexts, proof): the
validity period and the status are the tally's rules, taken as of the
proposal's closing time (docs/tallies.md), not as of the verifier's clock.

did:agora logs travel with the inputs; :func:`tally_verifier` resolves them
through a driver that keeps its results (the logs do not change during a
tally), so the community's log is validated once per process, not once per
membership.

Spec: docs/tallies.md (Inputs)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, replace
from datetime import datetime
from typing import ClassVar, Final

from ssi.agora.method import AgoraMethod
from ssi.cid import named_objects
from ssi.credentials.model import Credential
from ssi.credentials.report import VerificationReport
from ssi.credentials.verifier import FixedClock, Verifier
from ssi.credentials.workers import DescriptionTable
from ssi.did.methods import JWKMethod, KeyMethod
from ssi.did.resolution import MethodRegistry, Resolver
from ssi.did.results import ResolutionResult
from ssi.did.syntax import DID
from ssi.errors import SSIError
from ssi.social.ballot import read_ballot, read_delegation
from ssi.social.community import Membership, read_membership
from ssi.social.proposal import read_signal
from ssi.status.credential import (
    StatusListEntry,
    parse_status_entry,
    parse_status_list_credential,
)
from ssi.types import JsonObject, JsonValue

__all__ = [
    "INPUT_KINDS",
    "CheckedInput",
    "check_inputs",
    "signature_verified",
    "tally_verifier",
]

INPUT_KINDS: Final = {
    "Ballot": "ballot",
    "Delegation": "delegation",
    "Signal": "signal",
    "MembershipCredential": "membership",
    "BitstringStatusListCredential": "statusList",
}
"""The credential types a tally reads, and the kind each is filed under."""
_CHUNK: Final = 256
_SIGNATURE_CHECKS: Final = ("parsing", "model", "context", "proof", "verification")


@dataclass(frozen=True, slots=True)
class CheckedInput:
    """One distinct input, verified and read.

    Attributes:
        cid: its CID (``ssi.cid.object_cid``).
        kind: ``ballot``, ``delegation``, ``signal``, ``membership``,
            ``statusList``, or ``other`` (a type the tally does not read).
        signed: whether its proof verified (validity and status aside).
        issuer: its issuer, when it could be read.
        value: what the kind's reader returned; None if it failed.
        error: the reader's error code and message, if it failed.
        choice_error: whether the reader's error concerns a ballot's
            ``choice`` (a malformed choice rather than a malformed ballot).
        entries: a membership's ``credentialStatus`` entries, read (None
            for one that is not a valid entry); the membership value then
            leaves its raw ``status`` out, so less travels between processes.
    """

    cid: str
    kind: str
    signed: bool
    issuer: str | None
    value: object
    error: tuple[str, str] | None = None
    choice_error: bool = False
    entries: tuple[StatusListEntry | None, ...] = ()

    def __reduce__(
        self,
    ) -> tuple[
        type[CheckedInput],
        tuple[
            str,
            str,
            bool,
            str | None,
            object,
            tuple[str, str] | None,
            bool,
            tuple[StatusListEntry | None, ...],
        ],
    ]:
        """Pickle as a constructor call: small and quick to load (tallies
        ship these back from worker processes by the hundred thousand)."""
        return (
            CheckedInput,
            (
                self.cid,
                self.kind,
                self.signed,
                self.issuer,
                self.value,
                self.error,
                self.choice_error,
                self.entries,
            ),
        )


def signature_verified(report: VerificationReport) -> bool:
    """Whether a report's proof checks passed: parsing, model, contexts and
    every proof check, ignoring the validity period and the status.

    Spec: docs/tallies.md (Inputs)
    """
    proof_passed = False
    for check in report.checks:
        name = check.name.split("[", 1)[0]
        if name in ("validity", "status", "holderBinding"):
            continue
        if not check.passed:
            return False
        if name == "proof":
            proof_passed = True
    return proof_passed


class _LogTable:
    """did:agora logs held in memory, by DID (a ``LogSource`` that pickles)."""

    def __init__(self, logs: Mapping[str, Sequence[Sequence[JsonValue]]]) -> None:
        self._logs = {
            did: tuple(tuple(log) for log in found) for did, found in logs.items()
        }

    def logs_for(self, did: str) -> list[list[JsonValue]]:
        return [list(log) for log in self._logs.get(did, ())]


class _FixedLogMethod:
    """did:agora over logs that do not change: the stock driver's rules, with
    results the resolver may keep."""

    name: ClassVar[str] = "agora"
    keeps_history: ClassVar[bool] = True
    cacheable: ClassVar[bool] = True

    def __init__(self, logs: _LogTable, clock: Callable[[], datetime]) -> None:
        self._stock = AgoraMethod([logs], clock=clock)

    def resolve(self, did: DID, options: Mapping[str, JsonValue]) -> ResolutionResult:
        return self._stock.resolve(did, options)


def tally_verifier(
    logs: Mapping[str, Sequence[Sequence[JsonValue]]] | None = None,
    *,
    at: datetime,
) -> Verifier:
    """Return the verifier a tally uses by default: did:key, did:jwk and
    did:agora over ``logs`` (``{did: [log, ...]}``), with the clock at ``at``.

    Spec: docs/tallies.md (Inputs)

    Raises:
        ValueError: ``at`` has no timezone.
    """
    clock = FixedClock(at)
    methods = MethodRegistry(
        [KeyMethod(), JWKMethod(), _FixedLogMethod(_LogTable(logs or {}), clock)]
    )
    return Verifier(resolver=Resolver(methods, cache_size=4096), clock=clock)


def check_inputs(
    documents: Sequence[JsonValue],
    *,
    verifier: Verifier,
    executor: Executor | None = None,
    chunk_size: int = _CHUNK,
) -> list[CheckedInput]:
    """Name, verify and read every distinct input; sorted by CID.

    An input that is not a JSON object, or whose CID cannot be computed, is
    dropped (it names nothing). Identical inputs are checked once. A chunk
    the executor fails to run (a worker that died, an item that does not
    pickle) is checked in this process instead, with the same results.

    Spec: docs/tallies.md (Inputs)

    Raises:
        TypeError: an executor is given and the verifier does not pickle.
    """
    if executor is None:
        results = _check_chunk(verifier, list(documents))
    else:
        key, blob = verifier.description()
        chunks = [
            list(documents[i : i + chunk_size])
            for i in range(0, len(documents), chunk_size)
        ]
        futures: list[Future[list[CheckedInput]] | None] = []
        for chunk in chunks:
            try:
                futures.append(executor.submit(check_chunk_task, key, blob, chunk))
            except Exception:  # a chunk that cannot be shipped: check it here
                futures.append(None)
        results = []
        for chunk, future in zip(chunks, futures, strict=True):
            results.extend(_collect(verifier, chunk, future))
    unique: dict[str, CheckedInput] = {}
    for item in results:
        unique.setdefault(item.cid, item)
    return [unique[cid] for cid in sorted(unique)]


def _collect(
    verifier: Verifier,
    chunk: list[JsonValue],
    future: Future[list[CheckedInput]] | None,
) -> list[CheckedInput]:
    """A chunk's results from its worker, or computed here if it did not run."""
    if future is not None:
        try:
            found = future.result()
        except Exception:  # the chunk did not run; its inputs still get checked
            found = None
        if isinstance(found, list) and all(
            isinstance(item, CheckedInput) for item in found
        ):
            return found
    return _check_chunk(verifier, chunk)


_workers = DescriptionTable(Verifier, 8)


def check_chunk_task(
    key: str, blob: bytes, chunk: list[JsonValue]
) -> list[CheckedInput]:
    """Check a chunk of inputs in a worker (the task :func:`check_inputs` ships).

    Spec: docs/tallies.md (Inputs)

    Raises:
        TypeError: ``blob`` is not a pickled verifier.
    """
    return _check_chunk(_workers.get(key, blob), chunk)


def _check_chunk(verifier: Verifier, chunk: list[JsonValue]) -> list[CheckedInput]:
    out: list[CheckedInput] = []
    for cid, document in named_objects(chunk):
        kind = _kind(document)
        report, parsed = verifier.verify_read(document)
        out.append(_read(cid, kind, signature_verified(report), document, parsed))
    return out


def _kind(document: JsonObject) -> str:
    types = document.get("type")
    if isinstance(types, list):
        for name in types:
            if isinstance(name, str) and name in INPUT_KINDS:
                return INPUT_KINDS[name]
    return "other"


_READERS: Final[dict[str, Callable[[JsonObject, Credential | None], object]]] = {
    "ballot": lambda document, parsed: read_ballot(document, parsed=parsed),
    "delegation": lambda document, parsed: read_delegation(document, parsed=parsed),
    "signal": lambda document, parsed: read_signal(document, parsed=parsed),
    "membership": lambda document, parsed: read_membership(document, parsed=parsed),
    "statusList": lambda document, _: parse_status_list_credential(document),
}


def _read(
    cid: str,
    kind: str,
    signed: bool,
    document: JsonObject,
    parsed: Credential | None = None,
) -> CheckedInput:
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    issuer_text = issuer if isinstance(issuer, str) else None
    reader = _READERS.get(kind)
    if reader is None:
        return CheckedInput(cid, kind, signed, issuer_text, None)
    try:
        value = reader(document, parsed)
    except SSIError as exc:
        message = exc.detail
        choice = kind == "ballot" and message.startswith("$.credentialSubject.choice")
        return CheckedInput(
            cid, kind, signed, issuer_text, None, (exc.code, message), choice
        )
    if kind == "membership" and isinstance(value, Membership):
        entries = tuple(_entry(raw) for raw in value.status)
        return CheckedInput(
            cid, kind, signed, issuer_text, replace(value, status=()), entries=entries
        )
    return CheckedInput(cid, kind, signed, issuer_text, value)


def _entry(raw: JsonObject) -> StatusListEntry | None:
    try:
        return parse_status_entry(raw)
    except SSIError:
        return None
