"""Proof sets of m: an issuer whose DID document has a ``threshold`` (a
community of m of n stewards) needs proofs by m distinct keys.

Spec: docs/credentials.md (Proof sets of m), docs/did-agora.md (4.5)
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ssi.errors import InsufficientProofsError, MalformedValueError
from ssi.proofs import VerifiedProof

__all__ = ["issuer_threshold"]


def issuer_threshold(verified: Sequence[VerifiedProof]) -> str | None:
    """Check the issuer's threshold against the proofs that verified.

    m is the largest ``threshold`` among the DID documents the proofs were
    checked against (each as of its proof's time); k is the number of
    distinct keys that made them. Returns None when m is 1 (nothing to
    check), the check's detail when k >= m.

    Spec: docs/credentials.md (Proof sets of m)

    Raises:
        MalformedValueError: a ``threshold`` is not a positive integer.
        InsufficientProofsError: k < m.
    """
    needed = 1
    for proof in verified:
        value = proof.controller.extra.get("threshold", 1)
        if type(value) is not int or value < 1:
            raise MalformedValueError(
                f"the threshold of {proof.controller.id[:120]} is not a positive "
                "integer."
            )
        needed = max(needed, value)
    if needed == 1:
        return None
    keys = len({_key_of(proof) for proof in verified})
    stewards = max(len(proof.controller.assertion_method) for proof in verified)
    if keys < needed:
        raise InsufficientProofsError(
            f"{needed} of {stewards} steward proofs required, {keys} verified."
        )
    return f"{keys} of {stewards} steward proofs verified, {needed} required"


def _key_of(proof: VerifiedProof) -> str:
    """The key a verified proof was checked with (two methods naming one key
    count once)."""
    method = proof.method
    if method.public_key_multibase is not None:
        return method.public_key_multibase
    if method.public_key_jwk is not None:
        return json.dumps(method.public_key_jwk, sort_keys=True)
    return method.id
