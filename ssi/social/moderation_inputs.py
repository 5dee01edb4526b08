"""Moderation inputs: each report, label, appeal, verdict and post of a pool
named, verified and read, in one pass.

Like ``ssi.social.tally_inputs`` (whose :func:`check_inputs` serves the
memberships and status lists here), the work runs in this process or, chunk
by chunk, on any ``concurrent.futures.Executor``. A proof is judged alone
(parsing, data model, contexts, proofs), never its validity period or
status: the rules judge a moderator's mandate and a reporter's membership as
of each act's own time. By default proofs are verified as of the moment
asked about or, when later, the time the document was signed (the later of
its ``validFrom`` and its proofs' ``created``): a proof made after the
verifier's clock would read as made in the future, and a community's
stewards co-sign after the fact.

Spec: docs/moderation.md (Cases and decisions)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from ssi.cid import object_cid
from ssi.credentials.verifier import Verifier
from ssi.credentials.workers import DescriptionTable
from ssi.datetimes import parse_date_time
from ssi.errors import SSIError
from ssi.social.moderation import read_moderation_object
from ssi.social.post import POST_TYPE
from ssi.social.tally_inputs import (
    CheckedInput,
    check_inputs,
    signature_verified,
    tally_verifier,
)
from ssi.types import JsonObject, JsonValue

__all__ = ["CheckedAct", "check_acts", "check_members", "issuer_of", "types_of"]

Logs = Mapping[str, Sequence[Sequence[JsonValue]]]

_CHUNK: Final = 256
_workers = DescriptionTable(Verifier, 8)


@dataclass(frozen=True, slots=True)
class CheckedAct:
    """One report, label, appeal, verdict or post, verified and read.

    Attributes:
        cid: its CID.
        signed: whether its proof(s) verified (validity and status aside).
        issuer: its issuer, when it names one.
        value: what ``read_moderation_object`` returned (None for a post, or
            when reading failed).
        error: the reader's error code, when reading failed.
    """

    cid: str
    signed: bool
    issuer: str | None
    value: object
    error: str | None = None


def check_acts_task(key: str, blob: bytes, chunk: list[JsonValue]) -> list[CheckedAct]:
    """Verify and read a chunk of moderation acts and posts in a worker (the
    task :func:`check_acts` ships to an executor).

    Spec: docs/moderation.md (Cases and decisions)

    Raises:
        TypeError: ``blob`` is not a pickled verifier.
    """
    return _check_acts(_workers.get(key, blob), chunk)


def _check_acts(verifier: Verifier, chunk: list[JsonValue]) -> list[CheckedAct]:
    out: list[CheckedAct] = []
    for document in chunk:
        if not isinstance(document, dict):
            continue
        try:
            cid = object_cid(document)
        except SSIError:
            continue
        report, parsed = verifier.verify_read(document)
        signed = signature_verified(report)
        issuer = issuer_of(document)
        issuer_text = issuer if isinstance(issuer, str) else None
        if POST_TYPE in types_of(document):
            out.append(CheckedAct(cid, signed, issuer_text, None))
            continue
        try:
            value: object = read_moderation_object(document, parsed=parsed)
        except SSIError as exc:
            out.append(CheckedAct(cid, signed, issuer_text, None, exc.code))
            continue
        out.append(CheckedAct(cid, signed, issuer_text, value))
    return out


def _check_all(
    documents: list[JsonValue], verifier: Verifier, executor: Executor | None
) -> list[CheckedAct]:
    if executor is None:
        return _check_acts(verifier, documents)
    key, blob = verifier.description()
    chunks = [documents[i : i + _CHUNK] for i in range(0, len(documents), _CHUNK)]
    futures: list[Future[list[CheckedAct]] | None] = []
    for chunk in chunks:
        try:
            futures.append(executor.submit(check_acts_task, key, blob, chunk))
        except Exception:  # a chunk that cannot be shipped: check it here
            futures.append(None)
    out: list[CheckedAct] = []
    for chunk, future in zip(chunks, futures, strict=True):
        found: object = None
        if future is not None:
            try:
                found = future.result()
            except Exception:  # the chunk did not run; check it here
                found = None
        if isinstance(found, list) and all(isinstance(x, CheckedAct) for x in found):
            out.extend(found)
        else:
            out.extend(_check_acts(verifier, chunk))
    return out


def _signing_time(document: JsonObject) -> datetime | None:
    """The later of a document's ``validFrom`` and its proofs' ``created``."""
    latest: datetime | None = None
    proofs = document.get("proof")
    stamps = [document.get("validFrom")]
    for proof in proofs if isinstance(proofs, list) else [proofs]:
        if isinstance(proof, dict):
            stamps.append(proof.get("created"))
    for stamp in stamps:
        if stamp is None:
            continue
        try:
            found = parse_date_time(stamp, require_timezone=True, path="$")
        except SSIError:
            continue
        latest = found if latest is None else max(latest, found)
    return latest


def _groups(
    documents: Sequence[JsonValue],
    *,
    verifier: Verifier | None,
    logs: Logs | None,
    at: datetime,
) -> list[tuple[Verifier, list[JsonValue]]]:
    """Who verifies what: the caller's verifier for everything, or by default
    a verifier whose clock is ``at``, or the signing time when later (a
    proof dated after the clock would read as made in the future; stewards
    co-sign after the fact). did:key and did:jwk keys do not change, so one
    clock serves them all; did:agora keys are looked up at that moment."""
    if verifier is not None:
        return [(verifier, list(documents))]
    plain: list[JsonValue] = []
    latest = at
    timed: dict[datetime, list[JsonValue]] = {}
    for document in documents:
        if not isinstance(document, dict):
            continue
        signed_at = _signing_time(document)
        moment = at if signed_at is None else max(at, signed_at)
        issuer = issuer_of(document)
        if isinstance(issuer, str) and issuer.startswith("did:agora:"):
            timed.setdefault(moment, []).append(document)
        else:
            plain.append(document)
            latest = max(latest, moment)
    groups = [(tally_verifier(logs, at=latest), plain)] if plain else []
    for moment in sorted(timed):
        groups.append((tally_verifier(logs, at=moment), timed[moment]))
    return groups


def check_acts(
    documents: Sequence[JsonValue],
    *,
    at: datetime,
    verifier: Verifier | None = None,
    logs: Logs | None = None,
    executor: Executor | None = None,
) -> list[CheckedAct]:
    """Name, verify and read each report, label, appeal, verdict or post.

    Proofs are verified with ``verifier`` or, by default, with did:key,
    did:jwk and did:agora over ``logs`` as of ``at`` or the document's
    signing time if later. A document that is not a JSON object, or whose
    CID cannot be computed, is dropped.

    Spec: docs/moderation.md (Cases and decisions)

    Raises:
        TypeError: an executor is given and a verifier does not pickle.
    """
    out: list[CheckedAct] = []
    for checker, group in _groups(documents, verifier=verifier, logs=logs, at=at):
        out.extend(_check_all(group, checker, executor))
    return out


def check_members(
    documents: Sequence[JsonValue],
    *,
    at: datetime,
    verifier: Verifier | None = None,
    logs: Logs | None = None,
    executor: Executor | None = None,
) -> list[CheckedInput]:
    """Verify and read memberships and status lists (``check_inputs``), with
    the verifiers :func:`check_acts` would use.

    Spec: docs/moderation.md (Cases and decisions)

    Raises:
        TypeError: an executor is given and a verifier does not pickle.
    """
    out: list[CheckedInput] = []
    for checker, group in _groups(documents, verifier=verifier, logs=logs, at=at):
        out.extend(check_inputs(group, verifier=checker, executor=executor))
    return out


def issuer_of(document: JsonObject) -> object:
    """A document's ``issuer`` (its ``id`` when it is an object)."""
    issuer = document.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def types_of(document: JsonObject) -> list[object]:
    """A document's ``type``, as a list."""
    types = document.get("type")
    return types if isinstance(types, list) else [types]
