"""did:agora's resolution error codes, and the errors they stand for.

did:agora reports a broken log with a code per failure (``invalidLogEntry``,
``invalidLogProof``, ``unauthorizedLogKey``, ``duplicity`` ...); the error
classes are in :mod:`ssi.errors` (the one tree), and the knowledge of which
code is a log failure lives here, with the method, rather than in
:mod:`ssi.did`.

Spec: docs/did-agora.md (Read: validating the log)
"""

from __future__ import annotations

from ssi.did.resolution import error_from_metadata as did_error_from_metadata
from ssi.errors import DuplicityError, InvalidDIDLogError, LogTooLargeError, SSIError
from ssi.types import JsonObject

__all__ = ["LOG_ERROR_CODES", "error_from_metadata", "is_log_error_code"]

LOG_ERROR_CODES = frozenset(
    {
        "invalidDidLog",
        "unauthorizedLogKey",
        "insufficientLogProofs",
        "logAfterDeactivation",
    }
)
"""Log failure codes that do not start with ``invalidLog`` (those all are)."""


def is_log_error_code(code: object) -> bool:
    """Return True when ``code`` names a did:agora log failure.

    Spec: docs/did-agora.md (Read: validating the log)
    """
    return isinstance(code, str) and (
        code.startswith("invalidLog")
        or code in LOG_ERROR_CODES
        or code == DuplicityError.code
    )


def error_from_metadata(metadata: JsonObject) -> SSIError:
    """Rebuild the error of a failed resolution, did:agora's codes included.

    For metadata that crossed a process or the network (a remote resolver):
    a ``duplicity`` becomes a :class:`~ssi.errors.DuplicityError` with its
    evidence, a log size failure a :class:`~ssi.errors.LogTooLargeError`,
    other log codes an :class:`~ssi.errors.InvalidDIDLogError` with the
    code; everything else as :func:`ssi.did.resolution.error_from_metadata`.

    Spec: https://www.w3.org/TR/did-resolution/#did-resolution-metadata,
    docs/did-agora.md (Read: validating the log)
    """
    code = metadata.get("error")
    if not is_log_error_code(code):
        return did_error_from_metadata(metadata)
    detail = metadata.get("errorMessage")
    message = detail if isinstance(detail, str) else f"DID resolution failed: {code}."
    entry = metadata.get("logEntry")
    entry = entry if isinstance(entry, int) and not isinstance(entry, bool) else None
    if code == DuplicityError.code:
        evidence = metadata.get("duplicity")
        entries = evidence.get("entries") if isinstance(evidence, dict) else None
        return DuplicityError(
            message,
            entry=entry or 0,
            evidence=list(entries) if isinstance(entries, list) else [],
        )
    if code == LogTooLargeError.code:
        return LogTooLargeError(message, entry=entry)
    return InvalidDIDLogError(message, code=str(code), entry=entry)
