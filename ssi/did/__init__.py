"""DIDs: syntax, DID documents and document-level DID URL dereferencing.

Spec: https://www.w3.org/TR/did-core/
"""

from ssi.did.dereference import dereference_in_document
from ssi.did.document import RELATIONSHIPS, DIDDocument, Service, VerificationMethod
from ssi.did.syntax import (
    DID,
    DID_PARAMETERS,
    DIDURL,
    MAX_DID_LENGTH,
    is_did,
    is_did_url,
    parse_did,
    parse_did_url,
    resolve_relative,
)

__all__ = [
    "DID",
    "DIDURL",
    "DID_PARAMETERS",
    "MAX_DID_LENGTH",
    "RELATIONSHIPS",
    "DIDDocument",
    "Service",
    "VerificationMethod",
    "dereference_in_document",
    "is_did",
    "is_did_url",
    "parse_did",
    "parse_did_url",
    "resolve_relative",
]
