"""The published contract, tidied so generated clients get one typed error shape everywhere."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from app.api.problems import PROBLEM_MEDIA_TYPE

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_CONTENT = {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}}

COMMON_API_ERRORS = {
    "401": "Authentication required (missing or invalid bearer token)",
    "403": "Forbidden: you may know the record exists but may not do this",
    "503": "Service unavailable (the database is not reachable); retry later",
}


def tidy(document: dict[str, Any]) -> dict[str, Any]:
    """Every error is problem+json only; every API operation declares 401, 403 and 503 too."""
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            responses: dict[str, Any] = operation.get("responses", {})
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    response["content"] = PROBLEM_CONTENT
            if path.startswith("/api/"):
                for status, description in COMMON_API_ERRORS.items():
                    responses.setdefault(
                        status, {"description": description, "content": PROBLEM_CONTENT}
                    )
    schemas = document.get("components", {}).get("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    return document


def install(app: FastAPI) -> None:
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = tidy(original())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
