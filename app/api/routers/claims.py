"""Supporting Families payment-by-results claims: the batch report, internal audit, submission, and
the reference data (outcome framework, council policy) admins keep up to date."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.api import problems
from app.api.auth import GateDep
from app.api.deps import ClockDep, UowDep
from app.api.etags import IfMatch, etag, not_modified, parse_if_match
from app.api.idempotency import Created, IdempotencyDep
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
from app.services.claims import ClaimsReport

router = APIRouter(prefix="/api/v1", tags=["supporting-families"])

REPORT_PATH = "/api/v1/reports/supporting-families/claims"
UPDATE_ERRORS = (NotFound, IllegalTransition, StaleVersion, PreconditionRequired, Forbidden)
AcceptHeader = Annotated[str | None, Header(alias="Accept", include_in_schema=False)]


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


@router.get(
    "/reports/supporting-families/claims",
    response_model=ClaimsReportRead,
    responses={
        200: {
            "description": "The report (JSON, or CSV with `Accept: text/csv`).",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
        **problems.responses(InvalidValue),
    },
    operation_id="getSupportingFamiliesClaimsReport",
)
def get_claims_report(
    uow: UowDep,
    clock: ClockDep,
    gate: GateDep,
    period_end: Annotated[CaseDate, Query(description="The last day of the batch period.")],
    accept: AcceptHeader = None,
) -> Response | ClaimsReportRead:
    """The batch period's claimed, claimable and not-claimable families with rule results (no names)."""
    gate.require(Action.READ_REPORTS, "report", resource_id="supporting-families-claims")
    report = service.claims_report(uow, clock, period_end)
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
    gate: GateDep,
    idempotent: IdempotencyDep,
) -> Response:
    """Raise claims for claimable families and submit approved ones for a period end (idempotent)."""
    gate.require(
        Action.PREPARE_CLAIMS, "sf_claim", resource_id=f"batch:{body.period_end.isoformat()}"
    )

    def create() -> Created:
        report = service.run_batch(uow, clock, body.period_end, by=gate.principal.practitioner_id)
        return Created(
            ClaimsReportRead.of(report), f"{REPORT_PATH}?period_end={body.period_end.isoformat()}"
        )

    return idempotent.run(body, create)


@router.post(
    "/claims",
    status_code=201,
    response_model=ClaimRead,
    responses=problems.responses(NotFound, Forbidden, IllegalTransition, Conflict),
    operation_id="raiseSupportingFamiliesClaim",
)
def raise_claim(
    body: ClaimCreate,
    uow: UowDep,
    clock: ClockDep,
    gate: GateDep,
    idempotent: IdempotencyDep,
) -> Response:
    """Raise one family's claim for a batch period and send it to internal audit (409 with reasons)."""
    gate.require(Action.PREPARE_CLAIMS, "sf_claim", resource_id=body.episode_id)

    def create() -> Created:
        stored = service.raise_for_episode(
            uow,
            clock,
            body.episode_id,
            period_end=body.period_end,
            by=gate.principal.practitioner_id,
        )
        return Created(
            ClaimRead.of(stored), f"/api/v1/claims/{stored.claim.id}", etag(stored.claim.version)
        )

    return idempotent.run(body, create)


@router.get(
    "/claims/{claim_id}",
    response_model=ClaimRead,
    responses={304: {"description": "Not modified"}, **problems.responses(NotFound)},
    operation_id="getSupportingFamiliesClaim",
)
def get_claim(
    claim_id: uuid.UUID, request: Request, response: Response, uow: UowDep, gate: GateDep
) -> Response | ClaimRead:
    """A claim with its rule results, frozen evidence pack and the pack's hash."""
    gate.require(Action.READ_REPORTS, "sf_claim", resource_id=claim_id)
    stored = service.get_claim(uow, claim_id)
    unchanged = not_modified(request, stored.claim.version, response)
    if unchanged is not None:
        return unchanged
    return ClaimRead.of(stored)


@router.post(
    "/claims/{claim_id}/audit",
    response_model=ClaimRead,
    responses=problems.responses(*UPDATE_ERRORS),
    operation_id="auditSupportingFamiliesClaim",
)
def audit_claim(
    claim_id: uuid.UUID,
    body: AuditIn,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    gate: GateDep,
    if_match: IfMatch = None,
) -> ClaimRead:
    """Internal audit approves or rejects a claim with notes (If-Match)."""
    gate.require(Action.AUDIT_CLAIMS, "sf_claim", resource_id=claim_id)
    stored = service.audit_claim(
        uow,
        clock,
        claim_id,
        outcome=body.outcome,
        notes=body.notes,
        auditor_id=gate.principal.practitioner_id,
        expected_version=parse_if_match(if_match),
    )
    response.headers["ETag"] = etag(stored.claim.version)
    return ClaimRead.of(stored)


@router.post(
    "/claims/{claim_id}/submission",
    response_model=ClaimRead,
    responses=problems.responses(*UPDATE_ERRORS, validation=False),
    operation_id="submitSupportingFamiliesClaim",
)
def submit_claim(
    claim_id: uuid.UUID,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    gate: GateDep,
    if_match: IfMatch = None,
) -> ClaimRead:
    """Submit an approved claim; nothing is submitted without internal audit approval (If-Match)."""
    gate.require(Action.PREPARE_CLAIMS, "sf_claim", resource_id=claim_id)
    stored = service.submit_claim(
        uow,
        clock,
        claim_id,
        by=gate.principal.practitioner_id,
        expected_version=parse_if_match(if_match),
    )
    response.headers["ETag"] = etag(stored.claim.version)
    return ClaimRead.of(stored)


@router.get(
    "/admin/supporting-families/framework",
    response_model=FrameworkRead,
    responses=problems.responses(Forbidden, validation=False),
    operation_id="getSupportingFamiliesFramework",
)
def get_framework(uow: UowDep, gate: GateDep) -> FrameworkRead:
    """The outcome framework in use and the history of uploads."""
    gate.require(Action.MANAGE_POLICY, "sf_framework")
    return FrameworkRead.of(service.framework_history(uow))


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
    gate: GateDep,
    idempotent: IdempotencyDep,
) -> Response:
    """Upload a new version of the outcome framework; errors name the failing field."""
    gate.require(Action.MANAGE_POLICY, "sf_framework")

    def create() -> Created:
        history = service.upload_framework(
            uow, clock, body.document, reason=body.reason, by=gate.principal.practitioner_id
        )
        return Created(FrameworkRead.of(history), "/api/v1/admin/supporting-families/framework")

    return idempotent.run(body, create)


@router.get(
    "/admin/supporting-families/policy",
    response_model=SfPolicyRead,
    responses=problems.responses(Forbidden, validation=False),
    operation_id="getSupportingFamiliesPolicy",
)
def get_policy(uow: UowDep, clock: ClockDep, gate: GateDep) -> SfPolicyRead:
    """The council's claim policy in force today and every version."""
    gate.require(Action.MANAGE_POLICY, "sf_policy")
    return SfPolicyRead.of(service.policy_history(uow, clock))


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
    gate: GateDep,
    idempotent: IdempotencyDep,
) -> Response:
    """Add a version of the council's claim policy with its effective date and reason."""
    gate.require(Action.MANAGE_POLICY, "sf_policy")

    def create() -> Created:
        history = service.add_policy_version(
            uow,
            clock,
            body.policy,
            effective_from=body.effective_from,
            reason=body.reason,
            by=gate.principal.practitioner_id,
        )
        return Created(SfPolicyRead.of(history), "/api/v1/admin/supporting-families/policy")

    return idempotent.run(body, create)
