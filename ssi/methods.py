"""The DID method set the library ships, built explicitly, and its resolver.

No DID method registers itself on import: :func:`default_methods` builds the
set (did:key, did:jwk and did:agora with the log sources given), the CLI and
services call it with their own sources, and :func:`resolve` is the shortcut
over a process-wide resolver built from it once (did:agora then finds logs
only in the ``log`` option).

The layers below (``ssi.did``, ``ssi.proofs``, ``ssi.credentials``) default
to did:key and did:jwk (``ssi.did.methods.core_methods``); pass
``resolver=Resolver(default_methods(agora_sources=...))`` to verify what
did:agora DIDs sign.

Spec: https://www.w3.org/TR/did-resolution/#resolving, docs/did-agora.md
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from ssi.agora.method import AgoraMethod, LogSource
from ssi.did.methods import JWKMethod, KeyMethod
from ssi.did.resolution import MethodRegistry, Resolver
from ssi.did.results import (
    DID_JSON,
    DereferencingResult,
    RepresentationResult,
    ResolutionResult,
)
from ssi.types import JsonValue

__all__ = [
    "default_methods",
    "default_resolver",
    "dereference",
    "resolve",
    "resolve_representation",
]


def default_methods(
    *,
    agora_sources: Iterable[LogSource] = (),
    agora_clock: Callable[[], datetime] | None = None,
    agora_skew: timedelta = timedelta(minutes=5),
) -> MethodRegistry:
    """Build the method set the library ships: did:key, did:jwk, did:agora.

    Args:
        agora_sources: where did:agora logs are found besides the ``log``
            option (``FileLogSource(folder)``, a wallet's log source). Give
            sources that pickle (paths, not open wallets) for a resolver
            that is shipped to worker processes.
        agora_clock: the time did:agora refuses entries from the future
            against (default: the system clock).
        agora_skew: tolerance for clocks that drift.

    Spec: https://www.w3.org/TR/did-resolution/#resolving, docs/did-agora.md

    Returns:
        A fresh registry; each call makes new drivers.
    """
    return MethodRegistry(
        [
            KeyMethod(),
            JWKMethod(),
            AgoraMethod(agora_sources, clock=agora_clock, skew=agora_skew),
        ]
    )


_default_lock = threading.Lock()
_default: Resolver | None = None


def default_resolver() -> Resolver:
    """Return the process-wide resolver over :func:`default_methods` (no sources).

    Spec: https://www.w3.org/TR/did-resolution/#resolving
    """
    global _default
    with _default_lock:
        if _default is None:
            _default = Resolver(default_methods())
        return _default


def resolve(did: str, **options: JsonValue) -> ResolutionResult:
    """Resolve ``did`` with the default method set; see :meth:`Resolver.resolve`.

    ``ssi.resolve("did:agora:...", log=entries)`` resolves a did:agora DID
    from the log given.

    Spec: https://www.w3.org/TR/did-resolution/#resolving
    """
    return default_resolver().resolve(did, **options)


def resolve_representation(
    did: str, *, accept: str = DID_JSON, **options: JsonValue
) -> RepresentationResult:
    """Resolve ``did`` to document bytes; see :meth:`Resolver.resolve_representation`.

    Spec: https://www.w3.org/TR/did-resolution/#resolving
    """
    return default_resolver().resolve_representation(did, accept=accept, **options)


def dereference(did_url: str, **options: JsonValue) -> DereferencingResult:
    """Dereference ``did_url`` with the default method set; see
    :meth:`Resolver.dereference`.

    Spec: https://www.w3.org/TR/did-resolution/#dereferencing
    """
    return default_resolver().dereference(did_url, **options)
