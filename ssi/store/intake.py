"""The way in: parse, name, verify, then hand the verified objects to a backend.

Every backend's ``add`` is :func:`add_objects` over two backend operations:
``present(cids)`` (which of these CIDs are stored) and ``insert(objects)``
(store these, in one transaction, and say which were new). So the rules
below are the same for SQLite and PostgreSQL:

1. Each input (a parsed object, or JSON text or bytes) is read strictly
   (:func:`ssi.credentials.load_json` for text, ``check_json_value`` for
   values). What is not a JSON object, or whose canonical form is larger than
   :data:`MAX_OBJECT_BYTES`, is rejected with a ``parsing`` problem; nothing
   raises.
2. Its CID is :func:`ssi.cid.object_cid`; its stored form the JCS bytes.
3. Objects already stored, and repeats of an earlier input of the same
   batch, are ``present``: an object is verified once, when first stored.
4. The others are verified: credentials with ``verifier.verify_many`` on
   the executor given (without one, ``verifier.verify_read``, whose parsed
   summary a :class:`ssi.store.ParsedDeriver` then reads instead of parsing
   the credential again), presentations with
   ``verifier.verify_presentation`` with challenge and domain not checked (a
   stored presentation answers no one's challenge). Only those whose report
   is ``verified`` go on.
5. The backend inserts them in one transaction; an object another writer
   stored in the meantime comes back ``present``.

Spec: docs/store.md (Adding objects)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Final

from ssi.cid import canonical_object_cid
from ssi.credentials import (
    CheckedObject,
    Problem,
    VerificationReport,
    Verifier,
    load_json,
)
from ssi.credentials.json_input import MAX_DOCUMENT_BYTES, check_json_for_jcs
from ssi.credentials.model import Credential
from ssi.errors import (
    CanonicalizationError,
    CryptographicSecurityError,
    ParsingError,
)
from ssi.jsonld.canon import canonicalize_jcs, canonicalize_simple_jcs
from ssi.store.base import AddResult, Deriver
from ssi.store.index import ObjectIndex, index_object
from ssi.types import JsonObject, JsonValue

__all__ = [
    "MAX_DERIVER_NAME",
    "MAX_OBJECT_BYTES",
    "VerifiedObject",
    "add_objects",
    "check_deriver",
    "derive_records",
    "read_object",
]

MAX_OBJECT_BYTES: Final = MAX_DOCUMENT_BYTES
"""The largest object stored, in bytes of its JCS form."""

MAX_DERIVER_NAME: Final = 64
"""The longest name of a deriver."""

_PRESENTATION: Final = "VerifiablePresentation"

_RECORD_ENCODER: Final = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False, allow_nan=False
)
"""Writes derived records compactly (``json.dumps`` builds one per call)."""


@dataclass(frozen=True, slots=True)
class VerifiedObject:
    """An object that verified, ready for a backend to insert.

    Attributes:
        cid: its CID.
        data: its JCS bytes (what the backend stores; the CID's digest is
            their SHA-256).
        index: its index entries.
        records: its derived records, as ``(deriver name, compact JSON)``.
    """

    cid: str
    data: bytes
    index: ObjectIndex
    records: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class _Read:
    """One input, read: an object with its CID and bytes, or a problem."""

    document: JsonObject | None = None
    cid: str | None = None
    data: bytes = b""
    problem: Problem | None = None
    checked: CheckedObject | None = None


def read_object(value: JsonValue | str | bytes) -> tuple[JsonObject, str, bytes]:
    """Read one input: return the object, its CID and its JCS bytes.

    Spec: docs/store.md (Adding objects)

    Raises:
        ParsingError: not JSON, not a JSON object, or too large.
        CanonicalizationError: a value JCS cannot write (an integer beyond
            2**53 - 1, a lone surrogate).
    """
    checked, cid, data = _read_checked(value)
    return checked.document, cid, data


def _read_checked(
    value: JsonValue | str | bytes,
) -> tuple[CheckedObject, str, bytes]:
    """:func:`read_object`, with the JSON check's answer kept for the verifier."""
    if isinstance(value, str | bytes | bytearray):
        document = load_json(bytes(value) if isinstance(value, bytearray) else value)
    else:
        document = value
    # One walk checks the JSON and tells whether JCS needs another.
    embedded, simple = check_json_for_jcs(document)
    if not isinstance(document, dict):
        raise ParsingError(
            f"An object to store is a JSON object, not {_json_kind(document)}."
        )
    data = canonicalize_simple_jcs(document) if simple else canonicalize_jcs(document)
    if len(data) > MAX_OBJECT_BYTES:
        raise ParsingError(
            f"The object is larger than {MAX_OBJECT_BYTES} bytes in canonical form."
        )
    return CheckedObject(document, embedded, data), canonical_object_cid(data), data


def add_objects(
    documents: Iterable[JsonValue | str | bytes],
    *,
    verifier: Verifier,
    executor: Executor | None,
    present: Callable[[Sequence[str]], set[str]],
    insert: Callable[[Sequence[VerifiedObject]], set[str]],
    derive: Deriver | None = None,
) -> list[AddResult]:
    """Verify ``documents`` and store those that verified; one result each.

    Args:
        documents: parsed objects, or JSON text or bytes.
        verifier: verifies them.
        executor: given to ``verifier.verify_many`` for the credentials.
        present: returns which of the given CIDs the backend holds.
        insert: stores the given objects in one transaction and returns the
            CIDs it stored now (not those already there).
        derive: called on each object that verified; its record goes in
            with the object.

    Spec: docs/store.md (Adding objects)

    Returns:
        ``results[i]`` for ``documents[i]``.

    Raises:
        TypeError: ``verifier`` is not a ``Verifier``.
        StoreError: from ``present`` or ``insert``.
    """
    if not isinstance(verifier, Verifier):
        raise TypeError("verifier must be an ssi.Verifier")
    if derive is not None:
        check_deriver(derive)
    reads = [_read(value) for value in documents]
    named = [read.cid for read in reads if read.cid is not None]
    stored_before = present(list(dict.fromkeys(named))) if named else set()
    first: dict[str, int] = {}
    for position, read in enumerate(reads):
        if read.cid is not None and read.cid not in stored_before:
            first.setdefault(read.cid, position)
    to_verify = [reads[position] for position in first.values()]
    checked = _verify(
        [read.checked for read in to_verify if read.checked is not None],
        verifier,
        executor,
    )
    verdicts = {cid: report for cid, (report, _) in zip(first, checked, strict=True)}
    models = {cid: parsed for cid, (_, parsed) in zip(first, checked, strict=True)}
    verified = [
        VerifiedObject(
            read.cid,
            read.data,
            index_object(read.document),
            derive_records(derive, read.document, models[read.cid]),
        )
        for read in to_verify
        if read.cid is not None
        and read.document is not None
        and verdicts[read.cid].verified
    ]
    stored_now = insert(verified) if verified else set()
    results: list[AddResult] = []
    for position, read in enumerate(reads):
        if read.cid is None:
            problems = () if read.problem is None else (read.problem,)
            results.append(AddResult(None, "rejected", problems))
        elif read.cid in stored_before:
            results.append(AddResult(read.cid, "present"))
        elif not verdicts[read.cid].verified:
            report = verdicts[read.cid]
            results.append(AddResult(read.cid, "rejected", _problems_of(report)))
        elif read.cid in stored_now and first[read.cid] == position:
            results.append(AddResult(read.cid, "stored"))
        else:
            results.append(AddResult(read.cid, "present"))
    return results


def check_deriver(derive: Deriver) -> None:
    """Check that ``derive`` is a deriver with a usable name.

    Raises:
        TypeError: it is not callable, or its name is not a string.
        ValueError: its name is empty or longer than 64 characters.
    """
    name = getattr(derive, "name", None)
    if not callable(derive) or not isinstance(name, str):
        raise TypeError("derive must be a Deriver: callable, with a str name")
    if not 0 < len(name) <= MAX_DERIVER_NAME:
        raise ValueError(f"a deriver's name has 1 to {MAX_DERIVER_NAME} characters")


def derive_records(
    derive: Deriver | None, document: JsonObject, parsed: Credential | None = None
) -> tuple[tuple[str, str], ...]:
    """The derived records of one verified object, as compact JSON.

    With ``parsed`` (the summary of ``document`` its verification parsed),
    a :class:`ssi.store.ParsedDeriver` reads it instead of the document.

    Raises:
        TypeError, ValueError: the deriver returned something JSON cannot
            write (a programming error); whatever the deriver raises.
    """
    if derive is None:
        return ()
    # What isinstance(derive, ParsedDeriver) tests, without its cost (that
    # of parsing the credential again, for a runtime protocol).
    reader = getattr(derive, "derive_parsed", None) if parsed is not None else None
    record = derive(document) if reader is None else reader(document, parsed)
    if record is None:
        return ()
    text = _RECORD_ENCODER.encode(record)
    return ((derive.name, text),)


def _read(value: JsonValue | str | bytes) -> _Read:
    try:
        checked, cid, data = _read_checked(value)
    except (ParsingError, CanonicalizationError) as exc:
        return _Read(problem=Problem("parsing", exc))
    return _Read(document=checked.document, cid=cid, data=data, checked=checked)


def _verify(
    documents: list[CheckedObject], verifier: Verifier, executor: Executor | None
) -> list[tuple[VerificationReport, Credential | None]]:
    """Verify credentials on the executor and presentations here, in order;
    with each report, the credential's parsed summary when it was verified
    here (None otherwise). Credentials verified here are not checked as
    JSON nor canonicalized again."""
    is_presentation = [_is_presentation(item.document) for item in documents]
    credentials = [d for d, p in zip(documents, is_presentation, strict=True) if not p]
    if executor is None:
        done = [verifier.verify_read(credential) for credential in credentials]
    else:
        reports = verifier.verify_many(
            [credential.document for credential in credentials], executor=executor
        )
        done = [(report, None) for report in reports] if credentials else []
    credential_results = iter(done)
    results: list[tuple[VerificationReport, Credential | None]] = []
    for item, presentation in zip(documents, is_presentation, strict=True):
        if presentation:
            report = verifier.verify_presentation(
                item.document, challenge=False, domain=False
            )
            results.append((report, None))
        else:
            results.append(next(credential_results))
    return results


def _is_presentation(document: JsonObject) -> bool:
    declared = document.get("type")
    return declared == _PRESENTATION or (
        isinstance(declared, list) and _PRESENTATION in declared
    )


def _problems_of(report: VerificationReport) -> tuple[Problem, ...]:
    problems = report.all_problems()
    if problems:
        return problems
    # A check failed without a problem of its own (it could not run).
    failed = [check.name for check in report.checks if not check.passed]
    detail = (
        f"The {report.kind} did not pass its {failed[0]} check."
        if failed
        else f"The {report.kind} was not verified."
    )
    return (
        Problem(
            failed[0] if failed else "verification",
            CryptographicSecurityError(detail),
        ),
    )


def _json_kind(value: JsonValue) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"
