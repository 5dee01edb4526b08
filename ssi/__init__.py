"""Agora's SSI library: keys, DIDs, resolution, JSON-LD and (soon) credentials.

The curated public API; everything here is re-exported from a private module.

Example:
    >>> import ssi
    >>> key = ssi.generate_key("Ed25519")
    >>> ssi.resolve(ssi.did_key(key)).ok
    True
"""

from ssi.did.document import DIDDocument, Service, VerificationMethod
from ssi.did.methods import did_jwk, did_key
from ssi.did.resolution import (
    DereferencingResult,
    DIDMethod,
    MethodRegistry,
    RepresentationResult,
    ResolutionResult,
    Resolver,
    dereference,
    resolve,
    resolve_representation,
)
from ssi.did.syntax import DID, DIDURL, parse_did, parse_did_url
from ssi.errors import (
    CanonicalizationError,
    CredentialError,
    DIDError,
    DIDNotFoundError,
    DocumentLoadError,
    EncodingError,
    InvalidDIDDocumentError,
    InvalidDIDError,
    InvalidDIDURLError,
    InvalidPublicKeyError,
    InvalidPublicKeyLengthError,
    InvalidResolutionOptionsError,
    InvalidSecretKeyError,
    InvalidSignatureError,
    KeyMaterialError,
    MethodNotSupportedError,
    ProofError,
    ProofGenerationError,
    ProofVerificationError,
    RepresentationNotSupportedError,
    ResolverInternalError,
    SSIError,
    TransportError,
    UnsupportedAlgorithmError,
    UnsupportedPublicKeyTypeError,
)
from ssi.jsonld.canon import canonicalize_jcs, canonicalize_rdfc
from ssi.jsonld.loader import BundledLoader, DocumentLoader, RemoteDocument
from ssi.keys import (
    KeyPair,
    KeyType,
    LocalSigner,
    PublicKey,
    Signer,
    Verifier,
    generate_key,
    import_key,
)
from ssi.types import JsonObject, JsonValue

__version__ = "0.1.0"

__all__ = [
    "DID",
    "DIDURL",
    "BundledLoader",
    "CanonicalizationError",
    "CredentialError",
    "DIDDocument",
    "DIDError",
    "DIDMethod",
    "DIDNotFoundError",
    "DereferencingResult",
    "DocumentLoadError",
    "DocumentLoader",
    "EncodingError",
    "InvalidDIDDocumentError",
    "InvalidDIDError",
    "InvalidDIDURLError",
    "InvalidPublicKeyError",
    "InvalidPublicKeyLengthError",
    "InvalidResolutionOptionsError",
    "InvalidSecretKeyError",
    "InvalidSignatureError",
    "JsonObject",
    "JsonValue",
    "KeyMaterialError",
    "KeyPair",
    "KeyType",
    "LocalSigner",
    "MethodNotSupportedError",
    "MethodRegistry",
    "ProofError",
    "ProofGenerationError",
    "ProofVerificationError",
    "PublicKey",
    "RemoteDocument",
    "RepresentationNotSupportedError",
    "RepresentationResult",
    "ResolutionResult",
    "Resolver",
    "ResolverInternalError",
    "SSIError",
    "Service",
    "Signer",
    "TransportError",
    "UnsupportedAlgorithmError",
    "UnsupportedPublicKeyTypeError",
    "VerificationMethod",
    "Verifier",
    "__version__",
    "canonicalize_jcs",
    "canonicalize_rdfc",
    "dereference",
    "did_jwk",
    "did_key",
    "generate_key",
    "import_key",
    "parse_did",
    "parse_did_url",
    "resolve",
    "resolve_representation",
]
