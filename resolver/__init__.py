"""DID resolution for applications and services, over the methods in :mod:`ssi`.

The resolving machinery (method registry, TTL cache, representations) lives in
:mod:`ssi.did.resolution` so that ``ssi.resolve`` works without this package;
this package is the home of the resolver service and remote drivers, and
re-exports the library API under one name.

Spec: https://www.w3.org/TR/did-resolution/
"""

from ssi.did.resolution import (
    DID_JSON,
    DID_LD_JSON,
    DIDMethod,
    MethodRegistry,
    RepresentationResult,
    ResolutionResult,
    Resolver,
)
from ssi.methods import (
    default_methods,
    default_resolver,
    resolve,
    resolve_representation,
)

__all__ = [
    "DID_JSON",
    "DID_LD_JSON",
    "DIDMethod",
    "MethodRegistry",
    "RepresentationResult",
    "ResolutionResult",
    "Resolver",
    "default_methods",
    "default_resolver",
    "resolve",
    "resolve_representation",
]
