"""The Team Around the Family: its members, and its meetings (the first agrees the plan)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from app.api import problems
from app.api.auth import GateDep
from app.api.deps import ClockDep, UowDep
from app.api.etags import IfMatch, etag, parse_if_match
from app.api.idempotency import Created, IdempotencyDep
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
from app.domain.taf import TafMemberKind
from app.services import taf as service

router = APIRouter(prefix="/api/v1/episodes/{episode_id}", tags=["team-around-the-family"])


@router.get(
    "/taf-members",
    response_model=list[TafMemberRead],
    responses=problems.responses(NotFound, validation=False),
    operation_id="listTafMembers",
)
def list_members(episode_id: uuid.UUID, uow: UowDep, gate: GateDep) -> list[TafMemberRead]:
    """Current and former members of the Team Around the Family (a short list: never paged)."""
    gate.require(Action.READ_EPISODE, "taf_member", episode_id=episode_id)
    return [TafMemberRead.from_domain(m) for m in service.list_members(uow, episode_id)]


@router.post(
    "/taf-members",
    status_code=201,
    response_model=TafMemberRead,
    responses=problems.responses(
        NotFound, InvalidValue, IllegalTransition, ConsentRequired, Conflict
    ),
    operation_id="addTafMember",
)
def add_member(
    episode_id: uuid.UUID,
    body: TafMemberIn,
    uow: UowDep,
    gate: GateDep,
    clock: ClockDep,
    idempotent: IdempotencyDep,
) -> Response:
    """Add a practitioner (only while consent to share with their agency is in force) or a family member."""
    gate.require(Action.WRITE_EPISODE, "taf_member", episode_id=episode_id)

    def create() -> Created:
        if body.kind is TafMemberKind.PRACTITIONER:
            if body.practitioner_id is None or body.person_id is not None:
                raise InvalidValue(
                    "A practitioner member needs practitioner_id (and no person_id).",
                    field="practitioner_id",
                )
            member = service.add_practitioner(
                uow,
                clock,
                episode_id,
                practitioner_id=body.practitioner_id,
                role=body.role,
                joined_on=body.joined_on,
            )
        else:
            if body.person_id is None or body.practitioner_id is not None:
                raise InvalidValue(
                    "A family member needs person_id (and no practitioner_id).", field="person_id"
                )
            member = service.add_family_person(
                uow,
                clock,
                episode_id,
                person_id=body.person_id,
                role=body.role,
                joined_on=body.joined_on,
            )
        return Created(
            TafMemberRead.from_domain(member),
            f"/api/v1/episodes/{episode_id}/taf-members",
            etag(member.version),
        )

    return idempotent.run(body, create)


@router.post(
    "/taf-members/{member_id}/leave",
    response_model=TafMemberRead,
    responses=problems.responses(*TRANSITION_ERRORS),
    operation_id="recordTafMemberLeft",
)
def member_leaves(
    episode_id: uuid.UUID,
    member_id: uuid.UUID,
    body: LeaveTafIn,
    response: Response,
    uow: UowDep,
    gate: GateDep,
    clock: ClockDep,
    if_match: IfMatch = None,
) -> TafMemberRead:
    """Record that a member left the Team Around the Family (If-Match: the member's ETag)."""
    gate.require(Action.WRITE_EPISODE, "taf_member", resource_id=member_id, episode_id=episode_id)
    member = service.member_leaves(
        uow,
        clock,
        episode_id,
        member_id,
        left_on=body.left_on,
        expected_version=parse_if_match(if_match),
    )
    response.headers["ETag"] = etag(member.version)
    return TafMemberRead.from_domain(member)


@router.get(
    "/meetings",
    response_model=list[MeetingRead],
    responses=problems.responses(NotFound, validation=False),
    operation_id="listTafMeetings",
)
def list_meetings(episode_id: uuid.UUID, uow: UowDep, gate: GateDep) -> list[MeetingRead]:
    """The TAF meetings held, oldest first."""
    gate.require(Action.READ_EPISODE, "taf_meeting", episode_id=episode_id)
    return [MeetingRead.from_domain(m) for m in service.list_meetings(uow, episode_id)]


@router.post(
    "/meetings",
    status_code=201,
    response_model=EpisodeWithMeeting,
    responses=problems.responses(*TRANSITION_ERRORS),
    operation_id="holdTafMeeting",
)
def hold_meeting(
    episode_id: uuid.UUID,
    body: MeetingIn,
    uow: UowDep,
    gate: GateDep,
    clock: ClockDep,
    idempotent: IdempotencyDep,
    if_match: IfMatch = None,
) -> Response:
    """Record a TAF meeting: the first agrees the plan and activates the episode; later ones are reviews."""
    gate.require(Action.WRITE_EPISODE, "taf_meeting", episode_id=episode_id)

    def create() -> Created:
        record, meeting = service.hold_meeting(
            uow,
            clock,
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
        )
        return Created(
            EpisodeWithMeeting(
                episode=EpisodeRead.from_record(record), meeting=MeetingRead.from_domain(meeting)
            ),
            f"/api/v1/episodes/{episode_id}/meetings",
            etag(record.episode.version),
        )

    return idempotent.run(body, create)
