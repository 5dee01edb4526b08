"""did:agora: a self-certifying DID with a portable, hash-chained, signed log.

Importing this package registers the method with the default resolver, so
``ssi.resolve("did:agora:...", log=...)`` works.

Spec: docs/did-agora.md
"""

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
)
from ssi.agora.operations import (
    add_service,
    create_entry,
    deactivate_entry,
    remove_service,
    rotate_entry,
    signing_document,
    update_entry,
)
from ssi.did.methods import register_default_method

__all__ = [
    "AgoraLog",
    "AgoraMethod",
    "FileLogSource",
    "LogSource",
    "LogState",
    "add_service",
    "create_entry",
    "deactivate_entry",
    "did_for_inception",
    "document_for",
    "entry_hash",
    "key_hash",
    "remove_service",
    "resolve_log",
    "rotate_entry",
    "signing_document",
    "split_lines",
    "update_entry",
    "validate_log",
]

register_default_method(AgoraMethod)
