"""The one exception tree of the library.

Every error carries a machine-readable ``code`` (the specification's keyword)
and a ``type_uri`` (the specification's URI for it), and renders itself as
RFC 9457 problem details with :meth:`SSIError.to_problem`.

::

    SSIError
    ├── DIDError                            (https://www.w3.org/ns/did#...)
    │   ├── InvalidDIDError                 invalidDid
    │   ├── InvalidDIDURLError              invalidDidUrl
    │   ├── DIDNotFoundError                notFound
    │   ├── MethodNotSupportedError         methodNotSupported
    │   ├── RepresentationNotSupportedError representationNotSupported
    │   ├── InvalidResolutionOptionsError   invalidOptions
    │   ├── InvalidDIDDocumentError         invalidDidDocument
    │   ├── InvalidDIDLogError              (did:agora log; code per failure, .metadata)
    │   │   ├── DuplicityError              duplicity
    │   │   └── LogTooLargeError            invalidLogSize
    │   └── ResolverInternalError           internalError
    ├── KeyMaterialError                    (https://w3id.org/security#...)
    │   ├── InvalidPublicKeyError           invalidPublicKey
    │   ├── InvalidPublicKeyLengthError     invalidPublicKeyLength
    │   ├── UnsupportedPublicKeyTypeError   unsupportedPublicKeyType
    │   └── InvalidSecretKeyError           invalidSecretKey (ours)
    ├── CredentialError                     (https://www.w3.org/TR/vc-data-model#...)
    │   ├── ParsingError                    PARSING_ERROR
    │   ├── MalformedValueError             MALFORMED_VALUE_ERROR
    │   ├── ValidityRangeError              RANGE_ERROR
    │   ├── CryptographicSecurityError      CRYPTOGRAPHIC_SECURITY_ERROR
    │   ├── HolderBindingError              holderNotSubject (ours)
    │   ├── InsufficientProofsError         insufficientProofs (ours)
    │   │   (MalformedValueError has InvalidCIDError invalidCid (ours) below it,
    │   │   and for counting InvalidChoiceError malformedChoice and
    │   │   UnknownMethodError unknownMethod, both ours)
    │   ├── MembershipError                 (ours: the community rule of bundles)
    │   │   ├── MembershipMissingError      membershipMissing
    │   │   ├── MembershipRevokedError      membershipRevoked
    │   │   └── MembershipInvalidError      membershipInvalid
    │   └── VerificationFailedError         carries .problems
    ├── ProofError                          (https://w3id.org/security#...)
    │   ├── ProofGenerationError            PROOF_GENERATION_ERROR
    │   ├── ProofVerificationError          PROOF_VERIFICATION_ERROR
    │   │   └── InvalidSignatureError       PROOF_VERIFICATION_ERROR
    │   ├── ProofTransformationError        PROOF_TRANSFORMATION_ERROR
    │   ├── InvalidDomainError              INVALID_DOMAIN_ERROR
    │   ├── InvalidChallengeError           INVALID_CHALLENGE_ERROR
    │   ├── InvalidVerificationMethodURLError  INVALID_VERIFICATION_METHOD_URL
    │   ├── InvalidProofPurposeError        PROOF_VERIFICATION_ERROR (ours)
    │   ├── UnsupportedCryptosuiteError     unsupportedCryptosuite (ours)
    │   └── UnsupportedAlgorithmError       unsupportedAlgorithm (ours)
    ├── StatusError                         (https://www.w3.org/ns/credentials/status-list#...)
    │   ├── StatusRetrievalError            STATUS_RETRIEVAL_ERROR
    │   ├── StatusVerificationError         STATUS_VERIFICATION_ERROR
    │   ├── StatusListLengthError           STATUS_LIST_LENGTH_ERROR
    │   ├── StatusRangeError                RANGE_ERROR (also a ValidityRangeError)
    │   ├── CredentialRevokedError          revoked (ours)
    │   ├── CredentialSuspendedError        suspended (ours)
    │   └── StatusListFullError             statusListFull (ours)
    ├── WalletError                         (ours)
    │   ├── WalletNotFoundError             walletNotFound
    │   ├── WalletExistsError               walletExists
    │   ├── WrongPassphraseError            wrongPassphrase
    │   ├── WalletCorruptedError            walletCorrupted
    │   │   └── WalletTamperedError         walletTampered
    │   ├── WalletVersionError              unsupportedWalletVersion
    │   ├── WalletAccessError               walletAccess
    │   ├── PassphraseTooShortError         passphraseTooShort
    │   ├── InvalidAliasError               invalidAlias
    │   ├── InvalidRoleError                invalidRole
    │   ├── RecordNotFoundError             recordNotFound
    │   ├── RecordConflictError             recordConflict
    │   ├── RecordTooLargeError             recordTooLarge
    │   ├── DIDDeactivatedError             didDeactivated
    │   └── InvalidPetnameError             invalidPetname (code per failure)
    ├── StoreError                          (ours: the object store, ssi.store)
    │   ├── StoreVersionError               unsupportedStoreVersion
    │   ├── StoreCorruptedError             storeCorrupted
    │   ├── StoreAccessError                storeAccess
    │   ├── InvalidCursorError              invalidCursor
    │   └── ObjectNotFoundError             objectNotFound
    ├── BundleError                         invalidBundle (ours; .line)
    │   ├── BundleHeaderError               invalidBundleHeader
    │   ├── UnsupportedBundleVersionError   unsupportedBundleVersion
    │   ├── BundleLineError                 invalidBundleLine
    │   ├── BundleLineTooLongError          bundleLineTooLong
    │   ├── UnknownBundleItemError          unknownBundleItem
    │   ├── BundleItemError                 invalidBundleItem
    │   ├── BlobTooLargeError               blobTooLarge
    │   ├── BlobMismatchError               blobCidMismatch
    │   ├── BundleTooLargeError             bundleTooLarge
    │   └── MissingDependencyError          missingDependency
    ├── EncodingError                       invalidEncoding (ours: multibase, base64url)
    ├── QRCodeError                         invalidQrCode (ours; code per failure)
    │   └── QRCodeTooLargeError             qrTooLarge
    ├── TallyError                          invalidTally (ours: ssi.social tallies)
    │   ├── InclusionProofError             invalidInclusionProof
    │   ├── TallyMismatchError              tallyMismatch (.differences)
    │   └── ConstitutionNotInForceError     constitutionNotInForce
    ├── InvalidFeedPolicyError              invalidFeedPolicy (ours; .field, .line)
    ├── InboxError                          inboxError (ours: hub inboxes; .status)
    │   └── InboxAuthenticationError        authenticationFailed (code per failure)
    ├── DocumentLoadError                   loading document failed (JSON-LD)
    ├── CanonicalizationError               canonicalizationError (ours)
    └── TransportError                      transportError (ours)

Spec: https://www.w3.org/TR/did-resolution/#errors,
https://www.w3.org/TR/cid-1.0/#algorithms, https://www.rfc-editor.org/rfc/rfc9457,
https://www.w3.org/TR/vc-bitstring-status-list/#processing-errors
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

__all__ = [
    "BlobMismatchError",
    "BlobTooLargeError",
    "BundleError",
    "BundleHeaderError",
    "BundleItemError",
    "BundleLineError",
    "BundleLineTooLongError",
    "BundleTooLargeError",
    "CanonicalizationError",
    "ConstitutionNotInForceError",
    "CredentialError",
    "CredentialRevokedError",
    "CredentialSuspendedError",
    "CryptographicSecurityError",
    "DIDDeactivatedError",
    "DIDError",
    "DIDNotFoundError",
    "DocumentLoadError",
    "DuplicityError",
    "EncodingError",
    "HolderBindingError",
    "InboxAuthenticationError",
    "InboxError",
    "InclusionProofError",
    "InsufficientProofsError",
    "InvalidAliasError",
    "InvalidCIDError",
    "InvalidChallengeError",
    "InvalidChoiceError",
    "InvalidConstitutionError",
    "InvalidCursorError",
    "InvalidDIDDocumentError",
    "InvalidDIDError",
    "InvalidDIDLogError",
    "InvalidDIDURLError",
    "InvalidDomainError",
    "InvalidFeedPolicyError",
    "InvalidPetnameError",
    "InvalidProofPurposeError",
    "InvalidPublicKeyError",
    "InvalidPublicKeyLengthError",
    "InvalidResolutionOptionsError",
    "InvalidRoleError",
    "InvalidSecretKeyError",
    "InvalidSignatureError",
    "InvalidVerificationMethodURLError",
    "KeyMaterialError",
    "LogTooLargeError",
    "MalformedValueError",
    "MembershipError",
    "MembershipInvalidError",
    "MembershipMissingError",
    "MembershipRevokedError",
    "MethodNotSupportedError",
    "MissingDependencyError",
    "ObjectNotFoundError",
    "ParsingError",
    "PassphraseTooShortError",
    "ProofError",
    "ProofGenerationError",
    "ProofTransformationError",
    "ProofVerificationError",
    "QRCodeError",
    "QRCodeTooLargeError",
    "RecordConflictError",
    "RecordNotFoundError",
    "RecordTooLargeError",
    "RepresentationNotSupportedError",
    "ResolverInternalError",
    "SSIError",
    "StatusError",
    "StatusListFullError",
    "StatusListLengthError",
    "StatusRangeError",
    "StatusRetrievalError",
    "StatusVerificationError",
    "StoreAccessError",
    "StoreCorruptedError",
    "StoreError",
    "StoreVersionError",
    "TallyError",
    "TallyMismatchError",
    "TransportError",
    "UnknownBundleItemError",
    "UnknownMethodError",
    "UnsupportedAlgorithmError",
    "UnsupportedBundleVersionError",
    "UnsupportedCryptosuiteError",
    "UnsupportedPublicKeyTypeError",
    "ValidityRangeError",
    "VerificationFailedError",
    "WalletAccessError",
    "WalletCorruptedError",
    "WalletError",
    "WalletExistsError",
    "WalletNotFoundError",
    "WalletTamperedError",
    "WalletVersionError",
    "WrongPassphraseError",
]

_DID = "https://www.w3.org/ns/did#"
_SEC = "https://w3id.org/security#"
_AGORA = "urn:agora:error:"


class SSIError(Exception):
    """Base of every error the library raises for data from outside.

    Attributes:
        code: the specification's keyword for the error.
        type_uri: the URI that names the error type.
        detail: one sentence naming the offending identifier.
    """

    code: ClassVar[str] = "internalError"
    type_uri: ClassVar[str] = _AGORA + "internalError"
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def __reduce__(
        self,
    ) -> tuple[
        Callable[[type[SSIError], tuple[object, ...], dict[str, object]], SSIError],
        tuple[type[SSIError], tuple[object, ...], dict[str, object]],
    ]:
        """Pickle by class, arguments and attributes.

        Errors cross process pools inside reports; subclasses whose
        constructors take keywords (``DuplicityError``, ``InvalidDIDLogError``,
        ``VerificationFailedError``) are rebuilt without calling them, so
        ``code``, ``metadata`` and ``problems`` survive as they were.
        """
        return (_restore_error, (type(self), self.args, dict(self.__dict__)))

    def to_problem(self) -> dict[str, str]:
        """Return the error as RFC 9457 problem details.

        Spec: https://www.rfc-editor.org/rfc/rfc9457#section-3
        """
        return {
            "type": self.type_uri,
            "title": self.title,
            "detail": self.detail,
            "code": self.code,
        }


def _restore_error(
    kind: type[SSIError], args: tuple[object, ...], state: dict[str, object]
) -> SSIError:
    """Rebuild a pickled error: its ``args`` and attributes, as they were."""
    error = kind.__new__(kind)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


# --- DID resolution -------------------------------------------------------


class DIDError(SSIError):
    """A DID, DID URL or DID document could not be used."""

    code = "internalError"
    type_uri = _DID + "INTERNAL_ERROR"
    title = "DID error"


class InvalidDIDError(DIDError):
    """The DID does not conform to the DID syntax.

    Spec: https://www.w3.org/TR/did-resolution/#invalidDid
    """

    code = "invalidDid"
    type_uri = _DID + "INVALID_DID"
    title = "Invalid DID"


class InvalidDIDURLError(DIDError):
    """The DID URL does not conform to the DID URL syntax.

    Spec: https://www.w3.org/TR/did-resolution/#invalidDidUrl
    """

    code = "invalidDidUrl"
    type_uri = _DID + "INVALID_DID_URL"
    title = "Invalid DID URL"


class DIDNotFoundError(DIDError):
    """The DID, or the resource a DID URL names, does not exist.

    Spec: https://www.w3.org/TR/did-resolution/#notFound
    """

    code = "notFound"
    type_uri = _DID + "NOT_FOUND"
    title = "Not found"


class MethodNotSupportedError(DIDError):
    """The DID method is not supported by this resolver.

    Spec: https://www.w3.org/TR/did-resolution/#methodNotSupported
    """

    code = "methodNotSupported"
    type_uri = _DID + "METHOD_NOT_SUPPORTED"
    title = "DID method not supported"


class RepresentationNotSupportedError(DIDError):
    """The requested representation of the DID document is not supported.

    Spec: https://www.w3.org/TR/did-resolution/#representationNotSupported
    """

    code = "representationNotSupported"
    type_uri = _DID + "REPRESENTATION_NOT_SUPPORTED"
    title = "Representation not supported"


class InvalidResolutionOptionsError(DIDError):
    """A resolution option is unknown or has an unusable value.

    Spec: https://www.w3.org/TR/did-resolution/#invalidOptions
    """

    code = "invalidOptions"
    type_uri = _DID + "INVALID_OPTIONS"
    title = "Invalid resolution options"


class InvalidDIDDocumentError(DIDError):
    """A DID document does not conform to DID Core.

    Spec: https://www.w3.org/TR/did-resolution/#invalidDidDocument
    """

    code = "invalidDidDocument"
    type_uri = _DID + "INVALID_DID_DOCUMENT"
    title = "Invalid DID document"


class InvalidDIDLogError(DIDError):
    """A did:agora log is broken; ``code`` names the failure precisely.

    ``metadata`` carries what resolution reports with it: the entry number
    (``logEntry``) and, for duplicity, the conflicting entries.

    Spec: docs/did-agora.md (Read: validating the log)
    """

    code = "invalidDidLog"
    type_uri = _AGORA + "invalidDidLog"
    title = "Invalid DID log"

    def __init__(
        self, detail: str, *, code: str | None = None, entry: int | None = None
    ) -> None:
        super().__init__(detail)
        if code is not None:
            self.code = code  # type: ignore[misc]
        self.entry = entry
        self.metadata: dict[str, object] = {}
        if entry is not None:
            self.metadata["logEntry"] = entry

    def to_problem(self) -> dict[str, str]:
        """Return problem details with the precise code."""
        problem = super().to_problem()
        problem["type"] = _AGORA + self.code
        return problem


class DuplicityError(InvalidDIDLogError):
    """Two valid log entries claim the same predecessor: the log has forked.

    ``metadata["duplicity"]`` holds both entries as evidence.
    """

    code = "duplicity"
    type_uri = _AGORA + "duplicity"
    title = "Duplicity"

    def __init__(self, detail: str, *, entry: int, evidence: list[object]) -> None:
        super().__init__(detail, entry=entry)
        self.metadata["duplicity"] = {"logEntry": entry, "entries": evidence}


class LogTooLargeError(InvalidDIDLogError):
    """A did:agora log exceeds a limit a resolver sets on the work it does:
    too many bytes, too many entries, or too many branches.

    Spec: docs/did-agora.md (3.1 Reading a log from text; 5.1.1 Copies, forks
    and limits)
    """

    code = "invalidLogSize"
    type_uri = _AGORA + "invalidLogSize"
    title = "DID log too large"


class ResolverInternalError(DIDError):
    """The resolver failed for a reason of its own.

    Spec: https://www.w3.org/TR/did-resolution/#internalError
    """

    code = "internalError"
    type_uri = _DID + "INTERNAL_ERROR"
    title = "Internal resolver error"


# --- Key material -------------------------------------------------------


class KeyMaterialError(SSIError):
    """Encoded key material could not be used."""

    code = "invalidPublicKey"
    type_uri = _SEC + "INVALID_PUBLIC_KEY"
    title = "Invalid key material"


class InvalidPublicKeyError(KeyMaterialError):
    """The public key is malformed: bad encoding, or a point not on the curve.

    Spec: https://w3c-ccg.github.io/did-method-key/#signature-method-creation-algorithm
    """

    code = "invalidPublicKey"
    type_uri = _SEC + "INVALID_PUBLIC_KEY"
    title = "Invalid public key"


class InvalidPublicKeyLengthError(KeyMaterialError):
    """The public key has the wrong number of bytes for its type.

    Spec: https://w3c-ccg.github.io/did-method-key/#signature-method-creation-algorithm
    """

    code = "invalidPublicKeyLength"
    type_uri = _SEC + "INVALID_PUBLIC_KEY_LENGTH"
    title = "Invalid public key length"


class UnsupportedPublicKeyTypeError(KeyMaterialError):
    """The key's multicodec, curve or key type is not supported.

    Spec: https://w3c-ccg.github.io/did-method-key/#signature-method-creation-algorithm
    """

    code = "unsupportedPublicKeyType"
    type_uri = _SEC + "UNSUPPORTED_PUBLIC_KEY_TYPE"
    title = "Unsupported public key type"


class InvalidSecretKeyError(KeyMaterialError):
    """The secret key is malformed or does not match its declared type."""

    code = "invalidSecretKey"
    type_uri = _AGORA + "invalidSecretKey"
    title = "Invalid secret key"


# --- Credentials ----------------------------------------------------------


_VC = "https://www.w3.org/TR/vc-data-model#"


class CredentialError(SSIError):
    """A credential or presentation could not be used.

    Spec: https://www.w3.org/TR/vc-data-model-2.0/#algorithms
    """

    code = "MALFORMED_VALUE_ERROR"
    type_uri = _VC + "MALFORMED_VALUE_ERROR"
    title = "Credential error"


class ParsingError(CredentialError):
    """The input is not a JSON document that can be processed at all.

    Spec: https://www.w3.org/TR/vc-data-model-2.0/#PARSING_ERROR
    """

    code = "PARSING_ERROR"
    type_uri = _VC + "PARSING_ERROR"
    title = "Parsing error"


class MalformedValueError(CredentialError):
    """A property is missing or has a value the data model does not allow.

    Spec: https://www.w3.org/TR/vc-data-model-2.0/#MALFORMED_VALUE_ERROR
    """

    code = "MALFORMED_VALUE_ERROR"
    type_uri = _VC + "MALFORMED_VALUE_ERROR"
    title = "Malformed value"


class InvalidCIDError(MalformedValueError):
    """A value that should be a content identifier is not one Agora accepts.

    Agora's CIDs are CIDv1, base32 lower, sha2-256, codec json or raw.

    Spec: docs/objects.md (Content identifiers), https://github.com/multiformats/cid
    """

    code = "invalidCid"
    type_uri = _AGORA + "invalidCid"
    title = "Invalid content identifier"


class InvalidChoiceError(MalformedValueError):
    """A ballot's choice does not have the shape its counting method needs.

    The detail names the ballot (its index in the count) and the reason: an
    unknown option, a repeated option, a score out of range, a quadratic
    budget overspent.

    Spec: docs/counting.md (Ballot shapes)
    """

    code = "malformedChoice"
    type_uri = _AGORA + "malformedChoice"
    title = "Malformed choice"


class UnknownMethodError(MalformedValueError):
    """A counting method name is not one of ``ssi.social.METHODS``.

    Spec: docs/counting.md (Methods)
    """

    code = "unknownMethod"
    type_uri = _AGORA + "unknownMethod"
    title = "Unknown counting method"


class InvalidConstitutionError(MalformedValueError):
    """A constitution's rules are malformed or inconsistent.

    ``field`` is the precise path of the offending field: the rules' own path
    (``kinds.amendment.threshold``) for a bare rules object, the JSON path
    (``$.credentialSubject.rules.kinds.amendment.threshold``) inside a
    credential, the TOML key path (``voting_period.min``) for a TOML file;
    ``line`` is the TOML line of a syntax error.

    Spec: docs/governance.md (Constitution rules)
    """

    code = "invalidConstitution"
    type_uri = _AGORA + "invalidConstitution"
    title = "Invalid constitution"

    def __init__(
        self, detail: str, *, field: str = "", line: int | None = None
    ) -> None:
        super().__init__(detail)
        self.field = field
        self.line = line


class ValidityRangeError(CredentialError):
    """A value is outside its allowed range: expired, not yet valid.

    Spec: https://www.w3.org/TR/vc-data-model-2.0/#RANGE_ERROR
    """

    code = "RANGE_ERROR"
    type_uri = _VC + "RANGE_ERROR"
    title = "Range error"


class CryptographicSecurityError(CredentialError):
    """A proof or the key behind it failed a cryptographic check.

    Spec: https://www.w3.org/TR/vc-data-model-2.0/#CRYPTOGRAPHIC_SECURITY_ERROR
    """

    code = "CRYPTOGRAPHIC_SECURITY_ERROR"
    type_uri = _VC + "CRYPTOGRAPHIC_SECURITY_ERROR"
    title = "Cryptographic security error"


class HolderBindingError(CredentialError):
    """A presentation's holder is not shown to be a subject of a credential in it.

    Raised (as a report problem) only when the verifier requires holder
    binding; otherwise the report carries a ``holderNotSubject`` warning. The
    VC problem type is ``CRYPTOGRAPHIC_SECURITY_ERROR``: nothing shows that the
    presenter holds the subject's keys.

    Spec: https://www.w3.org/TR/vc-data-model-2.0/#validation (Holder)
    """

    code = "holderNotSubject"
    type_uri = _AGORA + "holderNotSubject"
    title = "Holder is not the subject"


class InsufficientProofsError(CredentialError):
    """A credential carries fewer valid proofs by distinct keys of its issuer
    than the issuer's DID document requires (its ``threshold``, m of n).

    The VC problem type is ``CRYPTOGRAPHIC_SECURITY_ERROR``: the issuer's
    authority is not shown.

    Spec: docs/credentials.md (Proof sets of m), docs/did-agora.md (4.5)
    """

    code = "insufficientProofs"
    type_uri = _AGORA + "insufficientProofs"
    title = "Too few issuer proofs"


class VerificationFailedError(CredentialError):
    """Verification failed; ``problems`` holds every error found.

    Raised by ``VerificationReport.raise_for_problems()`` for callers who
    prefer exceptions to reports.
    """

    code = "CRYPTOGRAPHIC_SECURITY_ERROR"
    type_uri = _VC + "CRYPTOGRAPHIC_SECURITY_ERROR"
    title = "Verification failed"

    def __init__(self, detail: str, problems: tuple[SSIError, ...] = ()) -> None:
        super().__init__(detail)
        self.problems = problems


class MembershipError(CredentialError):
    """An object names a community, and its author's membership is not shown.

    The community rule of bundles: an object whose ``credentialSubject``
    names a ``community`` verifies only with a valid, unrevoked
    ``MembershipCredential`` of that community for its author.

    Spec: docs/bundles.md (The community rule)
    """

    code = "membershipError"
    type_uri = _AGORA + "membershipError"
    title = "Membership not shown"


class MembershipMissingError(MembershipError):
    """No ``MembershipCredential`` of the community for the author is at hand.

    Spec: docs/bundles.md (The community rule)
    """

    code = "membershipMissing"
    type_uri = _AGORA + "membershipMissing"
    title = "Membership missing"


class MembershipRevokedError(MembershipError):
    """The author's ``MembershipCredential`` of the community is revoked
    (or suspended).

    Spec: docs/bundles.md (The community rule)
    """

    code = "membershipRevoked"
    type_uri = _AGORA + "membershipRevoked"
    title = "Membership revoked"


class MembershipInvalidError(MembershipError):
    """The author's ``MembershipCredential`` of the community does not verify
    (a bad proof, expired, a status list that cannot be checked).

    Spec: docs/bundles.md (The community rule)
    """

    code = "membershipInvalid"
    type_uri = _AGORA + "membershipInvalid"
    title = "Membership invalid"


# --- Proofs -----------------------------------------------------------------


class ProofError(SSIError):
    """A proof could not be created or verified.

    Spec: https://www.w3.org/TR/vc-data-integrity/#processing-errors
    """

    code = "PROOF_VERIFICATION_ERROR"
    type_uri = _SEC + "PROOF_VERIFICATION_ERROR"
    title = "Proof error"


class ProofGenerationError(ProofError):
    """A proof could not be generated.

    Spec: https://www.w3.org/TR/vc-data-integrity/#PROOF_GENERATION_ERROR
    """

    code = "PROOF_GENERATION_ERROR"
    type_uri = _SEC + "PROOF_GENERATION_ERROR"
    title = "Proof generation error"


class ProofVerificationError(ProofError):
    """A proof did not verify.

    Spec: https://www.w3.org/TR/vc-data-integrity/#PROOF_VERIFICATION_ERROR
    """

    code = "PROOF_VERIFICATION_ERROR"
    type_uri = _SEC + "PROOF_VERIFICATION_ERROR"
    title = "Proof verification error"


class InvalidSignatureError(ProofVerificationError):
    """A signature does not verify; deliberately says nothing about why."""

    title = "Invalid signature"


class ProofTransformationError(ProofError):
    """A document could not be transformed (canonicalized) for its proof.

    Spec: https://www.w3.org/TR/vc-data-integrity/#PROOF_TRANSFORMATION_ERROR
    """

    code = "PROOF_TRANSFORMATION_ERROR"
    type_uri = _SEC + "PROOF_TRANSFORMATION_ERROR"
    title = "Proof transformation error"


class InvalidDomainError(ProofError):
    """The proof's ``domain`` is not the one the verifier expected.

    Spec: https://www.w3.org/TR/vc-data-integrity/#INVALID_DOMAIN_ERROR
    """

    code = "INVALID_DOMAIN_ERROR"
    type_uri = _SEC + "INVALID_DOMAIN_ERROR"
    title = "Invalid domain"


class InvalidChallengeError(ProofError):
    """The proof's ``challenge`` is not the one the verifier expected.

    Spec: https://www.w3.org/TR/vc-data-integrity/#INVALID_CHALLENGE_ERROR
    """

    code = "INVALID_CHALLENGE_ERROR"
    type_uri = _SEC + "INVALID_CHALLENGE_ERROR"
    title = "Invalid challenge"


class InvalidVerificationMethodURLError(ProofError):
    """The proof's ``verificationMethod`` cannot be dereferenced to a key.

    Spec: https://www.w3.org/TR/vc-data-integrity/#INVALID_VERIFICATION_METHOD_URL
    """

    code = "INVALID_VERIFICATION_METHOD_URL"
    type_uri = _SEC + "INVALID_VERIFICATION_METHOD_URL"
    title = "Invalid verification method URL"


class InvalidProofPurposeError(ProofError):
    """The proof's purpose is not the expected one, or its key is not
    authorized for it by the controller's DID document.

    Spec: https://www.w3.org/TR/vc-data-integrity/#proof-purposes
    """

    code = "PROOF_VERIFICATION_ERROR"
    type_uri = _SEC + "PROOF_VERIFICATION_ERROR"
    title = "Invalid proof purpose"


class UnsupportedCryptosuiteError(ProofError):
    """The proof names a type or cryptosuite the verifier does not accept."""

    code = "unsupportedCryptosuite"
    type_uri = _AGORA + "unsupportedCryptosuite"
    title = "Unsupported cryptosuite"


class UnsupportedAlgorithmError(ProofError):
    """The signing algorithm is unknown or does not fit the key."""

    code = "unsupportedAlgorithm"
    type_uri = _AGORA + "unsupportedAlgorithm"
    title = "Unsupported algorithm"


# --- Status lists ------------------------------------------------------------

_STATUS = "https://www.w3.org/ns/credentials/status-list#"


class StatusError(SSIError):
    """A credential's status could not be established.

    Spec: https://www.w3.org/TR/vc-bitstring-status-list/#processing-errors
    """

    code = "STATUS_VERIFICATION_ERROR"
    type_uri = _STATUS + "STATUS_VERIFICATION_ERROR"
    title = "Status error"


class StatusRetrievalError(StatusError):
    """The status list credential could not be obtained.

    Spec: https://www.w3.org/TR/vc-bitstring-status-list/#STATUS_RETRIEVAL_ERROR
    """

    code = "STATUS_RETRIEVAL_ERROR"
    type_uri = _STATUS + "STATUS_RETRIEVAL_ERROR"
    title = "Status retrieval error"


class StatusVerificationError(StatusError):
    """The status list credential did not verify, or does not fit the credential.

    Spec: https://www.w3.org/TR/vc-bitstring-status-list/#STATUS_VERIFICATION_ERROR
    """

    code = "STATUS_VERIFICATION_ERROR"
    type_uri = _STATUS + "STATUS_VERIFICATION_ERROR"
    title = "Status verification error"


class StatusListLengthError(StatusError):
    """The status list's length is not acceptable: shorter than the minimum
    for herd privacy, longer than the decompression cap, or not a whole
    number of entries of the status size.

    Spec: https://www.w3.org/TR/vc-bitstring-status-list/#STATUS_LIST_LENGTH_ERROR
    """

    code = "STATUS_LIST_LENGTH_ERROR"
    type_uri = _STATUS + "STATUS_LIST_LENGTH_ERROR"
    title = "Status list length error"


class StatusRangeError(StatusError, ValidityRangeError):
    """The status list index (times the status size) lies outside the list.

    The validate algorithm names the VC Data Model's ``RANGE_ERROR`` here, so
    the class is both a :class:`StatusError` and a :class:`ValidityRangeError`.

    Spec: https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm
    """

    code = "RANGE_ERROR"
    type_uri = _VC + "RANGE_ERROR"
    title = "Status list index out of range"


class CredentialRevokedError(StatusError):
    """The credential's revocation status is set: the issuer revoked it.

    Spec: https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistentry
    """

    code = "revoked"
    type_uri = _AGORA + "revoked"
    title = "Credential revoked"


class CredentialSuspendedError(StatusError):
    """The credential's suspension status is set: the issuer suspended it.

    Spec: https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistentry
    """

    code = "suspended"
    type_uri = _AGORA + "suspended"
    title = "Credential suspended"


class StatusListFullError(StatusError):
    """Every index of a status list is already allocated; start a new list."""

    code = "statusListFull"
    type_uri = _AGORA + "statusListFull"
    title = "Status list full"


# --- Wallet ------------------------------------------------------------------


class WalletError(SSIError):
    """The wallet could not be used."""

    code = "walletError"
    type_uri = _AGORA + "walletError"
    title = "Wallet error"


class WalletNotFoundError(WalletError):
    """There is no wallet in the given home directory."""

    code = "walletNotFound"
    type_uri = _AGORA + "walletNotFound"
    title = "Wallet not found"


class WalletExistsError(WalletError):
    """A wallet already exists where a new one was to be created."""

    code = "walletExists"
    type_uri = _AGORA + "walletExists"
    title = "Wallet exists"


class WrongPassphraseError(WalletError):
    """The passphrase does not open the wallet."""

    code = "wrongPassphrase"
    type_uri = _AGORA + "wrongPassphrase"
    title = "Wrong passphrase"


class WalletCorruptedError(WalletError):
    """The wallet file is damaged: truncated, altered, or not a wallet."""

    code = "walletCorrupted"
    type_uri = _AGORA + "walletCorrupted"
    title = "Wallet corrupted"


class WalletTamperedError(WalletCorruptedError):
    """The wallet's record set or version is not the one it last wrote.

    A record was removed, added, duplicated or replaced by an older copy, or
    the wallet's version was rolled back: the set MAC in the header does not
    match. Restore from a backup (``agora backup import``).

    Spec: docs/wallet.md (Schema 2: the record set MAC)
    """

    code = "walletTampered"
    type_uri = _AGORA + "walletTampered"
    title = "Wallet tampered with"


class WalletVersionError(WalletError):
    """The wallet was written by a newer version with a schema this one lacks."""

    code = "unsupportedWalletVersion"
    type_uri = _AGORA + "unsupportedWalletVersion"
    title = "Unsupported wallet version"


class WalletAccessError(WalletError):
    """The wallet's files cannot be read or written (permissions, read-only)."""

    code = "walletAccess"
    type_uri = _AGORA + "walletAccess"
    title = "Wallet not accessible"


class PassphraseTooShortError(WalletError):
    """A new passphrase is shorter than the documented minimum.

    Spec: docs/wallet.md (Passphrase and cost)
    """

    code = "passphraseTooShort"
    type_uri = _AGORA + "passphraseTooShort"
    title = "Passphrase too short"


class InvalidAliasError(WalletError):
    """An alias is not 1 to 64 letters, digits, '.', '_' or '-'."""

    code = "invalidAlias"
    type_uri = _AGORA + "invalidAlias"
    title = "Invalid alias"


class RecordNotFoundError(WalletError):
    """No key, DID or credential in the wallet matches the reference."""

    code = "recordNotFound"
    type_uri = _AGORA + "recordNotFound"
    title = "Record not found"


class InvalidRoleError(WalletError):
    """A community role is empty or only white space.

    Spec: docs/vocabulary.md (MembershipCredential)
    """

    code = "invalidRole"
    type_uri = _AGORA + "invalidRole"
    title = "Invalid role"


class RecordConflictError(WalletError):
    """A record with that identifier or alias already holds something else."""

    code = "recordConflict"
    type_uri = _AGORA + "recordConflict"
    title = "Record conflict"


class RecordTooLargeError(WalletError):
    """A record is larger than the wallet stores; nothing was written.

    Spec: docs/wallet.md (Size limit)
    """

    code = "recordTooLarge"
    type_uri = _AGORA + "recordTooLarge"
    title = "Record too large"


class DIDDeactivatedError(WalletError):
    """The DID is deactivated: the wallet will not sign for it any more.

    Spec: docs/did-agora.md (Deactivate)
    """

    code = "didDeactivated"
    type_uri = _AGORA + "didDeactivated"
    title = "DID deactivated"


class InvalidPetnameError(WalletError):
    """A contact's name (petname) cannot be used; ``code`` says why.

    The codes: ``emptyPetname`` (empty or only white space),
    ``petnameTooLong`` (over 64 characters), ``petnameControlCharacter`` (a
    control, format, line or paragraph separator character, or white space
    at either end), ``petnameLooksLikeDid`` (it starts with ``did:``, so it
    could be taken for a DID).

    Spec: docs/cli.md (Contacts and petnames)
    """

    code = "invalidPetname"
    type_uri = _AGORA + "invalidPetname"
    title = "Invalid contact name"

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail)
        if code is not None:
            self.code = code  # type: ignore[misc]

    def to_problem(self) -> dict[str, str]:
        """Return problem details with the precise code."""
        problem = super().to_problem()
        problem["type"] = _AGORA + self.code
        return problem


# --- QR codes ----------------------------------------------------------------


class QRCodeError(SSIError):
    """QR codes could not be read back as one Agora payload; ``code`` says why.

    The codes: ``qrUnreadable`` (not an image, or no QR code found in it),
    ``qrNotAgora`` (a QR code that is not an Agora code),
    ``qrUnsupportedVersion`` (a newer format version), ``qrInvalidPart`` (a
    header with impossible values, or parts that disagree on them),
    ``qrPartMissing``, ``qrPartDuplicated``, ``qrPartForeign`` (a part of
    another payload), ``qrDigestMismatch`` (the joined parts do not
    decompress to the payload the digest names).

    Spec: docs/qr.md
    """

    code = "invalidQrCode"
    type_uri = _AGORA + "invalidQrCode"
    title = "Invalid QR code"

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail)
        if code is not None:
            self.code = code  # type: ignore[misc]

    def to_problem(self) -> dict[str, str]:
        """Return problem details with the precise code."""
        problem = super().to_problem()
        problem["type"] = _AGORA + self.code
        return problem


class QRCodeTooLargeError(QRCodeError):
    """A payload is over the documented cap of the QR transport: too many
    bytes once compressed (more codes than allowed), or too many bytes
    uncompressed.

    Spec: docs/qr.md (Limits)
    """

    code = "qrTooLarge"
    type_uri = _AGORA + "qrTooLarge"
    title = "Too large for QR codes"


# --- The object store ----------------------------------------------------------


class StoreError(SSIError):
    """The object store could not be used.

    Spec: docs/store.md
    """

    code = "storeError"
    type_uri = _AGORA + "storeError"
    title = "Store error"


class StoreVersionError(StoreError):
    """The store was written by a newer version with a schema this one lacks.

    Spec: docs/store.md (Migrations)
    """

    code = "unsupportedStoreVersion"
    type_uri = _AGORA + "unsupportedStoreVersion"
    title = "Unsupported store version"


class StoreCorruptedError(StoreError):
    """The store's file is damaged, is not an object store, or holds an object
    whose bytes no longer match its CID.

    Spec: docs/store.md (Schema)
    """

    code = "storeCorrupted"
    type_uri = _AGORA + "storeCorrupted"
    title = "Store corrupted"


class StoreAccessError(StoreError):
    """The store's file cannot be opened, read or written (permissions, a
    missing folder, a disk that is full, a lock held too long).

    Spec: docs/store.md (Concurrency)
    """

    code = "storeAccess"
    type_uri = _AGORA + "storeAccess"
    title = "Store not accessible"


class InvalidCursorError(StoreError):
    """A paging cursor was not issued by this store for this query (altered,
    cut, from another store, or given with other filters).

    Spec: docs/store.md (Cursors)
    """

    code = "invalidCursor"
    type_uri = _AGORA + "invalidCursor"
    title = "Invalid cursor"


class ObjectNotFoundError(StoreError):
    """No object with that CID is in the store.

    Spec: docs/store.md
    """

    code = "objectNotFound"
    type_uri = _AGORA + "objectNotFound"
    title = "Object not found"


# --- Bundles -----------------------------------------------------------------


class BundleError(SSIError):
    """A bundle (JSON Lines of self-contained objects) could not be read.

    ``line`` is the physical line (from 1) the error is about, when it is
    about one.

    Spec: docs/bundles.md
    """

    code = "invalidBundle"
    type_uri = _AGORA + "invalidBundle"
    title = "Invalid bundle"

    def __init__(self, detail: str, *, line: int | None = None) -> None:
        super().__init__(detail)
        self.line = line


class BundleHeaderError(BundleError):
    """The bundle does not start with a valid header line.

    Spec: docs/bundles.md (Header)
    """

    code = "invalidBundleHeader"
    type_uri = _AGORA + "invalidBundleHeader"
    title = "Invalid bundle header"


class UnsupportedBundleVersionError(BundleError):
    """The bundle's header names a format version this reader does not know.

    Spec: docs/bundles.md (Header)
    """

    code = "unsupportedBundleVersion"
    type_uri = _AGORA + "unsupportedBundleVersion"
    title = "Unsupported bundle version"


class BundleLineError(BundleError):
    """A line is not UTF-8, not strict JSON, or not a JSON object.

    Spec: docs/bundles.md (Lines)
    """

    code = "invalidBundleLine"
    type_uri = _AGORA + "invalidBundleLine"
    title = "Invalid bundle line"


class BundleLineTooLongError(BundleError):
    """A line is longer than the bundle format allows.

    Spec: docs/bundles.md (Limits)
    """

    code = "bundleLineTooLong"
    type_uri = _AGORA + "bundleLineTooLong"
    title = "Bundle line too long"


class UnknownBundleItemError(BundleError):
    """A line's ``kind`` is not one this version of the format defines.

    Spec: docs/bundles.md (Lines)
    """

    code = "unknownBundleItem"
    type_uri = _AGORA + "unknownBundleItem"
    title = "Unknown bundle item"


class BundleItemError(BundleError):
    """A line of a known kind does not have the members its kind requires.

    Spec: docs/bundles.md (Lines)
    """

    code = "invalidBundleItem"
    type_uri = _AGORA + "invalidBundleItem"
    title = "Invalid bundle item"


class BlobTooLargeError(BundleError):
    """A blob is larger than the bundle format allows.

    Spec: docs/bundles.md (Limits)
    """

    code = "blobTooLarge"
    type_uri = _AGORA + "blobTooLarge"
    title = "Blob too large"


class BlobMismatchError(BundleError):
    """A blob's bytes do not have the CID its line names.

    Spec: docs/bundles.md (Blobs)
    """

    code = "blobCidMismatch"
    type_uri = _AGORA + "blobCidMismatch"
    title = "Blob does not match its CID"


class BundleTooLargeError(BundleError):
    """A bundle holds more dependency items (or bytes of them) than a reader
    keeps in memory.

    Spec: docs/bundles.md (Limits)
    """

    code = "bundleTooLarge"
    type_uri = _AGORA + "bundleTooLarge"
    title = "Bundle too large"


class MissingDependencyError(BundleError):
    """Packing: something a verifier needs (a did:agora log, a status list, a
    membership) is not available to put in the bundle.

    Spec: docs/bundles.md (Packing)
    """

    code = "missingDependency"
    type_uri = _AGORA + "missingDependency"
    title = "Missing dependency"


# --- JSON-LD, encodings, canonicalization and transport -------------------


class EncodingError(SSIError):
    """A multibase, multicodec or base64url value could not be decoded.

    Spec: https://www.w3.org/TR/cid-1.0/#multibase-0
    """

    code = "invalidEncoding"
    type_uri = _AGORA + "invalidEncoding"
    title = "Invalid encoding"


class DocumentLoadError(SSIError):
    """A JSON-LD document (a context) could not be loaded.

    Spec: https://www.w3.org/TR/json-ld11-api/#dom-jsonlderrorcode-loading-document-failed
    """

    code = "loading document failed"
    type_uri = "https://www.w3.org/TR/json-ld11-api/#dom-jsonlderrorcode-loading-document-failed"
    title = "Loading document failed"


class CanonicalizationError(SSIError):
    """A document could not be canonicalized (JCS or RDFC-1.0).

    Spec: https://www.w3.org/TR/vc-data-integrity/#PROOF_TRANSFORMATION_ERROR
    """

    code = "PROOF_TRANSFORMATION_ERROR"
    type_uri = _SEC + "PROOF_TRANSFORMATION_ERROR"
    title = "Canonicalization error"


class TransportError(SSIError):
    """A network transfer failed: timeout, size limit, TLS or refused scheme."""

    code = "transportError"
    type_uri = _AGORA + "transportError"
    title = "Transport error"


# --- Tallies -----------------------------------------------------------------


class TallyError(SSIError):
    """A tally, its inputs or a proof about it could not be used.

    Spec: docs/tallies.md
    """

    code = "invalidTally"
    type_uri = _AGORA + "invalidTally"
    title = "Invalid tally"


class InclusionProofError(TallyError):
    """A Merkle inclusion proof does not prove that the leaf is in the tree.

    Spec: https://www.rfc-editor.org/rfc/rfc9162#section-2.1.3.2
    """

    code = "invalidInclusionProof"
    type_uri = _AGORA + "invalidInclusionProof"
    title = "Invalid inclusion proof"


class TallyMismatchError(TallyError):
    """A tally credential says something its inputs do not give.

    ``differences`` holds one line per differing field.

    Spec: docs/tallies.md (Verifying a tally)
    """

    code = "tallyMismatch"
    type_uri = _AGORA + "tallyMismatch"
    title = "Tally does not match its inputs"

    def __init__(self, detail: str, *, differences: tuple[str, ...] = ()) -> None:
        super().__init__(detail)
        self.differences = differences


class ConstitutionNotInForceError(TallyError):
    """No constitution of the chain given is in force, or the one asked about
    is not.

    Spec: docs/tallies.md (Constitution in force)
    """

    code = "constitutionNotInForce"
    type_uri = _AGORA + "constitutionNotInForce"
    title = "Constitution not in force"


# --- Feed policies -----------------------------------------------------------


class InvalidFeedPolicyError(SSIError):
    """A reader's feed policy (``feed-policy.toml``) is malformed or inconsistent.

    ``field`` is the TOML key path of the offending value (``actions.hide``,
    ``follow[2]``, ``overrides."did:key:z6Mk...".warn``; empty for a syntax
    error); ``line`` is its line in the file when it can be found.

    Spec: docs/moderation.md (Feed policy)
    """

    code = "invalidFeedPolicy"
    type_uri = _AGORA + "invalidFeedPolicy"
    title = "Invalid feed policy"

    def __init__(
        self, detail: str, *, field: str = "", line: int | None = None
    ) -> None:
        super().__init__(detail)
        self.field = field
        self.line = line


# --- Hub inboxes -------------------------------------------------------------


class InboxError(SSIError):
    """A hub inbox refused a message or a request; ``code`` names the failure.

    The hub raises it for a full inbox (``inboxFull``); the inbox client
    raises it for every problem a hub answers with (``code`` is then the
    problem's ``code`` and ``status`` its HTTP status) and for an answer it
    cannot use.

    Spec: docs/hub.md (Inbox)
    """

    code = "inboxError"
    type_uri = _AGORA + "inboxError"
    title = "Inbox error"

    def __init__(
        self, detail: str, *, code: str | None = None, status: int | None = None
    ) -> None:
        super().__init__(detail)
        if code is not None:
            self.code = code  # type: ignore[misc]
        self.status = status

    def to_problem(self) -> dict[str, str]:
        """Return problem details with the precise code."""
        problem = super().to_problem()
        problem["type"] = _AGORA + self.code
        return problem


class InboxAuthenticationError(InboxError):
    """A DID authentication to a hub inbox failed; ``code`` names the check
    (``challengeExpired``, ``challengeReplayed``, ``wrongDomain``, ...).

    Spec: docs/hub.md (Inbox: authentication)
    """

    code = "authenticationFailed"
    type_uri = _AGORA + "authenticationFailed"
    title = "Authentication failed"
