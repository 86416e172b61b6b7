"""The published contract, tidied so generated clients get one typed error shape everywhere."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from app.api.acting import OPENAPI_ACTION_KEY, declared_action
from app.api.problems import PROBLEM_MEDIA_TYPE

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_CONTENT = {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}}

COMMON_API_ERRORS = {
    "401": "Authentication required (missing or invalid bearer token)",
    "403": "Forbidden: you may know the record exists but may not do this",
    "503": "Service unavailable (the database is not reachable); retry later",
}


TOO_LARGE = "Request body too large (over FAMILYHUB_MAX_BODY_BYTES)"

HEADERS = {
    "X-Request-ID": {
        "description": "The request's id (the caller's own, or a new one): quote it when reporting a problem.",
        "required": True,
        "schema": {"type": "string"},
    },
    "ETag": {
        "description": 'The version of the record, `"<version>"`: send it as If-Match to change it.',
        "required": True,
        "schema": {"type": "string", "pattern": '^"[0-9]+"$'},
    },
    "ViewETag": {
        "description": 'A validator of a view made of several records (`"case-…"`): send it as'
        " If-None-Match to get 304 while nothing on it changed. Not an If-Match: each record in"
        " the view carries its own `version`.",
        "required": True,
        "schema": {"type": "string", "pattern": '^"[a-z]+-[0-9a-f]+"$'},
    },
    "ListETag": {
        "description": 'A validator of this exact JSON answer (`"list-…"`): send it as'
        " If-None-Match to get 304 with no body while the page is unchanged (not sent with CSV).",
        "required": False,
        "schema": {"type": "string", "pattern": '^"list-[0-9a-f]+"$'},
    },
    "Location": {
        "description": "Where the created record (or the collection it joined) can be read.",
        "required": True,
        "schema": {"type": "string"},
    },
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
}
"""Response headers, declared once under components/headers and referred to by each response."""


IF_NONE_MATCH = {
    "in": "header",
    "name": "If-None-Match",
    "required": False,
    "description": "ETags the client already holds: 304 (no body) if one names the current version.",
    "schema": {"type": "string"},
}
"""Read by `etags.not_modified` from the request itself, so the route cannot declare it."""


COMPOSITE_VIEWS = frozenset({"/api/v1/episodes/{episode_id}/case"})
"""Reads whose validator covers several records (app/api/etags.py: composite_etag)."""


def _is_json_read(operation: dict[str, Any], response: dict[str, Any]) -> bool:
    """A GET answered with JSON and no validator of its own gets one from its body
    (app/api/validators.py)."""
    return operation.get("operationId", "").startswith(("get", "list")) and (
        "application/json" in response.get("content", {})
    )


def _header_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{name}"}


def tidy(document: dict[str, Any]) -> dict[str, Any]:
    """Every API error is problem+json only; every API operation declares 401, 403 and 503 too,
    every operation with a body 413. Every response carries X-Request-ID, an API 503 Retry-After,
    a 201 Location, and a single-record read (the operations that can answer 304) its ETag and
    the If-None-Match it honours.

    `/health` and `/ready` are outside the API's conventions: `/ready` answers 503 with its own
    readiness document, so its responses are left as the route declares them.
    """
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            responses: dict[str, Any] = operation.get("responses", {})
            is_api = path.startswith("/api/")
            if is_api:
                for status, response in responses.items():
                    if status.startswith(("4", "5")):
                        response["content"] = PROBLEM_CONTENT
                for status, description in COMMON_API_ERRORS.items():
                    responses.setdefault(
                        status, {"description": description, "content": PROBLEM_CONTENT}
                    )
                if "requestBody" in operation:
                    responses.setdefault(
                        "413", {"description": TOO_LARGE, "content": PROBLEM_CONTENT}
                    )
            conditional = "304" in responses
            if conditional:
                operation.setdefault("parameters", []).append(IF_NONE_MATCH)
            for status, response in responses.items():
                headers = response.setdefault("headers", {})
                headers["X-Request-ID"] = _header_ref("X-Request-ID")
                if is_api and status == "503":
                    headers["Retry-After"] = _header_ref("Retry-After")
                if status == "201":
                    headers["Location"] = _header_ref("Location")
                if conditional and status in {"200", "304"}:
                    headers["ETag"] = _header_ref("ViewETag" if path in COMPOSITE_VIEWS else "ETag")
                elif is_api and status == "200" and _is_json_read(operation, response):
                    headers["ETag"] = _header_ref("ListETag")
    document.setdefault("components", {})["headers"] = HEADERS
    schemas = document.get("components", {}).get("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    return document


def publish_actions(app: FastAPI, document: dict[str, Any]) -> dict[str, Any]:
    """Each operation names the action its route declared (`acting`), as `x-familyhub-action`:
    what the access rules are asked, for clients and reviewers to read beside the operation."""
    paths = document.get("paths", {})
    for route in iter_route_contexts(app.routes):
        dependant = getattr(route, "dependant", None)
        action = declared_action(dependant.dependencies) if dependant is not None else None
        if action is None:
            continue
        for method in route.methods or ():
            operation = paths.get(route.path_format, {}).get(method.lower())
            if operation is not None:
                operation[OPENAPI_ACTION_KEY] = action.value
    return document


def install(app: FastAPI) -> None:
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = publish_actions(app, tidy(original()))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
