"""Data Integrity proofs: cryptosuites, proof purposes, adding and verifying proofs."""

from ssi.proofs.data_integrity import (
    DEFAULT_SKEW,
    VerifiedProof,
    add_proof,
    check_signature,
    default_registry,
    proofs_of,
    verify_proof,
)
from ssi.proofs.purposes import (
    AssertionMethodPurpose,
    AuthenticationPurpose,
    ProofPurpose,
    purpose_for,
)
from ssi.proofs.suite import Cryptosuite, JCSSuite, RDFCSuite, SuiteRegistry

__all__ = [
    "DEFAULT_SKEW",
    "AssertionMethodPurpose",
    "AuthenticationPurpose",
    "Cryptosuite",
    "JCSSuite",
    "ProofPurpose",
    "RDFCSuite",
    "SuiteRegistry",
    "VerifiedProof",
    "add_proof",
    "check_signature",
    "default_registry",
    "proofs_of",
    "purpose_for",
    "verify_proof",
]
