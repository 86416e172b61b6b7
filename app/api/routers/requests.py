"""The front door: requests for support, the overdue view and the screening decision."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api import problems
from app.api.acting import acting
from app.api.deps import ClockDep, SettingsDep, UowDep
from app.api.etags import IfMatch, etag, not_modified, parse_if_match
from app.api.idempotency import Created, IdempotencyKey
from app.api.openapi import conditional, versioned
from app.api.paging import Cursor, Limit, link_next, page_request
from app.api.parameters import FamilyFilter, RequestId
from app.api.schemas.base import CaseDate
from app.api.schemas.requests import (
    DecisionIn,
    RequestCreate,
    RequestPage,
    RequestRead,
    RequestUpdate,
)
from app.domain.access import Action, RequestScope
from app.domain.errors import (
    Conflict,
    IllegalTransition,
    InvalidValue,
    NotFound,
    PreconditionRequired,
    StaleVersion,
)
from app.domain.requests import RequestStatus, ScreeningOutcome, Urgency
from app.services import requests as service
from app.services.ports import RequestFilter
from app.services.use_case import Actor

router = APIRouter(prefix="/api/v1/requests", tags=["requests"])


def _created(view: service.RequestView) -> Created:
    return Created(
        RequestRead.from_view(view),
        f"/api/v1/requests/{view.request.id}",
        etag(view.request.version),
    )


def _read(response: Response, view: service.RequestView) -> RequestRead:
    response.headers["ETag"] = etag(view.request.version)
    return RequestRead.from_view(view)


@router.post(
    "",
    status_code=201,
    response_model=RequestRead,
    responses={**problems.responses(NotFound, InvalidValue), **versioned(201)},
    operation_id="createRequest",
)
def create_request(
    body: RequestCreate,
    uow: UowDep,
    clock: ClockDep,
    idempotency: IdempotencyKey,
    actor: Annotated[Actor, acting(Action.CREATE_REQUEST)],
) -> Response:
    """Record a request for support received at the front door; its decision clock starts."""
    result = service.create_request(
        uow,
        clock,
        actor,
        body.to_domain(),
        idempotency=idempotency.request(actor, body, _created),
    )
    return idempotency.respond(result, _created)


@router.get(
    "",
    response_model=RequestPage,
    responses=problems.responses(InvalidValue),
    operation_id="listRequests",
)
def list_requests(
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.SEARCH_REQUESTS)],
    limit: Limit = 50,
    cursor: Cursor = None,
    status: Annotated[
        RequestStatus | None,
        Query(description="awaiting_decision (ordered by due date, soonest first) or decided."),
    ] = None,
    overdue: Annotated[
        bool,
        Query(description="Only requests awaiting a decision past their due date."),
    ] = False,
    outcome: Annotated[
        ScreeningOutcome | None, Query(description="Only requests decided this way.")
    ] = None,
    urgency: Annotated[Urgency | None, Query(description="Only routine or urgent ones.")] = None,
    family_id: FamilyFilter = None,
    received_from: Annotated[
        CaseDate | None, Query(description="Only requests received on or after this day.")
    ] = None,
    received_to: Annotated[
        CaseDate | None, Query(description="Only requests received on or before this day.")
    ] = None,
) -> RequestPage:
    """Requests for support you may read: newest first, or (awaiting a decision, overdue) by due date."""
    page = service.list_requests(
        uow,
        clock,
        actor,
        RequestFilter(
            scope=RequestScope(),
            status=RequestStatus.AWAITING_DECISION if overdue else status,
            outcome=outcome,
            urgency=urgency,
            family_id=family_id,
            received_from=received_from,
            received_to=received_to,
        ),
        page_request(limit, cursor),
        overdue=overdue,
    )
    link_next(request, response, page.next_cursor)
    return RequestPage(
        items=[RequestRead.from_view(v) for v in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/{request_id}",
    response_model=RequestRead,
    responses={**conditional(), **problems.responses(NotFound)},
    operation_id="getRequest",
)
def get_request(
    request_id: RequestId,
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_REQUEST)],
) -> Response | RequestRead:
    """One request for support, its decision clock and its screening decision."""
    view = service.get_request(uow, clock, actor, request_id)
    return not_modified(request, view.request.version, response) or RequestRead.from_view(view)


@router.patch(
    "/{request_id}",
    response_model=RequestRead,
    responses={
        **problems.responses(
            NotFound, InvalidValue, IllegalTransition, StaleVersion, PreconditionRequired
        ),
        **versioned(),
    },
    operation_id="updateRequest",
)
def update_request(
    request_id: RequestId,
    body: RequestUpdate,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.EDIT_REQUEST)],
    if_match: IfMatch = None,
) -> RequestRead:
    """Correct a request before it is screened: the front door or whoever made it (If-Match)."""
    view = service.edit_request(
        uow,
        clock,
        actor,
        request_id,
        body.to_domain(),
        expected_version=parse_if_match(if_match),
    )
    return _read(response, view)


@router.post(
    "/{request_id}/decision",
    response_model=RequestRead,
    responses={
        **problems.responses(
            NotFound, InvalidValue, IllegalTransition, Conflict, StaleVersion, PreconditionRequired
        ),
        **versioned(),
    },
    operation_id="screenRequest",
)
def screen_request(
    request_id: RequestId,
    body: DecisionIn,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    actor: Annotated[Actor, acting(Action.SCREEN_REQUEST)],
    if_match: IfMatch = None,
) -> RequestRead:
    """Record the front door's screening decision (If-Match: the request's ETag)."""
    view = service.screen_request(
        uow,
        clock,
        actor,
        request_id,
        body.to_domain(),
        expected_version=parse_if_match(if_match),
        levels=settings.early_help_levels,
        family_help=settings.family_help_policy(),
    )
    return _read(response, view)


@router.post(
    "/{request_id}/acknowledgement",
    response_model=RequestRead,
    responses={
        **problems.responses(
            NotFound, IllegalTransition, Conflict, StaleVersion, PreconditionRequired
        ),
        **versioned(),
    },
    operation_id="acknowledgeRequest",
)
def acknowledge_request(
    request_id: RequestId,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.ACKNOWLEDGE_REQUEST)],
    if_match: IfMatch = None,
) -> RequestRead:
    """The lead has read a request attached to their episode: it leaves their worklist."""
    view = service.acknowledge_request(
        uow, clock, actor, request_id, expected_version=parse_if_match(if_match)
    )
    return _read(response, view)
