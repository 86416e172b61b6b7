"""RFC 9457 problem details: one table from domain error to HTTP status, and the handlers."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm.exc import StaleDataError
from starlette._utils import get_route_path
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException

from app.api.current import current_representation
from app.api.field_errors import FieldErrorType, in_our_words
from app.api.schemas.base import UNION_TAGS
from app.domain import errors

log = logging.getLogger("familyhub")

PROBLEM_MEDIA_TYPE = "application/problem+json"

# exception class → (status, type slug, title); the most specific class is looked up first.
PROBLEM_TABLE: dict[type[errors.DomainError], tuple[int, str, str]] = {
    errors.NotFound: (404, "not-found", "Not found"),
    errors.SelfRoleChange: (403, "self-role-change", "You cannot change your own access"),
    errors.Forbidden: (403, "forbidden", "Forbidden"),
    errors.TooLarge: (413, "payload-too-large", "Request body too large"),
    errors.Unauthenticated: (401, "unauthorized", "Authentication required"),
    errors.InvalidValue: (422, "invalid-value", "Invalid value"),
    errors.ConsentRequired: (409, "consent-required", "Consent is not in force"),
    errors.IllegalTransition: (409, "illegal-transition", "Not allowed at this stage"),
    errors.Conflict: (409, "conflict", "Conflict"),
    errors.StaleVersion: (412, "stale-version", "The record has changed"),
    errors.PreconditionRequired: (428, "precondition-required", "If-Match required"),
    errors.IdempotencyKeyReused: (422, "idempotency-key-reused", "Idempotency-Key reused"),
}

_HTTP_SLUGS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    503: ("unavailable", "Service unavailable"),
}


class FieldError(BaseModel):
    """One failing field of a request."""

    field: str = Field(description="Where the problem is, e.g. 'members[0].person.date_of_birth'.")
    message: str = Field(description="What is wrong, in words.")
    type: FieldErrorType = Field(
        description="What is wrong with the field, as a stable code a front end can act on;"
        " `message` says it in words."
    )
    rule: str | None = Field(
        default=None,
        description="When several business rules refused the request (a claim's C1 ... C9): the"
        " code of the one that failed; `message` is its reason.",
    )


class Problem(BaseModel):
    """RFC 9457 problem details: every error the API answers, whatever its status."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "/problems/illegal-transition",
                    "title": "Not allowed at this stage",
                    "status": 409,
                    "detail": "The plan can be submitted only once the assessment is complete.",
                    "code": "plan_submitted_before_assessment_complete",
                    "instance": "/api/v1/episodes/0b7c3a52-8d1e-4f5a-9c2b-6e4d3f2a1b0c/plan-submission",
                    "request_id": "3f2b8c1e9a4d4e0f8b6a7c5d4e3f2a1b",
                    "errors": [],
                }
            ]
        }
    )

    type: str = Field(description="A stable URI reference naming the kind of problem.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong in this case, for a person to read.")
    code: str = Field(
        description="A stable snake_case code naming the rule that refused the request"
        " (`postcode_format`, `plan_already_in_progress`, `not_found` ...): a client acts on it."
        " docs/errors.md lists every code."
    )
    instance: str = Field(description="The request path.")
    request_id: str = Field(
        description="The request's id (X-Request-ID): quote it when reporting a problem."
    )
    errors: list[FieldError] = Field(
        description="The failing fields; empty when no one field is to blame."
    )


class StaleProblem(Problem):
    """A 412: the contract types `current` per resource (app/api/openapi.py: `_stale_problem`)."""

    current: dict[str, Any] | None = Field(
        default=None,
        description="On 412: the current version of the record, so a client can show both.",
    )


def problem_type(slug: str) -> str:
    return f"/problems/{slug}"


def problem_response(
    request: Request,
    status: int,
    slug: str,
    title: str,
    detail: str,
    code: str,
    errors_: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    current: dict[str, Any] | None = None,
) -> JSONResponse:
    body = StaleProblem(
        type=problem_type(slug),
        title=title,
        status=status,
        detail=detail,
        code=code,
        instance=request.url.path,
        # Set by RequestContextMiddleware for every request the app sees.
        request_id=getattr(request.state, "request_id", ""),
        errors=errors_ or [],
        current=current,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def lookup(exc: errors.DomainError) -> tuple[int, str, str]:
    return lookup_class(type(exc))


def lookup_class(error: type[errors.DomainError]) -> tuple[int, str, str]:
    for cls in error.__mro__:
        if cls in PROBLEM_TABLE:
            return PROBLEM_TABLE[cls]
    return 400, "bad-request", "Bad request"


def _location(loc: tuple[Any, ...]) -> str:
    """'body.members.0.person.given_name' → 'members[0].person.given_name', matching the domain's
    names; the variant of a discriminated union is no field ('early_help.sharing_scope' →
    'sharing_scope')."""
    loc = tuple(part for part in loc if part not in UNION_TAGS)
    if loc and loc[0] == "body" and len(loc) > 1:
        loc = loc[1:]
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.DomainError)
    status, slug, title = lookup(exc)
    kind = FieldErrorType.of_problem(slug)
    if exc.reasons:
        field_errors = [
            FieldError(field=exc.field or "", message=r.reason, type=kind, rule=r.rule)
            for r in exc.reasons
        ]
    elif exc.field:
        field_errors = [FieldError(field=exc.field, message=exc.detail, type=kind)]
    else:
        field_errors = []
    current = None
    if isinstance(exc, errors.StaleVersion):
        current = await current_representation(request)
    return problem_response(
        request, status, slug, title, exc.detail, exc.code, field_errors, current=current
    )


async def _stale_data(request: Request, exc: Exception) -> JSONResponse:
    """A versioned UPDATE that matched no row: a concurrent writer committed first (412, not 500)."""
    stale = errors.StaleVersion.changed_elsewhere()
    stale.__cause__ = exc
    return await _domain_error(request, stale)


def _field_error(error: dict[str, Any]) -> FieldError:
    loc = tuple(error.get("loc", ()))
    kind, message = in_our_words(error)
    if str(error.get("type", "")) == "json_invalid" and loc[:1] == ("body",):
        # The parser's loc is ("body", <character offset>): the failing field is the body itself,
        # not an element "[8]" of it.
        offset = loc[1] if len(loc) > 1 else None
        at = f" (at character {offset})" if isinstance(offset, int) else ""
        return FieldError(field="body", message=f"{message.rstrip('.')}{at}.", type=kind)
    if str(error.get("type", "")) in {"union_tag_invalid", "union_tag_not_found"}:
        # The union's own location: the field to blame is its discriminator.
        loc = (*loc, _discriminator(error.get("ctx", {})))
    return FieldError(field=_location(loc), message=message, type=kind)


def _discriminator(ctx: dict[str, Any]) -> str:
    """'purpose' from Pydantic's "'purpose'", or 'kind' from a callable's "member_kind()"."""
    named = str(ctx.get("discriminator", "")).strip("'")
    return named.removesuffix("()").rsplit("_", 1)[-1] if named.endswith("()") else named


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    field_errors = [_field_error(e) for e in exc.errors()]
    names = ", ".join(dict.fromkeys(f.field for f in field_errors)) or "the request"
    return problem_response(
        request,
        422,
        "validation",
        "Invalid request",
        f"Some fields need attention: {names}.",
        "invalid_request",
        field_errors,
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError | RecursionError):
        # A body that is not even text (invalid UTF-8), or JSON nested deeper than any record
        # (the parser gives up), is invalid input like malformed JSON: 422.
        message = (
            "The body is nested too deeply."
            if isinstance(exc.__cause__, RecursionError)
            else "The body is not valid JSON text."
        )
        error = FieldError(field="body", message=message, type=FieldErrorType.NOT_JSON)
        return problem_response(
            request,
            422,
            "validation",
            "Invalid request",
            "Some fields need attention: body.",
            "invalid_request",
            [error],
        )
    if exc.status_code == 400 and isinstance(exc.__context__, MultiPartException):
        # A form that cannot be parsed (an upload's) is invalid input like malformed JSON: 422.
        error = FieldError(
            field="body",
            message="The body is not valid multipart/form-data.",
            type=FieldErrorType.INVALID_VALUE,
        )
        return problem_response(
            request,
            422,
            "validation",
            "Invalid request",
            "Some fields need attention: body.",
            "invalid_request",
            [error],
        )
    slug, title = _HTTP_SLUGS.get(exc.status_code, ("error", "Error"))
    detail = exc.detail if isinstance(exc.detail, str) else title
    headers = getattr(exc, "headers", None)
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": _allowed_methods(request)}
    return problem_response(
        request, exc.status_code, slug, title, detail, http_code(exc.status_code), headers=headers
    )


def http_code(status: int) -> str:
    """The code of an answer the HTTP layer gives (an unknown path, a method not allowed ...):
    the problem type's slug, except that every 401 is `unauthenticated`."""
    if status == 401:
        return errors.Unauthenticated.CODE
    return _HTTP_SLUGS.get(status, ("http_error", ""))[0].replace("-", "_")


def _allowed_methods(request: Request) -> str:
    """Every method of the path (RFC 9110 §15.5.6): the router names only the first route whose
    path matched, and each method of a path is a route of its own."""
    path = get_route_path(request.scope)
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        pattern = getattr(route, "path_regex", None)
        if pattern is not None and pattern.match(path):
            methods.update(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


async def _unexpected(request: Request, _exc: Exception) -> JSONResponse:
    log.exception(
        "unexpected error", extra={"request_id": getattr(request.state, "request_id", None)}
    )
    return problem_response(
        request,
        500,
        "internal",
        "Internal error",
        "Something went wrong on our side; it has been logged.",
        "internal_error",
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(errors.DomainError, _domain_error)
    app.add_exception_handler(StaleDataError, _stale_data)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


def responses(
    *error_classes: type[errors.DomainError], validation: bool = True
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for a route: each status it can answer with, as a problem document."""
    statuses: dict[int, list[str]] = {}
    for cls in error_classes:
        status, _slug, title = PROBLEM_TABLE[cls]
        statuses.setdefault(status, []).append(title)
    if validation:
        statuses.setdefault(422, []).append("Invalid request")
    return {
        status: {
            "model": Problem,
            "description": " / ".join(dict.fromkeys(titles)),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status, titles in sorted(statuses.items())
    }
