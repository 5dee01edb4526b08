"""DID method drivers: did:key and did:jwk."""

from ssi.did.methods.jwk import JWKMethod, did_jwk, did_jwk_document
from ssi.did.methods.key import KeyMethod, did_key, did_key_document
from ssi.did.resolution import DIDMethod

__all__ = [
    "JWKMethod",
    "KeyMethod",
    "default_methods",
    "did_jwk",
    "did_jwk_document",
    "did_key",
    "did_key_document",
]


def default_methods() -> list[DIDMethod]:
    """Return a fresh driver for each method the library ships."""
    return [KeyMethod(), JWKMethod()]
