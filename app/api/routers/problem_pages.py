"""The pages a problem's `type` points to: what the problem means and what to do about it.

Every problem document names its kind with a `type` such as `/problems/stale-version`; following
it gives a short page a developer (or a curious user) can read. No sign-in: the pages describe the
API, never a record.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse

from app.api.error_codes import CODES

router = APIRouter(tags=["problems"])

PAGES: dict[str, tuple[int, str, str, str]] = {
    "not-found": (
        404,
        "Not found",
        "There is no record with this id, or it is not one you may know of: both are answered"
        " alike, so an answer never tells anyone whether a family exists.",
        "Check the id. If you should see this record, ask its lead professional or a manager.",
    ),
    "forbidden": (
        403,
        "Forbidden",
        "You may know this record exists, but your role or your relationship to the family does"
        " not allow this step (a link worker reads a case but does not change it, say).",
        "Ask the lead professional, or a manager, to do it.",
    ),
    "self-role-change": (
        403,
        "You cannot change your own access",
        "Nobody changes their own roles or their own active flag.",
        "Ask another administrator.",
    ),
    "unauthorized": (
        401,
        "Authentication required",
        "The request has no valid bearer token: missing, expired, issued more than the maximum age"
        " ago, for another audience, or naming no active practitioner.",
        "Sign in again and send `Authorization: Bearer <token>` once.",
    ),
    "invalid-value": (
        422,
        "Invalid value",
        "A value breaks a rule of the record: a date in the future, a postcode that is not one,"
        " an NHS number that fails its check digit. `code` names the rule and `errors[]` the"
        " field.",
        "Correct the field named and send the request again.",
    ),
    "validation": (
        422,
        "Invalid request",
        "The request does not have the shape this operation takes: a field missing, unknown or"
        " of the wrong kind. Every such field is listed in `errors[]`, each with a `type` such as"
        " `required`, `not_an_id`, `not_a_date` or `not_one_of` and a message to show.",
        "Correct every field listed; the contract (/openapi.json) gives each one's shape.",
    ),
    "consent-required": (
        409,
        "Consent is not in force",
        "This step needs consent the family has not given, or has withdrawn: to take part in"
        " early help (the assessment) or to share information with an agency (a TAF seat).",
        "Record the family's consent first, or choose a step that does not need it.",
    ),
    "illegal-transition": (
        409,
        "Not allowed at this stage",
        "The record's stage does not allow this step yet, or any more (a plan sent for quality"
        " assurance before the assessment is complete; a step on a closed episode).",
        "Read the record's current stage and take the step that comes next.",
    ),
    "conflict": (
        409,
        "Conflict",
        "The request clashes with what is already recorded: a duplicate, an overlap, a second"
        " open episode for one family.",
        "Read the record as it is and decide whether the request is still needed.",
    ),
    "stale-version": (
        412,
        "The record has changed",
        "Someone changed the record after you read it: your `If-Match` names an older version."
        " The problem's `current` holds the record as it is now.",
        "Show your change beside `current`, then send it again with the new ETag.",
    ),
    "precondition-required": (
        428,
        "If-Match required",
        "A change must name the version it was based on, so no edit overwrites a newer one.",
        'Send `If-Match` with the ETag you read (for example `"3"`).',
    ),
    "idempotency-key-reused": (
        422,
        "Idempotency-Key reused",
        "This Idempotency-Key was used for a different request body.",
        "Use a new key for a new request; a retry must send the same body.",
    ),
    "payload-too-large": (
        413,
        "Request body too large",
        "The body is larger than the service accepts (FAMILYHUB_MAX_BODY_BYTES).",
        "Send less: split the request, or attach files through the documents endpoints.",
    ),
    "bad-request": (
        400,
        "Bad request",
        "The request could not be read as HTTP the service understands.",
        "Check the method, the headers and the body's encoding.",
    ),
    "not-acceptable": (
        406,
        "Not acceptable",
        "The service cannot answer in the media type `Accept` asks for.",
        "Ask for application/json (or text/csv where a report offers it).",
    ),
    "unsupported-media-type": (
        415,
        "Unsupported media type",
        "The body is sent as a media type this operation does not take.",
        "Send application/json (or multipart/form-data where a file is uploaded).",
    ),
    "method-not-allowed": (
        405,
        "Method not allowed",
        "The path exists but not with this method; `Allow` lists those it takes.",
        "Use one of the methods in `Allow`.",
    ),
    "unavailable": (
        503,
        "Service unavailable",
        "The database cannot be reached, or every connection is busy.",
        "Try again after the seconds in `Retry-After`.",
    ),
    "internal": (
        500,
        "Internal error",
        "Something went wrong on our side. It has been logged with the request's id.",
        "Quote `request_id` when you report it.",
    ),
}


@router.get("/problems/{slug}", response_class=HTMLResponse, include_in_schema=False)
def problem_page(slug: str) -> HTMLResponse:
    """A short page on one kind of problem (no sign-in: it describes the API, not a record)."""
    page = PAGES.get(slug)
    if page is None:
        raise HTTPException(status_code=404, detail="There is no such kind of problem.")
    status, title, meaning, action = page
    return HTMLResponse(
        "<!doctype html><html lang=en><meta charset=utf-8>"
        f"<title>{escape(title)} ({status}) - familyhub</title>"
        f"<h1>{escape(title)}</h1><p>HTTP status {status}.</p>"
        f"<h2>What it means</h2><p>{escape(meaning)}</p>"
        f"<h2>What to do</h2><p>{escape(action)}</p>"
        "<p>The problem document's <code>code</code> names the exact rule; "
        "<code>errors[]</code> names each field; <code>request_id</code> finds the request in"
        " the logs.</p>"
        f"{_codes(slug)}</html>"
    )


def _codes(slug: str) -> str:
    """The codes this kind of problem comes with (docs/errors.md lists them all)."""
    items = "".join(
        f"<li><code>{escape(code)}</code>: {escape(meaning)}</li>"
        for code, (_status, of, meaning) in CODES.items()
        if of == slug
    )
    return f"<h2>Codes</h2><ul>{items}</ul>" if items else ""
