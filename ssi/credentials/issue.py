"""Issue credentials and make presentations: the short, safe path to a proof.

``issue`` validates the credential against the data model, makes sure the
contexts the chosen suite needs are present, checks that the signer speaks
for the issuer, and adds the proof. ``present`` wraps credentials in a
presentation signed for authentication with the verifier's challenge and
domain.

Spec: https://www.w3.org/TR/vc-data-model-2.0/#verifiable-credentials,
https://www.w3.org/TR/vc-data-integrity/#add-proof
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime

from ssi.credentials.model import VC_V1_CONTEXT, VC_V2_CONTEXT, parse_credential
from ssi.did.methods import did_key
from ssi.did.syntax import parse_did_url
from ssi.errors import DIDError, ParsingError, ProofGenerationError
from ssi.jsonld.loader import DocumentLoader
from ssi.keys import KeyPair, LocalSigner, Signer
from ssi.proofs import (
    AuthenticationPurpose,
    Cryptosuite,
    SuiteRegistry,
    add_proof,
    default_registry,
    proofs_of,
    purpose_for,
)
from ssi.proofs.suites import DATA_INTEGRITY_V2_CONTEXT
from ssi.types import JsonObject, JsonValue

__all__ = ["DATA_INTEGRITY_CONTEXT", "cosign", "issue", "present", "signer"]

DATA_INTEGRITY_CONTEXT = DATA_INTEGRITY_V2_CONTEXT
"""The context that defines ``DataIntegrityProof`` for VC 1.1 documents."""


def signer(key: KeyPair, verification_method: str | None = None) -> LocalSigner:
    """Return a signer for ``key``, by default as its did:key verification method.

    Args:
        key: a key pair that can sign (Ed25519, P-256, secp256k1).
        verification_method: the verification method URL; default
            ``did:key:<multikey>#<multikey>``.

    Raises:
        UnsupportedAlgorithmError: the key cannot sign.
    """
    if verification_method is None:
        did = did_key(key)
        verification_method = f"{did}#{did.removeprefix('did:key:')}"
    return LocalSigner(key, verification_method)


def issue(
    credential: JsonObject,
    signer: Signer,
    *,
    suite: str = "eddsa-jcs-2022",
    created: datetime | str | None = None,
    proof_purpose: str = "assertionMethod",
    expires: datetime | str | None = None,
    nonce: str | None = None,
    proof_id: str | None = None,
    previous_proof: str | Sequence[str] | None = None,
    registry: SuiteRegistry | None = None,
    loader: DocumentLoader | None = None,
) -> JsonObject:
    """Return ``credential`` secured with a Data Integrity proof by ``signer``.

    The input is not changed. ``created`` may be given so that a proof can be
    reproduced exactly (Ed25519 signatures are deterministic).

    Spec: https://www.w3.org/TR/vc-data-integrity/#add-proof

    Raises:
        ParsingError: the credential is not a JSON object.
        MalformedValueError: the credential does not meet the data model.
        UnsupportedCryptosuiteError: ``suite`` is unknown.
        ProofGenerationError: the signer's key does not fit the suite, or does
            not belong to the issuer.
        ProofTransformationError, DocumentLoadError: canonicalization fails.
    """
    if not isinstance(credential, dict):
        raise ParsingError("a credential must be a JSON object.")
    registry = registry or default_registry()
    chosen = registry.get(suite)
    document = _with_suite_context(copy.deepcopy(credential), chosen)
    parsed = parse_credential(document)
    _check_controller(signer, parsed.issuer, "issuer")
    return add_proof(
        document,
        signer,
        suite=chosen,
        purpose=purpose_for(proof_purpose),
        created=created,
        expires=expires,
        nonce=nonce,
        proof_id=proof_id,
        previous_proof=previous_proof,
        registry=registry,
        loader=loader,
    )


def cosign(
    credential: JsonObject,
    signer: Signer,
    *,
    suite: str = "eddsa-jcs-2022",
    created: datetime | str | None = None,
    registry: SuiteRegistry | None = None,
    loader: DocumentLoader | None = None,
) -> JsonObject:
    """Return ``credential`` with one more proof by ``signer``, beside the
    proofs it carries: a proof set, each proof over the credential without
    its proofs, so the issuer's stewards (m of n) sign it one after another,
    in any order. A credential ``signer`` signed already is returned
    unchanged (a copy).

    The signer's key must belong to the issuer. Nothing but the proof is
    added: a credential without the context the suite needs is refused, since
    adding it would break the proofs already there.

    Spec: https://www.w3.org/TR/vc-data-integrity/#add-proof-set-chain,
    docs/credentials.md (Proof sets of m)

    Raises:
        ParsingError: the credential is not a JSON object.
        MalformedValueError: the credential does not meet the data model, or
            its proof is malformed.
        UnsupportedCryptosuiteError: ``suite`` is unknown.
        ProofGenerationError: the signer's key does not fit the suite, does
            not belong to the issuer, or the suite's context is missing.
        ProofTransformationError, DocumentLoadError: canonicalization fails.
    """
    if not isinstance(credential, dict):
        raise ParsingError("a credential must be a JSON object.")
    registry = registry or default_registry()
    chosen = registry.get(suite)
    document = copy.deepcopy(credential)
    parsed = parse_credential(document)
    _check_controller(signer, parsed.issuer, "issuer")
    existing = proofs_of(document)
    if any(p.get("verificationMethod") == signer.key_id for p in existing):
        return document
    if existing and _with_suite_context(copy.deepcopy(document), chosen) != document:
        raise ProofGenerationError(
            f"the credential lacks the context {chosen.name} needs; adding it "
            "would break the proofs it carries."
        )
    return add_proof(
        _with_suite_context(document, chosen),
        signer,
        suite=chosen,
        created=created,
        registry=registry,
        loader=loader,
    )


def present(
    credentials: Sequence[JsonObject],
    signer: Signer,
    *,
    challenge: str | None = None,
    domain: str | None = None,
    suite: str = "eddsa-jcs-2022",
    holder: str | None = None,
    presentation_id: str | None = None,
    created: datetime | str | None = None,
    registry: SuiteRegistry | None = None,
    loader: DocumentLoader | None = None,
) -> JsonObject:
    """Return a presentation of ``credentials`` signed by the holder's ``signer``.

    The presentation follows VC 2.0 unless every credential is a VC 1.1
    credential; its ``holder`` is the signer's DID unless given. ``challenge``
    and ``domain`` are the verifier's values, which bind the proof to one
    exchange with one verifier; None leaves them out.

    Spec: https://www.w3.org/TR/vc-data-model-2.0/#verifiable-presentations,
    https://www.w3.org/TR/vc-data-integrity/#proof-purposes

    Raises:
        ParsingError: a credential is not a JSON object.
        MalformedValueError: a credential does not meet the data model.
        ProofGenerationError: the signer does not fit the suite or the holder.
        TypeError: ``challenge`` or ``domain`` is not a string.
        ValueError: ``challenge`` or ``domain`` is the empty string.
    """
    purpose = AuthenticationPurpose(challenge=challenge, domain=domain)
    items = list(credentials)
    for item in items:
        if not isinstance(item, dict):
            raise ParsingError("every credential must be a JSON object.")
    parsed = [
        parse_credential(item, path=f"$.verifiableCredential[{i}]")
        for i, item in enumerate(items)
    ]
    registry = registry or default_registry()
    chosen = registry.get(suite)
    version_one = bool(parsed) and all(c.version == "1.1" for c in parsed)
    holder = holder or _did_of(signer.key_id)
    document: JsonObject = {
        "@context": [VC_V1_CONTEXT if version_one else VC_V2_CONTEXT],
        "type": ["VerifiablePresentation"],
    }
    if presentation_id is not None:
        document["id"] = presentation_id
    document["holder"] = holder
    if items:
        document["verifiableCredential"] = copy.deepcopy(items)
    document = _with_suite_context(document, chosen)
    _check_controller(signer, holder, "holder")
    return add_proof(
        document,
        signer,
        suite=chosen,
        purpose=purpose,
        created=created,
        registry=registry,
        loader=loader,
    )


def _with_suite_context(document: JsonObject, suite: Cryptosuite) -> JsonObject:
    """Add the context the suite needs for the proof's terms when it is missing."""
    contexts: JsonValue = document.get("@context")
    needed = suite.suite_context(contexts)
    entries = list(contexts) if isinstance(contexts, list) else [contexts]
    if needed is not None and needed not in entries and contexts is not None:
        document["@context"] = [*entries, needed]
    return document


def _did_of(url: str) -> str:
    try:
        return str(parse_did_url(url).did)
    except DIDError as exc:
        raise ProofGenerationError(
            f"the signer's verification method {url[:80]!r} is not a DID URL."
        ) from exc


def _check_controller(signer: Signer, expected: str, role: str) -> None:
    did = _did_of(signer.key_id)
    if did != expected:
        raise ProofGenerationError(
            f"the signer's key belongs to {did}, not to the {role} {expected[:120]}."
        )
