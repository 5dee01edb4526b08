"""Bundles: JSON Lines files of self-contained objects and what verifies them.

A bundle carries credentials and presentations (posts, reactions, votes...)
with the did:agora logs of their signers, the status lists their
``credentialStatus`` entries name, the memberships that show their authors
belong to the communities they post in, and blobs, so that anyone can verify
every object offline, whatever carried the file. :func:`pack` writes one,
:func:`verify_bundle` verifies one in two streamed passes, :func:`merge`
joins several (one log per DID, duplicity reported), :func:`unpack` adds
what verifies to an object store.

Spec: docs/bundles.md
"""

from ssi.bundle.format import (
    FORMAT_VERSION,
    MAX_BLOB_BYTES,
    MAX_DEPENDENCY_BYTES,
    MAX_DEPENDENCY_ITEMS,
    MAX_LINE_BYTES,
    MEDIA_TYPE,
)
from ssi.bundle.logs import BundleLogMethod, MemoryLogSource
from ssi.bundle.merge import MergeProblem, MergeReport, merge
from ssi.bundle.pack import BundleWriter, PackSummary, pack
from ssi.bundle.read import MAX_READ_ITEMS, BundleContents, read_bundle
from ssi.bundle.unpack import UNPACK_BATCH, UnpackResult, unpack
from ssi.bundle.verify import (
    DEFAULT_CHUNK_SIZE,
    BundleVerification,
    ItemResult,
    verify_bundle,
)

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "FORMAT_VERSION",
    "MAX_BLOB_BYTES",
    "MAX_DEPENDENCY_BYTES",
    "MAX_DEPENDENCY_ITEMS",
    "MAX_LINE_BYTES",
    "MAX_READ_ITEMS",
    "MEDIA_TYPE",
    "UNPACK_BATCH",
    "BundleContents",
    "BundleLogMethod",
    "BundleVerification",
    "BundleWriter",
    "ItemResult",
    "MemoryLogSource",
    "MergeProblem",
    "MergeReport",
    "PackSummary",
    "UnpackResult",
    "merge",
    "pack",
    "read_bundle",
    "unpack",
    "verify_bundle",
]
