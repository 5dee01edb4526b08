"""RFC 9457 problem details: every error the hub answers with is one.

:func:`problem` builds a response; :func:`install_problem_handlers` makes
FastAPI's own errors (404, 405, 422, 500 and any ``HTTPException``) and the
library's :class:`ssi.errors.SSIError` answer with problems too, never with a
traceback.

Spec: docs/hub.md (Errors), https://www.rfc-editor.org/rfc/rfc9457
"""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ssi.errors import (
    InvalidCIDError,
    InvalidCursorError,
    ObjectNotFoundError,
    SSIError,
    StoreAccessError,
    StoreError,
)
from ssi.types import JsonValue

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "PROBLEM_TYPE_BASE",
    "install_problem_handlers",
    "problem",
    "problem_for_error",
]

PROBLEM_MEDIA_TYPE: Final = "application/problem+json"
"""The media type of every error response."""

PROBLEM_TYPE_BASE: Final = "https://w3id.org/agora/problems#"
"""A problem's ``type`` is this followed by its ``code``."""

_CODES: Final[dict[int, str]] = {
    400: "badRequest",
    404: "notFound",
    405: "methodNotAllowed",
    406: "notAcceptable",
    413: "tooLarge",
    415: "unsupportedMediaType",
    422: "invalidRequest",
    429: "tooManyRequests",
    500: "internalError",
    503: "unavailable",
}

_log = logging.getLogger("hub")


def problem(status: int, code: str, detail: str, **extra: JsonValue) -> JSONResponse:
    """Return an RFC 9457 problem response.

    Members: ``type`` (:data:`PROBLEM_TYPE_BASE` + ``code``), ``title`` (the
    status phrase), ``status``, ``detail``, ``code`` and any ``extra``.

    Spec: https://www.rfc-editor.org/rfc/rfc9457#section-3
    """
    body: dict[str, JsonValue] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    headers = (
        {"Retry-After": str(extra["retryAfter"])} if "retryAfter" in extra else None
    )
    return JSONResponse(
        body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def problem_for_error(error: SSIError) -> JSONResponse:
    """Return the problem for a library error: 404 for an object not found,
    503 when the store cannot be reached, 500 for other store failures, 400
    for the rest (bad input: a malformed CID or cursor, a bad bundle)."""
    if isinstance(error, ObjectNotFoundError):
        status = 404
    elif isinstance(error, StoreAccessError):
        status = 503
    elif isinstance(error, StoreError) and not isinstance(
        error, InvalidCursorError | InvalidCIDError
    ):
        status = 500
    else:
        status = 400
    return problem(status, error.code, str(error) or error.title)


def _status_code(status: int) -> str:
    return _CODES.get(status, "badRequest" if status < 500 else "internalError")


def _allowed(request: Request) -> str:
    """Every method the app's OpenAPI document gives this path (Starlette
    names only the methods of the first route that matched it)."""
    methods: set[str] = set()
    paths = request.app.openapi().get("paths", {})
    matched: list[tuple[str, dict[str, object]]] = []
    for template, operations in paths.items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            matched.append((template, operations))
    # A literal segment wins over a parameter (``/inbox/{did}/challenge`` over
    # ``/inbox/{did}/{message_id}``), as the routes decide.
    fewest = min((template.count("{") for template, _ in matched), default=0)
    for template, operations in matched:
        if template.count("{") == fewest:
            methods.update(method.upper() for method in operations)
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


async def _on_http(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)  # noqa: S101 - registered for it
    detail = error.detail if isinstance(error.detail, str) else None
    status = error.status_code
    if detail is None or detail == HTTPStatus(status).phrase:
        detail = {
            404: "There is nothing at this path.",
            405: "This path does not take this method.",
        }.get(status, HTTPStatus(status).description or HTTPStatus(status).phrase)
    response = problem(status, _status_code(status), detail)
    if error.headers:
        response.headers.update(error.headers)
    if status == 405:
        response.headers["Allow"] = _allowed(request)
    return response


async def _on_validation(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)  # noqa: S101 - registered for it
    errors: list[JsonValue] = []
    for item in error.errors()[:20]:
        location = [str(part) for part in item.get("loc", ())]
        errors.append({"location": location, "message": str(item.get("msg", ""))})
    return problem(
        422, "invalidRequest", "The request's parameters are not valid.", errors=errors
    )


async def _on_ssi(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, SSIError)  # noqa: S101 - registered for it
    return problem_for_error(error)


async def _on_other(request: Request, error: Exception) -> JSONResponse:
    _log.error(
        "internal error on %s %s", request.method, request.url.path, exc_info=error
    )
    return problem(500, "internalError", "The hub failed to answer this request.")


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error of ``app`` an RFC 9457 problem.

    Spec: docs/hub.md (Errors)
    """
    app.add_exception_handler(HTTPException, _on_http)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(SSIError, _on_ssi)
    app.add_exception_handler(Exception, _on_other)
