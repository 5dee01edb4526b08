"""JSON Schemas of the hub's responses, as published in its OpenAPI document.

The endpoints build their JSON by hand (the library's ``to_json`` methods);
these schemas describe it, so clients and the schema fuzzing in the tests
hold the hub to them.

Spec: docs/hub.md, docs/hub-openapi.json
"""

from __future__ import annotations

from typing import Any, Final

from hub.problems import PROBLEM_MEDIA_TYPE

__all__ = [
    "ADD_RESPONSE",
    "PAGE",
    "PROBLEM",
    "STORED_OBJECT",
    "add_problem_responses",
    "json_response",
    "problem_responses",
]

_NULLABLE_STRING: Final = {"anyOf": [{"type": "string"}, {"type": "null"}]}

PROBLEM: Final[dict[str, Any]] = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
    },
}
"""An RFC 9457 problem as the hub writes it (more members may follow)."""

STORED_OBJECT: Final[dict[str, Any]] = {
    "type": "object",
    "required": [
        "cid",
        "seq",
        "types",
        "author",
        "community",
        "replyTo",
        "refersTo",
        "time",
        "document",
    ],
    "properties": {
        "cid": {"type": "string"},
        "seq": {"type": "integer"},
        "types": {"type": "array", "items": {"type": "string"}},
        "author": _NULLABLE_STRING,
        "community": _NULLABLE_STRING,
        "replyTo": _NULLABLE_STRING,
        "refersTo": {"type": "array", "items": {"type": "string"}},
        "time": _NULLABLE_STRING,
        "document": {"type": "object"},
    },
}
"""A stored object with its index entries (``ssi.store.StoredObject``)."""

PAGE: Final[dict[str, Any]] = {
    "type": "object",
    "required": ["items", "cursor", "more"],
    "properties": {
        "items": {"type": "array", "items": STORED_OBJECT},
        "cursor": _NULLABLE_STRING,
        "more": {"type": "boolean"},
    },
}
"""One page of ``GET /objects``."""

_RESULT: Final[dict[str, Any]] = {
    "type": "object",
    "required": ["cid", "outcome", "problems"],
    "properties": {
        "cid": _NULLABLE_STRING,
        "outcome": {"enum": ["stored", "present", "rejected"]},
        "problems": {"type": "array", "items": {"type": "object"}},
    },
}

ADD_RESPONSE: Final[dict[str, Any]] = {
    "type": "object",
    "required": ["results", "stored", "present", "rejected"],
    "properties": {
        "results": {"type": "array", "items": _RESULT},
        "stored": {"type": "integer"},
        "present": {"type": "integer"},
        "rejected": {"type": "integer"},
    },
}
"""What ``POST /objects`` did with each object."""


def json_response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    """An OpenAPI response object with one JSON body."""
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI response objects for problems with these statuses (and 429,
    422 and 500, which any endpoint may answer)."""
    described = {
        400: "Bad input (a malformed CID, cursor, date or body).",
        401: "Not authenticated (or not as the DID this needs); see WWW-Authenticate.",
        403: "Authenticated, but not allowed.",
        404: "Not found.",
        413: "The body or the number of objects is over the limit.",
        415: "The body's media type is not one this operation takes.",
        422: "A parameter is not valid.",
        429: "Too many requests from this client; see Retry-After.",
        500: "The hub failed.",
        503: "The store cannot be reached.",
        507: "The inbox is full.",
    }
    responses: dict[int | str, dict[str, Any]] = {}
    for status in sorted({*statuses, 422, 429, 500}):
        responses[status] = {
            "description": described.get(status, "A problem."),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM}},
        }
    return responses


_EVERYWHERE: Final = (400, 404, 422, 429, 500, 503)
"""Statuses any operation of the hub may answer with a problem (bad input,
nothing there, a bad parameter, the rate limit, a failure, the store down)."""

_WITH_BODY: Final = (413,)
"""Statuses any operation that takes a body may answer (over the body cap)."""


def add_problem_responses(document: dict[str, Any]) -> dict[str, Any]:
    """Document the problems every operation of the app may answer.

    Each operation gets :data:`_EVERYWHERE` (and 413 when it takes a body)
    as RFC 9457 problems where it documents nothing for that status;
    FastAPI's own 422 (a validation error body the hub never sends) is
    replaced. Returns ``document``, changed in place.
    """
    problems = problem_responses(*_EVERYWHERE, *_WITH_BODY)
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or method.startswith("x-"):
                continue
            responses = operation.setdefault("responses", {})
            statuses = list(_EVERYWHERE)
            if method in ("post", "put", "patch"):
                statuses.extend(_WITH_BODY)
            for status in statuses:
                current = responses.get(str(status))
                if current is None or _is_fastapi_validation(current):
                    responses[str(status)] = problems[status]
    return document


def _is_fastapi_validation(response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return str(schema.get("$ref", "")).endswith("/HTTPValidationError")
