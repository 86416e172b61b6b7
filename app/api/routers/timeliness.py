"""Timeliness: the overdue list, the summary for managers, and the policy versions behind them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api import problems
from app.api.acting import acting
from app.api.deps import ClockDep, ReportUowDep, UowDep
from app.api.idempotency import Created, IdempotencyKey
from app.api.paging import Cursor, Limit, link_next, page_request
from app.api.parameters import HubFilter, KnownAt, LeadFilter
from app.api.schemas.base import CaseDate
from app.api.schemas.timeliness import (
    OverdueItemRead,
    OverduePage,
    PolicyVersionCreate,
    PolicyVersionsRead,
    TimelinessSummaryRead,
)
from app.domain.access import Action
from app.domain.errors import Conflict, InvalidValue
from app.domain.timeliness import DeadlineKind
from app.services import timeliness as service
from app.services.use_case import Actor

router = APIRouter(prefix="/api/v1", tags=["timeliness"])

POLICY_PATH = "/api/v1/admin/timeliness-policy"

AsOf = Annotated[CaseDate | None, Query(description="The day to report on (default: today).")]


def _policy_versions(versions: service.PolicyVersions) -> PolicyVersionsRead:
    return PolicyVersionsRead.from_domain(versions.history, versions.today)


def _policy_added(versions: service.PolicyVersions) -> Created:
    return Created(_policy_versions(versions), POLICY_PATH)


@router.get(
    "/timeliness/overdue",
    response_model=OverduePage,
    responses=problems.responses(InvalidValue),
    operation_id="listOverdueDeadlines",
)
def list_overdue(
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_TIMELINESS)],
    as_of: AsOf = None,
    hub_id: HubFilter = None,
    lead_practitioner_id: LeadFilter = None,
    kind: Annotated[DeadlineKind | None, Query(description="Only deadlines of this kind.")] = None,
    level_of_need: Annotated[
        str | None, Query(max_length=16, description="Only episodes at this level of need.")
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> OverduePage:
    """Running clocks overdue or due soon on as_of, most overdue first (due date, then id)."""
    page = service.overdue(
        uow,
        clock,
        actor,
        as_of=as_of,
        hub_id=hub_id,
        lead_practitioner_id=lead_practitioner_id,
        kind=kind,
        level_of_need=level_of_need,
        page=page_request(limit, cursor),
    )
    link_next(request, response, page.next_cursor)
    return OverduePage(
        items=[OverdueItemRead.from_item(i) for i in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/timeliness/summary",
    response_model=TimelinessSummaryRead,
    responses=problems.responses(InvalidValue),
    operation_id="getTimelinessSummary",
)
def get_summary(
    uow: ReportUowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_TIMELINESS)],
    as_of: AsOf = None,
    period_start: Annotated[
        CaseDate | None,
        Query(
            alias="from",
            description="Rates cover deadlines due from this day (default: 3 months before as_of).",
        ),
    ] = None,
    period_end: Annotated[
        CaseDate | None,
        Query(alias="to", description="... to this day (default: the day before as_of)."),
    ] = None,
    hub_id: HubFilter = None,
    known_at: KnownAt = None,
) -> TimelinessSummaryRead:
    """Overdue and due-soon counts per hub and lead on as_of, and on-time rates per kind."""
    summary = service.summary(
        uow,
        clock,
        actor,
        as_of=as_of,
        period_start=period_start,
        period_end=period_end,
        hub_id=hub_id,
        known_at=known_at,
    )
    return TimelinessSummaryRead.from_domain(summary)


@router.get(
    "/admin/timeliness-policy",
    response_model=PolicyVersionsRead,
    responses=problems.responses(validation=False),
    operation_id="listTimelinessPolicyVersions",
)
def list_policy_versions(
    uow: UowDep, clock: ClockDep, actor: Annotated[Actor, acting(Action.READ_DIRECTORY)]
) -> PolicyVersionsRead:
    """Every version of the timeliness policy, and which one is in force today."""
    return _policy_versions(service.current_policy(uow, clock, actor))


@router.post(
    "/admin/timeliness-policy",
    status_code=201,
    response_model=PolicyVersionsRead,
    responses=problems.responses(InvalidValue, Conflict),
    operation_id="addTimelinessPolicyVersion",
)
def add_policy_version(
    body: PolicyVersionCreate,
    uow: UowDep,
    clock: ClockDep,
    idempotency: IdempotencyKey,
    actor: Annotated[Actor, acting(Action.MANAGE_POLICY)],
) -> Response:
    """Add a policy version from today or later; only clocks starting from then use it."""
    result = service.add_policy_version(
        uow,
        clock,
        actor,
        body.to_domain(),
        body.reason,
        idempotency=idempotency.request(actor, body, _policy_added),
    )
    return idempotency.respond(result, _policy_added)
