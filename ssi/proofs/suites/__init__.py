"""The cryptosuites the library ships, one module each, named as in the specs.

Nothing here imports :mod:`ssi.proofs.suite` (the protocol and the registry),
which imports this package: the dependency runs one way.
"""

from ssi.proofs.suites.base import (
    DATA_INTEGRITY_V2_CONTEXT,
    DataIntegritySuite,
    JCSSuite,
    KeyVerifier,
    RDFCSuite,
)
from ssi.proofs.suites.ecdsa_jcs_2019 import EcdsaJcs2019
from ssi.proofs.suites.ecdsa_rdfc_2019 import EcdsaRdfc2019
from ssi.proofs.suites.ed25519_signature_2020 import (
    ED25519_2020_CONTEXT,
    Ed25519Signature2020,
)
from ssi.proofs.suites.eddsa_jcs_2022 import EddsaJcs2022
from ssi.proofs.suites.eddsa_rdfc_2022 import EddsaRdfc2022

__all__ = [
    "DATA_INTEGRITY_V2_CONTEXT",
    "ED25519_2020_CONTEXT",
    "DataIntegritySuite",
    "EcdsaJcs2019",
    "EcdsaRdfc2019",
    "Ed25519Signature2020",
    "EddsaJcs2022",
    "EddsaRdfc2022",
    "JCSSuite",
    "KeyVerifier",
    "RDFCSuite",
    "default_suites",
]


def default_suites() -> list[DataIntegritySuite]:
    """Return one instance of every suite the library ships."""
    return [
        EddsaJcs2022(),
        EddsaRdfc2022(),
        EcdsaJcs2019(),
        EcdsaRdfc2019(),
        Ed25519Signature2020(),
    ]
