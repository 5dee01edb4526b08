"""The ``eddsa-jcs-2022`` cryptosuite: Ed25519 over JCS-canonicalized JSON.

Spec: https://www.w3.org/TR/vc-di-eddsa/#eddsa-jcs-2022
"""

from __future__ import annotations

from typing import ClassVar

from ssi.keys import KeyType
from ssi.proofs.suites.base import JCSSuite

__all__ = ["EddsaJcs2022"]


class EddsaJcs2022(JCSSuite):
    """``DataIntegrityProof`` with ``cryptosuite: eddsa-jcs-2022``."""

    name: ClassVar[str] = "eddsa-jcs-2022"
    required_algorithm: ClassVar[str] = "EdDSA"
    key_types: ClassVar[frozenset[KeyType]] = frozenset({KeyType.ED25519})
