"""A family's chronology: one dated, paged timeline across all its episodes, as JSON or CSV."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import StreamingResponse

from app.api import problems
from app.api.acting import acting
from app.api.deps import ClockDep, UowDep
from app.api.paging import Cursor, Limit, link_next, page_request
from app.api.parameters import FamilyId
from app.api.schemas.base import CaseDate
from app.api.schemas.chronology import (
    CHRONOLOGY_COLUMNS,
    ChronologyEntryRead,
    ChronologyPage,
    chronology_rows,
)
from app.api.schemas.reports import csv_response
from app.domain.access import Action
from app.domain.chronology import ChronologyFilter, EntryKind
from app.domain.errors import InvalidValue, NotFound
from app.reporting_csv import CSV_MEDIA_TYPE, csv_bytes, wants_csv
from app.services import chronology as service
from app.services.use_case import Actor

router = APIRouter(prefix="/api/v1/families/{family_id}", tags=["families"])
AcceptHeader = Annotated[str | None, Header(alias="Accept", include_in_schema=False)]


@router.get(
    "/chronology",
    response_model=ChronologyPage,
    responses={
        **csv_response(
            [
                "2026-01-12,consent_given,Consent given (early help; written),consent,"
                "4e5f6a7b-8c9d-4e0f-8a1b-3c4d5e6f7a8b,/api/v1/families/7d1f0c7e-2b0a-4c47-9d0e-"
                "3c1a2b4d5e6f/consents/4e5f6a7b-8c9d-4e0f-8a1b-3c4d5e6f7a8b,,,"
                "c3a1e2f4-5b6c-4d7e-8f90-a1b2c3d4e5f6,d4b2f3a5-6c7d-4e8f-9a01-b2c3d4e5f6a7,"
            ],
            header=",".join(CHRONOLOGY_COLUMNS),
            description="A page of the timeline (JSON), or all of it, filtered, as CSV with "
            "`Accept: text/csv`.",
        ),
        **problems.responses(NotFound, InvalidValue),
    },
    operation_id="getFamilyChronology",
)
def get_chronology(
    family_id: FamilyId,
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_FAMILY)],
    limit: Limit = 50,
    cursor: Cursor = None,
    kind: Annotated[
        list[EntryKind] | None, Query(max_length=20, description="Only these kinds (repeatable).")
    ] = None,
    episode_id: Annotated[uuid.UUID | None, Query(description="Only this episode's.")] = None,
    person_id: Annotated[
        uuid.UUID | None, Query(description="Only those about this person.")
    ] = None,
    on_or_after: Annotated[
        CaseDate | None, Query(alias="from", description="From this day (inclusive).")
    ] = None,
    on_or_before: Annotated[
        CaseDate | None, Query(alias="to", description="To this day (inclusive).")
    ] = None,
    accept: AcceptHeader = None,
) -> Response | ChronologyPage:
    """The family's history across all its episodes, oldest first: requests, consents, steps of
    the cycle, quality assurance, meetings, needs and outcomes, disclosures and closures."""
    flt = ChronologyFilter(
        kinds=frozenset(kind or ()),
        episode_id=episode_id,
        person_id=person_id,
        on_or_after=on_or_after,
        on_or_before=on_or_before,
    )
    if wants_csv(accept):
        entries = service.every_entry(uow, clock, actor, family_id, flt)
        return StreamingResponse(
            csv_bytes(CHRONOLOGY_COLUMNS, chronology_rows(entries, family_id)),
            media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="chronology_{family_id}.csv"'},
        )
    page = service.family_chronology(uow, clock, actor, family_id, flt, page_request(limit, cursor))
    link_next(request, response, page.next_cursor)
    return ChronologyPage(
        items=[ChronologyEntryRead.from_domain(e, family_id) for e in page.items],
        next_cursor=page.next_cursor,
    )
