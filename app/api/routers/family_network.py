"""A child's family network outside the household, and family group decision-making (FGDM)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response

from app.api import problems
from app.api.acting import acting
from app.api.deps import ClockDep, SettingsDep, UowDep
from app.api.etags import IfMatch, etag, parse_if_match
from app.api.idempotency import Created, IdempotencyKey
from app.api.openapi import versioned
from app.api.paging import Cursor, Limit, link_next, page_request
from app.api.parameters import FamilyId, FgdmOfferId, NetworkMemberId
from app.api.schemas.family_network import (
    FgdmAnswer,
    FgdmMeetingCreate,
    FgdmMeetingPage,
    FgdmMeetingRead,
    FgdmOfferCreate,
    FgdmOfferPage,
    FgdmOfferRead,
    NetworkMemberCreate,
    NetworkMemberEnd,
    NetworkMemberRead,
    NetworkPage,
)
from app.domain.access import Action
from app.domain.errors import (
    Conflict,
    IllegalTransition,
    InvalidValue,
    NotFound,
    PreconditionRequired,
    StaleVersion,
)
from app.domain.family_network import FgdmMeeting, FgdmOffer
from app.services import family_network as service
from app.services.family_network import NetworkView
from app.services.use_case import Actor

router = APIRouter(prefix="/api/v1/families/{family_id}", tags=["families"])


def _member_added(view: NetworkView) -> Created:
    (read,) = _members(view)
    return Created(read, f"/api/v1/families/{read.family_id}/network-members", etag(read.version))


def _offer_recorded(offer: FgdmOffer) -> Created:
    return Created(
        FgdmOfferRead.from_domain(offer),
        f"/api/v1/families/{offer.family_id}/fgdm-offers",
        etag(offer.version),
    )


def _meeting_recorded(meeting: FgdmMeeting) -> Created:
    return Created(
        FgdmMeetingRead.from_domain(meeting), f"/api/v1/families/{meeting.family_id}/fgdm-meetings"
    )


def _members(view: NetworkView) -> list[NetworkMemberRead]:
    return [
        NetworkMemberRead.from_domain(
            m,
            view.people[m.person_id],
            may_see_restricted=m.person_id in view.restricted_visible,
        )
        for m in view.members
    ]


@router.post(
    "/network-members",
    status_code=201,
    response_model=NetworkMemberRead,
    responses={**problems.responses(NotFound, InvalidValue, Conflict), **versioned(201)},
    operation_id="addNetworkMember",
)
def add_network_member(
    family_id: FamilyId,
    body: NetworkMemberCreate,
    uow: UowDep,
    clock: ClockDep,
    settings: SettingsDep,
    idempotency: IdempotencyKey,
    actor: Annotated[Actor, acting(Action.WRITE_FAMILY)],
) -> Response:
    """Record someone outside the household who is part of a child's network: a grandparent,
    an aunt, a family friend. Their contact details may be restricted, as a member's may."""
    member, person = body.to_domain(family_id, clock.today())
    result = service.add_network_member(
        uow,
        clock,
        actor,
        member,
        person,
        consistent=settings.consistent_identifier_scheme,
        idempotency=idempotency.request(actor, body, _member_added),
    )
    return idempotency.respond(result, _member_added)


@router.get(
    "/network-members",
    response_model=NetworkPage,
    responses=problems.responses(NotFound, InvalidValue),
    operation_id="listNetworkMembers",
)
def list_network_members(
    family_id: FamilyId,
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_FAMILY)],
    limit: Limit = 50,
    cursor: Cursor = None,
) -> NetworkPage:
    """The children's network, past members included, in the order they were added."""
    view = service.list_network(uow, clock, actor, family_id, page_request(limit, cursor))
    link_next(request, response, view.next_cursor)
    return NetworkPage(items=_members(view), next_cursor=view.next_cursor)


@router.post(
    "/network-members/{member_id}/end",
    response_model=NetworkMemberRead,
    responses={
        **problems.responses(NotFound, InvalidValue, Conflict, StaleVersion, PreconditionRequired),
        **versioned(),
    },
    operation_id="endNetworkMember",
)
def end_network_member(
    family_id: FamilyId,
    member_id: NetworkMemberId,
    body: NetworkMemberEnd,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.WRITE_FAMILY)],
    if_match: IfMatch = None,
) -> NetworkMemberRead:
    """Someone is no longer part of the network (If-Match: the member's ETag); the record stays."""
    view = service.end_network_member(
        uow,
        clock,
        actor,
        family_id,
        member_id,
        ended_on=body.ended_on,
        expected_version=parse_if_match(if_match),
    )
    (read,) = _members(view)
    response.headers["ETag"] = etag(read.version)
    return read


@router.post(
    "/fgdm-offers",
    status_code=201,
    response_model=FgdmOfferRead,
    responses={**problems.responses(NotFound, InvalidValue), **versioned(201)},
    operation_id="recordFgdmOffer",
)
def record_fgdm_offer(
    family_id: FamilyId,
    body: FgdmOfferCreate,
    uow: UowDep,
    clock: ClockDep,
    idempotency: IdempotencyKey,
    actor: Annotated[Actor, acting(Action.WRITE_FAMILY)],
) -> Response:
    """Family group decision-making offered to the family, or a decision not to offer it."""
    result = service.record_fgdm_offer(
        uow,
        clock,
        actor,
        body.to_domain(family_id, actor.principal.practitioner_id),
        idempotency=idempotency.request(actor, body, _offer_recorded),
    )
    return idempotency.respond(result, _offer_recorded)


@router.get(
    "/fgdm-offers",
    response_model=FgdmOfferPage,
    responses=problems.responses(NotFound, InvalidValue),
    operation_id="listFgdmOffers",
)
def list_fgdm_offers(
    family_id: FamilyId,
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_FAMILY)],
    limit: Limit = 50,
    cursor: Cursor = None,
) -> FgdmOfferPage:
    """The family's FGDM offers and decisions not to offer, oldest first."""
    page = service.list_fgdm_offers(uow, clock, actor, family_id, page_request(limit, cursor))
    link_next(request, response, page.next_cursor)
    return FgdmOfferPage(
        items=[FgdmOfferRead.from_domain(o) for o in page.items], next_cursor=page.next_cursor
    )


@router.post(
    "/fgdm-offers/{offer_id}/answer",
    response_model=FgdmOfferRead,
    responses={
        **problems.responses(
            NotFound, InvalidValue, IllegalTransition, StaleVersion, PreconditionRequired
        ),
        **versioned(),
    },
    operation_id="answerFgdmOffer",
)
def answer_fgdm_offer(
    family_id: FamilyId,
    offer_id: FgdmOfferId,
    body: FgdmAnswer,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.WRITE_FAMILY)],
    if_match: IfMatch = None,
) -> FgdmOfferRead:
    """The family's answer to an offer awaiting it (If-Match: the offer's ETag)."""
    offer = service.answer_fgdm_offer(
        uow,
        clock,
        actor,
        family_id,
        offer_id,
        accepted=body.accepted,
        answered_on=body.answered_on,
        expected_version=parse_if_match(if_match),
    )
    response.headers["ETag"] = etag(offer.version)
    return FgdmOfferRead.from_domain(offer)


@router.post(
    "/fgdm-meetings",
    status_code=201,
    response_model=FgdmMeetingRead,
    responses=problems.responses(NotFound, InvalidValue, IllegalTransition),
    operation_id="recordFgdmMeeting",
)
def record_fgdm_meeting(
    family_id: FamilyId,
    body: FgdmMeetingCreate,
    uow: UowDep,
    clock: ClockDep,
    idempotency: IdempotencyKey,
    actor: Annotated[Actor, acting(Action.WRITE_FAMILY)],
) -> Response:
    """A family-led meeting held: type, coordinator, private family time, attendees, the plan."""
    result = service.record_fgdm_meeting(
        uow,
        clock,
        actor,
        body.to_domain(family_id),
        idempotency=idempotency.request(actor, body, _meeting_recorded),
    )
    return idempotency.respond(result, _meeting_recorded)


@router.get(
    "/fgdm-meetings",
    response_model=FgdmMeetingPage,
    responses=problems.responses(NotFound, InvalidValue),
    operation_id="listFgdmMeetings",
)
def list_fgdm_meetings(
    family_id: FamilyId,
    request: Request,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_FAMILY)],
    limit: Limit = 50,
    cursor: Cursor = None,
) -> FgdmMeetingPage:
    """The family's FGDM meetings, oldest first."""
    page = service.list_fgdm_meetings(uow, clock, actor, family_id, page_request(limit, cursor))
    link_next(request, response, page.next_cursor)
    return FgdmMeetingPage(
        items=[FgdmMeetingRead.from_domain(m) for m in page.items], next_cursor=page.next_cursor
    )
