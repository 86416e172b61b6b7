"""Use cases of the episode: open it, start the assessment, hand over, change level, close it."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from app.calendars import default_calendar
from app.domain.assessments import Assessment, start_assessment_draft
from app.domain.consent import ConsentPurpose, consent_in_force
from app.domain.episodes import (
    ClosureReason,
    Episode,
    EpisodeStage,
    FamilyView,
    RequestSource,
    open_episode,
)
from app.domain.errors import Conflict, InvalidValue, NotFound
from app.domain.families import MemberRole
from app.domain.paging import Page, PageRequest
from app.domain.practitioners import Practitioner
from app.domain.timeliness import Deadline, DeadlineState, PolicyHistory, assess
from app.outcome_framework import headline_codes
from app.services.families import check_version
from app.services.ports import Clock, EpisodeFilter, UnitOfWork


@dataclass(frozen=True)
class DeadlineView:
    deadline: Deadline
    state: DeadlineState


@dataclass(frozen=True)
class EpisodeRecord:
    """An episode as the lead professional and the TAF see it: stage, who leads, what is due."""

    episode: Episode
    lead: Practitioner | None
    deadlines: list[DeadlineView]
    as_of: date


def load_episode(uow: UnitOfWork, episode_id: uuid.UUID) -> Episode:
    episode = uow.episodes.get(episode_id)
    if episode is None:
        raise NotFound("There is no episode with this id.")
    return episode


def deadline_views(
    deadlines: list[Deadline], history: PolicyHistory, as_of: date
) -> list[DeadlineView]:
    due_soon = history.in_force_on(as_of).due_soon_days
    return [DeadlineView(deadline=d, state=assess(d, as_of, due_soon)) for d in deadlines]


def episode_record(uow: UnitOfWork, episode: Episode, as_of: date) -> EpisodeRecord:
    return EpisodeRecord(
        episode=episode,
        lead=uow.practitioners.get(episode.lead_practitioner_id),
        deadlines=deadline_views(episode.current_deadlines(), uow.policies.history(), as_of),
        as_of=as_of,
    )


def _require_lead(uow: UnitOfWork, practitioner_id: uuid.UUID, field: str) -> Practitioner:
    lead = uow.practitioners.get(practitioner_id)
    if lead is None or not lead.can_lead:
        raise InvalidValue(
            "This is not an active practitioner who can lead an episode.", field=field
        )
    return lead


@dataclass(frozen=True)
class EpisodeRequest:
    family_id: uuid.UUID
    source: RequestSource
    level_of_need: str
    lead_practitioner_id: uuid.UUID
    child_person_ids: tuple[uuid.UUID, ...]
    requested_on: date | None = None
    hub_id: uuid.UUID | None = None
    step_down_reference: str | None = None
    step_down_notes: str | None = None
    reason: str | None = None


def open_new_episode(
    uow: UnitOfWork, clock: Clock, request: EpisodeRequest, *, levels: Collection[str]
) -> EpisodeRecord:
    """Open an episode for a family; a family that had one before gets a new one linked to the old."""
    today = clock.today()
    requested_on = request.requested_on or today
    if requested_on > today:
        raise InvalidValue("A request cannot be dated in the future.", field="requested_on")
    with uow:
        family = uow.families.get(request.family_id)
        if family is None:
            raise InvalidValue("There is no family with this id.", field="family_id")
        # One open episode per family: two requests opening one at once take turns from here,
        # so the second sees the first's episode below and is refused.
        uow.families.lock(family.id)
        hub_id = request.hub_id or family.hub_id
        hub = uow.reference.hub(hub_id)
        if hub is None or not hub.active:
            raise InvalidValue("There is no active family hub with this id.", field="hub_id")
        for index, person_id in enumerate(request.child_person_ids):
            membership = family.membership_of(person_id, requested_on)
            if membership is None or membership.role is not MemberRole.CHILD:
                raise InvalidValue(
                    "Each child must be a current child member of the family.",
                    field=f"child_person_ids[{index}]",
                )
        _require_lead(uow, request.lead_practitioner_id, "lead_practitioner_id")
        previous = uow.episodes.for_family(family.id)
        if any(e.is_open for e in previous):
            raise Conflict(
                "This family already has an open episode; close it before opening another."
            )
        closed = [e for e in previous if e.closed_on is not None]
        episode = open_episode(
            id=uuid.uuid4(),
            family_id=family.id,
            hub_id=hub_id,
            source=request.source,
            level_of_need=request.level_of_need,
            allowed_levels=levels,
            lead_practitioner_id=request.lead_practitioner_id,
            child_person_ids=request.child_person_ids,
            requested_on=requested_on,
            previous_episode_id=max(closed, key=lambda e: e.closed_on or requested_on).id
            if closed
            else None,
            step_down_reference=request.step_down_reference,
            step_down_notes=request.step_down_notes,
            reason=request.reason,
        )
        uow.episodes.add(episode, at=clock.now())
        record = episode_record(uow, episode, today)
        uow.commit()
        return record


def get_episode(uow: UnitOfWork, episode_id: uuid.UUID, as_of: date) -> EpisodeRecord:
    with uow:
        return episode_record(uow, load_episode(uow, episode_id), as_of)


def search_episodes(
    uow: UnitOfWork, flt: EpisodeFilter, page: PageRequest, as_of: date
) -> Page[EpisodeRecord]:
    with uow:
        found = uow.episodes.search(flt, page)
        leads = uow.practitioners.get_many([e.lead_practitioner_id for e in found.items])
        history = uow.policies.history()
        records = [
            EpisodeRecord(
                episode=e,
                lead=leads.get(e.lead_practitioner_id),
                deadlines=deadline_views(e.current_deadlines(), history, as_of),
                as_of=as_of,
            )
            for e in found.items
        ]
        return Page(items=records, next_cursor=found.next_cursor)


def start_assessment(
    uow: UnitOfWork, clock: Clock, episode_id: uuid.UUID, *, expected_version: int | None
) -> tuple[EpisodeRecord, Assessment]:
    """Consent to take part is in force: the assessment starts and its clock runs from the consent date."""
    today = clock.today()
    with uow:
        episode = load_episode(uow, episode_id)
        check_version(expected_version, episode.version)
        consent = consent_in_force(
            uow.consents.for_family(episode.family_id), ConsentPurpose.EARLY_HELP, today
        )
        episode.start_assessment(
            today,
            consent_given_on=consent.given_on if consent else None,
            policy_history=uow.policies.history(),
            calendar=default_calendar(),
        )
        assessment = start_assessment_draft(
            id=uuid.uuid4(),
            episode_id=episode.id,
            started_on=today,
            allowed_headlines=headline_codes(),
            covered_person_ids=episode.child_person_ids,
        )
        uow.episodes.save(episode, at=clock.now())
        uow.assessments.add(assessment, at=clock.now())
        record = episode_record(uow, episode, today)
        uow.commit()
        return record, assessment


def assign_lead(
    uow: UnitOfWork,
    clock: Clock,
    episode_id: uuid.UUID,
    *,
    practitioner_id: uuid.UUID,
    reason: str | None,
    expected_version: int | None,
) -> EpisodeRecord:
    """Hand the episode to another lead professional; the history keeps who, from, to, when and why."""
    with uow:
        episode = load_episode(uow, episode_id)
        check_version(expected_version, episode.version)
        _require_lead(uow, practitioner_id, "practitioner_id")
        episode.assign_lead(practitioner_id, clock.today(), reason)
        uow.episodes.save(episode, at=clock.now())
        record = episode_record(uow, episode, clock.today())
        uow.commit()
        return record


def change_level(
    uow: UnitOfWork,
    clock: Clock,
    episode_id: uuid.UUID,
    *,
    level: str,
    reason: str | None,
    expected_version: int | None,
    levels: Collection[str],
) -> EpisodeRecord:
    with uow:
        episode = load_episode(uow, episode_id)
        check_version(expected_version, episode.version)
        episode.change_level(level, clock.today(), reason, levels)
        uow.episodes.save(episode, at=clock.now())
        record = episode_record(uow, episode, clock.today())
        uow.commit()
        return record


@dataclass(frozen=True)
class Closure:
    reason: ClosureReason
    family_view: FamilyView | None
    closed_on: date | None = None
    notes: str | None = None
    stepped_up_reference: str | None = None


def close_episode(
    uow: UnitOfWork,
    clock: Clock,
    episode_id: uuid.UUID,
    closure: Closure,
    *,
    expected_version: int | None,
) -> EpisodeRecord:
    today = clock.today()
    closed_on = closure.closed_on or today
    if closed_on > today:
        raise InvalidValue("An episode cannot be closed in the future.", field="closed_on")
    with uow:
        episode = load_episode(uow, episode_id)
        check_version(expected_version, episode.version)
        episode.close(
            closed_on,
            closure.reason,
            closure.family_view,
            closure.notes,
            closure.stepped_up_reference,
        )
        uow.episodes.save(episode, at=clock.now())
        record = episode_record(uow, episode, today)
        uow.commit()
        return record


def record_consent_withdrawn_on_open_episodes(
    uow: UnitOfWork, family_id: uuid.UUID, on: date, *, at: datetime
) -> None:
    """Called inside a consent withdrawal: when no consent to take part remains, the clocks stop.

    Runs in the caller's unit of work so the withdrawal and its effect commit together.
    """
    if (
        consent_in_force(uow.consents.for_family(family_id), ConsentPurpose.EARLY_HELP, on)
        is not None
    ):
        return
    for episode in uow.episodes.for_family(family_id):
        if (
            episode.is_open
            and episode.stage is not EpisodeStage.REQUESTED
            and not episode.consent_withdrawn
        ):
            episode.record_consent_withdrawn(on)
            uow.episodes.save(episode, at=at)
