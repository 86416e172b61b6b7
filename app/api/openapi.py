"""The published contract, tidied so a strictly typed client gets exactly what the service sends.

Routes declare what only they know (the problems they answer, an ETag on their success, a 304);
`tidy` adds what follows from the conventions, the same way everywhere: problem+json for every
error, 401/403/503 on every API operation, `If-Match` required (with 412 and 428) exactly where a
route reads it, the headers each kind of response carries, and an example on every operation
built from its schemas' examples.
"""

from __future__ import annotations

import copy
import re
import sys
import uuid
from typing import Any

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel

from app.api.acting import OPENAPI_ACTION_KEY, declared_action
from app.api.current import resource_path
from app.api.problems import PROBLEM_MEDIA_TYPE
from app.api.validators import validated

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_CONTENT = {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}}

COMMON_API_ERRORS = {
    "401": "Authentication required (missing or invalid bearer token)",
    "403": "Forbidden: you may know the record exists but may not do this",
    "503": "Service unavailable (the database is not reachable); retry later",
}

TOO_LARGE = "Request body too large (over FAMILYHUB_MAX_BODY_BYTES)"
STALE = "The record has changed since the version named in If-Match (stale ETag)"
PRECONDITION_REQUIRED = "If-Match is missing: send the ETag of the version you are changing"
NOT_MODIFIED = "Not modified: the version named in If-None-Match is still the current one."

HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {
        "description": "The request's id (the caller's own, or a new one): quote it when reporting a problem.",
        "required": True,
        "schema": {"type": "string", "example": "3f2b8c1e9a4d4e0f8b6a7c5d4e3f2a1b"},
    },
    "ETag": {
        "description": 'The version of the record, `"<version>"`: send it as If-Match to change it.',
        "required": True,
        "schema": {"type": "string", "pattern": '^"[0-9]+"$', "example": '"3"'},
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
        "schema": {
            "type": "string",
            "example": "/api/v1/families/7d1f0c7e-2b0a-4c47-9d0e-3c1a2b4d5e6f",
        },
    },
    "Link": {
        "description": 'RFC 8288 link to the next page (`<...?cursor=...>; rel="next"`); absent '
        "on the last page.",
        "required": False,
        "schema": {
            "type": "string",
            "example": '</api/v1/families?limit=50&cursor=eyJrIjoxfQ>; rel="next"',
        },
    },
    "Idempotent-Replayed": {
        "description": "`true` when the answer is the stored first answer to a retried request "
        "with the same Idempotency-Key (nothing was created this time); absent otherwise.",
        "required": False,
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Content-Disposition": {
        "description": "On a CSV answer or an export: `attachment` with a file name naming what"
        " it holds; on a document's content: `attachment` with the document's safe file name.",
        "required": False,
        "schema": {
            "type": "string",
            "example": 'attachment; filename="quarterly-progress_2026-03-31.csv"',
        },
    },
    "X-Content-Type-Options": {
        "description": "`nosniff` on a document's content: a browser must not guess another type.",
        "required": True,
        "schema": {"type": "string", "enum": ["nosniff"]},
    },
    "Cache-Control": {
        "description": "`private, no-store` on a document's content: no shared or lasting copy.",
        "required": True,
        "schema": {"type": "string", "enum": ["private, no-store"]},
    },
    "Content-Security-Policy": {
        "description": "On a document's content: `default-src 'none'; sandbox`, so a file opened"
        " in a browser runs nothing.",
        "required": True,
        "schema": {"type": "string", "enum": ["default-src 'none'; sandbox"]},
    },
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9]+$", "example": "5"},
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

TAGS = {
    "assessments": "The early help assessment of an episode, and reassessments.",
    "audit": "Who has seen or changed a family's record.",
    "contacts": "Contacts and case notes on an episode, and the amendments that correct them.",
    "consent": "Consent to take part in early help and to share information, and its withdrawal.",
    "disclosures": "The disclosure log: what was shared, on what lawful basis, and what was not.",
    "documents": "Files on a family's record: upload, download and erasure.",
    "import-export": "A caseload in from an old system or out to another council (admins).",
    "episodes": "Episodes of early help through assess – plan – do – review, to closure.",
    "families": "Households: register, search, read and change them, and who belongs to them.",
    "family-help": "Family Help: an episode's type and statutory basis, step-across, allocations"
    " by role, and the CIN census dates, s.47 enquiries and child protection plans.",
    "health": "Liveness and readiness for load balancers and orchestration.",
    "me": "The signed-in practitioner's caseload, worklist and offline sync.",
    "people": "One person's details, wherever they live.",
    "plans": "The family plan: drafts, quality assurance, revisions and actions.",
    "practitioners": "The practitioner directory: roles, hubs and who is active.",
    "requests": "Requests for support at the front door and their screening decision.",
    "reference": "Reference data for pick lists: hubs, agencies, headlines, levels of need.",
    "reports": "Aggregate reports (JSON or CSV), the managers' security events and the CIN"
    " census extract.",
    "supporting-families": "Supporting Families needs, outcomes, support delivered and claims.",
    "team-around-the-family": "The Team Around the Family: its members and its meetings.",
    "timeliness": "Deadlines overdue or due soon, on-time rates and the practice standards.",
}
"""Every operation has exactly one of these tags (its router's)."""

ENUM_DESCRIPTIONS = {
    "ConsentPurpose": "What consent is for: early_help (taking part; it starts the assessment "
    "clock) or information_sharing (with all TAF members or named agencies).",
    "MemberRole": "A member's place in the household: child, parent_carer or other_adult.",
    "RecordType": "A kind of record a device keeps offline.",
    "RecordingMethod": "How consent was given: verbal, written or digital.",
    "Role": "What a practitioner may do: practitioner (lead, TAF), link_worker (oversees hubs), "
    "quality_assurance (decides plans), manager, reporting (machine account), admin (users and "
    "policy, no case data), auditor (reads the audit trail), front_door_officer (receives and "
    "screens requests for support).",
    "SecurityEventKind": "A security event: a role granted or revoked, a practitioner "
    "deactivated or reactivated, or a record read by break glass.",
    "SharingScope": "Who information may be shared with: all_taf_members, or named_agencies.",
    "WorkKind": "Something due from a practitioner: submit or resubmit the assessment and plan, "
    "hold the first TAF meeting or a review, decide on a plan (QA), do a plan action, check "
    "an achieved outcome was sustained, contact a family not contacted for the policy's "
    "number of working days, or read a request for support the front door attached.",
}
"""Descriptions for the domain's enums that carry no docstring of their own."""

INFO_CONTACT = {
    "name": "familyhub maintainers",
    "url": "https://familyhub.example/support",
    "email": "familyhub@familyhub.example",
}
INFO_LICENSE = {"name": "Proprietary", "url": "https://familyhub.example/licence"}
SERVERS = [
    {
        "url": "{origin}",
        "description": "Where the service runs (`make run` serves http://127.0.0.1:8000).",
        "variables": {
            "origin": {
                "default": "http://127.0.0.1:8000",
                "description": "Scheme, host and port of the service, without a trailing slash.",
            }
        },
    }
]


def _header_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{name}"}


# --- what routes declare ---------------------------------------------------------------------


def versioned(status: int = 200) -> dict[int | str, dict[str, Any]]:
    """`responses=` entry of a route whose `status` answer carries the record's ETag."""
    return {status: {"headers": {"ETag": _header_ref("ETag")}}}


def conditional_view() -> dict[int | str, dict[str, Any]]:
    """`responses=` entries of a view of several records that honours If-None-Match
    (`not_modified_for` with a `composite_etag`)."""
    return {
        200: {"headers": {"ETag": _header_ref("ViewETag")}},
        304: {"description": NOT_MODIFIED, "headers": {"ETag": _header_ref("ViewETag")}},
    }


def conditional() -> dict[int | str, dict[str, Any]]:
    """`responses=` entries of a single-record read that honours If-None-Match (`not_modified`)."""
    return {
        **versioned(200),
        304: {"description": NOT_MODIFIED, "headers": {"ETag": _header_ref("ETag")}},
    }


# --- what the conventions add ----------------------------------------------------------------


def _parameters(operation: dict[str, Any], where: str) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in operation.get("parameters", []) if p.get("in") == where}


def _json_schema(response: dict[str, Any]) -> dict[str, Any] | None:
    media = response.get("content", {}).get("application/json")
    return None if media is None else media.get("schema")


_TEMPLATE_PART = re.compile(r"\{([^}]+)\}")


def _changed_resource(document: dict[str, Any], method: str, path: str) -> str | None:
    """The path template of the resource whose current version a 412 of this write carries
    (`current.resource_path`), or None when it carries none."""
    ids: dict[str, str] = {}

    def concrete(match: re.Match[str]) -> str:
        ids[match.group(1)] = str(uuid.uuid5(uuid.NAMESPACE_URL, match.group(1)))
        return ids[match.group(1)]

    target = resource_path(method.upper(), _TEMPLATE_PART.sub(concrete, path))
    if target is None:
        return None
    for name, value in ids.items():
        target = target.replace(value, "{" + name + "}")
    return target if "get" in document["paths"].get(target, {}) else None


def _stale_problem(document: dict[str, Any], method: str, path: str) -> dict[str, str]:
    """The 412 body of a write: a problem whose `current` is the changed resource's read schema."""
    resource = _changed_resource(document, method, path)
    read = (
        None
        if resource is None
        else _json_schema(document["paths"][resource]["get"]["responses"]["200"])
    )
    if read is None or "$ref" not in read:
        return PROBLEM_REF
    read_name = read["$ref"].rsplit("/", 1)[1]
    name = f"Stale{read_name.removesuffix('Read')}Problem"
    schemas = document["components"]["schemas"]
    if name not in schemas:
        problem = copy.deepcopy(schemas["Problem"])
        problem["title"] = name
        problem["description"] = (
            f"A 412 problem: the record changed since your version. `current` is the record as "
            f"it is now ({read_name}), when you may still read it, so you can show both."
        )
        problem["properties"]["current"] = {
            "$ref": read["$ref"],
            "description": "The record as it is now, as its GET would answer you.",
        }
        current = _examples_of(document, read)
        problem["examples"] = [
            {
                "type": "/problems/stale-version",
                "title": "The record has changed",
                "status": 412,
                "detail": "The record has changed since you read it; reload it and try again.",
                "code": "stale_version",
                "instance": path,
                "request_id": "3f2b8c1e9a4d4e0f8b6a7c5d4e3f2a1b",
                "errors": [],
                **({"current": current[0]} if current else {}),
            }
        ]
        schemas[name] = problem
    return {"$ref": f"#/components/schemas/{name}"}


def _conditional_write(
    document: dict[str, Any], path: str, method: str, operation: dict[str, Any]
) -> None:
    """If-Match is required where a route reads it (428 without it, 412 if stale); nowhere else
    does the API answer 412 or 428."""
    responses: dict[str, Any] = operation["responses"]
    if_match = _parameters(operation, "header").get("If-Match")
    if if_match is None:
        responses.pop("412", None)
        responses.pop("428", None)
        return
    if_match["required"] = True
    if_match["schema"] = {"type": "string", "example": '"3"'}
    responses["412"] = {
        "description": STALE,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": _stale_problem(document, method, path)}},
    }
    responses["428"] = {"description": PRECONDITION_REQUIRED, "content": PROBLEM_CONTENT}


def _answer_validator(path: str, method: str, operation: dict[str, Any]) -> None:
    """A JSON read without a version of its own answers 304 to the validator of its answer
    (app/api/validators.py)."""
    responses: dict[str, Any] = operation["responses"]
    ok = responses.get("200", {})
    if (
        path.startswith("/api/")
        and method == "get"
        and "304" not in responses
        and validated(path)
        and "application/json" in ok.get("content", {})
        and "ETag" not in ok.get("headers", {})
    ):
        ok.setdefault("headers", {})["ETag"] = _header_ref("ListETag")
        responses["304"] = {
            "description": NOT_MODIFIED,
            "headers": {"ETag": _header_ref("ListETag")},
        }


def _binary(response: dict[str, Any]) -> bool:
    """A file's bytes (a document's content), not a JSON or CSV answer."""
    return any(
        media.get("schema", {}).get("format") == "binary"
        for media in response.get("content", {}).values()
    )


def _response_headers(path: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation["responses"]
    is_api = path.startswith("/api/")
    paged = "cursor" in _parameters(operation, "query")
    idempotent = "Idempotency-Key" in _parameters(operation, "header")
    for status, response in responses.items():
        headers = response.setdefault("headers", {})
        headers["X-Request-ID"] = _header_ref("X-Request-ID")
        if is_api and status == "503":
            headers["Retry-After"] = _header_ref("Retry-After")
        if status == "201":
            headers["Location"] = _header_ref("Location")
            if idempotent:
                headers["Idempotent-Replayed"] = _header_ref("Idempotent-Replayed")
        if status in ("200", "304") and paged:
            headers["Link"] = _header_ref("Link")
        files = ("text/csv", "application/x-ndjson")
        if status.startswith("2") and any(f in response.get("content", {}) for f in files):
            headers["Content-Disposition"] = _header_ref("Content-Disposition")
        if status.startswith("2") and _binary(response):
            headers["Content-Disposition"] = _header_ref("Content-Disposition")
            headers["X-Content-Type-Options"] = _header_ref("X-Content-Type-Options")
            headers["Cache-Control"] = _header_ref("Cache-Control")
            headers["Content-Security-Policy"] = _header_ref("Content-Security-Policy")
        response["headers"] = dict(sorted(headers.items()))


def _problems(path: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation["responses"]
    if not path.startswith("/api/"):
        return
    for status, response in responses.items():
        if status.startswith(("4", "5")) and status != "412":
            response["content"] = PROBLEM_CONTENT
    for status, description in COMMON_API_ERRORS.items():
        responses.setdefault(status, {"description": description, "content": PROBLEM_CONTENT})
    if "requestBody" in operation:
        responses.setdefault("413", {"description": TOO_LARGE, "content": PROBLEM_CONTENT})


# --- examples --------------------------------------------------------------------------------


def _component(document: dict[str, Any], ref: str) -> dict[str, Any]:
    component: dict[str, Any] = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return component


def _examples_of(document: dict[str, Any], schema: dict[str, Any]) -> list[Any]:
    """Realistic values of a schema, from the examples its models declare (one per variant)."""
    if "$ref" in schema:
        component = _component(document, schema["$ref"])
        if component.get("examples"):
            return list(component["examples"])
        return _examples_of(document, component)
    if schema.get("examples"):
        return list(schema["examples"])
    if schema.get("type") == "array" and "items" in schema:
        items = _examples_of(document, schema["items"])
        return [items] if items else []
    for union in ("oneOf", "anyOf"):
        if union in schema:
            found = [e for s in schema[union] for e in _examples_of(document, s)]
            if found:
                return found
    return []


def _name_of(value: Any, fallback: str) -> str:
    if isinstance(value, dict):
        for key in ("kind", "purpose"):
            if isinstance(value.get(key), str):
                return str(value[key])
    return fallback


def _example_media(document: dict[str, Any], media: dict[str, Any]) -> None:
    if "example" in media or "examples" in media or "schema" not in media:
        return
    found = _examples_of(document, media["schema"])
    if len(found) == 1:
        media["example"] = found[0]
    elif found:
        media["examples"] = {
            _name_of(value, f"example_{n}"): {"value": value} for n, value in enumerate(found, 1)
        }


def _operation_examples(document: dict[str, Any], operation: dict[str, Any]) -> None:
    """A request and a response example for every operation, from its schemas' examples."""
    for media in operation.get("requestBody", {}).get("content", {}).values():
        _example_media(document, media)
    for status, response in operation["responses"].items():
        if status.startswith("2"):
            for media in response.get("content", {}).values():
                _example_media(document, media)


# --- the whole document ----------------------------------------------------------------------


_UPLOAD_EXAMPLE = {
    "file": "(the file: PDF, PNG, JPEG, DOCX, ODT or plain text)",
    "title": "Signed consent form",
    "dated_on": "2026-01-12",
    "sensitive": False,
}
FORM_DESCRIPTIONS = {
    "UploadFamilyDocumentForm": "A file for the family's record, with its title and date.",
    "UploadEpisodeDocumentForm": "A file for an episode's record, with its title and date.",
    "UploadContactDocumentForm": "A file for a contact on an episode, with its title and date.",
    "UploadRequestDocumentForm": "A file for a request for support, with its title and date.",
}
"""Multipart forms' descriptions (their schemas are FastAPI's, not a model's); their example is
put on the request body itself (`_form_examples`), as no model stands behind them."""


def _form_examples(document: dict[str, Any]) -> None:
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            form = content.get("multipart/form-data")
            if form is not None and "example" not in form:
                form["example"] = _UPLOAD_EXAMPLE


def _name_form_bodies(document: dict[str, Any]) -> None:
    """FastAPI names a multipart form's schema `Body_<operationId>`; the contract's names are
    plain (`UploadFamilyDocumentForm`), so generated clients get a readable type."""
    schemas: dict[str, Any] = document["components"]["schemas"]
    renamed = {
        name: name.removeprefix("Body_")[:1].upper() + name.removeprefix("Body_")[1:] + "Form"
        for name in schemas
        if name.startswith("Body_")
    }
    for old, new in renamed.items():
        schemas[new] = schemas.pop(old)
        schemas[new]["title"] = new
        schemas[new].setdefault("description", FORM_DESCRIPTIONS.get(new, "A form's fields."))

    def refer(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.rsplit("/", 1)[-1] in renamed:
                node["$ref"] = "#/components/schemas/" + renamed[ref.rsplit("/", 1)[-1]]
            for value in node.values():
                refer(value)
        elif isinstance(node, list):
            for value in node:
                refer(value)

    if renamed:
        refer(document.get("paths", {}))


def tidy(document: dict[str, Any]) -> dict[str, Any]:
    """Every API error is problem+json; every API operation declares 401, 403 and 503, every
    operation with a body 413, every operation reading If-Match requires it and declares 412
    (its `current` typed as the changed resource) and 428. Every response declares the headers
    it carries: X-Request-ID always, Retry-After on a 503, Location on a 201 (and
    Idempotent-Replayed when the create takes an Idempotency-Key), Link on a page, ETag where the
    route declared it (`versioned`, `conditional`), Content-Disposition on a file answer.

    `/health` and `/ready` are outside the API's conventions: `/ready` answers 503 with its own
    readiness document, so its responses are left as the route declares them.
    """
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    _name_form_bodies(document)
    _form_examples(document)
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            operation.setdefault("responses", {})
            _problems(path, operation)
            _conditional_write(document, path, method, operation)
            _answer_validator(path, method, operation)
            if "304" in operation["responses"]:
                operation.setdefault("parameters", []).append(IF_NONE_MATCH)
            _response_headers(path, operation)
            _operation_examples(document, operation)
            operation["responses"] = dict(sorted(operation["responses"].items()))
    components["headers"] = HEADERS
    for name, description in ENUM_DESCRIPTIONS.items():
        if name in schemas:
            schemas[name].setdefault("description", description)
    document["tags"] = [{"name": name, "description": text} for name, text in sorted(TAGS.items())]
    document["servers"] = SERVERS
    document["info"]["contact"] = INFO_CONTACT
    document["info"]["license"] = INFO_LICENSE
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


def restore_examples(document: dict[str, Any]) -> dict[str, Any]:
    """The schemas' examples as their models declare them: FastAPI drops every null from the
    document it generates (`exclude_none`), nulls in examples included, so an example of a
    nullable field would no longer match its own schema."""
    models: dict[str, type[BaseModel]] = {}
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("app.api."):
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, BaseModel):
                    models.setdefault(value.__name__, value)
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        model = models.get(name)
        if model is not None and "examples" in schema:
            schema["examples"] = model.model_json_schema()["examples"]
    return document


def install(app: FastAPI) -> None:
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = publish_actions(app, tidy(restore_examples(original())))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
