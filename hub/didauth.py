"""DID authentication for hub inboxes: a presentation answering a challenge
of the hub, or a bearer token it was exchanged for.

The presentation's ``holder`` is the inbox's DID, and its proof
(``proofPurpose`` authentication) carries a challenge this hub issued for
that inbox, unused and unexpired, and the hub's domain; it is verified with
the hub's verifier, so its key must be in the DID's ``authentication``.
A challenge is used once (atomically, in the mailbox). Every refusal is an
:class:`~ssi.errors.InboxAuthenticationError` whose ``code`` names the
check (its ``status`` is 401, or 403 for another DID's token).

Test seam: ``app.state.inbox_clock`` (Unix seconds) replaces the clock.

Spec: docs/hub.md (Inbox: authentication)
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Final

from fastapi import Request

from hub.inbox_terms import CHALLENGE_SECONDS, TOKEN_SECONDS
from hub.mailbox import hub_mailbox
from hub.state import hub_state
from ssi.credentials.json_input import load_json
from ssi.encoding import decode_base64url
from ssi.errors import (
    DIDError,
    InboxAuthenticationError,
    InvalidProofPurposeError,
    InvalidVerificationMethodURLError,
    SSIError,
)
from ssi.types import JsonObject, JsonValue

__all__ = [
    "CHALLENGE_SECONDS",
    "TOKEN_SECONDS",
    "WWW_AUTHENTICATE",
    "authenticate",
    "hub_domain",
    "request_time",
    "token_digest",
]

WWW_AUTHENTICATE: Final = 'DIDAuth realm="inbox", Bearer realm="inbox"'
"""The ``WWW-Authenticate`` header of a 401 answer."""

_KEY_REFUSED: Final = (InvalidProofPurposeError, InvalidVerificationMethodURLError)
"""Errors that say the proof's key is not one the DID authenticates with."""


def hub_domain(request: Request) -> str:
    """Return the domain presentations must carry: the ``domain`` setting,
    else the origin the request was addressed to (``http://host:port``).

    Spec: docs/hub.md (Inbox: authentication)
    """
    configured = hub_state(request).settings.domain
    if configured:
        return configured
    url = request.base_url
    return f"{url.scheme}://{url.netloc}"


def request_time(request: Request) -> float:
    """Return the time of a request (Unix seconds): ``app.state.inbox_clock``
    when set, else the system's."""
    clock: Callable[[], float] = getattr(request.app.state, "inbox_clock", time.time)
    return float(clock())


def _refuse(code: str, detail: str, status: int = 401) -> InboxAuthenticationError:
    return InboxAuthenticationError(detail, code=code, status=status)


def _holder(presentation: JsonObject) -> str | None:
    holder = presentation.get("holder")
    if isinstance(holder, dict):
        holder = holder.get("id")
    return holder if isinstance(holder, str) else None


def _proof_values(presentation: JsonObject) -> tuple[str, str]:
    proof: JsonValue = presentation.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict):
        raise _refuse("invalidPresentation", "the presentation has not one proof.")
    challenge, domain = proof.get("challenge"), proof.get("domain")
    if not isinstance(challenge, str) or not isinstance(domain, str):
        raise _refuse(
            "invalidPresentation",
            "the presentation's proof carries no challenge or no domain string.",
        )
    return challenge, domain


def _decode_presentation(encoded: str) -> JsonObject:
    try:
        value = load_json(decode_base64url(encoded.strip()), max_bytes=64 * 1024)
    except SSIError as exc:
        raise _refuse(
            "invalidPresentation",
            "the DIDAuth credentials are not base64url of a JSON presentation.",
        ) from exc
    if not isinstance(value, dict):
        raise _refuse("invalidPresentation", "the presentation is not an object.")
    return value


def _authenticate_presentation(request: Request, did: str, encoded: str) -> None:
    """Check a DIDAuth answer for ``did``'s inbox; use its challenge."""
    state = hub_state(request)
    mailbox = hub_mailbox(state)
    presentation = _decode_presentation(encoded)
    if _holder(presentation) != did:
        raise _refuse("wrongHolder", f"the presentation's holder is not {did[:120]}.")
    challenge, domain = _proof_values(presentation)
    expected_domain = hub_domain(request)
    if domain != expected_domain:
        raise _refuse(
            "wrongDomain",
            f"the presentation was made for another domain, not {expected_domain}.",
        )
    now = request_time(request)
    issued = mailbox.challenge(challenge)
    if issued is None or issued.did != did:
        raise _refuse(
            "unknownChallenge", "this hub issued no such challenge for this inbox."
        )
    if issued.used:
        raise _refuse("challengeReplayed", "this challenge was answered already.")
    if issued.expires < now:
        raise _refuse("challengeExpired", "this challenge has expired.")
    report = state.verifier.verify_presentation(
        presentation, challenge=challenge, domain=expected_domain
    )
    if not report.verified:
        errors = [item.error for item in report.all_problems()]
        if any(isinstance(error, _KEY_REFUSED) for error in errors):
            raise _refuse(
                "keyNotAuthorized",
                f"the proof's key is not in the authentication of {did[:120]}.",
            )
        if any(isinstance(error, DIDError) for error in errors):
            raise _refuse(
                "unresolvableDid", f"{did[:120]} or its key cannot be resolved here."
            )
        raise _refuse("invalidPresentation", "the presentation does not verify.")
    if not mailbox.use_challenge(challenge, did, now=now):
        raise _refuse("challengeReplayed", "this challenge was answered already.")


def token_digest(token: str) -> str:
    """Return what the mailbox keeps of a bearer token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def authenticate(request: Request, did: str, *, bearer: bool = True) -> None:
    """Let a request through only if it proves it speaks for ``did``.

    Spec: docs/hub.md (Inbox: authentication)

    Raises:
        InboxAuthenticationError: 401 (403 for another DID's token).
    """
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    scheme = scheme.lower()
    if scheme == "didauth" and credentials.strip():
        _authenticate_presentation(request, did, credentials)
        return
    if scheme == "bearer" and bearer and credentials.strip():
        state = hub_state(request)
        owner = hub_mailbox(state).token_did(
            token_digest(credentials.strip()), now=request_time(request)
        )
        if owner is None:
            raise _refuse("invalidToken", "the bearer token is unknown or expired.")
        if owner != did:
            raise _refuse(
                "notYourInbox", "this token is for another inbox.", status=403
            )
        return
    raise _refuse(
        "authenticationRequired",
        "this inbox needs DID authentication (DIDAuth)"
        + (" or a bearer token." if bearer else "."),
    )
