"""Drive didkit (Spruce's Rust SSI library, PyPI ``didkit==0.3.3``) as a peer.

didkit 0.3.x exposes JSON-in, JSON-out functions, most of them coroutines
that run on a Tokio runtime inside the extension module. This module wraps
them in small synchronous functions over Python dicts, so that interop tests
read like the rest of the suite:

- ``generate_ed25519_key()`` and ``key_to_did(method, jwk)`` are plain
  functions; ``key_to_verification_method``, ``issue_credential``,
  ``verify_credential``, ``issue_presentation``, ``verify_presentation``,
  ``resolve_did``, ``dereference_did_url`` and ``did_auth`` are ``async``.
- Every argument and result is a JSON string; bad input raises the builtin
  ``ValueError`` (or ``didkit.DIDKitException``), which we re-raise as
  :class:`DIDKitPeerError`.
- Verification returns ``{"checks": [...], "warnings": [...], "errors": [...]}``
  and never raises for a bad signature.

didkit bundles the JSON-LD contexts it knows and never fetches one, so
everything here works offline.

didkit 0.3.3 can abort the interpreter at exit ("PyGILState_Release: thread
state ... must be current when releasing", or a segmentation fault) when a
Tokio worker thread still drops Python objects while Python finalises; in a
short process that ran a few calls this happened about one time in seven.
Importing this module registers an ``atexit`` hook that gives those threads a
moment to finish first, which removed the crash in our runs.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeAlias, TypeVar

JsonObject: TypeAlias = dict[str, Any]
T = TypeVar("T")

__all__ = [
    "DIDKIT_VERSION",
    "DIDKitPeerError",
    "JsonObject",
    "available",
    "did_key_for",
    "generate_ed25519_jwk",
    "issue_presentation",
    "issue_v1",
    "public_jwk",
    "verification_method_for",
    "verify",
    "verify_presentation",
    "version",
]

DIDKIT_VERSION = "0.3.3"
"""The didkit release this wrapper was written and checked against."""

_EXIT_GRACE_SECONDS = 0.1

_didkit: Any
try:
    import didkit as _didkit
except ImportError:  # pragma: no cover - depends on the environment
    _didkit = None
else:
    atexit.register(time.sleep, _EXIT_GRACE_SECONDS)


class DIDKitPeerError(Exception):
    """didkit rejected its input or failed to sign."""


def available() -> bool:
    """Return whether the didkit module can be imported."""
    return _didkit is not None


def version() -> str:
    """Return the version string reported by the installed didkit."""
    return str(_module().get_version())


def generate_ed25519_jwk() -> JsonObject:
    """Generate a fresh Ed25519 key as a private OKP JWK."""
    jwk: JsonObject = json.loads(_module().generate_ed25519_key())
    return jwk


def public_jwk(jwk: JsonObject) -> JsonObject:
    """Return the public part of an OKP JWK (drops ``d``)."""
    return {name: value for name, value in jwk.items() if name != "d"}


def did_key_for(jwk: JsonObject) -> str:
    """Return the ``did:key`` DID of a JWK, as didkit derives it."""
    key = json.dumps(jwk)
    try:
        return str(_module().key_to_did("key", key))
    except DIDKitPeerError:
        raise
    except Exception as exc:
        raise DIDKitPeerError(str(exc)) from exc


def verification_method_for(jwk: JsonObject) -> str:
    """Return the ``did:key`` verification method URL (``did:key:z…#z…``) of a JWK."""
    key = json.dumps(jwk)
    return str(_run(lambda: _module().key_to_verification_method("key", key)))


def issue_v1(
    credential: JsonObject,
    jwk: JsonObject,
    *,
    proof_type: str = "Ed25519Signature2020",
    created: datetime | None = None,
) -> JsonObject:
    """Sign a VC Data Model 1.1 credential with didkit for ``assertionMethod``.

    The verification method is the ``did:key`` of ``jwk``. With
    ``Ed25519Signature2020`` didkit writes ``@context:
    ["https://w3id.org/security/suites/ed25519-2020/v1"]`` inside the proof
    unless the credential's own ``@context`` already lists it. Without
    ``created`` didkit stamps the current time with milliseconds.
    """
    options: JsonObject = {
        "type": proof_type,
        "proofPurpose": "assertionMethod",
        "verificationMethod": verification_method_for(jwk),
    }
    if created is not None:
        options["created"] = _format_created(created)
    args = json.dumps(credential), json.dumps(options), json.dumps(jwk)
    return _as_object(_run(lambda: _module().issue_credential(*args)))


def verify(vc: JsonObject, *, proof_purpose: str = "assertionMethod") -> JsonObject:
    """Verify a credential with didkit and return its result object.

    The result has ``checks``, ``warnings`` and ``errors`` lists; the
    credential verified if and only if ``errors`` is empty and ``checks``
    contains ``"proof"``.
    """
    args = json.dumps(vc), json.dumps({"proofPurpose": proof_purpose})
    return _as_object(_run(lambda: _module().verify_credential(*args)))


def issue_presentation(
    presentation: JsonObject,
    jwk: JsonObject,
    *,
    challenge: str,
    domain: str | None = None,
    proof_type: str = "Ed25519Signature2020",
    proof_purpose: str = "authentication",
    created: datetime | None = None,
) -> JsonObject:
    """Sign a VC Data Model 1.1 presentation with didkit, bound to a challenge."""
    options: JsonObject = {
        "type": proof_type,
        "proofPurpose": proof_purpose,
        "verificationMethod": verification_method_for(jwk),
        "challenge": challenge,
    }
    if domain is not None:
        options["domain"] = domain
    if created is not None:
        options["created"] = _format_created(created)
    args = json.dumps(presentation), json.dumps(options), json.dumps(jwk)
    return _as_object(_run(lambda: _module().issue_presentation(*args)))


def verify_presentation(
    vp: JsonObject,
    *,
    challenge: str | None = None,
    domain: str | None = None,
    proof_purpose: str = "authentication",
) -> JsonObject:
    """Verify a presentation's own proof with didkit and return its result object.

    didkit checks ``challenge`` and ``domain`` only when they are given here: a
    proof carrying a challenge still verifies when none is asked for. It does
    not verify the embedded credentials; call :func:`verify` on each.
    """
    options: JsonObject = {"proofPurpose": proof_purpose}
    if challenge is not None:
        options["challenge"] = challenge
    if domain is not None:
        options["domain"] = domain
    args = json.dumps(vp), json.dumps(options)
    return _as_object(_run(lambda: _module().verify_presentation(*args)))


def _module() -> Any:
    if _didkit is None:
        raise DIDKitPeerError("didkit is not installed")
    return _didkit


def _format_created(created: datetime) -> str:
    if created.tzinfo is None:
        raise ValueError("created must be timezone-aware")
    return created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _run(make: Callable[[], Awaitable[T]]) -> T:
    # didkit's coroutines need a running event loop when they are created, so
    # they are made inside it; arguments are serialised by the caller, so only
    # didkit's own failures are translated here.
    async def main() -> T:
        return await make()

    try:
        return asyncio.run(main())
    except DIDKitPeerError:
        raise
    except Exception as exc:
        raise DIDKitPeerError(str(exc)) from exc


def _as_object(text: object) -> JsonObject:
    value = json.loads(str(text))
    if not isinstance(value, dict):
        raise DIDKitPeerError("didkit returned JSON that is not an object")
    return value
