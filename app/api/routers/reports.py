"""Reports for the reporting account (and managers, auditors): aggregates only, JSON or CSV; and
the managers' security events report."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.api import problems
from app.api.acting import acting
from app.api.deps import ClockDep, NewUowDep, ReportUowDep, SettingsDep, UowDep
from app.api.paging import Cursor, Limit, link_next, page_request
from app.api.parameters import HubFilter, KnownAt
from app.api.schemas import examples as ex
from app.api.schemas.base import CaseDate
from app.api.schemas.reports import (
    CSV_DESCRIPTION,
    EarlyHelpMeasuresRead,
    QuarterlyProgressRead,
    csv_response,
)
from app.api.schemas.security_events import (
    SECURITY_EVENT_COLUMNS,
    SECURITY_EVENTS_CSV_DESCRIPTION,
    SecurityEventPage,
    SecurityEventRead,
    security_event_rows,
)
from app.domain.access import Action
from app.domain.errors import Forbidden, InvalidValue
from app.domain.measures import DEFAULT_REENTRY_MONTHS, MAX_REENTRY_MONTHS
from app.reporting_csv import CSV_MEDIA_TYPE, csv_bytes, wants_csv
from app.services import measures as service
from app.services import security_events
from app.services.measures import FIGURE_COLUMNS, early_help_figures, quarterly_figures
from app.services.use_case import Actor

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
AcceptHeader = Annotated[str | None, Header(alias="Accept", include_in_schema=False)]


def _csv(
    rows: Iterable[Sequence[object]], filename: str, columns: Sequence[str] = FIGURE_COLUMNS
) -> StreamingResponse:
    return StreamingResponse(
        csv_bytes(columns, rows),
        media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/early-help-measures",
    response_model=EarlyHelpMeasuresRead,
    responses={
        **csv_response(
            [
                "all,families_with_assessment_or_plan,,,12",
                "all,new_episodes,total,,9",
                "all,new_episodes,by_source,school,4",
                "all,closures,by_reason,all_needs_met,3",
                "all,length_of_support_days,median,,84.5",
                "all,timeliness,assessment,share_on_time,0.75",
                "all,reach,age_band,0-4,5",
                "NORTH,step_ups,,,1",
            ]
        ),
        **problems.responses(InvalidValue),
    },
    operation_id="getEarlyHelpMeasures",
    description=CSV_DESCRIPTION,
)
def get_early_help_measures(
    uow: ReportUowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_REPORTS)],
    period_start: Annotated[CaseDate, Query(alias="from", description="First day (inclusive).")],
    period_end: Annotated[CaseDate, Query(alias="to", description="Last day (inclusive).")],
    hub_id: HubFilter = None,
    reentry_months: Annotated[
        int,
        Query(
            ge=1,
            le=MAX_REENTRY_MONTHS,
            description="Re-entry window after the previous episode ceased (seed 004:785).",
        ),
    ] = DEFAULT_REENTRY_MONTHS,
    known_at: KnownAt = None,
    accept: AcceptHeader = None,
) -> Response | EarlyHelpMeasuresRead:
    """The early help dashboard measures over a period, overall and per hub."""
    report = service.early_help_measures(
        uow,
        clock,
        actor,
        period_start=period_start,
        period_end=period_end,
        hub_id=hub_id,
        reentry_months=reentry_months,
        known_at=known_at,
    )
    if wants_csv(accept):
        name = f"early-help-measures_{period_start.isoformat()}_{period_end.isoformat()}.csv"
        return _csv(early_help_figures(report), name)
    return EarlyHelpMeasuresRead.from_domain(report)


@router.get(
    "/quarterly-progress",
    response_model=QuarterlyProgressRead,
    responses={
        **csv_response(
            [
                "all,families_attached,,,40",
                "all,families_open_at_quarter_end,,,28",
                "all,needs_at_attachment,EDU,,12",
                "all,outcomes_achieved,EDU,,5",
            ]
        ),
        **problems.responses(InvalidValue),
    },
    operation_id="getQuarterlyProgress",
    description=CSV_DESCRIPTION,
)
def get_quarterly_progress(
    uow: ReportUowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_REPORTS)],
    quarter_end: Annotated[
        CaseDate, Query(description="The quarter's last day: 31 Mar, 30 Jun, 30 Sep or 31 Dec.")
    ],
    hub_id: HubFilter = None,
    known_at: KnownAt = None,
    accept: AcceptHeader = None,
) -> Response | QuarterlyProgressRead:
    """Supporting Families quarterly progress: families attached, open and closed; needs, outcomes."""
    report = service.quarterly_progress(
        uow, clock, actor, quarter_end=quarter_end, hub_id=hub_id, known_at=known_at
    )
    if wants_csv(accept):
        return _csv(
            quarterly_figures(report),
            f"quarterly-progress_{quarter_end.isoformat()}.csv",
        )
    return QuarterlyProgressRead.from_domain(report)


@router.get(
    "/security-events",
    response_model=SecurityEventPage,
    responses={
        **csv_response(
            [
                f"18342,2026-02-17T14:32:05Z,break_glass_read,allowed,{ex.MANAGER},Mo Patel,"
                f"manager,,,,{ex.FAMILY},FH-2026-00042,family,{ex.FAMILY},Police called about "
                f"the children,{ex.REQUEST_ID}"
            ],
            header=",".join(SECURITY_EVENT_COLUMNS),
            description="A page of the events (JSON), or all of them as CSV with "
            "`Accept: text/csv`.",
        ),
        **problems.responses(Forbidden, InvalidValue),
    },
    operation_id="getSecurityEvents",
    description="Managers only: every role granted or revoked, every practitioner deactivated "
    "or reactivated (refused attempts included) and every record read by break glass in the "
    "period, newest first. The days are the council's; reading the report is itself audited. "
    + SECURITY_EVENTS_CSV_DESCRIPTION,
)
def get_security_events(
    request: Request,
    response: Response,
    uow: UowDep,
    new_uow: NewUowDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Annotated[Actor, acting(Action.READ_SECURITY_EVENTS)],
    period_start: Annotated[CaseDate, Query(alias="from", description="First day (inclusive).")],
    period_end: Annotated[
        CaseDate, Query(alias="to", description="Last day (inclusive); at most 366 days in all.")
    ],
    limit: Limit = 50,
    cursor: Cursor = None,
    accept: AcceptHeader = None,
) -> Response | SecurityEventPage:
    """Role changes and break-glass reads across the council in a period."""
    zone = ZoneInfo(settings.timezone)
    if wants_csv(accept):
        every = security_events.every_security_event(
            new_uow, clock, actor, first_day=period_start, last_day=period_end, zone=zone
        )
        return _csv(
            security_event_rows(every),
            f"security-events_{period_start.isoformat()}_{period_end.isoformat()}.csv",
            SECURITY_EVENT_COLUMNS,
        )
    page = security_events.security_events(
        uow,
        clock,
        actor,
        first_day=period_start,
        last_day=period_end,
        zone=zone,
        page=page_request(limit, cursor),
    )
    link_next(request, response, page.next_cursor)
    return SecurityEventPage(
        items=[SecurityEventRead.from_domain(e) for e in page.items], next_cursor=page.next_cursor
    )
