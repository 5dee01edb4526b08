"""The hashes did:agora names things by: entries, keys and the DID itself.

Spec: docs/did-agora.md (2. Identifier syntax; 3. The log)
"""

from __future__ import annotations

import hashlib

from ssi.encoding import encode_multibase
from ssi.errors import InvalidDIDLogError

__all__ = ["MULTIHASH_SHA256", "fail", "key_hash", "multihash"]

MULTIHASH_SHA256 = b"\x12\x20"
"""The multihash prefix of a SHA-256 digest (code 0x12, length 32)."""


def multihash(data: bytes) -> str:
    """Return the multibase (base58btc) multihash (SHA-256) of ``data``."""
    return encode_multibase(MULTIHASH_SHA256 + hashlib.sha256(data).digest())


def key_hash(multikey: str) -> str:
    """Return the pre-rotation commitment to an update key: the multibase
    multihash (SHA-256) of its Multikey string.

    Spec: docs/did-agora.md (Pre-rotation)
    """
    return multihash(multikey.encode("utf-8"))


def fail(code: str, version: int, message: str) -> InvalidDIDLogError:
    """Return the error of log entry ``version``, with its code."""
    return InvalidDIDLogError(
        f"log entry {version}: {message}", code=code, entry=version
    )
