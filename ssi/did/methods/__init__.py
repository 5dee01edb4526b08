"""DID method drivers: did:key and did:jwk."""

from collections.abc import Callable

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
    "register_default_method",
]


_EXTRA: list[Callable[[], DIDMethod]] = []


def register_default_method(factory: Callable[[], DIDMethod]) -> None:
    """Add a method to every default registry made from now on.

    Layers above DIDs that bring a method of their own (did:agora, which signs
    its log with Data Integrity proofs) plug in here, so ``ssi.resolve``
    knows them without this layer importing theirs.
    """
    if factory not in _EXTRA:
        _EXTRA.append(factory)


def default_methods() -> list[DIDMethod]:
    """Return a fresh driver for each method the library ships."""
    return [KeyMethod(), JWKMethod(), *(factory() for factory in _EXTRA)]
