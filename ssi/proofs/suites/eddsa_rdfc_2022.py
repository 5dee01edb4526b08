"""The ``eddsa-rdfc-2022`` cryptosuite: Ed25519 over RDFC-1.0 canonical N-Quads.

Spec: https://www.w3.org/TR/vc-di-eddsa/#eddsa-rdfc-2022
"""

from __future__ import annotations

from typing import ClassVar

from ssi.keys import KeyType
from ssi.proofs.suites.base import RDFCSuite

__all__ = ["EddsaRdfc2022"]


class EddsaRdfc2022(RDFCSuite):
    """``DataIntegrityProof`` with ``cryptosuite: eddsa-rdfc-2022``."""

    name: ClassVar[str] = "eddsa-rdfc-2022"
    required_algorithm: ClassVar[str] = "EdDSA"
    key_types: ClassVar[frozenset[KeyType]] = frozenset({KeyType.ED25519})
