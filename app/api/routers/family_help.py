"""Family Help: an episode's type and statutory basis, step-across, allocations, CIN census dates,
s.47 enquiries and child protection plans, and the CIN census extract."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.api import problems
from app.api.acting import acting
from app.api.deps import ClockDep, SettingsDep, UowDep
from app.api.etags import IfMatch, etag, not_modified, parse_if_match
from app.api.openapi import conditional, versioned
from app.api.parameters import EpisodeId
from app.api.schemas.base import CaseDate
from app.api.schemas.family_help import (
    CIN_CENSUS_COLUMNS,
    AllocationEndIn,
    AllocationIn,
    CensusDatesIn,
    ChildProtectionIn,
    FamilyHelpRead,
    StepAcrossIn,
)
from app.api.schemas.reports import csv_response
from app.db.repositories.census_codes import packaged_census_codes
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
from app.reporting_csv import CSV_MEDIA_TYPE, csv_bytes
from app.services import family_help as service
from app.services.family_help import CensusLine, FamilyHelpView
from app.services.use_case import Actor

router = APIRouter(prefix="/api/v1/episodes/{episode_id}", tags=["family-help"])
reports_router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

CHANGE_ERRORS = (
    NotFound,
    InvalidValue,
    IllegalTransition,
    Conflict,
    StaleVersion,
    PreconditionRequired,
)
AllocationId = Annotated[uuid.UUID, Path(description="The allocation's id.")]


def _read(response: Response, view: FamilyHelpView) -> FamilyHelpRead:
    response.headers["ETag"] = etag(view.record.version)
    return FamilyHelpRead.from_view(view)


@router.get(
    "/family-help",
    response_model=FamilyHelpRead,
    responses={**conditional(), **problems.responses(NotFound)},
    operation_id="getFamilyHelp",
)
def get_family_help(
    episode_id: EpisodeId,
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Annotated[Actor, acting(Action.READ_EPISODE)],
) -> Response | FamilyHelpRead:
    """The episode's type, statutory basis, step-across history, allocations and census dates."""
    view = service.get_family_help(uow, clock, actor, episode_id, settings.family_help_policy())
    return not_modified(request, view.record.version, response) or _read(response, view)


@router.post(
    "/step-across",
    response_model=FamilyHelpRead,
    responses={**problems.responses(*CHANGE_ERRORS), **versioned()},
    operation_id="stepAcross",
)
def step_across(
    episode_id: EpisodeId,
    body: StepAcrossIn,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Annotated[Actor, acting(Action.STEP_ACROSS)],
    if_match: IfMatch = None,
) -> FamilyHelpRead:
    """Move the episode to another type or statutory basis without closing it (If-Match: the
    Family Help record's ETag); the assessment, plan, TAF and clocks carry on."""
    view, _ = service.step_across(
        uow,
        clock,
        actor,
        episode_id,
        body.to_input(),
        policy=settings.family_help_policy(),
        codes=packaged_census_codes(),
        expected_version=parse_if_match(if_match),
    )
    return _read(response, view)


@router.post(
    "/allocations",
    response_model=FamilyHelpRead,
    responses={**problems.responses(*CHANGE_ERRORS), **versioned()},
    operation_id="allocatePractitioner",
)
def allocate_practitioner(
    episode_id: EpisodeId,
    body: AllocationIn,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Annotated[Actor, acting(Action.ALLOCATE_PRACTITIONERS)],
    if_match: IfMatch = None,
) -> FamilyHelpRead:
    """Give a practitioner from any agency a role on the episode (If-Match: the record's ETag)."""
    view, _ = service.allocate(
        uow,
        clock,
        actor,
        episode_id,
        body.to_input(),
        policy=settings.family_help_policy(),
        expected_version=parse_if_match(if_match),
    )
    return _read(response, view)


@router.post(
    "/allocations/{allocation_id}/end",
    response_model=FamilyHelpRead,
    responses={**problems.responses(*CHANGE_ERRORS), **versioned()},
    operation_id="endAllocation",
)
def end_allocation(
    episode_id: EpisodeId,
    allocation_id: AllocationId,
    body: AllocationEndIn,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Annotated[Actor, acting(Action.ALLOCATE_PRACTITIONERS)],
    if_match: IfMatch = None,
) -> FamilyHelpRead:
    """End a practitioner's role on the episode (If-Match: the record's ETag)."""
    view = service.end_allocation(
        uow,
        clock,
        actor,
        episode_id,
        allocation_id,
        ended_on=body.ended_on,
        reason=body.reason,
        policy=settings.family_help_policy(),
        expected_version=parse_if_match(if_match),
    )
    return _read(response, view)


@router.put(
    "/census-dates",
    response_model=FamilyHelpRead,
    responses={**problems.responses(*CHANGE_ERRORS), **versioned()},
    operation_id="recordCensusDates",
)
def record_census_dates(
    episode_id: EpisodeId,
    body: CensusDatesIn,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Annotated[Actor, acting(Action.WRITE_EPISODE)],
    if_match: IfMatch = None,
) -> FamilyHelpRead:
    """Record the CIN census dates of the child in need period (If-Match: the record's ETag)."""
    view = service.record_census_dates(
        uow,
        clock,
        actor,
        episode_id,
        body.to_domain(),
        policy=settings.family_help_policy(),
        codes=packaged_census_codes(),
        expected_version=parse_if_match(if_match),
    )
    return _read(response, view)


@router.put(
    "/census-child-protection",
    response_model=FamilyHelpRead,
    responses={**problems.responses(*CHANGE_ERRORS), **versioned()},
    operation_id="recordCensusChildProtection",
)
def record_census_child_protection(
    episode_id: EpisodeId,
    body: ChildProtectionIn,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Annotated[Actor, acting(Action.WRITE_EPISODE)],
    if_match: IfMatch = None,
) -> FamilyHelpRead:
    """Record the s.47 enquiries and child protection plans of the child in need period for the
    CIN census, replacing those recorded (If-Match: the record's ETag)."""
    view = service.record_child_protection(
        uow,
        clock,
        actor,
        episode_id,
        body.to_domain(),
        policy=settings.family_help_policy(),
        codes=packaged_census_codes(),
        expected_version=parse_if_match(if_match),
    )
    return _read(response, view)


def _each(values: Iterable[object]) -> str | None:
    """Several records' values in one cell, in date order, `;` between them (an empty place
    where one has none), so the nth value of every column of a kind belongs together."""
    shown = ["" if v is None else v.isoformat() if isinstance(v, date) else str(v) for v in values]
    return ";".join(shown) if shown else None


def _row(line: CensusLine) -> tuple[object, ...]:
    d = line.dates
    enquiries, plans = line.child_protection.s47_enquiries, line.child_protection.plans
    return (
        line.la_child_id,
        line.upn,
        line.nhs_number,
        line.date_of_birth,
        line.expected_birth_on,
        line.gender_code,
        line.ethnicity_code,
        "|".join(line.disabilities) or None,
        d.referral_on,
        d.referral_source_code,
        d.primary_need_code,
        d.assessment_started_on,
        d.assessment_authorised_on,
        d.plan_started_on,
        d.plan_ended_on,
        _each(e.started_on for e in enquiries),
        _each("true" if e.icpc_not_required else "false" for e in enquiries),
        _each(e.icpc_on for e in enquiries),
        _each(p.started_on for p in plans),
        _each(p.ended_on for p in plans),
        _each(p.initial_category_code for p in plans),
        _each(p.latest_category_code for p in plans),
        _each("|".join(r.isoformat() for r in p.review_dates) for p in plans),
        d.closed_on,
        d.closure_reason_code,
        line.episode_id,
    )


@reports_router.get(
    "/cin-census",
    response_class=StreamingResponse,
    responses={
        **csv_response(
            [
                "LA-000123,A123456789012,9434765919,2019-05-04,,2,WBRI,LD|COMM,2026-03-02,2A,N1,"
                "2026-03-03,2026-04-10,,,2026-03-10,false,2026-03-24,2026-03-24,,NEG,NEG,"
                "2026-06-16,,,0b7c3a52-8d1e-4f5a-9c2b-6e4d3f2a1b0c"
            ],
            header=",".join(CIN_CENSUS_COLUMNS),
            description="CSV: one line per child of each episode whose child in need period "
            "overlaps the period; several s.47 enquiries or plans are `;`-separated in date "
            "order, a plan's reviews and a child's disabilities `|`-separated"
            " (docs/family-help.md lists the columns).",
        ),
        **problems.responses(InvalidValue, Forbidden),
    },
    operation_id="getCinCensus",
)
def get_cin_census(
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.EXPORT_CIN_CENSUS)],
    period_start: Annotated[CaseDate, Query(alias="from", description="First day (inclusive).")],
    period_end: Annotated[CaseDate, Query(alias="to", description="Last day (inclusive).")],
) -> StreamingResponse:
    """The CIN census child-level extract of s17 and s47 work, whoever led it (CSV)."""
    lines = service.cin_census(
        uow,
        clock,
        actor,
        period_start=period_start,
        period_end=period_end,
        codes=packaged_census_codes(),
    )
    name = f"cin-census_{period_start.isoformat()}_{period_end.isoformat()}.csv"
    return StreamingResponse(
        csv_bytes(CIN_CENSUS_COLUMNS, (_row(line) for line in lines)),
        media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
