"""Use cases of the Team Around the Family: who is in it, and its meetings (the first agrees the plan)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from app.calendars import default_calendar
from app.domain.consent import ConsentPurpose, consent_in_force
from app.domain.episodes import Episode, EpisodeStage, MeetingDecision
from app.domain.errors import IllegalTransition, InvalidValue, NotFound
from app.domain.plans import FamilyPlan, PlanStatus
from app.domain.taf import (
    ChildVoice,
    OutcomeProgress,
    TafMeeting,
    TafMember,
    add_family_member,
    add_practitioner_member,
    record_meeting,
)
from app.domain.versions import Expected, check_version
from app.services.episodes import EpisodeRecord, episode_record, load_episode
from app.services.ports import Clock, UnitOfWork


def _joining_on(joined_on: date | None, today: date) -> date:
    joined = joined_on or today
    if joined > today:
        raise InvalidValue("A member cannot join in the future.", field="joined_on")
    return joined


def _open_episode(uow: UnitOfWork, episode_id: uuid.UUID) -> Episode:
    episode = load_episode(uow, episode_id)
    if not episode.is_open:
        raise IllegalTransition("The episode is closed; its Team Around the Family is closed too.")
    return episode


def list_members(uow: UnitOfWork, episode_id: uuid.UUID) -> list[TafMember]:
    with uow:
        load_episode(uow, episode_id)
        return uow.taf.members(episode_id)


def add_practitioner(
    uow: UnitOfWork,
    clock: Clock,
    episode_id: uuid.UUID,
    *,
    practitioner_id: uuid.UUID,
    role: str,
    joined_on: date | None,
) -> TafMember:
    """A practitioner joins only while consent to share with their agency (or all TAF members) is in force."""
    today = clock.today()
    joined = _joining_on(joined_on, today)
    with uow:
        episode = _open_episode(uow, episode_id)
        practitioner = uow.practitioners.get(practitioner_id)
        if practitioner is None or not practitioner.active:
            raise InvalidValue(
                "There is no active practitioner with this id.", field="practitioner_id"
            )
        consents = uow.consents.for_family(episode.family_id)
        sharing = all(
            consent_in_force(
                consents, ConsentPurpose.INFORMATION_SHARING, day, practitioner.agency_code
            )
            is not None
            for day in {joined, today}
        )
        member = add_practitioner_member(
            id=uuid.uuid4(),
            episode_id=episode_id,
            practitioner_id=practitioner_id,
            agency_code=practitioner.agency_code,
            role=role,
            joined_on=joined,
            sharing_consent_in_force=sharing,
            current_members=uow.taf.members(episode_id),
        )
        uow.taf.add_member(member, at=clock.now())
        uow.commit()
        return member


def add_family_person(
    uow: UnitOfWork,
    clock: Clock,
    episode_id: uuid.UUID,
    *,
    person_id: uuid.UUID,
    role: str,
    joined_on: date | None,
) -> TafMember:
    today = clock.today()
    joined = _joining_on(joined_on, today)
    with uow:
        episode = _open_episode(uow, episode_id)
        family = uow.families.get(episode.family_id)
        if family is None or family.membership_of(person_id, joined) is None:
            raise InvalidValue("This person is not a member of the family.", field="person_id")
        member = add_family_member(
            id=uuid.uuid4(),
            episode_id=episode_id,
            person_id=person_id,
            role=role,
            joined_on=joined,
            current_members=uow.taf.members(episode_id),
        )
        uow.taf.add_member(member, at=clock.now())
        uow.commit()
        return member


def member_leaves(
    uow: UnitOfWork,
    clock: Clock,
    episode_id: uuid.UUID,
    member_id: uuid.UUID,
    *,
    left_on: date | None,
    expected_version: Expected,
) -> TafMember:
    today = clock.today()
    with uow:
        member = uow.taf.member(member_id)
        if member is None or member.episode_id != episode_id:
            raise NotFound("This Team Around the Family has no member with this id.")
        check_version(expected_version, member.version)
        on = left_on or today
        if on > today:
            raise InvalidValue("A member cannot leave in the future.", field="left_on")
        member.leave(on)
        uow.taf.save_member(member, at=clock.now())
        uow.commit()
        return member


@dataclass(frozen=True)
class MeetingReport:
    held_on: date
    attendee_member_ids: Sequence[uuid.UUID]
    family_present: bool
    child_voice: ChildVoice
    progress: Sequence[OutcomeProgress]
    decision: MeetingDecision
    next_review_on: date | None = None
    notes: str | None = None
    agrees_plan_id: uuid.UUID | None = None


def _plans_to_agree(
    plans: list[FamilyPlan], *, first: bool, agrees_plan_id: uuid.UUID | None
) -> tuple[FamilyPlan | None, FamilyPlan | None]:
    """The plan this meeting agrees and the agreed plan it replaces.

    The first meeting agrees the plan quality assurance approved (seed 004:1239); a review agrees a
    revision only when the meeting says so.
    """
    agreed = [p for p in plans if p.status is PlanStatus.AGREED]
    if first:
        approved = [p for p in plans if p.status is PlanStatus.APPROVED]
        if not approved:
            raise IllegalTransition("There is no approved plan for the first TAF meeting to agree.")
        return approved[-1], None
    if agrees_plan_id is None:
        return None, None
    chosen = next((p for p in plans if p.id == agrees_plan_id), None)
    if chosen is None:
        raise InvalidValue("This episode has no plan with this id.", field="agrees_plan_id")
    return chosen, agreed[-1] if agreed else None


def hold_meeting(
    uow: UnitOfWork,
    clock: Clock,
    episode_id: uuid.UUID,
    report: MeetingReport,
    *,
    expected_version: Expected,
) -> tuple[EpisodeRecord, TafMeeting]:
    """Record a TAF meeting: the first agrees the plan and activates the episode; later ones are reviews."""
    today = clock.today()
    with uow:
        episode = load_episode(uow, episode_id)
        check_version(expected_version, episode.version)
        plans = uow.plans.for_episode(episode_id)
        first = episode.stage is EpisodeStage.PLAN_APPROVED
        to_agree, replaced = (None, None)
        if episode.stage in {EpisodeStage.PLAN_APPROVED, EpisodeStage.ACTIVE}:
            to_agree, replaced = _plans_to_agree(
                plans, first=first, agrees_plan_id=report.agrees_plan_id
            )
        in_force = to_agree or next(
            (p for p in reversed(plans) if p.status is PlanStatus.AGREED), None
        )
        meeting = record_meeting(
            id=uuid.uuid4(),
            episode_id=episode_id,
            held_on=report.held_on,
            today=today,
            is_first=first,
            attendee_member_ids=report.attendee_member_ids,
            members=uow.taf.members(episode_id),
            family_present=report.family_present,
            child_voice=report.child_voice,
            progress=report.progress,
            plan_outcome_ids=in_force.outcome_ids if in_force else frozenset(),
            decision=report.decision,
            next_review_on=report.next_review_on,
            notes=report.notes,
        )
        episode.hold_meeting(
            report.held_on,
            decision=report.decision,
            policy_history=uow.policies.history(),
            calendar=default_calendar(),
        )
        if to_agree is not None:
            versions = uow.assessments.for_episode(episode_id)
            known = versions[-1].need_ids if versions else frozenset()
            to_agree.agree(report.held_on, known_need_ids=known, replaces=replaced)
            uow.plans.save(to_agree, at=clock.now())
            if replaced is not None:
                uow.plans.save(replaced, at=clock.now())
        uow.taf.add_meeting(meeting, at=clock.now())
        uow.episodes.save(episode, at=clock.now())
        record = episode_record(uow, episode, today)
        uow.commit()
        return record, meeting


def list_meetings(uow: UnitOfWork, episode_id: uuid.UUID) -> list[TafMeeting]:
    with uow:
        load_episode(uow, episode_id)
        return uow.taf.meetings(episode_id)
