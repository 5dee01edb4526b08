"""Data Integrity proofs: add a proof to a document, verify one proof.

Both follow the general algorithms of Verifiable Credential Data Integrity 1.0.
The engine does the steps every suite shares (the proof's members, proof
sets and chains: the document without its proofs, or with the proofs a
``previousProof`` names) and leaves each step that differs to the proof's
:class:`~ssi.proofs.suite.Cryptosuite`: the proof options, the transformed
document, the proof configuration, the signed bytes (the shipped suites sign
``hash(proofConfig) || hash(document)``) and the key's verifier. It names no
suite, so a new one plugs in through a :class:`~ssi.proofs.suite.SuiteRegistry`.

``verify_proof`` is a low-level verifier: it returns the details of a valid
proof or raises; the public ``ssi.verify`` turns that into a report.

Spec: https://www.w3.org/TR/vc-data-integrity/#algorithms
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ssi.datetimes import format_date_time, parse_date_time
from ssi.did.document import DIDDocument, VerificationMethod
from ssi.did.methods.key import KeyMethod, resolve_did_key_url
from ssi.did.resolution import Resolver, default_resolver, failure_error
from ssi.did.syntax import parse_did, parse_did_url
from ssi.errors import (
    DIDError,
    InvalidVerificationMethodURLError,
    MalformedValueError,
    ProofGenerationError,
    ProofVerificationError,
    ValidityRangeError,
)
from ssi.jsonld.loader import DocumentLoader
from ssi.keys import PublicKey, SignatureVerifier, Signer
from ssi.proofs.purposes import AssertionMethodPurpose, ProofPurpose
from ssi.proofs.suite import DEFAULT_SUITE, Cryptosuite, SuiteRegistry
from ssi.types import JsonObject, JsonValue

__all__ = [
    "DEFAULT_SKEW",
    "VerifiedProof",
    "add_proof",
    "check_signature",
    "default_registry",
    "proofs_of",
    "verify_proof",
]

DEFAULT_SKEW = timedelta(minutes=5)
"""How far a proof's ``created`` may lie in the future, for clocks that drift."""

_PROOF_ORDER = (
    "id",
    "type",
    "cryptosuite",
    "created",
    "expires",
    "verificationMethod",
    "proofPurpose",
    "challenge",
    "domain",
    "nonce",
    "previousProof",
    "@context",
    "proofValue",
)


@dataclass(frozen=True, slots=True)
class VerifiedProof:
    """What a successful proof verification established."""

    proof: JsonObject
    suite: Cryptosuite
    method: VerificationMethod
    controller: DIDDocument
    created: datetime | None
    warnings: tuple[str, ...] = ()


@functools.cache
def default_registry() -> SuiteRegistry:
    """Return the shared registry of every suite the library ships."""
    return SuiteRegistry.default()


def proofs_of(document: JsonObject) -> list[JsonObject]:
    """Return the document's proofs as a list (``proof`` may be one or many).

    Raises:
        MalformedValueError: ``proof`` is neither an object nor an array of objects.
    """
    value = document.get("proof")
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, dict) for item in items):
        raise MalformedValueError("$.proof must be an object or an array of objects.")
    return list(items)


def add_proof(
    document: JsonObject,
    signer: Signer,
    *,
    suite: str | Cryptosuite = DEFAULT_SUITE,
    purpose: ProofPurpose | None = None,
    created: datetime | str | None = None,
    expires: datetime | str | None = None,
    nonce: str | None = None,
    proof_id: str | None = None,
    previous_proof: str | Sequence[str] | None = None,
    registry: SuiteRegistry | None = None,
    loader: DocumentLoader | None = None,
) -> JsonObject:
    """Return a copy of ``document`` with one more proof, made by ``signer``.

    Existing proofs are kept (a proof set); with ``previous_proof`` the new
    proof also covers the proofs it names (a proof chain).

    Spec: https://www.w3.org/TR/vc-data-integrity/#add-proof

    Raises:
        ProofGenerationError: the signer's algorithm does not fit the suite,
            a named previous proof is missing, or a time value is malformed.
        ProofTransformationError: the document cannot be canonicalized.
        DocumentLoadError: the document uses a context that is not bundled.
    """
    registry = registry or default_registry()
    chosen = registry.get(suite) if isinstance(suite, str) else suite
    if signer.algorithm != chosen.required_algorithm:
        raise ProofGenerationError(
            f"{chosen.name} needs a {chosen.required_algorithm} key; the signer "
            f"uses {signer.algorithm}."
        )
    existing = proofs_of(document)
    proof: JsonObject = {"type": chosen.proof_type}
    if chosen.cryptosuite is not None:
        proof["cryptosuite"] = chosen.cryptosuite
    if proof_id is not None:
        proof["id"] = proof_id
    # Milliseconds by default: a DID that keeps a history (did:agora) is
    # resolved as of this time, and rotations can be less than a second apart.
    proof["created"] = _time_value(created, "created") or format_date_time(
        datetime.now(UTC), milliseconds=True
    )
    if expires is not None:
        proof["expires"] = _time_value(expires, "expires")
    proof["verificationMethod"] = signer.key_id
    (purpose or AssertionMethodPurpose()).update(proof)
    if nonce is not None:
        proof["nonce"] = nonce
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    if previous_proof is not None:
        proof["previousProof"] = (
            previous_proof if isinstance(previous_proof, str) else list(previous_proof)
        )
        try:
            unsecured["proof"] = _previous(existing, proof["previousProof"])
        except ProofVerificationError as exc:
            raise ProofGenerationError(exc.detail) from exc
    proof = chosen.proof_options(proof, document)
    config = chosen.configure_proof(proof, unsecured)
    data = chosen.hash_data(config, unsecured, loader=loader)
    proof["proofValue"] = chosen.encode_proof_value(signer.sign(data))
    proof = {k: proof[k] for k in _PROOF_ORDER if k in proof}
    secured = dict(document)
    secured["proof"] = [*existing, proof] if existing else proof
    return secured


def verify_proof(
    document: JsonObject,
    proof: JsonObject,
    *,
    purpose: ProofPurpose,
    registry: SuiteRegistry | None = None,
    resolver: Resolver | None = None,
    loader: DocumentLoader | None = None,
    now: datetime | None = None,
    skew: timedelta = DEFAULT_SKEW,
    canonical_secured: bytes | None = None,
) -> VerifiedProof:
    """Verify one proof of ``document``; return what it established or raise.

    ``canonical_secured`` may give the RFC 8785 canonical bytes of
    ``document`` itself (with its proofs), when the caller computed them
    already (a store does, for the CID). For a proof with no
    ``previousProof`` whose ``@context`` (if any) is the document's, a
    suite that canonicalizes so (one with ``hash_data_secured``) then cuts
    the bytes it hashes out of them instead of canonicalizing the document
    again: the same bytes.

    Spec: https://www.w3.org/TR/vc-data-integrity/#verify-proof

    Raises:
        UnsupportedCryptosuiteError: the proof's type/cryptosuite is not allowed.
        MalformedValueError: a proof member is missing or malformed.
        ValidityRangeError: the proof expired, or was created in the future.
        InvalidVerificationMethodURLError: the URL is not a DID URL, or the
            DID document has no such method or no usable key in it.
        DIDError, KeyMaterialError: the DID could not be resolved (the
            resolver's own error: notFound, methodNotSupported, ...).
        InvalidProofPurposeError: wrong purpose, or the key is not authorized.
        InvalidChallengeError, InvalidDomainError: presentation checks.
        ProofVerificationError: malformed proofValue, or the signature fails.
        ProofTransformationError, DocumentLoadError: canonicalization fails.
    """
    suite = (registry or default_registry()).for_proof(proof)
    for member in ("verificationMethod", "proofPurpose", "proofValue"):
        if not isinstance(proof.get(member), str):
            raise MalformedValueError(f"$.proof.{member} must be a string.")
    created = _check_times(proof, now or datetime.now(UTC), skew)
    resolver = resolver or default_resolver()
    method, controller, warnings = _find_method(
        proof["verificationMethod"], resolver, proof.get("created")
    )
    verifier = suite.create_verifier(method)
    purpose.validate(proof, method, controller)
    signature = suite.decode_proof_value(proof["proofValue"])
    _verify(
        document, proof, signature, verifier, suite, loader, None, canonical_secured
    )
    return VerifiedProof(proof, suite, method, controller, created, warnings)


def check_signature(
    document: JsonObject,
    proof: JsonObject,
    key: PublicKey,
    *,
    suite: Cryptosuite | None = None,
    registry: SuiteRegistry | None = None,
    loader: DocumentLoader | None = None,
    canonical_document: bytes | None = None,
) -> None:
    """Check only the signature of one proof with a key the caller already holds.

    ``canonical_document`` may give the suite's canonical bytes of the
    document without its proof, when the caller computed them already (the
    did:agora log hashes every entry anyway); it is used only for proofs with
    no ``previousProof`` and no ``@context`` of their own.

    For callers that find and authorize the key themselves (the did:agora log
    names its update keys directly); everything else should use
    :func:`verify_proof`.

    Spec: https://www.w3.org/TR/vc-data-integrity/#verify-proof

    Raises:
        UnsupportedCryptosuiteError: the proof's suite is not allowed.
        ProofVerificationError: the key type does not fit the suite, the
            proofValue is malformed, or the signature fails.
        ProofTransformationError, DocumentLoadError: canonicalization fails.
    """
    suite = suite or (registry or default_registry()).for_proof(proof)
    if not isinstance(proof.get("proofValue"), str):
        raise MalformedValueError("$.proof.proofValue must be a string.")
    signature = suite.decode_proof_value(proof["proofValue"])
    verifier = suite.verifier_for_key(key)
    _verify(document, proof, signature, verifier, suite, loader, canonical_document)


def _verify(
    document: JsonObject,
    proof: JsonObject,
    signature: bytes,
    verifier: SignatureVerifier,
    suite: Cryptosuite,
    loader: DocumentLoader | None,
    canonical_document: bytes | None,
    canonical_secured: bytes | None = None,
) -> None:
    """The Verify Proof steps every suite shares; the suite does the rest."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    if "previousProof" in proof:
        unsecured["proof"] = _previous(proofs_of(document), proof["previousProof"])
    # With no previous proof, and the proof's @context (if any) the
    # document's, the transformed document is the document without its
    # proofs: a suite may cut its bytes out of the whole document's.
    plain = "previousProof" not in proof and options.get(
        "@context", document.get("@context")
    ) == document.get("@context")
    unsecured = suite.transform_document(unsecured, options)
    config = suite.configure_proof(options, unsecured)
    data = None
    if plain and canonical_secured is not None:
        cut = getattr(suite, "hash_data_secured", None)
        if callable(cut):
            data = cut(config, options, document, proof, canonical_secured)
    if data is None:
        data = suite.hash_data(
            config,
            unsecured,
            loader=loader,
            canonical_document=canonical_document if plain else None,
        )
    verifier.verify(data, signature)


def _time_value(value: datetime | str | None, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ProofGenerationError(f"{name} must be a datetime with a timezone.")
        return format_date_time(value)
    try:
        parse_date_time(value, require_timezone=True, path=name)
    except MalformedValueError as exc:
        raise ProofGenerationError(exc.detail) from exc
    return value


def _check_times(proof: JsonObject, now: datetime, skew: timedelta) -> datetime | None:
    created = None
    if "created" in proof:
        created = parse_date_time(
            proof["created"], require_timezone=True, path="$.proof.created"
        )
        if created > now + skew:
            raise ValidityRangeError("the proof was created in the future.")
    if "expires" in proof:
        expires = parse_date_time(
            proof["expires"], require_timezone=True, path="$.proof.expires"
        )
        if expires < now - skew:
            raise ValidityRangeError("the proof has expired.")
    return created


def _previous(existing: list[JsonObject], names: JsonValue) -> JsonValue:
    wanted = [names] if isinstance(names, str) else names
    if not isinstance(wanted, list) or not all(isinstance(n, str) for n in wanted):
        raise MalformedValueError("$.proof.previousProof must be a string or strings.")
    found = []
    for name in wanted:
        matches = [p for p in existing if p.get("id") == name]
        if len(matches) != 1:
            raise ProofVerificationError(
                f"previous proof {name[:80]!r} is not in the document's proof set."
            )
        found.append(matches[0])
    # Data Integrity sets the document's proof to the list of matching proofs,
    # even when previousProof names one (Add Proof Set/Chain, step 6).
    return found


def _find_method(
    url: str, resolver: Resolver, created: object
) -> tuple[VerificationMethod, DIDDocument, tuple[str, ...]]:
    """Dereference the verification method, as of the proof's time where the
    DID method keeps a history (did:agora), and note what happened since."""
    try:
        did = _did_of(url)
    except DIDError as exc:
        raise InvalidVerificationMethodURLError(
            f"verificationMethod {url[:80]!r} is not a DID URL."
        ) from exc
    warnings: tuple[str, ...] = ()
    historical = isinstance(created, str) and resolver.keeps_history(did)
    if not historical and _stock_did_key(resolver):
        # did:key:X#X straight from the key: the same method and document.
        found = resolve_did_key_url(url)
        if found is not None:
            return found[0], found[1], warnings
    if historical:
        result = resolver.resolve(did, version_time=created)
    else:
        result = resolver.resolve(did)
    if result.did_document is None:
        raise failure_error(result)
    try:
        method = result.did_document.find_verification_method(url)
    except DIDError as exc:
        raise InvalidVerificationMethodURLError(
            f"{url[:120]} is not a verification method of {did}."
        ) from exc
    if historical:
        warnings = _history_checks(method, resolver, did)
    if method.controller == result.did_document.id:
        return method, result.did_document, warnings
    try:
        parse_did(method.controller)
    except DIDError as exc:
        raise InvalidVerificationMethodURLError(
            f"the controller of {url[:120]} is not a DID."
        ) from exc
    controller = resolver.resolve(method.controller)
    if controller.did_document is None:
        raise failure_error(controller)
    return method, controller.did_document, warnings


def _stock_did_key(resolver: Resolver) -> bool:
    """True when the resolver's did:key driver is the library's own."""
    registry = resolver.registry
    return "key" in registry and type(registry.get("key")) is KeyMethod


def _history_checks(
    method: VerificationMethod, resolver: Resolver, did: str
) -> tuple[str, ...]:
    """Refuse a key the DID's latest state marks compromised; warn when the key
    has been rotated out since the proof was made."""
    latest = resolver.resolve(did)
    if latest.did_document is None:
        raise failure_error(latest)
    compromised = latest.did_document_metadata.get("compromisedKeys") or []
    key = method.public_key_multibase
    if key is not None and key in compromised:
        raise ProofVerificationError(
            f"{method.id} was marked compromised by its controller; proofs made "
            "with it are not trusted."
        )
    if latest.did_document_metadata.get("deactivated"):
        return (f"{did} has been deactivated since this proof was made.",)
    try:
        current = latest.did_document.find_verification_method(method.id)
    except DIDError:
        return (
            f"{method.id} has been rotated out of {did} since this proof was made.",
        )
    if (
        current.public_key_multibase != key
        or current.public_key_jwk != method.public_key_jwk
    ):
        return (
            f"{method.id} has been rotated to a new key since this proof was made.",
        )
    return ()


@functools.lru_cache(maxsize=4096)
def _did_of(url: str) -> str:
    return str(parse_did_url(url).did)
