"""The ``ecdsa-rdfc-2019`` cryptosuite with P-256: ES256 over RDFC-1.0 N-Quads.

Spec: https://www.w3.org/TR/vc-di-ecdsa/#ecdsa-rdfc-2019
"""

from __future__ import annotations

from typing import ClassVar

from ssi.keys import KeyType
from ssi.proofs.suites.base import RDFCSuite

__all__ = ["EcdsaRdfc2019"]


class EcdsaRdfc2019(RDFCSuite):
    """``DataIntegrityProof`` with ``cryptosuite: ecdsa-rdfc-2019`` (P-256, SHA-256)."""

    name: ClassVar[str] = "ecdsa-rdfc-2019"
    required_algorithm: ClassVar[str] = "ES256"
    key_types: ClassVar[frozenset[KeyType]] = frozenset({KeyType.P256})
