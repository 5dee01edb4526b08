"""Proof purposes: what a proof is for, and the checks that go with it.

A purpose names the verification relationship the signing key must be listed
under in its controller's DID document (``assertionMethod`` for credentials,
``authentication`` for presentations), and for authentication the
``challenge`` and ``domain`` the verifier expects.

Spec: https://www.w3.org/TR/vc-data-integrity/#proof-purposes
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Protocol

from ssi.did.document import DIDDocument, VerificationMethod
from ssi.did.syntax import parse_did_url
from ssi.errors import (
    DIDError,
    DIDNotFoundError,
    InvalidChallengeError,
    InvalidDomainError,
    InvalidProofPurposeError,
)
from ssi.types import JsonObject

__all__ = [
    "AssertionMethodPurpose",
    "AuthenticationPurpose",
    "ProofPurpose",
    "purpose_for",
]


class ProofPurpose(Protocol):
    """A proof purpose: its term, what it adds to a new proof, what it checks."""

    @property
    def term(self) -> str: ...

    def update(self, proof: JsonObject) -> None:
        """Add this purpose's members to a proof being created."""
        ...

    def match(self, proof: JsonObject, *, controller: str | None = None) -> bool:
        """Return True when the proof concerns this check and must be verified.

        A proof matches when its ``proofPurpose`` is this purpose's term and,
        when ``controller`` is given, its ``verificationMethod`` is not a DID
        URL of another DID. Proofs that do not match are not verified at all.
        """
        ...

    def validate(
        self, proof: JsonObject, method: VerificationMethod, controller: DIDDocument
    ) -> None:
        """Check a proof being verified; raise a ProofError if it does not fit."""
        ...


class _RelationshipPurpose:
    term: ClassVar[str]

    def update(self, proof: JsonObject) -> None:
        """Set ``proofPurpose`` on a new proof."""
        proof["proofPurpose"] = self.term

    def match(self, proof: JsonObject, *, controller: str | None = None) -> bool:
        """Return True when the proof has this purpose and, when ``controller``
        is given, names a verification method of that DID.

        Spec: https://www.w3.org/TR/vc-data-integrity/#proof-purposes
        """
        if proof.get("proofPurpose") != self.term:
            return False
        if controller is None:
            return True
        url = proof.get("verificationMethod")
        try:
            return not isinstance(url, str) or str(parse_did_url(url).did) == controller
        except DIDError:
            # A proof of this purpose whose method cannot be read is verified,
            # and fails with the precise error: it claims to concern the check.
            return True

    def validate(
        self, proof: JsonObject, method: VerificationMethod, controller: DIDDocument
    ) -> None:
        """Check the proof's purpose and that the controller authorizes the key for it.

        Raises:
            InvalidProofPurposeError: another purpose, or the key is not listed
                under this relationship in its controller's DID document.
        """
        if proof.get("proofPurpose") != self.term:
            raise InvalidProofPurposeError(
                f"the proof's purpose is {str(proof.get('proofPurpose'))[:40]!r}, "
                f"expected {self.term!r}."
            )
        if controller.id != method.controller:
            raise InvalidProofPurposeError(
                f"{method.id} is controlled by {method.controller}, "
                f"not {controller.id}."
            )
        try:
            controller.find_verification_method(method.id, self.term)
        except DIDNotFoundError as exc:
            raise InvalidProofPurposeError(
                f"{method.id} is not listed under {self.term} in {controller.id}."
            ) from exc

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class AssertionMethodPurpose(_RelationshipPurpose):
    """``assertionMethod``: the purpose of a credential's proof."""

    term: ClassVar[str] = "assertionMethod"


class AuthenticationPurpose(_RelationshipPurpose):
    """``authentication`` with the verifier's ``challenge`` and ``domain``.

    Args:
        challenge: the value the proof must carry, or None to accept any.
        domain: the domain (or set of domains) the proof must carry, or None.

    Raises:
        TypeError: ``challenge`` is not a string, or ``domain`` not a string
            or a sequence of strings.
        ValueError: ``challenge`` or a domain is the empty string, or
            ``domain`` is an empty sequence: an empty value binds nothing.
    """

    term: ClassVar[str] = "authentication"

    def __init__(
        self, *, challenge: str | None = None, domain: str | Sequence[str] | None = None
    ) -> None:
        if challenge is not None:
            _check_value("challenge", challenge)
        if domain is not None:
            if isinstance(domain, str):
                _check_value("domain", domain)
            else:
                domain = tuple(domain)
                if not domain:
                    raise ValueError("domain must not be an empty sequence")
                for item in domain:
                    _check_value("domain", item)
        self.challenge = challenge
        self.domain = domain

    def update(self, proof: JsonObject) -> None:
        """Set ``proofPurpose``, ``challenge`` and ``domain`` on a new proof."""
        super().update(proof)
        if self.domain is not None:
            proof["domain"] = (
                self.domain if isinstance(self.domain, str) else list(self.domain)
            )
        if self.challenge is not None:
            proof["challenge"] = self.challenge

    def validate(
        self, proof: JsonObject, method: VerificationMethod, controller: DIDDocument
    ) -> None:
        """Check purpose, key authorization, challenge and domain.

        Raises:
            InvalidProofPurposeError: purpose or key authorization fails.
            InvalidChallengeError: the challenge is missing or different.
            InvalidDomainError: the domain is missing or different.
        """
        super().validate(proof, method, controller)
        if self.challenge is not None and proof.get("challenge") != self.challenge:
            raise InvalidChallengeError(
                "the proof's challenge is not the expected one."
            )
        if self.domain is not None and _domains(proof.get("domain")) != _domains(
            self.domain
        ):
            raise InvalidDomainError("the proof's domain is not the expected one.")

    def __repr__(self) -> str:
        return (
            f"AuthenticationPurpose(challenge={self.challenge!r}, "
            f"domain={self.domain!r})"
        )


def _check_value(name: str, value: object) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, not {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")


def _domains(value: object) -> frozenset[str] | None:
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return frozenset(value)
    return None


def purpose_for(term: str) -> ProofPurpose:
    """Return the purpose object for a term with no challenge or domain.

    Raises:
        ValueError: the term is not ``assertionMethod`` or ``authentication``.
    """
    if term == AssertionMethodPurpose.term:
        return AssertionMethodPurpose()
    if term == AuthenticationPurpose.term:
        return AuthenticationPurpose()
    raise ValueError(f"proof purpose {term!r} is not supported")
