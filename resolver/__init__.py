"""DID resolution for applications and services, over the methods in :mod:`ssi`.

The resolving machinery (method registry, TTL cache, representations) lives in
:mod:`ssi.did.resolution` so that ``ssi.resolve`` works without this package;
this package is the home of the resolver service and remote drivers, and
re-exports the library API under one name. The service itself
(:mod:`resolver.service`) needs FastAPI (the ``hub`` extra) and is not
imported here; the binding's media types and status table
(:mod:`resolver.binding`) and the client of a remote resolver
(:mod:`resolver.remote`) are.

Spec: https://www.w3.org/TR/did-resolution/
"""

from resolver.binding import (
    DID_RESOLUTION,
    DID_RESOLUTION_LD,
    STATUS_FOR_ERROR,
    negotiate,
    status_for,
)
from resolver.remote import (
    identifier_url,
    resolve_remote,
    resolve_remote_representation,
)
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
    "DID_RESOLUTION",
    "DID_RESOLUTION_LD",
    "STATUS_FOR_ERROR",
    "DIDMethod",
    "MethodRegistry",
    "RepresentationResult",
    "ResolutionResult",
    "Resolver",
    "default_methods",
    "default_resolver",
    "identifier_url",
    "negotiate",
    "resolve",
    "resolve_remote",
    "resolve_remote_representation",
    "resolve_representation",
    "status_for",
]
