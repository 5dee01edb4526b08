"""The ``ecdsa-jcs-2019`` cryptosuite with P-256: ES256 over JCS-canonicalized JSON.

Spec: https://www.w3.org/TR/vc-di-ecdsa/#ecdsa-jcs-2019
"""

from __future__ import annotations

from typing import ClassVar

from ssi.keys import KeyType
from ssi.proofs.suites.base import JCSSuite

__all__ = ["EcdsaJcs2019"]


class EcdsaJcs2019(JCSSuite):
    """``DataIntegrityProof`` with ``cryptosuite: ecdsa-jcs-2019`` (P-256, SHA-256)."""

    name: ClassVar[str] = "ecdsa-jcs-2019"
    required_algorithm: ClassVar[str] = "ES256"
    key_types: ClassVar[frozenset[KeyType]] = frozenset({KeyType.P256})
