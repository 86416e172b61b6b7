"""Supporting Families payment-by-results claims: the batch report, internal audit, submission, and
the reference data (outcome framework, council policy) admins keep up to date."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.api import problems
from app.api.acting import acting
from app.api.deps import ClockDep, ReportUowDep, UowDep
from app.api.etags import IfMatch, etag, not_modified, parse_if_match
from app.api.idempotency import Created, IdempotencyKey
from app.api.openapi import conditional, versioned
from app.api.parameters import ClaimId, KnownAt
from app.api.schemas import examples as ex
from app.api.schemas.base import CaseDate
from app.api.schemas.claims import (
    CLAIMS_REPORT_COLUMNS,
    AuditIn,
    ClaimBatchCreate,
    ClaimCreate,
    ClaimRead,
    ClaimsReportRead,
    FrameworkCreate,
    FrameworkRead,
    SfPolicyCreate,
    SfPolicyRead,
    claims_report_rows,
)
from app.api.schemas.reports import csv_response
from app.domain.access import Action
from app.domain.errors import (
    Conflict,
    Forbidden,
    IllegalTransition,
    InvalidValue,
    NotFound,
    PreconditionRequired,
    StaleVersion,
)
from app.reporting_csv import CSV_MEDIA_TYPE, csv_bytes, wants_csv
from app.services import claims as service
from app.services.claims import ClaimsReport, FrameworkHistory, PolicyHistory
from app.services.ports import StoredClaim
from app.services.use_case import Actor

router = APIRouter(prefix="/api/v1", tags=["supporting-families"])

REPORT_PATH = "/api/v1/reports/supporting-families/claims"
UPDATE_ERRORS = (NotFound, IllegalTransition, StaleVersion, PreconditionRequired, Forbidden)
AcceptHeader = Annotated[str | None, Header(alias="Accept", include_in_schema=False)]
FRAMEWORK_PATH = "/api/v1/admin/supporting-families/framework"
POLICY_PATH = "/api/v1/admin/supporting-families/policy"


def _csv(report: ClaimsReport) -> StreamingResponse:
    return StreamingResponse(
        csv_bytes(CLAIMS_REPORT_COLUMNS, claims_report_rows(report)),
        media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8",
        headers={
            "Content-Disposition": (
                f'attachment; filename="sf-claims-{report.period_end.isoformat()}.csv"'
            )
        },
    )


def _batch_run(report: ClaimsReport) -> Created:
    return Created(
        ClaimsReportRead.of(report), f"{REPORT_PATH}?period_end={report.period_end.isoformat()}"
    )


def _claim_raised(stored: StoredClaim) -> Created:
    return Created(
        ClaimRead.of(stored), f"/api/v1/claims/{stored.claim.id}", etag(stored.claim.version)
    )


def _framework_uploaded(history: FrameworkHistory) -> Created:
    return Created(FrameworkRead.of(history), FRAMEWORK_PATH)


def _policy_added(history: PolicyHistory) -> Created:
    return Created(SfPolicyRead.of(history), POLICY_PATH)


@router.get(
    "/reports/supporting-families/claims",
    response_model=ClaimsReportRead,
    responses={
        **csv_response(
            [
                f"2026-12-31,FH-2026-00042,{ex.FAMILY},{ex.EPISODE},claimable,EDU HEALTH,,,,,",
                f"2026-12-31,FH-2026-00057,{ex.SARAH},{ex.CLAIM},not_claimable,EDU,,,,,C3",
            ],
            header=",".join(CLAIMS_REPORT_COLUMNS),
        ),
        **problems.responses(InvalidValue),
    },
    operation_id="getSupportingFamiliesClaimsReport",
    description="Send `Accept: text/csv` for the same rows as CSV, columns "
    f"`{','.join(CLAIMS_REPORT_COLUMNS)}`: headlines and failing rules space-separated, an "
    "empty cell for a family with no claim.",
)
def get_claims_report(
    uow: ReportUowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_REPORTS)],
    period_end: Annotated[
        CaseDate,
        Query(
            description="Any day of the batch period: the report covers the monthly or quarterly "
            "claim period it falls in, which the response names (`period_start`, `period_end`)."
        ),
    ],
    known_at: KnownAt = None,
    accept: AcceptHeader = None,
) -> Response | ClaimsReportRead:
    """The batch period's claimed, claimable and not-claimable families with rule results (no names)."""
    report = service.claims_report(uow, clock, actor, period_end, known_at=known_at)
    if wants_csv(accept):
        return _csv(report)
    return StreamingResponse(ClaimsReportRead.json_chunks(report), media_type="application/json")


@router.post(
    "/reports/supporting-families/claims",
    status_code=201,
    response_model=ClaimsReportRead,
    responses=problems.responses(Forbidden, Conflict, InvalidValue),
    operation_id="runSupportingFamiliesClaimBatch",
)
def run_claim_batch(
    body: ClaimBatchCreate,
    uow: UowDep,
    clock: ClockDep,
    idempotency: IdempotencyKey,
    actor: Annotated[Actor, acting(Action.PREPARE_CLAIMS)],
) -> Response:
    """Raise claims for claimable families and submit approved ones for a period end (idempotent)."""
    result = service.run_batch(
        uow,
        clock,
        actor,
        body.period_end,
        idempotency=idempotency.request(actor, body, _batch_run),
    )
    return idempotency.respond(result, _batch_run)


@router.post(
    "/claims",
    status_code=201,
    response_model=ClaimRead,
    responses={
        **problems.responses(NotFound, Forbidden, IllegalTransition, Conflict),
        **versioned(201),
    },
    operation_id="raiseSupportingFamiliesClaim",
)
def raise_claim(
    body: ClaimCreate,
    uow: UowDep,
    clock: ClockDep,
    idempotency: IdempotencyKey,
    actor: Annotated[Actor, acting(Action.PREPARE_CLAIMS)],
) -> Response:
    """Raise one family's claim for a batch period and send it to internal audit (409 with reasons)."""
    result = service.raise_for_episode(
        uow,
        clock,
        actor,
        body.episode_id,
        period_end=body.period_end,
        route=body.route,
        idempotency=idempotency.request(actor, body, _claim_raised),
    )
    return idempotency.respond(result, _claim_raised)


@router.get(
    "/claims/{claim_id}",
    response_model=ClaimRead,
    responses={**conditional(), **problems.responses(NotFound)},
    operation_id="getSupportingFamiliesClaim",
)
def get_claim(
    claim_id: ClaimId,
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_REPORTS)],
) -> Response | ClaimRead:
    """A claim with its rule results, frozen evidence pack and the pack's hash."""
    stored = service.get_claim(uow, clock, actor, claim_id)
    return not_modified(request, stored.claim.version, response) or ClaimRead.of(stored)


@router.post(
    "/claims/{claim_id}/audit",
    response_model=ClaimRead,
    responses={**problems.responses(*UPDATE_ERRORS), **versioned()},
    operation_id="auditSupportingFamiliesClaim",
)
def audit_claim(
    claim_id: ClaimId,
    body: AuditIn,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.AUDIT_CLAIMS)],
    if_match: IfMatch = None,
) -> ClaimRead:
    """Internal audit approves or rejects a claim with notes (If-Match)."""
    stored = service.audit_claim(
        uow,
        clock,
        actor,
        claim_id,
        outcome=body.outcome,
        notes=body.notes,
        expected_version=parse_if_match(if_match),
    )
    response.headers["ETag"] = etag(stored.claim.version)
    return ClaimRead.of(stored)


@router.post(
    "/claims/{claim_id}/submission",
    response_model=ClaimRead,
    responses={**problems.responses(*UPDATE_ERRORS, validation=False), **versioned()},
    operation_id="submitSupportingFamiliesClaim",
)
def submit_claim(
    claim_id: ClaimId,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.PREPARE_CLAIMS)],
    if_match: IfMatch = None,
) -> ClaimRead:
    """Submit an approved claim; nothing is submitted without internal audit approval (If-Match)."""
    stored = service.submit_claim(
        uow, clock, actor, claim_id, expected_version=parse_if_match(if_match)
    )
    response.headers["ETag"] = etag(stored.claim.version)
    return ClaimRead.of(stored)


@router.get(
    "/admin/supporting-families/framework",
    response_model=FrameworkRead,
    responses=problems.responses(Forbidden, validation=False),
    operation_id="getSupportingFamiliesFramework",
)
def get_framework(
    uow: UowDep, clock: ClockDep, actor: Annotated[Actor, acting(Action.MANAGE_POLICY)]
) -> FrameworkRead:
    """The outcome framework in use and the history of uploads."""
    return FrameworkRead.of(service.framework_history(uow, clock, actor))


@router.post(
    "/admin/supporting-families/framework",
    status_code=201,
    response_model=FrameworkRead,
    responses=problems.responses(Forbidden, InvalidValue),
    operation_id="uploadSupportingFamiliesFramework",
)
def upload_framework(
    body: FrameworkCreate,
    uow: UowDep,
    clock: ClockDep,
    idempotency: IdempotencyKey,
    actor: Annotated[Actor, acting(Action.MANAGE_POLICY)],
) -> Response:
    """Upload a new version of the outcome framework; errors name the failing field."""
    result = service.upload_framework(
        uow,
        clock,
        actor,
        body.document,
        reason=body.reason,
        idempotency=idempotency.request(actor, body, _framework_uploaded),
    )
    return idempotency.respond(result, _framework_uploaded)


@router.get(
    "/admin/supporting-families/policy",
    response_model=SfPolicyRead,
    responses=problems.responses(Forbidden, validation=False),
    operation_id="getSupportingFamiliesPolicy",
)
def get_policy(
    uow: UowDep, clock: ClockDep, actor: Annotated[Actor, acting(Action.MANAGE_POLICY)]
) -> SfPolicyRead:
    """The council's claim policy in force today and every version."""
    return SfPolicyRead.of(service.policy_history(uow, clock, actor))


@router.post(
    "/admin/supporting-families/policy",
    status_code=201,
    response_model=SfPolicyRead,
    responses=problems.responses(Forbidden, InvalidValue),
    operation_id="addSupportingFamiliesPolicyVersion",
)
def add_policy(
    body: SfPolicyCreate,
    uow: UowDep,
    clock: ClockDep,
    idempotency: IdempotencyKey,
    actor: Annotated[Actor, acting(Action.MANAGE_POLICY)],
) -> Response:
    """Add a version of the council's claim policy with its effective date and reason."""
    result = service.add_policy_version(
        uow,
        clock,
        actor,
        body.policy,
        effective_from=body.effective_from,
        reason=body.reason,
        idempotency=idempotency.request(actor, body, _policy_added),
    )
    return idempotency.respond(result, _policy_added)
