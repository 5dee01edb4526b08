"""DID method drivers of this layer: did:key and did:jwk.

Nothing registers itself on import. :func:`core_methods` returns the drivers
that need nothing but a key (the default of ``Resolver()``); the complete set
the library ships, did:agora with its log sources included, is built by
``ssi.methods.default_methods(...)``.
"""

from ssi.did.methods.jwk import JWKMethod, did_jwk, did_jwk_document
from ssi.did.methods.key import KeyMethod, did_key, did_key_document
from ssi.did.results import DIDMethod

__all__ = [
    "JWKMethod",
    "KeyMethod",
    "core_methods",
    "did_jwk",
    "did_jwk_document",
    "did_key",
    "did_key_document",
]


def core_methods() -> list[DIDMethod]:
    """Return a fresh driver for did:key and for did:jwk.

    Spec: https://w3c-ccg.github.io/did-method-key/,
    https://github.com/quartzjer/did-jwk/blob/main/spec.md
    """
    return [KeyMethod(), JWKMethod()]
