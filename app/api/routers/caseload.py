"""The signed-in practitioner's day: the episodes they lead, and everything due from them."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from app.api import problems
from app.api.acting import acting
from app.api.deps import ClockDep, NewUowDep, SettingsDep, UowDep
from app.api.paging import Cursor, Limit, link_next, page_request
from app.api.parameters import HubFilter
from app.api.schemas.base import CaseDate
from app.api.schemas.caseload import (
    CaseloadItemRead,
    CaseloadPage,
    ChangesRead,
    MeRead,
    RemovedRecord,
    WorkItemRead,
    WorkPage,
)
from app.api.schemas.contacts import CaseContactRead
from app.api.schemas.disclosures import DisclosureRead
from app.api.schemas.episodes import EpisodeRead, MeetingRead, PlanRead, TafMemberRead
from app.api.schemas.families import FamilyRead
from app.api.schemas.family_help import FamilyHelpRead
from app.api.schemas.family_network import FgdmMeetingRead, FgdmOfferRead, NetworkMemberRead
from app.api.schemas.requests import RequestRead
from app.db.changes import ChangeBroker
from app.domain.access import Action
from app.domain.episodes import EpisodeStage
from app.domain.errors import InvalidValue
from app.services import caseload as service
from app.services import changes, practitioners
from app.services import sync as sync_service
from app.services.use_case import Actor

router = APIRouter(prefix="/api/v1/me", tags=["me"])


@router.get("", response_model=MeRead, operation_id="getMe")
def me(
    uow: UowDep, clock: ClockDep, actor: Annotated[Actor, acting(Action.READ_OWN_PROFILE)]
) -> MeRead:
    """Who I am: my name, roles, agency and hubs (a front end's first call)."""
    return MeRead.from_profile(practitioners.get_my_profile(uow, clock, actor))


@router.get(
    "/caseload",
    response_model=CaseloadPage,
    responses=problems.responses(InvalidValue),
    operation_id="getMyCaseload",
)
def my_caseload(
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_MY_WORK)],
    limit: Limit = 50,
    cursor: Cursor = None,
    stage: Annotated[EpisodeStage | None, Query(description="Only episodes at this stage.")] = None,
    hub_id: HubFilter = None,
) -> CaseloadPage:
    """The open episodes I lead: overdue first, then due soonest, each with its family and children."""
    page = service.caseload(
        uow, clock, actor, stage=stage, hub_id=hub_id, page=page_request(limit, cursor)
    )
    link_next(request, response, page.next_cursor)
    return CaseloadPage(
        items=[CaseloadItemRead.from_entry(e) for e in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/worklist",
    response_model=WorkPage,
    responses=problems.responses(InvalidValue),
    operation_id="getMyWorklist",
)
def my_worklist(
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_MY_WORK)],
    limit: Limit = 50,
    cursor: Cursor = None,
    as_of: Annotated[
        CaseDate | None, Query(description="Work out what is due as of this date.")
    ] = None,
) -> WorkPage:
    """Everything due from me as lead professional, TAF member or QA officer, most urgent first."""
    page = service.worklist(uow, clock, actor, as_of=as_of, page=page_request(limit, cursor))
    link_next(request, response, page.next_cursor)
    return WorkPage(
        items=[WorkItemRead.from_row(r) for r in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/changes",
    response_model=ChangesRead,
    responses=problems.responses(InvalidValue),
    operation_id="getMyChanges",
)
def my_changes(
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Annotated[Actor, acting(Action.READ_MY_WORK)],
    since: Annotated[
        uuid.UUID | None, Query(description="The cursor of the last sync; omit for everything.")
    ] = None,
    limit: Annotated[
        int,
        Query(
            ge=1,
            le=sync_service.SYNC_PAGE_MAX,
            description="At most this many new or changed records in this page (removals are"
            " always all sent); `more` says whether to sync again at once.",
        ),
    ] = sync_service.SYNC_PAGE_DEFAULT,
) -> ChangesRead:
    """Delta sync for an offline device: my caseload's records created, changed or no longer visible.

    My caseload is the families I work with today: an open episode I lead or sit on the TAF of,
    or a family I registered that has no episode yet. With each family travel its network, FGDM
    offers and meetings, its disclosure log, and the requests for support about it that the
    front door's rules let me read; with each episode I may read, its Family Help record (type,
    statutory basis, step-across history, allocations, census dates and child protection) once
    it has one. When a case closes (or consent to share is withdrawn, or the
    case is handed over) its records are listed in `removed` so the device deletes them; closed
    cases stay readable online.
    """
    found = sync_service.changes_since(
        uow, clock, actor, since, policy=settings.family_help_policy(), limit=limit
    )
    records = found.records
    return ChangesRead(
        cursor=found.cursor,
        full=found.full,
        more=found.more,
        families=[FamilyRead.from_record(f) for f in found.families],
        episodes=[EpisodeRead.from_record(r) for r in found.episode_records],
        plans=[PlanRead.from_domain(p, found.names) for p in records.plans],
        taf_members=[TafMemberRead.from_domain(m, found.names) for m in records.taf_members],
        meetings=[MeetingRead.from_domain(m, found.names) for m in records.meetings],
        contacts=[CaseContactRead.from_domain(v) for v in found.contacts],
        network_members=[
            NetworkMemberRead.from_domain(n.member, n.person, may_see_restricted=n.details_shown)
            for n in found.network_members
        ],
        fgdm_offers=[FgdmOfferRead.from_domain(o) for o in found.fgdm_offers],
        fgdm_meetings=[FgdmMeetingRead.from_domain(m) for m in found.fgdm_meetings],
        disclosures=[DisclosureRead.from_domain(d) for d in found.disclosures],
        requests=[RequestRead.from_view(v) for v in found.requests],
        family_help=[FamilyHelpRead.from_view(v) for v in found.family_help],
        removed=[
            RemovedRecord(type=kind, id=uuid.UUID(rid))
            for kind, ids in found.removed.items()
            for rid in sorted(ids)
        ],
    )


KEEP_ALIVE_SECONDS = 15
"""A comment line this often keeps proxies from closing a quiet stream."""


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Server-sent events: `event: change` with `data` {family_id,"
            " resource_type, resource_id} for each change to a family you may read (ids only);"
            " comment lines keep the connection alive.",
            "content": {
                "text/event-stream": {
                    "schema": {
                        "type": "string",
                        "description": "A stream of server-sent events (text/event-stream).",
                    },
                    "example": "retry: 5000\n: connected\n\nid: 1\nevent: change\ndata:"
                    ' {"family_id": "7d1f0c7e-2b0a-4c47-9d0e-3c1a2b4d5e6f", "resource_type":'
                    ' "episode", "resource_id": "0b7c3a52-8d1e-4f5a-9c2b-6e4d3f2a1b0c"}\n\n',
                }
            },
        }
    },
    operation_id="streamMyChangeHints",
)
async def my_events(
    request: Request,
    uow: UowDep,
    clock: ClockDep,
    new_uow: NewUowDep,
    actor: Annotated[Actor, acting(Action.READ_MY_WORK)],
    max_events: Annotated[
        int | None,
        Query(
            ge=1,
            le=1000,
            description="Close the stream after this many events (a long poll); open-ended if absent.",
        ),
    ] = None,
) -> StreamingResponse:
    """Hints that records changed, as they commit, so a front end refreshes instead of polling.

    Only ids, and only for families the access rules let you read; fetch what changed through
    the usual endpoints. Works across every worker (PostgreSQL LISTEN/NOTIFY)."""
    await run_in_threadpool(changes.open_subscription, uow, clock, actor)
    broker: ChangeBroker = request.app.state.change_broker
    queue = broker.subscribe()

    async def stream() -> AsyncIterator[str]:
        sent = 0
        try:
            yield "retry: 5000\n: connected\n\n"
            while max_events is None or sent < max_events:
                try:
                    first = await asyncio.wait_for(queue.get(), timeout=KEEP_ALIVE_SECONDS)
                except TimeoutError:
                    if await request.is_disconnected():
                        return
                    yield ": keep-alive\n\n"
                    continue
                batch = [first]
                while not queue.empty():
                    batch.append(queue.get_nowait())
                visible = await run_in_threadpool(changes.hints_for, new_uow(), clock, actor, batch)
                for hint in visible:
                    sent += 1
                    data = json.dumps(
                        {
                            "family_id": str(hint.family_id),
                            "resource_type": hint.resource_type,
                            "resource_id": hint.resource_id,
                        }
                    )
                    yield f"id: {sent}\nevent: change\ndata: {data}\n\n"
                    if max_events is not None and sent >= max_events:
                        return
        finally:
            broker.unsubscribe(queue)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
