"""did:agora: a self-certifying DID with a portable, hash-chained, signed log.

Importing this package registers nothing: the method set that includes
did:agora is built by ``ssi.methods.default_methods(agora_sources=...)``
(``ssi.resolve`` uses it), or by hand with ``MethodRegistry([...,
AgoraMethod(sources)])``. did:agora's error codes are here
(:mod:`ssi.agora.codes`); the error classes are in :mod:`ssi.errors`.

Spec: docs/did-agora.md
"""

from ssi.agora.codes import LOG_ERROR_CODES, error_from_metadata, is_log_error_code
from ssi.agora.log import (
    AgoraLog,
    LogState,
    did_for_inception,
    entry_hash,
    key_hash,
    split_lines,
    validate_log,
)
from ssi.agora.method import (
    AgoraMethod,
    FileLogSource,
    LogSource,
    document_for,
    resolve_log,
    select_state,
    state_metadata,
    validate_entries,
)
from ssi.agora.operations import (
    add_service,
    create_entry,
    deactivate_entry,
    remove_service,
    rotate_entry,
    set_agreement_key,
    signing_document,
    update_entry,
)
from ssi.agora.stewards import (
    Steward,
    add_entry_proof,
    create_threshold_entry,
    reconfigure_entry,
    rotate_steward_entry,
    steward_document,
    threshold_update_entry,
)

__all__ = [
    "LOG_ERROR_CODES",
    "AgoraLog",
    "AgoraMethod",
    "FileLogSource",
    "LogSource",
    "LogState",
    "Steward",
    "add_entry_proof",
    "add_service",
    "create_entry",
    "create_threshold_entry",
    "deactivate_entry",
    "did_for_inception",
    "document_for",
    "entry_hash",
    "error_from_metadata",
    "is_log_error_code",
    "key_hash",
    "reconfigure_entry",
    "remove_service",
    "resolve_log",
    "rotate_entry",
    "rotate_steward_entry",
    "select_state",
    "set_agreement_key",
    "signing_document",
    "split_lines",
    "state_metadata",
    "steward_document",
    "threshold_update_entry",
    "update_entry",
    "validate_entries",
    "validate_log",
]
