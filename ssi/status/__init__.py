"""Bitstring Status List v1.0: allocate, revoke or suspend, publish, check.

Spec: https://www.w3.org/TR/vc-bitstring-status-list/
"""

from ssi.status.allocation import STATE_TYPE, StatusListState, allocate
from ssi.status.bitstring import (
    MAX_DECOMPRESSED_BYTES,
    MAX_STATUS_SIZE,
    MIN_ENTRIES,
    StatusList,
)
from ssi.status.check import (
    BitstringStatusChecker,
    StatusResult,
    VerifyList,
    check_status,
    raise_for_status,
)
from ssi.status.credential import (
    ENTRY_TYPE,
    LIST_CREDENTIAL_TYPE,
    LIST_TYPE,
    STATUS_PURPOSES,
    StatusListCredential,
    StatusListEntry,
    StatusMessage,
    build_status_entry,
    build_status_list_credential,
    default_messages,
    parse_status_entry,
    parse_status_list_credential,
)
from ssi.status.sources import (
    DEFAULT_CACHE_TTL,
    MAX_LIST_BYTES,
    CachingStatusSource,
    ChainStatusSource,
    FolderStatusSource,
    HttpStatusSource,
    MemoryStatusSource,
    StatusSource,
)

__all__ = [
    "DEFAULT_CACHE_TTL",
    "ENTRY_TYPE",
    "LIST_CREDENTIAL_TYPE",
    "LIST_TYPE",
    "MAX_DECOMPRESSED_BYTES",
    "MAX_LIST_BYTES",
    "MAX_STATUS_SIZE",
    "MIN_ENTRIES",
    "STATE_TYPE",
    "STATUS_PURPOSES",
    "BitstringStatusChecker",
    "CachingStatusSource",
    "ChainStatusSource",
    "FolderStatusSource",
    "HttpStatusSource",
    "MemoryStatusSource",
    "StatusList",
    "StatusListCredential",
    "StatusListEntry",
    "StatusListState",
    "StatusMessage",
    "StatusResult",
    "StatusSource",
    "VerifyList",
    "allocate",
    "build_status_entry",
    "build_status_list_credential",
    "check_status",
    "default_messages",
    "parse_status_entry",
    "parse_status_list_credential",
    "raise_for_status",
]
