"""The hub's W3C VC-API endpoints: verify credentials and presentations, and
issue credentials when the hub is configured as an issuer.

- ``POST /credentials/verify``: body ``{"verifiableCredential": {...},
  "options": {...}}``;
- ``POST /presentations/verify``: body ``{"verifiablePresentation": {...},
  "options": {"challenge": ..., "domain": ...}}``;

both answer with a verification result ``{"verified", "checks", "warnings",
"errors", "problemDetails"}``: 200 when verified, 400 when not (the body says
why: ``errors`` holds the problem codes, ``problemDetails`` the VC 2.0 problem
details). Verification uses the hub's own verifier (its DID methods and
trusted did:agora logs) and never fails with a 500 for bad data.

- ``POST /credentials/issue``: body ``{"credential": {...}, "options": {}}``,
  answer 201 ``{"verifiableCredential": {...}}``. Only when the hub settings
  carry ``issuer`` and ``token`` (else 404, as for any unknown path); the
  request must carry ``Authorization: Bearer <token>`` (else 401), compared in
  constant time. The signing key comes from the wallet in ``AGORA_HOME``
  opened with ``AGORA_PASSPHRASE`` (read once, when the first credential is
  issued); ``issuer`` is the DID or alias of a DID of that wallet.

The router reads the hub's state from ``request.app.state.hub`` (a
``hub.state.HubState``: ``settings.issuer``, ``settings.token``,
``verifier``).

Spec: https://w3c-ccg.github.io/vc-api/, docs/hub.md (VC-API)
"""

from __future__ import annotations

import hmac
import os
import threading
from dataclasses import dataclass
from http import HTTPStatus
from typing import Final, Protocol

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ssi.credentials import Verifier, issue
from ssi.credentials.report import VerificationReport
from ssi.errors import SSIError
from ssi.home import HOME_ENV, default_home
from ssi.keys import LocalSigner
from ssi.types import JsonObject, JsonValue
from ssi.wallet import Wallet

__all__ = ["PASSPHRASE_ENV", "router", "verification_result"]

PASSPHRASE_ENV: Final = "AGORA_PASSPHRASE"  # noqa: S105 - a variable's name
"""The environment variable holding the passphrase of the issuer's wallet."""

_PROBLEM_MEDIA_TYPE: Final = "application/problem+json"
_PROBLEM_TYPE_BASE: Final = "https://w3id.org/agora/problems#"
_SUITES: Final = {"Ed25519": "eddsa-jcs-2022", "P-256": "ecdsa-jcs-2019"}


class _Settings(Protocol):
    @property
    def issuer(self) -> str | None: ...

    @property
    def token(self) -> str | None: ...


class _State(Protocol):
    @property
    def settings(self) -> _Settings: ...

    @property
    def verifier(self) -> Verifier: ...


def _state(request: Request) -> _State:
    state = getattr(request.app.state, "hub", None)
    if state is None:
        raise RuntimeError("this app has no hub state")
    return state  # type: ignore[no-any-return]


def _problem(status: int, code: str, detail: str) -> JSONResponse:
    """An RFC 9457 problem, shaped as the hub's other errors."""
    body: JsonObject = {
        "type": _PROBLEM_TYPE_BASE + code,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(
        body, status_code=status, media_type=_PROBLEM_MEDIA_TYPE, headers=headers
    )


def verification_result(report: VerificationReport) -> JsonObject:
    """Return a verification report as the VC-API's verification result.

    ``checks`` names the checks that ran, ``warnings`` the warnings,
    ``errors`` the precise code of each problem (of the presentation and of
    the credentials in it), ``problemDetails`` the problems as VC 2.0 problem
    details.

    Spec: https://w3c-ccg.github.io/vc-api/#verify-credential,
    https://www.w3.org/TR/vc-data-model-2.0/#problem-details
    """
    checks = [check.name for check in report.checks]
    for inner in report.credentials:
        checks += [f"credential.{check.name}" for check in inner.checks]
    warnings: list[JsonValue] = [str(w) for w in report.warnings]
    for inner in report.credentials:
        warnings += [str(w) for w in inner.warnings]
    problems = report.all_problems()
    return {
        "verified": report.verified,
        "checks": list(dict.fromkeys(checks)),
        "warnings": warnings,
        "errors": [problem.error.code for problem in problems],
        "problemDetails": [problem.to_json() for problem in problems],
    }


def _verified(report: VerificationReport) -> JSONResponse:
    return JSONResponse(verification_result(report), 200 if report.verified else 400)


def _body_object(body: JsonValue, member: str) -> JsonObject | JSONResponse:
    if not isinstance(body, dict) or not isinstance(body.get(member), dict):
        return _problem(400, "badRequest", f"the body needs a {member} object.")
    options = body.get("options", {})
    if not isinstance(options, dict):
        return _problem(400, "badRequest", "options must be an object.")
    return body


async def _json(request: Request) -> JsonValue | JSONResponse:
    try:
        value: JsonValue = await request.json()
    except ValueError:
        return _problem(400, "badRequest", "the body is not JSON.")
    return value


def _option(options: JsonValue, name: str) -> str | JSONResponse | None:
    value = options.get(name) if isinstance(options, dict) else None
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        return _problem(400, "badRequest", f"options.{name} must be a string.")
    return value


@dataclass
class _Issuer:
    """The issuing DID's signer, loaded once from the wallet."""

    did: str
    signer: LocalSigner
    suite: str


class _IssuerCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: dict[str, _Issuer] = {}

    def get(self, reference: str) -> _Issuer:
        """Raises: SSIError from the wallet (not found, wrong passphrase, ...)."""
        with self._lock:
            loaded = self._loaded.get(reference)
            if loaded is None:
                loaded = _load_issuer(reference)
                self._loaded[reference] = loaded
            return loaded


def _load_issuer(reference: str) -> _Issuer:
    home = os.environ.get(HOME_ENV) or str(default_home())
    passphrase = os.environ.get(PASSPHRASE_ENV)
    if not passphrase:
        raise LookupError(f"{PASSPHRASE_ENV} is not set")
    wallet = Wallet.open(home, passphrase)
    record = wallet.did(reference)
    key_type = wallet.key(record.key_id).key_type
    suite = _SUITES.get(key_type)
    if suite is None:
        raise LookupError(f"no shipped cryptosuite signs with {key_type} keys")
    return _Issuer(record.did, wallet.signer(record.did), suite)


def _issuer_of(credential: JsonObject) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _authorized(request: Request, token: str) -> bool:
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    expected = token.encode("utf-8")
    offered = given.strip().encode("utf-8")
    return hmac.compare_digest(offered, expected) and scheme.lower() == "bearer"


def router() -> APIRouter:
    """Return the VC-API routes, to include in the hub's app.

    Spec: https://w3c-ccg.github.io/vc-api/, docs/hub.md (VC-API)
    """
    routes = APIRouter(tags=["VC-API"])
    issuers = _IssuerCache()

    @routes.post("/credentials/verify", summary="Verify a credential (VC-API)")
    async def verify_credential(request: Request) -> JSONResponse:
        body = await _json(request)
        if isinstance(body, JSONResponse):
            return body
        checked = _body_object(body, "verifiableCredential")
        if isinstance(checked, JSONResponse):
            return checked
        verifier = _state(request).verifier
        report = await run_in_threadpool(
            verifier.verify, checked["verifiableCredential"]
        )
        return _verified(report)

    @routes.post("/presentations/verify", summary="Verify a presentation (VC-API)")
    async def verify_presentation(request: Request) -> JSONResponse:
        body = await _json(request)
        if isinstance(body, JSONResponse):
            return body
        checked = _body_object(body, "verifiablePresentation")
        if isinstance(checked, JSONResponse):
            return checked
        options = checked.get("options", {})
        challenge = _option(options, "challenge")
        domain = _option(options, "domain")
        if isinstance(challenge, JSONResponse):
            return challenge
        if isinstance(domain, JSONResponse):
            return domain
        verifier = _state(request).verifier
        report = await run_in_threadpool(
            verifier.verify_presentation,
            checked["verifiablePresentation"],
            challenge=challenge if challenge is not None else False,
            domain=domain if domain is not None else False,
        )
        return _verified(report)

    @routes.post(
        "/credentials/issue",
        summary="Issue a credential (VC-API; only on a hub configured to issue)",
        status_code=201,
    )
    async def issue_credential(request: Request) -> JSONResponse:
        settings = _state(request).settings
        if not settings.issuer or not settings.token:
            return _problem(404, "notFound", "this hub does not issue credentials.")
        if not _authorized(request, settings.token):
            return _problem(401, "unauthorized", "a valid bearer token is needed.")
        body = await _json(request)
        if isinstance(body, JSONResponse):
            return body
        checked = _body_object(body, "credential")
        if isinstance(checked, JSONResponse):
            return checked
        try:
            issuer = await run_in_threadpool(issuers.get, settings.issuer)
        except (SSIError, LookupError) as exc:
            detail = getattr(exc, "detail", None) or str(exc)
            return _problem(503, "issuerUnavailable", f"cannot sign: {detail}")
        credential = dict(checked["credential"])
        named = _issuer_of(credential)
        if "issuer" not in credential:
            credential["issuer"] = issuer.did
        elif named != issuer.did:
            return _problem(
                400, "invalidIssuer", f"this hub issues as {issuer.did} only."
            )
        try:
            signed = await run_in_threadpool(
                lambda: issue(credential, issuer.signer, suite=issuer.suite)
            )
        except SSIError as exc:
            return _problem(400, exc.code, exc.detail)
        return JSONResponse({"verifiableCredential": signed}, 201)

    return routes
