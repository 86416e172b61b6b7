"""The Team Around the Family: its members, and its meetings (the first agrees the plan)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response

from app.api import problems
from app.api.acting import acting
from app.api.deps import ClockDep, UowDep
from app.api.etags import IfMatch, etag, parse_if_match
from app.api.idempotency import Created, IdempotencyKey
from app.api.openapi import versioned
from app.api.parameters import EpisodeId, TafMemberId
from app.api.routers.episodes import TRANSITION_ERRORS
from app.api.schemas.episodes import (
    EpisodeRead,
    EpisodeWithMeeting,
    LeaveTafIn,
    MeetingIn,
    MeetingRead,
    TafMemberIn,
    TafMemberRead,
)
from app.domain.access import Action
from app.domain.errors import Conflict, ConsentRequired, IllegalTransition, InvalidValue, NotFound
from app.domain.taf import TafMember, TafMemberKind
from app.services import taf as service
from app.services.names import Named
from app.services.use_case import Actor

router = APIRouter(prefix="/api/v1/episodes/{episode_id}", tags=["team-around-the-family"])


def _joined(joined: Named[TafMember]) -> Created:
    member = joined.value
    return Created(
        TafMemberRead.from_domain(member, joined.names),
        f"/api/v1/episodes/{member.episode_id}/taf-members",
        etag(member.version),
    )


def _held(held: service.HeldMeeting) -> Created:
    return Created(
        EpisodeWithMeeting(
            episode=EpisodeRead.from_record(held.record),
            meeting=MeetingRead.from_domain(held.meeting, held.names),
        ),
        f"/api/v1/episodes/{held.record.episode.id}/meetings",
        etag(held.record.episode.version),
    )


def _joining(body: TafMemberIn) -> service.Joining:
    member = body.root
    return service.Joining(
        kind=TafMemberKind(member.kind),
        role=member.role,
        practitioner_id=member.practitioner_id,
        person_id=member.person_id,
        joined_on=member.joined_on,
    )


@router.get(
    "/taf-members",
    response_model=list[TafMemberRead],
    responses=problems.responses(NotFound, validation=False),
    operation_id="listTafMembers",
)
def list_members(
    episode_id: EpisodeId,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_EPISODE)],
) -> list[TafMemberRead]:
    """Current and former members of the Team Around the Family, by name (a short list: never paged)."""
    found = service.list_members(uow, clock, actor, episode_id)
    return [TafMemberRead.from_domain(m, found.names) for m in found.value]


@router.post(
    "/taf-members",
    status_code=201,
    response_model=TafMemberRead,
    responses={
        **problems.responses(NotFound, InvalidValue, IllegalTransition, ConsentRequired, Conflict),
        **versioned(201),
    },
    operation_id="addTafMember",
)
def add_member(
    episode_id: EpisodeId,
    body: TafMemberIn,
    uow: UowDep,
    clock: ClockDep,
    idempotency: IdempotencyKey,
    actor: Annotated[Actor, acting(Action.WRITE_EPISODE)],
) -> Response:
    """Add a practitioner (only while consent to share with their agency is in force) or a family member."""
    result = service.add_member(
        uow,
        clock,
        actor,
        episode_id,
        _joining(body),
        idempotency=idempotency.request(actor, body, _joined),
    )
    return idempotency.respond(result, _joined)


@router.post(
    "/taf-members/{member_id}/leave",
    response_model=TafMemberRead,
    responses={**problems.responses(*TRANSITION_ERRORS), **versioned()},
    operation_id="recordTafMemberLeft",
)
def member_leaves(
    episode_id: EpisodeId,
    member_id: TafMemberId,
    body: LeaveTafIn,
    response: Response,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.WRITE_EPISODE)],
    if_match: IfMatch = None,
) -> TafMemberRead:
    """Record that a member left the Team Around the Family (If-Match: the member's ETag)."""
    left = service.member_leaves(
        uow,
        clock,
        actor,
        episode_id,
        member_id,
        left_on=body.left_on,
        expected_version=parse_if_match(if_match),
    )
    response.headers["ETag"] = etag(left.value.version)
    return TafMemberRead.from_domain(left.value, left.names)


@router.get(
    "/meetings",
    response_model=list[MeetingRead],
    responses=problems.responses(NotFound, validation=False),
    operation_id="listTafMeetings",
)
def list_meetings(
    episode_id: EpisodeId,
    uow: UowDep,
    clock: ClockDep,
    actor: Annotated[Actor, acting(Action.READ_EPISODE)],
) -> list[MeetingRead]:
    """The TAF meetings held, oldest first, with who attended by name."""
    found = service.list_meetings(uow, clock, actor, episode_id)
    return [MeetingRead.from_domain(m, found.names) for m in found.value]


@router.post(
    "/meetings",
    status_code=201,
    response_model=EpisodeWithMeeting,
    responses={**problems.responses(*TRANSITION_ERRORS), **versioned(201)},
    operation_id="holdTafMeeting",
)
def hold_meeting(
    episode_id: EpisodeId,
    body: MeetingIn,
    uow: UowDep,
    clock: ClockDep,
    idempotency: IdempotencyKey,
    actor: Annotated[Actor, acting(Action.WRITE_EPISODE)],
    if_match: IfMatch = None,
) -> Response:
    """Record a TAF meeting: the first agrees the plan and activates the episode; later ones are reviews."""
    result = service.hold_meeting(
        uow,
        clock,
        actor,
        episode_id,
        service.MeetingReport(
            held_on=body.held_on,
            attendee_member_ids=body.attendee_member_ids,
            family_present=body.family_present,
            child_voice=body.child_voice,
            progress=body.domain_progress(),
            decision=body.decision,
            next_review_on=body.next_review_on,
            notes=body.notes,
            agrees_plan_id=body.agrees_plan_id,
        ),
        expected_version=parse_if_match(if_match),
        idempotency=idempotency.request(actor, body, _held),
    )
    return idempotency.respond(result, _held)
