"""Use cases of the Team Around the Family: who is in it, and its meetings (the first agrees the plan)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from app.domain.access import Action
from app.domain.episodes import Episode, EpisodeStage, MeetingDecision
from app.domain.errors import NotFound
from app.domain.step_dates import check_step_order, happened_on
from app.domain.taf import (
    ChildVoice,
    OutcomeProgress,
    TafMeeting,
    TafMember,
    TafMemberKind,
    active_practitioner,
    add_family_member,
    add_practitioner_member,
    agreement_at_meeting,
    check_family_person,
    check_taf_open,
    joining_date,
    joining_id,
    leaving_date,
    record_meeting,
    sharing_consent_covers,
)
from app.domain.versions import Expected, check_version
from app.services.episodes import EpisodeRecord, episode_record, load_episode
from app.services.names import Named, Names, resolve_names
from app.services.ports import Clock, UnitOfWork
from app.services.use_case import (
    Actor,
    IdempotentRequest,
    Replayed,
    Target,
    UseCase,
    run_idempotent,
)


@dataclass(frozen=True)
class Joining:
    """Who joins the TAF: a practitioner (by directory id) or a family member (by person id)."""

    kind: TafMemberKind
    role: str
    practitioner_id: uuid.UUID | None = None
    person_id: uuid.UUID | None = None
    joined_on: date | None = None


def list_members(
    uow: UnitOfWork, clock: Clock, actor: Actor, episode_id: uuid.UUID
) -> Named[list[TafMember]]:
    """Current and former members of the TAF, with their names (a short list: never paged)."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.READ_EPISODE, Target.episode(episode_id, "taf_member"))
        members = uow.taf.members(episode_id)
        names = resolve_names(uow, taf=members)
        uc.commit()
        return Named(members, names)


def add_member(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    joining: Joining,
    *,
    idempotency: IdempotentRequest[Named[TafMember]] | None = None,
) -> Named[TafMember] | Replayed:
    """A practitioner joins only while consent to share with their agency (or all TAF members) is
    in force; a family member of the household joins their own TAF."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.WRITE_EPISODE, Target.episode(episode_id, "taf_member"))
        return run_idempotent(uc, idempotency, lambda: _add(uc, episode_id, joining))


def _add(uc: UseCase, episode_id: uuid.UUID, joining: Joining) -> Named[TafMember]:
    who = joining_id(
        joining.kind, practitioner_id=joining.practitioner_id, person_id=joining.person_id
    )
    joined = joining_date(joining.joined_on, uc.today)
    episode = load_episode(uc.uow, episode_id)
    check_taf_open(episode)
    check_step_order(joined, field="joined_on", requested_on=episode.requested_on)
    if joining.kind is TafMemberKind.PRACTITIONER:
        member = _practitioner_joins(uc, episode, who, joining.role, joined)
    else:
        member = _family_member_joins(uc, episode, who, joining.role, joined)
    member.joined_recorded_at = uc.now
    uc.uow.taf.add_member(member, at=uc.now)
    uc.identify(Action.WRITE_EPISODE, member.id)
    return Named(member, resolve_names(uc.uow, taf=[member]))


def _practitioner_joins(
    uc: UseCase, episode: Episode, practitioner_id: uuid.UUID, role: str, joined: date
) -> TafMember:
    practitioner = active_practitioner(uc.uow.practitioners.get(practitioner_id))
    return add_practitioner_member(
        id=uuid.uuid4(),
        episode_id=episode.id,
        practitioner_id=practitioner_id,
        agency_code=practitioner.agency_code,
        role=role,
        joined_on=joined,
        sharing_consent_in_force=sharing_consent_covers(
            uc.uow.consents.for_family(episode.family_id),
            practitioner.agency_code,
            {joined, uc.today},
        ),
        current_members=uc.uow.taf.members(episode.id),
        agency_name=next(
            (
                a.name
                for a in uc.uow.reference.agencies(include_inactive=True)
                if a.code == practitioner.agency_code
            ),
            None,
        ),
    )


def _family_member_joins(
    uc: UseCase, episode: Episode, person_id: uuid.UUID, role: str, joined: date
) -> TafMember:
    check_family_person(uc.uow.families.get(episode.family_id), person_id, joined)
    return add_family_member(
        id=uuid.uuid4(),
        episode_id=episode.id,
        person_id=person_id,
        role=role,
        joined_on=joined,
        current_members=uc.uow.taf.members(episode.id),
    )


def member_leaves(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    member_id: uuid.UUID,
    *,
    left_on: date | None,
    expected_version: Expected,
) -> Named[TafMember]:
    """A member leaves the TAF; the membership is kept as history."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.WRITE_EPISODE, Target.episode(episode_id, "taf_member", member_id))
        member = uow.taf.member(member_id)
        # Another episode's member is answered as an unknown id (a database look-up: it stays here).
        if member is None or member.episode_id != episode_id:
            raise NotFound("This Team Around the Family has no member with this id.")
        check_version(expected_version, member.version)
        member.leave(leaving_date(left_on, uc.today), recorded_at=uc.now)
        uow.taf.save_member(member, at=uc.now)
        names = resolve_names(uow, taf=[member])
        uc.commit()
        return Named(member, names)


@dataclass(frozen=True)
class MeetingReport:
    held_on: date | None
    """The day it was held; today (the council's) when not given."""
    attendee_member_ids: Sequence[uuid.UUID]
    family_present: bool
    child_voice: ChildVoice
    progress: Sequence[OutcomeProgress]
    decision: MeetingDecision
    next_review_on: date | None = None
    notes: str | None = None
    agrees_plan_id: uuid.UUID | None = None


@dataclass(frozen=True)
class HeldMeeting:
    record: EpisodeRecord
    meeting: TafMeeting
    names: Names
    """The names of the TAF members who attended."""


def hold_meeting(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    report: MeetingReport,
    *,
    expected_version: Expected,
    idempotency: IdempotentRequest[HeldMeeting] | None = None,
) -> HeldMeeting | Replayed:
    """Record a TAF meeting: the first agrees the plan and activates the episode; later ones are reviews."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.WRITE_EPISODE, Target.episode(episode_id, "taf_meeting"))
        return run_idempotent(
            uc, idempotency, lambda: _hold(uc, episode_id, report, expected_version)
        )


def _hold(
    uc: UseCase, episode_id: uuid.UUID, report: MeetingReport, expected_version: Expected
) -> HeldMeeting:
    uow = uc.uow
    held_on = happened_on(report.held_on, today=uc.today, field="held_on")
    episode = load_episode(uow, episode_id)
    check_version(expected_version, episode.version)
    members = uow.taf.members(episode_id)
    agreement = agreement_at_meeting(
        episode, uow.plans.for_episode(episode_id), agrees_plan_id=report.agrees_plan_id
    )
    meeting = record_meeting(
        id=uuid.uuid4(),
        episode_id=episode_id,
        held_on=held_on,
        today=uc.today,
        is_first=episode.stage is EpisodeStage.PLAN_APPROVED,
        attendee_member_ids=report.attendee_member_ids,
        members=members,
        family_present=report.family_present,
        child_voice=report.child_voice,
        progress=report.progress,
        plan_outcome_ids=agreement.in_force.outcome_ids if agreement.in_force else frozenset(),
        decision=report.decision,
        next_review_on=report.next_review_on,
        notes=report.notes,
    )
    episode.hold_meeting(
        held_on,
        decision=report.decision,
        policy_history=uow.policies.history(),
        calendar=uow.reference_data.calendar(),
    )
    if agreement.agrees is not None:
        versions = uow.assessments.for_episode(episode_id)
        known = versions[-1].need_ids if versions else frozenset()
        agreement.agrees.agree(held_on, known_need_ids=known, replaces=agreement.replaces)
        uow.plans.save(agreement.agrees, at=uc.now)
        if agreement.replaces is not None:
            uow.plans.save(agreement.replaces, at=uc.now)
    meeting.recorded_at = uc.now
    uow.taf.add_meeting(meeting, at=uc.now)
    uow.episodes.save(episode, at=uc.now)
    uc.identify(Action.WRITE_EPISODE, meeting.id)
    return HeldMeeting(
        episode_record(uow, episode, uc.today, today=uc.today),
        meeting,
        resolve_names(uow, taf=[m for m in members if m.id in meeting.attendee_member_ids]),
    )


def list_meetings(
    uow: UnitOfWork, clock: Clock, actor: Actor, episode_id: uuid.UUID
) -> Named[list[TafMeeting]]:
    """The TAF meetings held, oldest first, with the names of who attended."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.READ_EPISODE, Target.episode(episode_id, "taf_meeting"))
        meetings = uow.taf.meetings(episode_id)
        names = resolve_names(uow, taf=uow.taf.members(episode_id))
        uc.commit()
        return Named(meetings, names)
