"""Agora's SSI library: keys, DIDs, resolution, JSON-LD, credentials and proofs.

The curated public API; everything here is re-exported from a private module.
Names are imported when first used (PEP 562 module ``__getattr__``), so
``import ssi`` and programs that need only a part of the library, such as
``agora --version``, do not load cryptography, JSON-LD or HTTP code they do
not use. No import registers anything: :func:`default_methods` builds the DID
method set, and :func:`resolve` resolves over it.

Example:
    >>> import ssi
    >>> key = ssi.generate_key("Ed25519")
    >>> ssi.resolve(ssi.did_key(key)).ok
    True
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ssi.cid import (
        ContentID,
        blob_cid,
        object_cid,
        parse_cid,
    )
    from ssi.credentials import (
        Check,
        FixedClock,
        Problem,
        ReportWarning,
        StatusChecker,
        VerificationReport,
        Verifier,
        issue,
        present,
        signer,
        verify,
        verify_presentation,
    )
    from ssi.did.document import (
        DIDDocument,
        Service,
        VerificationMethod,
    )
    from ssi.did.methods import (
        did_jwk,
        did_key,
    )
    from ssi.did.resolution import (
        DereferencingResult,
        DIDMethod,
        MethodRegistry,
        RepresentationResult,
        ResolutionResult,
        Resolver,
    )
    from ssi.did.syntax import (
        DID,
        DIDURL,
        parse_did,
        parse_did_url,
    )
    from ssi.errors import (
        CanonicalizationError,
        CredentialError,
        CredentialRevokedError,
        CredentialSuspendedError,
        CryptographicSecurityError,
        DIDDeactivatedError,
        DIDError,
        DIDNotFoundError,
        DocumentLoadError,
        DuplicityError,
        EncodingError,
        HolderBindingError,
        InvalidAliasError,
        InvalidChallengeError,
        InvalidCIDError,
        InvalidDIDDocumentError,
        InvalidDIDError,
        InvalidDIDLogError,
        InvalidDIDURLError,
        InvalidDomainError,
        InvalidProofPurposeError,
        InvalidPublicKeyError,
        InvalidPublicKeyLengthError,
        InvalidResolutionOptionsError,
        InvalidRoleError,
        InvalidSecretKeyError,
        InvalidSignatureError,
        InvalidVerificationMethodURLError,
        KeyMaterialError,
        LogTooLargeError,
        MalformedValueError,
        MethodNotSupportedError,
        ParsingError,
        PassphraseTooShortError,
        ProofError,
        ProofGenerationError,
        ProofTransformationError,
        ProofVerificationError,
        RecordConflictError,
        RecordNotFoundError,
        RecordTooLargeError,
        RepresentationNotSupportedError,
        ResolverInternalError,
        SSIError,
        StatusError,
        StatusListFullError,
        StatusListLengthError,
        StatusRangeError,
        StatusRetrievalError,
        StatusVerificationError,
        TransportError,
        UnsupportedAlgorithmError,
        UnsupportedCryptosuiteError,
        UnsupportedPublicKeyTypeError,
        ValidityRangeError,
        VerificationFailedError,
        WalletAccessError,
        WalletCorruptedError,
        WalletError,
        WalletExistsError,
        WalletNotFoundError,
        WalletTamperedError,
        WalletVersionError,
        WrongPassphraseError,
    )
    from ssi.jsonld.canon import (
        canonicalize_jcs,
        canonicalize_rdfc,
    )
    from ssi.jsonld.loader import (
        BundledLoader,
        DocumentLoader,
        RemoteDocument,
    )
    from ssi.keys import (
        KeyPair,
        KeyType,
        LocalSigner,
        PublicKey,
        SignatureVerifier,
        Signer,
        generate_key,
        import_key,
    )
    from ssi.methods import (
        default_methods,
        dereference,
        resolve,
        resolve_representation,
    )
    from ssi.proofs import (
        SuiteRegistry,
    )
    from ssi.types import (
        JsonObject,
        JsonValue,
    )

__version__ = "0.1.0"

_EXPORTS: dict[str, tuple[str, ...]] = {
    "ssi.credentials": (
        "Check",
        "FixedClock",
        "Problem",
        "ReportWarning",
        "StatusChecker",
        "VerificationReport",
        "Verifier",
        "issue",
        "present",
        "signer",
        "verify",
        "verify_presentation",
    ),
    "ssi.did.document": (
        "DIDDocument",
        "Service",
        "VerificationMethod",
    ),
    "ssi.did.methods": (
        "did_jwk",
        "did_key",
    ),
    "ssi.did.resolution": (
        "DIDMethod",
        "DereferencingResult",
        "MethodRegistry",
        "RepresentationResult",
        "ResolutionResult",
        "Resolver",
    ),
    "ssi.did.syntax": (
        "DID",
        "DIDURL",
        "parse_did",
        "parse_did_url",
    ),
    "ssi.cid": (
        "ContentID",
        "blob_cid",
        "object_cid",
        "parse_cid",
    ),
    "ssi.errors": (
        "CanonicalizationError",
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
        "InvalidAliasError",
        "InvalidCIDError",
        "InvalidChallengeError",
        "InvalidDIDDocumentError",
        "InvalidDIDError",
        "InvalidDIDLogError",
        "InvalidDIDURLError",
        "InvalidDomainError",
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
        "MethodNotSupportedError",
        "ParsingError",
        "PassphraseTooShortError",
        "ProofError",
        "ProofGenerationError",
        "ProofTransformationError",
        "ProofVerificationError",
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
        "TransportError",
        "UnsupportedAlgorithmError",
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
    ),
    "ssi.jsonld.canon": (
        "canonicalize_jcs",
        "canonicalize_rdfc",
    ),
    "ssi.jsonld.loader": (
        "BundledLoader",
        "DocumentLoader",
        "RemoteDocument",
    ),
    "ssi.keys": (
        "KeyPair",
        "KeyType",
        "LocalSigner",
        "PublicKey",
        "SignatureVerifier",
        "Signer",
        "generate_key",
        "import_key",
    ),
    "ssi.methods": (
        "default_methods",
        "dereference",
        "resolve",
        "resolve_representation",
    ),
    "ssi.proofs": ("SuiteRegistry",),
    "ssi.types": (
        "JsonObject",
        "JsonValue",
    ),
}
"""The module each public name is re-exported from."""

_MODULE_OF: dict[str, str] = {
    name: module for module, names in _EXPORTS.items() for name in names
}

__all__ = [
    "DID",
    "DIDURL",
    "BundledLoader",
    "CanonicalizationError",
    "Check",
    "ContentID",
    "CredentialError",
    "CredentialRevokedError",
    "CredentialSuspendedError",
    "CryptographicSecurityError",
    "DIDDeactivatedError",
    "DIDDocument",
    "DIDError",
    "DIDMethod",
    "DIDNotFoundError",
    "DereferencingResult",
    "DocumentLoadError",
    "DocumentLoader",
    "DuplicityError",
    "EncodingError",
    "FixedClock",
    "HolderBindingError",
    "InvalidAliasError",
    "InvalidCIDError",
    "InvalidChallengeError",
    "InvalidDIDDocumentError",
    "InvalidDIDError",
    "InvalidDIDLogError",
    "InvalidDIDURLError",
    "InvalidDomainError",
    "InvalidProofPurposeError",
    "InvalidPublicKeyError",
    "InvalidPublicKeyLengthError",
    "InvalidResolutionOptionsError",
    "InvalidRoleError",
    "InvalidSecretKeyError",
    "InvalidSignatureError",
    "InvalidVerificationMethodURLError",
    "JsonObject",
    "JsonValue",
    "KeyMaterialError",
    "KeyPair",
    "KeyType",
    "LocalSigner",
    "LogTooLargeError",
    "MalformedValueError",
    "MethodNotSupportedError",
    "MethodRegistry",
    "ParsingError",
    "PassphraseTooShortError",
    "Problem",
    "ProofError",
    "ProofGenerationError",
    "ProofTransformationError",
    "ProofVerificationError",
    "PublicKey",
    "RecordConflictError",
    "RecordNotFoundError",
    "RecordTooLargeError",
    "RemoteDocument",
    "ReportWarning",
    "RepresentationNotSupportedError",
    "RepresentationResult",
    "ResolutionResult",
    "Resolver",
    "ResolverInternalError",
    "SSIError",
    "Service",
    "SignatureVerifier",
    "Signer",
    "StatusChecker",
    "StatusError",
    "StatusListFullError",
    "StatusListLengthError",
    "StatusRangeError",
    "StatusRetrievalError",
    "StatusVerificationError",
    "SuiteRegistry",
    "TransportError",
    "UnsupportedAlgorithmError",
    "UnsupportedCryptosuiteError",
    "UnsupportedPublicKeyTypeError",
    "ValidityRangeError",
    "VerificationFailedError",
    "VerificationMethod",
    "VerificationReport",
    "Verifier",
    "WalletAccessError",
    "WalletCorruptedError",
    "WalletError",
    "WalletExistsError",
    "WalletNotFoundError",
    "WalletTamperedError",
    "WalletVersionError",
    "WrongPassphraseError",
    "__version__",
    "blob_cid",
    "canonicalize_jcs",
    "canonicalize_rdfc",
    "default_methods",
    "dereference",
    "did_jwk",
    "did_key",
    "generate_key",
    "import_key",
    "issue",
    "object_cid",
    "parse_cid",
    "parse_did",
    "parse_did_url",
    "present",
    "resolve",
    "resolve_representation",
    "signer",
    "verify",
    "verify_presentation",
]


def __getattr__(name: str) -> object:
    """Import a public name on first use and keep it in the module.

    Raises:
        AttributeError: ``name`` is not part of the public API.
    """
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'ssi' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the public names with the module's own, as if all were imported."""
    return sorted(set(globals()) | set(__all__))
